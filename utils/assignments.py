"""Teacher tools for the graded assignments in ``assignments/`` (otter-grader sources).

Generate the student notebooks and the autograders, then grade one submission::

    python -m utils.assignments                    # every assignment -> _build/assignments/NAME/
    python -m utils.assignments conv_numpy         # one assignment
    python -m utils.assignments --grade _build/assignments/conv_numpy submission.ipynb

Each assignment's folder then holds ``student/NAME.ipynb`` (hand this out: the public tests
are inside it) and ``autograder/`` (the solution notebook and ``NAME-autograder_*.zip``,
for ``otter run``, ``otter grade`` or Gradescope). Both are build output, never committed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "assignments"
BUILD = ROOT / "_build" / "assignments"


def names() -> list[str]:
    """The assignments: the stems of ``assignments/*.ipynb``, sorted."""
    return sorted(p.stem for p in SOURCES.glob("*.ipynb"))


def _otter(*args: str) -> subprocess.CompletedProcess:
    try:
        import otter  # noqa: F401
    except ImportError:
        raise RuntimeError(
            "otter-grader is not installed in this Python. Install the course's requirements "
            "(pip install -r requirements.txt) or just the grader: pip install otter-grader"
        ) from None
    return subprocess.run([sys.executable, "-m", "otter", *args], capture_output=True, text=True)


def build(name: str, out: Path | None = None, run_tests: bool = True) -> Path:
    """Run ``otter assign`` on ``assignments/NAME.ipynb`` into ``out`` (default
    ``_build/assignments/NAME``), replacing what was there. ``run_tests``: let otter check
    that the solutions pass their own tests (slower). Returns ``out``."""
    if name not in names():
        raise ValueError(f"No assignment called {name!r}. The assignments: {', '.join(names())}.")
    out = Path(out) if out else BUILD / name
    if out.exists():
        shutil.rmtree(out)
    args = ["assign", "-v", str(SOURCES / f"{name}.ipynb"), str(out)]
    if not run_tests:
        args.insert(1, "--no-run-tests")
    done = _otter(*args)
    if done.returncode:
        raise RuntimeError(f"otter assign failed on {name}:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    return out


def autograder_zip(built: Path) -> Path:
    """The autograder zip in a folder made by :func:`build`."""
    found = sorted((Path(built) / "autograder").glob("*-autograder_*.zip"))
    if not found:
        raise FileNotFoundError(f"No autograder zip in {built}/autograder: build the assignment first.")
    return found[-1]


def grade(built: Path, submission: Path) -> dict[str, tuple[float, float]]:
    """Grade ``submission`` (a notebook) with the autograder in ``built`` by ``otter run``
    (no Docker). Returns ``{question: (score, max_score)}`` for the auto-graded questions."""
    submission = Path(submission)
    if not submission.is_file():
        raise FileNotFoundError(f"No submission at {submission}.")
    with tempfile.TemporaryDirectory() as tmp:
        done = _otter("run", "--no-logo", "-a", str(autograder_zip(built)), "-o", tmp, str(submission.resolve()))
        results = Path(tmp) / "results.json"
        if not results.is_file():
            raise RuntimeError(
                f"otter run wrote no results for {submission}:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
            )
        tests = json.loads(results.read_text())["tests"]
    return {t["name"]: (float(t["score"]), float(t["max_score"])) for t in tests if "score" in t}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Generate the assignments' student versions and autograders.")
    parser.add_argument("names", nargs="*", help="assignments (default: all)")
    parser.add_argument("--grade", nargs=2, metavar=("BUILT", "SUBMISSION"), help="grade one submission")
    parser.add_argument("--no-run-tests", action="store_true", help="skip otter's check of the solutions")
    args = parser.parse_args(argv)
    if args.grade:
        scores = grade(Path(args.grade[0]), Path(args.grade[1]))
        for question, (score, most) in scores.items():
            print(f"{question:28} {score:g} / {most:g}")
        print(f"{'total':28} {sum(s for s, _ in scores.values()):g} / {sum(m for _, m in scores.values()):g}")
        return
    for name in args.names or names():
        out = build(name, run_tests=not args.no_run_tests)
        print(f"{name}: student version {out / 'student' / (name + '.ipynb')}, autograder {autograder_zip(out)}")


if __name__ == "__main__":
    main()

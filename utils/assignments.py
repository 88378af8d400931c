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
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from utils.notebooks import SETUP_CELL

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "assignments"
BUILD = ROOT / "_build" / "assignments"
OTTER_SPEC = "otter-grader>=7,<8"
ROOT_ENV = "CNN_COURSE_ROOT"

_GRADER_SETUP = """\
# Setup: run this cell first. It installs otter-grader (the grader) if
# this runtime lacks it; it never reinstalls TensorFlow. Colab keeps the
# notebook off the disk, where the grader looks for the public tests, so
# there the cell writes them from this notebook to a tests/ folder.
import importlib.util
{os}import pathlib
import subprocess
import sys

if importlib.util.find_spec("otter") is None:
    pip = [sys.executable, "-m", "pip", "install", "-q"]
    subprocess.run([*pip, "{spec}"], check=True)
import otter

if "google.colab" in sys.modules:
    from google.colab import _message

    ipynb = _message.blocking_request("get_ipynb", timeout_sec=60) or {{}}
    meta = ipynb.get("ipynb", {{}}).get("metadata", {{}})
    public_tests = meta.get("otter", {{}}).get("tests")
    if not public_tests:
        raise RuntimeError(
            "This notebook's public tests are missing from its metadata. "
            "Upload the student version you were given again."
        )
    pathlib.Path("tests").mkdir(exist_ok=True)
    for question, test in public_tests.items():
        test_file = pathlib.Path("tests") / f"{{question}}.py"
        test_file.write_text(f"OK_FORMAT = True\\n\\ntest = {{test!r}}\\n")
    grader = otter.Notebook(tests_dir="tests")
else:
    grader = otter.Notebook("{name}.ipynb")"""

_FIND_COURSE = "root = next((p for p in [here, *here.parents] if is_course(p)), None)"
_FIND_COURSE_OR_NAMED = f"""\
# a course folder named by {ROOT_ENV}, else one above this folder
named = os.environ.get("{ROOT_ENV}")
root = next((p for p in [here, *here.parents] if is_course(p)), None)
if named:
    root = pathlib.Path(named).expanduser().resolve()"""
_OFFLINE_HINT = '"notebook from the chapters/ folder of a copy of the course."'
_OFFLINE_HINT_ASSIGNMENT = f'"notebook inside a copy of the course or set {ROOT_ENV}."'


def setup_cell(name: str, course: bool = False) -> str:
    """The first code cell every assignment source must have: install otter-grader when
    missing, make the public tests reachable in Colab, and make ``grader``. ``course``: also
    find the course's ``utils`` (data, shipped models) as the chapters' setup cell does, or in
    the folder named by the environment variable ``CNN_COURSE_ROOT`` (how ``otter run``, which
    runs a submission in a temporary folder, finds it)."""
    cell = _GRADER_SETUP.format(spec=OTTER_SPEC, name=name, os="import os\n" if course else "")
    if not course:
        return cell
    if _FIND_COURSE not in SETUP_CELL or _OFFLINE_HINT not in SETUP_CELL:
        raise RuntimeError("utils.notebooks.SETUP_CELL changed: update utils.assignments.setup_cell to match.")
    find = SETUP_CELL.replace(_FIND_COURSE, _FIND_COURSE_OR_NAMED).replace(_OFFLINE_HINT, _OFFLINE_HINT_ASSIGNMENT)
    return cell + "\n\n" + find[find.index("os.environ.setdefault") :]


SUBMIT_CELLS = (
    (
        "markdown",
        "## Submit\n\nRun every cell from the top (*Kernel → Restart and run all* in Jupyter, *Runtime →\n"
        "Restart session and run all* in Colab), then check all your answers once more:",
    ),
    ("code", "grader.check_all()"),
    (
        "markdown",
        "Save the notebook, then run the cell below. In Jupyter it writes a zip file holding\n"
        "your notebook: upload that zip. Colab cannot write it: there, download the notebook\n"
        "(*File → Download → Download .ipynb*) and upload the `.ipynb` file instead.",
    ),
    (
        "code",
        'if "google.colab" in sys.modules:\n'
        '    print("Colab: File > Download > Download .ipynb, then upload it.")\n'
        "else:\n"
        "    grader.export(pdf=False, run_tests=True)",
    ),
)


def submit_cells() -> list[tuple[str, str]]:
    """The cells every assignment source ends with, as ``(cell_type, source)``: check every
    answer once more, then hand in (a zip from otter's export in Jupyter; the notebook
    itself from Colab, where export cannot write it)."""
    return list(SUBMIT_CELLS)


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
    # otter run executes a submission in a temporary folder: the assignments that use the
    # course's utils find it through CNN_COURSE_ROOT
    env = {**os.environ, ROOT_ENV: os.environ.get(ROOT_ENV, str(ROOT))}
    return subprocess.run([sys.executable, "-m", "otter", *args], capture_output=True, text=True, env=env)


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


def _built_folder(parser: argparse.ArgumentParser, given: str) -> Path:
    """The built assignment named by ``given`` (its folder, or just its name), else a one-line
    usage error saying what was wrong and how to fix it."""
    folder = Path(given)
    build_it = f"build it first: python -m utils.assignments {folder.name if folder.name in names() else 'NAME'}"
    if folder.suffix in (".ipynb", ".zip"):
        parser.error(f"BUILT comes first, then SUBMISSION: --grade _build/assignments/NAME {given}")
    if not folder.is_dir() and given in names():
        folder = BUILD / given  # an assignment's name for its folder in _build/assignments
        if not folder.is_dir():
            parser.error(f"assignment {given!r} is not built yet: {build_it}")
    if not folder.exists():
        parser.error(
            f"no built assignment at {given}: give the folder that python -m utils.assignments NAME "
            f"made (_build/assignments/NAME) or the assignment's name, one of: {', '.join(names())}"
        )
    if not folder.is_dir():
        parser.error(f"{given} is a file, not a built assignment's folder (_build/assignments/NAME)")
    if not sorted((folder / "autograder").glob("*-autograder_*.zip")):
        parser.error(f"{given} holds no autograder (autograder/NAME-autograder_*.zip): {build_it}")
    return folder


def _submission(parser: argparse.ArgumentParser, given: str) -> Path:
    """The submission ``given`` if it is a readable notebook (or otter's zip of one), else a
    one-line usage error saying what was wrong and how to fix it."""
    import zipfile

    path = Path(given)
    if not path.exists():
        parser.error(f"no submission at {given}: check the path (the notebook, NAME.ipynb, or its zip)")
    if path.is_dir():
        parser.error(f"{given} is a folder: give the submitted notebook (.ipynb) or zip file inside it")
    if path.suffix == ".zip":
        held: list[str] = []
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                held = archive.namelist()
        if not any(name.endswith(".ipynb") for name in held):
            parser.error(f"{given} is not a zip holding a notebook: ask for the zip otter's export wrote")
        return path
    if path.suffix != ".ipynb":
        parser.error(f"{given} is not a notebook: give the submitted .ipynb file (or the zip otter's export wrote)")
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        parser.error(f"{given} is not a readable notebook (broken JSON: {error}): ask for the file again")
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        parser.error(f"{given} is JSON but not a Jupyter notebook (no cells): ask for the submitted notebook")
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m utils.assignments", description="Generate the assignments' student versions and autograders."
    )
    parser.add_argument("names", nargs="*", help="assignments (default: all)")
    parser.add_argument("--grade", nargs=2, metavar=("BUILT", "SUBMISSION"), help="grade one submission")
    parser.add_argument("--no-run-tests", action="store_true", help="skip otter's check of the solutions")
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in names()]
    if unknown:
        parser.error(f"no assignment called {', '.join(map(repr, unknown))}; the assignments: {', '.join(names())}")
    if args.grade:
        if args.names:
            parser.error("--grade takes BUILT and SUBMISSION only: leave out the assignment names")
        built, submission = _built_folder(parser, args.grade[0]), _submission(parser, args.grade[1])
        scores = grade(built, submission)
        for question, (score, most) in scores.items():
            print(f"{question:28} {score:g} / {most:g}")
        print(f"{'total':28} {sum(s for s, _ in scores.values()):g} / {sum(m for _, m in scores.values()):g}")
        return
    for name in args.names or names():
        out = build(name, run_tests=not args.no_run_tests)
        print(f"{name}: student version {out / 'student' / (name + '.ipynb')}, autograder {autograder_zip(out)}")


if __name__ == "__main__":
    main()

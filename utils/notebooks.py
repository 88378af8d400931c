"""Maintainer tools for the chapter notebooks: the shared setup cell, full runs, staleness.

The notebooks in git hold the outputs of a full run made by this module::

    python -m utils.notebooks chapters/convolution.ipynb            # full run, in place
    python -m utils.notebooks chapters/convolution.ipynb --profile smoke --output /tmp/smoke.ipynb
    python -m utils.notebooks chapters/convolution.ipynb --twice    # smoke, twice in one kernel

A run records in the notebook's metadata (key ``cnn_course``) the fingerprint of its
code cells, the profile and the wall time. ``tests/test_notebooks.py`` recomputes the
fingerprint: a notebook whose code changed after its outputs were made fails there.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

SETUP_CELL = """\
# Setup: run this cell first. It finds the course's `utils` package,
# checks package versions and seeds every random generator. In Colab, or
# for a notebook opened outside the course folder, it first clones the
# course into a cache folder. TensorFlow may print start-up lines (oneDNN,
# CUDA, absl) on stderr, in red: they are harmless.
import os
import pathlib
import subprocess
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
COURSE_REPO = "https://github.com/cnn-course/cnn-course"


def is_course(folder):
    return (folder / "utils" / "__init__.py").exists() and (
        folder / "_toc.yml"
    ).exists()


here = pathlib.Path.cwd().resolve()
root = next((p for p in [here, *here.parents] if is_course(p)), None)
if root is None:
    # Colab, or a notebook on its own: a clone in a cache folder
    cache = pathlib.Path.home() / ".cache"
    if "google.colab" in sys.modules:
        cache = pathlib.Path("/content")
    root = cache / "cnn-course"
if not is_course(root):
    try:
        git = subprocess.run(
            ["git", "clone", "--depth=1", COURSE_REPO, str(root)],
            capture_output=True,
            text=True,
        )
        why = git.stderr.strip() if git.returncode else ""
    except OSError as error:
        why = f"git could not run ({error})."
    if why:
        raise RuntimeError(
            f"Cannot clone {COURSE_REPO} into {root}: {why} Is this "
            "runtime online? Then run this cell again. Offline, open the "
            "notebook from the chapters/ folder of a copy of the course."
        )
sys.path.insert(0, str(root))
# another package called utils must not shadow ours
for name in [m for m in sys.modules if m.split(".")[0] == "utils"]:
    del sys.modules[name]
import utils  # noqa: E402

assert utils.__dict__.get("COURSE") == "cnn-course", utils.__file__
utils.setup()"""

METADATA_KEY = "cnn_course"


def code_fingerprint(notebook: Any) -> str:
    """SHA-256 of the notebook's code cell sources, in order (markdown edits do not count)."""
    sha = hashlib.sha256()
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            sha.update(source.rstrip().encode() + b"\0")
    return sha.hexdigest()


SECOND_RUN_TAG = "second-run"


def doubled(notebook: Any) -> Any:
    """A copy of ``notebook`` whose code cells run twice in one kernel: all its cells, then
    every code cell again, tagged ``nbval-ignore-output`` and ``second-run``. A chapter must
    survive this (a learner runs cells again): no name may be reused for another thing later.
    """
    import copy

    twice = copy.deepcopy(notebook)
    again = []
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            cell = copy.deepcopy(cell)
            cell.pop("id", None)
            tags = cell.setdefault("metadata", {}).setdefault("tags", [])
            tags.extend(t for t in ("nbval-ignore-output", SECOND_RUN_TAG) if t not in tags)
            again.append(cell)
    twice["cells"] = list(twice["cells"]) + again
    for index, cell in enumerate(twice["cells"]):  # unique ids, as nbformat requires
        cell["id"] = f"cell-{index}"
    return twice


def execute(path: Path, profile: str = "full", output: Path | None = None, timeout_s: int = 3600) -> float:
    """Run every cell of ``path`` in a fresh kernel with ``profile`` and save it with outputs.

    Returns the wall time in seconds. The notebook's folder is the working directory,
    as in Jupyter. Raises nbclient's CellExecutionError if a cell fails.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    from .env import PROFILE_ENV, PROFILES

    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {PROFILES}, got {profile!r}.")
    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    previous = os.environ.get(PROFILE_ENV)
    os.environ[PROFILE_ENV] = profile
    start = time.perf_counter()
    try:
        NotebookClient(
            notebook,
            timeout=timeout_s,
            kernel_name="python3",
            record_timing=False,  # per-cell timestamps: kilobytes of noise in the stored file
            resources={"metadata": {"path": str(path.parent.resolve())}},
        ).execute()
    except CellExecutionError:
        partial = Path(tempfile.gettempdir()) / f"{path.stem}.failed.ipynb"
        nbformat.write(notebook, partial)
        print(f"{path}: a cell failed; the partly run notebook is in {partial}")
        raise
    finally:
        if previous is None:
            os.environ.pop(PROFILE_ENV, None)
        else:
            os.environ[PROFILE_ENV] = previous
    wall = time.perf_counter() - start
    # TensorFlow's C++ start-up lines (absl, oneDNN, CUDA probes) go to stderr and carry
    # nothing for a reader; cells tagged remove-stderr do not store them.
    for cell in notebook.cells:
        if "remove-stderr" in cell.get("metadata", {}).get("tags", []):
            cell["outputs"] = [o for o in cell.get("outputs", []) if o.get("name") != "stderr"]
    # Widget state would only bloat the file: a live kernel rebuilds the widgets, and the
    # book shows their static fallback.
    notebook.metadata.pop("widgets", None)
    notebook.metadata[METADATA_KEY] = {
        "code_sha256": code_fingerprint(notebook),
        "profile": profile,
        "wall_time_s": round(wall, 1),
        "executed": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }
    nbformat.write(notebook, output or path)
    return wall


def twice_path(path: Path) -> Path:
    """Where the twice-run copy of the notebook at ``path`` goes: ``_twice_NAME.ipynb`` beside
    it (git ignores these)."""
    return Path(path).parent / f"_twice_{Path(path).name}"


def longest_first(paths: list[Path]) -> list[Path]:
    """The notebooks ordered by the wall time of their stored full run (seconds, in the metadata
    ``python -m utils.notebooks`` writes), longest first; those without a record last, in the
    order given. CI hands chapters to its two workers in this order, so that the longest do
    not start last and leave one worker idle at the end."""
    import json

    def seconds(path: Path) -> float:
        try:
            record = json.loads(Path(path).read_text()).get("metadata", {}).get(METADATA_KEY, {})
            return float(record.get("wall_time_s", -1.0))
        except (OSError, ValueError, TypeError, AttributeError):
            return -1.0

    return sorted(paths, key=seconds, reverse=True)  # sorted() is stable: ties keep their order


def main() -> None:
    parser = argparse.ArgumentParser(description="Run chapter notebooks and store their outputs.")
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--profile", help="full (default) or smoke (default with --twice)")
    parser.add_argument("--output", type=Path, help="write here instead of in place (one notebook only)")
    parser.add_argument(
        "--twice", action="store_true", help="run every cell twice in one kernel (smoke by default); store nothing"
    )
    parser.add_argument(
        "--doubled",
        action="store_true",
        help="write the twice-run notebook (to --output, else _twice_NAME.ipynb beside each) without running it (CI)",
    )
    parser.add_argument(
        "--longest-first", action="store_true", help="print the notebooks, longest stored full run first; run nothing"
    )
    args = parser.parse_args()
    if args.longest_first:
        print("\n".join(str(p) for p in longest_first(args.notebooks)))
        return
    if args.output and len(args.notebooks) != 1:
        parser.error("--output takes exactly one notebook")
    if args.doubled:
        import nbformat

        # all at once: one start of Python (and of TensorFlow, which `import utils` loads)
        for path in args.notebooks:
            nbformat.write(doubled(nbformat.read(path, as_version=4)), args.output or twice_path(path))
        return
    for path in args.notebooks:
        if args.twice:
            import nbformat

            profile = args.profile or "smoke"
            with tempfile.TemporaryDirectory() as folder:
                twice = twice_path(path)
                nbformat.write(doubled(nbformat.read(path, as_version=4)), twice)
                try:
                    wall = execute(twice, profile, Path(folder) / twice.name)
                finally:
                    twice.unlink()
            print(f"{path}: {profile} run twice in one kernel in {wall:.1f} s")
            continue
        wall = execute(path, args.profile or "full", args.output)
        print(f"{path}: {args.profile or 'full'} run in {wall:.1f} s")


if __name__ == "__main__":
    main()

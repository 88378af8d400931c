"""Shared test set-up: import the course's utils from the repository root, draw off-screen."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import matplotlib
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
matplotlib.use("Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The offline data folder: $CNN_COURSE_DATA, else ../shared/data beside the checkout."""
    value = os.environ.get("CNN_COURSE_DATA")
    folder = Path(value) if value else ROOT.parent / "shared" / "data"
    if not (folder / "mnist").is_dir():
        if value:
            pytest.fail(f"CNN_COURSE_DATA={value} has no mnist/ folder")
        pytest.skip("no offline data: set CNN_COURSE_DATA (CI uses ../shared/data)")
    return folder


@pytest.fixture(scope="session")
def html(tmp_path_factory) -> Path:
    """The book, built once per test session (offline, warnings are errors): its html folder."""
    jupyter_book = shutil.which("jupyter-book", path=str(Path(sys.executable).parent)) or shutil.which("jupyter-book")
    assert jupyter_book, "jupyter-book is not installed: pip install -r requirements.txt"
    out = tmp_path_factory.mktemp("book")
    result = subprocess.run(
        [jupyter_book, "build", "-W", "--keep-going", "--path-output", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out / "_build" / "html"

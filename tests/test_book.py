"""The book builds offline with warnings treated as errors, and shows what it should."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def html(tmp_path_factory):
    jupyter_book = shutil.which("jupyter-book", path=str(Path(sys.executable).parent)) or shutil.which("jupyter-book")
    assert jupyter_book, "jupyter-book is not installed: pip install -r requirements.txt"
    out = tmp_path_factory.mktemp("book")
    result = subprocess.run(
        [jupyter_book, "build", "-W", "--keep-going", "--path-output", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out / "_build" / "html"


def test_chapter_page_has_launch_button_and_static_widget(html):
    page = (html / "chapters" / "convolution.html").read_text()
    assert "colab.research.google.com/github/cnn-course/cnn-course/blob/main/chapters/convolution.ipynb" in page
    assert re.search(r"frames\[\d+\] = ", page), "the explorer's static animation is missing"
    assert "widget-view+json" not in page
    assert "absl::InitializeLog" not in page, "TensorFlow start-up messages leaked into the book"
    assert "Provenance: profile=full" in page


def test_intro_is_the_home_page(html):
    assert "chapters/intro.html" in (html / "index.html").read_text()

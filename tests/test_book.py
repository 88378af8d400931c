"""The book builds offline with warnings treated as errors, and shows what it should."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_chapter_page_has_launch_button_and_static_widget(html):
    page = (html / "chapters" / "convolution.html").read_text()
    assert "colab.research.google.com/github/cnn-course/cnn-course/blob/main/chapters/convolution.ipynb" in page
    assert re.search(r"frames\[\d+\] = ", page), "the explorer's static animation is missing"
    assert "widget-view+json" not in page
    assert "absl::InitializeLog" not in page, "TensorFlow start-up messages leaked into the book"
    assert "Provenance: profile=full" in page
    assert "cdn.jsdelivr.net/npm/mathjax" not in page and "_static/mathjax/tex-mml-chtml.js" in page
    assert page.count("const THEBE_JS_URL") <= 1, "a script declared twice is a console error"


def test_intro_is_the_home_page(html):
    assert "chapters/intro.html" in (html / "index.html").read_text()

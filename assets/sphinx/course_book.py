"""Sphinx extension of the course's book (loaded through ``_config.yml``, ``local_extensions``).

* Each page's scripts are listed once: Jupyter Book 1 registers sphinx-thebe's and
  togglebutton's inline configuration twice, and a second ``const THEBE_JS_URL`` is a
  console error in every browser.
* MathJax is served from the book itself (``assets/vendor/mathjax``, installed from the
  npm registry by ``.ci/install.sh``), so maths renders offline; the build stops with a
  message if that copy is missing instead of publishing pages of raw TeX.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

MATHJAX = Path(__file__).resolve().parent.parent / "vendor" / "mathjax"


def _check_mathjax(app: Any) -> None:
    entry = MATHJAX / Path(app.config.mathjax_path).name
    if not entry.is_file():
        raise RuntimeError(
            f"The book's own copy of MathJax is missing ({entry}). Run `bash .ci/build` (or "
            f"`bash .ci/mathjax.sh`), which installs it from the npm registry."
        )


def _unique_scripts(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        # the same file or inline body, whatever its priority
        # (the two copies differ only in priority, and in a filename of None or "")
        filename = str(getattr(script, "filename", script) or "")
        key = (filename, repr(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


def setup(app: Any) -> dict:
    app.connect("builder-inited", _check_mathjax)
    app.connect("html-page-context", _unique_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

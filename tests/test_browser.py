"""The built book as a reader sees it, in a real browser with no network.

Headless Chromium (Debian's ``chromium`` package; ``.ci/test`` installs it when missing)
driven by Playwright opens every page of the book, served on localhost, at 1280 px and
at phone width (390 px). On every page: no console errors and no failed requests (the
book needs nothing from the internet), every image loads, maths is typeset (no raw TeX
left), no line of code or output is hidden behind a scrollbar, every static widget
fallback steps to a different frame, and every internal link resolves. Screenshots of
each page go to ``_build/screenshots`` (CI artefacts).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CODE_COLUMNS = 75  # what the chapters' code and printed lines are held to (.ci/ruff-notebooks.toml)
# Messages that the book theme itself logs on a first visit (no stored preference yet);
# anything else in the console is ours to fix.
THEME_MESSAGES = ("Got invalid theme mode",)

playwright = pytest.importorskip("playwright.sync_api", reason="pip install -r requirements.txt")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site(html):
    """(base URL, html folder) of the built book served on localhost."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(html)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", html
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing ({CHROMIUM}): apt-get install chromium (.ci/test does it)")
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield chromium
        chromium.close()


def _pages(html: Path) -> list[str]:
    return ["index.html"] + sorted(str(p.relative_to(html)) for p in (html / "chapters").glob("*.html"))


def pytest_generate_tests(metafunc):
    if "page" in metafunc.fixturenames:
        chapters = sorted([*(ROOT / "chapters").glob("*.ipynb"), *(ROOT / "chapters").glob("*.md")])
        names = ["index.html"] + [f"chapters/{p.stem}.html" for p in chapters]
        metafunc.parametrize("page", names)


@contextlib.contextmanager
def _visit(browser, url: str, width: int):
    """Open ``url`` in a fresh browser context ``width`` px wide, once the page and its maths
    have settled; yields the tab and the list of problems (console errors, failed requests)."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    tab = context.new_page()
    problems: list[str] = []
    tab.on(
        "console",
        lambda m: (
            m.type == "error" and not m.text.startswith(THEME_MESSAGES) and problems.append(f"console error: {m.text}")
        ),
    )
    tab.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    tab.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    try:
        tab.goto(url, wait_until="networkidle")
        tab.evaluate("() => window.MathJax && window.MathJax.startup ? window.MathJax.startup.promise : null")
        tab.wait_for_load_state("networkidle")
        yield tab, problems
    finally:
        context.close()


def _screenshot(tab, page: str, prefix: str = "", full_page: bool = False) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = prefix + page.replace("/", "_").replace(".html", "") + ".png"
    tab.screenshot(path=str(SCREENSHOTS / name), full_page=full_page)


def test_page_reads_well_at_1280_px(browser, site, page):
    """The page's checks at 1280 px, then its static widgets stepped through (in the same
    visit: a page load costs seconds, times every page)."""
    base, _ = site
    with _visit(browser, base + page, 1280) as (tab, problems):
        assert not problems, f"{page}: {problems}"
        broken = tab.evaluate(
            "() => [...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src.slice(0, 80))"
        )
        assert not broken, f"{page}: images that do not load: {broken}"
        raw_tex = tab.evaluate(r"""() => {
            const text = document.querySelector('main').innerText;
            return ['\\(', '\\[', '$$', '\\frac', '\\begin{'].filter(s => text.includes(s));
        }""")
        assert not raw_tex, f"{page}: maths left as raw TeX ({raw_tex}): MathJax did not typeset it"
        overflowing = tab.evaluate("""() => [...document.querySelectorAll(
                '.cell_input pre, .cell_output pre, .output pre, div.highlight pre')]
            .filter(e => e.offsetParent && e.scrollWidth > e.clientWidth + 1)
            .map(e => e.innerText.split('\\n').reduce((a, b) => a.length >= b.length ? a : b).slice(0, 120))""")
        assert not overflowing, f"{page}: lines hidden behind a scrollbar at 1280 px: {overflowing}"
        columns = tab.evaluate("""() => {
            const pre = document.querySelector('.cell_input pre');
            if (!pre) return null;
            const probe = document.createElement('span');
            probe.textContent = 'x'.repeat(200);
            pre.appendChild(probe);
            const width = probe.getBoundingClientRect().width / 200;
            probe.remove();
            const style = getComputedStyle(pre);
            return (pre.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)) / width;
        }""")
        if columns is not None:
            assert columns >= CODE_COLUMNS, f"{page}: the code column holds {columns:.0f} characters"
        _screenshot(tab, page, full_page=True)
        _step_static_widgets(tab, page)
        assert not problems, f"{page}: {problems}"


def _step_static_widgets(tab, page: str) -> None:
    """Every static widget fallback (a matplotlib animation) on the open page steps to a
    different frame."""
    animations = tab.locator("div.animation")
    for i in range(animations.count()):
        animation = animations.nth(i)
        animation.scroll_into_view_if_needed()
        image = animation.locator("img").first
        animation.get_by_title("Pause").click()
        animation.get_by_title("First frame").click()
        first = image.get_attribute("src")
        animation.get_by_title("Next frame").click()
        second = image.get_attribute("src")
        assert first and second and first != second, f"{page}: animation {i} does not change frame"


def test_page_fits_a_phone(browser, site, page):
    base, _ = site
    with _visit(browser, base + page, 390) as (tab, problems):
        clipped = tab.evaluate("""() => [...document.querySelectorAll('.anim-buttons button, .anim-slider')]
            .filter(e => { const r = e.getBoundingClientRect(); return r.right > window.innerWidth + 1; })
            .length""")
        assert clipped == 0, f"{page}: {clipped} animation controls are cut off at 390 px"
        _screenshot(tab, page, prefix="phone_")
        assert not problems, f"{page}: {problems}"


def test_internal_links_resolve(site):
    base, html = site
    missing = []
    for page in _pages(html):
        text = (html / page).read_text()
        for href in re.findall(r'href="([^"]+)"', text):
            if href.startswith(("http://", "https://", "mailto:", "javascript:", "data:")):
                continue
            target = urlparse(urljoin("http://book/" + page, href))
            path = html / unquote(target.path.lstrip("/"))
            if path.is_dir():
                path = path / "index.html"
            if not path.exists():
                missing.append(f"{page}: {href}")
            elif target.fragment and path.suffix == ".html":
                if f'id="{target.fragment}"' not in path.read_text():
                    missing.append(f"{page}: {href} (no such anchor)")
    assert not missing, f"broken internal links: {missing[:20]}"

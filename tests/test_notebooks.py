"""The chapter notebooks as stored in git: in the book, set up alike, and holding fresh full-run outputs.

A notebook's outputs are *stale* when its code changed after they were made: the
fingerprint recorded by ``python -m utils.notebooks`` no longer matches the code.
Re-run it with that command (see README.md) to fix.
"""

import os
import re
import tempfile
from pathlib import Path

import nbformat
import pytest
import yaml

from utils.notebooks import METADATA_KEY, SECOND_RUN_TAG, SETUP_CELL, code_fingerprint, doubled, longest_first

ROOT = Path(__file__).resolve().parent.parent
# (_twice_*.ipynb: the Colab-like job's temporary copies, see utils.notebooks.doubled)
CHAPTERS = sorted(p for p in (ROOT / "chapters").glob("*.ipynb") if not p.name.startswith("_twice_"))
RERUN = "re-run it: python -m utils.notebooks {path} (README.md, 'Updating a chapter')"


def toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part["chapters"]]
    return files


def test_every_toc_entry_exists_and_every_chapter_is_listed():
    listed = toc_files()
    for entry in listed:
        assert list(ROOT.glob(entry + ".*")), f"_toc.yml lists {entry}, which does not exist"
    for path in CHAPTERS:
        assert str(path.relative_to(ROOT).with_suffix("")) in listed, f"{path.name} is not in _toc.yml"
    assert CHAPTERS, "no chapter notebooks found"


def test_setup_cell_points_at_the_configured_repository():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    repo = re.search(r'COURSE_REPO = "([^"]+)"', SETUP_CELL).group(1)
    assert repo == config["repository"]["url"]
    assert config["execute"]["execute_notebooks"] == "off"


@pytest.fixture(params=CHAPTERS, ids=lambda p: p.name)
def notebook(request):
    return request.param, nbformat.read(request.param, as_version=4)


def test_first_code_cell_is_the_setup_cell(notebook):
    path, nb = notebook
    first = next(c for c in nb.cells if c.cell_type == "code")
    assert first.source == SETUP_CELL, f"{path.name}: the first code cell must be utils.notebooks.SETUP_CELL"
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# "), "start with a title"


def test_outputs_are_fresh_from_a_full_run(notebook):
    path, nb = notebook
    meta = nb.metadata.get(METADATA_KEY)
    assert meta, f"{path.name} was not run with utils.notebooks; " + RERUN.format(path=path.relative_to(ROOT))
    assert meta["code_sha256"] == code_fingerprint(nb), (
        f"{path.name}: stale outputs, the code changed after they were made; "
        + RERUN.format(path=path.relative_to(ROOT))
    )
    assert meta["profile"] == "full", f"{path.name} holds a {meta['profile']} run; the book shows full runs"


def test_one_clean_run_top_to_bottom(notebook):
    path, nb = notebook
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1)), f"{path.name}: not one run in order"
    for cell in code:
        for output in cell.outputs:
            assert output.output_type != "error", f"{path.name}: stored error output"
    assert "widgets" not in nb.metadata, f"{path.name}: widget state bloats the file"


def test_ends_with_the_provenance_line(notebook):
    path, nb = notebook
    last = [c for c in nb.cells if c.cell_type == "code"][-1]
    assert last.source.strip() == "utils.provenance()"
    text = "".join(o.get("text", "") for o in last.outputs)
    assert re.match(
        r"Provenance: profile=full \| (GPU|CPU): .+\nTensorFlow \S+ \| Keras \S+ \| wall time [\d.]+ s", text
    ), text


MAX_NOTEBOOK_BYTES = 600_000
MAX_LINE = 75  # characters of code or printed text that fit the book's column (tests/test_browser.py)
LOCAL_PATH = re.compile(r"(?<![\w.])/(work|tmp|root|home|Users|content)/\w")


def _texts(cell):
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            yield output.get("name"), output.get("text", "")
        elif output.get("output_type") in ("execute_result", "display_data"):
            yield "plain", output.get("data", {}).get("text/plain", "")


def test_stored_outputs_show_no_local_paths_and_no_warnings(notebook):
    path, nb = notebook
    for i, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        for name, text in _texts(cell):
            assert not LOCAL_PATH.search(text), f"{path.name} code cell {i + 1}: a local path {text[:200]!r}"
            assert not (name == "stderr" and re.search(r"warn", text, re.I)), (
                f"{path.name} code cell {i + 1}: a warning in a stored output (fix its cause): {text[:300]!r}"
            )


def test_printed_lines_fit_the_column(notebook):
    path, nb = notebook
    for i, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        for name, text in _texts(cell):
            if name == "stdout":
                long = [line for line in text.splitlines() if len(line) > MAX_LINE]
                assert not long, f"{path.name} code cell {i + 1} prints lines over {MAX_LINE} characters: {long}"


def test_stored_trained_model_cells_reproduce_their_records(notebook):
    """The stored runs are on the course's own data, so every shipped model a chapter
    evaluates (``utils.evaluate_trained``, cells tagged trained-model) reports its record's
    own test set and reproduces the record."""
    path, nb = notebook
    for i, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        text = "".join(t for name, t in _texts(cell) if name == "stdout")
        if "evaluate_trained" in cell.source and ".wrapped()" in cell.source:
            assert "trained-model" in cell.metadata.get("tags", []), f"{path.name} code cell {i + 1}"
            said = " ".join(text.split())
            assert "the record's own test set" in said and "NOT reproduced" not in said, (
                f"{path.name} code cell {i + 1}: the stored run did not reproduce the record on "
                f"its own test set: {said[:300]!r}"
            )


def test_stored_notebook_is_lean(notebook):
    path, _ = notebook
    size = path.stat().st_size
    assert size < MAX_NOTEBOOK_BYTES, (
        f"{path.name} is {size // 1000} KB: keep a chapter under {MAX_NOTEBOOK_BYTES // 1000} KB "
        f"(fewer animation frames, jpeg frames for photos, smaller figures)"
    )


def test_figures_use_the_course_style(notebook):
    """Text in a figure stays legible at the book's width: no figure wider than MAX_FIGURE_WIDTH
    inches, no font below MIN_FONT_SIZE points passed by a chapter."""
    import base64
    import struct

    from utils.plots import MAX_FIGURE_WIDTH, MIN_FONT_SIZE

    path, nb = notebook
    for i, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        for size in re.findall(r"fontsize=(\d+(?:\.\d+)?)", cell.source):
            assert float(size) >= MIN_FONT_SIZE, f"{path.name} code cell {i + 1}: fontsize={size}"
        for output in cell.get("outputs", []):
            png = output.get("data", {}).get("image/png")
            if png:
                width = struct.unpack(">I", base64.b64decode(png[:200])[16:20])[0]
                assert width <= MAX_FIGURE_WIDTH * 100 + 20, f"{path.name} code cell {i + 1}: a figure {width} px wide"


def test_cells_whose_output_varies_are_not_compared_by_nbval(notebook):
    """Timings, versions, paths, widget ids and profile-sized results change between runs: cells
    that show them carry nbval-ignore-output (a cell without output has nothing to compare)."""
    path, nb = notebook
    volatile = re.compile(r"perf_counter|utils\.setup\(\)|provenance\(|data_source\(|explorer\(|by_profile\(")
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.outputs and volatile.search(cell.source):
            assert "nbval-ignore-output" in cell.metadata.get("tags", []), f"{path.name}: tag {cell.source[:60]!r}"


def test_runner_records_profile_and_fingerprint(tmp_path):
    from utils.notebooks import execute

    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# Title"),
            nbformat.v4.new_code_cell("import os\nprint(os.environ['CNN_COURSE_PROFILE'])"),
        ]
    )
    path = tmp_path / "tiny.ipynb"
    nbformat.write(nb, path)
    execute(path, profile="smoke")
    ran = nbformat.read(path, as_version=4)
    assert ran.cells[1].outputs[0]["text"] == "smoke\n"
    assert ran.metadata[METADATA_KEY]["profile"] == "smoke"
    assert ran.metadata[METADATA_KEY]["code_sha256"] == code_fingerprint(ran)
    ran.cells[0].source = "# Another title"  # prose edits do not make outputs stale
    assert ran.metadata[METADATA_KEY]["code_sha256"] == code_fingerprint(ran)
    ran.cells[1].source += "\nprint(1)"
    assert ran.metadata[METADATA_KEY]["code_sha256"] != code_fingerprint(ran)
    with pytest.raises(ValueError, match="profile must be one of"):
        execute(path, profile="quick")


def test_runner_keeps_a_failed_run_for_inspection(tmp_path):
    from nbclient.exceptions import CellExecutionError

    from utils.notebooks import execute

    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("print('before')"), nbformat.v4.new_code_cell("1 / 0")]
    )
    path = tmp_path / "broken.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(CellExecutionError):
        execute(path)
    partial = nbformat.read(Path(tempfile.gettempdir()) / "broken.failed.ipynb", as_version=4)
    assert partial.cells[0].outputs[0]["text"] == "before\n"
    assert METADATA_KEY not in nbformat.read(path, as_version=4).metadata  # the original is untouched


def run_setup_cell(tmp_path: Path, repo: str, colab: bool = False):
    """Run the setup cell in a fresh Python, from a folder outside the course, HOME in tmp_path."""
    import subprocess
    import sys

    cell = SETUP_CELL.replace("https://github.com/cnn-course/cnn-course", repo)
    fake_colab = "import sys, types\nsys.modules['google.colab'] = types.ModuleType('google.colab')\n"
    script = (fake_colab if colab else "") + cell + "\nprint('course at', root)"
    outside = tmp_path / "Downloads"
    outside.mkdir(exist_ok=True)
    env = {**os.environ, "HOME": str(tmp_path), "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=outside, env=env, timeout=300
    )


def test_setup_cell_in_colab_without_network_says_why(tmp_path):
    """In Colab the setup cell clones the course; when that fails it shows git's reason."""
    if Path("/content/cnn-course").exists():
        pytest.skip("a real Colab clone is present")
    result = run_setup_cell(tmp_path, str(tmp_path / "no-such-repository"), colab=True)
    assert result.returncode != 0
    assert "RuntimeError: Cannot clone" in result.stderr and "/content/cnn-course" in result.stderr
    assert "does not exist" in result.stderr, result.stderr[-2000:]
    assert "Is this runtime online?" in result.stderr


def test_setup_cell_outside_the_course_clones_it_into_the_cache(tmp_path):
    """A chapter downloaded on its own fetches the course into ~/.cache/cnn-course, as in Colab."""
    if not (ROOT / ".git").exists():
        pytest.skip("the course folder is not a git checkout")
    result = run_setup_cell(tmp_path, ROOT.as_uri())
    assert result.returncode == 0, result.stderr[-3000:]
    clone = tmp_path / ".cache" / "cnn-course"
    assert f"course at {clone}" in result.stdout, result.stdout[-2000:]
    assert (clone / "utils" / "__init__.py").exists()
    # the next chapter reuses the clone: no second clone (this repository does not exist)
    again = run_setup_cell(tmp_path, str(tmp_path / "no-such-repository"))
    assert again.returncode == 0 and f"course at {clone}" in again.stdout, again.stderr[-3000:]


def test_setup_cell_outside_the_course_offline_says_what_to_do(tmp_path):
    result = run_setup_cell(tmp_path, str(tmp_path / "no-such-repository"))
    assert result.returncode != 0
    assert f"Cannot clone {tmp_path / 'no-such-repository'} into {tmp_path / '.cache' / 'cnn-course'}" in result.stderr
    assert "open the notebook from the chapters/ folder" in result.stderr.replace("\n", " ")


def test_chapters_call_only_what_utils_exports(notebook):
    import utils

    path, nb = notebook
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source != SETUP_CELL:
            for name in re.findall(r"(?<![\w.])utils\.(\w+)", cell.source):
                assert name in utils.__all__, f"{path.name}: utils.{name} is not in utils.__all__"


def test_setup_stops_latex_copies_of_rich_outputs():
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.display import Code

    from utils.env import no_latex_copies

    shell = InteractiveShell.instance()
    try:
        assert "text/latex" in shell.display_formatter.format(Code("x = 1", language="python"))[0]
        no_latex_copies()
        data, _ = shell.display_formatter.format(Code("x = 1", language="python"))
        assert "text/latex" not in data and "text/html" in data
    finally:
        shell.display_formatter.formatters["text/latex"].enabled = True
        InteractiveShell.clear_instance()


def test_doubled_notebook_runs_every_code_cell_again_unchecked():
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# Title"),
            nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["nbval-ignore-output"]}),
            nbformat.v4.new_code_cell("print(x)"),
        ]
    )
    twice = doubled(nb)
    assert [c.cell_type for c in twice.cells] == ["markdown", "code", "code", "code", "code"]
    assert [c.source for c in twice.cells[3:]] == ["x = 1", "print(x)"]
    for cell in twice.cells[3:]:
        assert cell.metadata["tags"].count("nbval-ignore-output") == 1 and SECOND_RUN_TAG in cell.metadata["tags"]
    assert "tags" not in nb.cells[2].metadata  # the original is left alone
    assert len({c.id for c in twice.cells}) == 5
    nbformat.validate(twice)


def test_doubled_on_the_command_line_writes_every_notebook_beside_it(tmp_path, monkeypatch):
    """The Colab-like job writes all the twice-run copies in one call (one start of Python)."""
    from utils import notebooks

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    paths = [tmp_path / "a.ipynb", tmp_path / "b.ipynb"]
    for path in paths:
        nbformat.write(nb, path)
    monkeypatch.setattr("sys.argv", ["notebooks", "--doubled", *map(str, paths)])
    notebooks.main()
    for path in paths:
        twice = nbformat.read(notebooks.twice_path(path), as_version=4)
        assert notebooks.twice_path(path) == tmp_path / f"_twice_{path.name}"
        assert [c.source for c in twice.cells] == ["x = 1", "x = 1"]
    # one notebook to --output, as before
    monkeypatch.setattr("sys.argv", ["notebooks", "--doubled", str(paths[0]), "--output", str(tmp_path / "one.ipynb")])
    notebooks.main()
    assert len(nbformat.read(tmp_path / "one.ipynb", as_version=4).cells) == 2
    monkeypatch.setattr("sys.argv", ["notebooks", "--doubled", *map(str, paths), "--output", str(tmp_path / "x.ipynb")])
    with pytest.raises(SystemExit):
        notebooks.main()


def test_ci_hands_out_the_longest_chapters_first(tmp_path):
    paths = []
    for name, seconds in (("short", 10.0), ("none", None), ("long", 900.0), ("middle", 60.0)):
        nb = nbformat.v4.new_notebook()
        if seconds is not None:
            nb.metadata[METADATA_KEY] = {"wall_time_s": seconds}
        paths.append(tmp_path / f"{name}.ipynb")
        nbformat.write(nb, paths[-1])
    (tmp_path / "broken.ipynb").write_text("{not json")
    paths.append(tmp_path / "broken.ipynb")
    assert [p.stem for p in longest_first(paths)] == ["long", "middle", "short", "none", "broken"]
    stored = longest_first(CHAPTERS)
    assert sorted(stored) == sorted(CHAPTERS) and stored[0].name == "alexnet.ipynb"

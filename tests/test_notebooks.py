"""The chapter notebooks as stored in git: in the book, set up alike, and holding fresh full-run outputs.

A notebook's outputs are *stale* when its code changed after they were made: the
fingerprint recorded by ``python -m utils.notebooks`` no longer matches the code.
Re-run it with that command (see README.md) to fix.
"""

import re
import tempfile
from pathlib import Path

import nbformat
import pytest
import yaml

from utils.notebooks import METADATA_KEY, SETUP_CELL, code_fingerprint

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
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

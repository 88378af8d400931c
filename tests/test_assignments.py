"""The graded assignments: otter assign builds them, the solutions score full marks, an untouched
student version scores zero, a planted wrong submission scores partial marks, and no solution
or hidden test leaks into the student version."""

import json
import re

import nbformat
import pytest

from utils import assignments

NAMES = assignments.names()

# One wrong submission per assignment: (solution line, wrong line) edits of the solution
# notebook that the public tests do not catch but the hidden tests do.
PLANTED = {
    "conv_numpy": [
        # ignores the dilation
        ("rows = slice(i * stride, i * stride + span_h, dilation)", "rows = slice(i * stride, i * stride + kh)"),
        ("cols = slice(j * stride, j * stride + span_w, dilation)", "cols = slice(j * stride, j * stride + kw)"),
        # overwrites instead of adding where pooling windows overlap
        ("dx[batch, r, s, channels] += dout[:, i, j]", "dx[batch, r, s, channels] = dout[:, i, j]"),
    ],
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("assignments")
    return {name: assignments.build(name, root / name, run_tests=False) for name in NAMES}


def total(scores):
    return sum(s for s, _ in scores.values()), sum(m for _, m in scores.values())


def test_there_are_assignments_and_each_has_a_planted_wrong_submission():
    assert NAMES and set(NAMES) == set(PLANTED)


@pytest.mark.parametrize("name", NAMES)
def test_the_solution_scores_full_marks(name, built):
    scores = assignments.grade(built[name], built[name] / "autograder" / f"{name}.ipynb")
    score, most = total(scores)
    assert most > 0 and score == most, scores


@pytest.mark.parametrize("name", NAMES)
def test_the_untouched_student_version_runs_and_scores_zero(name, built):
    scores = assignments.grade(built[name], built[name] / "student" / f"{name}.ipynb")
    score, most = total(scores)
    assert most > 0 and score == 0, scores


@pytest.mark.parametrize("name", NAMES)
def test_a_planted_wrong_submission_scores_partial_marks(name, built, tmp_path):
    path = tmp_path / f"{name}.ipynb"
    text = (built[name] / "autograder" / f"{name}.ipynb").read_text()
    for right, wrong in PLANTED[name]:
        escaped = json.dumps(right)[1:-1]
        assert escaped in text, f"the planted edit no longer matches the solution: {right!r}"
        text = text.replace(escaped, json.dumps(wrong)[1:-1])
    path.write_text(text)
    score, most = total(assignments.grade(built[name], path))
    assert 0 < score < most


def _distinctive(lines):
    return {line.strip() for line in lines if len(line.strip()) >= 25}


@pytest.mark.parametrize("name", NAMES)
def test_the_student_version_holds_no_solution_and_no_hidden_test(name, built):
    source = nbformat.read(assignments.SOURCES / f"{name}.ipynb", as_version=4)
    solution, hidden, public = set(), set(), set()
    for cell in source.cells:
        if cell.cell_type != "code":
            continue
        inside = re.findall(r"# BEGIN SOLUTION\n(.*?)# END SOLUTION", cell.source, re.S)
        solution |= _distinctive("\n".join(inside).splitlines())
        if "# BEGIN TEST CONFIG" in cell.source:
            (hidden if "hidden: true" in cell.source else public).update(_distinctive(cell.source.splitlines()))
    hidden -= public
    assert solution and hidden
    student = (built[name] / "student" / f"{name}.ipynb").read_text()
    student_text = json.dumps(json.loads(student))  # cell sources and the embedded public tests
    leaks = [line for line in solution | hidden if json.dumps(line)[1:-1] in student_text]
    assert not leaks, leaks


@pytest.mark.parametrize("name", NAMES)
def test_the_student_version_is_one_self_contained_file(name, built):
    """Public tests live inside the notebook (no tests folder to lose); its first code cell
    installs otter-grader only when missing and never installs TensorFlow."""
    student = built[name] / "student"
    assert [p.name for p in student.iterdir()] == [f"{name}.ipynb"]
    nb = nbformat.read(student / f"{name}.ipynb", as_version=4)
    assert nb.metadata["otter"]["tests"], "no public tests embedded"
    first = next(c for c in nb.cells if c.cell_type == "code").source
    assert 'find_spec("otter") is None' in first
    assert re.findall(r'"pip", "install", [^\]]*\]', first) == ['"pip", "install", "-q", "otter-grader"]']


def test_unknown_assignment_and_missing_submission_say_what_is_wrong(tmp_path):
    with pytest.raises(ValueError, match="No assignment called 'nope'. The assignments: "):
        assignments.build("nope", tmp_path)
    with pytest.raises(FileNotFoundError, match="No autograder zip"):
        assignments.autograder_zip(tmp_path)
    with pytest.raises(FileNotFoundError, match="No submission at"):
        assignments.grade(tmp_path, tmp_path / "missing.ipynb")

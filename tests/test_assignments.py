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
        # the public checks try every feature on square images and kernels: these slips
        # only show on shapes that are not square, which only the hidden tests use.
        # The kernel's height for its width too
        (
            "cols = slice(j * stride, j * stride + span_w, dilation)",
            "cols = slice(j * stride, j * stride + span_h, dilation)",
        ),
        # pooled output as wide as it is high
        ("oh, ow = (h - size) // stride + 1, (w - size) // stride + 1", "oh = ow = (h - size) // stride + 1"),
        # loops over the output's height twice, never its width
        ("for j in range(dout.shape[2]):", "for j in range(dout.shape[1]):"),
    ],
    "backprop": [
        # softmax without subtracting the largest logit: overflows on large logits
        ("e = np.exp(z - z.max(axis=1, keepdims=True))", "e = np.exp(z)"),
        # crops the padded gradient to a square: right only for square images, the
        # public checks' shapes
        (
            "dx = dxp[:, padding : padding + h, padding : padding + wd]",
            "dx = dxp[:, padding : padding + h, padding : padding + h]",
        ),
    ],
    "train_cnn": [
        # too little training: the model is valid and saved, but below the target accuracy
        # (its public check, on the validation set, fails too: the test set is never tuned on)
        ("        epochs=4,", "        epochs=1,"),
    ],
    "transfer_layers": [
        # standardises the test features with their own mean instead of the training set's
        ("x_test = (test_features - mean) / std", "x_test = (test_features - test_features.mean(axis=0)) / std"),
    ],
    "bn_residual": [
        # counts the positions as if the maps were square (H * H, not H * W): right on
        # the public checks' square maps, wrong on the hidden test's 4 x 6
        ("m = x.shape[0] * x.shape[1] * x.shape[2]", "m = x.shape[0] * x.shape[1] * x.shape[1]"),
    ],
}


def total(scores):
    return sum(s for s, _ in scores.values()), sum(m for _, m in scores.values())


class Assignment:
    """The tests of one assignment. Each assignment is a class of its own (made below), and
    pytest-xdist's --dist loadscope keeps a class on one worker: the five assignments' grades
    (the slowest tests of CI) spread over both workers instead of queueing on one."""

    name = ""

    @pytest.fixture(scope="class")
    def built(self, tmp_path_factory):
        return assignments.build(self.name, tmp_path_factory.mktemp("assignments") / self.name, run_tests=False)

    def test_the_solution_scores_full_marks(self, built):
        name = self.name
        scores = assignments.grade(built, built / "autograder" / f"{name}.ipynb")
        score, most = total(scores)
        assert most > 0 and score == most, scores

    def test_the_untouched_student_version_runs_and_scores_zero(self, built):
        name = self.name
        scores = assignments.grade(built, built / "student" / f"{name}.ipynb")
        score, most = total(scores)
        assert most > 0 and score == 0, scores

    def test_a_planted_wrong_submission_scores_partial_marks(self, built, tmp_path):
        name = self.name
        path = tmp_path / f"{name}.ipynb"
        text = (built / "autograder" / f"{name}.ipynb").read_text()
        for right, wrong in PLANTED[name]:
            escaped = json.dumps(right)[1:-1]
            assert escaped in text, f"the planted edit no longer matches the solution: {right!r}"
            text = text.replace(escaped, json.dumps(wrong)[1:-1])
        path.write_text(text)
        score, most = total(assignments.grade(built, path))
        assert 0 < score < most

    def test_the_student_version_holds_no_solution_and_no_hidden_test(self, built):
        name = self.name
        source = nbformat.read(assignments.SOURCES / f"{name}.ipynb", as_version=4)
        solution, hidden, public, given = set(), set(), set(), set()
        for cell in source.cells:
            if cell.cell_type != "code":
                continue
            inside = re.findall(r"# BEGIN SOLUTION\n(.*?)# END SOLUTION", cell.source, re.S)
            solution |= _distinctive("\n".join(inside).splitlines())
            if "# BEGIN TEST CONFIG" in cell.source:
                (hidden if "hidden: true" in cell.source else public).update(_distinctive(cell.source.splitlines()))
            else:
                outside = re.sub(r"# BEGIN SOLUTION\n.*?# END SOLUTION", "", cell.source, flags=re.S)
                given |= _distinctive(outside.splitlines())
        # lines the student is given anyway (the given code, the public tests, the instructions),
        # or beginnings of such lines, are no leak
        shown = given | public
        instructions = "\n".join(c.source for c in source.cells if c.cell_type == "markdown")

        def no_news(line):
            return line in instructions or any(other.startswith(line) for other in shown)

        solution = {line for line in solution if not no_news(line)}
        hidden = {line for line in hidden if not no_news(line)}
        assert solution and hidden
        student = (built / "student" / f"{name}.ipynb").read_text()
        student_text = json.dumps(json.loads(student))  # cell sources and the embedded public tests
        leaks = [line for line in solution | hidden if json.dumps(line)[1:-1] in student_text]
        assert not leaks, leaks

    def test_the_student_version_is_one_self_contained_file(self, built):
        """Public tests live inside the notebook (no tests folder to lose); its first code cell
        installs otter-grader only when missing and never installs TensorFlow."""
        name = self.name
        student = built / "student"
        assert [p.name for p in student.iterdir()] == [f"{name}.ipynb"]
        nb = nbformat.read(student / f"{name}.ipynb", as_version=4)
        assert nb.metadata["otter"]["tests"], "no public tests embedded"
        first = next(c for c in nb.cells if c.cell_type == "code").source
        assert 'find_spec("otter") is None' in first
        assert re.findall(r"subprocess.run\(\[\*pip, ([^\]]*)\]", first) == [f'"{assignments.OTTER_SPEC}"']

    def test_the_student_version_runs_its_public_checks_in_colab(self, built, tmp_path):
        """Untouched: the setup cell writes the public tests to tests/, every check runs and
        fails, and the submit cell says how to hand in from Colab (export does not run there)."""
        name = self.name
        nb = nbformat.read(built / "student" / f"{name}.ipynb", as_version=4)
        run, content = run_in_fake_colab(nb, tmp_path)
        setup = run.cells[2]  # the stand-in, the title, then the setup cell
        assert "otter.Notebook" in setup.source and not _errors(setup)
        assert sorted(p.stem for p in (content / "tests").glob("*.py")) == sorted(nb.metadata["otter"]["tests"])
        checks = [c for c in run.cells if c.cell_type == "code" and c.source.startswith("grader.check(")]
        assert checks
        for cell in checks:
            assert not _errors(cell) and "results:" in _text(cell), _text(cell) + str(_errors(cell))
        assert "Download .ipynb" in _text(run.cells[-1]) and not _errors(run.cells[-1])


# One class per assignment, in the order xdist hands them out (--no-loadscope-reorder): the
# slowest first.
class TestTransferLayers(Assignment):
    name = "transfer_layers"


class TestTrainCnn(Assignment):
    name = "train_cnn"


class TestBnResidual(Assignment):
    name = "bn_residual"


class TestBackprop(Assignment):
    name = "backprop"


class TestConvNumpy(Assignment):
    name = "conv_numpy"

    def test_a_solved_student_version_passes_its_public_checks_in_colab(self, built, tmp_path):
        """The student version with the solutions typed in (conv_numpy: quick to run)."""
        name = "conv_numpy"
        nb = nbformat.read(built / "student" / f"{name}.ipynb", as_version=4)
        solved = nbformat.read(built / "autograder" / f"{name}.ipynb", as_version=4)
        assert len(solved.cells) == len(nb.cells)
        for cell, answer in zip(nb.cells, solved.cells):
            cell.source = answer.source
        run, _ = run_in_fake_colab(nb, tmp_path)
        check_all = next(c for c in run.cells if c.source == "grader.check_all()")
        passed = _text(check_all).count("results: All test cases passed!")
        assert not _errors(check_all) and passed == len(nb.metadata["otter"]["tests"]), _text(check_all)


def test_there_are_assignments_and_each_has_a_planted_wrong_submission():
    assert NAMES and set(NAMES) == set(PLANTED)
    assert {c.name for c in Assignment.__subclasses__()} == set(NAMES)


def _distinctive(lines):
    """Lines long enough to be telling, without trailing comments."""
    lines = (line.split("  #")[0].strip() for line in lines)
    return {line for line in lines if len(line) >= 25}


@pytest.mark.parametrize("name", NAMES)
def test_each_source_starts_with_the_shared_setup_cell(name):
    nb = nbformat.read(assignments.SOURCES / f"{name}.ipynb", as_version=4)
    first = next(c for c in nb.cells if c.cell_type == "code").source
    course = "import utils" in first
    assert first == assignments.setup_cell(name, course), (
        f"{name}: the first code cell must be utils.assignments.setup_cell({name!r}, course={course})"
    )


@pytest.mark.parametrize("name", NAMES)
def test_each_source_ends_with_the_shared_submit_cells(name):
    nb = nbformat.read(assignments.SOURCES / f"{name}.ipynb", as_version=4)
    last = [(c.cell_type, c.source) for c in nb.cells[-len(assignments.SUBMIT_CELLS) :]]
    assert last == assignments.submit_cells(), f"{name}: end with utils.assignments.submit_cells()"


# Colab, simulated: a stand-in google.colab._message serves the notebook (Colab keeps it off
# the disk), and otter is told it runs in Colab, where it refuses tests stored in the notebook.
FAKE_COLAB = """\
import json, pathlib, sys, types
colab = types.ModuleType("google.colab")
colab._message = types.ModuleType("google.colab._message")
colab._message.blocking_request = lambda kind, timeout_sec=None: {
    "ipynb": json.loads(pathlib.Path(SERVED).read_text())}
sys.modules.update({"google.colab": colab, "google.colab._message": colab._message})
import otter.check.utils
otter.check.utils.IPythonInterpreter.COLAB.value.check_strs.append("ipykernel")
import os
os.environ["CNN_COURSE_ROOT"] = COURSE_FOLDER  # stands in for the clone into /content
"""


def run_in_fake_colab(nb, folder):
    """Execute ``nb`` as Colab would: from a folder without the notebook file in it."""
    from nbclient import NotebookClient

    served = folder / "served.ipynb"
    nbformat.write(nb, served)
    content = folder / "content"
    content.mkdir()
    run = nbformat.from_dict(json.loads(json.dumps(nb)))
    fake = FAKE_COLAB.replace("SERVED", repr(str(served))).replace("COURSE_FOLDER", repr(str(assignments.ROOT)))
    run.cells.insert(0, nbformat.v4.new_code_cell(fake))
    NotebookClient(run, timeout=600, allow_errors=True, resources={"metadata": {"path": str(content)}}).execute()
    return run, content


def _text(cell):
    return "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in cell.outputs)


def _errors(cell):
    return [f"{o.ename}: {o.evalue}" for o in cell.outputs if o.output_type == "error"]


def test_unknown_assignment_and_missing_submission_say_what_is_wrong(tmp_path):
    with pytest.raises(ValueError, match="No assignment called 'nope'. The assignments: "):
        assignments.build("nope", tmp_path)
    with pytest.raises(FileNotFoundError, match="No autograder zip"):
        assignments.autograder_zip(tmp_path)
    with pytest.raises(FileNotFoundError, match="No submission at"):
        assignments.grade(tmp_path, tmp_path / "missing.ipynb")


def test_grade_on_the_command_line_says_in_one_line_what_is_wrong(tmp_path, capsys, monkeypatch):
    """Issue #24: each bad --grade argument ended in a traceback; none of these runs otter."""
    monkeypatch.chdir(tmp_path)
    built = tmp_path / "built"
    (built / "autograder").mkdir(parents=True)
    (built / "autograder" / "conv_numpy-autograder_2026.zip").write_bytes(b"")
    (tmp_path / "folder").mkdir()
    (tmp_path / "answers.txt").write_text("42")
    (tmp_path / "broken.ipynb").write_text('{"cells": [')
    (tmp_path / "list.ipynb").write_text("[1, 2]")
    (tmp_path / "fake.zip").write_text("not a zip")
    (tmp_path / "ok.ipynb").write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    (tmp_path / "unbuilt").mkdir()
    monkeypatch.setattr(assignments, "BUILD", tmp_path / "_build")  # no assignment is built there
    cases = [
        (["--grade", "built", "missing.ipynb"], "no submission at missing.ipynb"),
        (["--grade", "built", "folder"], "folder is a folder: give the submitted notebook"),
        (["--grade", "built", "answers.txt"], "answers.txt is not a notebook"),
        (["--grade", "built", "broken.ipynb"], "broken.ipynb is not a readable notebook (broken JSON"),
        (["--grade", "built", "list.ipynb"], "list.ipynb is JSON but not a Jupyter notebook"),
        (["--grade", "built", "fake.zip"], "fake.zip is not a zip holding a notebook"),
        (["--grade", "unbuilt", "ok.ipynb"], "unbuilt holds no autograder"),
        (["--grade", "conv_numpy", "ok.ipynb"], "'conv_numpy' is not built yet: build it first: python -m utils"),
        (["--grade", "nope", "ok.ipynb"], "no built assignment at nope: give the folder"),
        (["--grade", "ok.ipynb", "built"], "BUILT comes first, then SUBMISSION"),
        (["nope"], "no assignment called 'nope'; the assignments: backprop"),
    ]
    for argv, says in cases:
        with pytest.raises(SystemExit) as exit_:
            assignments.main(argv)
        err = capsys.readouterr().err
        assert exit_.value.code == 2, argv
        message = err.strip().splitlines()[-1]
        assert message.startswith("python -m utils.assignments: error: ") and says in message, (argv, err)
        assert "Traceback" not in err

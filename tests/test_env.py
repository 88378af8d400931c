"""Profiles, version checks and the provenance line."""

import pytest

from utils import env


def test_profile_default_and_choices(monkeypatch):
    monkeypatch.delenv(env.PROFILE_ENV, raising=False)
    assert env.profile() == "full"
    assert env.by_profile(full=60000, smoke=300) == 60000
    monkeypatch.setenv(env.PROFILE_ENV, "smoke")
    assert env.profile() == "smoke"
    assert env.by_profile(full=60000, smoke=300) == 300
    monkeypatch.setenv(env.PROFILE_ENV, "fast")
    with pytest.raises(ValueError, match="CNN_COURSE_PROFILE must be one of"):
        env.profile()


def test_ranges_come_from_requirements():
    ranges = env.supported_ranges()
    assert set(ranges) == set(env.CHECKED_PACKAGES)
    assert ">=2.16" in ranges["tensorflow"]


def test_installed_versions_fit():
    versions = env.installed_versions()
    assert env.check_versions(versions, env.supported_ranges()) == []


def test_drift_is_reported():
    versions = {"python": "3.9.1", "tensorflow": "2.12.0", "keras": "3.5.0", "numpy": "oops"}
    ranges = {"tensorflow": ">=2.16,<2.22", "keras": ">=3.3,<4", "numpy": ">=1.26,<3"}
    problems = env.check_versions(versions, ranges)
    assert len(problems) == 3
    assert "Python 3.9.1 is not supported" in problems[0]
    assert "tensorflow 2.12.0 is older than the course supports" in problems[1]
    assert "numpy oops" in problems[2]


def test_newer_than_tested_warns_and_goes_on(monkeypatch, capsys):
    """Colab, not the learner, picks TensorFlow: above the range the chapter warns and runs."""
    versions = {"python": "3.12.0", "tensorflow": "2.30.1", "keras": "3.8.0", "numpy": "2.0.2"}
    ranges = {"tensorflow": ">=2.16,<2.22", "keras": ">=3.3,<4", "numpy": ">=1.26,<3"}
    assert env.check_versions(versions, ranges) == []
    assert env.newer_than_tested(versions, ranges) == ["tensorflow 2.30.1 (tested: >=2.16,<2.22)"]
    monkeypatch.setattr(env, "installed_versions", lambda: versions)
    monkeypatch.setattr(env, "supported_ranges", lambda: ranges)
    env.setup()
    assert "Note: newer than the course was tested with: tensorflow 2.30.1" in capsys.readouterr().out


def test_setup_without_requirements_says_what_to_do(monkeypatch, tmp_path):
    monkeypatch.setattr(env, "REQUIREMENTS", tmp_path / "requirements.txt")
    with pytest.raises(env.EnvironmentMismatch, match="requirements.txt is missing.*Clone or download"):
        env.setup()


def test_setup_stops_on_drift(monkeypatch):
    monkeypatch.setattr(env, "installed_versions", lambda: {"python": "3.11.0", "tensorflow": "2.10.0"})
    with pytest.raises(env.EnvironmentMismatch, match="tensorflow 2.10.0 .*pip install -r requirements.txt"):
        env.setup()


def test_setup_and_provenance(monkeypatch, capsys):
    monkeypatch.setenv(env.PROFILE_ENV, "smoke")
    env.setup(seed=1)
    env.provenance()
    out = capsys.readouterr().out
    assert out.startswith("Profile: smoke | ")
    line = out.split("Provenance: ")[-1]
    assert line.startswith("profile=smoke | ") and "TensorFlow" in line and "wall time" in line
    assert max(len(text) for text in out.splitlines()) <= 75, "printed lines must fit the book's column"
    assert ("GPU: " in line) or ("CPU: " in line)


def test_colab_pins_fit_the_requirement_ranges():
    """The versions Colab ships (.ci/colab-requirements.txt) lie inside requirements.txt's ranges,
    and Colab's Python inside the supported range: the ranges document what the course runs on."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    def read(path):
        lines = (line.split("#")[0].strip() for line in path.read_text().splitlines())
        return {canonicalize_name(r.name): r for r in map(Requirement, filter(None, lines))}

    root = env.REQUIREMENTS.parent
    ranges, colab = read(env.REQUIREMENTS), read(root / ".ci" / "colab-requirements.txt")
    pinned = {name: next(iter(r.specifier)).version for name, r in colab.items() if "==" in str(r.specifier)}
    assert {"tensorflow", "keras", "numpy", "matplotlib", "ipywidgets", "ipykernel"} <= set(pinned)
    outside = [
        f"Colab's {name} {version} is outside requirements.txt's {ranges[name].specifier}"
        for name, version in pinned.items()
        if name in ranges and not ranges[name].specifier.contains(version, prereleases=True)
    ]
    assert outside == []
    python = (root / ".ci" / "colab-python").read_text().split("#")[0].split()[0]
    major_minor = tuple(int(p) for p in python.split(".")[:2])
    assert env.PYTHON_RANGE[0] <= major_minor <= env.PYTHON_RANGE[1], python

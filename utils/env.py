"""Environment of a chapter run: version checks, seeding, run profile and provenance.

The run profile is chosen by the environment variable ``CNN_COURSE_PROFILE``:

* ``full`` (the default): what a learner runs, with the full data and epochs; the
  notebooks stored in git hold the outputs of such a run.
* ``smoke``: the same cells on a few hundred samples and one short epoch (CI).
"""

from __future__ import annotations

import importlib
import os
import platform
import sys
import time
from pathlib import Path
from typing import TypeVar

PROFILE_ENV = "CNN_COURSE_PROFILE"
PROFILES = ("full", "smoke")
PYTHON_RANGE = ((3, 10), (3, 13))  # oldest and newest minor version supported
CHECKED_PACKAGES = {
    "tensorflow": "tensorflow",
    "keras": "keras",
    "numpy": "numpy",
    "matplotlib": "matplotlib",
    "ipywidgets": "ipywidgets",
}
REQUIREMENTS = Path(__file__).resolve().parent.parent / "requirements.txt"

T = TypeVar("T")
_started = time.perf_counter()


class EnvironmentMismatch(RuntimeError):
    """An installed version is outside the range the course supports."""


def profile() -> str:
    """The run profile, 'full' or 'smoke', from ``CNN_COURSE_PROFILE`` (default 'full')."""
    value = os.environ.get(PROFILE_ENV, "").strip().lower() or "full"
    if value not in PROFILES:
        raise ValueError(
            f"{PROFILE_ENV} must be one of {PROFILES}, got {os.environ[PROFILE_ENV]!r}. "
            f"Unset it for a full run, or set it to 'smoke' for a quick check."
        )
    return value


def by_profile(full: T, smoke: T) -> T:
    """Pick a size for the current profile: ``full`` in a full run, ``smoke`` in a smoke run."""
    return full if profile() == "full" else smoke


def supported_ranges() -> dict[str, str]:
    """Version ranges of the checked packages, read from the course's requirements.txt."""
    from packaging.requirements import Requirement

    if not REQUIREMENTS.is_file():
        raise EnvironmentMismatch(
            f"The course's requirements.txt is missing (looked for {REQUIREMENTS.name} beside "
            f"the utils folder): the course folder is incomplete. Clone or download the whole "
            f"course again; in Colab, delete /content/cnn-course and run the setup cell again."
        )
    ranges = {}
    for line in REQUIREMENTS.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            requirement = Requirement(line)
            if requirement.name in CHECKED_PACKAGES:
                ranges[requirement.name] = str(requirement.specifier)
    return ranges


def installed_versions() -> dict[str, str]:
    """Version strings of Python and the checked packages, as imported in this process."""
    versions = {"python": platform.python_version()}
    for name, module in CHECKED_PACKAGES.items():
        versions[name] = getattr(importlib.import_module(module), "__version__", "unknown")
    return versions


def _too_new(version: str, spec: str) -> bool:
    """Whether ``version`` fails ``spec`` only because of its upper bounds (< or <=)."""
    from packaging.specifiers import SpecifierSet
    from packaging.version import Version

    lower = [s for s in SpecifierSet(spec) if s.operator not in ("<", "<=")]
    return Version(version) in SpecifierSet(",".join(str(s) for s in lower))


def check_versions(versions: dict[str, str], ranges: dict[str, str]) -> list[str]:
    """Problems (one sentence each) for versions below ``ranges`` (or unknown); empty when all fit.

    A version *above* a range is not a problem here: see :func:`newer_than_tested`.
    """
    from packaging.specifiers import SpecifierSet
    from packaging.version import InvalidVersion, Version

    problems = []
    python = tuple(int(p) for p in versions["python"].split(".")[:2])
    if not PYTHON_RANGE[0] <= python <= PYTHON_RANGE[1]:
        low, high = (".".join(map(str, v)) for v in PYTHON_RANGE)
        problems.append(f"Python {versions['python']} is not supported (use {low} to {high}).")
    for name, spec in ranges.items():
        found = versions.get(name)
        try:
            ok = found is not None and (Version(found) in SpecifierSet(spec) or _too_new(found, spec))
        except InvalidVersion:
            problems.append(f"{name} {found} is not a version number the course can check ({spec}).")
            continue
        if not ok:
            problems.append(f"{name} {found} is older than the course supports ({spec}).")
    return problems


def newer_than_tested(versions: dict[str, str], ranges: dict[str, str]) -> list[str]:
    """Packages newer than the range the course was tested with (warn, do not stop: Colab
    chooses these versions, not the learner)."""
    from packaging.specifiers import SpecifierSet
    from packaging.version import InvalidVersion, Version

    newer = []
    for name, spec in ranges.items():
        found = versions.get(name)
        try:
            if found and Version(found) not in SpecifierSet(spec) and _too_new(found, spec):
                newer.append(f"{name} {found} (tested: {spec})")
        except InvalidVersion:
            continue
    return newer


def device_description() -> str:
    """'GPU: <name>' or 'CPU: <processor>, <n> cores' for the provenance line."""
    from .device import accelerator_name

    name = accelerator_name()
    if name:
        return f"GPU: {name}"
    return f"CPU: {platform.machine() or 'unknown'}, {os.cpu_count()} cores (no GPU)"


def no_latex_copies() -> None:
    """In a notebook, stop IPython from storing a LaTeX copy beside each rich output.

    IPython's ``Code`` (the chapters' listings of ``utils`` source) is stored as HTML, LaTeX
    and plain text; the book and Jupyter show the HTML, so the LaTeX copy only makes the
    stored notebooks larger. Outside IPython this does nothing. Maths in Markdown cells is
    not affected."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None and hasattr(shell, "display_formatter"):
        shell.display_formatter.formatters["text/latex"].enabled = False


def full_float32_matmuls() -> None:
    """Make TensorFlow multiply float32 in full float32 on GPUs too. On Ampere and newer GPUs
    (Colab's A100 and L4) it uses TensorFloat-32 by default, with 10-bit mantissas, and the
    chapters' checks of Keras against NumPy would then agree only to about 1e-3."""
    import keras

    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_tensor_float_32_execution(False)


def setup(seed: int = 0) -> None:
    """Check versions, seed every random generator, and print what this run uses.

    Called by the setup cell at the top of every chapter. Raises EnvironmentMismatch
    with instructions when a version is too old; warns (and goes on) when one is newer
    than the course was tested with. Also sets the course's figure style and drops the
    LaTeX copy of rich outputs (:func:`no_latex_copies`) and turns TensorFloat-32 off
    (:func:`full_float32_matmuls`).
    """
    global _started
    _started = time.perf_counter()
    versions = installed_versions()
    ranges = supported_ranges()
    problems = check_versions(versions, ranges)
    if problems:
        in_colab = "google.colab" in sys.modules
        fix = (
            "In Colab, use Runtime > Disconnect and delete runtime to get Colab's default packages "
            "back (do not reinstall TensorFlow)."
            if in_colab
            else "Install the course's requirements into a fresh virtual environment: "
            "python3 -m venv .venv && .venv/bin/pip install -r requirements.txt (see README.md)."
        )
        raise EnvironmentMismatch("This environment does not fit the course: " + " ".join(problems) + " " + fix)
    newer = newer_than_tested(versions, ranges)
    if newer:
        print(
            "Note: newer than the course was tested with: "
            + "; ".join(newer)
            + ". The chapters should still run; report anything that breaks."
        )
    import keras

    from .plots import use_course_style

    use_course_style()
    no_latex_copies()
    keras.utils.set_random_seed(seed)
    full_float32_matmuls()
    print(
        f"Profile: {profile()} | {device_description()}\n"
        f"Python {versions['python']} | TensorFlow {versions['tensorflow']} | "
        f"Keras {versions['keras']}\nNumPy {versions['numpy']} | seed {seed}"
    )


def provenance_line() -> str:
    """The line that closes every chapter: profile, device, versions, wall time since setup()."""
    import keras
    import tensorflow as tf

    line = (
        f"Provenance: profile={profile()} | {device_description()}\n"
        f"TensorFlow {tf.__version__} | Keras {keras.__version__} | "
        f"wall time {time.perf_counter() - _started:.1f} s"
    )
    return line


def provenance() -> None:
    """Print :func:`provenance_line`; the last cell of every chapter calls it."""
    print(provenance_line())

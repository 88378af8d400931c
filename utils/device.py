"""What a run happens on: the accelerator or CPU, and the library versions, for the records
of trained models, the benchmark and the chapters' provenance lines.

Works on any Keras backend (TensorFlow in the chapters, JAX on the GPU machine) and imports
TensorFlow only when it is Keras's backend.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path

import numpy as np


def cpu_name() -> str:
    """The CPU's model name and core count (Linux), else what ``platform`` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return f"{line.split(':', 1)[1].strip()} ({os.cpu_count()} cores)"
    except OSError:
        pass
    return f"{platform.processor() or platform.machine()} ({os.cpu_count()} cores)"


def accelerator_name() -> str | None:
    """The name of the GPU (or other accelerator) Keras runs on, or None on a CPU alone."""
    import keras

    backend = keras.backend.backend()
    if backend == "jax":
        import jax

        device = jax.devices()[0]
        if device.platform != "cpu":
            return f"{device.device_kind} ({device.platform.upper()})"
    elif backend == "tensorflow":
        import tensorflow as tf  # the backend itself, already imported by Keras

        gpus = tf.config.list_physical_devices("GPU")
        if gpus:
            return tf.config.experimental.get_device_details(gpus[0]).get("device_name", gpus[0].name)
    return None


def device_name() -> str:
    """The accelerator Keras trains on (its name), or the CPU: for the record."""
    return accelerator_name() or cpu_name()


def versions() -> dict[str, str]:
    """Python, Keras, NumPy and the backend's library versions."""
    import keras

    backend = keras.backend.backend()
    found = {"python": platform.python_version(), "keras": keras.__version__, "numpy": np.__version__}
    module = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}.get(backend)
    if module:
        found[module] = __import__(module).__version__
    return found

"""The course's shipped models: their weight files (float16), loading them with their records,
and evaluating them on the data at hand against the data their records were measured on.

A record (``assets/models/NAME/record.json``) says which test set its accuracy is on: the
source and the SHA-256 of the test images and labels as loaded (:func:`test_set_sha256`).
:func:`evaluate_trained` measures a shipped model now and says whether the data are the
record's (the course's offline copies) or others (the original CIFAR-10 that Keras downloads
in Colab, whose pixels differ from the course's JPEG copy).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import textwrap
from pathlib import Path
from typing import Any

import numpy as np

from .checks import whole_number
from .data import DataError, data_dir
from .recipes import Recipe, load_data, recipe

MODELS = Path(__file__).resolve().parent.parent / "assets" / "models"
REPRODUCE_TOLERANCE = 0.001  # a record is reproduced within 10 test images in 10,000

# How the data sets are named to a learner
SHOWN_NAMES = {"mnist": "MNIST", "cifar10": "CIFAR-10", "cifar10-8": "CIFAR-10 without cats and dogs"}

# The test sets the records were measured on, by the SHA-256 that test_set_sha256 gives for
# them as recipes.load_data returns them from the course's offline copies.
KNOWN_TEST_SETS = {
    "mnist": "MNIST's test set (the original files)",
    "cifar10": "the course's JPEG copy of CIFAR-10 (quality 75)",
    "cifar10-8": "the course's JPEG copy of CIFAR-10 (quality 75), its 8 classes without cats and dogs",
}


def sha256_of(path: Path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def evaluate(model: Any, x: np.ndarray, y: np.ndarray, batch_size: int = 500) -> dict[str, float]:
    """Test loss and top-1 accuracy of a logits model on ``(x, y)``, and top-5 for 10+ classes."""
    import keras

    logits = model.predict(x, batch_size=batch_size, verbose=0)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(y, logits)
    top5 = np.argsort(logits, axis=1)[:, -5:]
    return {
        "test_loss": round(float(keras.ops.convert_to_numpy(loss)), 6),
        "test_accuracy": round(float(np.mean(logits.argmax(axis=1) == y)), 6),
        "test_top5_accuracy": round(float(np.mean((top5 == y[:, None]).any(axis=1))), 6),
    }


def test_set_sha256(x: np.ndarray, y: np.ndarray) -> str:
    """SHA-256 of a test set as loaded: images ``x`` ``(N, ...)`` and labels ``y`` ``(N,)`` or
    ``(N, 1)``, so that two copies of a data set with any pixel different get different
    hashes. The arrays are hashed in one form whatever their dtypes: uint8 pixels as float32
    in [0, 1] (as :func:`utils.recipes.load_data` gives them), other images as float32, and
    labels as int64 in one column."""
    x, y = np.asarray(x), np.asarray(y)
    if y.ndim == 2 and y.shape[1:] == (1,):
        y = y.ravel()
    if x.ndim < 2 or y.ndim != 1 or len(x) != len(y) or len(x) == 0:
        raise ValueError(
            f"a test set needs images (N, ...) and labels (N,) with the same N > 0, got shapes {x.shape} and {y.shape}."
        )
    if x.dtype.kind not in "uif" or y.dtype.kind not in "ui":
        raise ValueError(f"a test set needs numeric images and integer labels, got {x.dtype} and {y.dtype}.")
    images = x.astype("float32") / 255 if x.dtype == np.uint8 else x.astype("float32")
    sha = hashlib.sha256()
    for array in (images, y.astype("int64")):
        sha.update(f"{array.dtype.str}{array.shape}".encode())
        sha.update(np.ascontiguousarray(array).tobytes())
    return sha.hexdigest()


def test_set_record(dataset: str, x: np.ndarray, y: np.ndarray) -> dict[str, str]:
    """The ``test_data`` entry of a record: the data set, where its copy came from and its SHA-256."""
    here = "the course's offline copy" if data_dir() is not None else "Keras's download"
    source = KNOWN_TEST_SETS.get(dataset, dataset) if data_dir() is not None else f"{dataset} from {here}"
    return {"dataset": dataset, "source": source, "sha256": test_set_sha256(x, y)}


def save_weights_float16(model: Any, r: Recipe, path: Path) -> None:
    """Write ``model``'s weights (built by recipe ``r``) to ``path`` in float16.

    Half the bytes of float32; the model computes in float32 as before, because
    ``load_weights`` casts the stored values to the variables' dtype. A fresh copy of
    the architecture holds the weights alone, without the optimiser's state. Raises
    ValueError if a weight does not fit float16 (beyond 65,504 in size)."""
    import keras

    values = model.get_weights()
    for variable, value in zip(model.weights, values):
        if not np.all(np.abs(value) <= np.finfo(np.float16).max):
            raise ValueError(
                f"Weight {variable.path} has values float16 cannot hold (largest "
                f"{np.abs(value).max():.3g}, float16 stops at 65,504); the run diverged or "
                "needs weight decay."
            )
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy("float16")
    try:
        half = r.build()
    finally:
        keras.config.set_dtype_policy(previous)
    half.set_weights(values)
    half.save_weights(path)


def load_record(name: str, folder: Path | None = None) -> tuple[dict, Path]:
    """The checked record of the shipped model ``name`` and the path of its weights file.

    Checks that the record was made by the current recipe and that the weights file's
    SHA-256 is the recorded one; raises :class:`utils.DataError` saying what to do when
    the files are missing, altered or from another recipe.
    ``folder``: where the files are (default ``assets/models/NAME``).
    """
    r = recipe(name)
    folder = Path(folder) if folder else MODELS / name
    retrain = f"python -m utils.train {name}"
    record_path = folder / "record.json"
    if not record_path.is_file():
        raise DataError(
            f"No trained model {name!r}: {record_path} is missing. Check out the course's "
            f"assets/models folder again (git checkout -- assets/models), or train it: {retrain}"
        )
    try:
        record = json.loads(record_path.read_text())
        expected = record["weights_sha256"]
        weights = folder / record["weights_file"]
    except (ValueError, KeyError) as error:
        raise DataError(
            f"{record_path} is not a model record ({error}). Restore it from git or run: {retrain}"
        ) from None
    if record.get("recipe_sha256") != r.sha256() or not record.get("recipe_epochs", False):
        raise DataError(
            f"The model in {folder} was not trained by the current recipe {name!r} (the recipe "
            f"changed, or the run used other epochs or a subset). Retrain it: {retrain}"
        )
    if not weights.is_file():
        raise DataError(f"{weights} is missing. Restore it (git checkout -- {folder}) or retrain: {retrain}")
    found = sha256_of(weights)
    if found != expected:
        raise DataError(
            f"{weights} is altered or corrupt: its SHA-256 is {found[:12]}..., the record says "
            f"{expected[:12]}.... Restore it (git checkout -- {folder}) or retrain: {retrain}"
        )
    return record, weights


def load_trained(name: str, folder: Path | None = None) -> tuple[Any, dict]:
    """The shipped model ``name`` with its weights, and its record (a dict; see README),
    after the checks of :func:`load_record` (never a silently random model)."""
    record, weights = load_record(name, folder)
    model = recipe(name).build()
    model.load_weights(weights)
    return model, record


@dataclasses.dataclass(frozen=True)
class Evaluation:
    """A shipped model measured now, next to its record. ``str()`` of it is the sentence a
    chapter prints; ``same_data`` says whether the test set is the record's own."""

    name: str
    accuracy: float  # top-1 on the test set at hand, 0-1
    top5: float | None  # top-5, for 10 or more classes
    images: int
    record_accuracy: float
    same_data: bool  # the test set at hand has the record's SHA-256
    data: str  # what the test set at hand is
    record_data: str  # what the record's test set is
    literature: str
    record_images: int = 0  # the size of the record's test set
    downloaded: bool = False  # the test set at hand is Keras's download (the original data)

    @property
    def reproduces_record(self) -> bool:
        """Whether the accuracy matches the record's within :data:`REPRODUCE_TOLERANCE`."""
        return abs(self.accuracy - self.record_accuracy) <= REPRODUCE_TOLERANCE

    def sentences(self) -> list[str]:
        """The evaluation in whole sentences, the first naming the model; see :meth:`wrapped`."""
        measured = f"{self.name}: {self.accuracy:.2%} on {self.images:,} test images"
        if self.same_data:
            agrees = "reproduced" if self.reproduces_record else "NOT reproduced"
            return [
                f"{measured} of {self.record_data}, the record's own test set: its "
                f"{self.record_accuracy:.2%} is {agrees}."
            ]
        of_record = f" ({self.record_images:,} images)" if self.record_images else ""
        said = [
            f"{measured} of {self.data}.",
            f"The record, {self.record_accuracy:.2%}, is on {self.record_data}{of_record}; the "
            f"literature reports {self.literature}.",
        ]
        if self.downloaded:
            said.append("The course does not measure the gap between the two copies.")
        return said

    def wrapped(self, width: int = 75) -> str:
        """The sentences, each starting a new line and folded to ``width`` characters (the
        book's column is 75), for ``print``."""
        width = whole_number(width, "width", minimum=20, unit="characters")
        return "\n".join(textwrap.fill(sentence, width) for sentence in self.sentences())

    def __str__(self) -> str:
        return " ".join(self.sentences())


def evaluate_trained(
    name: str, x_test: np.ndarray | None = None, y_test: np.ndarray | None = None, model: Any = None
) -> Evaluation:
    """Evaluate the shipped model ``name`` on the data at hand and compare with its record.

    Args:
        name: a recipe with a shipped model (``utils.train.RECIPES``).
        x_test, y_test: the test set, float32 images in [0, 1] ``(N, 32, 32, C)`` and int
            labels ``(N,)`` as :func:`utils.recipes.load_data` returns them; default: loaded
            from the recipe's data set (the offline copy or Keras's download).
        model: the loaded model, to skip loading it again; default :func:`load_trained`.

    Returns:
        An :class:`Evaluation`: accuracy now, the record's, and whether the data are the
        record's (only then is the record expected to be reproduced).
    """
    r = recipe(name)
    if model is None:
        model, record = load_trained(name)
    else:
        record, _ = load_record(name)
    if (x_test is None) != (y_test is None):
        raise ValueError("pass both x_test and y_test, or neither (then the recipe's test set is loaded).")
    if x_test is None:
        _, _, x_test, y_test = load_data(r.dataset)
    x_test, y_test = np.asarray(x_test), np.asarray(y_test)
    if y_test.ndim == 2 and y_test.shape[1] == 1:
        y_test = y_test.ravel()
    expected = tuple(model.input_shape[1:])
    if x_test.ndim != 4 or tuple(x_test.shape[1:]) != expected or len(y_test) != len(x_test):
        raise ValueError(
            f"{name} takes images {(None, *expected)} with one label each, got images {x_test.shape} "
            f"and labels {y_test.shape}; load them with utils.train.load_data({r.dataset!r})."
        )
    if x_test.dtype.kind != "f" or not 0 <= float(x_test.min()) <= float(x_test.max()) <= 1:
        raise ValueError(
            f"{name} takes float images in [0, 1], got {x_test.dtype} from {x_test.min()} to "
            f"{x_test.max()}; divide uint8 pixels by 255 (utils.train.load_data does)."
        )
    scores = evaluate(model, x_test, y_test)
    recorded = record.get("test_data")
    if not recorded:
        raise DataError(
            f"The record of {name} does not say which test set it was measured on (no 'test_data'); "
            f"restore assets/models/{name} from git or retrain: python -m utils.train {name}"
        )
    same = test_set_sha256(x_test, y_test) == recorded["sha256"]
    if same:
        data = recorded["source"]
    elif data_dir() is None:
        data = f"the original {SHOWN_NAMES.get(r.dataset, r.dataset)} (Keras's download)"
    else:
        data = "a test set other than the record's"
    return Evaluation(
        name=name,
        accuracy=scores["test_accuracy"],
        top5=scores["test_top5_accuracy"] if model.output_shape[-1] >= 10 else None,
        images=int(len(x_test)),
        record_accuracy=float(record["test_accuracy"]),
        same_data=same,
        data=data,
        record_data=recorded["source"],
        literature=r.literature,
        record_images=int(record.get("test_images", 0)),
        downloaded=not same and data_dir() is None,
    )

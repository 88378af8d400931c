"""The course's trained models: named training recipes, the training entry point, the loader.

Train a model from its recipe and write it into ``assets/models/NAME/`` (the weights, the
training history and a record of the run)::

    python -m utils.train --list                    # the recipes
    python -m utils.train lenet5_mnist              # train, evaluate, write the files
    python -m utils.train resnet20_cifar10 --backup runs/resnet20   # resumable
    python -m utils.train --bench                   # images/s on this machine, both backends
    KERAS_BACKEND=jax python -m utils.train resnet20_cifar10        # the same on JAX

Load a shipped model (the weights' SHA-256 is checked against the record)::

    model, record = utils.load_trained("lenet5_mnist")

This module and the builders in :mod:`utils.models` import only Keras and NumPy (and the
course's data loaders), so the same command runs on the TensorFlow and the JAX backends.
The data come from the course loaders (``CNN_COURSE_DATA`` for a local copy).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import math
import numbers
import os
import platform
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from .data import DataError, load_cifar10, load_mnist, pad_mnist

MODELS = Path(__file__).resolve().parent.parent / "assets" / "models"
AUGMENTATIONS = ("none", "shift", "crop-flip")
CIFAR8_LEFT_OUT = (3, 5)  # "cifar10-8": CIFAR-10 without its cats and dogs (transfer learning)


@dataclasses.dataclass(frozen=True)
class Recipe:
    """Everything that decides a trained model: architecture, data, augmentation, optimiser,
    schedule, epochs and seed. Its SHA-256 (:meth:`sha256`) is stored in the model's record."""

    name: str
    description: str
    builder: str  # a function of utils.models
    builder_args: dict
    dataset: str  # "mnist" (padded to 32x32), "cifar10", or "cifar10-8" (no cats, no dogs)
    augment: str  # "none"; "shift": random shifts of up to `pad` pixels; "crop-flip": and mirror
    pad: int
    optimizer: str  # "adam" or "sgd" (Nesterov momentum)
    learning_rate: float  # peak, after a linear warm-up, then cosine decay to 0
    warmup_epochs: float
    weight_decay: float  # decoupled (keras optimizers' weight_decay), not on biases or BN
    momentum: float
    epochs: int
    batch_size: int
    seed: int
    literature: str  # the accuracy the literature reports, for the record
    jit_compile: str | bool = "auto"  # Keras's compile(jit_compile=...): XLA on TensorFlow
    cutout: int = 0  # side in pixels of a square blanked at random (DeVries & Taylor 2017); 0: none
    label_smoothing: float = 0.0  # weight of the uniform distribution mixed into the targets

    def sha256(self) -> str:
        """SHA-256 of the recipe's parameters (JSON, sorted keys). Fields added after models
        were shipped (:data:`LATER_FIELDS`) count only when they differ from their defaults, so
        the earlier records still match their recipes."""
        fields = dataclasses.asdict(self)
        for key, default in LATER_FIELDS.items():
            if fields[key] == default:
                del fields[key]
        text = json.dumps(fields, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()

    def build(self) -> Any:
        """A fresh model from the recipe's builder (random weights)."""
        from . import models

        return getattr(models, self.builder)(**self.builder_args)


LATER_FIELDS = {"cutout": 0, "label_smoothing": 0.0}

# The VGG/Inception chapter compares its two networks at equal budget: one training for both.
_VGG_INCEPTION_TRAINING = dict(
    dataset="cifar10",
    augment="crop-flip",
    pad=4,
    optimizer="sgd",
    learning_rate=0.1,
    warmup_epochs=1.0,
    weight_decay=5e-3,  # decoupled; L2 5e-4 with momentum 0.9
    momentum=0.9,
    epochs=60,
    batch_size=128,
    seed=0,
)

RECIPES: dict[str, Recipe] = {
    recipe.name: recipe
    for recipe in (
        Recipe(
            name="lenet5_mnist",
            description="modern LeNet-5 (ReLU, max pooling) on MNIST padded to 32x32",
            builder="lenet5",
            builder_args={"variant": "modern"},
            dataset="mnist",
            augment="shift",
            pad=2,
            optimizer="adam",
            learning_rate=6e-3,
            warmup_epochs=0.5,
            weight_decay=0.0,
            momentum=0.0,
            epochs=12,
            batch_size=512,
            seed=0,
            literature="99.2% (the Keras MNIST convnet example); LeCun et al. 1998: 99.05%",
        ),
        Recipe(
            name="resnet20_cifar10",
            description="ResNet-20 (He et al. 2016, section 4.2; shortcut A) on CIFAR-10",
            builder="resnet_cifar",
            builder_args={"depth": 20, "width": 16, "shortcut": "A"},
            dataset="cifar10",
            augment="crop-flip",
            pad=4,
            optimizer="sgd",
            learning_rate=0.1,
            warmup_epochs=1.0,
            # decoupled: 1e-3 x the learning rate per step, the paper's L2 of 1e-4 with
            # momentum 0.9. Runs on the JPEG copy of CIFAR-10 (train / test accuracy):
            # 5e-3 in 40 epochs 94.8% / 87.33% (TF, CPU); 1e-3 in 60 epochs 97.0% /
            # 87.14% (JAX, H200, before the stride-2 padding fix); this recipe 98.6% /
            # 86.86%: longer training only fits the training set better
            weight_decay=1e-3,
            momentum=0.9,
            epochs=90,
            batch_size=128,
            seed=0,
            literature="91.25% (He et al. 2016, Table 6, 164 epochs)",
        ),
        Recipe(
            name="vgg16_cifar10",
            description="VGG-16 (configuration D) for 32x32 with batch normalisation, half "
            "width (utils.vgg_cifar) on CIFAR-10",
            builder="vgg_cifar",
            builder_args={"config": "D", "width": 0.5, "batch_norm": True},
            **_VGG_INCEPTION_TRAINING,
            literature="92.64% for full-width VGG-16 with BN, 200 epochs (kuangliu/pytorch-cifar, "
            "original CIFAR-10); no published number at half width",
        ),
        Recipe(
            name="inception_cifar10",
            description="the small Inception network of Zhang et al. 2017 (utils.inception_cifar) "
            "on CIFAR-10, the same training as vgg16_cifar10",
            builder="inception_cifar",
            builder_args={"width": 1.0},
            **_VGG_INCEPTION_TRAINING,
            literature="89.05% (Zhang et al. 2017, Table 1: random crops and weight decay, original CIFAR-10)",
        ),
        Recipe(
            name="alexnet_cifar10",
            description="AlexNet-style network for 32x32 (utils.alexnet_cifar, half width, "
            "batch normalisation) on CIFAR-10",
            builder="alexnet_cifar",
            builder_args={"width": 0.5, "norm": "batch"},
            dataset="cifar10",
            augment="crop-flip",
            pad=4,
            optimizer="sgd",
            learning_rate=0.05,
            warmup_epochs=1.0,
            weight_decay=5e-3,  # decoupled; L2 5e-4 with momentum 0.9
            momentum=0.9,
            epochs=30,
            batch_size=128,
            seed=0,
            literature="82-89% for cuda-convnet-era AlexNet-style nets (original CIFAR-10)",
        ),
        Recipe(
            name="alexnet_cifar8",
            description="the alexnet_cifar10 network pretrained on the 8 CIFAR-10 classes that are "
            "neither cat nor dog (the AlexNet chapter's transfer learning)",
            builder="alexnet_cifar",
            builder_args={"classes": 8, "width": 0.5, "norm": "batch"},
            dataset="cifar10-8",
            augment="crop-flip",
            pad=4,
            optimizer="sgd",
            learning_rate=0.05,
            warmup_epochs=1.0,
            weight_decay=5e-3,
            momentum=0.9,
            epochs=15,
            batch_size=128,
            seed=0,
            literature="no published number: a pretraining run for transfer learning",
        ),
    )
}


def recipe(name: str) -> Recipe:
    """The registered recipe called ``name``; ValueError listing the names otherwise."""
    if name not in RECIPES:
        raise ValueError(f"No recipe called {name!r}. The recipes: {', '.join(RECIPES)}.")
    return RECIPES[name]


def load_data(dataset: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(x_train, y_train, x_test, y_test)`` as float32 images in [0, 1], ``(N, 32, 32, C)``,
    and int labels: MNIST padded to 32x32x1, or CIFAR-10 32x32x3; "cifar10-8" is CIFAR-10
    without its cats and dogs, the other 8 classes relabelled 0-7 in their order."""
    if dataset == "mnist":
        (x, y), (xt, yt) = load_mnist()
        return pad_mnist(x), y.astype("int32"), pad_mnist(xt), yt.astype("int32")
    if dataset in ("cifar10", "cifar10-8"):
        (x, y), (xt, yt) = load_cifar10()
        x, y, xt, yt = (
            x.astype("float32") / 255,
            y.ravel().astype("int32"),
            xt.astype("float32") / 255,
            yt.ravel().astype("int32"),
        )
        if dataset == "cifar10":
            return x, y, xt, yt
        # the 8 classes that are neither cat (3) nor dog (5), relabelled 0-7 in their order
        keep = np.array([c not in CIFAR8_LEFT_OUT for c in range(10)])
        relabel = np.cumsum(keep) - 1
        train, test = keep[y], keep[yt]
        return x[train], relabel[y[train]].astype("int32"), xt[test], relabel[yt[test]].astype("int32")
    raise ValueError(f"dataset must be 'mnist', 'cifar10' or 'cifar10-8', got {dataset!r}.")


def _check_batch(images: np.ndarray, rng: np.random.Generator, **pixels: int) -> None:
    """The input checks of :func:`augment_batch` and :func:`cutout_batch`: ``images`` a batch
    ``(B, H, W, C)``, ``rng`` a NumPy Generator, each keyword a whole number of pixels >= 0."""
    if np.ndim(images) != 4:
        raise ValueError(f"images must be a batch (B, H, W, C), got shape {np.shape(images)}.")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a NumPy Generator, np.random.default_rng(seed); got {rng!r}.")
    for name, value in pixels.items():
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError(f"{name} must be a whole number of pixels >= 0, got {value!r}.")


# fmt: off
# kept at 75 columns, the book's: the AlexNet chapter prints this function
def augment_batch(
    images: np.ndarray, rng: np.random.Generator, mode: str, pad: int
) -> np.ndarray:
    """Random shifts (zero-padded by ``pad`` pixels, then a random crop
    back to size) and, for ``mode="crop-flip"``, random horizontal
    mirroring, of a batch ``(B, H, W, C)``: one vectorised gather, no
    loop over images. ``mode="none"`` returns the batch unchanged."""
    if mode not in AUGMENTATIONS:
        raise ValueError(
            f"mode must be one of {AUGMENTATIONS}, got {mode!r}."
        )
    _check_batch(images, rng, pad=pad)
    if mode == "none" or pad == 0:
        return images
    b, h, w, _ = images.shape
    padded = np.pad(images, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    # each image's crop offset, 0 ... 2 * pad along each side
    dy, dx = rng.integers(0, 2 * pad + 1, size=(2, b))
    rows = dy[:, None] + np.arange(h)  # (B, H)
    cols = dx[:, None] + np.arange(w)  # (B, W)
    if mode == "crop-flip":
        flip = rng.random(b) < 0.5
        cols = np.where(flip[:, None], cols[:, ::-1], cols)
    # pixel (i, j) of image n comes from padded[n, rows[n, i], cols[n, j]]
    n = np.arange(b)[:, None, None]
    return padded[n, rows[:, :, None], cols[:, None, :]]
# fmt: on


def cutout_batch(images: np.ndarray, rng: np.random.Generator, size: int) -> np.ndarray:
    """Cutout (DeVries & Taylor 2017) on a batch ``(B, H, W, C)``: in each image a ``size`` x
    ``size`` square around a random pixel is set to the batch's mean colour (a centre near the
    border leaves part of the square outside the image, as in the paper). Returns a new array;
    ``size=0`` returns the batch itself."""
    _check_batch(images, rng, size=size)
    if size == 0:
        return images
    b, h, w, _ = images.shape
    top = rng.integers(0, h, size=b) - size // 2  # (B,) first row of each square
    left = rng.integers(0, w, size=b) - size // 2
    rows = np.arange(h) - top[:, None]  # (B, H): row index inside the square
    cols = np.arange(w) - left[:, None]
    inside = ((rows >= 0) & (rows < size))[:, :, None] & ((cols >= 0) & (cols < size))[:, None, :]
    fill = images.mean(axis=(0, 1, 2)).astype(images.dtype)
    return np.where(inside[..., None], fill, images)


def _batches_class() -> type:
    import keras

    class Batches(keras.utils.PyDataset):
        """Shuffled, augmented mini-batches of arrays; epoch ``e`` of seed ``s`` is always
        the same (set by :class:`_Epochs`, which also survives a resumed run)."""

        def __init__(self, x, y, batch_size, augment="none", pad=0, seed=0, shuffle=True, cutout=0):
            super().__init__()
            self.x, self.y, self.batch_size = x, y, batch_size
            self.augment, self.pad, self.seed, self.shuffle = augment, pad, seed, shuffle
            self.cutout = cutout
            self.set_epoch(0)

        def set_epoch(self, epoch: int) -> None:
            self.epoch = epoch
            rng = np.random.default_rng([self.seed, epoch])
            self.order = rng.permutation(len(self.x)) if self.shuffle else np.arange(len(self.x))

        def __len__(self) -> int:
            return math.ceil(len(self.x) / self.batch_size)

        def __getitem__(self, index: int):
            rows = self.order[index * self.batch_size : (index + 1) * self.batch_size]
            rng = np.random.default_rng([self.seed, self.epoch, index])
            images = augment_batch(self.x[rows], rng, self.augment, self.pad)
            return cutout_batch(images, rng, self.cutout), self.y[rows]

    return Batches


def _epochs_callback(batches: Any) -> Any:
    import keras

    class _Epochs(keras.callbacks.Callback):
        """Tells the batches which epoch runs, and adds each epoch's training seconds
        (validation excluded) and learning rate to the logs."""

        def on_epoch_begin(self, epoch, logs=None):
            batches.set_epoch(epoch)
            self.start, self.trained = time.perf_counter(), None

        def on_test_begin(self, logs=None):
            if getattr(self, "trained", 1) is None:
                self.trained = time.perf_counter() - self.start

        def on_epoch_end(self, epoch, logs=None):
            if logs is not None:
                logs["train_seconds"] = self.trained or time.perf_counter() - self.start
                logs["learning_rate"] = float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate))

    return _Epochs()


def compile_for(model: Any, r: Recipe, steps_per_epoch: int, epochs: int) -> None:
    """Compile ``model`` with the recipe's optimiser and warm-up + cosine schedule."""
    import keras

    warm = int(r.warmup_epochs * steps_per_epoch)
    total = max(steps_per_epoch * epochs, warm + 1)
    schedule = keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=r.learning_rate / 10 if warm else r.learning_rate,
        decay_steps=total - warm,
        warmup_target=r.learning_rate if warm else None,
        warmup_steps=warm,
    )
    decay = r.weight_decay or None
    if r.optimizer == "sgd":
        optimizer = keras.optimizers.SGD(schedule, momentum=r.momentum, nesterov=True, weight_decay=decay)
    elif r.optimizer == "adam":
        optimizer = keras.optimizers.AdamW(schedule, weight_decay=decay) if decay else keras.optimizers.Adam(schedule)
    else:
        raise ValueError(f"optimizer must be 'sgd' or 'adam', got {r.optimizer!r}.")
    if decay:
        optimizer.exclude_from_weight_decay(var_names=["bias", "gamma", "beta"])
    model.compile(
        optimizer=optimizer,
        loss=smoothed_crossentropy(r.label_smoothing),
        metrics=["accuracy"],
        jit_compile=r.jit_compile,
    )


# fmt: off
# (lines kept within the book's column: the VGG/Inception chapter prints this source)
def smoothed_crossentropy(label_smoothing: float = 0.0) -> Any:
    """The training loss for integer labels ``(B,)`` and logits
    ``(B, classes)``: cross-entropy against targets mixed with the
    uniform distribution, ``(1 - s) * one_hot + s / classes`` (Szegedy
    et al. 2016). ``s = 0`` gives Keras's SparseCategoricalCrossentropy.
    """
    import keras

    s = label_smoothing
    if isinstance(s, bool) or not isinstance(s, numbers.Real) \
            or not 0 <= s < 1:
        raise ValueError(
            f"label_smoothing must be a number in [0, 1), got {s!r}."
        )
    if not s:
        return keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    def smoothed_sparse_crossentropy(y_true, logits):
        labels = keras.ops.cast(keras.ops.reshape(y_true, (-1,)), "int32")
        classes = keras.ops.shape(logits)[-1]
        targets = keras.ops.one_hot(labels, classes, dtype=logits.dtype)
        return keras.losses.categorical_crossentropy(
            targets, logits, from_logits=True, label_smoothing=s
        )

    return smoothed_sparse_crossentropy
# fmt: on


def cpu_name() -> str:
    """The CPU's model name and core count (Linux), else what ``platform`` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return f"{line.split(':', 1)[1].strip()} ({os.cpu_count()} cores)"
    except OSError:
        pass
    return f"{platform.processor() or platform.machine()} ({os.cpu_count()} cores)"


def device_name() -> str:
    """The accelerator Keras trains on (its name), or the CPU: for the record."""
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
            return tf.config.experimental.get_device_details(gpus[0]).get("device_name", "GPU")
    return cpu_name()


def versions() -> dict[str, str]:
    """Python, Keras, NumPy and the backend's library versions."""
    import keras

    backend = keras.backend.backend()
    found = {"python": platform.python_version(), "keras": keras.__version__, "numpy": np.__version__}
    module = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}.get(backend)
    if module:
        found[module] = __import__(module).__version__
    return found


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


def train(
    name: str,
    epochs: int | None = None,
    out: Path | None = None,
    backup: Path | None = None,
    limit: int | None = None,
    verbose: int = 2,
    tensorboard: Path | None = None,
    callbacks: Sequence[Any] = (),
) -> dict:
    """Train the recipe ``name`` and write ``NAME.weights.h5`` (float16), ``history.json``
    and ``record.json`` into ``out`` (default ``assets/models/NAME``). ``epochs`` overrides the
    recipe's (the record then says so, and :func:`load_trained` refuses it). ``backup``: a
    folder where Keras's BackupAndRestore keeps the state, so an interrupted run resumes.
    ``limit``: train on the first ``limit`` images only (smoke tests). ``tensorboard``: a
    folder for TensorBoard logs (needs TensorFlow installed). ``callbacks``: more Keras
    callbacks for ``fit``. Returns the record."""
    import keras

    r = recipe(name)
    epochs = r.epochs if epochs is None else int(epochs)
    if epochs < 1:
        raise ValueError(f"epochs must be at least 1, got {epochs}.")
    out = Path(out) if out else MODELS / name
    start = time.perf_counter()
    x, y, xt, yt = load_data(r.dataset)
    if limit:
        x, y, xt, yt = x[:limit], y[:limit], xt[:limit], yt[:limit]
    keras.utils.set_random_seed(r.seed)
    model = r.build()
    batches = _batches_class()(x, y, r.batch_size, r.augment, r.pad, r.seed, cutout=r.cutout)
    compile_for(model, r, len(batches), epochs)
    callbacks = [_epochs_callback(batches), *callbacks]
    # a resumed run (state left in `backup` by an interrupted one) continues the log of
    # the epochs before the interruption; Keras deletes the state when training ends
    resuming = bool(backup) and Path(backup).is_dir() and any(Path(backup).iterdir())
    if backup:
        callbacks.append(keras.callbacks.BackupAndRestore(str(backup)))
    if tensorboard:
        callbacks.append(keras.callbacks.TensorBoard(log_dir=str(tensorboard)))
    out.mkdir(parents=True, exist_ok=True)
    log = out / "history.csv"
    callbacks.append(keras.callbacks.CSVLogger(str(log), append=resuming))
    # the test set gives the learning curves only: nothing is chosen on it
    model.fit(
        batches,
        validation_data=(xt, yt),
        validation_batch_size=500,
        epochs=epochs,
        callbacks=callbacks,
        verbose=verbose,
    )
    history = _read_csv(log)
    weights = out / f"{name}.weights.h5"
    save_weights_float16(model, r, weights)
    # the record's accuracy is the stored (float16) weights', loaded as load_trained does
    stored = r.build()
    stored.load_weights(weights)
    (out / "history.json").write_text(json.dumps(history, indent=1) + "\n")
    log.unlink()
    train_seconds = float(sum(history["train_seconds"]))
    record = {
        "name": name,
        "description": r.description,
        "recipe": dataclasses.asdict(r),
        "recipe_sha256": r.sha256(),
        "epochs": epochs,
        "recipe_epochs": r.epochs == epochs and not limit,
        "train_images": int(len(x)),
        "params": int(model.count_params()),
        **evaluate(stored, xt, yt),
        "test_accuracy_float32": evaluate(model, xt, yt)["test_accuracy"],
        "test_images": int(len(xt)),
        "literature": r.literature,
        "train_seconds": round(train_seconds, 1),
        "wall_seconds": round(time.perf_counter() - start, 1),
        "images_per_second": round(len(x) * len(history["train_seconds"]) / train_seconds, 1),
        "device": device_name(),
        "backend": keras.backend.backend(),
        "versions": versions(),
        "seed": r.seed,
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "weights_file": weights.name,
        "weights_dtype": "float16",
        "weights_sha256": sha256_of(weights),
        "weights_bytes": weights.stat().st_size,
    }
    (out / "record.json").write_text(json.dumps(record, indent=1) + "\n")
    return record


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


def _read_csv(path: Path) -> dict[str, list[float]]:
    lines = [line.split(",") for line in path.read_text().splitlines() if line]
    header, rows = lines[0], lines[1:]
    return {key: [float(row[i]) for row in rows] for i, key in enumerate(header)}


def load_trained(name: str, folder: Path | None = None) -> tuple[Any, dict]:
    """The shipped model ``name`` with its weights, and its record (a dict; see README).

    Checks that the record was made by the current recipe and that the weights file's
    SHA-256 is the recorded one; raises :class:`utils.DataError` saying what to do when
    the files are missing, altered or from another recipe (never a silently random model).
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
    model = r.build()
    model.load_weights(weights)
    return model, record


def matmul_flops(n: int = 2048, repeats: int = 5) -> float:
    """Measured float32 matrix-multiply speed of the current backend and device, FLOP/s."""
    import keras

    a = keras.random.normal((n, n), seed=0)
    # reduce to one number before reading it back, so that the timing is the product's and
    # not the copy of n x n floats from an accelerator to the host
    keras.ops.convert_to_numpy(keras.ops.sum(keras.ops.matmul(a, a)))  # warm up, compile
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        keras.ops.convert_to_numpy(keras.ops.sum(keras.ops.matmul(a, a)))  # waits for the device
        best = min(best, time.perf_counter() - start)
    return 2 * n**3 / best


def bench(name: str, train_steps: int = 30, synthetic: bool = False) -> dict:
    """Training speed of recipe ``name`` on this backend and device: images/s of the input
    pipeline alone and inside ``fit`` with a trivial model (its ceiling), training images/s
    of the real model, seconds per epoch, and the ratio to the arithmetic bound (matmul
    FLOP/s divided by 6 FLOPs per multiply-add of a forward pass, per image).
    ``synthetic=True`` times random images of the data set's shapes instead (the speed does
    not depend on the pixels), for a machine that lacks the data."""
    import keras

    from .summary import model_summary

    r = recipe(name)
    if synthetic:
        rng = np.random.default_rng(r.seed)
        n, channels = (50_000, 3) if r.dataset.startswith("cifar10") else (60_000, 1)
        x = rng.random((n, 32, 32, channels), "float32")
        y = rng.integers(0, r.builder_args.get("classes", 10), len(x)).astype("int32")
    else:
        x, y, _, _ = load_data(r.dataset)
    batches = _batches_class()(x, y, r.batch_size, r.augment, r.pad, r.seed, cutout=r.cutout)
    start = time.perf_counter()
    for i in range(len(batches)):
        batches[i]
    input_ips = len(x) / (time.perf_counter() - start)
    # the whole input side inside Keras's fit, with a model that costs almost nothing
    trivial = keras.Sequential(
        [keras.Input(x.shape[1:]), keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(10)]
    )
    trivial.compile("sgd", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    steps = min(len(batches), 100)
    trivial.fit(batches, epochs=1, steps_per_epoch=2, verbose=0)  # trace
    start = time.perf_counter()
    trivial.fit(batches, epochs=1, steps_per_epoch=steps, verbose=0)
    fit_input_ips = steps * r.batch_size / (time.perf_counter() - start)
    keras.utils.set_random_seed(r.seed)
    model = r.build()
    compile_for(model, r, len(batches), r.epochs)
    table = model_summary(model)
    macs = int(table["MACs"].iloc[-1])
    xb, yb = batches[0]
    model.train_on_batch(xb, yb)  # trace and compile
    model.train_on_batch(xb, yb)
    start = time.perf_counter()
    for i in range(1, train_steps + 1):
        xb, yb = batches[i % len(batches)]
        loss = model.train_on_batch(xb, yb)
    float(np.asarray(loss[0] if isinstance(loss, list) else loss))  # wait for the device
    ips = train_steps * r.batch_size / (time.perf_counter() - start)
    flops = matmul_flops()
    bound = flops / (6 * macs)
    return {
        "model": name,
        "backend": keras.backend.backend(),
        "device": device_name(),
        "MACs/image": macs,
        "input img/s": round(input_ips),
        "trivial fit img/s": round(fit_input_ips),
        "train img/s": round(ips),
        "s/epoch": round(len(x) / ips, 1),
        "matmul GFLOP/s": round(flops / 1e9, 1),
        "of bound": round(ips / bound, 3),
    }


def _bench_all(names: list[str], synthetic: bool = False) -> None:
    """Run :func:`bench` for each backend installed (a fresh process each) and print a table."""
    import importlib.util

    rows = []
    for backend in ("tensorflow", "jax"):
        if importlib.util.find_spec(backend) is None:
            print(f"({backend} is not installed: skipped)")
            continue
        code = (
            "import json, sys; from utils import train; "
            f"print(json.dumps([train.bench(n, synthetic={synthetic}) for n in sys.argv[1:]]))"
        )
        env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
        result = subprocess.run(
            [sys.executable, "-c", code, *names],
            capture_output=True,
            text=True,
            env=env,
            cwd=Path(__file__).resolve().parent.parent,
        )
        if result.returncode:
            raise RuntimeError(f"the {backend} benchmark failed:\n{result.stderr[-3000:]}")
        rows += json.loads(result.stdout.strip().splitlines()[-1])
    keys = list(rows[0])
    widths = [max(len(k), *(len(str(row[k])) for row in rows)) for k in keys]
    print(" | ".join(k.rjust(w) for k, w in zip(keys, widths)))
    for row in rows:
        print(" | ".join(str(row[k]).rjust(w) for k, w in zip(keys, widths)))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m utils.train", description=__doc__.split("\n\n")[0])
    parser.add_argument("name", nargs="*", help="recipe name(s); see --list")
    parser.add_argument("--list", action="store_true", help="list the recipes and exit")
    parser.add_argument("--epochs", type=int, help="override the recipe's epochs (not shippable)")
    parser.add_argument("--out", type=Path, help="output folder (default assets/models/NAME)")
    parser.add_argument("--backup", type=Path, help="folder for resumable state (BackupAndRestore)")
    parser.add_argument("--tensorboard", type=Path, help="folder for TensorBoard logs")
    parser.add_argument("--synthetic", action="store_true", help="--bench on random images (no data needed)")
    parser.add_argument("--limit", type=int, help="train and test on the first N images only")
    parser.add_argument("--bench", action="store_true", help="benchmark the recipes on every installed backend")
    args = parser.parse_args(argv)
    if args.list:
        for r in RECIPES.values():
            print(f"{r.name}: {r.description}; {r.epochs} epochs, batch {r.batch_size}")
        return
    if args.bench:
        _bench_all(args.name or list(RECIPES), args.synthetic)
        return
    if len(args.name) != 1:
        parser.error("name one recipe to train (see --list)")
    try:
        record = train(args.name[0], args.epochs, args.out, args.backup, args.limit, tensorboard=args.tensorboard)
    except (DataError, ValueError) as error:
        sys.exit(f"error: {error}")
    print(json.dumps({k: v for k, v in record.items() if k != "recipe"}, indent=1))


if __name__ == "__main__":
    main()

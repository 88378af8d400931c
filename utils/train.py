"""Training the course's models: ``python -m utils.train NAME`` trains a recipe and writes it
into ``assets/models/NAME/`` (the weights, the training history and a record of the run)::

    python -m utils.train --list                    # the recipes
    python -m utils.train lenet5_mnist              # train, evaluate, write the files
    python -m utils.train resnet20_cifar10 --backup runs/resnet20   # resumable
    python -m utils.train --bench                   # images/s on this machine, both backends
    KERAS_BACKEND=jax python -m utils.train resnet20_cifar10        # the same on JAX

The rest lives in one module per concern, re-exported here for the chapters and commands:
:mod:`utils.recipes` (the recipes and their data), :mod:`utils.augment` (augmentation and
the loss), :mod:`utils.trained` (weight files, ``load_trained``, ``evaluate_trained``),
:mod:`utils.bench` (the benchmark) and :mod:`utils.device` (device and versions).

This module and the builders in :mod:`utils.models` import only Keras and NumPy (and the
course's data loaders), so the same command runs on the TensorFlow and the JAX backends.
The data come from the course loaders (``CNN_COURSE_DATA`` for a local copy).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
import time
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from .augment import AUGMENTATIONS, augment_batch, cutout_batch, smoothed_crossentropy
from .checks import whole_number
from .data import DataError
from .device import device_name, versions
from .recipes import CIFAR8_LEFT_OUT, LATER_FIELDS, RECIPES, Recipe, load_data, recipe
from .trained import (
    MODELS,
    Evaluation,
    evaluate,
    evaluate_trained,
    load_trained,
    save_weights_float16,
    sha256_of,
    test_set_record,
)

__all__ = [
    "AUGMENTATIONS",
    "CIFAR8_LEFT_OUT",
    "LATER_FIELDS",
    "MODELS",
    "RECIPES",
    "Evaluation",
    "Recipe",
    "augment_batch",
    "compile_for",
    "cutout_batch",
    "evaluate",
    "evaluate_trained",
    "load_data",
    "load_trained",
    "main",
    "recipe",
    "smoothed_crossentropy",
    "train",
]


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
    epochs = r.epochs if epochs is None else whole_number(epochs, "epochs")
    if limit is not None:  # 0 or a negative number would slice all (or all but some) images
        limit = whole_number(limit, "limit", unit="images", hint="Leave it out to train on every image.")
    out = Path(out) if out else MODELS / name
    start = time.perf_counter()
    x, y, xt, yt = load_data(r.dataset)
    if limit is not None:
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
        "test_data": test_set_record(r.dataset, xt, yt),
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


def _read_csv(path: Path) -> dict[str, list[float]]:
    lines = [line.split(",") for line in path.read_text().splitlines() if line]
    header, rows = lines[0], lines[1:]
    return {key: [float(row[i]) for row in rows] for i, key in enumerate(header)}


def _at_least_one(text: str) -> int:
    """argparse type of --epochs and --limit: a whole number >= 1."""
    try:
        return whole_number(int(text), "it")
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, got {text!r}") from None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m utils.train", description=__doc__.split("\n\n")[0])
    parser.add_argument("name", nargs="*", help="recipe name(s); see --list")
    parser.add_argument("--list", action="store_true", help="list the recipes and exit")
    parser.add_argument("--epochs", type=_at_least_one, help="override the recipe's epochs (not shippable)")
    parser.add_argument("--out", type=Path, help="output folder (default assets/models/NAME)")
    parser.add_argument("--backup", type=Path, help="folder for resumable state (BackupAndRestore)")
    parser.add_argument("--tensorboard", type=Path, help="folder for TensorBoard logs")
    parser.add_argument("--synthetic", action="store_true", help="--bench on random images (no data needed)")
    parser.add_argument("--limit", type=_at_least_one, help="train and test on the first N images only (N >= 1)")
    parser.add_argument("--bench", action="store_true", help="benchmark the recipes on every installed backend")
    args = parser.parse_args(argv)
    if args.list:
        for r in RECIPES.values():
            print(f"{r.name}: {r.description}; {r.epochs} epochs, batch {r.batch_size}")
        return
    if args.synthetic and not args.bench:
        parser.error("--synthetic goes with --bench (training always uses the real data)")
    if args.bench:
        from .bench import _bench_all

        unknown = [name for name in args.name if name not in RECIPES]
        if unknown:
            parser.error(f"no recipe called {', '.join(map(repr, unknown))}; the recipes: {', '.join(RECIPES)}")
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

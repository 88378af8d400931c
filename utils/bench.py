"""Training speed of the course's recipes on this backend and device (``python -m utils.train
--bench``): images/s of the input pipeline, of ``fit`` with a trivial model, and of the real
model, against the arithmetic bound from the measured matrix-multiply speed.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from .device import device_name
from .recipes import load_data, recipe
from .train import _batches_class, compile_for


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
            "import json, sys; from utils import bench; "
            f"print(json.dumps([bench.bench(n, synthetic={synthetic}) for n in sys.argv[1:]]))"
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

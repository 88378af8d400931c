"""Augmentation and the training loss of the course's recipes: random shifts, crops and
mirroring, cutout, and cross-entropy with label smoothing. NumPy (and Keras for the loss) only.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .checks import whole_number

AUGMENTATIONS = ("none", "shift", "crop-flip")


def _check_batch(images: np.ndarray, rng: np.random.Generator, **pixels: int) -> None:
    """The input checks of :func:`augment_batch` and :func:`cutout_batch`: ``images`` a batch
    ``(B, H, W, C)``, ``rng`` a NumPy Generator, each keyword a whole number of pixels >= 0."""
    if np.ndim(images) != 4:
        raise ValueError(f"images must be a batch (B, H, W, C), got shape {np.shape(images)}.")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a NumPy Generator, np.random.default_rng(seed); got {rng!r}.")
    for name, value in pixels.items():
        whole_number(value, name, minimum=0, unit="pixels")


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

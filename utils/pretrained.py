"""ImageNet-pretrained networks from ``keras.applications``, their class names, and their input.

Two small networks, small enough to run on a laptop's CPU:

- ``"mobilenet_0.25"``: MobileNet (v1) at width 0.25, 224x224x3 input, with or without its
  1,000-class top (475,544 parameters with it);
- ``"mobilenet_v2_0.35"``: MobileNetV2 at width 0.35, 224x224x3 input, the backbone only
  (410,208 parameters), for features and transfer learning.

Where the weights come from (the rules of :mod:`utils.data`, except that a local folder without
the file lets Keras download it unless downloads are forbidden):

1. If ``CNN_COURSE_DATA`` names a folder whose ``imagenet/`` subfolder holds the network's
   file, that file is checked against its SHA-256 (:data:`_SHA256`) and loaded into the
   network built with ``weights=None``. A file that fails the check is an error, never
   skipped.
2. Otherwise ``keras.applications`` downloads its own file (``weights="imagenet"``, once,
   into ``~/.keras/models``), as in Colab.
3. ``CNN_COURSE_OFFLINE=1`` forbids that download: without the local file, a loader fails at
   once with a message instead of waiting for the network.

Every failure is a :class:`~utils.data.DataError` whose message says what is wrong and how
to fix it.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
from pathlib import Path
from typing import Any, Callable, Sequence

import keras
import numpy as np

from .checks import whole_number
from .data import DATA_ENV, DOWNLOAD_TIMEOUT_S, OFFLINE_ENV, DataError, data_dir, offline

FOLDER = "imagenet"  # the subfolder of CNN_COURSE_DATA
INPUT_SHAPE = (224, 224, 3)  # height, width, RGB channels: both networks' input
CLASS_INDEX_FILE = "imagenet_class_index.json"
# Where Keras's decode_predictions downloads the class index from, and the MD5 it checks
CLASS_INDEX_URL = "https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json"
CLASS_INDEX_MD5 = "c2c37ea517e94d9795004a39431a14cb"
NUM_CLASSES = 1000

# name: the keras.applications builder, its width multiplier (alpha), and the file of its
# weights in CNN_COURSE_DATA/imagenet/ with the top (True) and without it (False); a network
# with no file for its top is only available without it.
_NETWORKS: dict[str, dict[str, Any]] = {
    "mobilenet_0.25": {
        "builder": "MobileNet",
        "alpha": 0.25,
        "files": {True: "mobilenet_2_5_224_tf.h5", False: "mobilenet_2_5_224_tf_no_top.h5"},
    },
    "mobilenet_v2_0.35": {
        "builder": "MobileNetV2",
        "alpha": 0.35,
        "files": {False: "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_224_no_top.h5"},
    },
}
PRETRAINED_NAMES = tuple(_NETWORKS)

# SHA-256 of the files in CNN_COURSE_DATA/imagenet/ (the class index's bytes are not those of
# Keras's download, whose MD5 Keras checks: the local copy is checked by this table only).
_SHA256 = {
    "mobilenet_2_5_224_tf.h5": "dc1ff623e6cd99c3cc0dd2821ca0807ba013606af5a4e2afd4488fbf26a8b589",
    "mobilenet_2_5_224_tf_no_top.h5": "dbdb03ee2a22fd895301636cd328b234bb3a9952358f436d82f46b81e0d5b0bf",
    "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_224_no_top.h5": (
        "3b6629b769ce5b7c0b6657c886e86b1037dcfd6159772c6a0cc8535bba052c90"
    ),
    CLASS_INDEX_FILE: "b5f776e83563ad894d66a723bac957f53dfa9baf377458b27ae9def80c14ebc5",
}


def _network(name: str) -> dict[str, Any]:
    if name not in _NETWORKS:
        raise ValueError(f"name must be one of {list(PRETRAINED_NAMES)}, got {name!r}.")
    return _NETWORKS[name]


def _local_file(filename: str, what: str) -> Path | None:
    """``CNN_COURSE_DATA/imagenet/filename`` after its SHA-256 check; None where there is no
    such file and downloads are allowed; DataError where it is corrupt, or missing offline."""
    folder = data_dir()
    if folder is not None and (folder / FOLDER / filename).is_file():
        path = folder / FOLDER / filename
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError as error:
            raise DataError(
                f"{what}: the file {path} cannot be read ({error}). Copy it again (see README.md, 'Data')."
            ) from None
        if digest != _SHA256[filename]:
            raise DataError(
                f"{what}: the file {path} is corrupt or not the expected one: its SHA-256 is "
                f"{digest[:16]}…, expected {_SHA256[filename][:16]}…. Copy {filename} into "
                f"{folder / FOLDER} again (see README.md, 'Data'), or delete it to let Keras download "
                f"its own copy (not with {OFFLINE_ENV}=1)."
            )
        return path
    if not offline():
        return None
    if folder is None:
        where = (
            f"{DATA_ENV} is not set. Set {DATA_ENV} to a folder holding {FOLDER}/{filename} (CI uses ../shared/data)"
        )
    else:
        where = (
            f"{filename} is not in {folder / FOLDER} ({DATA_ENV}={os.environ.get(DATA_ENV)}). Copy it "
            f"there (see README.md, 'Data')"
        )
    raise DataError(
        f"{what}: downloading is forbidden ({OFFLINE_ENV}={os.environ.get(OFFLINE_ENV)}) and {where}, or "
        f"unset {OFFLINE_ENV} to let Keras download it."
    )


def _download(what: str, fetch: Callable[[], Any]) -> Any:
    """Call a Keras download with a socket timeout, turning its failures into DataError."""
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(DOWNLOAD_TIMEOUT_S)
    try:
        return fetch()
    except Exception as error:  # network, HTTP, or a corrupt file in Keras's cache
        raise DataError(
            f"{what}: the Keras download failed ({type(error).__name__}: {error}). Check the internet "
            f"connection (on Colab: Runtime > Restart), delete a broken file in ~/.keras/models, or "
            f"set {DATA_ENV} to a folder holding {FOLDER}/ (see README.md, 'Data')."
        ) from None
    finally:
        socket.setdefaulttimeout(previous)


def load_pretrained(name: str = "mobilenet_0.25", include_top: bool = True, size: int = 224) -> keras.Model:
    """An ImageNet-pretrained network of ``keras.applications``, with its weights.

    Args:
        name: one of :data:`PRETRAINED_NAMES`: ``"mobilenet_0.25"`` (MobileNet, width 0.25)
            or ``"mobilenet_v2_0.35"`` (MobileNetV2, width 0.35, only without its top).
        include_top: keep the 1,000-class classifier (global average pooling, dropout, a
            1x1 convolution and softmax). Without it the network ends at its last
            convolutional block.
        size: the side of the square input in pixels. The top needs 224; without it any
            side from 32 takes the same weights (a convolution does not care about the
            image's size), e.g. 96 for upsampled CIFAR-10 images, with feature maps of
            side ceil(size / 32).

    Returns:
        A ``keras.Model`` named as ``keras.applications`` names it (``"mobilenet_0.25_224"``,
        ``"mobilenetv2_0.35_224"``), input float32 (N, 224, 224, 3) in the network's own
        units (:func:`preprocess`), output (N, 1000) class probabilities with the top, and
        feature maps (N, 7, 7, C) without it (C = 256 for MobileNet 0.25, 1280 for
        MobileNetV2 0.35). Its layers are trainable, as Keras builds them: set
        ``model.trainable = False`` before using it as a frozen feature extractor.
        Calling it (``model(x)``, ``predict``) runs batch normalisation in inference mode.

    The weights come from ``CNN_COURSE_DATA/imagenet/`` (SHA-256 checked) when it holds the
    file, else from Keras's download (see the module's docstring).
    """
    network = _network(name)
    if not isinstance(include_top, bool):
        raise ValueError(f"include_top must be True or False, got {include_top!r}.")
    if include_top not in network["files"]:
        with_top = [n for n, spec in _NETWORKS.items() if True in spec["files"]]
        raise ValueError(
            f"{name} comes without its 1,000-class top: use include_top=False (a backbone for "
            f"features), or a network with a top: {with_top}."
        )
    size = whole_number(size, "size", unit="pixels")
    if size != INPUT_SHAPE[0] and (include_top or size < 32):
        raise ValueError(
            f"size must be {INPUT_SHAPE[0]} with the top, and at least 32 without it, got {size} "
            f"(include_top={include_top})."
        )
    builder = getattr(keras.applications, network["builder"])
    what = f"{name} ({'with' if include_top else 'without'} its top)"
    path = _local_file(network["files"][include_top], what)
    kwargs = {"input_shape": (size, size, 3), "alpha": network["alpha"], "include_top": include_top}
    if path is None:
        return _download(what, lambda: builder(weights="imagenet", **kwargs))
    model = builder(weights=None, **kwargs)
    model.load_weights(str(path))
    return model


def imagenet_classes() -> list[str]:
    """The 1,000 ImageNet class names in the networks' output order (index 0-999), as Keras's
    class index spells them (``"tench"``, ..., ``"Egyptian_cat"``, ..., words joined by ``_``).

    From ``CNN_COURSE_DATA/imagenet/imagenet_class_index.json`` (SHA-256 checked) when it is
    there, else from Keras's download (once, into ``~/.keras/models``, MD5 checked).
    """
    path = _local_file(CLASS_INDEX_FILE, "ImageNet class names")
    if path is None:
        path = _download(
            "ImageNet class names",
            lambda: keras.utils.get_file(
                CLASS_INDEX_FILE, CLASS_INDEX_URL, cache_subdir="models", file_hash=CLASS_INDEX_MD5
            ),
        )
    with open(path) as handle:
        index = json.load(handle)  # {"0": ["n01440764", "tench"], ...}
    return [index[str(i)][1] for i in range(NUM_CLASSES)]


def decode_top(
    probabilities: np.ndarray, k: int = 5, classes: Sequence[str] | None = None
) -> list[list[tuple[int, str, float]]]:
    """The ``k`` most probable classes of each image, best first.

    Args:
        probabilities: (N, 1000), a with-top network's output (any scores work: the order
            is what counts).
        k: how many classes per image, 1-1000.
        classes: the class names (:func:`imagenet_classes` when None: pass them to decode
            many batches without reading the file each time).

    Returns:
        N lists of ``k`` tuples ``(index, class name, probability)``: index 0-999, the
        probability as a Python float. Ties go to the lower index.
    """
    probabilities = np.asarray(probabilities)
    if probabilities.ndim != 2 or probabilities.shape[1] != NUM_CLASSES:
        hint = ""
        if probabilities.shape == (NUM_CLASSES,):
            hint = " For one image, pass probabilities[None]."
        elif probabilities.ndim == 4:
            hint = " These look like feature maps: decode the output of a network with its top (include_top=True)."
        raise ValueError(
            f"decode_top needs probabilities of shape (N, {NUM_CLASSES}), one row per image, got "
            f"{probabilities.shape}.{hint}"
        )
    k = whole_number(k, "k", hint=f"It must be at most {NUM_CLASSES}.")
    if k > NUM_CLASSES:
        raise ValueError(f"k must be a whole number from 1 to {NUM_CLASSES}, got {k}.")
    names = imagenet_classes() if classes is None else list(classes)
    if len(names) != NUM_CLASSES:
        raise ValueError(f"classes must hold {NUM_CLASSES} names, got {len(names)}.")
    order = np.argsort(-probabilities, axis=1, kind="stable")[:, :k]
    return [[(int(i), names[i], float(row[i])) for i in top] for row, top in zip(probabilities, order)]


def _images(images: np.ndarray, function: str) -> np.ndarray:
    """``images`` as an array of shape (H, W, 3) or (N, H, W, 3), else a ValueError."""
    images = np.asarray(images)
    if images.ndim not in (3, 4) or images.shape[-1] != 3:
        hint = ""
        if images.ndim in (3, 4) and images.shape[-1] == 4:
            hint = " Drop the alpha channel with images[..., :3]."
        elif images.ndim in (3, 4) and images.shape[-3] == 3:
            hint = " Channels first? Move them last with np.moveaxis(images, -3, -1)."
        elif images.ndim in (3, 4, 5) and images.shape[-1] == 1:
            hint = " For grey images, repeat the grey channel: np.repeat(images, 3, axis=-1)."
        elif images.ndim in (2, 3):
            hint = " For grey images, add and repeat a channel axis: np.stack([images] * 3, axis=-1)."
        raise ValueError(
            f"{function} needs RGB images of shape (H, W, 3) or (N, H, W, 3), channels last, got "
            f"shape {images.shape}.{hint}"
        )
    if images.dtype.kind not in "uif":
        raise ValueError(f"{function} needs numeric pixels (0-255), got {images.dtype}.")
    return images


def resize_for(images: np.ndarray, name: str = "mobilenet_0.25", crop: bool = True) -> np.ndarray:
    """Images at the input size of network ``name`` (224x224), as a new array.

    Args:
        images: (H, W, 3) or (N, H, W, 3), RGB channels last, any size, uint8 or float,
            pixel values 0-255 (as ``skimage.data`` and PIL give them).
        name: one of :data:`PRETRAINED_NAMES`.
        crop: cut the largest centred square out of each image first (True), so that
            nothing is stretched, or stretch the whole image to the square (False).

    Returns:
        float32 of shape (N, 224, 224, 3) (N = 1 for one image), still 0-255 (bilinear
        interpolation, antialiased when shrinking, so the values are no longer whole
        numbers). Pass it to :func:`preprocess` before the network.
    """
    _network(name)
    images = _images(images, "resize_for").astype("float32")
    if images.ndim == 3:
        images = images[None]
    resized = keras.ops.image.resize(
        images, INPUT_SHAPE[:2], interpolation="bilinear", antialias=True, crop_to_aspect_ratio=crop
    )
    resized = keras.ops.convert_to_numpy(resized).astype("float32")
    if images.size:  # each output pixel is a weighted mean of input pixels: clip the rounding (255.00002)
        resized = np.clip(resized, images.min(), images.max())
    return resized


def preprocess(images: np.ndarray, name: str = "mobilenet_0.25") -> np.ndarray:
    """Pixels in the units network ``name`` was trained on, as a new array (the input is
    not changed).

    Both MobileNets take each pixel value ``v`` (0-255) as ``v / 127.5 - 1``, in [-1, 1]
    (``keras.applications.mobilenet.preprocess_input``, Keras's "tf" mode; no mean image is
    subtracted, and the channels stay RGB).

    Args:
        images: (H, W, 3) or (N, H, W, 3), RGB channels last, uint8 or float, values 0-255
            (at 224x224 for the network: :func:`resize_for`).
        name: one of :data:`PRETRAINED_NAMES`.

    Returns:
        float32 of the same shape, values in [-1, 1].
    """
    network = _network(name)
    images = _images(images, "preprocess")
    low, high = (float(images.min()), float(images.max())) if images.size else (0.0, 0.0)
    if low < 0 or high > 255:
        hint = " Were they preprocessed already (that gives -1 to 1)?" if low < 0 else ""
        raise ValueError(
            f"preprocess needs pixel values 0-255, got values from {low:g} to {high:g}.{hint} Pass the "
            f"images as loaded (uint8 RGB), or as resize_for returns them."
        )
    if images.dtype.kind == "f" and 0 < high <= 1:
        raise ValueError(
            f"preprocess needs pixel values 0-255, got floats from {low:g} to {high:g}, which look "
            f"scaled to [0, 1]: multiply them by 255 first."
        )
    module = keras.applications.mobilenet if network["builder"] == "MobileNet" else keras.applications.mobilenet_v2
    # a float32 copy: preprocess_input scales float arrays in place
    return module.preprocess_input(np.array(images, dtype="float32"))

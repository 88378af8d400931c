"""Data sets of the course, as NumPy arrays in the layout ``keras.datasets`` returns.

Where the data come from:

1. If the environment variable ``CNN_COURSE_DATA`` names a folder, the loaders read
   only from it (``<folder>/mnist``, ``<folder>/fashion-mnist``, ``<folder>/cifar10``;
   see README.md for the file formats) and check every file against its SHA-256.
2. Otherwise they call the standard Keras loader, which downloads once into
   ``~/.keras/datasets`` (what happens on Colab or a laptop).
3. ``CNN_COURSE_OFFLINE=1`` forbids that download (CI sets it): a loader that would
   need the network fails at once with a message instead of waiting for one.

Every failure is a :class:`DataError` whose message says what is wrong and how to
fix it. A loader returns whole, checked arrays or nothing.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import socket
import zipfile
import zlib
from pathlib import Path
from typing import Callable

import numpy as np

from .checks import whole_number

DATA_ENV = "CNN_COURSE_DATA"
OFFLINE_ENV = "CNN_COURSE_OFFLINE"
DOWNLOAD_TIMEOUT_S = 60.0

Split = tuple[np.ndarray, np.ndarray]

CIFAR10_CLASSES = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)
FASHION_MNIST_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)

_IDX_FILES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)
# SHA-256 of the *decompressed* IDX files (gzip wrappers differ between copies), and of
# the CIFAR-10 JPEG zip itself.
_SHA256 = {
    "mnist": {
        "train-images-idx3-ubyte.gz": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        "train-labels-idx1-ubyte.gz": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        "t10k-images-idx3-ubyte.gz": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        "t10k-labels-idx1-ubyte.gz": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    },
    "fashion-mnist": {
        "train-images-idx3-ubyte.gz": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        "train-labels-idx1-ubyte.gz": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        "t10k-images-idx3-ubyte.gz": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        "t10k-labels-idx1-ubyte.gz": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    },
    "cifar10": {
        "cifar10-jpeg.zip": "907df706baa630e728c0dd0cf95d93045f34c1fdefda3fc050bc72d50b21c7ec",
    },
}


class DataError(RuntimeError):
    """A data set is missing, corrupt, or may not be downloaded. The message says how to fix it."""


_YES = ("1", "true", "yes", "on")
_NO = ("", "0", "false", "no", "off")


def offline() -> bool:
    """Whether ``CNN_COURSE_OFFLINE`` forbids downloads: 1/true/yes/on yes, 0/false/no/off or unset no.

    Any other value raises :class:`DataError` instead of silently allowing a download.
    """
    value = os.environ.get(OFFLINE_ENV, "").strip().lower()
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise DataError(
        f"{OFFLINE_ENV} is set to {os.environ[OFFLINE_ENV]!r}, which is neither yes nor no. Set it "
        f"to 1 to forbid downloads (CI does), or to 0 or unset it to allow them."
    )


def data_dir() -> Path | None:
    """The local data folder named by ``CNN_COURSE_DATA``, or None when it is unset or empty."""
    value = os.environ.get(DATA_ENV, "").strip()
    if not value:
        return None
    folder = Path(value).expanduser()
    if not folder.is_dir():
        raise DataError(
            f"{DATA_ENV} is set to '{value}', but that is not a folder. Point it at the folder that "
            f"holds mnist/, fashion-mnist/ and cifar10/ (see README.md, 'Data'), or unset it to let "
            f"Keras download the data."
        )
    return folder


def data_source(dataset: str) -> str:
    """Say where ``dataset`` ('mnist', 'fashion-mnist' or 'cifar10') will be loaded from."""
    if dataset not in _SHA256:
        raise ValueError(f"dataset must be one of {sorted(_SHA256)}, got {dataset!r}.")
    folder = data_dir()
    if folder is not None:
        # No absolute path: this line ends up in published notebooks.
        return f"${DATA_ENV}/{dataset} (SHA-256 checked)"
    if offline():
        return "nowhere: downloads are forbidden and no local folder is set"
    return "Keras download (cached in ~/.keras/datasets)"


def _read_checked(path: Path, dataset: str, gzipped: bool) -> bytes:
    """Read a file (decompressing gzip), verify its SHA-256, and return its bytes."""
    name = path.name
    how_to_fix = (
        f"Copy the {dataset} files again (see README.md, 'Data'), or unset {DATA_ENV} to let Keras download them."
    )
    if not path.is_file():
        raise DataError(f"{dataset}: the file {path} is missing ({DATA_ENV}={os.environ.get(DATA_ENV)}). {how_to_fix}")
    try:
        data = gzip.decompress(path.read_bytes()) if gzipped else path.read_bytes()
    except (OSError, EOFError, zlib.error) as error:
        raise DataError(f"{dataset}: the file {path} is corrupt and cannot be read ({error}). {how_to_fix}") from None
    digest = hashlib.sha256(data).hexdigest()
    if digest != _SHA256[dataset][name]:
        raise DataError(
            f"{dataset}: the file {path} is corrupt or not the expected one: its SHA-256 is "
            f"{digest[:16]}…, expected {_SHA256[dataset][name][:16]}…. {how_to_fix}"
        )
    return data


def _parse_idx(data: bytes, path: Path) -> np.ndarray:
    """Parse an IDX file of unsigned bytes (magic 0x0801 labels, 0x0803 images)."""
    if len(data) < 8 or data[:2] != b"\x00\x00" or data[2] != 0x08 or data[3] not in (1, 3):
        raise DataError(f"{path} is not an IDX file of unsigned bytes. Copy it again.")
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    offset = 4 + 4 * ndim
    if len(data) - offset != int(np.prod(shape)):
        raise DataError(f"{path} is truncated: header says {shape}, got {len(data) - offset} bytes. Copy it again.")
    return np.frombuffer(data, dtype=np.uint8, offset=offset).reshape(shape).copy()


def _load_idx_folder(dataset: str, folder: Path) -> tuple[Split, Split]:
    x_train, y_train, x_test, y_test = (
        _parse_idx(_read_checked(folder / name, dataset, gzipped=True), folder / name) for name in _IDX_FILES
    )
    return (x_train, y_train), (x_test, y_test)


CACHE_ENV = "CNN_COURSE_CACHE"


def cache_dir() -> Path:
    """Where decoded copies of the offline data are kept: ``CNN_COURSE_CACHE`` if set, else
    ``~/.cache/cnn-course`` (``XDG_CACHE_HOME`` respected)."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "cnn-course"


def _arrays_sha256(arrays: list[np.ndarray]) -> str:
    digest = hashlib.sha256()
    for array in arrays:
        digest.update(str((array.dtype.str, array.shape)).encode())
        digest.update(np.ascontiguousarray(array).data)
    return digest.hexdigest()


def _load_cifar10_zip(folder: Path) -> tuple[Split, Split]:
    """Decode the CIFAR-10 JPEG zip into Keras's layout, classes interleaved by a fixed shuffle.

    Decoding 60,000 JPEGs takes seconds, so the arrays are kept in :func:`cache_dir` under the
    zip's SHA-256, with a SHA-256 of their own that is checked on every load (a damaged or
    stale copy is decoded again). The zip itself is verified on every load too."""
    name = "cifar10-jpeg.zip"
    raw = _read_checked(folder / name, "cifar10", gzipped=False)  # its SHA-256 is the expected one
    cached = cache_dir() / f"cifar10-jpeg-{_SHA256['cifar10'][name][:16]}.npz"
    try:
        with np.load(cached) as stored:
            arrays = [stored[key] for key in ("x", "y", "xt", "yt")]
            if str(stored["sha256"]) == _arrays_sha256(arrays):
                return (arrays[0], arrays[1]), (arrays[2], arrays[3])
    except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile):
        pass  # no copy yet, or a damaged one: decode
    (x, y), (xt, yt) = _decode_cifar10_zip(raw)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(f".{os.getpid()}.npz")
        np.savez(partial, x=x, y=y, xt=xt, yt=yt, sha256=_arrays_sha256([x, y, xt, yt]))
        os.replace(partial, cached)
    except OSError:
        pass  # a read-only home: decode every time
    return (x, y), (xt, yt)


def _decode_cifar10_zip(raw: bytes) -> tuple[Split, Split]:
    from PIL import Image

    splits = []
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        for split in ("train", "test"):
            names = sorted(n for n in archive.namelist() if n.startswith(split + "/") and n.endswith(".jpg"))
            images = np.empty((len(names), 32, 32, 3), dtype=np.uint8)
            labels = np.empty((len(names), 1), dtype=np.uint8)
            for i, name in enumerate(names):
                label = CIFAR10_CLASSES.index(name.split("/")[1])
                with Image.open(io.BytesIO(archive.read(name))) as image:
                    images[i] = np.asarray(image.convert("RGB"))
                labels[i] = label
            # The zip is sorted by class; a fixed permutation interleaves the classes so
            # that any prefix (as in the smoke profile) holds all ten.
            order = np.random.default_rng(2024).permutation(len(names))
            splits.append((images[order], labels[order]))
    return splits[0], splits[1]


def _download(dataset: str, keras_loader: Callable[[], tuple[Split, Split]]) -> tuple[Split, Split]:
    """Call a ``keras.datasets`` loader with a socket timeout, turning failures into DataError."""
    if offline():
        raise DataError(
            f"{dataset}: downloading is forbidden ({OFFLINE_ENV}={os.environ.get(OFFLINE_ENV)}) and "
            f"{DATA_ENV} is not set. Set {DATA_ENV} to a folder holding {dataset}/ (CI uses "
            f"../shared/data), or unset {OFFLINE_ENV} to let Keras download it."
        )
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(DOWNLOAD_TIMEOUT_S)
    try:
        return keras_loader()
    except Exception as error:  # network, HTTP, or a corrupt cache file
        raise DataError(
            f"{dataset}: the Keras download failed ({type(error).__name__}: {error}). Check the "
            f"internet connection (on Colab: Runtime > Restart), delete a broken cache in "
            f"~/.keras/datasets, or set {DATA_ENV} to a local copy (see README.md, 'Data')."
        ) from None
    finally:
        socket.setdefaulttimeout(previous)


def _load(dataset: str, keras_name: str) -> tuple[Split, Split]:
    folder = data_dir()
    if folder is not None:
        sub = folder / dataset
        if not sub.is_dir():
            raise DataError(
                f"{dataset}: {DATA_ENV} is {folder}, but it has no '{dataset}' folder. Copy the data "
                f"set there (see README.md, 'Data'), or unset {DATA_ENV} to let Keras download it."
            )
        return _load_cifar10_zip(sub) if dataset == "cifar10" else _load_idx_folder(dataset, sub)

    def keras_loader() -> tuple[Split, Split]:
        import keras

        return getattr(keras.datasets, keras_name).load_data()

    return _download(dataset, keras_loader)


def load_mnist() -> tuple[Split, Split]:
    """MNIST handwritten digits.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: images uint8 of shape (60000, 28, 28) and
        (10000, 28, 28), pixel values 0-255; labels uint8 of shape (60000,) and (10000,), 0-9.
    """
    return _load("mnist", "mnist")


def load_fashion_mnist() -> tuple[Split, Split]:
    """Fashion-MNIST clothing images (classes in :data:`FASHION_MNIST_CLASSES`).

    Returns:
        Same shapes and dtypes as :func:`load_mnist`.
    """
    return _load("fashion-mnist", "fashion_mnist")


def load_cifar10() -> tuple[Split, Split]:
    """CIFAR-10 colour images (classes in :data:`CIFAR10_CLASSES`).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: images uint8 of shape (50000, 32, 32, 3) and
        (10000, 32, 32, 3), RGB channels last, 0-255; labels uint8 of shape (50000, 1) and
        (10000, 1), 0-9. From a local folder the images are the JPEG re-encoding (quality 75)
        in a fixed shuffled order; from Keras they are the original batches in their order.
    """
    return _load("cifar10", "cifar10")


def pad_mnist(images: np.ndarray, pad: int = 2) -> np.ndarray:
    """MNIST-style digits as LeNet-5 takes them: a new float32 array, never the input changed.

    Args:
        images: uint8 of shape (N, 28, 28) (or one image, (28, 28)), values 0-255, as
            :func:`load_mnist` returns them.
        pad: zeros added on each side; 2 gives LeNet-5's 32x32 input.

    Returns:
        float32 of shape (N, 28 + 2 pad, 28 + 2 pad, 1), values in [0, 1].
    """
    images = np.asarray(images)
    if images.ndim == 2:
        images = images[None]
    if images.ndim != 3:
        raise ValueError(
            f"pad_mnist needs images of shape (N, height, width), got {images.shape}; drop a "
            f"channel axis with images[..., 0]."
        )
    if images.dtype != np.uint8:
        raise ValueError(
            f"pad_mnist needs the raw uint8 pixels (0-255) as the loaders return them, got "
            f"{images.dtype}; it scales them itself, so scaling first would divide by 255 twice."
        )
    whole_number(pad, "pad", minimum=0, unit="pixels")
    return np.pad(images, ((0, 0), (pad, pad), (pad, pad)))[..., None].astype("float32") / 255.0


def shift_images(images: np.ndarray, dx: int, dy: int = 0) -> np.ndarray:
    """Move images ``dx`` pixels right (left if negative) and ``dy`` down (up if negative).

    Pixels that leave the image are dropped and the uncovered border is filled with
    zeros: nothing wraps around to the other side (as ``np.roll`` would do).

    Args:
        images: (N, H, W) or (N, H, W, C), any dtype.
        dx, dy: integer shifts in pixels.

    Returns:
        A new array of the same shape and dtype.
    """
    images = np.asarray(images)
    if images.ndim not in (3, 4):
        raise ValueError(f"images must be (N, H, W) or (N, H, W, C), got shape {images.shape}.")
    for name, value in (("dx", dx), ("dy", dy)):
        whole_number(value, name, minimum=None, unit="pixels")
    height, width = images.shape[1:3]
    out = np.zeros_like(images)
    if abs(dx) >= width or abs(dy) >= height:
        return out
    src_rows = slice(max(-dy, 0), height - max(dy, 0))
    dst_rows = slice(max(dy, 0), height - max(-dy, 0))
    src_cols = slice(max(-dx, 0), width - max(dx, 0))
    dst_cols = slice(max(dx, 0), width - max(-dx, 0))
    out[:, dst_rows, dst_cols] = images[:, src_rows, src_cols]
    return out

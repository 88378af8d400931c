"""Loaders on the offline data, and their errors on missing, corrupt or forbidden data."""

import gzip
import shutil

import numpy as np
import pytest

import utils.data as data
from utils.data import DataError, load_cifar10, load_fashion_mnist, load_mnist

MNIST_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]


@pytest.fixture
def local(monkeypatch, shared_data):
    monkeypatch.setenv(data.DATA_ENV, str(shared_data))
    monkeypatch.setenv(data.OFFLINE_ENV, "1")
    return shared_data


def _check_idx_layout(train, test):
    (x_train, y_train), (x_test, y_test) = train, test
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert x_train.dtype == y_train.dtype == np.uint8
    assert x_train.max() == 255 and y_train.max() == 9


def test_mnist(local):
    (x_train, y_train), (x_test, y_test) = load_mnist()
    _check_idx_layout((x_train, y_train), (x_test, y_test))
    assert y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert y_test[:5].tolist() == [7, 2, 1, 0, 4]
    assert np.bincount(y_train).tolist() == MNIST_TRAIN_COUNTS
    scaled = x_train / 255.0
    assert round(scaled.mean(), 4) == 0.1307 and round(scaled.std(), 4) == 0.3081
    assert data.data_source("mnist") == "$CNN_COURSE_DATA/mnist (SHA-256 checked)"


def test_fashion_mnist(local):
    (x_train, y_train), (x_test, y_test) = load_fashion_mnist()
    _check_idx_layout((x_train, y_train), (x_test, y_test))
    assert np.bincount(y_train).tolist() == [6000] * 10
    assert np.bincount(y_test).tolist() == [1000] * 10
    assert y_train[:5].tolist() == [9, 0, 0, 3, 0]


def test_cifar10(local):
    (x_train, y_train), (x_test, y_test) = load_cifar10()
    assert x_train.shape == (50000, 32, 32, 3) and x_test.shape == (10000, 32, 32, 3)
    assert y_train.shape == (50000, 1) and y_test.shape == (10000, 1)
    assert x_train.dtype == y_train.dtype == np.uint8
    assert np.bincount(y_train[:, 0]).tolist() == [5000] * 10
    assert np.bincount(y_test[:, 0]).tolist() == [1000] * 10
    assert len(np.unique(y_train[:300])) == 10  # classes are interleaved: a smoke-sized prefix has all
    assert 100 < x_train.mean() < 140


def test_cifar10_decoded_once_then_read_from_the_checked_cache(local, monkeypatch, tmp_path):
    """The decoded arrays are kept under the zip's SHA-256 and checked by their own on every
    load: a damaged copy is decoded again, never returned."""
    monkeypatch.setenv(data.CACHE_ENV, str(tmp_path / "cache"))
    decoded = []
    tiny = ((np.full((4, 32, 32, 3), 7, np.uint8), np.arange(4, dtype=np.uint8)[:, None]),) * 2

    def decode(raw):
        decoded.append(len(raw))
        return tiny

    monkeypatch.setattr(data, "_decode_cifar10_zip", decode)
    first = load_cifar10()
    second = load_cifar10()
    assert len(decoded) == 1 and all(np.array_equal(a, b) for a, b in zip(first[0] + first[1], second[0] + second[1]))
    (cached,) = (tmp_path / "cache").glob("cifar10-jpeg-*.npz")
    with np.load(cached) as stored:
        altered = {key: stored[key] for key in stored.files}
    altered["x"] = altered["x"].copy()
    altered["x"][0, 0, 0, 0] = 8
    np.savez(cached, **altered)
    assert load_cifar10()[0][0][0, 0, 0, 0] == 7 and len(decoded) == 2  # the altered copy was not used
    cached.write_bytes(b"truncated")
    assert load_cifar10()[0][0].shape == (4, 32, 32, 3) and len(decoded) == 3


def test_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(data.CACHE_ENV, str(tmp_path / "mine"))
    assert data.cache_dir() == tmp_path / "mine"
    monkeypatch.delenv(data.CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert data.cache_dir() == tmp_path / "xdg" / "cnn-course"


@pytest.fixture
def mnist_copy(monkeypatch, shared_data, tmp_path):
    """A writable copy of the MNIST folder, with CNN_COURSE_DATA pointing at it."""
    folder = tmp_path / "mnist"
    shutil.copytree(shared_data / "mnist", folder)
    monkeypatch.setenv(data.DATA_ENV, str(tmp_path))
    return folder


def test_missing_dataset_folder(monkeypatch, tmp_path):
    monkeypatch.setenv(data.DATA_ENV, str(tmp_path))
    with pytest.raises(DataError, match="has no 'mnist' folder"):
        load_mnist()


def test_data_env_not_a_folder(monkeypatch, tmp_path):
    monkeypatch.setenv(data.DATA_ENV, str(tmp_path / "nope"))
    with pytest.raises(DataError, match="not a folder"):
        load_fashion_mnist()


def test_missing_file(mnist_copy):
    (mnist_copy / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DataError, match="t10k-labels-idx1-ubyte.gz is missing"):
        load_mnist()


def test_truncated_file(mnist_copy):
    path = mnist_copy / "train-labels-idx1-ubyte.gz"
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(DataError, match="corrupt"):
        load_mnist()


def test_changed_content_fails_the_hash(mnist_copy):
    path = mnist_copy / "train-labels-idx1-ubyte.gz"
    raw = bytearray(gzip.decompress(path.read_bytes()))
    raw[8] = (raw[8] + 1) % 10  # one label changed, still a valid IDX file
    path.write_bytes(gzip.compress(bytes(raw)))
    with pytest.raises(DataError, match="SHA-256"):
        load_mnist()


def test_corrupt_cifar_zip(monkeypatch, tmp_path):
    (tmp_path / "cifar10").mkdir()
    (tmp_path / "cifar10" / "cifar10-jpeg.zip").write_bytes(b"PK\x03\x04 not really a zip")
    monkeypatch.setenv(data.DATA_ENV, str(tmp_path))
    with pytest.raises(DataError, match="cifar10.*SHA-256"):
        load_cifar10()


def _fail_if_called():
    raise AssertionError("the Keras downloader must not be called")


def test_offline_without_folder_never_touches_the_network(monkeypatch):
    import keras

    monkeypatch.delenv(data.DATA_ENV, raising=False)
    monkeypatch.setenv(data.OFFLINE_ENV, "1")
    monkeypatch.setattr(keras.datasets.mnist, "load_data", _fail_if_called)
    with pytest.raises(DataError, match="downloading is forbidden"):
        load_mnist()
    assert "forbidden" in data.data_source("mnist")


def test_download_failure_is_explained(monkeypatch):
    import keras

    def broken():
        raise OSError("Name or service not known")

    monkeypatch.delenv(data.DATA_ENV, raising=False)
    monkeypatch.delenv(data.OFFLINE_ENV, raising=False)
    monkeypatch.setattr(keras.datasets.cifar10, "load_data", broken)
    with pytest.raises(DataError, match="Keras download failed.*Name or service not known"):
        load_cifar10()


def test_download_path_uses_keras_and_a_socket_timeout(monkeypatch):
    import socket

    import keras

    seen = {}
    fake = (
        (np.zeros((2, 28, 28), np.uint8), np.zeros(2, np.uint8)),
        (np.zeros((1, 28, 28), np.uint8), np.zeros(1, np.uint8)),
    )

    def fake_loader():
        seen["timeout"] = socket.getdefaulttimeout()
        return fake

    monkeypatch.delenv(data.DATA_ENV, raising=False)
    monkeypatch.delenv(data.OFFLINE_ENV, raising=False)
    monkeypatch.setattr(keras.datasets.fashion_mnist, "load_data", fake_loader)
    assert load_fashion_mnist() is fake
    assert seen["timeout"] == data.DOWNLOAD_TIMEOUT_S
    assert socket.getdefaulttimeout() is None
    assert "Keras download" in data.data_source("fashion-mnist")


def test_unknown_dataset_name():
    with pytest.raises(ValueError, match="dataset must be one of"):
        data.data_source("imagenet")


@pytest.mark.parametrize(
    "value, forbidden",
    [
        ("1", True),
        ("true", True),
        (" YES ", True),
        ("on", True),
        ("0", False),
        ("", False),
        ("false", False),
        ("off", False),
    ],
)
def test_offline_values(monkeypatch, value, forbidden):
    monkeypatch.setenv(data.OFFLINE_ENV, value)
    assert data.offline() is forbidden


@pytest.mark.parametrize("value", ["2", "y", "maybe"])
def test_unrecognised_offline_value_is_an_error_not_a_download(monkeypatch, value):
    monkeypatch.delenv(data.DATA_ENV, raising=False)
    monkeypatch.setenv(data.OFFLINE_ENV, value)
    with pytest.raises(data.DataError, match="neither yes nor no"):
        data.load_mnist()


def test_pad_mnist():
    from utils.data import pad_mnist

    digits = np.full((3, 28, 28), 255, np.uint8)
    padded = pad_mnist(digits)
    assert padded.shape == (3, 32, 32, 1) and padded.dtype == np.float32
    assert padded[:, 2:30, 2:30].min() == 1.0 and padded[:, :2].max() == 0.0
    assert digits.max() == 255  # the input is not changed
    assert pad_mnist(digits[0]).shape == (1, 32, 32, 1)
    with pytest.raises(ValueError, match="divide by 255 twice"):
        pad_mnist(padded[..., 0])
    with pytest.raises(ValueError, match="shape"):
        pad_mnist(np.zeros((2, 28, 28, 1), np.uint8))


def test_shift_images_fills_with_zeros_never_wraps():
    from utils.data import shift_images

    images = np.arange(2 * 4 * 5).reshape(2, 4, 5) + 1
    right = shift_images(images, 2)
    assert (right[:, :, :2] == 0).all() and np.array_equal(right[:, :, 2:], images[:, :, :3])
    left_up = shift_images(images[..., None], -1, -3)[..., 0]
    assert np.array_equal(left_up[:, :1, :4], images[:, 3:, 1:]) and left_up[:, 1:].max() == 0
    assert shift_images(images, 5).max() == 0 and np.array_equal(shift_images(images, 0), images)
    assert images.min() == 1  # the input is not changed
    with pytest.raises(ValueError, match="dx must be a whole number"):
        shift_images(images, 1.5)
    with pytest.raises(ValueError, match="shape"):
        shift_images(images[0], 1)

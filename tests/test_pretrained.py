"""The ImageNet-pretrained networks: loading them from the offline data (and their errors on
missing, corrupt or forbidden files), the download path, class names, decoding and input."""

import shutil
import socket

import h5py
import keras
import numpy as np
import pytest
import skimage.data

import utils.data as data
import utils.pretrained as pretrained
from utils.data import DataError
from utils.pretrained import decode_top, imagenet_classes, load_pretrained, preprocess, resize_for

CATS = {"tabby", "tiger_cat", "Egyptian_cat", "lynx"}
WITH_TOP = "mobilenet_2_5_224_tf.h5"


@pytest.fixture
def local(monkeypatch, shared_data):
    monkeypatch.setenv(data.DATA_ENV, str(shared_data))
    monkeypatch.setenv(data.OFFLINE_ENV, "1")
    return shared_data / "imagenet"


@pytest.fixture(scope="module")
def classifier(shared_data):
    """MobileNet 0.25 with its top, from the offline data, once for the tests that classify."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(data.DATA_ENV, str(shared_data))
        patch.setenv(data.OFFLINE_ENV, "1")
        return load_pretrained("mobilenet_0.25"), imagenet_classes()


@pytest.fixture
def imagenet_copy(monkeypatch, shared_data, tmp_path):
    """A writable copy of the imagenet folder, with CNN_COURSE_DATA pointing at it, offline."""
    folder = tmp_path / "imagenet"
    shutil.copytree(shared_data / "imagenet", folder)
    for path in folder.iterdir():
        path.chmod(0o644)  # the shared copy is read-only
    monkeypatch.setenv(data.DATA_ENV, str(tmp_path))
    monkeypatch.setenv(data.OFFLINE_ENV, "1")
    return folder


def _fail_if_called(*args, **kwargs):
    raise AssertionError("nothing may be downloaded here")


@pytest.fixture
def no_downloads(monkeypatch):
    """keras.applications may build networks (weights=None) but not download their weights."""

    def guarded(builder):
        def build(*args, weights="imagenet", **kwargs):
            if weights == "imagenet":
                _fail_if_called()
            return builder(*args, weights=weights, **kwargs)

        return build

    for name in ("MobileNet", "MobileNetV2"):
        monkeypatch.setattr(keras.applications, name, guarded(getattr(keras.applications, name)))
    monkeypatch.setattr(keras.utils, "get_file", _fail_if_called)


def _photo(name: str) -> np.ndarray:
    return getattr(skimage.data, name)()  # uint8 (H, W, 3), shipped with scikit-image: no download


@pytest.mark.parametrize(
    "name, include_top, params, output_shape, model_name, file, first_kernel",
    [
        ("mobilenet_0.25", True, 475_544, (None, 1000), "mobilenet_0.25_224", WITH_TOP, "conv1"),
        (
            "mobilenet_0.25",
            False,
            218_544,
            (None, 7, 7, 256),
            "mobilenet_0.25_224",
            "mobilenet_2_5_224_tf_no_top.h5",
            "conv1",
        ),
        (
            "mobilenet_v2_0.35",
            False,
            410_208,
            (None, 7, 7, 1280),
            "mobilenetv2_0.35_224",
            "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_224_no_top.h5",
            "Conv1",
        ),
    ],
)
def test_load_offline(local, no_downloads, name, include_top, params, output_shape, model_name, file, first_kernel):
    model = load_pretrained(name, include_top=include_top)
    assert model.name == model_name
    assert model.count_params() == params
    assert model.input_shape == (None, 224, 224, 3) and model.output_shape == output_shape
    assert model.trainable  # Keras's default, as documented: freezing is the caller's choice
    with h5py.File(local / file, "r") as stored:  # the file's weights, not a random start
        group = stored["model_weights"] if "model_weights" in stored else stored
        kernel = group[f"{first_kernel}/{first_kernel}/kernel:0"][()]
    assert np.array_equal(model.get_layer(first_kernel).get_weights()[0], kernel)


def test_the_backbone_is_the_same_with_and_without_the_top(local):
    top, backbone = load_pretrained("mobilenet_0.25"), load_pretrained("mobilenet_0.25", include_top=False)
    without = backbone.get_weights()
    assert all(np.array_equal(a, b) for a, b in zip(without, top.get_weights()[: len(without)]))


def test_classifies_a_cat_and_an_espresso(classifier):
    model, classes = classifier
    photos = np.concatenate([resize_for(_photo("chelsea")), resize_for(_photo("coffee"))])
    probabilities = model.predict(preprocess(photos), verbose=0)
    assert probabilities.shape == (2, 1000) and np.allclose(probabilities.sum(axis=1), 1, atol=1e-4)
    cat, coffee = decode_top(probabilities, k=5, classes=classes)
    # Measured: tabby 0.42, Egyptian_cat 0.35, tiger_cat 0.14, lynx 0.06, cheetah 0.01;
    # espresso 0.87, consomme 0.09 (TensorFlow, CPU): the margins are wide.
    assert cat[0][1] in CATS and len(CATS & {c for _, c, _ in cat}) >= 3, cat
    assert coffee[0][1] == "espresso" and coffee[0][2] > 0.5, coffee


def test_raw_pixels_are_not_the_network_s_input(classifier):
    """preprocess is Keras's own MobileNet preprocessing (an invariant); fed raw 0-255 pixels
    instead, the network no longer sees the cat (measured: top-1 'tick' 0.19, all cat classes
    together under 0.01, against 0.97 preprocessed)."""
    model, classes = classifier
    photo = resize_for(_photo("chelsea"))
    before = photo.copy()
    ready = preprocess(photo)
    assert np.array_equal(photo, before)  # the input is not changed
    assert ready.dtype == np.float32 and ready.min() >= -1 and ready.max() <= 1
    np.testing.assert_allclose(ready, photo / 127.5 - 1, atol=1e-6)
    np.testing.assert_array_equal(ready, keras.applications.mobilenet.preprocess_input(photo.copy()))
    cats = [classes.index(name) for name in CATS]
    right, raw = model.predict(np.concatenate([ready, photo]), verbose=0)
    assert right[cats].sum() > 0.8
    assert classes[int(raw.argmax())] not in CATS and raw[cats].sum() < 0.05, decode_top(raw[None], 5, classes)


def test_imagenet_classes(local, no_downloads):
    classes = imagenet_classes()
    assert len(classes) == 1000 and len(set(classes)) == 998  # 'crane' and 'maillot' appear twice
    assert classes[0] == "tench" and classes[285] == "Egyptian_cat" and classes[281] == "tabby"
    assert classes[967] == "espresso" and classes[999] == "toilet_tissue"


def test_unknown_name_lists_the_names(no_downloads):
    with pytest.raises(ValueError, match=r"name must be one of \['mobilenet_0.25', 'mobilenet_v2_0.35'\]"):
        load_pretrained("resnet50")
    with pytest.raises(ValueError, match="name must be one of"):
        preprocess(np.zeros((2, 2, 3)), name="MobileNet")
    with pytest.raises(ValueError, match="name must be one of"):
        resize_for(np.zeros((2, 2, 3)), name="mobilenet")


def test_mobilenet_v2_has_no_top(no_downloads):
    with pytest.raises(ValueError, match=r"mobilenet_v2_0.35 comes without .*include_top=False.*'mobilenet_0.25'"):
        load_pretrained("mobilenet_v2_0.35")
    with pytest.raises(ValueError, match="include_top must be True or False, got 'no'"):
        load_pretrained("mobilenet_0.25", include_top="no")


def test_corrupt_file_fails_the_hash_offline_and_online(imagenet_copy, monkeypatch, no_downloads):
    path = imagenet_copy / WITH_TOP
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF  # one byte flipped in the middle of the weights
    path.write_bytes(bytes(raw))
    for offline in ("1", "0"):  # online too: a corrupt local copy is never skipped for a download
        monkeypatch.setenv(data.OFFLINE_ENV, offline)
        with pytest.raises(DataError, match=f"{WITH_TOP} is corrupt.*SHA-256.*Copy {WITH_TOP} into") as error:
            load_pretrained("mobilenet_0.25")
        assert str(imagenet_copy) in str(error.value)
    (imagenet_copy / "imagenet_class_index.json").write_text("{}")
    with pytest.raises(DataError, match="imagenet_class_index.json is corrupt.*SHA-256"):
        imagenet_classes()
    load_pretrained("mobilenet_0.25", include_top=False)  # the other files are still fine


def test_missing_file_offline(imagenet_copy, no_downloads):
    (imagenet_copy / WITH_TOP).unlink()
    (imagenet_copy / "imagenet_class_index.json").unlink()
    expected = f"forbidden.*{WITH_TOP} is not in {imagenet_copy}.*Copy it there.*unset CNN_COURSE_OFFLINE"
    with pytest.raises(DataError, match=expected):
        load_pretrained("mobilenet_0.25")
    with pytest.raises(DataError, match="imagenet_class_index.json is not in"):
        imagenet_classes()


def test_offline_without_data_folder(monkeypatch, no_downloads):
    monkeypatch.delenv(data.DATA_ENV, raising=False)
    monkeypatch.setenv(data.OFFLINE_ENV, "1")
    with pytest.raises(DataError, match="forbidden.*CNN_COURSE_DATA is not set.*imagenet/mobilenet_v2_weights"):
        load_pretrained("mobilenet_v2_0.35", include_top=False)
    with pytest.raises(DataError, match="forbidden.*CNN_COURSE_DATA is not set"):
        imagenet_classes()


@pytest.mark.parametrize("folder", ["unset", "without imagenet/"])
def test_online_keras_downloads_its_own_files(monkeypatch, tmp_path, local, folder):
    """Without a local copy and online, keras.applications downloads (with a socket timeout)."""
    if folder == "unset":
        monkeypatch.delenv(data.DATA_ENV)
    else:
        monkeypatch.setenv(data.DATA_ENV, str(tmp_path))
    monkeypatch.setenv(data.OFFLINE_ENV, "0")
    seen = {}

    def fake_builder(**kwargs):
        seen.update(kwargs, timeout=socket.getdefaulttimeout())
        return "model"

    def fake_get_file(fname, origin, **kwargs):
        seen.update(fname=fname, origin=origin, **kwargs)
        return str(local / "imagenet_class_index.json")

    monkeypatch.setattr(keras.applications, "MobileNetV2", fake_builder)
    monkeypatch.setattr(keras.utils, "get_file", fake_get_file)
    assert load_pretrained("mobilenet_v2_0.35", include_top=False) == "model"
    assert seen == {
        "weights": "imagenet",
        "alpha": 0.35,
        "include_top": False,
        "input_shape": (224, 224, 3),
        "timeout": data.DOWNLOAD_TIMEOUT_S,
    }
    assert socket.getdefaulttimeout() is None
    assert imagenet_classes()[285] == "Egyptian_cat"
    assert seen["origin"] == pretrained.CLASS_INDEX_URL and seen["file_hash"] == pretrained.CLASS_INDEX_MD5
    assert seen["fname"] == "imagenet_class_index.json" and seen["cache_subdir"] == "models"


def test_download_failure_is_explained(monkeypatch):
    def broken(**kwargs):
        raise OSError("Name or service not known")

    monkeypatch.delenv(data.DATA_ENV, raising=False)
    monkeypatch.delenv(data.OFFLINE_ENV, raising=False)
    monkeypatch.setattr(keras.applications, "MobileNet", broken)
    with pytest.raises(DataError, match="Keras download failed.*Name or service not known.*~/.keras/models"):
        load_pretrained()


def test_decode_top():
    classes = [f"class {i}" for i in range(1000)]
    probabilities = np.zeros((2, 1000), np.float32)
    probabilities[0, [7, 3, 500]] = [0.5, 0.3, 0.2]
    probabilities[1, [9, 4]] = 0.5  # a tie goes to the lower index
    first, second = decode_top(probabilities, k=3, classes=classes)
    assert first == [(7, "class 7", 0.5), (3, "class 3", pytest.approx(0.3)), (500, "class 500", pytest.approx(0.2))]
    assert [i for i, _, _ in second] == [4, 9, 0]
    assert all(type(i) is int and type(p) is float for row in (first, second) for i, _, p in row)
    assert len(decode_top(probabilities, k=1000, classes=classes)[0]) == 1000


def test_decode_top_errors():
    classes = [str(i) for i in range(1000)]
    with pytest.raises(
        ValueError, match=r"shape \(N, 1000\).*got \(1000,\)\. For one image, pass probabilities\[None\]"
    ):
        decode_top(np.zeros(1000), classes=classes)
    with pytest.raises(
        ValueError, match=r"shape \(N, 1000\).*got \(2, 7, 7, 256\)\. These look like feature maps.*include_top=True"
    ):
        decode_top(np.zeros((2, 7, 7, 256)), classes=classes)
    with pytest.raises(ValueError, match=r"shape \(N, 1000\), one row per image, got \(3, 10\)\.$"):
        decode_top(np.zeros((3, 10)), classes=classes)
    for k in (0, 1001, 2.5, True):
        with pytest.raises(ValueError, match="k must be a whole number"):
            decode_top(np.zeros((1, 1000)), k=k, classes=classes)
    with pytest.raises(ValueError, match="classes must hold 1000 names, got 10"):
        decode_top(np.zeros((1, 1000)), classes=classes[:10])


def test_resize_for():
    stripes = np.zeros((100, 300, 3), np.uint8)  # black, grey and white thirds, left to right
    stripes[:, 100:200], stripes[:, 200:] = 128, 255
    cropped = resize_for(stripes)  # the centred square: the grey third only
    assert cropped.shape == (1, 224, 224, 3) and cropped.dtype == np.float32
    np.testing.assert_allclose(cropped, 128, atol=1e-3)
    stretched = resize_for(stripes, crop=False)
    assert stretched[0, :, :60].max() == 0 and stretched[0, :, -60:].min() == pytest.approx(255, abs=1e-3)
    assert 0 <= stretched.min() and stretched.max() <= 255  # no overshoot past the input's range
    batch = np.stack([stripes, 255 - stripes]).astype(np.float64)
    assert resize_for(batch, "mobilenet_v2_0.35").shape == (2, 224, 224, 3)
    assert stripes.max() == 255 and stripes[0, 0, 0] == 0  # the input is not changed


@pytest.mark.parametrize(
    "shape, hint",
    [
        ((32, 32), r"np.stack\(\[images\] \* 3, axis=-1\)"),
        ((5, 28, 28), r"np.stack\(\[images\] \* 3, axis=-1\)"),
        ((32, 32, 1), r"np.repeat\(images, 3, axis=-1\)"),
        ((2, 32, 32, 1), r"np.repeat\(images, 3, axis=-1\)"),
        ((32, 32, 4), r"images\[\.\.\., :3\]"),
        ((2, 32, 32, 4), r"images\[\.\.\., :3\]"),
        ((3, 224, 224), r"Channels first\? .*np.moveaxis\(images, -3, -1\)"),
        ((2, 3, 224, 224), "Channels first"),
        ((1, 2, 32, 32, 3), r"got shape \(1, 2, 32, 32, 3\)\.$"),
    ],
)
def test_only_rgb_images(shape, hint):
    for function in (resize_for, preprocess):
        with pytest.raises(ValueError, match=rf"RGB images of shape \(H, W, 3\) or \(N, H, W, 3\).*{hint}"):
            function(np.zeros(shape, np.uint8))


def test_preprocess_units():
    pixels = np.array([[[0, 127.5, 255]]], np.float64)
    for name in pretrained.PRETRAINED_NAMES:
        np.testing.assert_allclose(preprocess(pixels, name), [[[-1, 0, 1]]])
    assert preprocess(np.full((2, 3, 3, 3), 255, np.uint8)).dtype == np.float32
    assert preprocess(np.zeros((4, 4, 3))).max() == -1  # a black image is fine
    with pytest.raises(ValueError, match="from -1 to 1. Were they preprocessed already"):
        preprocess(preprocess(pixels))
    with pytest.raises(ValueError, match="look scaled to \\[0, 1\\]: multiply them by 255"):
        preprocess(pixels / 255)
    with pytest.raises(ValueError, match=r"from 0 to 300\. Pass the images as loaded"):
        preprocess(pixels * 300 / 255)
    with pytest.raises(ValueError, match="numeric pixels"):
        preprocess(np.full((2, 2, 3), "a"))

"""The course's own layers: what they compute, their parameter counts, and that saved models reload."""

import keras
import numpy as np
import pytest

from utils.layers import C3_TABLE, LocalResponseNormalization, Maxout, PCAColorShift, SparseC3, ZeroPadShortcut


def test_maxout_pieces_make_relu_and_abs():
    layer = Maxout(units=1, pieces=2)
    xs = np.linspace(-2, 2, 5, dtype="float32")[:, None]
    layer(xs)
    layer.linear.set_weights([np.array([[1.0, 0.0]]), np.zeros(2)])
    assert np.array_equal(layer(xs).numpy()[:, 0], np.maximum(xs[:, 0], 0))
    layer.linear.set_weights([np.array([[1.0, -1.0]]), np.zeros(2)])
    assert np.array_equal(layer(xs).numpy()[:, 0], np.abs(xs[:, 0]))


def test_sparse_c3_matches_the_paper_and_convolves_only_its_maps():
    layer = SparseC3()
    x = np.random.default_rng(0).normal(size=(2, 14, 14, 6)).astype("float32")
    out = layer(x).numpy()
    assert out.shape == (2, 10, 10, 16) and layer.count_params() == 1516
    # map 0 sees inputs 0-2 only: changing input map 5 leaves it alone, and changes map 3 (3, 4, 5)
    x2 = x.copy()
    x2[..., 5] += 1.0
    out2 = layer(x2).numpy()
    assert np.array_equal(out[..., 0], out2[..., 0]) and not np.allclose(out[..., 3], out2[..., 3])
    assert len(C3_TABLE) == 16 and sum(len(t) for t in C3_TABLE) == 60


@pytest.mark.parametrize(
    "make",
    [
        lambda: keras.Sequential([keras.Input((6,)), Maxout(4, 3), keras.layers.Dense(2)]),
        lambda: keras.Sequential(
            [keras.Input((14, 14, 6)), SparseC3("relu"), keras.layers.Flatten(), keras.layers.Dense(2)]
        ),
        lambda: keras.Sequential(
            [
                keras.Input((8, 8, 3)),
                PCAColorShift([0.1, 0.02, 0.01], np.eye(3), seed=1),
                keras.layers.Conv2D(6, 3),
                LocalResponseNormalization(alpha=0.1, alpha_over_n=True),
                ZeroPadShortcut(8),
                keras.layers.Flatten(),
                keras.layers.Dense(2),
            ]
        ),
    ],
)
def test_saved_models_reload_with_the_same_outputs(make, tmp_path):
    model = make()
    x = np.random.default_rng(1).normal(size=(3, *model.input_shape[1:])).astype("float32")
    path = tmp_path / "model.keras"
    model.save(path)
    reloaded = keras.models.load_model(path)
    assert np.allclose(reloaded(x), model(x), atol=1e-6)


def test_bad_arguments_say_what_is_wrong():
    with pytest.raises(ValueError, match="units must be a whole number >= 1"):
        Maxout(0)
    with pytest.raises(ValueError, match="pieces must be a whole number >= 1"):
        Maxout(3, pieces=2.5)
    with pytest.raises(ValueError, match="needs 6 input maps, but the input has only 4"):
        SparseC3()(np.zeros((1, 14, 14, 4), "float32"))


@pytest.mark.parametrize("alpha_over_n", [False, True])
def test_lrn_matches_tensorflow(alpha_over_n):
    """TensorFlow's depth_radius is n // 2 and its alpha is not divided by n; Caffe's is."""
    import tensorflow as tf

    x = np.random.default_rng(2).normal(scale=20, size=(2, 5, 5, 12)).astype("float32")
    ours = LocalResponseNormalization(size=5, k=2, alpha=1e-4, beta=0.75, alpha_over_n=alpha_over_n)(x)
    alpha = 1e-4 / 5 if alpha_over_n else 1e-4
    theirs = tf.nn.local_response_normalization(x, depth_radius=2, bias=2, alpha=alpha, beta=0.75)
    assert np.allclose(ours, theirs, rtol=1e-5, atol=1e-6)
    # the paper's formula written out for one value: channel 0 sees channels 0-2
    a = x[0, 0, 0]
    expected = a[0] / (2 + alpha * np.sum(a[:3] ** 2)) ** 0.75
    assert np.isclose(np.asarray(ours)[0, 0, 0, 0], expected, rtol=1e-5)


def test_pca_color_shift_follows_the_known_covariance():
    rng = np.random.default_rng(3)
    # pixels with a known RGB covariance: independent components along known directions
    vectors = np.linalg.qr(rng.normal(size=(3, 3)))[0]
    spread = np.array([0.3, 0.1, 0.03])
    pixels = (rng.normal(size=(200_000, 3)) * spread) @ vectors.T + 0.5
    layer = PCAColorShift.from_images(pixels.reshape(-1, 10, 10, 3), std=0.1, seed=0)
    order = np.argsort(layer.eigenvalues)
    assert np.allclose(np.array(layer.eigenvalues)[order], np.sort(spread**2), rtol=0.02)
    found = np.array(layer.eigenvectors)[:, order]
    assert np.allclose(np.abs(np.sum(found * vectors[:, np.argsort(spread**2)], axis=0)), 1, atol=1e-3)
    images = np.zeros((4000, 2, 2, 3), "float32")
    assert np.array_equal(layer(images), images)  # inference: the identity
    shifted = np.asarray(layer(images, training=True))
    shift = shifted[:, 0, 0]
    assert np.allclose(shifted, shift[:, None, None, :])  # one colour shift per image
    # shift = P (a * lambda), a ~ N(0, 0.1): covariance P diag((0.1 lambda)^2) P^T
    lam = np.array(layer.eigenvalues)
    expected = np.array(layer.eigenvectors) @ np.diag((0.1 * lam) ** 2) @ np.array(layer.eigenvectors).T
    assert np.allclose(np.cov(shift, rowvar=False), expected, atol=0.1 * np.abs(expected).max())
    assert np.abs(shift.mean(axis=0)).max() < 4 * 0.1 * lam.max() / np.sqrt(4000)


def test_new_layers_refuse_bad_arguments():
    with pytest.raises(ValueError, match="size must be odd"):
        LocalResponseNormalization(size=4)
    with pytest.raises(ValueError, match="eigenvectors be 3x3"):
        PCAColorShift([1, 2], np.eye(3))
    with pytest.raises(ValueError, match="std must be >= 0"):
        PCAColorShift([1, 2, 3], np.eye(3), std=-1)


@pytest.mark.parametrize(
    "build, wrong, says",
    [
        ("lenet5", (2, 28, 28, 1), "utils.pad_mnist"),
        ("lenet5", (2, 28, 28), "ndim=4"),
        ("vgg_cifar", (2, 28, 28, 3), "32x32x3"),
        ("alexnet_cifar", (2, 28, 28, 3), "32x32x3"),  # ran silently before: its 'same' pools fit 28x28
    ],
)
def test_fixed_size_builders_name_the_shape_they_take(build, wrong, says, tmp_path):
    from utils import models

    model = getattr(models, build)(**({} if build == "lenet5" else {"width": 0.1}))
    right = (2, *model.inputs[0].shape[1:])
    with pytest.raises(ValueError, match=r"expected (shape=\(None, 32, 32|ndim=4)") as error:
        model(np.zeros(wrong, "float32"))
    assert says in str(error.value)
    assert model(np.zeros(right, "float32")).shape == (2, 10)
    model.save(tmp_path / "model.keras")  # still a plain Sequential that reloads
    reloaded = keras.models.load_model(tmp_path / "model.keras")
    assert np.allclose(reloaded(np.ones(right, "float32")), model(np.ones(right, "float32")), atol=1e-5)


@pytest.mark.parametrize(
    ("build", "flag"),
    [("vgg_cifar", "batch_norm"), ("vgg16", "batch_norm"), ("googlenet", "batch_norm"), ("alexnet", "lrn")],
)
def test_builders_refuse_a_flag_that_is_not_true_or_false(build, flag):
    """batch_norm="no" built the batch-normalised network: a string counts as True."""
    from utils import models

    for bad in ("no", None, 0):
        with pytest.raises(ValueError, match=f"{flag} must be True or False: {bad!r}"):
            getattr(models, build)(**{flag: bad})

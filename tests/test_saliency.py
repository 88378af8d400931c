"""Saliency maps, adversarial examples, sanity checks and feature visualisation, checked against
what they must give on models whose answer is known: linear models (the gradient is the weights,
an occlusion's drop is a sum), a global-average-pooling network (Grad-CAM is CAM), a 1x1
convolution that copies the image (its most active images are the brightest)."""

import keras
import numpy as np
import pytest

from utils.saliency import (
    activation_maximization,
    channel_activation,
    deletion_curve,
    fgsm,
    grad_cam,
    gradient_map,
    logits_model,
    occlusion_map,
    random_ranking,
    randomized_copy,
    rank_correlation,
    receptive_crop,
    smoothgrad,
    top_activating,
    upsample,
)

SHAPE = (4, 5, 2)  # (H, W, C) of the linear models' images


def _linear(weights, bias, head=None):
    """Images SHAPE -> Flatten -> Dense with the given weights; ``head`` adds a softmax: 'dense'
    (activation='softmax'), 'layer' (a Softmax layer), 'activation' (Activation('softmax')) or 'lambda'."""
    dense = keras.layers.Dense(weights.shape[1], activation="softmax" if head == "dense" else None, name="out")
    tail = {
        "layer": [keras.layers.Softmax()],
        "activation": [keras.layers.Activation("softmax")],
        "lambda": [keras.layers.Lambda(lambda t: keras.ops.softmax(t))],
    }.get(head, [])
    model = keras.Sequential([keras.Input(SHAPE), keras.layers.Flatten(), dense, *tail])
    dense.set_weights([weights, bias])
    return model


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@pytest.fixture(scope="module")
def linear():
    """A linear 3-class model: its weights ``w`` (40, 3), bias ``b``, images ``x`` (3, *SHAPE)."""
    rng = np.random.default_rng(0)
    w = rng.normal(size=(int(np.prod(SHAPE)), 3)).astype("float32")
    b = rng.normal(size=3).astype("float32")
    x = rng.uniform(0, 1, size=(3, *SHAPE)).astype("float32")
    return {"model": _linear(w, b), "w": w, "b": b, "x": x, "softmax": _linear(w, b, "dense")}


@pytest.fixture(scope="module")
def cam():
    """Images (6, 6, 2) -> strided conv 'features' (3, 3, 3), no bias -> global average -> Dense 'out' (2)."""
    inputs = keras.Input((6, 6, 2))
    features = keras.layers.Conv2D(3, 2, strides=2, use_bias=False, name="features")(inputs)
    pooled = keras.layers.GlobalAveragePooling2D()(features)
    outputs = keras.layers.Dense(2, name="out")(pooled)
    model = keras.Model(inputs, outputs)
    rng = np.random.default_rng(1)
    model.get_layer("features").set_weights([rng.normal(size=(2, 2, 2, 3)).astype("float32")])
    model.get_layer("out").set_weights([rng.normal(size=(3, 2)).astype("float32"), np.array([0.3, -0.2], "float32")])
    return model


@pytest.fixture(scope="module")
def conv():
    """A small seeded conv net: images (8, 8, 1) -> 'conv1' -> 'pool' -> 'conv2' -> 'dense' (3 classes)."""
    init = keras.initializers.GlorotUniform
    return keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(4, 3, padding="same", activation="tanh", kernel_initializer=init(1), name="conv1"),
            keras.layers.MaxPooling2D(name="pool"),
            keras.layers.Conv2D(4, 3, padding="same", kernel_initializer=init(2), name="conv2"),
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(3, kernel_initializer=init(3), bias_initializer="zeros", name="dense"),
        ]
    )


# -- gradients --------------------------------------------------------------------------------


def test_gradient_map_of_a_linear_model_is_its_weights(linear):
    w3 = linear["w"].reshape(*SHAPE, 3)
    maps = gradient_map(linear["model"], linear["x"], 1)
    assert maps.shape == (3, 4, 5)
    np.testing.assert_allclose(maps, np.broadcast_to(np.abs(w3[..., 1]).max(axis=-1), maps.shape), rtol=1e-6)
    per_image = gradient_map(linear["model"], linear["x"], [0, 2, 1], batch_size=2)
    for i, c in enumerate([0, 2, 1]):
        np.testing.assert_allclose(per_image[i], np.abs(w3[..., c]).max(axis=-1), rtol=1e-6)
    np.testing.assert_allclose(gradient_map(linear["model"], linear["x"][0], 2), per_image[1], rtol=1e-6)


def test_maps_of_a_softmax_model_use_the_logit_unless_asked(linear):
    x, w, b = linear["x"], linear["w"], linear["b"]
    np.testing.assert_allclose(
        gradient_map(linear["softmax"], x, 0), gradient_map(linear["model"], x, 0), rtol=1e-6
    )  # the softmax is removed: the map of the score before it
    # d p_c / dx = p_c (w_c - sum_j p_j w_j)
    p = _softmax(x.reshape(3, -1) @ w + b)
    expected = p[:, [0]] * (w[:, 0] - p @ w.T)
    expected = np.abs(expected.reshape(3, *SHAPE)).max(axis=-1)
    for model in (linear["softmax"], linear["model"]):
        np.testing.assert_allclose(gradient_map(model, x, 0, score="probability"), expected, rtol=1e-4, atol=1e-7)


def test_smoothgrad_averages_gradient_maps_of_noisy_copies(linear, conv):
    # a linear model's gradient is the same everywhere: the noise changes nothing
    np.testing.assert_allclose(
        smoothgrad(linear["model"], linear["x"][0], 1, n=5), gradient_map(linear["model"], linear["x"][0], 1), rtol=1e-6
    )
    image = np.random.default_rng(2).uniform(size=(8, 8, 1)).astype("float32")
    np.testing.assert_allclose(smoothgrad(conv, image, 2, n=3, noise=0), gradient_map(conv, image, 2), rtol=1e-6)
    first = smoothgrad(conv, image, 2, n=8, seed=3)
    assert first.shape == (8, 8) and (first >= 0).all()
    np.testing.assert_array_equal(first, smoothgrad(conv, image, 2, n=8, seed=3, batch_size=3))
    assert not np.allclose(first, smoothgrad(conv, image, 2, n=8, seed=4))


# -- occlusion --------------------------------------------------------------------------------


@pytest.mark.parametrize("fill", [None, 0.25, [0.1, 0.9]])
def test_occlusion_drops_are_the_analytic_drops(linear, fill):
    image, w3 = linear["x"][1], linear["w"].reshape(*SHAPE, 3)[..., 2]
    colour = image.mean(axis=(0, 1)) if fill is None else np.broadcast_to(np.asarray(fill, "float32"), (2,))
    contribution = (w3 * (image - colour)).sum(axis=-1)  # what each pixel adds to the score over the fill
    tops, lefts = [0, 2], [0, 2, 3]  # stride 2 from the top left, plus the last column flush with the edge
    grid = occlusion_map(linear["model"], image, 2, patch=2, stride=2, fill=fill, grid=True, score="logit")
    expected = np.array([[contribution[t : t + 2, s : s + 2].sum() for s in lefts] for t in tops])
    np.testing.assert_allclose(grid, expected, rtol=1e-4, atol=1e-5)
    total, count = np.zeros((4, 5)), np.zeros((4, 5))
    for i, t in enumerate(tops):
        for j, s in enumerate(lefts):
            total[t : t + 2, s : s + 2] += expected[i, j]
            count[t : t + 2, s : s + 2] += 1
    per_pixel = occlusion_map(linear["model"], image, 2, patch=2, stride=2, fill=fill, batch_size=2, score="logit")
    assert count.min() >= 1
    np.testing.assert_allclose(per_pixel, total / count, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("which", ["model", "softmax"])
def test_occlusion_is_the_drop_in_probability_by_default(linear, which):
    image, w, b = linear["x"][0], linear["w"], linear["b"]
    grid = occlusion_map(linear[which], image, 1, patch=4, stride=4, fill=0.0, grid=True)
    assert grid.shape == (1, 2)  # patches at columns 0 and 1 (flush with the right edge)
    for j, left in enumerate([0, 1]):
        covered = image.copy()
        covered[:, left : left + 4] = 0.0
        p, q = _softmax(image.reshape(-1) @ w + b), _softmax(covered.reshape(-1) @ w + b)
        assert grid[0, j] == pytest.approx(p[1] - q[1], abs=1e-5)


# -- Grad-CAM ---------------------------------------------------------------------------------


def test_grad_cam_of_a_global_average_pooling_network_is_cam(cam):
    x = np.random.default_rng(3).normal(size=(4, 6, 6, 2)).astype("float32")
    features = keras.Model(cam.inputs[0], cam.get_layer("features").output)(x).numpy()  # (4, 3, 3, 3)
    weights = cam.get_layer("out").get_weights()[0]
    for c in (0, 1):
        expected = np.maximum(features @ weights[:, c], 0) / 9  # CAM (Zhou et al. 2016) over h * w
        maps = grad_cam(cam, x, c, "features", batch_size=3)
        assert maps.shape == (4, 3, 3)
        np.testing.assert_allclose(maps, expected, rtol=1e-5, atol=1e-6)
        resized = grad_cam(cam, x, c, "features", resize=True)
        assert resized.shape == (4, 6, 6)
        np.testing.assert_allclose(resized, upsample(expected, (6, 6)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(grad_cam(cam, x[2], 1, "features"), grad_cam(cam, x, 1, "features")[2], rtol=1e-6)


def test_upsample_keeps_constants_and_stays_within_the_values():
    assert np.allclose(upsample(np.full((3, 3), 0.7), (12, 9)), 0.7)
    maps = np.random.default_rng(4).uniform(size=(2, 3, 4))
    big = upsample(maps, (9, 8))
    assert big.shape == (2, 9, 8) and big.min() >= maps.min() - 1e-6 and big.max() <= maps.max() + 1e-6
    np.testing.assert_allclose(upsample(maps[1], (9, 8)), big[1], rtol=1e-6)


# -- FGSM -------------------------------------------------------------------------------------


def test_fgsm_steps_along_the_sign_of_the_weight_difference(linear):
    rng = np.random.default_rng(5)
    w = rng.normal(size=(int(np.prod(SHAPE)), 2)).astype("float32")
    b = np.zeros(2, "float32")
    x, labels = linear["x"], np.array([0, 1, 0])
    # the cross-entropy's gradient for label y is p_other (w_other - w_y)
    step = np.sign(w[:, 1] - w[:, 0]).reshape(SHAPE)
    expected = np.where(labels[:, None, None, None] == 0, step, -step)
    # a confident softmax model (weights x 1000): the probability is 1.0 in float32, the logit's loss still works
    for model in (_linear(w, b), _linear(w, b, "dense"), _linear(1000 * w, b, "dense")):
        adversarial = fgsm(model, x, labels, 0.03)
        np.testing.assert_allclose(adversarial - x, 0.03 * expected, atol=1e-6)
        np.testing.assert_array_equal(fgsm(model, x, labels[:, None], 0.03), adversarial)  # load_cifar10's (N, 1)
    clipped = fgsm(_linear(w, b), x, labels, 0.3, clip=(0.0, 1.0))
    np.testing.assert_allclose(clipped, np.clip(x + 0.3 * expected, 0, 1), atol=1e-6)
    assert clipped.min() >= 0 and clipped.max() <= 1
    np.testing.assert_array_equal(fgsm(_linear(w, b), x, labels, 0.0), x)
    assert fgsm(_linear(w, b), x[0], 0, 0.03).shape == SHAPE


def test_fgsm_moves_away_from_the_label_and_towards_the_target(linear):
    x, w, b = linear["x"], linear["w"], linear["b"]
    labels, target = np.array([0, 1, 2]), np.array([2, 0, 1])

    def probabilities(images):
        return _softmax(images.reshape(len(images), -1) @ w + b)

    before = probabilities(x)
    away = probabilities(fgsm(linear["model"], x, labels, 0.01))
    towards = probabilities(fgsm(linear["softmax"], x, target, 0.01, target=True))
    assert (away[np.arange(3), labels] < before[np.arange(3), labels]).all()
    assert (towards[np.arange(3), target] > before[np.arange(3), target]).all()


# -- deletion, rankings, rank correlation ------------------------------------------------------


def test_deletion_curve_by_the_true_contributions(linear):
    w = np.abs(linear["w"]).copy()
    model = _linear(w, linear["b"])
    image, c = linear["x"][2], 1
    contribution = (w[:, c].reshape(SHAPE) * image).sum(axis=-1)  # all > 0: fill 0, weights and pixels > 0
    fractions = (0, 0.05, 0.1, 0.2, 0.4, 0.7, 1)
    curve = deletion_curve(model, image, c, contribution, fractions, fill=0.0, score="logit")
    score = float(image.reshape(-1) @ w[:, c] + linear["b"][c])
    assert curve[0] == pytest.approx(score, rel=1e-5)
    ordered = np.sort(contribution.ravel())[::-1]
    expected = [score - ordered[: int(np.floor(f * 20 + 0.5))].sum() for f in fractions]
    np.testing.assert_allclose(curve, expected, rtol=1e-4, atol=1e-4)
    assert (np.diff(curve) <= 1e-5).all() and curve[-1] == pytest.approx(linear["b"][c], abs=1e-4)
    # the true ranking removes the most score at every fraction: any other ranking removes less
    for seed in range(3):
        random = deletion_curve(model, image, c, random_ranking((4, 5), seed), fractions, fill=0.0, score="logit")
        assert (curve <= random + 1e-5).all()
    for which in ("model", "softmax"):  # the probability by default, whatever the model ends in
        probability = deletion_curve(linear[which], image, 0, contribution, (1, 0), fill=0.0)
        assert probability[1] == pytest.approx(_softmax(image.reshape(-1) @ linear["w"] + linear["b"])[0], abs=1e-6)
        assert probability[0] == pytest.approx(_softmax(linear["b"])[0], abs=1e-6)


def test_random_ranking_is_a_seeded_permutation():
    ranking = random_ranking((4, 6), seed=7)
    assert ranking.shape == (4, 6) and sorted(ranking.ravel()) == list(range(24))
    np.testing.assert_array_equal(ranking, random_ranking((4, 6), seed=7))
    assert not np.array_equal(ranking, random_ranking((4, 6), seed=8))


def test_rank_correlation_by_hand_and_against_scipy():
    a = np.arange(12.0).reshape(3, 4)
    assert rank_correlation(a, a**3) == pytest.approx(1.0)
    assert rank_correlation(a, -a) == pytest.approx(-1.0)
    # ties share their mean rank: [1, 2, 2, 3] ranks (1, 2.5, 2.5, 4), [1, 3, 2, 4] ranks (1, 3, 2, 4)
    assert rank_correlation([1, 2, 2, 3], [1, 3, 2, 4]) == pytest.approx(4.5 / np.sqrt(4.5 * 5))
    assert rank_correlation([-3, 1, 2], [1, 2, 3], absolute=True) == pytest.approx(-0.5)
    assert np.isnan(rank_correlation(np.zeros((2, 2)), a[:2, :2]))  # a constant map has no ranking
    assert np.isnan(rank_correlation([1, -1], [1, 2], absolute=True))
    stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(9)
    for _ in range(5):
        x, y = rng.integers(0, 4, size=(6, 6)), rng.integers(-3, 3, size=(6, 6))  # many ties
        assert rank_correlation(x, y) == pytest.approx(stats.spearmanr(x.ravel(), y.ravel())[0], abs=1e-12)
        assert rank_correlation(x, y, absolute=True) == pytest.approx(
            stats.spearmanr(np.abs(x.ravel()), np.abs(y.ravel()))[0], abs=1e-12
        )


# -- randomisation ----------------------------------------------------------------------------


def test_randomized_copy_redraws_only_the_named_layers(conv):
    dense = conv.get_layer("dense")
    kernel, _ = dense.get_weights()
    dense.set_weights([kernel, np.array([0.5, -0.5, 1.0], "float32")])  # not the initializer's zeros
    before = [w.copy() for w in conv.get_weights()]
    x = np.random.default_rng(10).uniform(size=(2, 8, 8, 1)).astype("float32")
    copy = randomized_copy(conv, ["dense", "conv2"], seed=1)
    for original, now in zip(before, conv.get_weights()):
        np.testing.assert_array_equal(original, now)  # the original is untouched
    assert [layer.name for layer in copy.layers] == [layer.name for layer in conv.layers]
    np.testing.assert_array_equal(copy.get_layer("conv1").get_weights()[0], conv.get_layer("conv1").get_weights()[0])
    new_kernel, new_bias = copy.get_layer("dense").get_weights()
    assert not np.allclose(new_kernel, kernel) and np.abs(new_kernel).max() <= np.sqrt(6 / (4 + 3))  # Glorot uniform
    np.testing.assert_array_equal(new_bias, np.zeros(3))
    assert not np.allclose(copy.get_layer("conv2").get_weights()[0], conv.get_layer("conv2").get_weights()[0])
    assert not np.allclose(copy(x), conv(x))
    again = randomized_copy(conv, ["dense", "conv2"], seed=1)
    for one, two in zip(copy.get_weights(), again.get_weights()):
        np.testing.assert_array_equal(one, two)  # the same seed, the same copy
    other = randomized_copy(conv, "dense", seed=2)
    assert not np.allclose(other.get_layer("dense").get_weights()[0], new_kernel)
    np.testing.assert_array_equal(other.get_layer("conv2").get_weights()[0], conv.get_layer("conv2").get_weights()[0])


@pytest.mark.parametrize("head", ["dense", "layer", "activation"])
def test_logits_model_recovers_the_scores_before_the_softmax(linear, head):
    w, b, x = linear["w"], linear["b"], linear["x"]
    model = _linear(w, b, head)
    np.testing.assert_allclose(model(x), _softmax(x.reshape(3, -1) @ w + b), rtol=1e-5)
    logits = logits_model(model)
    np.testing.assert_allclose(logits(x), x.reshape(3, -1) @ w + b, rtol=1e-5, atol=1e-5)
    model.get_layer("out").set_weights([2 * w, b])  # the weights are shared, not copied
    np.testing.assert_allclose(logits(x), x.reshape(3, -1) @ (2 * w) + b, rtol=1e-5, atol=1e-5)


def test_a_softmax_that_cannot_be_removed_is_refused(linear):
    model = _linear(linear["w"], linear["b"], "lambda")
    with pytest.raises(ValueError, match="look like probabilities"):
        gradient_map(model, linear["x"], 0)
    with pytest.raises(ValueError, match="does not end in a softmax"):
        logits_model(linear["model"])


# -- units ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def copier():
    """Images (8, 8, 1) -> 1x1 conv 'copy' whose channel 0 is the image and channel 1 its negative."""
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(2, 1, use_bias=False, name="copy"),
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(2, name="out"),
        ]
    )
    model.get_layer("copy").set_weights([np.array([1.0, -1.0], "float32").reshape(1, 1, 1, 2)])
    return model


def test_top_activating_ranks_the_images_by_the_units_activation(copier):
    images = np.repeat(np.array([0.2, 0.6, 0.1, 0.4], "float32")[:, None, None, None], 64, axis=1).reshape(4, 8, 8, 1)
    spot = np.zeros((1, 8, 8, 1), "float32")
    spot[0, 2, 5] = 3.0  # mean 3/64, max 3
    images = np.concatenate([images, spot])
    indices, values = top_activating(copier, "copy", images, 0, k=3)
    np.testing.assert_array_equal(indices, [1, 3, 0])
    np.testing.assert_allclose(values, [0.6, 0.4, 0.2], rtol=1e-6)
    indices, values = top_activating(copier, "copy", images, 0, k=2, reduce="max")
    np.testing.assert_array_equal(indices, [4, 1])
    np.testing.assert_allclose(values, [3.0, 0.6], rtol=1e-6)
    np.testing.assert_array_equal(top_activating(copier, "copy", images, 1, k=2)[0], [4, 2])  # the negative
    assert channel_activation(copier, "copy", images[1], 1) == pytest.approx(-0.6)


def test_receptive_crop_is_centred_on_the_strongest_position_within_the_image(copier):
    image = np.zeros((8, 8, 1), "float32")
    image[2, 5] = 1.0
    np.testing.assert_array_equal(receptive_crop(copier, "copy", image, 0, 3), image[1:4, 4:7])  # centred
    image[2, 5], image[7, 0] = 0.0, 1.0
    np.testing.assert_array_equal(receptive_crop(copier, "copy", image, 0, 3), image[5:8, 0:3])  # moved inside
    np.testing.assert_array_equal(receptive_crop(copier, "copy", image, 0, 11), image)  # a field beyond the image


def test_activation_maximization_raises_the_activation(conv):
    random = np.random.default_rng(11).uniform(size=(32, 8, 8, 1)).astype("float32")
    grey = np.full((1, 8, 8, 1), 0.5, "float32")
    for layer, unit in (("conv2", 1), ("dense", 2)):
        image, reached = activation_maximization(conv, layer, unit, (8, 8, 1), steps=40, lr=0.1, seed=0)
        assert image.shape == (8, 8, 1) and image.min() >= 0 and image.max() <= 1
        assert reached == pytest.approx(channel_activation(conv, layer, image[None], unit)[0], rel=1e-5, abs=1e-6)
        start = channel_activation(conv, layer, grey, unit)[0]
        best_random = channel_activation(conv, layer, random, unit).max()
        spread = channel_activation(conv, layer, random, unit).std()
        assert reached > max(start, best_random) + 2 * spread, (layer, reached, start, best_random)
    same, _ = activation_maximization(conv, "conv2", 1, (8, 8, 1), steps=5, seed=3)
    np.testing.assert_array_equal(same, activation_maximization(conv, "conv2", 1, (8, 8, 1), steps=5, seed=3)[0])


@pytest.mark.parametrize("relu", ["fused", "a layer of its own"])
def test_a_unit_dead_on_grey_is_maximised_before_its_relu(relu):
    """A 1x1 conv with kernel 1 and bias -0.8, then a ReLU: 0 on grey (0.5), so no gradient after the
    ReLU; before it the objective is mean(x) - 0.8, at most 0.2 on images in [0, 1]."""
    if relu == "fused":
        layers = [keras.layers.Conv2D(1, 1, activation="relu", name="unit")]
    else:
        layers = [keras.layers.Conv2D(1, 1), keras.layers.ReLU(name="unit")]
    model = keras.Sequential([keras.Input((6, 6, 1)), *layers, keras.layers.Flatten()])
    model.layers[0].set_weights([np.ones((1, 1, 1, 1), "float32"), np.array([-0.8], "float32")])
    images = np.random.default_rng(13).uniform(size=(4, 6, 6, 1)).astype("float32")
    before = channel_activation(model, "unit", images, 0, before_activation=True)
    np.testing.assert_allclose(before, images.mean(axis=(1, 2, 3)) - 0.8, rtol=1e-5)
    image, reached = activation_maximization(model, "unit", 0, (6, 6, 1), steps=30, before_activation=False)
    assert reached == 0.0 and np.abs(image - 0.5).max() < 0.05  # stuck on grey
    image, reached = activation_maximization(model, "unit", 0, (6, 6, 1), steps=30)
    assert reached == pytest.approx(0.2, abs=1e-4) and image.min() > 0.999
    bright = np.full((6, 6, 1), 0.9, "float32")  # where the unit is alive, its output has a gradient too
    _, reached = activation_maximization(model, "unit", 0, (6, 6, 1), steps=30, before_activation=False, start=bright)
    assert reached == pytest.approx(0.2, abs=1e-4)


# -- bad input --------------------------------------------------------------------------------

X = np.random.default_rng(12).uniform(size=(3, *SHAPE)).astype("float32")
NAN = X.copy()
NAN[0, 0, 0, 0] = np.nan

BAD = [
    (lambda m: gradient_map(m["linear"], X[0, ..., 0], 0), ValueError, r"Add the channel axis"),
    (lambda m: gradient_map(m["linear"], X[None], 0), ValueError, r"one image \(H, W, C\) or a batch"),
    (lambda m: gradient_map(m["linear"], np.zeros((2, 5, 4, 2)), 0), ValueError, r"takes images of shape"),
    (lambda m: gradient_map(m["linear"], X, 3), ValueError, r"class_index 3 is out of range: .* 3 classes, 0 to 2"),
    (lambda m: gradient_map(m["linear"], X, -1), ValueError, r"class_index -1 is out of range"),
    (lambda m: gradient_map(m["linear"], X, 1.5), ValueError, r"class_index must be a whole number"),
    (lambda m: gradient_map(m["linear"], X, [0, 1]), ValueError, r"one per image, shape \(3,\)"),
    (lambda m: gradient_map(m["linear"], X, 0, score="prob"), ValueError, r"score must be one of 'logit'"),
    (lambda m: gradient_map(m["linear"], NAN, 0), ValueError, r"NaN or infinite"),
    (lambda m: gradient_map(m["linear"], X > 0.5, 0), TypeError, r"real numbers, got dtype bool"),
    (lambda m: gradient_map(m["linear"], X, 0, batch_size=0), ValueError, r"batch_size must be a whole number"),
    (lambda m: gradient_map("model", X, 0), TypeError, r"model must be a Keras model"),
    (lambda m: gradient_map(keras.Sequential([keras.layers.Dense(2)]), X, 0), ValueError, r"no defined input"),
    (lambda m: smoothgrad(m["linear"], X[0], 0, noise=-0.1), ValueError, r"noise must be >= 0"),
    (lambda m: occlusion_map(m["linear"], X, 0), ValueError, r"Pass one image of the batch"),
    (lambda m: occlusion_map(m["linear"], X[0], 0, patch=5), ValueError, r"patch 5 is larger than the image"),
    (lambda m: occlusion_map(m["linear"], X[0], 0, 2, fill=[0, 0, 0]), ValueError, r"one per channel, shape \(2,\)"),
    (lambda m: occlusion_map(m["linear"], X[0], [0, 1], 2), ValueError, r"class_index must be one class"),
    (
        lambda m: grad_cam(m["cam"], np.zeros((6, 6, 2)), 0, "nope"),
        ValueError,
        r"no layer 'nope'; the layers that give feature maps \(N, h, w, K\): 'features'\.",
    ),
    (
        lambda m: grad_cam(m["cam"], np.zeros((6, 6, 2)), 0, "out"),
        ValueError,
        r"'out' gives outputs of shape \(None, 2\), not feature maps",
    ),
    (lambda m: grad_cam(m["cam"], np.zeros((6, 6, 2)), 0, 3), TypeError, r"layer_name must be a layer's name"),
    (lambda m: fgsm(m["linear"], X, [0, 1, 2], -0.1), ValueError, r"epsilon must be >= 0"),
    (lambda m: fgsm(m["linear"], X, [0, 1, 2], float("nan")), ValueError, r"epsilon must be a finite number"),
    (lambda m: fgsm(m["linear"], X, [0, 1, 5], 0.1), ValueError, r"labels 5 is out of range"),
    (lambda m: fgsm(m["linear"], X, [0, 3, 1], 0.1, target=True), ValueError, r"labels 3 is out of range"),
    (lambda m: fgsm(m["linear"], X, [0, 1, 2], 0.1, target=2), ValueError, r"target must be True .* or False"),
    (lambda m: fgsm(m["linear"], 255 * X, [0, 1, 2], 0.1, clip=(0, 1)), ValueError, r"outside clip=\(0, 1\)"),
    (lambda m: fgsm(m["linear"], X, [0, 1, 2], 0.1, clip=(1, 0)), ValueError, r"low < high"),
    (lambda m: deletion_curve(m["linear"], X[0], 0, np.zeros((5, 4))), ValueError, r"saliency has shape \(5, 4\)"),
    (lambda m: deletion_curve(m["linear"], X[0], 0, np.zeros((4, 5)), (0, 1.5)), ValueError, r"fractions must"),
    (lambda m: rank_correlation(np.zeros((2, 3)), np.zeros((3, 2))), ValueError, r"same shape"),
    (lambda m: rank_correlation([1], [2]), ValueError, r"at least 2 values"),
    (lambda m: random_ranking((4,)), ValueError, r"\(height, width\)"),
    (lambda m: upsample(np.zeros(4), (2, 2)), ValueError, r"one map \(h, w\) or a batch"),
    (lambda m: randomized_copy(m["conv"], ["nope"]), ValueError, r"'nope' is not a layer.*'conv1', 'conv2', 'dense'"),
    (lambda m: randomized_copy(m["conv"], ["pool"]), ValueError, r"'pool' has no weights"),
    (lambda m: randomized_copy(m["conv"], []), ValueError, r"non-empty list of names"),
    (lambda m: logits_model(m["conv"]), ValueError, r"'dense' \(Dense, activation 'linear'\)"),
    (lambda m: top_activating(m["conv"], "conv1", np.zeros((2, 8, 8, 1)), 0, k=3), ValueError, r"k 3 is more than"),
    (lambda m: top_activating(m["conv"], "conv1", np.zeros((2, 8, 8, 1)), 4), ValueError, r"unit 4 is out of range"),
    (lambda m: top_activating(m["conv"], "conv1", np.zeros((2, 8, 8, 1)), 0, reduce="sum"), ValueError, r"reduce"),
    (lambda m: receptive_crop(m["conv"], "conv1", np.zeros((8, 8, 1)), 0, 0), ValueError, r"size must be a whole"),
    (lambda m: receptive_crop(m["conv"], "dense", np.zeros((8, 8, 1)), 0, 3), ValueError, r"gives no feature maps"),
    (lambda m: activation_maximization(m["conv"], "conv2", 0, (8, 8, 3)), ValueError, r"takes images of shape"),
    (lambda m: activation_maximization(m["conv"], "conv2", 0, (8, 8, 1), l2=1.0), ValueError, r"below 1"),
    (lambda m: activation_maximization(m["conv"], "no", 0, (8, 8, 1)), ValueError, r"no layer 'no'"),
    (
        lambda m: activation_maximization(m["conv"], "conv2", 0, (8, 8, 1), start=np.full((8, 8, 1), 2.0)),
        ValueError,
        r"outside value_range",
    ),
]


@pytest.mark.parametrize("call, error, says", BAD, ids=[f"{i:02d}" for i in range(len(BAD))])
def test_bad_input_says_what_is_wrong(linear, cam, conv, call, error, says):
    with pytest.raises(error, match=says):
        call({"linear": linear["model"], "cam": cam, "conv": conv})

"""The builders of the networks after ResNet (utils.models): sizes against the papers and
against keras.applications, the blocks' shapes and cost formulas, the ImageNet weights in the
course's MobileNet, LayerScale, the pretrained loader's size, and the errors on bad input."""

import keras
import numpy as np
import pytest
import skimage.data

import utils.data as data
from utils import models
from utils.layers import LayerScale
from utils.pretrained import load_pretrained, preprocess, resize_for
from utils.summary import model_summary


def trainable(model):
    return sum(int(np.prod(w.shape)) for w in model.trainable_weights)


def macs(model):
    return int(model_summary(model).iloc[-1]["MACs"])


@pytest.mark.parametrize(
    "build, paper_params",
    [
        (lambda: models.densenet_cifar(40, 12, bottleneck=False, compression=1.0), 1.0),  # Table 2
        (lambda: models.densenet_cifar(100, 12), 0.8),
        (lambda: models.densenet_cifar(250, 24), 15.3),
    ],
)
def test_densenets_have_the_papers_sizes(build, paper_params):
    model = build()
    assert round(trainable(model) / 1e6, 1) == paper_params
    assert model.output_shape == (None, 10)


def test_dense_layers_grow_by_k_and_transitions_compress():
    inputs = keras.Input((8, 8, 24))
    x = models.dense_layer(inputs, 12, True, "a")
    assert x.shape[-1] == 36
    y = models.transition(models.dense_layer(x, 12, False, "b"), 0.5, "t")
    assert tuple(y.shape[1:]) == (4, 4, 24)


@pytest.mark.parametrize("alpha, paper_macs, paper_params", [(1.0, 569, 4.2), (0.25, 41, 0.5)])
def test_mobilenet_v1_is_keras_mobilenet_and_the_papers(alpha, paper_macs, paper_params):
    ours = models.mobilenet_v1(alpha)
    assert ours.count_params() == keras.applications.MobileNet(alpha=alpha, weights=None).count_params()
    assert round(macs(ours) / 1e6) == paper_macs  # Table 6
    assert round(trainable(ours) / 1e6, 1) == paper_params


def test_mobilenet_v1_takes_the_imagenet_weights(monkeypatch, shared_data):
    monkeypatch.setenv(data.DATA_ENV, str(shared_data))
    monkeypatch.setenv(data.OFFLINE_ENV, "1")
    reference = load_pretrained("mobilenet_0.25")
    ours = models.mobilenet_v1(0.25)
    weights = reference.get_weights()
    weights[-2] = weights[-2].reshape(ours.get_layer("logits").kernel.shape)
    ours.set_weights(weights)
    cat = preprocess(resize_for(skimage.data.chelsea()))
    p = keras.ops.convert_to_numpy(keras.ops.softmax(ours(cat)))
    assert np.allclose(p, keras.ops.convert_to_numpy(reference(cat)), atol=1e-5)


def test_mobilenet_v2_is_keras_mobilenet_v2_and_300m_macs():
    ours = models.mobilenet_v2()
    assert ours.count_params() == keras.applications.MobileNetV2(weights=None).count_params()
    assert round(macs(ours) / 1e6, -1) == 300  # "300 million multiply-adds"


def test_inverted_residual_costs_the_papers_formula_and_adds_only_when_shapes_match():
    h, d_in, d_out, t = 14, 64, 96, 6
    inputs = keras.Input((h, h, d_in))
    block = keras.Model(inputs, models.inverted_residual(inputs, t, d_out, 1, "b"))
    assert macs(block) == h * h * d_in * t * (d_in + 9 + d_out)
    assert not any(isinstance(layer, keras.layers.Add) for layer in block.layers)
    same = keras.Model(inputs, models.inverted_residual(inputs, t, d_in, 1, "c"))
    assert any(isinstance(layer, keras.layers.Add) for layer in same.layers)
    halved = models.inverted_residual(inputs, t, d_out, 2, "d")
    assert tuple(halved.shape[1:]) == (7, 7, d_out)


def test_squeeze_excite_params_and_one_weight_per_channel():
    c, r = 64, 16
    inputs = keras.Input((5, 5, c))
    se = keras.Model(inputs, models.squeeze_excite(inputs, r, "se"))
    assert se.count_params() == 2 * c * c // r + c // r + c
    x = np.random.default_rng(0).normal(size=(3, 5, 5, c)).astype("float32")
    scale = keras.ops.convert_to_numpy(se(x)) / x
    assert np.allclose(scale, scale[:, :1, :1]) and (scale > 0).all() and (scale < 1).all()


def test_compound_scaling_grows_the_cifar_mobilenet():
    base = models.mobilenet_v2(0.35, 32, 10, cifar=True)
    grown = models.mobilenet_v2(0.35 * 1.1, 37, 10, depth=1.2, cifar=True)
    assert macs(grown) > macs(base) and len(grown.layers) > len(base.layers)
    assert base.output_shape == (None, 10)


def test_convnext_tiny_is_keras_and_the_papers():
    ours = models.convnext()
    keras_tiny = keras.applications.ConvNeXtTiny(weights=None, include_preprocessing=False)
    assert ours.count_params() == keras_tiny.count_params()
    assert round(trainable(ours) / 1e6) == 29 and round(macs(ours) / 1e9, 1) == 4.5  # Table 1


def test_small_cifar_networks_train_one_step():
    for model in (
        models.densenet_cifar(40, 12),
        models.mobilenet_v2(0.35, 32, 10, cifar=True),
        models.convnext((1, 1), (16, 32), 32, patch=2, classes=10, cifar=True),
    ):
        # eagerly: one step runs faster than tracing a graph for it
        model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True), run_eagerly=True)
        loss = model.train_on_batch(np.random.default_rng(0).random((4, 32, 32, 3), "float32"), np.arange(4))
        assert np.isfinite(loss)


def test_layer_scale_starts_small_and_reloads(tmp_path):
    inputs = keras.Input((4, 4, 3))
    model = keras.Model(inputs, LayerScale(0.5)(inputs))
    x = np.ones((1, 4, 4, 3), "float32")
    assert np.allclose(model(x), 0.5)
    model.save(tmp_path / "m.keras")
    assert np.allclose(keras.models.load_model(tmp_path / "m.keras")(x), 0.5)
    with pytest.raises(ValueError, match="init must be a number > 0"):
        LayerScale(0)


@pytest.mark.parametrize(
    "build, says",
    [
        (lambda: models.densenet_cifar(41), r"depth must be 6n \+ 4"),
        (lambda: models.densenet_cifar(40, 12, bottleneck=False, compression=1.0, classes=0), "classes"),
        (lambda: models.densenet_cifar(100, compression=1.5), r"compression must be in \(0, 1\]"),
        (lambda: models.densenet_cifar(100, bottleneck="yes"), "bottleneck must be True or False"),
        (lambda: models.mobilenet_v1(alpha=0), "alpha must be above 0"),
        (lambda: models.mobilenet_v1(size=16), "size must be at least 32"),
        (lambda: models.mobilenet_v2(depth=-1), "depth must be a number >= 0"),
        (lambda: models.convnext((3, 3), (96,)), "depths and dims must be tuples of the same length"),
        (lambda: models.convnext((3, 0), (96, 192)), "each entry of depths and dims must be a whole number"),
    ],
)
def test_bad_arguments_say_what_is_wrong(build, says):
    with pytest.raises(ValueError, match=says):
        build()


def test_the_pretrained_backbone_takes_other_sizes(monkeypatch, shared_data):
    monkeypatch.setenv(data.DATA_ENV, str(shared_data))
    monkeypatch.setenv(data.OFFLINE_ENV, "1")
    small = load_pretrained("mobilenet_v2_0.35", include_top=False, size=96)
    assert small.output_shape == (None, 3, 3, 1280)
    full = load_pretrained("mobilenet_v2_0.35", include_top=False)
    for a, b in zip(small.get_weights(), full.get_weights()):
        assert np.array_equal(a, b)
    with pytest.raises(ValueError, match="size must be 224 with the top"):
        load_pretrained("mobilenet_0.25", include_top=True, size=96)
    with pytest.raises(ValueError, match="at least 32 without it"):
        load_pretrained("mobilenet_v2_0.35", include_top=False, size=16)

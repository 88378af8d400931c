"""The architecture table against Keras's own counts and hand-worked multiply-adds."""

import keras
import numpy as np
import pytest

from utils.geometry import conv2d_macs
from utils.summary import model_summary


def lenet_like():
    return keras.Sequential(
        [
            keras.Input((32, 32, 1)),
            keras.layers.Conv2D(6, 5, activation="tanh"),
            keras.layers.AveragePooling2D(2),
            keras.layers.Conv2D(16, 5, activation="tanh"),
            keras.layers.AveragePooling2D(2),
            keras.layers.Flatten(),
            keras.layers.Dense(120, activation="tanh"),
            keras.layers.Dense(84, activation="tanh"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )


def test_lenet_table():
    model = lenet_like()
    table = model_summary(model)
    assert list(table.columns) == ["layer", "type", "output shape", "params", "MACs"]
    assert table["layer"].iloc[0] == "input" and table["layer"].iloc[-1] == "Total"
    assert table["output shape"].tolist()[:6] == [
        "(32, 32, 1)",
        "(28, 28, 6)",
        "(14, 14, 6)",
        "(10, 10, 16)",
        "(5, 5, 16)",
        "(400,)",
    ]
    assert table["params"].iloc[-1] == model.count_params() == 61706
    conv_macs = conv2d_macs((28, 28, 6), 5, 1) + conv2d_macs((10, 10, 16), 5, 6)
    dense_macs = 400 * 120 + 120 * 84 + 84 * 10
    assert table["MACs"].iloc[-1] == conv_macs + dense_macs == 416_520


def test_lenet_connections_match_the_paper():
    table = model_summary(lenet_like(), connections=True).set_index("output shape")
    assert table.loc["(28, 28, 6)", "connections"] == 122_304  # C1, as in LeCun et al. 1998
    assert table.loc["(14, 14, 6)", "connections"] == 14 * 14 * 6 * 4  # the paper adds 1 for its trainable bias
    assert table.loc["(120,)", "connections"] == 48_120  # C5
    assert table.loc["(84,)", "connections"] == 10_164  # F6
    assert "connections" not in model_summary(lenet_like()).columns


def test_other_conv_layers_and_nesting():
    inner = keras.Sequential(
        [
            keras.Input((8, 8, 4)),
            keras.layers.DepthwiseConv2D(3),
            keras.layers.SeparableConv2D(5, 3),
            keras.layers.BatchNormalization(),
        ]
    )
    inputs = keras.Input((8, 8, 4))
    a = inner(inputs)
    b = keras.layers.Conv2D(5, 1, strides=2)(keras.layers.Conv2DTranspose(2, 2)(inputs))
    outputs = keras.layers.Concatenate()(
        [keras.layers.GlobalAveragePooling2D()(a), keras.layers.GlobalAveragePooling2D()(b)]
    )
    model = keras.Model(inputs, outputs)
    table = model_summary(model).set_index("layer")
    name = inner.name
    assert table.loc[f"{name}/" + inner.layers[0].name, "MACs"] == 6 * 6 * 4 * 9
    assert table.loc[f"{name}/" + inner.layers[1].name, "MACs"] == 4 * 4 * 4 * 9 + 4 * 4 * 4 * 5
    transpose = [n for n in table.index if table.loc[n, "type"] == "Conv2DTranspose"][0]
    assert table.loc[transpose, "MACs"] == 8 * 8 * 4 * 4 * 2
    assert table.loc["Total", "params"] == model.count_params()


def test_named_inputs_keep_their_names():
    image, extra = keras.Input((4, 4, 1), name="image"), keras.Input((2,))
    joined = keras.layers.Concatenate()([keras.layers.Flatten()(image), extra])
    table = model_summary(keras.Model([image, extra], keras.layers.Dense(1)(joined)))
    assert table["layer"].tolist()[:2] == ["image", "input 1"]


def test_dense_on_sequences_counts_every_position():
    model = keras.Sequential([keras.Input((7, 3)), keras.layers.Dense(4)])
    assert model_summary(model)["MACs"].iloc[-1] == 7 * 3 * 4


def test_unbuilt_model_and_wrong_type():
    with pytest.raises(ValueError, match="keras.Input"):
        model_summary(keras.Sequential([keras.layers.Dense(3)]))
    with pytest.raises(ValueError, match="needs a keras.Model"):
        model_summary(keras.layers.Dense(3))


def test_unknown_sizes_are_shown_and_their_macs_marked_missing():
    backbone = keras.applications.MobileNetV2(weights=None, include_top=False)  # any image size
    table = model_summary(backbone)
    assert table["params"].iloc[-1] == backbone.count_params()
    assert "(None, None, 3)" in table["output shape"].iloc[0]
    conv = table[table["type"] == "Conv2D"]
    assert conv["MACs"].isna().all() and table["MACs"].isna().iloc[-1]
    sized = model_summary(keras.applications.MobileNetV2(weights=None, include_top=False, input_shape=(96, 96, 3)))
    assert sized["MACs"].notna().all() and sized["MACs"].iloc[-1] > 0


def test_shared_layer_counts_every_call():
    shared = keras.layers.Dense(4, name="shared")
    a, b = keras.Input((3,)), keras.Input((3,))
    model = keras.Model([a, b], keras.layers.Add()([shared(a), shared(b)]))
    row = model_summary(model).set_index("layer").loc["shared"]
    assert row["type"] == "Dense ×2" and row["MACs"] == 2 * 3 * 4 and row["params"] == 16


def test_time_distributed_counts_every_step():
    model = keras.Sequential([keras.Input((5, 8, 8, 3)), keras.layers.TimeDistributed(keras.layers.Conv2D(4, 3))])
    assert model_summary(model)["MACs"].iloc[1] == 5 * 6 * 6 * 4 * 3 * 3 * 3


def test_subclassed_model_gets_advice_that_helps():
    class Tiny(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(3)

        def call(self, x):
            return self.dense(x)

    tiny = Tiny()
    tiny(np.zeros((1, 4), "float32"))  # called, so built
    with pytest.raises(ValueError, match="subclassed keras.Model .*Functional API"):
        model_summary(tiny)

"""Output sizes, padding and parameter counts: worked by hand, checked against Keras layers."""

import itertools

import keras
import numpy as np
import pytest

from utils.geometry import (
    conv2d_macs,
    conv2d_output_shape,
    conv2d_params,
    conv_output_size,
    dense_params,
    effective_kernel_size,
    padding_amounts,
    pool_output_size,
    same_padding,
)


@pytest.mark.parametrize(
    "args, expected",
    [
        ((7, 3, 1, 0), 5),  # CS231n: 7x7 input, 3x3 filter, stride 1
        ((7, 3, 2, 0), 3),  # ... stride 2
        ((5, 3, 2, 1), 3),  # the worked multi-channel example
        ((227, 11, 4, 0), 55),  # AlexNet conv1
        ((32, 5, 1, 2), 32),  # 'same' by hand: P = (F - 1) / 2
        ((32, 5, 1, "valid"), 28),  # LeNet C1
        ((5, 3, 2, "same"), 3),
        ((6, 3, 2, "same"), 3),
        ((7, 3, 1, 0, 2), 3),  # dilation 2: the kernel spans 5 pixels
        ((1, 1, 1, "valid"), 1),
    ],
)
def test_conv_output_size_by_hand(args, expected):
    assert conv_output_size(*args) == expected


def test_pool_output_size_by_hand():
    assert pool_output_size(4, 2) == 2  # the 4x4 example, 2x2 windows
    assert pool_output_size(55, 3, 2) == 27  # AlexNet's overlapping pooling
    assert pool_output_size(28, 2) == 14  # LeNet S2
    assert pool_output_size(5, 2, padding="same") == 3


def test_strict_flags_a_stride_that_does_not_fit():
    # 5x5 input, 2x2 window, stride 2: (5 - 2) / 2 = 1.5, one row and column would be dropped
    assert conv_output_size(5, 2, 2, 0) == 2
    with pytest.raises(ValueError, match="stride 2 does not fit"):
        conv_output_size(5, 2, 2, 0, strict=True)
    assert conv_output_size(6, 2, 2, 0, strict=True) == 3  # one extra row and column of padding fixes it


def test_same_padding_by_hand():
    assert same_padding(6, 3, 2) == (0, 1)  # even input, stride 2: the extra zero goes after
    assert same_padding(5, 3, 1) == (1, 1)
    assert same_padding(5, 2, 2) == (0, 1)
    assert same_padding(7, 3, 2) == (1, 1)
    assert same_padding(4, 1, 1) == (0, 0)
    assert effective_kernel_size(3, 2) == 5
    assert padding_amounts(6, 3, 2, "same") == (0, 1)
    assert padding_amounts(6, 3, 2, 2) == (2, 2) and padding_amounts(6, 3, 2, "VALID") == (0, 0)
    with pytest.raises(ValueError, match="padding"):
        padding_amounts(6, 3, 2, "full")


def _keras_length(layer, size):
    out = layer(np.zeros((1, size, size, 1), dtype="float32"))
    return int(out.shape[1])


GRID = [
    (w, f, s, p, d)
    for w, f, s, p, d in itertools.product(range(4, 12, 3), (1, 2, 3, 5), (1, 2, 3), ("valid", "same"), (1, 2))
    if not (s > 1 and d > 1) and (p == "same" or d * (f - 1) + 1 <= w)
]


@pytest.mark.parametrize("w, f, s, p, d", GRID)
def test_conv_output_size_matches_keras_conv2d(w, f, s, p, d):
    layer = keras.layers.Conv2D(1, f, strides=s, padding=p, dilation_rate=d)
    assert conv_output_size(w, f, s, p, d) == _keras_length(layer, w)


@pytest.mark.parametrize("w, f, s, pad", [(5, 3, 2, 1), (7, 3, 1, 1), (8, 5, 3, 2), (6, 2, 2, 1), (9, 4, 2, 0)])
def test_integer_padding_matches_zero_padding_plus_valid(w, f, s, pad):
    model = keras.Sequential(
        [keras.Input((w, w, 1)), keras.layers.ZeroPadding2D(pad), keras.layers.Conv2D(1, f, strides=s)]
    )
    assert conv_output_size(w, f, s, pad) == model.output_shape[1]


@pytest.mark.parametrize(
    "w, f, s, p", [(6, 2, 2, "valid"), (55, 3, 2, "valid"), (7, 3, 2, "same"), (5, 2, None, "same")]
)
def test_pool_output_size_matches_keras(w, f, s, p):
    for layer_class in (keras.layers.MaxPooling2D, keras.layers.AveragePooling2D):
        layer = layer_class(f, strides=s, padding=p)
        assert pool_output_size(w, f, s, p) == _keras_length(layer, w)


@pytest.mark.parametrize("w, f, s", [(6, 3, 2), (5, 3, 1), (8, 4, 3), (7, 2, 2), (10, 5, 2)])
def test_same_padding_reproduces_keras_same_numbers(w, f, s):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1, w, w, 2)).astype("float32")
    same = keras.layers.Conv2D(3, f, strides=s, padding="same")
    y_same = same(x)
    before, after = same_padding(w, f, s)
    explicit = keras.Sequential(
        [keras.layers.ZeroPadding2D(((before, after), (before, after))), keras.layers.Conv2D(3, f, strides=s)]
    )
    explicit(x)
    explicit.layers[1].set_weights(same.get_weights())
    np.testing.assert_allclose(explicit(x), y_same, atol=1e-5)


def test_params_match_keras():
    conv = keras.layers.Conv2D(16, 5)
    conv.build((None, 32, 32, 3))
    assert conv2d_params(5, 3, 16) == conv.count_params() == 1216
    assert conv2d_params((3, 5), 4, 2, use_bias=False) == 3 * 5 * 4 * 2
    dense = keras.layers.Dense(10)
    dense.build((None, 84))
    assert dense_params(84, 10) == dense.count_params() == 850
    assert dense_params(1000 * 1000, 1000) == 1_000_001_000


def test_conv2d_output_shape_and_macs():
    assert conv2d_output_shape((32, 32, 1), 6, 5) == (28, 28, 6)
    assert conv2d_output_shape((227, 227, 3), 96, 11, stride=4) == (55, 55, 96)
    assert conv2d_output_shape((8, 10, 3), 4, (3, 5), padding="same") == (8, 10, 4)
    assert conv2d_macs((28, 28, 6), 5, 1) == 28 * 28 * 6 * 25 == 117_600


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: conv_output_size(0, 3), "input_size"),
        (lambda: conv_output_size(-4, 3), "input_size"),
        (lambda: conv_output_size(5.5, 3), "input_size"),
        (lambda: conv_output_size(True, 3), "input_size"),
        (lambda: conv_output_size(5, 0), "kernel_size"),
        (lambda: conv_output_size(5, 2.0), "kernel_size"),
        (lambda: conv_output_size(5, 3, 0), "stride"),
        (lambda: conv_output_size(5, 3, 1.5), "stride"),
        (lambda: conv_output_size(5, 3, 1, "full"), "padding"),
        (lambda: conv_output_size(5, 3, 1, -1), "padding"),
        (lambda: conv_output_size(5, 3, 1, 1.0), "padding"),
        (lambda: conv_output_size(5, 3, 1, 0, 0), "dilation"),
        (lambda: conv_output_size(5, 7), "kernel_size 7"),
        (lambda: conv_output_size(5, 3, 1, 0, 3), "larger than the padded input"),
        (lambda: conv_output_size(9, 3, 2, 0, 2), "stride 2 and dilation 2"),
        (lambda: padding_amounts(0, 3), "input_size"),
        (lambda: padding_amounts(6, 0, 1, "same"), "kernel_size"),
        (lambda: padding_amounts(6, 3, 0, 1), "stride"),
        (lambda: padding_amounts(6, 3, 1, 1, 0), "dilation"),
        (lambda: padding_amounts(4, 7, 1, 1), "larger than the padded input"),
        (lambda: padding_amounts(6, 3, 2, "same", 2), "dilation"),
        (lambda: same_padding(6, 3, -2), "stride"),
        (lambda: pool_output_size(4, 0), "pool_size"),
        (lambda: conv2d_output_shape((1, 32, 32, 3), 6, 5), "input_shape"),
        (lambda: conv2d_output_shape((32, 32, 0), 6, 5), "channels"),
        (lambda: conv2d_output_shape((32, 32, 3), 6, (5, 5, 5)), "kernel_size"),
        (lambda: conv2d_params(3, 0, 4), "in_channels"),
        (lambda: dense_params(10, -1), "out_units"),
        (lambda: conv2d_macs((28, 28), 5, 1), "output_shape"),
    ],
)
def test_bad_input_names_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_numpy_integers_are_accepted():
    assert conv_output_size(np.int64(7), np.int32(3), np.int8(2)) == 3


def test_keras_refuses_stride_and_dilation_together():
    """The geometry refuses what Keras refuses, so the formula never describes a layer Keras cannot build."""
    with pytest.raises(ValueError):
        keras.layers.Conv2D(1, 3, strides=2, dilation_rate=2)(np.zeros((1, 9, 9, 1), "float32"))


@pytest.mark.parametrize(
    "stack",
    [
        [(3, 1)],
        [(3, 1), (3, 1)],
        [(3, 1)] * 3,
        [(5, 1), (2, 2), (5, 1), (2, 2)],
        [(3, 2), (3, 1), (2, 2), (3, 1)],
        [(3, 1, 2), (3, 1)],
    ],
)
def test_receptive_field_matches_a_keras_stack(stack):
    """Measured: the input pixels whose gradient reaches the centre output pixel of a real stack."""
    import tensorflow as tf

    from utils.geometry import receptive_field

    layers = [
        keras.layers.Conv2D(1, k, strides=s, dilation_rate=(d[0] if d else 1), kernel_initializer="ones")
        for k, s, *d in stack
    ]
    model = keras.Sequential([keras.Input((41, 41, 1)), *layers])
    x = tf.Variable(np.ones((1, 41, 41, 1), "float32"))
    with tf.GradientTape() as tape:
        out = model(x)
        centre = out[0, out.shape[1] // 2, out.shape[2] // 2, 0]
    grad = tape.gradient(centre, x).numpy()[0, :, :, 0]
    rows = np.flatnonzero(np.abs(grad).sum(axis=1))
    size, jump = receptive_field(stack)
    assert rows[-1] - rows[0] + 1 == size
    assert jump == int(np.prod([s for _, s, *_ in stack]))
    # the course's impulse-response measurement agrees with the gradient's, on both axes
    from utils.geometry import measured_receptive_field

    assert measured_receptive_field(stack) == (size, size)
    assert measured_receptive_field(stack, size=41) == (size, size)


def test_measured_receptive_field_of_rectangular_kernels_and_bad_input():
    from utils.geometry import measured_receptive_field

    assert measured_receptive_field([((1, 7), 1), ((7, 1), 1)]) == (7, 7)
    assert measured_receptive_field([((1, 7), 1)]) == (1, 7)
    assert measured_receptive_field([((3, 5), (2, 1)), (3, 1)]) == (7, 7)
    with pytest.raises(ValueError, match="non-empty list"):
        measured_receptive_field([])
    with pytest.raises(ValueError, match=r"layers\[1\] must be"):
        measured_receptive_field([(3, 1), 3])
    with pytest.raises(ValueError, match=r"layers\[0\] kernel must be an integer or a \(height, width\)"):
        measured_receptive_field([((3, 3, 3), 1)])
    with pytest.raises(ValueError, match="stride must be a whole number >= 1"):
        measured_receptive_field([(3, 0)])
    with pytest.raises(ValueError, match="too small for this stack"):
        measured_receptive_field([(5, 1), (5, 1)], size=7)


def test_receptive_field_by_hand_and_bad_input():
    from utils.geometry import receptive_field

    assert [receptive_field([(3, 1)] * n)[0] for n in (1, 2, 3)] == [3, 5, 7]
    assert receptive_field([(11, 4), (3, 2)]) == (11 + 2 * 4, 8)
    with pytest.raises(ValueError, match=r"layers\[1\]"):
        receptive_field([(3, 1), 3])
    with pytest.raises(ValueError, match="stride"):
        receptive_field([(3, 0)])


def test_measured_receptive_field_is_the_extent_on_dilated_and_strided_stacks():
    """The field spans first to last reaching row, gaps included (issue #24: it counted the rows)."""
    from utils.geometry import measured_receptive_field, receptive_field

    assert measured_receptive_field([(3, 1, 2)]) == (5, 5)  # reaches 3 rows of 5
    assert measured_receptive_field([(3, 1, 2)] * 2) == (9, 9)
    assert measured_receptive_field([(1, 2), (3, 1)]) == (5, 5)
    rng = np.random.default_rng(24)
    for _ in range(25):
        stack = []
        for _ in range(rng.integers(1, 4)):
            kernel, dilation = int(rng.integers(1, 6)), int(rng.integers(1, 4))
            stride = 1 if dilation > 1 else int(rng.integers(1, 4))  # Keras refuses both above 1
            stack.append((kernel, stride, dilation))
        assert measured_receptive_field(stack) == (receptive_field(stack)[0],) * 2, stack


def test_a_flag_must_be_true_or_false_and_measured_field_names_stride_with_dilation():
    from utils.geometry import conv2d_params, dense_params, measured_receptive_field

    assert conv2d_params(3, 3, 4, use_bias=np.bool_(False)) == 108
    for bad in ("no", None, 0):
        with pytest.raises(ValueError, match=f"use_bias must be True or False, got {bad!r}"):
            conv2d_params(3, 3, 4, use_bias=bad)  # "no" counted the biases, None left them out
        with pytest.raises(ValueError, match="use_bias must be True or False"):
            dense_params(3, 4, use_bias=bad)
    with pytest.raises(ValueError, match=r"layers\[1\] has stride 2 and dilation 2: Keras's Conv2D does not allow"):
        measured_receptive_field([(3, 1), (3, 2, 2)])

"""The course's model builders: one definition of each network, used by
the chapters and by the trained models that ``utils.train`` ships.

Every builder returns a new model with random weights that outputs logits
(no softmax: train with ``from_logits=True``). Only Keras is imported, so
the builders run on any Keras 3 backend. The chapters print this file, so
its lines fit the book's 75 columns.
"""

from __future__ import annotations

import numbers
from typing import Any

import keras

from .checks import whole_number
from .layers import (
    LayerScale,
    LocalResponseNormalization,
    SparseC3,
    ZeroPadShortcut,
)

LENET_VARIANTS = ("modern", "classic", "classic-full")
# Per-channel (R, G, B) mean and standard deviation of the course's
# CIFAR-10 training images in [0, 1] (the JPEG copy; the original's
# differ by under 0.002).
CIFAR10_MEAN = (0.4913, 0.4821, 0.4465)
CIFAR10_STD = (0.2452, 0.2428, 0.2606)
# what a builder's model names when it is called on the wrong shape
MNIST_FIX = "32x32x1 images (utils.pad_mnist pads MNIST's 28x28)"
CIFAR_FIX = "32x32x3 images (resize others to 32x32 RGB)"


def _at_least(value: Any, name: str, low: float, below=None) -> float:
    number = isinstance(value, numbers.Real) and not isinstance(
        value, bool
    )
    if not number or not value >= low:
        raise ValueError(
            f"{name} must be a number >= {low}, got {value!r}."
        )
    if below is not None and value >= below:
        raise ValueError(f"{name} must be below {below}, got {value!r}.")
    return value


def _flag(value: Any, name: str) -> bool:
    if not isinstance(value, bool):  # "no" would count as True
        raise ValueError(f"{name} must be True or False: {value!r}.")
    return value


def expect_input(model: keras.Sequential, fix: str) -> keras.Sequential:
    """``model``, made to refuse inputs of another shape than its Input's
    with an error naming that shape and ``fix`` (a Sequential model does
    not check, and fails deep inside). Not saved with the model."""
    shape = model.inputs[0].shape
    model.input_spec = keras.InputSpec(shape=shape, name=fix)
    return model


def lenet5(
    variant: str = "modern",
    weight_decay: float = 0.0,
    dropout: float = 0.0,
) -> keras.Sequential:
    """LeNet-5: ``(batch, 32, 32, 1)`` images -> ``(batch, 10)`` logits.

    ``variant``: 'modern' (ReLU, max pooling, full C3: 61,706
    parameters), 'classic' (tanh, average pooling, the paper's sparse
    C3: 60,806) or 'classic-full' (tanh, average pooling, full C3).
    ``weight_decay``: L2 factor on every kernel (0: none). ``dropout``:
    rate of a dropout layer before the output (0: no such layer).
    """
    if variant not in LENET_VARIANTS:
        raise ValueError(
            f"variant must be one of {LENET_VARIANTS}, got {variant!r}."
        )
    decay = _at_least(weight_decay, "weight_decay", 0)
    rate = _at_least(dropout, "dropout", 0, below=1)
    modern = variant == "modern"
    act = "relu" if modern else "tanh"
    if modern:
        pool = keras.layers.MaxPooling2D
    else:
        pool = keras.layers.AveragePooling2D
    regularizer = keras.regularizers.L2(decay) if decay else None
    l2 = {"kernel_regularizer": regularizer}
    if variant == "classic":
        c3 = SparseC3(act, name="C3")
    else:
        c3 = keras.layers.Conv2D(16, 5, activation=act, **l2, name="C3")
    layers = [
        keras.Input((32, 32, 1)),
        keras.layers.Conv2D(6, 5, activation=act, **l2, name="C1"),
        pool(2, name="S2"),
        c3,
        pool(2, name="S4"),
        keras.layers.Conv2D(120, 5, activation=act, **l2, name="C5"),
        keras.layers.Flatten(name="flatten"),
        keras.layers.Dense(84, activation=act, **l2, name="F6"),
    ]
    if rate:
        layers.append(keras.layers.Dropout(rate, name="dropout"))
    layers.append(keras.layers.Dense(10, **l2, name="output"))
    name = "lenet5_" + variant.replace("-", "_")
    model = keras.Sequential(layers, name=name)
    return expect_input(model, MNIST_FIX)


RESNET_BLOCKS = ("basic", "preact")


def resnet_cifar(
    depth: int = 20,
    width: int = 16,
    classes: int = 10,
    shortcut: str = "A",
    residual: bool = True,
    block: str = "basic",
) -> keras.Model:
    """The CIFAR ResNet of He et al. 2016, section 4.2: ``(batch, 32, 32,
    3)`` images in [0, 1] -> ``(batch, classes)`` logits.

    A 3x3 convolution, three stages of n = (depth - 2) / 6 blocks of two
    3x3 convolutions (:func:`basic_block`) at ``width``, 2 ``width``, 4
    ``width`` channels on 32x32, 16x16 and 8x8 maps, global average
    pooling, a dense layer: ``depth`` weighted layers. Where a block
    halves the maps and doubles the channels the shortcut is "A"
    (:class:`ZeroPadShortcut`, no parameters, the paper's choice for
    CIFAR) or "B" (1x1 convolution and batch normalisation).
    ``residual=False``: the *plain* network, the same layers without
    the shortcuts. ``block="preact"``: the pre-activation blocks of He
    et al. 2016b. The model normalises its input with the course's
    CIFAR-10 channel statistics. ResNet-20: 271,098 parameters (A).
    """
    depth = whole_number(depth, "depth")
    if depth < 8 or (depth - 2) % 6:
        raise ValueError(
            "depth must be 6n + 2 for n >= 1 (8, 14, 20, 32, 44, 56, "
            f"110), got {depth!r}."
        )
    width = whole_number(width, "width")
    classes = whole_number(classes, "classes")
    _check_shortcut(shortcut)
    if block not in RESNET_BLOCKS:
        raise ValueError(
            f"block must be one of {RESNET_BLOCKS}, got {block!r}."
        )
    if not isinstance(residual, bool):
        raise ValueError(f"residual must be True or False: {residual!r}.")
    layers = keras.layers
    preact = block == "preact"
    inputs = keras.Input((32, 32, 3), name="image")
    variance = [s**2 for s in CIFAR10_STD]
    x = layers.Normalization(
        mean=CIFAR10_MEAN, variance=variance, name="normalise"
    )(inputs)
    x = conv(x, width, 3, 1, "conv1")
    if not preact:  # a pre-activation block normalises its own input
        x = _relu(_bn(x, "conv1_bn"), "conv1_relu")
    for stage in range(3):
        filters = width * 2**stage
        for i in range((depth - 2) // 6):
            stride = 2 if stage > 0 and i == 0 else 1
            x = basic_block(
                x,
                filters,
                stride,
                f"stage{stage + 1}_block{i + 1}",
                shortcut=shortcut if residual else None,
                preact=preact,
            )
    if preact:  # the last block's sum is not yet normalised
        x = _relu(_bn(x, "final_bn"), "final_relu")
    x = layers.GlobalAveragePooling2D(name="pool")(x)
    outputs = layers.Dense(classes, name="logits")(x)
    name = f"resnet{depth}" if residual else f"plain{depth}"
    return keras.Model(inputs, outputs, name=name)


def _check_shortcut(shortcut: Any) -> None:
    if shortcut not in ("A", "B"):
        raise ValueError(
            "shortcut must be 'A' (zero padding) or 'B' (1x1 "
            f"projection), got {shortcut!r}."
        )


def conv(x: Any, filters: int, size: int, stride: int, name: str) -> Any:
    """A ``size`` x ``size`` convolution of ``x`` without bias (He
    initialisation). Stride 1 keeps the side ('same'); stride 2 halves
    it, padded by (size - 1) / 2 on every side. (Keras's 'same' with
    stride 2 pads only the bottom and right of an even map, so each
    output would sit one pixel off the shortcut's subsampled pixel; the
    paper's reference code pads every side.)"""
    if stride > 1 and size > 1:
        pad = (size - 1) // 2
        x = keras.layers.ZeroPadding2D(pad, name=f"{name}_pad")(x)
    return keras.layers.Conv2D(
        filters,
        size,
        strides=stride,
        padding="same" if stride == 1 else "valid",
        use_bias=False,
        kernel_initializer="he_normal",
        name=name,
    )(x)


def _bn(x: Any, name: str) -> Any:
    return keras.layers.BatchNormalization(name=name)(x)


def _relu(x: Any, name: str) -> Any:
    return keras.layers.ReLU(name=name)(x)


def shortcut_branch(
    x: Any, filters: int, stride: int, name: str, shortcut: str = "A"
) -> Any:
    """The block's shortcut on ``x`` of shape (batch, H, W, C): ``x``
    itself when stride is 1 and C is ``filters``; otherwise option "A"
    (:class:`ZeroPadShortcut`: subsample, zero channels) or "B" (1x1
    convolution with ``stride`` and batch normalisation)."""
    _check_shortcut(shortcut)
    if stride == 1 and x.shape[-1] == filters:
        return x
    if shortcut == "A":
        return ZeroPadShortcut(filters, stride, name=f"{name}_shortcut")(x)
    y = conv(x, filters, 1, stride, f"{name}_shortcut")
    return _bn(y, f"{name}_shortcut_bn")


def basic_block(
    x: Any,
    filters: int,
    stride: int,
    name: str,
    shortcut: str | None = "A",
    preact: bool = False,
) -> Any:
    """ResNet's basic block on ``x`` (batch, H, W, C) -> (batch,
    H / stride, W / stride, ``filters``): two 3x3 convolutions, F(x),
    plus the shortcut (:func:`shortcut_branch`, option ``shortcut``),
    then ReLU. ``shortcut=None``: no shortcut, the plain network's two
    layers. ``preact=True``: He et al. 2016b's order, BN-ReLU-conv
    twice, and the sum is left as it is (no ReLU after it)."""
    if preact:
        y = _relu(_bn(x, f"{name}_bn1"), f"{name}_relu1")
        y = conv(y, filters, 3, stride, f"{name}_conv1")
        y = _relu(_bn(y, f"{name}_bn2"), f"{name}_relu2")
        y = conv(y, filters, 3, 1, f"{name}_conv2")
    else:
        y = conv(x, filters, 3, stride, f"{name}_conv1")
        y = _relu(_bn(y, f"{name}_bn1"), f"{name}_relu1")
        y = _bn(conv(y, filters, 3, 1, f"{name}_conv2"), f"{name}_bn2")
    if shortcut is not None:
        identity = shortcut_branch(x, filters, stride, name, shortcut)
        y = keras.layers.Add(name=f"{name}_add")([y, identity])
    return y if preact else _relu(y, f"{name}_relu2")


def bottleneck_block(
    x: Any, filters: int, stride: int, name: str, shortcut: str = "B"
) -> Any:
    """ResNet-50's bottleneck block on ``x`` -> (batch, H / stride, W /
    stride, 4 ``filters``): a 1x1 convolution to ``filters`` channels,
    a 3x3 (with ``stride``), a 1x1 back up to 4 ``filters``, each with
    batch normalisation, plus the shortcut, then ReLU."""
    out = 4 * filters
    y = conv(x, filters, 1, 1, f"{name}_reduce")
    y = _relu(_bn(y, f"{name}_bn1"), f"{name}_relu1")
    y = conv(y, filters, 3, stride, f"{name}_conv")
    y = _relu(_bn(y, f"{name}_bn2"), f"{name}_relu2")
    y = _bn(conv(y, out, 1, 1, f"{name}_restore"), f"{name}_bn3")
    identity = shortcut_branch(x, out, stride, name, shortcut)
    y = keras.layers.Add(name=f"{name}_add")([y, identity])
    return _relu(y, f"{name}_relu3")


def fc_head(classes: int) -> list:
    """AlexNet's and VGG's classifier: flatten, FC6 and FC7 of 4096 ReLU
    units each followed by dropout 0.5, and FC8 with ``classes`` logits."""
    layers = keras.layers
    return [
        layers.Flatten(name="flatten"),
        layers.Dense(4096, activation="relu", name="fc6"),
        layers.Dropout(0.5, name="drop6"),
        layers.Dense(4096, activation="relu", name="fc7"),
        layers.Dropout(0.5, name="drop7"),
        layers.Dense(classes, name="fc8"),
    ]


def alexnet(
    classes: int = 1000, groups: int = 2, lrn: bool = True
) -> keras.Sequential:
    """AlexNet (Krizhevsky, Sutskever and Hinton 2012) at its real size:
    ``(batch, 227, 227, 3)`` images -> ``(batch, classes)`` logits.

    conv1 96@11x11 stride 4 -> 55x55, LRN, max pool 3/2 -> 27; conv2
    256@5x5 -> 27, LRN, pool -> 13; conv3 384@3x3, conv4 384@3x3, conv5
    256@3x3 -> 13; pool -> 6x6x256; FC6 4096, dropout 0.5; FC7 4096,
    dropout 0.5; FC8 ``classes``. ``groups=2`` splits conv2, conv4 and
    conv5 in two halves that see only their own half of the input maps,
    as on the paper's two GPUs (60,965,224 parameters; 62,378,344 with
    ``groups=1``). ``lrn=False`` leaves out the normalisation layers.
    """
    classes = whole_number(classes, "classes")
    groups = whole_number(groups, "groups")
    lrn = _flag(lrn, "lrn")
    if 48 % groups or 192 % groups:
        raise ValueError(f"groups must divide 48 and 192, got {groups}.")
    layers = keras.layers

    def conv(filters: int, size: int, name: str, **kwargs: Any):
        return layers.Conv2D(
            filters, size, activation="relu", name=name, **kwargs
        )

    def norm(name: str) -> list:
        return [LocalResponseNormalization(name=name)] if lrn else []

    return keras.Sequential(
        [
            keras.Input((227, 227, 3)),
            conv(96, 11, "conv1", strides=4),
            *norm("norm1"),
            layers.MaxPooling2D(3, 2, name="pool1"),
            conv(256, 5, "conv2", padding="same", groups=groups),
            *norm("norm2"),
            layers.MaxPooling2D(3, 2, name="pool2"),
            conv(384, 3, "conv3", padding="same"),
            conv(384, 3, "conv4", padding="same", groups=groups),
            conv(256, 3, "conv5", padding="same", groups=groups),
            layers.MaxPooling2D(3, 2, name="pool5"),
            *fc_head(classes),
        ],
        name="alexnet",
    )


ALEXNET_CIFAR_NORMS = ("lrn", "batch", "none")


def alexnet_cifar(
    classes: int = 10,
    width: float = 1.0,
    activation: str = "relu",
    norm: str = "lrn",
    pool_size: int = 3,
    dropout: float = 0.5,
    initializer: str = "glorot_uniform",
) -> keras.Sequential:
    """An AlexNet-style network for CIFAR-10: ``(batch, 32, 32, 3)``
    images in [0, 1] -> ``(batch, classes)`` logits.

    AlexNet's pattern scaled to 32x32: conv1 64@5x5 (AlexNet's 11x11
    stride 4 would leave 8x8 maps), normalisation, max pool 3/2 -> 16;
    conv2 192@5x5, normalisation, pool -> 8; conv3 384, conv4 256, conv5
    256 @3x3; pool -> 4x4x256; FC 1024 and FC 1024, each with dropout;
    FC ``classes``. ``width`` scales every layer's channels and units.
    ``norm`` is "lrn" (after the activation, as in the paper), "batch"
    (batch normalisation before it) or "none"; ``pool_size`` 3 pools
    overlap (stride 2), 2 do not: both halve the maps ('same' padding).
    ``initializer``: the kernels' initial values (Keras's default
    "glorot_uniform", or "he_normal", made for ReLUs). The model
    normalises its input with the CIFAR-10 statistics.
    """
    classes = whole_number(classes, "classes")
    width = _at_least(width, "width", 0.1)
    if norm not in ALEXNET_CIFAR_NORMS:
        raise ValueError(
            f"norm must be one of {ALEXNET_CIFAR_NORMS}, got {norm!r}."
        )
    if pool_size not in (2, 3):
        raise ValueError(f"pool_size must be 2 or 3, got {pool_size!r}.")
    dropout = _at_least(dropout, "dropout", 0.0, below=1.0)
    keras.activations.get(activation)  # an unknown name fails here
    keras.initializers.get(initializer)
    layers = keras.layers

    def scaled(n: int) -> int:
        return max(1, round(n * width))

    def conv(filters: int, size: int, name: str, normalise: bool) -> list:
        batch = norm == "batch"
        stack = [
            layers.Conv2D(
                scaled(filters),
                size,
                padding="same",
                use_bias=not batch,
                activation=None if batch else activation,
                kernel_initializer=initializer,
                name=name,
            )
        ]
        if batch:
            stack += [
                layers.BatchNormalization(name=f"{name}_bn"),
                layers.Activation(activation, name=f"{name}_act"),
            ]
        elif normalise and norm == "lrn":
            stack.append(LocalResponseNormalization(name=f"{name}_lrn"))
        return stack

    def pool(name: str):
        return layers.MaxPooling2D(pool_size, 2, padding="same", name=name)

    variance = [s**2 for s in CIFAR10_STD]
    stack: list = [
        keras.Input((32, 32, 3), name="image"),
        layers.Normalization(
            mean=CIFAR10_MEAN, variance=variance, name="normalise"
        ),
        *conv(64, 5, "conv1", True),
        pool("pool1"),
        *conv(192, 5, "conv2", True),
        pool("pool2"),
        *conv(384, 3, "conv3", False),
        *conv(256, 3, "conv4", False),
        *conv(256, 3, "conv5", False),
        pool("pool5"),
        layers.Flatten(name="flatten"),
    ]
    for i in (6, 7):
        stack += [
            layers.Dense(
                scaled(1024),
                activation=activation,
                kernel_initializer=initializer,
                name=f"fc{i}",
            ),
            layers.Dropout(dropout, name=f"drop{i}"),
        ]
    stack.append(layers.Dense(classes, name="fc8"))
    model = keras.Sequential(stack, name="alexnet_cifar")
    return expect_input(model, CIFAR_FIX)


VGG16_STAGES = ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3))


def vgg16(
    classes: int = 1000, batch_norm: bool = False
) -> keras.Sequential:
    """VGG-16, configuration D of Simonyan and Zisserman 2015:
    ``(batch, 224, 224, 3)`` images -> ``(batch, classes)`` logits.

    Five stages of 3x3 'same' convolutions (64, 128, 256, 512, 512
    channels; 2, 2, 3, 3, 3 of them), each followed by a 2x2 max pool
    that halves the side; FC6 and FC7 of 4096 units with dropout 0.5;
    FC8. 138,357,544 parameters, as ``keras.applications.VGG16``.
    ``batch_norm=True`` puts batch normalisation after each convolution.
    """
    classes = whole_number(classes, "classes")
    batch_norm = _flag(batch_norm, "batch_norm")
    layers = keras.layers
    stack: list = [keras.Input((224, 224, 3))]
    for stage, (filters, convs) in enumerate(VGG16_STAGES, start=1):
        for i in range(1, convs + 1):
            name = f"block{stage}_conv{i}"
            act = None if batch_norm else "relu"
            stack.append(
                layers.Conv2D(
                    filters, 3, padding="same", activation=act, name=name
                )
            )
            if batch_norm:
                stack.append(layers.BatchNormalization(name=f"{name}_bn"))
                stack.append(layers.ReLU(name=f"{name}_relu"))
        stack.append(layers.MaxPooling2D(2, name=f"block{stage}_pool"))
    stack += fc_head(classes)
    return keras.Sequential(stack, name="vgg16")


# GoogLeNet's Inception modules (Szegedy et al. 2015, Table 1): 1x1;
# 3x3 reduce, 3x3; 5x5 reduce, 5x5; pool projection.
GOOGLENET_MODULES = {
    "3a": (64, 96, 128, 16, 32, 32),
    "3b": (128, 128, 192, 32, 96, 64),
    "4a": (192, 96, 208, 16, 48, 64),
    "4b": (160, 112, 224, 24, 64, 64),
    "4c": (128, 128, 256, 24, 64, 64),
    "4d": (112, 144, 288, 32, 64, 64),
    "4e": (256, 160, 320, 32, 128, 128),
    "5a": (256, 160, 320, 32, 128, 128),
    "5b": (384, 192, 384, 48, 128, 128),
}


def inception_module(
    x: Any, widths: tuple, name: str, batch_norm=False, big_kernel=5
) -> Any:
    """One Inception module on the tensor ``x``: four branches (1x1;
    1x1 then 3x3; 1x1 then ``big_kernel``; 3x3 max pool then 1x1), their
    maps concatenated. ``widths``: the six numbers of a row of
    :data:`GOOGLENET_MODULES`. Output channels: ``widths[0] + widths[2]
    + widths[4] + widths[5]``; the side is unchanged.
    """
    one, red3, three, red5, five, proj = widths

    def conv(y, filters, size, part):
        return _conv_unit(y, filters, size, f"{name}_{part}", batch_norm)

    b1 = conv(x, one, 1, "1x1")
    b2 = conv(conv(x, red3, 1, "3x3_reduce"), three, 3, "3x3")
    b3 = conv(conv(x, red5, 1, "5x5_reduce"), five, big_kernel, "5x5")
    pool = keras.layers.MaxPooling2D(3, 1, "same", name=f"{name}_pool")
    b4 = conv(pool(x), proj, 1, "pool_proj")
    return keras.layers.Concatenate(name=f"{name}_concat")(
        [b1, b2, b3, b4]
    )


def _conv_unit(x, filters, size, name, batch_norm, stride=1):
    """A 'same' convolution and ReLU; with ``batch_norm``, no bias and a
    batch normalisation in between (torchvision's BasicConv2d)."""
    layers = keras.layers
    x = layers.Conv2D(
        filters,
        size,
        strides=stride,
        padding="same",
        use_bias=not batch_norm,
        name=name,
    )(x)
    if batch_norm:
        x = layers.BatchNormalization(epsilon=1e-3, name=f"{name}_bn")(x)
    return layers.ReLU(name=f"{name}_relu")(x)


def googlenet(
    classes: int = 1000, batch_norm: bool = False, big_kernel: int = 5
) -> keras.Model:
    """GoogLeNet (Szegedy et al. 2015) without its auxiliary classifiers:
    ``(batch, 224, 224, 3)`` -> ``(batch, classes)`` logits.

    7x7/2 convolution, pool, 1x1 and 3x3 convolutions, pool, Inception
    3a-3b, pool, 4a-4e, pool, 5a-5b (:data:`GOOGLENET_MODULES`), global
    average pooling, dropout 0.4, one dense layer. The paper's LRN
    layers are left out. ``batch_norm=True`` and ``big_kernel=3`` give
    torchvision's GoogLeNet (its 6,624,904 trained parameters).
    """
    classes = whole_number(classes, "classes")
    big_kernel = whole_number(big_kernel, "big_kernel")
    batch_norm = _flag(batch_norm, "batch_norm")
    layers = keras.layers
    inputs = keras.Input((224, 224, 3), name="image")
    x = _conv_unit(inputs, 64, 7, "conv1", batch_norm, stride=2)
    x = layers.MaxPooling2D(3, 2, "same", name="pool1")(x)
    x = _conv_unit(x, 64, 1, "conv2_reduce", batch_norm)
    x = _conv_unit(x, 192, 3, "conv2", batch_norm)
    x = layers.MaxPooling2D(3, 2, "same", name="pool2")(x)
    for name, widths in GOOGLENET_MODULES.items():
        if name in ("4a", "5a"):
            size = 3 if name == "4a" else 2
            x = layers.MaxPooling2D(size, 2, "same", name=f"pool{name}")(x)
        x = inception_module(
            x, widths, f"inception{name}", batch_norm, big_kernel
        )
    x = layers.GlobalAveragePooling2D(name="pool")(x)
    x = layers.Dropout(0.4, name="dropout")(x)
    outputs = layers.Dense(classes, name="logits")(x)
    return keras.Model(inputs, outputs, name="googlenet")


# VGG configurations (Simonyan and Zisserman 2015, Table 1): (channels,
# convolutions) per stage; each stage ends with a 2x2 max pool.
VGG_CONFIGS = {
    "A": ((64, 1), (128, 1), (256, 2), (512, 2), (512, 2)),
    "B": ((64, 2), (128, 2), (256, 2), (512, 2), (512, 2)),
    "D": VGG16_STAGES,
    "E": ((64, 2), (128, 2), (256, 4), (512, 4), (512, 4)),
}


def vgg_cifar(
    config: str = "D",
    width: float = 1.0,
    classes: int = 10,
    batch_norm: bool = True,
) -> keras.Sequential:
    """A VGG network for CIFAR-10: ``(batch, 32, 32, 3)`` images in [0,
    1] -> ``(batch, classes)`` logits.

    The paper's five stages of 3x3 'same' convolutions (``config`` "A"
    11 layers, "B" 13, "D" 16, "E" 19; :data:`VGG_CONFIGS`), each stage
    ending in a 2x2 max pool, so 32x32 maps end at 1x1x512; then one
    dense layer (the 4096-unit layers are for 224x224 inputs). With
    ``batch_norm`` each convolution is followed by batch normalisation
    before its ReLU. ``width`` scales every stage's channels. The model
    normalises its input with the CIFAR-10 statistics.
    """
    if config not in VGG_CONFIGS:
        raise ValueError(
            f"config must be one of {tuple(VGG_CONFIGS)}, got {config!r}."
        )
    width = _at_least(width, "width", 0.05)
    classes = whole_number(classes, "classes")
    batch_norm = _flag(batch_norm, "batch_norm")
    layers = keras.layers
    variance = [s**2 for s in CIFAR10_STD]
    stack: list = [
        keras.Input((32, 32, 3), name="image"),
        layers.Normalization(
            mean=CIFAR10_MEAN, variance=variance, name="normalise"
        ),
    ]
    for stage, (filters, convs) in enumerate(VGG_CONFIGS[config], 1):
        for i in range(1, convs + 1):
            name = f"block{stage}_conv{i}"
            stack.append(
                layers.Conv2D(
                    max(1, round(filters * width)),
                    3,
                    padding="same",
                    use_bias=not batch_norm,
                    activation=None if batch_norm else "relu",
                    kernel_initializer="he_normal",
                    name=name,
                )
            )
            if batch_norm:
                stack.append(layers.BatchNormalization(name=f"{name}_bn"))
                stack.append(layers.ReLU(name=f"{name}_relu"))
        stack.append(layers.MaxPooling2D(2, name=f"block{stage}_pool"))
    stack += [
        layers.Flatten(name="flatten"),
        layers.Dense(classes, name="logits"),
    ]
    model = keras.Sequential(stack, name=f"vgg_cifar_{config}")
    return expect_input(model, CIFAR_FIX)


def small_inception_module(x: Any, one: int, three: int, name: str) -> Any:
    """The small Inception module of Zhang et al. 2017 (for CIFAR-10):
    a 1x1 and a 3x3 convolution side by side on ``x``, each with batch
    normalisation and ReLU, their ``one + three`` maps concatenated."""
    b1 = _conv_unit(x, one, 1, f"{name}_1x1", batch_norm=True)
    b3 = _conv_unit(x, three, 3, f"{name}_3x3", batch_norm=True)
    return keras.layers.Concatenate(name=f"{name}_concat")([b1, b3])


def _downsample_module(x: Any, filters: int, name: str) -> Any:
    """A 3x3 convolution of stride 2 beside a 3x3 max pool of stride 2:
    the side halves, the channels grow by ``filters``."""
    conv = _conv_unit(x, filters, 3, f"{name}_conv", True, stride=2)
    pool = keras.layers.MaxPooling2D(3, 2, "same", name=f"{name}_pool")(x)
    return keras.layers.Concatenate(name=f"{name}_concat")([conv, pool])


def inception_cifar(classes: int = 10, width: float = 1.0) -> keras.Model:
    """The small Inception network of Zhang et al. 2017 (appendix A) for
    CIFAR-10: ``(batch, 32, 32, 3)`` images in [0, 1] -> ``(batch,
    classes)`` logits.

    A 3x3 convolution of 96 channels; two small Inception modules
    (:func:`small_inception_module`), a downsample module, four modules,
    a downsample module, two modules; global average pooling and one
    dense layer. Every convolution has batch normalisation and ReLU.
    ``width`` scales every channel count. At width 1: 1,654,538
    parameters, 1,651,114 of them trained (the paper's Table 1 lists
    1,649,402). The model normalises its input with the CIFAR-10
    statistics.
    """
    classes = whole_number(classes, "classes")
    width = _at_least(width, "width", 0.05)

    def n(channels: int) -> int:
        return max(1, round(channels * width))

    inputs = keras.Input((32, 32, 3), name="image")
    variance = [s**2 for s in CIFAR10_STD]
    x = keras.layers.Normalization(
        mean=CIFAR10_MEAN, variance=variance, name="normalise"
    )(inputs)
    x = _conv_unit(x, n(96), 3, "conv1", batch_norm=True)
    plan = [
        (32, 32), (32, 48), 80,
        (112, 48), (96, 64), (80, 80), (48, 96), 96,
        (176, 160), (176, 160),
    ]  # fmt: skip
    for i, step in enumerate(plan, 1):
        if isinstance(step, tuple):
            one, three = n(step[0]), n(step[1])
            x = small_inception_module(x, one, three, f"inc{i}")
        else:
            x = _downsample_module(x, n(step), f"down{i}")
    x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    outputs = keras.layers.Dense(classes, name="logits")(x)
    return keras.Model(inputs, outputs, name="inception_cifar")


# After ResNet: DenseNet, MobileNet, squeeze-and-excitation, ConvNeXt


def _cifar_stem(inputs: Any) -> Any:
    variance = [s**2 for s in CIFAR10_STD]
    return keras.layers.Normalization(
        mean=CIFAR10_MEAN, variance=variance, name="normalise"
    )(inputs)


def _image_input(size: Any, name: str = "size") -> Any:
    size = whole_number(size, name)
    if size < 32:
        raise ValueError(f"{name} must be at least 32 pixels, got {size}.")
    return keras.Input((size, size, 3), name="image")


def dense_layer(x: Any, growth: int, bottleneck: bool, name: str) -> Any:
    """One layer of a dense block: BN-ReLU-3x3 convolution to ``growth``
    new maps (with ``bottleneck``, first BN-ReLU-1x1 convolution to 4
    ``growth`` maps), concatenated to its input: (batch, H, W, C) ->
    (batch, H, W, C + ``growth``)."""
    y = x
    if bottleneck:
        y = _relu(_bn(y, f"{name}_bn1"), f"{name}_relu1")
        y = conv(y, 4 * growth, 1, 1, f"{name}_conv1")
    y = _relu(_bn(y, f"{name}_bn2"), f"{name}_relu2")
    y = conv(y, growth, 3, 1, f"{name}_conv2")
    return keras.layers.Concatenate(name=f"{name}_concat")([x, y])


def transition(x: Any, compression: float, name: str) -> Any:
    """DenseNet's transition: BN-ReLU-1x1 convolution to floor(
    ``compression`` C) maps, 2x2 average pooling: (batch, H, W, C) ->
    (batch, H / 2, W / 2, floor(``compression`` C))."""
    filters = int(compression * x.shape[-1])
    y = _relu(_bn(x, f"{name}_bn"), f"{name}_relu")
    y = conv(y, filters, 1, 1, f"{name}_conv")
    return keras.layers.AveragePooling2D(2, name=f"{name}_pool")(y)


def densenet_cifar(
    depth: int = 100,
    growth: int = 12,
    bottleneck: bool = True,
    compression: float = 0.5,
    classes: int = 10,
) -> keras.Model:
    """The CIFAR DenseNet of Huang et al. 2017: ``(batch, 32, 32, 3)``
    images in [0, 1] -> ``(batch, classes)`` logits.

    A 3x3 convolution (16 maps, or 2 ``growth`` with the bottleneck),
    three dense blocks on 32x32, 16x16 and 8x8 maps, each of n layers
    (:func:`dense_layer`) adding ``growth`` maps, with a
    :func:`transition` between blocks, then BN-ReLU, global average
    pooling and a dense layer. n = (depth - 4) / 3, or (depth - 4) / 6
    with the bottleneck (two convolutions a layer). ``bottleneck=True``
    and ``compression=0.5``: DenseNet-BC. DenseNet-BC (depth 100,
    growth 12): 769,162 trainable parameters (the paper's 0.8M).
    Unlike the paper: no dropout (its runs without augmentation drop
    0.2 after each convolution), and the first convolution has 2
    ``growth`` maps whenever ``bottleneck`` is set (the paper: for
    DenseNet-BC).
    """
    depth = whole_number(depth, "depth")
    growth = whole_number(growth, "growth")
    classes = whole_number(classes, "classes")
    _flag(bottleneck, "bottleneck")
    _at_least(compression, "compression", 0.0)
    if not 0 < compression <= 1:
        raise ValueError(
            f"compression must be in (0, 1], got {compression!r}."
        )
    per = 6 if bottleneck else 3
    if depth < 4 + per or (depth - 4) % per:
        raise ValueError(
            f"depth must be {per}n + 4 for n >= 1 "
            f"({'100, 250' if bottleneck else '40, 100'}), got {depth}."
        )
    n = (depth - 4) // per
    inputs = keras.Input((32, 32, 3), name="image")
    x = conv(_cifar_stem(inputs), 2 * growth if bottleneck else 16, 3, 1,
             "conv1")  # fmt: skip
    for block in range(3):
        for i in range(n):
            x = dense_layer(
                x, growth, bottleneck, f"block{block + 1}_{i + 1}"
            )
        if block < 2:
            x = transition(x, compression, f"transition{block + 1}")
    x = _relu(_bn(x, "final_bn"), "final_relu")
    x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    outputs = keras.layers.Dense(classes, name="logits")(x)
    kind = "densenet_bc" if bottleneck and compression < 1 else "densenet"
    return keras.Model(inputs, outputs, name=f"{kind}{depth}_k{growth}")


def depthwise_step(x: Any, stride: int, name: str) -> Any:
    """The depthwise half of MobileNet's blocks: a 3x3 depthwise
    convolution (one filter per channel, ``stride``), BN, ReLU6:
    (batch, H, W, C) -> (batch, H / stride, W / stride, C) for even H
    and W (stride 2 pads one row and column at the bottom and right, as
    Keras's MobileNet and TensorFlow's "same" do there)."""
    if stride > 1:
        x = keras.layers.ZeroPadding2D(
            ((0, 1), (0, 1)), name=f"{name}_pad"
        )(x)
    x = keras.layers.DepthwiseConv2D(
        3,
        strides=stride,
        padding="same" if stride == 1 else "valid",
        use_bias=False,
        name=f"{name}_dw",
    )(x)
    relu6 = keras.layers.ReLU(6.0, name=f"{name}_dw_relu")
    return relu6(_bn(x, f"{name}_dw_bn"))


def separable_block(x: Any, filters: int, stride: int, name: str) -> Any:
    """MobileNet's depthwise separable convolution: the
    :func:`depthwise_step` (3x3 depthwise, ``stride``, BN, ReLU6), then
    a 1x1 (pointwise) convolution to ``filters``, BN, ReLU6: (batch, H,
    W, C) -> (batch, H / stride, W / stride, ``filters``) for even H and
    W. (The paper says ReLU; its released weights were trained with
    ReLU6, min(max(x, 0), 6), which Keras's MobileNet uses too.)"""
    x = depthwise_step(x, stride, name)
    x = conv(x, filters, 1, 1, f"{name}_pw")
    relu6 = keras.layers.ReLU(6.0, name=f"{name}_pw_relu")
    return relu6(_bn(x, f"{name}_pw_bn"))


MOBILENET_V1 = (  # (filters, stride) of the 13 separable blocks
    (64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
    (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2),
    (1024, 1),
)  # fmt: skip


def mobilenet_v1(
    alpha: float = 1.0, size: int = 224, classes: int = 1000
) -> keras.Model:
    """MobileNet (Howard et al. 2017, Table 1): ``(batch, size, size,
    3)`` images -> ``(batch, classes)`` logits. A 3x3 convolution with
    stride 2, 13 :func:`separable_block` s, global average pooling and a
    dense layer; every layer's channels times the width multiplier
    ``alpha``. 1.0 MobileNet-224: 4,231,976 trainable parameters,
    569M multiply-adds (the paper's 4.2M and 569M); the same layers as
    ``keras.applications.MobileNet``, so its ImageNet weights load.
    Expects inputs in [-1, 1]."""
    alpha = _at_least(alpha, "alpha", 0.0)
    if not alpha > 0:
        raise ValueError(f"alpha must be above 0, got {alpha!r}.")
    classes = whole_number(classes, "classes")
    inputs = _image_input(size)
    x = keras.layers.ZeroPadding2D(((0, 1), (0, 1)), name="conv1_pad")(
        inputs
    )
    x = keras.layers.Conv2D(
        int(32 * alpha), 3, strides=2, use_bias=False, name="conv1"
    )(x)
    x = keras.layers.ReLU(6.0, name="conv1_relu")(_bn(x, "conv1_bn"))
    for i, (filters, stride) in enumerate(MOBILENET_V1):
        x = separable_block(
            x, int(filters * alpha), stride, f"block{i + 1}"
        )
    x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    outputs = keras.layers.Dense(classes, name="logits")(x)
    return keras.Model(inputs, outputs, name=f"mobilenet_{alpha:g}")


def _divisible(channels: float, by: int = 8) -> int:
    """``channels`` rounded to a multiple of ``by``, never more than 10%
    below it (MobileNetV2's rule)."""
    rounded = max(by, int(channels + by / 2) // by * by)
    return rounded + by if rounded < 0.9 * channels else rounded


def squeeze_excite(x: Any, ratio: float, name: str) -> Any:
    """Squeeze-and-excitation (Hu et al. 2018) on ``x`` (batch, H, W, C):
    global average pooling (squeeze), a dense layer to max(1, int(C /
    ``ratio``)) units with ReLU and one back to C with a sigmoid
    (excitation), and ``x`` times those C weights, each channel scaled
    by one number in (0, 1). 2 C^2 / ``ratio`` + C / ``ratio`` + C
    parameters: the dense layers have biases, which the paper's
    equation 3 and its count (2 / r) N C^2 leave out."""
    channels = x.shape[-1]
    s = keras.layers.GlobalAveragePooling2D(
        keepdims=True, name=f"{name}_squeeze"
    )(x)
    s = keras.layers.Dense(
        max(1, int(channels / ratio)), activation="relu",
        name=f"{name}_reduce",
    )(s)  # fmt: skip
    s = keras.layers.Dense(
        channels, activation="sigmoid", name=f"{name}_expand"
    )(s)
    return keras.layers.Multiply(name=f"{name}_scale")([x, s])


def inverted_residual(
    x: Any,
    expansion: int,
    filters: int,
    stride: int,
    name: str,
    se_ratio: float = 0.0,
) -> Any:
    """MobileNetV2's inverted residual with linear bottleneck: a 1x1
    convolution widens C channels ``expansion`` times (BN, ReLU6), the
    :func:`depthwise_step` (3x3 depthwise, ``stride``, BN, ReLU6),
    optionally :func:`squeeze_excite` (``se_ratio`` > 0: ratio
    ``se_ratio``), and a 1x1 convolution to ``filters`` with BN and *no*
    activation (the linear bottleneck); plus the input when the shape
    is kept: (batch, H, W, C) -> (batch, H / stride, W / stride,
    ``filters``) for even H and W. The squeeze-and-excitation sits
    after the depthwise convolution, as in EfficientNet, and divides the
    *expanded* channels by ``se_ratio`` (EfficientNet: a quarter of the
    block's input channels; SENet: the block's output divided by 16)."""
    channels = x.shape[-1]
    y = x
    if expansion != 1:
        y = conv(y, expansion * channels, 1, 1, f"{name}_expand")
        y = keras.layers.ReLU(6.0, name=f"{name}_expand_relu")(
            _bn(y, f"{name}_expand_bn")
        )
    y = depthwise_step(y, stride, name)
    if se_ratio:
        y = squeeze_excite(y, se_ratio, f"{name}_se")
    y = _bn(
        conv(y, filters, 1, 1, f"{name}_project"), f"{name}_project_bn"
    )
    if stride == 1 and channels == filters:
        y = keras.layers.Add(name=f"{name}_add")([x, y])
    return y


MOBILENET_V2 = (  # (expansion t, channels c, blocks n, first stride s)
    (1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
    (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1),
)  # fmt: skip


def mobilenet_v2(
    alpha: float = 1.0,
    size: int = 224,
    classes: int = 1000,
    depth: float = 1.0,
    cifar: bool = False,
    se_ratio: float = 0.0,
) -> keras.Model:
    """MobileNetV2 (Sandler et al. 2018, Table 2): ``(batch, size, size,
    3)`` images -> ``(batch, classes)`` logits. A 3x3 convolution with
    stride 2, the :func:`inverted_residual` blocks of
    :data:`MOBILENET_V2`, a 1x1 convolution to 1280 channels, global
    average pooling, a dense layer. ``alpha`` scales every width
    (rounded to multiples of 8; the last convolution only grows),
    ``depth`` the number of blocks of each stage (rounded up), as
    EfficientNet's compound scaling does; ``se_ratio`` > 0 adds
    squeeze-and-excitation to each block. ``cifar=True``: for 32x32
    images, the first convolution and the second stage keep stride 1
    (maps 32, 32, 16, 8, 8, 4) and the model normalises its input with
    the course's CIFAR-10 statistics. 1.0, 224: 3,504,872 trainable
    parameters, 300M multiply-adds (the paper's 3.4M and 300M; without
    batch normalisation's scales and offsets, 3,470,760, the 3.47M of
    the released checkpoints' table).
    """
    alpha = _at_least(alpha, "alpha", 0.0)
    depth = _at_least(depth, "depth", 0.0)
    if not (alpha > 0 and depth > 0):
        raise ValueError("alpha and depth must be above 0.")
    _flag(cifar, "cifar")
    _at_least(se_ratio, "se_ratio", 0.0)
    classes = whole_number(classes, "classes")
    inputs = _image_input(size)
    x = _cifar_stem(inputs) if cifar else inputs
    stride = 1 if cifar else 2
    if stride > 1:
        x = keras.layers.ZeroPadding2D(((0, 1), (0, 1)), name="conv1_pad")(
            x
        )
    x = keras.layers.Conv2D(
        _divisible(32 * alpha),
        3,
        strides=stride,
        padding="same" if stride == 1 else "valid",
        use_bias=False,
        name="conv1",
    )(x)
    x = keras.layers.ReLU(6.0, name="conv1_relu")(_bn(x, "conv1_bn"))
    for stage, (t, c, n, s) in enumerate(MOBILENET_V2):
        if cifar and stage == 1:
            s = 1
        for i in range(-(-int(n * depth * 1000) // 1000)):
            x = inverted_residual(
                x,
                t,
                _divisible(c * alpha),
                s if i == 0 else 1,
                f"stage{stage + 1}_block{i + 1}",
                se_ratio,
            )
    last = _divisible(1280 * alpha) if alpha > 1 else 1280
    x = _bn(conv(x, last, 1, 1, "conv_last"), "conv_last_bn")
    x = keras.layers.ReLU(6.0, name="conv_last_relu")(x)
    x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    outputs = keras.layers.Dense(classes, name="logits")(x)
    return keras.Model(inputs, outputs, name=f"mobilenet_v2_{alpha:g}")


def convnext_block(x: Any, name: str, kernel: int = 7) -> Any:
    """ConvNeXt's block on ``x`` (batch, H, W, C), shape kept: a
    ``kernel`` x ``kernel`` depthwise convolution, LayerNorm, a 1x1
    layer (dense on the channels) to 4 C with GELU, one back to C,
    :class:`LayerScale`, plus the input. One normalisation and one
    activation per block."""
    channels = x.shape[-1]
    y = keras.layers.DepthwiseConv2D(
        kernel, padding="same", name=f"{name}_dw"
    )(x)
    y = keras.layers.LayerNormalization(epsilon=1e-6, name=f"{name}_ln")(y)
    y = keras.layers.Dense(4 * channels, name=f"{name}_pw1")(y)
    y = keras.layers.Activation("gelu", name=f"{name}_gelu")(y)
    y = keras.layers.Dense(channels, name=f"{name}_pw2")(y)
    y = LayerScale(1e-6, name=f"{name}_scale")(y)
    return keras.layers.Add(name=f"{name}_add")([x, y])


def convnext(
    depths: tuple = (3, 3, 9, 3),
    dims: tuple = (96, 192, 384, 768),
    size: int = 224,
    patch: int = 4,
    classes: int = 1000,
    cifar: bool = False,
) -> keras.Model:
    """ConvNeXt (Liu et al. 2022): ``(batch, size, size, 3)`` images ->
    ``(batch, classes)`` logits. A ``patch`` x ``patch`` convolution
    with stride ``patch`` (the "patchify" stem) and LayerNorm, then one
    stage per entry of ``depths`` of that many :func:`convnext_block` s
    at ``dims`` channels, each stage after the first opened by LayerNorm
    and a 2x2 convolution with stride 2; global average pooling,
    LayerNorm, a dense layer. Defaults: ConvNeXt-T, 28,589,128
    parameters, 4.5G multiply-adds (the paper's 29M and 4.5G FLOPs).
    No stochastic depth. ``cifar=True`` normalises the input with the
    course's CIFAR-10 statistics."""
    if len(depths) != len(dims) or not depths:
        raise ValueError(
            "depths and dims must be tuples of the same length (one "
            f"entry a stage), got {depths!r} and {dims!r}."
        )
    for d in (*depths, *dims):
        whole_number(d, "each entry of depths and dims")
    patch = whole_number(patch, "patch")
    _flag(cifar, "cifar")
    classes = whole_number(classes, "classes")
    inputs = _image_input(size)
    x = _cifar_stem(inputs) if cifar else inputs
    x = keras.layers.Conv2D(dims[0], patch, strides=patch, name="stem")(x)
    x = keras.layers.LayerNormalization(epsilon=1e-6, name="stem_ln")(x)
    for stage, (n, dim) in enumerate(zip(depths, dims)):
        if stage:
            x = keras.layers.LayerNormalization(
                epsilon=1e-6, name=f"down{stage}_ln"
            )(x)
            x = keras.layers.Conv2D(
                dim, 2, strides=2, name=f"down{stage}"
            )(x)
        for i in range(n):
            x = convnext_block(x, f"stage{stage + 1}_block{i + 1}")
    x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    x = keras.layers.LayerNormalization(epsilon=1e-6, name="head_ln")(x)
    outputs = keras.layers.Dense(classes, name="logits")(x)
    return keras.Model(inputs, outputs, name="convnext")

"""What a CNN learns: saliency maps, adversarial examples, sanity checks and feature visualisation.

* Maps of one class's score: :func:`occlusion_map` (Zeiler & Fergus 2014), :func:`gradient_map`
  (Simonyan et al. 2014), :func:`smoothgrad` (Smilkov et al. 2017), :func:`grad_cam` (Selvaraju
  et al. 2017) and :func:`upsample` to bring a coarse map to the image's size.
* Adversarial examples: :func:`fgsm`, untargeted and targeted (Goodfellow et al. 2015).
* Judging a map: :func:`deletion_curve` against :func:`random_ranking`, and the sanity checks
  of Adebayo et al. (2018): :func:`rank_correlation` of two maps, :func:`randomized_copy` of a model.
* What a unit responds to: :func:`channel_activation`, :func:`top_activating`,
  :func:`receptive_crop`, :func:`activation_maximization` (Yosinski et al. 2015, Olah et al. 2017).

Images are float arrays, one image ``(H, W, C)`` or a batch ``(N, H, W, C)``, in whatever units
the model takes (the course's trained models take [0, 1]); a function given one image returns one
map. The model is a Keras model with one image input, built on ``keras.Input``, that gives one
row of class scores per image, ``(N, classes)``.

**Which score.** Every map here is a map of the model's output for one class, and ``score`` says
which, whatever the model ends in: ``"logit"`` is the score *before* the softmax, ``"probability"``
the softmax probability. When the model ends in a softmax (a ``Dense`` with
``activation="softmax"``, a ``Softmax`` layer or an ``Activation("softmax")`` layer), it is
removed to get the logits (:func:`logits_model`); a model without one is taken to give logits
already, as the course's trained models do; the probabilities are the softmax of the logits. The
defaults follow each method's paper: the gradient methods (:func:`gradient_map`,
:func:`smoothgrad`, :func:`grad_cam`, :func:`activation_maximization`) use the logit, as Simonyan
et al. (2014) and Grad-CAM do (a probability can rise by pushing the other classes down, and its
gradient vanishes once the network is sure); the perturbation methods use the probability, as
Zeiler & Fergus (2014) plot for occlusion and Petsiuk et al. (2018) for deletion. :func:`fgsm` uses
the cross-entropy, from the logits. A model whose outputs are probabilities from a softmax that
cannot be removed (inside a ``Lambda``, say) is refused with a ValueError rather than explained
wrongly.

Every forward pass runs in inference mode (``training=False``: dropout off, batch normalisation
on its moving statistics) and on batches of ``batch_size`` images. The gradients are taken with
``tf.GradientTape``, so this module needs Keras's TensorFlow backend (the default;
``KERAS_BACKEND=tensorflow``). Bad arguments raise ValueError or TypeError saying what is wrong.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence

import keras
import numpy as np
import tensorflow as tf

from .checks import whole_number

_SCORES = ("logit", "probability")
_REDUCTIONS = ("mean", "max")


# ---------------------------------------------------------------------------------------------
# checks shared by every function


def _check_model(model: object) -> tuple[tuple, int]:
    """``(image_shape, classes)`` of a model these functions can explain; TypeError or ValueError
    otherwise. ``image_shape`` is ``(H, W, C)`` with None where the model takes any size."""
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a Keras model (keras.Model or keras.Sequential), got {type(model).__name__}.")
    if keras.backend.backend() != "tensorflow":
        raise RuntimeError(
            f"utils.saliency takes gradients with tf.GradientTape and needs Keras's TensorFlow backend, "
            f"but Keras runs on {keras.backend.backend()!r}. Set KERAS_BACKEND=tensorflow before importing keras."
        )
    try:
        inputs, outputs = model.inputs, model.outputs
    except (AttributeError, ValueError):
        inputs = outputs = None
    if not inputs or not outputs:
        raise ValueError(
            f"model {model.name!r} has no defined input: build it on keras.Input((H, W, C)) (a Sequential "
            f"model starts with keras.Input, a functional one is keras.Model(inputs, outputs))."
        )
    if len(inputs) != 1 or len(outputs) != 1:
        raise ValueError(
            f"model {model.name!r} has {len(inputs)} input(s) and {len(outputs)} output(s); these maps need "
            f"one image input and one output of class scores."
        )
    in_shape, out_shape = tuple(inputs[0].shape), tuple(outputs[0].shape)
    if len(in_shape) != 4:
        raise ValueError(
            f"model {model.name!r} takes inputs of shape {in_shape}; these maps need a model that takes "
            f"images (N, H, W, C)."
        )
    if len(out_shape) != 2 or out_shape[1] is None:
        raise ValueError(
            f"model {model.name!r} gives outputs of shape {out_shape}; these maps need one row of class "
            f"scores per image, (N, classes)."
        )
    return in_shape[1:], int(out_shape[1])


def _float_array(value: object, name: str) -> np.ndarray:
    """``value`` as a new float32 array of finite numbers, else TypeError or ValueError naming it."""
    try:
        array = np.asarray(value)
    except (ValueError, TypeError):
        raise TypeError(f"{name} must be an array of numbers, got {type(value).__name__}.") from None
    if array.dtype == bool or not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)):
        raise TypeError(f"{name} must be an array of real numbers, got dtype {array.dtype}.")
    array = array.astype(np.float32)
    if not np.isfinite(array).all():
        raise ValueError(f"{name} holds NaN or infinite values; these maps need finite numbers.")
    return array


def _check_image_shape(shape: tuple, expected: tuple, name: str) -> None:
    """ValueError when ``shape`` (H, W, C) is not what the model takes (None: any size)."""
    if any(e is not None and s != e for s, e in zip(shape, expected)):
        takes = tuple("any" if e is None else e for e in expected)
        raise ValueError(f"the model takes images of shape (H, W, C) = {takes}, but {name} are {tuple(shape)}.")


def _batch(images: object, image_shape: tuple, name: str = "images") -> tuple[np.ndarray, bool]:
    """``(batch, single)``: float32 ``(N, H, W, C)``, and whether one image ``(H, W, C)`` was given."""
    array = _float_array(images, name)
    if array.ndim not in (3, 4):
        hint = " Add the channel axis: x[..., None]." if array.ndim == 2 else ""
        raise ValueError(f"{name} must be one image (H, W, C) or a batch (N, H, W, C), got shape {array.shape}.{hint}")
    single = array.ndim == 3
    if single:
        array = array[None]
    if array.shape[0] == 0:
        raise ValueError(f"{name} is an empty batch, shape {array.shape}.")
    _check_image_shape(array.shape[1:], image_shape, name)
    return array, single


def _image(image: object, image_shape: tuple, name: str = "image") -> np.ndarray:
    """One float32 image ``(H, W, C)`` the model takes; a batch is refused (say which image)."""
    array = _float_array(image, name)
    if array.ndim != 3:
        hint = {2: " Add the channel axis: x[..., None].", 4: " Pass one image of the batch, images[i]."}
        raise ValueError(f"{name} must be one image (H, W, C), got shape {array.shape}.{hint.get(array.ndim, '')}")
    _check_image_shape(array.shape, image_shape, name)
    return array


def _classes(value: object, n: int, classes: int, name: str = "class_index") -> np.ndarray:
    """``value`` (one class, or one per image: shape (N,) or (N, 1)) as int32 ``(n,)`` in 0..classes-1."""
    if np.ndim(value) == 0:
        indices = np.full(n, whole_number(value, name, minimum=None), dtype=np.int64)
    else:
        array = np.asarray(value)
        if array.shape not in ((n,), (n, 1)):
            raise ValueError(f"{name} must be one class or one per image, shape ({n},), got shape {array.shape}.")
        if not np.issubdtype(array.dtype, np.integer):
            raise ValueError(f"{name} must hold whole numbers (class indices), got dtype {array.dtype}.")
        indices = array.reshape(n).astype(np.int64)
    bad = indices[(indices < 0) | (indices >= classes)]
    if bad.size:
        raise ValueError(f"{name} {bad[0]} is out of range: the model has {classes} classes, 0 to {classes - 1}.")
    return indices.astype(np.int32)


def _class(value: object, classes: int) -> int:
    """One class index in 0..classes-1 (the functions that explain one image)."""
    if np.ndim(value) != 0:
        raise ValueError(f"class_index must be one class (a whole number), got {value!r}.")
    return int(_classes(value, 1, classes)[0])


def _choice(value: object, name: str, options: tuple[str, ...]) -> str:
    if value not in options:
        raise ValueError(f"{name} must be one of {', '.join(repr(o) for o in options)}, got {value!r}.")
    return value


def _real(value: object, name: str, minimum: float | None = None) -> float:
    """``value`` as a finite float (never a bool) of at least ``minimum``, else ValueError."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}.")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}.")
    return float(value)


def _range(value: object, name: str) -> tuple[float, float]:
    """A ``(lo, hi)`` pair of finite numbers with lo < hi, else ValueError."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise ValueError(f"{name} must be a (low, high) pair such as (0.0, 1.0), got {value!r}.")
    lo, hi = _real(value[0], f"{name}[0]"), _real(value[1], f"{name}[1]")
    if not lo < hi:
        raise ValueError(f"{name} must have low < high, got {value!r}.")
    return lo, hi


def _fill(fill: object, image: np.ndarray) -> np.ndarray:
    """The fill value per channel, ``(C,)``: the image's mean per channel when ``fill`` is None."""
    channels = image.shape[-1]
    if fill is None:
        return image.mean(axis=(0, 1))
    array = _float_array(fill, "fill")
    if array.ndim == 0:
        return np.full(channels, array, dtype=np.float32)
    if array.shape != (channels,):
        raise ValueError(f"fill must be one number or one per channel, shape ({channels},), got shape {array.shape}.")
    return array


def _chunks(n: int, batch_size: int) -> list[slice]:
    return [slice(start, min(start + batch_size, n)) for start in range(0, n, batch_size)]


# ---------------------------------------------------------------------------------------------
# the class score: before or after the softmax


class _BeforeActivation(keras.layers.Layer):
    """A Dense or Conv2D layer's output before its activation (``x @ kernel + bias``, or the
    convolution plus bias), on that layer's own weights: shared, not copied, so it follows the
    layer through any training."""

    def __init__(self, layer: keras.layers.Layer, **kwargs):
        super().__init__(name=f"{layer.name}_before_activation", **kwargs)
        self.inner = layer

    def call(self, inputs):
        layer = self.inner
        if isinstance(layer, keras.layers.Dense):
            out = keras.ops.matmul(inputs, layer.kernel)
        else:
            out = layer.convolution_op(inputs, layer.kernel)
        return out + layer.bias if layer.use_bias else out

    def compute_output_shape(self, input_shape):
        return self.inner.compute_output_shape(input_shape)


def _before_activation(layer: keras.layers.Layer) -> object:
    """The symbolic value of ``layer`` before its activation: the input of an activation layer
    (``Activation``, ``ReLU``, ``LeakyReLU``, ``ELU``), the output without its activation of a Dense
    or channels-last Conv2D with one fused into it (``activation="relu"``), else the layer's output."""
    if isinstance(layer, (keras.layers.ReLU, keras.layers.LeakyReLU, keras.layers.ELU)) or (
        isinstance(layer, keras.layers.Activation) and getattr(layer.activation, "__name__", "") != "linear"
    ):
        return layer.input
    fused = isinstance(layer, keras.layers.Dense) or (
        isinstance(layer, keras.layers.Conv2D) and getattr(layer, "data_format", None) == "channels_last"
    )
    if fused and getattr(layer.activation, "__name__", "linear") != "linear":
        return _BeforeActivation(layer)(layer.input)
    return layer.output


def _is_softmax(function: object) -> bool:
    return getattr(function, "__name__", None) == "softmax"


def _output_layer(model: keras.Model) -> keras.layers.Layer | None:
    """The layer that gives the model's output, or None when it cannot be told."""
    output = model.outputs[0]
    for layer in reversed(model.layers):
        try:
            if layer.output is output:
                return layer
        except (AttributeError, ValueError):
            continue
    return None


def _pre_softmax(model: keras.Model) -> object | None:
    """The symbolic pre-softmax scores of a model that ends in a softmax, else None."""
    layer = _output_layer(model)
    if isinstance(layer, keras.layers.Softmax) or (
        isinstance(layer, keras.layers.Activation) and _is_softmax(layer.activation)
    ):
        return layer.input
    if isinstance(layer, keras.layers.Dense) and _is_softmax(layer.activation):
        return _BeforeActivation(layer)(layer.input)
    return None


def _describe(layer: keras.layers.Layer | None) -> str:
    if layer is None:
        return "cannot be found"
    activation = getattr(layer, "activation", None)
    name = getattr(activation, "__name__", None)
    return f"is {layer.name!r} ({type(layer).__name__}" + (f", activation {name!r})" if name else ")")


def logits_model(model: keras.Model) -> keras.Model:
    """A model that gives ``model``'s scores before its final softmax (the logits), ``(N, classes)``.

    The model must end in a softmax: a ``Dense`` layer with ``activation="softmax"`` (the new
    model computes ``x @ kernel + bias`` with that layer's own weights, shared, not copied), or a
    ``Softmax`` or ``Activation("softmax")`` layer (the new model gives the previous layer's output).
    Every other layer is shared with ``model``, so the two agree after any training.

    Raises:
        ValueError: the model's last layer is no softmax; its outputs are then already the scores.
    """
    _check_model(model)
    logits = _pre_softmax(model)
    if logits is None:
        raise ValueError(
            f"model {model.name!r} does not end in a softmax (its last layer {_describe(_output_layer(model))}), "
            f"so there is no softmax to remove: if it gives logits, use the model itself. A softmax this "
            f"function can remove is a Dense with activation='softmax', a Softmax or an Activation('softmax') layer."
        )
    return keras.Model(model.inputs[0], logits, name=f"{model.name}_logits")


def _refuse_probabilities(out: tf.Tensor, model: keras.Model) -> None:
    """ValueError when a model without a removable softmax still gives probabilities."""
    if out.shape[-1] < 2:
        return
    rows = tf.reduce_sum(out, axis=-1)
    if bool(tf.reduce_all(out >= 0)) and bool(tf.reduce_all(tf.abs(rows - 1.0) < 1e-4)):
        raise ValueError(
            f"the outputs of model {model.name!r} look like probabilities (every row is >= 0 and sums to 1), "
            f"but its last layer {_describe(_output_layer(model))}, which is no softmax that can be removed. "
            f"End the model with Dense(classes) and a Softmax layer (or Dense(classes, activation='softmax')), "
            f"or pass a model that gives logits."
        )


def _scorer(
    model: keras.Model, score: str, features: object = None
) -> Callable[[tf.Tensor], tuple[tf.Tensor | None, tf.Tensor]]:
    """A function ``x -> (features, scores)``: the layer output ``features`` (a symbolic tensor of
    ``model``, or None) and the class scores of ``score`` ('logit' or 'probability'), ``(N, classes)``."""
    score = _choice(score, "score", _SCORES)
    logits = _pre_softmax(model)
    removed = logits is not None
    logits = logits if removed else model.outputs[0]
    if features is None:
        net = keras.Model(model.inputs[0], logits)
    else:
        net = keras.Model(model.inputs[0], [features, logits])

    def scores(x: tf.Tensor) -> tuple[tf.Tensor | None, tf.Tensor]:
        out = net(x, training=False)
        maps, out = (None, out) if features is None else out
        if not removed:
            _refuse_probabilities(out, model)
        return maps, tf.nn.softmax(out, axis=-1) if score == "probability" else out

    return scores


def _class_scores(scores: Callable, batch: np.ndarray, classes: np.ndarray, batch_size: int) -> np.ndarray:
    """The score of ``classes[i]`` for every image ``batch[i]``, ``(N,)``, in batches."""
    out = []
    for part in _chunks(len(batch), batch_size):
        _, s = scores(tf.convert_to_tensor(batch[part]))
        out.append(tf.gather(s, classes[part], axis=1, batch_dims=1).numpy())
    return np.concatenate(out).astype(np.float64)


def _input_gradients(scores: Callable, batch: np.ndarray, classes: np.ndarray, batch_size: int) -> np.ndarray:
    """d score(class i) / d image i for every image, ``(N, H, W, C)``. The images of a batch do
    not interact in inference mode, so the gradient of the summed scores is each image's own."""
    out = []
    for part in _chunks(len(batch), batch_size):
        x = tf.convert_to_tensor(batch[part])
        with tf.GradientTape() as tape:
            tape.watch(x)
            _, s = scores(x)
            picked = tf.gather(s, classes[part], axis=1, batch_dims=1)
        out.append(tape.gradient(picked, x).numpy())
    return np.concatenate(out)


# ---------------------------------------------------------------------------------------------
# saliency maps


def occlusion_map(
    model: keras.Model,
    image: np.ndarray,
    class_index: int,
    patch: int = 8,
    stride: int = 4,
    fill: float | np.ndarray | None = None,
    batch_size: int = 64,
    *,
    score: str = "probability",
    grid: bool = False,
) -> np.ndarray:
    """Occlusion sensitivity (Zeiler & Fergus 2014): how much the class probability (or score)
    drops when a square patch of the image is covered.

    The patch (``patch`` x ``patch`` pixels, every channel set to ``fill``) slides over the image
    every ``stride`` pixels from the top left, plus one last row and column of positions flush
    with the bottom and right edges when the stride does not reach them, so every pixel is
    covered. The drop at a position is ``score(image) - score(occluded image)``: positive where
    covering the pixels lowers the score (evidence for the class), negative where it raises it.
    All the occluded copies go through the model in batches of ``batch_size``.

    Args:
        model: a Keras model, images ``(N, H, W, C)`` to scores ``(N, classes)``.
        image: one image ``(H, W, C)`` in the model's units.
        class_index: the class whose score is explained.
        patch, stride: side of the patch and step between positions, in pixels.
        fill: the patch's value, one number or one per channel ``(C,)``, in the image's units;
            default the image's mean per channel (a grey that adds no edge of its own colour).
        score: 'probability' (default: the softmax probability of the class, what Zeiler & Fergus
            plot, also for a model that gives logits) or 'logit' (the score before the softmax).
        grid: return the drop at each patch position instead of the per-pixel map.

    Returns:
        float64 ``(H, W)``, in probability (or logit) units: at each pixel, the mean drop over the
        patch positions that cover it (a map at the image's resolution, with no interpolation);
        with ``grid=True``, ``(H', W')``, the drop at each position, row ``i`` for the patch whose
        top edge is at the ``i``-th position.
    """
    image_shape, classes = _check_model(model)
    image = _image(image, image_shape)
    height, width, _ = image.shape
    patch = whole_number(patch, "patch", unit="pixels")
    stride = whole_number(stride, "stride", unit="pixels")
    batch_size = whole_number(batch_size, "batch_size")
    if patch > min(height, width):
        raise ValueError(f"patch {patch} is larger than the image ({height} x {width} pixels); use a smaller patch.")
    if not isinstance(grid, (bool, np.bool_)):
        raise ValueError(f"grid must be True or False, got {grid!r}.")
    colour = _fill(fill, image)
    c = _class(class_index, classes)
    scores = _scorer(model, score)

    def positions(size: int) -> list[int]:
        starts = list(range(0, size - patch + 1, stride))
        return starts if starts[-1] + patch == size else [*starts, size - patch]

    tops, lefts = positions(height), positions(width)
    corners = [(top, left) for top in tops for left in lefts]
    base = _class_scores(scores, image[None], np.array([c], np.int32), 1)[0]
    drops = []
    for part in _chunks(len(corners), batch_size):
        batch = np.repeat(image[None], part.stop - part.start, axis=0)
        for copy, (top, left) in zip(batch, corners[part]):
            copy[top : top + patch, left : left + patch] = colour
        drops.append(base - _class_scores(scores, batch, np.full(len(batch), c, np.int32), batch_size))
    drops = np.concatenate(drops)
    if grid:
        return drops.reshape(len(tops), len(lefts))
    total, count = np.zeros((height, width)), np.zeros((height, width))
    for drop, (top, left) in zip(drops, corners):
        total[top : top + patch, left : left + patch] += drop
        count[top : top + patch, left : left + patch] += 1
    return total / count


def upsample(maps: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Resize a coarse map ``(h, w)`` or maps ``(N, h, w)`` to ``shape = (H, W)`` by bilinear
    interpolation (``tf.image.resize``, pixel centres aligned), e.g. a Grad-CAM map to the image's
    size before overlaying it. Returns float32 ``(H, W)`` or ``(N, H, W)``."""
    array = _float_array(maps, "maps")
    if array.ndim not in (2, 3):
        raise ValueError(f"maps must be one map (h, w) or a batch (N, h, w), got shape {array.shape}.")
    if not isinstance(shape, (tuple, list)) or len(shape) != 2:
        raise ValueError(f"shape must be the (height, width) to resize to, got {shape!r}.")
    size = [whole_number(s, "shape", unit="pixels") for s in shape]
    resized = tf.image.resize(array[..., None], size, method="bilinear")
    return resized.numpy()[..., 0]


def gradient_map(
    model: keras.Model,
    images: np.ndarray,
    class_index: int | Sequence[int],
    *,
    score: str = "logit",
    batch_size: int = 64,
) -> np.ndarray:
    """Image-specific class saliency (Simonyan et al. 2014): ``|d score / d pixel|``, the largest
    over the colour channels.

    Args:
        model: a Keras model, images ``(N, H, W, C)`` to scores ``(N, classes)``.
        images: one image ``(H, W, C)`` or a batch ``(N, H, W, C)`` in the model's units.
        class_index: the class explained, one for all images or one per image, shape ``(N,)``.
        score: 'logit' (default: the class score before the softmax, as in the paper) or 'probability'.
        batch_size: images per forward and backward pass.

    Returns:
        float32 ``(N, H, W)`` (``(H, W)`` for one image), >= 0, in score units per image unit.
    """
    image_shape, classes = _check_model(model)
    batch, single = _batch(images, image_shape)
    indices = _classes(class_index, len(batch), classes)
    batch_size = whole_number(batch_size, "batch_size")
    grads = _input_gradients(_scorer(model, score), batch, indices, batch_size)
    maps = np.abs(grads).max(axis=-1)
    return maps[0] if single else maps


def smoothgrad(
    model: keras.Model,
    image: np.ndarray,
    class_index: int,
    n: int = 25,
    noise: float = 0.15,
    seed: int = 0,
    *,
    score: str = "logit",
    batch_size: int = 64,
) -> np.ndarray:
    """SmoothGrad (Smilkov et al. 2017): the mean of :func:`gradient_map` over ``n`` noisy copies
    of the image, which averages away the gradient's pixel-to-pixel noise.

    Args:
        image: one image ``(H, W, C)`` in the model's units.
        n: number of noisy copies (all go through the model in batches of ``batch_size``).
        noise: the Gaussian noise's standard deviation as a fraction of the image's value range
            (max - min); the paper finds 0.1-0.2 best. 0 gives the plain gradient map.
        seed: seed of the noise: the same seed gives the same map.
        score: 'logit' (default) or 'probability', as in :func:`gradient_map`.

    Returns:
        float32 ``(H, W)``, >= 0.
    """
    image_shape, classes = _check_model(model)
    image = _image(image, image_shape)
    n = whole_number(n, "n")
    noise = _real(noise, "noise", minimum=0.0)
    seed = whole_number(seed, "seed", minimum=0)
    batch_size = whole_number(batch_size, "batch_size")
    c = _class(class_index, classes)
    sigma = noise * float(image.max() - image.min())
    rng = np.random.default_rng(seed)
    noisy = (image[None] + rng.normal(0.0, sigma, (n, *image.shape))).astype(np.float32)
    grads = _input_gradients(_scorer(model, score), noisy, np.full(n, c, np.int32), batch_size)
    return np.abs(grads).max(axis=-1).mean(axis=0)


def _output_shape(layer: keras.layers.Layer) -> tuple | None:
    """The shape of the layer's output in its model, or None when it has none or several."""
    try:
        return tuple(layer.output.shape)
    except (AttributeError, ValueError):
        return None


def _layer(model: keras.Model, layer_name: object, ranks: tuple[int, ...], what: str) -> keras.layers.Layer:
    """The layer ``layer_name`` of ``model`` whose output has one of ``ranks`` (``what`` says what that
    is, e.g. "feature maps (N, h, w, K)"), else ValueError listing the layers that give it."""
    if not isinstance(layer_name, str):
        raise TypeError(f"layer_name must be a layer's name (a string), got {type(layer_name).__name__}.")
    layers = {layer.name: layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)}
    fit = [name for name, layer in layers.items() if len(_output_shape(layer) or ()) in ranks]
    listed = ", ".join(repr(n) for n in fit[:40]) + (", ..." if len(fit) > 40 else "")
    if layer_name not in layers:
        nested = [layer.name for layer in model.layers if isinstance(layer, keras.Model)]
        inside = (
            f" Layers inside the nested model(s) {', '.join(repr(n) for n in nested)} cannot be named: build "
            f"the model flat, or explain the nested model itself."
            if nested
            else ""
        )
        raise ValueError(
            f"model {model.name!r} has no layer {layer_name!r}; the layers that give {what}: {listed}.{inside}"
        )
    if layer_name not in fit:
        raise ValueError(
            f"layer {layer_name!r} gives outputs of shape {_output_shape(layers[layer_name]) or 'unknown'}, not "
            f"{what}; the layers that give them: {listed}."
        )
    return layers[layer_name]


def grad_cam(
    model: keras.Model,
    images: np.ndarray,
    class_index: int | Sequence[int],
    layer_name: str,
    *,
    score: str = "logit",
    resize: bool = False,
    batch_size: int = 64,
) -> np.ndarray:
    """Grad-CAM (Selvaraju et al. 2017): where the feature maps of one layer hold the class's evidence.

    With ``A`` the layer's feature maps ``(h, w, K)`` and ``y`` the class score, each map ``k``
    gets the weight ``a_k = mean over (i, j) of dy / dA[i, j, k]`` (the gradient, global-average
    pooled), and the map is ``ReLU(sum_k a_k A[:, :, k])``. On a network that ends in global
    average pooling and one Dense layer this is the class activation map (CAM) of Zhou et al. 2016
    divided by ``h * w``.

    Args:
        model: a Keras model, images ``(N, H, W, C)`` to scores ``(N, classes)``.
        images: one image ``(H, W, C)`` or a batch ``(N, H, W, C)`` in the model's units.
        class_index: the class explained, one for all images or one per image, shape ``(N,)``.
        layer_name: a layer of ``model`` that gives feature maps ``(N, h, w, K)``, usually the last
            convolutional one.
        score: 'logit' (default: the score before the softmax, as in the paper) or 'probability'.
        resize: also resize the maps to the images' ``(H, W)`` (bilinear, :func:`upsample`).

    Returns:
        float32 ``(N, h, w)`` at the layer's resolution (``(N, H, W)`` with ``resize``; no batch axis
        for one image), >= 0, in the units of the feature maps times score per unit of them.
    """
    image_shape, classes = _check_model(model)
    batch, single = _batch(images, image_shape)
    indices = _classes(class_index, len(batch), classes)
    batch_size = whole_number(batch_size, "batch_size")
    if not isinstance(resize, (bool, np.bool_)):
        raise ValueError(f"resize must be True or False, got {resize!r}.")
    layer = _layer(model, layer_name, (4,), "feature maps (N, h, w, K)")
    scores = _scorer(model, score, features=layer.output)
    maps = []
    for part in _chunks(len(batch), batch_size):
        x = tf.convert_to_tensor(batch[part])
        with tf.GradientTape() as tape:
            tape.watch(x)  # records the whole pass, frozen layers included
            features, s = scores(x)
            picked = tf.gather(s, indices[part], axis=1, batch_dims=1)
        grads = tape.gradient(picked, features)
        if grads is None:
            raise ValueError(
                f"the class scores do not depend on layer {layer_name!r}; pick a layer on the way to them."
            )
        weights = tf.reduce_mean(grads, axis=(1, 2), keepdims=True)
        maps.append(tf.nn.relu(tf.reduce_sum(weights * features, axis=-1)).numpy())
    maps = np.concatenate(maps)
    if resize:
        maps = upsample(maps, batch.shape[1:3])
    return maps[0] if single else maps


# ---------------------------------------------------------------------------------------------
# adversarial examples


def fgsm(
    model: keras.Model,
    images: np.ndarray,
    labels: int | Sequence[int],
    epsilon: float,
    *,
    target: bool = False,
    clip: tuple[float, float] | None = None,
    batch_size: int = 64,
) -> np.ndarray:
    """The fast gradient sign method (Goodfellow et al. 2015): one step of size ``epsilon`` on every
    pixel, along the sign of the loss's gradient.

    Untargeted (``target=False``): ``labels`` are the true classes and the step goes up their loss,
    ``x + epsilon * sign(d loss(x, label) / dx)``. Targeted (``target=True``): ``labels`` are the
    classes to move towards and the step goes down their loss, ``x - epsilon * sign(d loss(x,
    label) / dx)``.

    The loss is the cross-entropy of class ``y``, from the logits ``z`` (the scores before the
    softmax, see :func:`logits_model`; the same loss as on the probabilities). It is ``softplus(m)``
    with ``m = log sum_{k != y} exp(z_k - z_y)``, so its gradient is ``sigmoid(m) > 0`` times the
    gradient of ``m``, which has the same sign: the step uses the gradient of ``m``, the exact sign
    of the loss's gradient. The usual computation of that gradient, ``softmax(z) - one_hot(y)`` in
    float32, cancels once ``1 - p_y`` is below about 6e-8 (a logit margin above about 17: a quarter
    of the course's ResNet-20 test images), and its sign is then wrong on many pixels (0 everywhere
    past a margin of about 100). For two classes the step is ``epsilon * sign(d(z_other - z_y) / dx)``.

    Args:
        model: a Keras model, images ``(N, H, W, C)`` to scores ``(N, classes)``.
        images: one image ``(H, W, C)`` or a batch ``(N, H, W, C)`` in the model's units.
        labels: one class for all images or one per image (``(N,)`` or ``(N, 1)``, the layout of
            ``load_cifar10``): the true classes, or with ``target=True`` the target classes.
        epsilon: the step per pixel, >= 0, in the images' units (8/255 is a visible step on [0, 1]).
        target: False for the untargeted attack, True for the targeted one.
        clip: ``(low, high)``, the images' valid range (``(0, 1)`` for the course's models): the
            result is clipped to it, and images outside it are refused (they would be in other
            units). None: no clipping.

    Returns:
        float32 adversarial images, the shape of ``images``.
    """
    image_shape, classes = _check_model(model)
    batch, single = _batch(images, image_shape)
    epsilon = _real(epsilon, "epsilon", minimum=0.0)
    batch_size = whole_number(batch_size, "batch_size")
    if classes < 2:
        raise ValueError(f"model {model.name!r} gives {classes} score; a cross-entropy needs 2 classes or more.")
    if not isinstance(target, (bool, np.bool_)):
        raise ValueError(
            f"target must be True (labels are the classes to move towards) or False (labels are the true "
            f"classes), got {target!r}; pass the target classes as labels."
        )
    towards, sign = _classes(labels, len(batch), classes, "labels"), -1.0 if target else 1.0
    if clip is not None:
        lo, hi = _range(clip, "clip")
        if batch.min() < lo or batch.max() > hi:
            raise ValueError(
                f"images hold values from {batch.min():g} to {batch.max():g}, outside clip=({lo:g}, {hi:g}): "
                f"pass the range of the units the images are in (e.g. (0, 255) for raw pixels)."
            )
    scores = _scorer(model, "logit")
    out = []
    for part in _chunks(len(batch), batch_size):
        x = tf.convert_to_tensor(batch[part])
        with tf.GradientTape() as tape:
            tape.watch(x)
            _, logits = scores(x)
            mine = tf.one_hot(towards[part], classes, on_value=True, off_value=False)
            gap = logits - tf.gather(logits, towards[part], axis=1, batch_dims=1)[:, None]
            margin = tf.reduce_logsumexp(tf.where(mine, -np.inf, gap), axis=1)  # loss = softplus(margin)
        out.append(batch[part] + np.float32(sign * epsilon) * np.sign(tape.gradient(margin, x).numpy()))
    adversarial = np.concatenate(out).astype(np.float32)
    if clip is not None:
        adversarial = np.clip(adversarial, lo, hi)
    return adversarial[0] if single else adversarial


# ---------------------------------------------------------------------------------------------
# judging a map


def random_ranking(shape: tuple[int, int], seed: int = 0) -> np.ndarray:
    """A baseline "saliency map" that ranks the pixels at random: a random permutation of
    ``0 .. H*W - 1`` as float64 ``(H, W)`` (no ties), the same for the same seed."""
    if not isinstance(shape, (tuple, list)) or len(shape) != 2:
        raise ValueError(f"shape must be the (height, width) of the image, got {shape!r}.")
    height, width = (whole_number(s, "shape", unit="pixels") for s in shape)
    seed = whole_number(seed, "seed", minimum=0)
    return np.random.default_rng(seed).permutation(height * width).reshape(height, width).astype(np.float64)


def deletion_curve(
    model: keras.Model,
    image: np.ndarray,
    class_index: int,
    saliency: np.ndarray,
    fractions: Sequence[float] = (0, 0.05, 0.1, 0.2, 0.4),
    fill: float | np.ndarray | None = None,
    *,
    score: str = "probability",
    batch_size: int = 64,
) -> np.ndarray:
    """The class probability (or score) as the pixels a map ranks highest are removed (the deletion
    metric of Samek et al. 2017 and Petsiuk et al. 2018): a map that finds the evidence makes it
    fall fast.

    For each fraction ``f`` the ``round(f * H * W)`` pixels with the largest ``saliency`` (ties in
    row-major order) are set to ``fill`` in every channel and the image is scored again; all the
    copies go through the model in batches. Compare with the curve of :func:`random_ranking`.

    Args:
        image: one image ``(H, W, C)`` in the model's units.
        saliency: ``(H, W)``, larger = removed first (a Grad-CAM map: :func:`upsample` it first).
        fractions: fractions of the pixels removed, each in [0, 1], in any order.
        fill: the removed pixels' value, one number or one per channel; default the image's mean
            per channel.
        score: 'probability' (default: the softmax probability of the class, as Petsiuk et al. use,
            also for a model that gives logits) or 'logit' (the score before the softmax).

    Returns:
        float64 ``(len(fractions),)``: the probability (or logit) after each deletion; a fraction
        of 0 gives the image's own.
    """
    image_shape, classes = _check_model(model)
    image = _image(image, image_shape)
    height, width, _ = image.shape
    ranking = _float_array(saliency, "saliency")
    if ranking.shape != (height, width):
        raise ValueError(
            f"saliency has shape {ranking.shape} but the image is {height} x {width}: pass a map (H, W) of "
            f"the image (resize a coarse map with upsample(map, ({height}, {width})))."
        )
    parts = _float_array(fractions, "fractions")
    if parts.ndim != 1 or parts.size == 0 or parts.min() < 0 or parts.max() > 1:
        raise ValueError(f"fractions must be a list of numbers in [0, 1], got {fractions!r}.")
    batch_size = whole_number(batch_size, "batch_size")
    colour = _fill(fill, image)
    c = _class(class_index, classes)
    order = np.argsort(-ranking.ravel(), kind="stable")
    batch = np.repeat(image[None], len(parts), axis=0)
    for copy, fraction in zip(batch, parts.astype(np.float64)):
        rows, cols = np.unravel_index(order[: int(math.floor(fraction * height * width + 0.5))], (height, width))
        copy[rows, cols] = colour
    return _class_scores(_scorer(model, score), batch, np.full(len(batch), c, np.int32), batch_size)


def _ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..n of ``values`` (1-D), tied values sharing the mean of their ranks."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    first = np.r_[True, ordered[1:] != ordered[:-1]]
    starts = np.flatnonzero(first)
    ends = np.r_[starts[1:], len(values)]
    mean_rank = (starts + ends + 1) / 2.0  # ranks starts+1 .. ends, averaged
    ranks = np.empty(len(values))
    ranks[order] = mean_rank[np.cumsum(first) - 1]
    return ranks


def rank_correlation(a: np.ndarray, b: np.ndarray, *, absolute: bool = False) -> float:
    """Spearman's rank correlation of two maps of the same shape (flattened): the Pearson
    correlation of their ranks, tied values sharing the mean of their ranks. 1: the same order of
    importance, 0: unrelated, -1: reversed. Adebayo et al. (2018) use it to compare a model's map
    with the map of a randomised copy (:func:`randomized_copy`); ``absolute=True`` ranks ``|a|`` and
    ``|b|``, their variant that ignores the sign.

    Returns:
        A float in [-1, 1]; NaN (as ``scipy.stats.spearmanr`` gives, without its warning) when a map
        is constant, such as a Grad-CAM map the ReLU set to 0 everywhere: its ranks have no spread
        and the correlation is undefined (average with ``np.nanmean`` and count the NaNs).

    Raises:
        ValueError: maps of different shapes, or fewer than 2 values.
    """
    x, y = _float_array(a, "a").astype(np.float64), _float_array(b, "b").astype(np.float64)
    if x.shape != y.shape:
        raise ValueError(f"a and b must be maps of the same shape, got {x.shape} and {y.shape}.")
    if x.size < 2:
        raise ValueError(f"a rank correlation needs at least 2 values, got {x.size}.")
    if not isinstance(absolute, (bool, np.bool_)):
        raise ValueError(f"absolute must be True or False, got {absolute!r}.")
    x, y = x.ravel(), y.ravel()
    if absolute:
        x, y = np.abs(x), np.abs(y)
    if x.min() == x.max() or y.min() == y.max():
        return math.nan
    rx, ry = _ranks(x), _ranks(y)
    rx, ry = rx - rx.mean(), ry - ry.mean()
    return float(np.clip((rx @ ry) / math.sqrt((rx @ rx) * (ry @ ry)), -1.0, 1.0))


def _reseeded(config: dict, rng: np.random.Generator) -> dict:
    """A layer's config with a fresh fixed seed in every seeded initializer, so that re-drawn weights
    do not depend on Keras's global random state."""
    config = dict(config)
    for key, value in config.items():
        if key.endswith("_initializer") and isinstance(value, dict) and "seed" in value.get("config", {}):
            config[key] = {**value, "config": {**value["config"], "seed": int(rng.integers(2**31 - 1))}}
    return config


def randomized_copy(model: keras.Model, layer_names: str | Sequence[str], seed: int = 0) -> keras.Model:
    """A copy of ``model`` in which the named layers' weights are drawn again from their
    initializers (the model-randomisation test of Adebayo et al. 2018; with the top ``k`` layers,
    their cascading randomisation). ``model`` itself is not changed.

    The copy is ``keras.models.clone_model(model)`` with ``model``'s weights; then each named layer
    gets the weights of a new layer built from its config: every weight, trainable or not (a batch
    normalisation's moving mean and variance go back to 0 and 1). The initializers are given seeds
    drawn from ``seed``, so the same seed gives the same copy.

    Args:
        layer_names: a layer's name or a list of names, layers of ``model`` that have weights.
        seed: whole number >= 0.

    Returns:
        A new Keras model with the same architecture and layer names.
    """
    _check_model(model)
    names = [layer_names] if isinstance(layer_names, str) else layer_names
    if not isinstance(names, (list, tuple)) or not names or not all(isinstance(n, str) for n in names):
        raise ValueError(f"layer_names must be a layer's name or a non-empty list of names, got {layer_names!r}.")
    seed = whole_number(seed, "seed", minimum=0)
    with_weights = [layer.name for layer in model.layers if layer.weights]
    for name in names:
        if name not in with_weights:
            has = "has no weights" if name in {layer.name for layer in model.layers} else "is not a layer of the model"
            raise ValueError(
                f"{name!r} {has}; the layers of {model.name!r} with weights: {', '.join(map(repr, with_weights))}."
            )
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    rng = np.random.default_rng(seed)
    for name in names:
        layer = copy.get_layer(name)
        fresh = type(layer).from_config(_reseeded(layer.get_config(), rng))
        fresh.build(tuple(layer.input.shape))
        weights = fresh.get_weights()
        if [w.shape for w in weights] != [w.shape for w in layer.get_weights()]:
            raise ValueError(f"layer {name!r} could not be rebuilt from its config with the same weights.")
        layer.set_weights(weights)
    return copy


# ---------------------------------------------------------------------------------------------
# what a unit responds to


def _unit_model(
    model: keras.Model, layer_name: str, unit: object, before_activation: bool = False
) -> tuple[keras.Model, int]:
    """A model from the images to the layer's output, and ``unit`` checked against its channels.
    A softmax output layer gives the pre-softmax scores; ``before_activation`` takes the value
    before the layer's activation (:func:`_before_activation`)."""
    layer = _layer(model, layer_name, (2, 4), "feature maps (N, h, w, K) or units (N, K)")
    if not isinstance(before_activation, (bool, np.bool_)):
        raise ValueError(f"before_activation must be True or False, got {before_activation!r}.")
    tensor = layer.output
    logits = _pre_softmax(model) if tensor is model.outputs[0] else None
    if logits is not None:
        tensor = logits
    elif before_activation:
        tensor = _before_activation(layer)
    channels = int(tensor.shape[-1])
    unit = whole_number(unit, "unit", minimum=0)
    if unit >= channels:
        raise ValueError(
            f"unit {unit} is out of range: layer {layer_name!r} has {channels} channels, 0 to {channels - 1}."
        )
    return keras.Model(model.inputs[0], tensor), unit


def _reduce(maps: tf.Tensor, unit: int, reduce: str) -> tf.Tensor:
    """One number per image: the mean or max of channel ``unit`` over its positions."""
    values = maps[..., unit]
    if len(values.shape) == 1:
        return values
    return tf.reduce_mean(values, axis=(1, 2)) if reduce == "mean" else tf.reduce_max(values, axis=(1, 2))


def channel_activation(
    model: keras.Model,
    layer_name: str,
    images: np.ndarray,
    unit: int,
    *,
    reduce: str = "mean",
    before_activation: bool = False,
    batch_size: int = 64,
) -> np.ndarray:
    """The activation of channel ``unit`` of layer ``layer_name`` for each image: its mean (or max,
    ``reduce="max"``) over the positions of the feature map, or the unit's value for a layer that
    gives ``(N, K)``. For the model's output layer, when it is a softmax, the pre-softmax score of
    class ``unit``. ``before_activation=True``: the value before the layer's activation (the input of
    an ``Activation`` or ``ReLU`` layer; a Dense or Conv2D with ``activation="relu"`` without it),
    what :func:`activation_maximization` maximises.
    Returns float64 ``(N,)`` (a float for one image)."""
    image_shape, _ = _check_model(model)
    batch, single = _batch(images, image_shape)
    reduce = _choice(reduce, "reduce", _REDUCTIONS)
    batch_size = whole_number(batch_size, "batch_size")
    net, unit = _unit_model(model, layer_name, unit, before_activation)
    values = np.concatenate(
        [
            _reduce(net(tf.convert_to_tensor(batch[part]), training=False), unit, reduce).numpy()
            for part in _chunks(len(batch), batch_size)
        ]
    ).astype(np.float64)
    return float(values[0]) if single else values


def top_activating(
    model: keras.Model,
    layer_name: str,
    images: np.ndarray,
    unit: int,
    k: int = 9,
    *,
    reduce: str = "mean",
    batch_size: int = 64,
) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` images of ``images`` on which channel ``unit`` of layer ``layer_name`` is most
    active (its mean or max over the positions: :func:`channel_activation`), as Zeiler & Fergus (2014)
    show for each unit.

    Returns:
        ``(indices, activations)``: int ``(k,)`` indices into ``images`` and float64 ``(k,)``, the
        largest activation first (ties: the lower index first).
    """
    values = channel_activation(model, layer_name, images, unit, reduce=reduce, batch_size=batch_size)
    values = np.atleast_1d(values)
    k = whole_number(k, "k")
    if k > len(values):
        raise ValueError(f"k {k} is more than the {len(values)} images given.")
    order = np.argsort(-values, kind="stable")[:k]
    return order, values[order]


def receptive_crop(model: keras.Model, layer_name: str, image: np.ndarray, unit: int, size: int) -> np.ndarray:
    """The ``size`` x ``size`` patch of ``image`` around the position where channel ``unit`` of layer
    ``layer_name`` is most active: what that unit saw there.

    Position ``(i, j)`` of an ``(h, w)`` feature map is taken to look at the input around the
    centre of its share of the image, ``((i + 0.5) H / h, (j + 0.5) W / w)`` (exact for strided
    "same" layers, close otherwise; ``size`` should be the unit's receptive field, see
    ``utils.receptive_field``). At the borders the window moves inside the image, so every crop has
    the same size; a field larger than the image is clipped to it (the crop is the whole image
    along that axis).

    Returns:
        float32 ``(min(size, H), min(size, W), C)``.
    """
    image_shape, _ = _check_model(model)
    image = _image(image, image_shape)
    height, width, _ = image.shape
    size = whole_number(size, "size", unit="pixels")
    net, unit = _unit_model(model, layer_name, unit)
    maps = net(tf.convert_to_tensor(image[None]), training=False).numpy()[0]
    if maps.ndim != 3:
        raise ValueError(f"layer {layer_name!r} gives no feature maps (its output is {maps.shape}); pick a 4-D layer.")
    i, j = np.unravel_index(np.argmax(maps[..., unit]), maps.shape[:2])

    def start(index: int, cells: int, pixels: int) -> int:
        side = min(size, pixels)
        centre = (index + 0.5) * pixels / cells
        return int(min(max(round(centre - side / 2), 0), pixels - side))

    top, left = start(i, maps.shape[0], height), start(j, maps.shape[1], width)
    return image[top : top + size, left : left + size].copy()


def _gaussian_blur(image: np.ndarray, sigma: float) -> np.ndarray:
    """``image`` (H, W, C) blurred by a Gaussian of ``sigma`` pixels (separable, mirrored edges)."""
    radius = max(1, int(math.ceil(3 * sigma)))
    taps = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    taps /= taps.sum()
    out = image
    for axis in (0, 1):
        pad = [(0, 0)] * 3
        pad[axis] = (radius, radius)
        padded = np.pad(out, pad, mode="reflect" if out.shape[axis] > radius else "edge")
        size = out.shape[axis]
        out = sum(t * np.take(padded, np.arange(o, o + size), axis=axis) for o, t in enumerate(taps))
    return out.astype(np.float32)


def activation_maximization(
    model: keras.Model,
    layer_name: str,
    unit: int,
    shape: tuple[int, int, int],
    steps: int = 200,
    lr: float = 0.05,
    l2: float = 0.01,
    blur_every: int = 4,
    jitter: int = 2,
    seed: int = 0,
    *,
    blur_sigma: float = 0.5,
    value_range: tuple[float, float] = (0.0, 1.0),
    before_activation: bool = True,
    start: np.ndarray | None = None,
) -> tuple[np.ndarray, float]:
    """An image that makes channel ``unit`` of layer ``layer_name`` very active, found by gradient
    ascent on the image (Erhan et al. 2009; Simonyan et al. 2014; with the regularisers of Yosinski
    et al. 2015 and Olah et al. 2017).

    The objective is the channel's mean over the feature map's positions (the unit's value for a
    layer that gives ``(N, K)``; for a softmax output layer the score of class ``unit`` before the
    softmax, which Simonyan et al. maximise rather than the probability). By default
    (``before_activation=True``) it is taken before the layer's activation, as Olah et al. optimise
    their "pre_relu" layers: for an ``Activation`` or ``ReLU`` layer its input, for a Dense or Conv2D
    layer with ``activation="relu"`` its output without the ReLU. After a ReLU, a unit that is 0 at
    every position of the start image has no gradient and would never move (on the course's
    LeNet-5, about 2 in 3 of C5's units on a grey image). From a grey image (the middle of
    ``value_range``, with faint noise) or ``start``, each step:

    1. shifts the image by a random whole number of pixels in ``[-jitter, jitter]`` on each axis
       (wrapping around), takes the gradient there and shifts it back;
    2. adds ``lr * (high - low)`` times the gradient scaled to a root mean square of 1;
    3. pulls the image towards grey by the fraction ``l2`` (L2 decay);
    4. every ``blur_every`` steps (0: never) blurs it with a Gaussian of ``blur_sigma`` pixels;
    5. clips it to ``value_range``.

    A unit whose objective has no gradient at the start (a ReLU'd unit that is 0 everywhere) stays
    there: start from an image that excites it (``start=``, e.g. from :func:`top_activating`).

    Args:
        shape: ``(H, W, C)`` of the image, what the model takes.
        steps, lr, l2, blur_every, jitter, blur_sigma: as above.
        seed: seed of the start's noise and the jitter: the same seed gives the same image.
        value_range: ``(low, high)`` of the model's input units.
        before_activation: maximise the value before the layer's activation (see above), or after
            it (False).
        start: an image ``shape`` within ``value_range`` to start from instead of grey.

    Returns:
        ``(image, activation)``: float32 ``(H, W, C)`` and the channel's activation on it, after the
        layer's activation whatever ``before_activation`` optimised: what :func:`channel_activation`
        and :func:`top_activating` give, so it compares with the unit's most active images.
    """
    image_shape, _ = _check_model(model)
    if not isinstance(shape, (tuple, list)) or len(shape) != 3:
        raise ValueError(f"shape must be the (H, W, C) of one image, got {shape!r}.")
    shape = tuple(whole_number(s, "shape", unit="pixels") for s in shape)
    _check_image_shape(shape, image_shape, "shape")
    steps = whole_number(steps, "steps", minimum=0)
    lr = _real(lr, "lr", minimum=0.0)
    l2 = _real(l2, "l2", minimum=0.0)
    if l2 >= 1:
        raise ValueError(f"l2 is the fraction of the way to grey per step and must be below 1, got {l2!r}.")
    blur_every = whole_number(blur_every, "blur_every", minimum=0)
    blur_sigma = _real(blur_sigma, "blur_sigma", minimum=0.0)
    jitter = whole_number(jitter, "jitter", minimum=0, unit="pixels")
    seed = whole_number(seed, "seed", minimum=0)
    low, high = _range(value_range, "value_range")
    net, unit = _unit_model(model, layer_name, unit, before_activation)
    rng = np.random.default_rng(seed)
    grey, span = (low + high) / 2, high - low
    if start is None:
        image = np.clip(grey + rng.normal(0.0, 0.01 * span, shape), low, high).astype(np.float32)
    else:
        image = _image(start, shape, "start")
        if image.min() < low or image.max() > high:
            raise ValueError(
                f"start holds values from {image.min():g} to {image.max():g}, outside value_range=({low:g}, "
                f"{high:g}): pass the range of the model's input units."
            )

    def objective(x: tf.Tensor) -> tf.Tensor:
        return _reduce(net(x, training=False), unit, "mean")

    @tf.function  # one trace per call, then each step runs as a graph (about 10 times faster)
    def gradient(x: tf.Tensor) -> tf.Tensor:
        with tf.GradientTape() as tape:
            tape.watch(x)
            value = objective(x)
        return tape.gradient(value, x)

    for step in range(steps):
        dy, dx = (int(v) for v in rng.integers(-jitter, jitter + 1, 2))
        x = tf.convert_to_tensor(np.roll(image, (dy, dx), axis=(0, 1))[None])
        grad = np.roll(gradient(x).numpy()[0], (-dy, -dx), axis=(0, 1))
        rms = float(np.sqrt(np.mean(grad**2)))
        if rms > 0:
            image = image + lr * span * grad / rms
        image = grey + (1 - l2) * (image - grey)
        if blur_every and blur_sigma > 0 and (step + 1) % blur_every == 0:
            image = _gaussian_blur(image, blur_sigma)
        image = np.clip(image, low, high).astype(np.float32)
    return image, float(channel_activation(model, layer_name, image, unit))

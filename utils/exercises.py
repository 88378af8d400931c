"""Instant feedback on exercises without printing the answers.

Answers are stored as SHA-256 digests of a canonical text form, so reading this file
does not give them away (small integers can be found by trying; this is a nudge to
work them out, not a lock). Teachers see the worked answers in ``tests/test_exercises.py``.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import numbers
import textwrap
from collections.abc import Callable
from typing import Any

import numpy as np

# exercise id -> (digest of the canonical answer, hint shown on a wrong answer)
ANSWERS: dict[str, tuple[str, str]] = {
    "conv.output_size": (
        "b1556dea32e9d0cdbfed038fd7787275775ea40939c146a64e205bcb349ad02f",
        "Use floor((W - F + 2P) / S) + 1 with the numbers of the exercise.",
    ),
    "conv.params": (
        "996aa130712ec702cd52895434f7e5c24e3f22340a0aca2e6c57d5b8780db301",
        "Each filter has F*F*C weights and one bias; there are K filters.",
    ),
    "conv.same_padding": (
        "463f2998327eb3a694145e6014444480b2235be84aa6cfd57871cc64f1cd816c",
        "Give (top, bottom). 'same' needs ceil(W/S) outputs; the total padding is "
        "(out - 1) * S + F - W, and the odd zero goes at the bottom.",
    ),
    "conv.dense_equivalent": (
        "653723d00aefaad5ea8cf7a32ca4c7ae63ad6f3f4d0633e00fd6f16d2b9dc7fd",
        "A dense layer connects every input value (H*W*C) to every output value (H'*W'*K), plus one bias per output.",
    ),
    "pool.output_size": (
        "e7f6c011776e8db7cd330b54174fd76f7d0216b612387a5ffcfb81e6f0919683",
        "Use floor((W - F) / S) + 1.",
    ),
    "pool.overlap": (
        "4b227777d4dd1fc61c6f884f48641d02b4d121d3fd328cb08b5531fcacdabf8a",
        "Count the windows along the row that contain row 2, do the same for the column, and multiply.",
    ),
    "pool.dense_after_pool": (
        "5d2e2e04427a6f321ba0c9dac9d38bdc32ccc1ed24211869977efdae57cccd0d",
        "2x2 pooling with stride 2 halves height and width; the dense layer has one weight per "
        "(input, output) pair plus a bias per output.",
    ),
    "pool.gap_params": (
        "e10e342514d01bfc3ff402c9e3cb14fc98b328608c2f3ed6d2e4922eca1bcc7a",
        "Global average pooling leaves one number per channel and has no parameters itself.",
    ),
    "act.sigmoid_slope_at": (
        "096d6d598f1d9114f96663f60118b5b2f1cde55176d21524a9c1570792427051",
        "The slope is s(1 - s) with s = sigmoid(x): solve s(1 - s) = 0.1 for the s above 1/2, "
        "then undo the sigmoid: x = ln(s / (1 - s)).",
    ),
    "act.five_sigmoids": (
        "e734ab0b8c4d7d476c4964b537aab7097681f546fec81f67b15e5006f5278b02",
        "Each factor is at most the answer to exercise 1.",
    ),
    "act.maxout_params": (
        "b50ecd4487a1d9ef8ca1af4cb05d260d42a356ca5750782ff5425e4910d7665a",
        "Each of the pieces is a full dense layer of its own.",
    ),
    "act.leaky_value": (
        "bedb02ef8ba4e59765ccbc864404df438f34cc15d241aea84f8ba61fdd36801e",
        "Below zero the output is the slope times the input.",
    ),
    "basics.axis_sum": (
        "fbdcaf9b0945f045fa0ffd665f74d3cca10c6d79f394a691da4d1ecf5dac7bde",
        "Along axis 0 you add the rows elementwise: the result has one entry per column.",
    ),
    "basics.channels_first_shape": (
        "e98b6e178ce54efd7b4557f05b1721329be56b257a8289b96847bf46a94179ef",
        "channels_first is (N, C, H, W).",
    ),
    "basics.updates_per_epoch": (
        "c6bd343ae0007cdb979de7540f2668fe849d68ff47fa1a650a28f89104f41f1e",
        "ceil(N / B): the last, smaller batch counts too.",
    ),
    "basics.pattern_params": (
        "0d0f6f943249b3fae67a15d5482fe824cff456f2495b1cf3b38763eabff08f00",
        "Conv: F*F*C*K + K. Pooling: none. Dense: (14*14*8) inputs times 10 outputs plus 10 biases.",
    ),
    "pre.variance_after": (
        "6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b",
        "Dividing by the standard deviation divides the variance by its square.",
    ),
    "pre.covariance_size": (
        "e6b97144fcb82aa0d12fbabfe0abf1b0a76a55a7daff5cb3ff749132988e05eb",
        "One entry per pair of dimensions; there are 32*32*3 dimensions.",
    ),
    "pre.channel_mean_size": (
        "4e07408562bedb8b60ce05c1decfe3ad16b72230967de01f640b7e4729b49fce",
        "One mean per colour channel, over all images and positions.",
    ),
    "pre.whitening_factor": (
        "d2cbad71ff333de67d07ec676e352ab7f38248eb69c942950157220607c55e84",
        "Whitening divides by the square root of the variance plus eps.",
    ),
    "lenet.c1_params": (
        "b3a8e0e1f9ab1bfe3a36f231f676f78bb30a519d2b21e6c530c0eee8ebb4a5d0",
        "Each filter: 5*5*3 weights (one 5x5 slice per colour channel) and a bias.",
    ),
    "lenet.c3_connections": (
        "e25392a9f3801d1983883cdeb2826d701c69a4bc2df21303beb10c454d13aae8",
        "Each of the 10x10 positions of map k uses 25 weights per input map it sees, plus a bias; "
        "the table has 60 (map, input) pairs.",
    ),
    "lenet.s4_without_padding": (
        "4b227777d4dd1fc61c6f884f48641d02b4d121d3fd328cb08b5531fcacdabf8a",
        "Apply the output-size formula layer by layer from 28: C1, S2, C3, S4.",
    ),
    "lenet.f6_params": (
        "73e5608506e1117ddb50c360078389c68b08f4485e71b4b02cca29a0f7d98f9d",
        "A dense layer from C5's 120 units to 100 units: one weight per pair, one bias per unit.",
    ),
    "alexnet.conv1_stride2": (
        "0fd42b3f73c448b34940b339f87d07adf116b05c0227aad72e8f0ee90533e699",
        "Use floor((W - F) / S) + 1 with W = 227, F = 11 and the new stride.",
    ),
    "alexnet.grouped_params": (
        "e50f6eb71c47d7295b53ffcb103a4307e77857e34b9d61c07e80ae68992cc13e",
        "With g groups each filter sees 96 / g of the input maps: 5 * 5 * (96 / g) weights and a bias per filter.",
    ),
    "alexnet.dropout_value": (
        "2f7b654eae9c01e00b875d85560b5d20771d10ce05166b8ecde188bf313343a1",
        "Inverted dropout divides the units it keeps by the keep probability.",
    ),
    "alexnet.crop_count": (
        "29db0c6782dbd5000559ef4d9e953e300e2b479eed26d887ef3f92b921c06a67",
        "The crop can start at 2 * pad + 1 offsets along each side; count both sides and the mirror.",
    ),
    "resnet.blocks_110": (
        "2fca346db656187102ce806ac732e06a62df0dbb2829e511a770556d398e1a6e",
        "depth = 6n + 2 weighted layers: n blocks per stage, 3 stages, two convolutions per block.",
    ),
    "resnet.basic_weights": (
        "8a0bd5419d8081b7db77879afd76c9543cdeae5244c4379b572d238d24337706",
        "Two 3x3 convolutions from 128 to 128 channels: 3 * 3 * 128 * 128 weights each, no biases.",
    ),
    "resnet.bottleneck_macs": (
        "bbd49364e42adb50f09dd6ec65f3b943542596d470bfba0a69346f209ee5f370",
        "Each convolution does (its weights) multiply-adds at every output position: 1x1 512->128, "
        "3x3 128->128, 1x1 128->512, all on 14 x 14 positions.",
    ),
    "resnet.projection_params": (
        "43e83ea476f3f16bd4761ddf256e0cc5997636f43f0196ca32a2e008fdad645b",
        "Only the two blocks that change the shape have projections (32->64 and 64->128 channels): "
        "a 1x1 convolution without bias, and batch normalisation's 4 numbers per channel.",
    ),
    "vgg.block3_field": (
        "d59eced1ded07f84c145592f65bdf854358e009c5cd705f5215bf18697fed103",
        "Walk the layers from the input: two 3x3 convolutions, a 2x2 pool of stride 2, two 3x3, a pool, "
        "three 3x3; each adds (kernel - 1) * jump, each pool doubles the jump.",
    ),
    "vgg.three_3x3_weights": (
        "e79076a9ffe3884b0a32607ef01869d4e57547de2f5ee28023e12ca1718f4b8c",
        "Each 3x3 convolution from C to C channels has 3 * 3 * C * C weights.",
    ),
    "vgg.reduced_branch_macs": (
        "94b656d28c3e57c7360802f99a58fa9a1c3f839c786f0c6c005b5040a2284f96",
        "Per output position a convolution does (kernel area) * (input channels) * (output channels) "
        "multiply-adds; both outputs are 14 x 14.",
    ),
    "vgg.bn_inference": (
        "4e07408562bedb8b60ce05c1decfe3ad16b72230967de01f640b7e4729b49fce",
        "At inference: gamma * (x - running mean) / sqrt(running variance + eps) + beta.",
    ),
    "vgg.smoothing_gap": (
        "a5fbfafb5054ef69f7f383594c19ebeb5ee7da2c2c773d7529cfe4e8913f0cff",
        "The loss is smallest where the softmax gives each class its target probability: "
        "1 - s + s/K for the true class, s/K for each other; the gap is the log of their ratio.",
    ),
    "learn.loss_half": (
        "4017bf5e6996ff06254f8fecce867e6a19778dfdad169a1f5d81ff9cb11e1b80",
        "The loss is -log(p) of the true class.",
    ),
    "learn.max_lr": (
        "44896b09365746b5f7167ee4d64988a38f7f4628803cbf86224e74eeb7c69e9d",
        "Along a direction of curvature c a step multiplies the distance to the minimum by (1 - lr "
        "* c); it must stay above -1.",
    ),
    "learn.im2col_rows": (
        "020d5ea1a53ef267ea77568bbdb811707a7e5fbc82bb14b971af5a95101c0a73",
        "One row per window per image: (28 - 3 + 1) squared windows per image.",
    ),
    "learn.batch_factor": (
        "19581e27de7ced00ff1ce50b2047e7a567c76b1cbaebabe5ef03f7c3017bb5b7",
        "Error ~ 1 / sqrt(B): solve sqrt(factor) = 3.",
    ),
}


FLOAT_DIGITS = 4  # significant digits kept of a non-integer answer
RELATIVE_TOLERANCE = 1e-3  # a float answer within 0.1% of the right one counts as right


class AnswerError(ValueError):
    """An answer that is not a number, a string, or a list/tuple of them; the message says why."""


def _plain(value: Any) -> Any:
    """Turn tensors and NumPy values into Python numbers and lists; raise AnswerError on what no answer is."""
    if hasattr(value, "numpy") and callable(value.numpy):  # TensorFlow (or JAX/PyTorch-like) tensors
        value = value.numpy()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or value is Ellipsis:
        raise AnswerError("a list or tuple of your answer still holds None or ...: put a number in each place.")
    if isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        if not math.isfinite(float(value)):
            raise AnswerError(f"{value} is not a finite number: check the computation that gave it.")
        return float(value)
    raise AnswerError(f"answers are numbers, strings, or lists/tuples of them; got a {type(value).__name__}.")


def _canonical_float(value: float) -> str:
    rounded = float(f"{value:.{FLOAT_DIGITS}g}")
    return str(int(rounded)) if rounded == int(rounded) else repr(rounded)


def canonical(value: Any) -> str:
    """Text form of an answer: ints as digits, floats to 4 significant digits, sequences in brackets.

    Raises AnswerError for what cannot be an answer (None inside a list, nan, inf, objects).
    """
    value = _plain(value)
    if isinstance(value, list):
        return "[" + ",".join(canonical(v) for v in value) + "]"
    if isinstance(value, (bool, str)):
        return repr(value)
    if isinstance(value, int):
        return str(value)
    return _canonical_float(value)


def digest(value: Any) -> str:
    """SHA-256 hex digest of :func:`canonical` (``value``)."""
    return hashlib.sha256(canonical(value).encode()).hexdigest()


def _candidates(value: Any) -> list[str]:
    """Canonical forms of every answer within RELATIVE_TOLERANCE of ``value`` (floats only).

    Integers and strings are compared exactly; a non-integer float is compared with a
    tolerance, by trying the 4-significant-digit values around it (at most a few dozen).
    """
    value = _plain(value)
    if isinstance(value, list):
        options = [_candidates(v) for v in value]
        if math.prod(len(o) for o in options) > 10_000:
            return [canonical(value)]
        return ["[" + ",".join(combo) + "]" for combo in itertools.product(*options)]
    if not isinstance(value, float) or value == int(value) or value == 0:
        return [canonical(value)]
    step = 10.0 ** (math.floor(math.log10(abs(value))) - FLOAT_DIGITS + 1)
    reach = math.ceil(abs(value) * RELATIVE_TOLERANCE / step)
    centre = round(value / step)
    forms = []
    for k in range(centre - reach, centre + reach + 1):
        candidate = k * step
        if abs(candidate - value) <= abs(value) * RELATIVE_TOLERANCE + step / 2:
            forms.append(_canonical_float(candidate))
    return list(dict.fromkeys(forms))


def is_correct(exercise: str, value: Any) -> bool:
    """Whether ``value`` answers ``exercise`` (for autograders; prints nothing).

    Floats count as right within a relative tolerance of 0.1%; a value that cannot be
    an answer (None, nan, an object) is simply wrong.
    """
    if exercise not in ANSWERS:
        raise ValueError(f"no exercise called {exercise!r}; the ids are: {', '.join(sorted(ANSWERS))}.")
    if value is None or value is Ellipsis:
        return False
    try:
        forms = _candidates(value)
    except AnswerError:
        return False
    target = ANSWERS[exercise][0]
    return any(hashlib.sha256(form.encode()).hexdigest() == target for form in forms)


def _number_in(text: str) -> float | int | None:
    try:
        number = float(text.replace(",", "").replace("_", "").strip())
    except ValueError:
        return None
    return int(number) if number.is_integer() else number


LINE_WIDTH = 75  # the book's column: feedback wraps instead of running off to the right


def _say(message: str) -> None:
    print(textwrap.fill(message, LINE_WIDTH, break_long_words=False, break_on_hyphens=False))


def check_answer(exercise: str, value: Any) -> None:
    """Print whether ``value`` answers ``exercise``, with a hint when it does not.

    Args:
        exercise: the id given with the exercise, e.g. ``"conv.output_size"``.
        value: your answer: a number (Python, NumPy or a TensorFlow tensor), a string,
            or a tuple/list of them.
    """
    if value is None or value is Ellipsis:
        _say(f"{exercise}: put your answer in place of ... and run again.")
        return
    if is_correct(exercise, value):
        _say(f"{exercise}: correct!")
        return
    try:
        shown = canonical(value)
    except AnswerError as error:
        _say(f"{exercise}: that is not an answer yet: {error}")
        return
    if isinstance(value, str) and _number_in(value) is not None:
        number = _number_in(value)
        if is_correct(exercise, number):
            _say(f"{exercise}: the right number, but as text: write {number} without quotes.")
        else:
            _say(
                f"{exercise}: not yet ({shown}, a string). Answer with a number, without quotes. "
                f"Hint: {ANSWERS[exercise][1]}"
            )
        return
    _say(f"{exercise}: not yet ({shown}). Hint: {ANSWERS[exercise][1]}")


# --- Exercises where the learner writes a function ----------------------------------------
# Each is called on random inputs and compared with a reference; the feedback names the
# first case that fails and how (an error, the shape, the values), never the expected values.


def _lrn_reference(a: np.ndarray, size: int = 5, k: float = 2.0, alpha: float = 1e-4, beta: float = 0.75) -> np.ndarray:
    r = size // 2
    squares = np.pad(np.square(a), [(0, 0)] * (a.ndim - 1) + [(r, r)])
    sums = sum(squares[..., j : j + a.shape[-1]] for j in range(size))
    return a / (k + alpha * sums) ** beta


def _lrn_cases(rng: np.random.Generator) -> tuple[tuple, dict]:
    channels = int(rng.integers(6, 13))
    shape = (int(rng.integers(1, 3)), int(rng.integers(1, 4)), int(rng.integers(1, 4)), channels)
    a = rng.normal(size=shape) * rng.uniform(1, 40)
    kwargs = {
        "size": int(rng.choice([1, 3, 5, 7])),
        "k": float(rng.uniform(0.5, 3)),
        "alpha": float(10 ** rng.uniform(-4, -2)),
        "beta": float(rng.uniform(0.5, 1)),
    }
    return (a,), kwargs


def _ten_crop_reference(image: np.ndarray, size: int) -> np.ndarray:
    h, w = image.shape[:2]
    corners = [(0, 0), (0, w - size), (h - size, 0), (h - size, w - size), ((h - size) // 2, (w - size) // 2)]
    crops = [image[y : y + size, x : x + size] for y, x in corners]
    return np.stack(crops + [c[:, ::-1] for c in crops])


def _ten_crop_cases(rng: np.random.Generator) -> tuple[tuple, dict]:
    h, w = (int(n) for n in rng.integers(5, 12, size=2))
    size = int(rng.integers(2, min(h, w)))
    return (rng.normal(size=(h, w, int(rng.choice([1, 3])))), size), {}


def _softmax_reference(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _softmax_cases(rng: np.random.Generator) -> tuple[tuple, dict]:
    rows, classes = (int(n) for n in rng.integers(1, 8, size=2))
    return (rng.normal(size=(rows, classes + 1)) * rng.choice([1.0, 10.0, 1000.0]),), {}


def _per_image_reference(images: np.ndarray) -> np.ndarray:
    axes = tuple(range(1, images.ndim))
    mean = images.mean(axis=axes, keepdims=True)
    floor = 1 / np.sqrt(np.prod(images.shape[1:]))
    return (images - mean) / np.maximum(images.std(axis=axes, keepdims=True), floor)


def _per_image_cases(rng: np.random.Generator) -> tuple[tuple, dict]:
    n, h, w = (int(v) for v in rng.integers(1, 6, size=3))
    images = rng.uniform(0, 255, size=(n, h, w, int(rng.choice([1, 3]))))
    if rng.random() < 0.4:
        images[0] = rng.uniform(0, 255)  # a flat image: its standard deviation is 0
    return (images,), {}


def _conv1d_reference(x: np.ndarray, w: np.ndarray, stride: int = 1, padding: int = 0) -> np.ndarray:
    x = np.pad(x, padding)
    out = (len(x) - len(w)) // stride + 1
    return np.array([x[i * stride : i * stride + len(w)] @ w for i in range(out)])


def _conv1d_cases(rng: np.random.Generator) -> tuple[tuple, dict]:
    k = int(rng.integers(1, 6))
    x = rng.normal(size=int(rng.integers(k, 16)))
    return (x, rng.normal(size=k)), {"stride": int(rng.integers(1, 4)), "padding": int(rng.integers(0, 3))}


def _elu_reference(x: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


def _elu_cases(rng: np.random.Generator) -> tuple[tuple, dict]:
    shape = tuple(int(n) for n in rng.integers(1, 5, size=int(rng.integers(1, 4))))
    return (rng.normal(size=shape) * 3,), {"alpha": float(rng.uniform(0.1, 2))}


def _argmax_pool_reference(x: np.ndarray, size: int, stride: int) -> np.ndarray:
    n, h, w, c = x.shape
    oh, ow = (h - size) // stride + 1, (w - size) // stride + 1
    out = np.empty((n, oh, ow, c), dtype=int)
    for i in range(oh):
        for j in range(ow):
            window = x[:, i * stride : i * stride + size, j * stride : j * stride + size]
            flat = window.reshape(n, size * size, c).argmax(axis=1)  # (n, c)
            rows, cols = i * stride + flat // size, j * stride + flat % size
            out[:, i, j] = rows * w + cols
    return out


def _argmax_pool_cases(rng: np.random.Generator) -> tuple[tuple, dict]:
    size = int(rng.integers(2, 4))
    stride = int(rng.integers(1, size + 1))
    h, w = (int(v) for v in rng.integers(size, 9, size=2))
    return (rng.normal(size=(int(rng.integers(1, 3)), h, w, int(rng.integers(1, 4)))), size, stride), {}


def _confusion_reference(labels: np.ndarray, predictions: np.ndarray, classes: int) -> np.ndarray:
    counts = np.zeros((classes, classes), dtype=int)
    np.add.at(counts, (labels, predictions), 1)
    return counts


def _confusion_cases(rng: np.random.Generator) -> tuple[tuple, dict]:
    classes, n = int(rng.integers(2, 8)), int(rng.integers(1, 60))
    return (rng.integers(0, classes, size=n), rng.integers(0, classes, size=n), classes), {}


def _avg_pool_backward_reference(dout: np.ndarray, size: int) -> np.ndarray:
    return np.repeat(np.repeat(dout, size, axis=1), size, axis=2) / size**2


def _avg_pool_backward_cases(rng: np.random.Generator) -> tuple[tuple, dict]:
    shape = (int(rng.integers(1, 3)), *(int(v) for v in rng.integers(1, 5, size=2)), int(rng.integers(1, 4)))
    return (rng.normal(size=shape), int(rng.integers(1, 4))), {}


def _shortcut_a_reference(x: np.ndarray, filters: int, stride: int) -> np.ndarray:
    extra = filters - x.shape[-1]
    return np.pad(x[:, ::stride, ::stride, :], [(0, 0)] * 3 + [(extra // 2, extra - extra // 2)])


def _shortcut_a_cases(rng: np.random.Generator) -> tuple[tuple, dict]:
    channels, stride = int(rng.integers(1, 6)), int(rng.integers(1, 4))
    shape = (int(rng.integers(1, 3)), *(int(v) for v in rng.integers(1, 8, size=2)), channels)
    return (rng.normal(size=shape), channels + int(rng.integers(0, 6)), stride), {}


def _residual_block_reference(x: np.ndarray, w1: np.ndarray, w2: np.ndarray) -> np.ndarray:
    return np.maximum(0, x + np.maximum(0, x @ w1) @ w2)


def _residual_block_cases(rng: np.random.Generator) -> tuple[tuple, dict]:
    batch, d, h = (int(v) for v in rng.integers(1, 7, size=3))
    return (rng.normal(size=(batch, d)), rng.normal(size=(d, h)), rng.normal(size=(h, d))), {}


def _receptive_field_reference(kernels: list, strides: list) -> int:
    size, jump = 1, 1
    for kernel, stride in zip(kernels, strides):
        size, jump = size + (kernel - 1) * jump, jump * stride
    return size


def _receptive_field_cases(rng: np.random.Generator) -> tuple[tuple, dict]:
    depth = int(rng.integers(1, 7))
    kernels = [int(k) for k in rng.choice([1, 2, 3, 5, 7], size=depth)]
    return (kernels, [int(v) for v in rng.integers(1, 4, size=depth)]), {}


def _stack_params_reference(kernels: list, channels: list) -> int:
    return sum(k * k * c_in * c_out + c_out for k, c_in, c_out in zip(kernels, channels, channels[1:]))


def _stack_params_cases(rng: np.random.Generator) -> tuple[tuple, dict]:
    depth = int(rng.integers(1, 6))
    kernels = [int(k) for k in rng.choice([1, 3, 5, 7], size=depth)]
    return (kernels, [int(c) for c in rng.integers(1, 65, size=depth + 1)]), {}


# exercise id -> (random inputs: (args, kwargs), reference function, hint shown on a failure)
FUNCTIONS: dict[str, tuple[Callable[[np.random.Generator], tuple[tuple, dict]], Callable[..., Any], str]] = {
    "alexnet.lrn": (
        _lrn_cases,
        _lrn_reference,
        "For each channel c, sum the squares of the channels c - size//2 ... c + size//2 that "
        "exist (fewer at the edges), then divide a by (k + alpha * sum) ** beta.",
    ),
    "alexnet.ten_crop": (
        _ten_crop_cases,
        _ten_crop_reference,
        "Crops in the order top-left, top-right, bottom-left, bottom-right, centre (centre "
        "offsets rounded down), then the same five mirrored left-right: shape (10, size, size, C).",
    ),
    "basics.softmax": (
        _softmax_cases,
        _softmax_reference,
        "Exponentiate, then divide each row by its sum. Large logits overflow np.exp: subtracting "
        "each row's largest logit first changes nothing in the result and keeps exp at most 1.",
    ),
    "pre.per_image_standardize": (
        _per_image_cases,
        _per_image_reference,
        "For each image on its own: subtract the mean of all its values (every pixel and "
        "channel), divide by max(their standard deviation, 1 / sqrt(H * W * C)).",
    ),
    "conv.conv1d": (
        _conv1d_cases,
        _conv1d_reference,
        "Pad x with `padding` zeros at both ends; output i is the dot product of w with the "
        "len(w) values starting at i * stride; there are (len(padded) - len(w)) // stride + 1.",
    ),
    "act.elu": (
        _elu_cases,
        _elu_reference,
        "x where x > 0, alpha * (exp(x) - 1) elsewhere, element by element (np.where), for arrays of any shape.",
    ),
    "pool.argmax": (
        _argmax_pool_cases,
        _argmax_pool_reference,
        "For each window, find the position of its largest value, convert it to the input's "
        "row r and column c, and return r * W + c (W: the input's width), per image and channel.",
    ),
    "lenet.confusion_matrix": (
        _confusion_cases,
        _confusion_reference,
        "Start from zeros of shape (classes, classes); add 1 at [label, prediction] for every "
        "pair: rows are the true classes, columns the predicted ones.",
    ),
    "learn.avg_pool_backward": (
        _avg_pool_backward_cases,
        _avg_pool_backward_reference,
        "Each input in a window got 1/size**2 of the window's output, so it gets 1/size**2 of "
        "that output's gradient: repeat dout size times along height and width, divide by size**2.",
    ),
    "resnet.shortcut_a": (
        _shortcut_a_cases,
        _shortcut_a_reference,
        "Keep every stride-th row and column from the first (x[:, ::stride, ::stride, :]), then "
        "add filters - C channels of zeros, half of them (rounded down) before x's channels, the rest after.",
    ),
    "resnet.residual_block": (
        _residual_block_cases,
        _residual_block_reference,
        "F(x) = relu(x @ w1) @ w2; the block returns relu(F(x) + x), row by row for a batch of rows.",
    ),
    "vgg.receptive_field": (
        _receptive_field_cases,
        _receptive_field_reference,
        "Walk the layers from the input: keep the field size (start 1) and the jump, the input "
        "pixels between neighbouring outputs (start 1); each layer adds (kernel - 1) * jump to the "
        "size, then multiplies the jump by its stride.",
    ),
    "vgg.stack_params": (
        _stack_params_cases,
        _stack_params_reference,
        "Layer i maps channels[i] maps to channels[i + 1] with kernels[i] x kernels[i] filters: "
        "k * k * c_in * c_out weights and c_out biases; add up the layers.",
    ),
}

FUNCTION_CASES = 8  # random cases a function must pass


def _first_failure(exercise: str, fn: Callable[..., Any], cases: int, seed: int) -> str | None:
    """Why ``fn`` fails ``exercise`` on its first failing random case, or None if all pass."""
    if exercise not in FUNCTIONS:
        raise ValueError(f"no exercise called {exercise!r}; the ids are: {', '.join(sorted(FUNCTIONS))}.")
    if not callable(fn):
        return f"give the function itself (its name, without brackets), not a {type(fn).__name__}."
    make, reference, _ = FUNCTIONS[exercise]
    rng = np.random.default_rng(seed)
    for case in range(1, cases + 1):
        args, kwargs = make(rng)
        expected = np.asarray(reference(*args, **kwargs))
        shown = ", ".join([f"an array of shape {np.shape(a)}" if np.ndim(a) else repr(a) for a in args])
        shown += "".join(f", {name}={value:.3g}" for name, value in kwargs.items())
        try:
            got = fn(*(np.copy(a) if isinstance(a, np.ndarray) else a for a in args), **kwargs)
        except Exception as error:  # the learner's code: report any error in words
            return f"case {case}: called with ({shown}), it raised {type(error).__name__}: {error}"
        if got is None:
            return f"case {case}: it returned None. Does it end with a return statement?"
        try:
            got = np.asarray(got, dtype="float64")
        except (TypeError, ValueError):
            return f"case {case}: it returned a {type(got).__name__}, not an array of numbers."
        if got.shape != expected.shape:
            return f"case {case}: called with ({shown}), it returned shape {got.shape}, not {expected.shape}."
        if not np.allclose(got, expected, rtol=1e-5, atol=1e-8):
            return f"case {case}: called with ({shown}), the shape is right but some values are not."
    return None


def function_is_correct(exercise: str, fn: Callable[..., Any]) -> bool:
    """Whether ``fn`` passes the random cases of ``exercise`` (for autograders; prints nothing)."""
    return _first_failure(exercise, fn, FUNCTION_CASES, seed=0) is None


def check_function(exercise: str, fn: Callable[..., Any]) -> None:
    """Call your function ``fn`` on random inputs and print whether it agrees with the
    course's reference, with a hint when it does not (never the expected values).

    Args:
        exercise: the id given with the exercise, e.g. ``"alexnet.lrn"``.
        fn: your function (its name, without brackets).
    """
    if fn is None or fn is Ellipsis:
        _say(f"{exercise}: write the function, then pass it here (its name, without brackets).")
        return
    failure = _first_failure(exercise, fn, FUNCTION_CASES, seed=0)
    if failure is None:
        _say(f"{exercise}: correct on {FUNCTION_CASES} random inputs!")
    else:
        _say(f"{exercise}: not yet. {failure} Hint: {FUNCTIONS[exercise][2]}")

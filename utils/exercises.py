"""Instant feedback on exercises without printing the answers.

Answers are stored as SHA-256 digests of a canonical text form, so reading this file
does not give them away (small integers can be found by trying; this is a nudge to
work them out, not a lock). Teachers see the worked answers in ``tests/test_exercises.py``.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
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
        "18b058689d010062a25cd7fb949b2abfea1757d2de45ca3abdda17db956e506b",
        "Give (top, bottom). 'same' pads just enough for ceil(W/S) outputs; an odd zero goes at the bottom.",
    ),
    "conv.dense_equivalent": (
        "653723d00aefaad5ea8cf7a32ca4c7ae63ad6f3f4d0633e00fd6f16d2b9dc7fd",
        "A dense layer connects every input value (H*W*C) to every output value (H'*W'*K), plus one bias per output.",
    ),
    "pool.output_size": (
        "9f14025af0065b30e47e23ebb3b491d39ae8ed17d33739e5ff3827ffb3634953",
        "Use floor((W - F) / S) + 1.",
    ),
    "pool.overlap": (
        "4e07408562bedb8b60ce05c1decfe3ad16b72230967de01f640b7e4729b49fce",
        "Count the windows along the rows that contain row 4, do the same for the columns and column 1, and multiply.",
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
        "The slope is s(1 - s) with s = sigmoid(x).",
    ),
    "act.five_sigmoids": (
        "e734ab0b8c4d7d476c4964b537aab7097681f546fec81f67b15e5006f5278b02",
        "Each factor is at most the sigmoid's largest slope (the table above).",
    ),
    "act.maxout_params": (
        "0d1153fd686d360c06b9e6be9eb6686dfb69a70394afe8bd5c056d9952ce7019",
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
        "Pooling halves height and width and has no parameters; a dense layer has one weight per (input, "
        "output) pair plus one bias per output.",
    ),
    "pre.variance_after": (
        "a30a043314fa89294fa2c1c989a01fbb5329e5c085a5c5a8d27317656de24ae0",
        "Dividing data by a number divides its variance by that number's square.",
    ),
    "pre.covariance_size": (
        "1f85be2ac44efa6071ef9a0e1f9bd069a5112ade24d1e1bcb875f5e918fdbcc5",
        "One entry per pair of dimensions: how many dimensions has a flattened image?",
    ),
    "pre.pixel_mean_size": (
        "36bf10ffbf1b3cfedc393ceb4dc1f8998ebf480e8ad91853bcc1c2b2cb3e6454",
        "A per-pixel mean image has the shape of one image: one number per pixel and channel.",
    ),
    "pre.whitening_factor": (
        "d2cbad71ff333de67d07ec676e352ab7f38248eb69c942950157220607c55e84",
        "Whitening divides by the square root of the variance plus eps.",
    ),
    "lenet.c1_params": (
        "b3a8e0e1f9ab1bfe3a36f231f676f78bb30a519d2b21e6c530c0eee8ebb4a5d0",
        "A filter has one weight per input value it covers (all channels) and one bias.",
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
        "A dense layer has one weight per (input, output) pair and one bias per output.",
    ),
    "alexnet.conv1_stride2": (
        "0fd42b3f73c448b34940b339f87d07adf116b05c0227aad72e8f0ee90533e699",
        "Use floor((W - F) / S) + 1 with W = 227, F = 11 and the new stride.",
    ),
    "alexnet.grouped_params": (
        "e50f6eb71c47d7295b53ffcb103a4307e77857e34b9d61c07e80ae68992cc13e",
        "With g groups, how many of the 96 input maps does one filter of the layer see?",
    ),
    "alexnet.dropout_value": (
        "2f7b654eae9c01e00b875d85560b5d20771d10ce05166b8ecde188bf313343a1",
        "Inverted dropout divides the units it keeps by the keep probability.",
    ),
    "alexnet.crop_count": (
        "29db0c6782dbd5000559ef4d9e953e300e2b479eed26d887ef3f92b921c06a67",
        "At how many offsets can a crop start along one side of the padded image? Then count the other "
        "side and the mirror.",
    ),
    "resnet.blocks_110": (
        "2fca346db656187102ce806ac732e06a62df0dbb2829e511a770556d398e1a6e",
        "depth = 6n + 2 weighted layers: n blocks per stage, 3 stages, two convolutions per block.",
    ),
    "resnet.basic_weights": (
        "8a0bd5419d8081b7db77879afd76c9543cdeae5244c4379b572d238d24337706",
        "Which of kernel area, input channels and output channels does a convolution's weight count "
        "multiply? The block has two such layers and no biases.",
    ),
    "resnet.bottleneck_macs": (
        "bbd49364e42adb50f09dd6ec65f3b943542596d470bfba0a69346f209ee5f370",
        "A convolution does as many multiply-adds per output position as it has weights; how many output "
        "positions has each of the three?",
    ),
    "resnet.projection_params": (
        "43e83ea476f3f16bd4761ddf256e0cc5997636f43f0196ca32a2e008fdad645b",
        "Which blocks change the shape, and so need a projection? Count a 1x1 convolution without bias "
        "and its batch normalisation (as Keras counts it).",
    ),
    "learns.occlusion_copies": (
        "ad723f42c7aba316d944f19f340ce47d8e0c6fb354d212736ec4782314a6824a",
        "Along one side, how many positions has a 32-pixel square that starts at 0, 8, 16, ... and ends "
        "inside 224 pixels? The square moves along both sides.",
    ),
    "learns.fgsm_l2": (
        "b7592c2e2c0c1d80d3eeece7c8928cd1bb42675bd3b94f807171d81b26b2a37e",
        "Every component of the change is +epsilon or -epsilon. How many components has a 32x32 RGB image, "
        "and what is the length of a vector whose components all have the same size?",
    ),
    "vgg.block3_field": (
        "d59eced1ded07f84c145592f65bdf854358e009c5cd705f5215bf18697fed103",
        "Walk the layers from the input: two 3x3 convolutions, a 2x2 pool of stride 2, two 3x3, a pool, "
        "three 3x3; each adds (kernel - 1) * jump, each pool doubles the jump.",
    ),
    "vgg.three_3x3_weights": (
        "e79076a9ffe3884b0a32607ef01869d4e57547de2f5ee28023e12ca1718f4b8c",
        "Count one 3x3 convolution from C to C channels as the convolution chapter did, then the stack.",
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
        "Where is the loss smallest: when the softmax gives each class what probability? The logits' gap "
        "follows from the ratio of two of those.",
    ),
    "learn.loss_half": (
        "4017bf5e6996ff06254f8fecce867e6a19778dfdad169a1f5d81ff9cb11e1b80",
        "The loss is -log(p) of the true class.",
    ),
    "learn.max_lr": (
        "36819111cffb9e1e90eb1fb7c0c29b56a1bc148d41478af66a3de0e5486bb688",
        "Along a direction of curvature c a step multiplies the distance to the minimum by (1 - lr "
        "* c); it must stay above -1.",
    ),
    "learn.im2col_rows": (
        "020d5ea1a53ef267ea77568bbdb811707a7e5fbc82bb14b971af5a95101c0a73",
        "One row per window per image: how many 3x3 windows fit in a 28x28 image at stride 1?",
    ),
    "learn.batch_factor": (
        "19581e27de7ced00ff1ce50b2047e7a567c76b1cbaebabe5ef03f7c3017bb5b7",
        "How does the error of the mean change when the batch grows by a factor k?",
    ),
    "after.separable_macs": (
        "31f11baaca12f54f2bf6de37592e4f5681e20ccdb5f19d6477c9c7032384479e",
        "Count the two halves apart: the depthwise 3x3 filters each input channel on its own, the 1x1 "
        "mixes all input channels into each output channel; both at every one of the 16 x 16 positions.",
    ),
    "after.densenet_transition": (
        "4771bef2c04a34b548b77ea7581cf821152d9dea9c2c85151a07856fe3639314",
        "Each layer of the block adds k channels to what it received; the transition keeps the floor of "
        "theta times the channels that leave the block.",
    ),
    "after.compound_flops": (
        "10da67a8975114bc7e3b434c15f4bbd9b1749357e17063173fb5091280aa42f7",
        "Work grows with depth, with width squared and with resolution squared; each step of phi "
        "multiplies it by the same factor.",
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


def _fgsm_linear_reference(x: np.ndarray, w: np.ndarray, b: np.ndarray, y: np.ndarray, epsilon: float) -> np.ndarray:
    z = x @ w + b
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1  # d loss / d z = softmax - one-hot
    return x + epsilon * np.sign(p @ w.T)


def _fgsm_linear_cases(rng: np.random.Generator) -> tuple[tuple, dict]:
    n, d, k = int(rng.integers(1, 6)), int(rng.integers(1, 9)), int(rng.integers(2, 6))
    w, b = rng.normal(size=(d, k)), rng.normal(size=k)
    return (rng.normal(size=(n, d)), w, b, rng.integers(0, k, size=n), float(rng.uniform(0.01, 0.5))), {}


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


def _se_reference(x: np.ndarray, w1: np.ndarray, b1: np.ndarray, w2: np.ndarray, b2: np.ndarray) -> np.ndarray:
    z = x.mean(axis=(1, 2))
    s = 1 / (1 + np.exp(-(np.maximum(z @ w1 + b1, 0) @ w2 + b2)))
    return x * s[:, None, None, :]


def _se_cases(rng: np.random.Generator) -> tuple[tuple, dict]:
    n, h, w = (int(v) for v in rng.integers(1, 5, size=3))
    c, reduced = int(rng.integers(2, 17)), int(rng.integers(1, 5))
    return (
        rng.normal(size=(n, h, w, c)),
        rng.normal(size=(c, reduced)),
        rng.normal(size=reduced),
        rng.normal(size=(reduced, c)),
        rng.normal(size=c),
    ), {}


# exercise id -> (random inputs: (args, kwargs), reference function, hint shown on a failure)
FUNCTIONS: dict[str, tuple[Callable[[np.random.Generator], tuple[tuple, dict]], Callable[..., Any], str]] = {
    "alexnet.lrn": (
        _lrn_cases,
        _lrn_reference,
        "The formula is the chapter's; the work is at the edges: which channels around c exist when some of "
        "the size // 2 on either side would fall outside?",
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
        "Exponentiate, then divide each row by its sum. If scores in the thousands give inf or nan, "
        "ask what adding the same number to every score of a row does to the probabilities.",
    ),
    "pre.per_image_standardize": (
        _per_image_cases,
        _per_image_reference,
        "Each image is standardised on its own, over all its pixels and channels: which axes do "
        "the mean and the standard deviation run over? The chapter's formula says what guards a flat image.",
    ),
    "conv.conv1d": (
        _conv1d_cases,
        _conv1d_reference,
        "Pad first. Then count the outputs from the padded length, the kernel's length and the "
        "stride (the chapter's output-size formula), and compute each output as a dot product.",
    ),
    "act.elu": (
        _elu_cases,
        _elu_reference,
        "Work element by element on arrays of any shape: np.where chooses between two arrays by a "
        "condition. Try an input of 0 and a large negative one.",
    ),
    "pool.argmax": (
        _argmax_pool_cases,
        _argmax_pool_reference,
        "Which entry of each window wins, and where does that window start in the input? The answer is a flat "
        "index into one input map.",
    ),
    "lenet.confusion_matrix": (
        _confusion_cases,
        _confusion_reference,
        "Rows are the true classes, columns the predictions: which cell does each (label, prediction) pair "
        "add one to? (Write it without utils.confusion_matrix.)",
    ),
    "learn.avg_pool_backward": (
        _avg_pool_backward_cases,
        _avg_pool_backward_reference,
        "Each input in a window got 1/size**2 of the window's output. Which share of that output's "
        "gradient flows back to it, and which output's window is each input in?",
    ),
    "resnet.shortcut_a": (
        _shortcut_a_cases,
        _shortcut_a_reference,
        "Slicing with a step keeps every stride-th row; new channels of zeros can be added with np.pad "
        "or np.concatenate. Compare your output's shape with the one in the stub's comment.",
    ),
    "resnet.residual_block": (
        _residual_block_cases,
        _residual_block_reference,
        "The exercise's formula with @ and np.maximum; check the shapes on the way: x @ w1 is (N, K).",
    ),
    "learns.fgsm_linear": (
        _fgsm_linear_cases,
        _fgsm_linear_reference,
        "Find the loss's gradient with respect to the logits first (the chapter on how CNNs learn "
        "derived it), then carry it back to x through z = x w + b. Each row of x is its own image.",
    ),
    "after.se_forward": (
        _se_cases,
        _se_reference,
        "Three steps: one number per image and channel from the whole map (squeeze), the two dense "
        "layers on those numbers (excitation), then every pixel of a channel times that channel's "
        "result. Mind which axes each step works on.",
    ),
    "vgg.receptive_field": (
        _receptive_field_cases,
        _receptive_field_reference,
        "Walk the layers from the input and keep two numbers: the field's size so far, and how many "
        "input pixels lie between neighbouring positions of the current layer. Ask how a layer's "
        "kernel changes the first and how its stride changes the second.",
    ),
    "vgg.stack_params": (
        _stack_params_cases,
        _stack_params_reference,
        "Each layer is one convolution: count its weights and biases as the convolution chapter did, from the "
        "channels that go in and come out.",
    ),
}

FUNCTION_CASES = 8  # random cases a function must pass
# A value is right within RTOL of itself plus ATOL of the case's largest expected value: float32
# answers (about 7 digits, so an error of ~1e-7 of the values summed near a result of 0) pass,
# a wrong formula does not. (float64's rtol=1e-5, atol=1e-8 refused float32 values near 0.)
FUNCTION_RTOL = 1e-4
FUNCTION_ATOL = 1e-5
# Absolute tolerance of exercises whose float32 error is not in proportion to the output:
# standardising pixels up to 255 by a spread as small as 1/sqrt(HWC) turns float32's rounding
# of a flat image's mean into outputs of up to 4e-4 where the reference has 0.
FUNCTION_ATOL_FLOOR = {"pre.per_image_standardize": 2e-3}
TIME_LIMIT = 10.0  # seconds a learner's function may take over all its random cases


def _close(got: np.ndarray, expected: np.ndarray, floor: float = 0.0) -> bool:
    """Whether ``got`` equals ``expected`` within a tolerance scaled to the expected values
    (at least ``floor``)."""
    scale = float(np.max(np.abs(expected))) if expected.size else 0.0
    return bool(np.allclose(got, expected, rtol=FUNCTION_RTOL, atol=max(FUNCTION_ATOL * scale, floor)))


def _time_limit(seconds: Any) -> float:
    number = isinstance(seconds, numbers.Real) and not isinstance(seconds, bool)
    if not number or not 0 < seconds < math.inf:
        raise ValueError(f"time_limit must be a number of seconds > 0, got {seconds!r}.")
    return float(seconds)


def _within(seconds: float, work: Callable[[], Any]) -> tuple[bool, Any]:
    """Run ``work()`` in a daemon thread and wait at most ``seconds`` for it: ``(True, its
    result)``, or ``(False, None)`` if it is still running (it is left running, as a thread
    cannot be stopped from outside; a daemon thread does not keep Python from exiting).
    An exception that ``work`` raises is raised here. Works in Jupyter and Colab, on any
    thread, unlike a SIGALRM alarm, which only the main thread of a Unix process can use."""
    import threading

    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["result"] = work()
        except BaseException as error:  # handed to the waiting thread
            box["error"] = error

    thread = threading.Thread(target=run, name="check_function", daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        return False, None
    if "error" in box:
        raise box["error"]
    return True, box["result"]


def _first_failure(
    exercise: str, fn: Callable[..., Any], cases: int, seed: int, progress: dict | None = None
) -> str | None:
    """Why ``fn`` fails ``exercise`` on its first failing random case, or None if all pass.
    ``progress["case"]`` is set to the case being run."""
    if exercise not in FUNCTIONS:
        raise ValueError(f"no exercise called {exercise!r}; the ids are: {', '.join(sorted(FUNCTIONS))}.")
    if not callable(fn):
        return f"give the function itself (its name, without brackets), not a {type(fn).__name__}."
    make, reference, _ = FUNCTIONS[exercise]
    rng = np.random.default_rng(seed)
    for case in range(1, cases + 1):
        if progress is not None:
            progress["case"] = case
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
        if not _close(got, expected, FUNCTION_ATOL_FLOOR.get(exercise, 0.0)):
            if not np.isfinite(got).all() and np.isfinite(expected).all():
                return f"case {case}: called with ({shown}), some values are nan or inf."
            return f"case {case}: called with ({shown}), the shape is right but some values are not."
    return None


def _check_exercise_id(exercise: Any) -> None:
    if not isinstance(exercise, str) or exercise not in FUNCTIONS:
        raise ValueError(f"no exercise called {exercise!r}; the ids are: {', '.join(sorted(FUNCTIONS))}.")


def function_is_correct(exercise: str, fn: Callable[..., Any], time_limit: float = TIME_LIMIT) -> bool:
    """Whether ``fn`` passes the random cases of ``exercise`` (for autograders; prints nothing);
    False if it has not returned from them within ``time_limit`` seconds."""
    _check_exercise_id(exercise)
    seconds = _time_limit(time_limit)
    done, failure = _within(seconds, lambda: _first_failure(exercise, fn, FUNCTION_CASES, seed=0))
    return done and failure is None


def _is_stub(fn: Any) -> bool:
    """True when ``fn`` is a function whose body is still only ``...`` or ``pass`` (after an
    optional docstring), as the chapters hand it out; False when its source cannot be read."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError, IndentationError):
        return False
    node = tree.body[0] if len(tree.body) == 1 else None
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        if isinstance(body[0].value.value, str) and len(body) > 1:
            body = body[1:]  # the docstring
    return all(
        isinstance(stmt, ast.Pass)
        or (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and stmt.value.value is Ellipsis)
        for stmt in body
    )


def check_function(exercise: str, fn: Callable[..., Any], time_limit: float = TIME_LIMIT) -> None:
    """Call your function ``fn`` on random inputs and print whether it agrees with the
    course's reference, with a hint when it does not (never the expected values).

    Args:
        exercise: the id given with the exercise, e.g. ``"alexnet.lrn"``.
        fn: your function (its name, without brackets).
        time_limit: seconds to wait for ``fn`` over all the random cases (10); a function
            still running then is reported (an endless loop?) and left to run in the background.

    Floats are compared within 0.01% of each value plus 0.001% of the largest expected value,
    so float32 answers count as right.
    """
    _check_exercise_id(exercise)
    seconds = _time_limit(time_limit)
    if fn is None or fn is Ellipsis:
        _say(f"{exercise}: write the function, then pass it here (its name, without brackets).")
        return
    if _is_stub(fn):
        _say(
            f"{exercise}: {getattr(fn, '__name__', 'the function')} is still the stub: "
            "write its body in place of ... and run this cell again."
        )
        return
    progress: dict[str, int] = {}
    done, failure = _within(seconds, lambda: _first_failure(exercise, fn, FUNCTION_CASES, 0, progress))
    if not done:
        _say(
            f"{exercise}: not yet. Your function did not return within {seconds:g} s (case "
            f"{progress.get('case', 1)} of {FUNCTION_CASES}, on small inputs). Check for a loop that never "
            f"ends, such as a while loop whose condition stays true. It may keep running in the "
            f"background: restart the kernel if the notebook slows down."
        )
    elif failure is None:
        _say(f"{exercise}: correct on {FUNCTION_CASES} random inputs!")
    else:
        _say(f"{exercise}: not yet. {failure} Hint: {FUNCTIONS[exercise][2]}")

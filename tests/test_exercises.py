"""Exercise checks: the worked answers pass, wrong ones get a hint and no answer."""

import math
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

from utils.exercises import (
    ANSWERS,
    FUNCTION_CASES,
    FUNCTIONS,
    canonical,
    check_answer,
    check_function,
    function_is_correct,
    is_correct,
)
from utils.geometry import (
    conv2d_params,
    conv_output_size,
    dense_params,
    pool_output_size,
    receptive_field,
    same_padding,
)
from utils.layers import ZeroPadShortcut
from utils.models import squeeze_excite

ROOT = Path(__file__).resolve().parent.parent

# The worked answers, for teachers.
WORKED = {
    "conv.output_size": conv_output_size(224, 7, 2, 3),  # 112
    "conv.params": conv2d_params(7, 3, 24),  # 3,552
    "conv.same_padding": same_padding(224, 7, 2),  # (2, 3): total 5, the odd zero at the bottom
    "conv.dense_equivalent": dense_params(32 * 32 * 1, 28 * 28 * 6),  # 4,821,600
    "pool.output_size": pool_output_size(71, 3, 2),  # 35
    "pool.overlap": 3 * 1,  # 5x5 windows, stride 2, 11x11: row 4 in windows from rows 0, 2, 4; column 1 in one
    "pool.dense_after_pool": dense_params(12 * 12 * 48, 10),  # 69,130
    "pool.gap_params": dense_params(512, 1000),  # 513,000
    "act.sigmoid_slope_at": math.log((1 + 0.6**0.5) / (1 - 0.6**0.5)),  # s(1 - s) = 0.1: 2.0634
    "act.five_sigmoids": 0.25**5,  # 0.0009765625, within 0.1%
    "act.maxout_params": 4 * dense_params(120, 64),  # 30,976: 4 pieces, each a Dense(64) on 120 inputs
    "act.leaky_value": 0.1 * -3,  # -0.3
    "basics.axis_sum": [1 + 4, 2 + 5, 3 + 6],
    "basics.channels_first_shape": (64, 3, 224, 224),
    "basics.updates_per_epoch": -(-60_000 // 128),  # 469
    "basics.pattern_params": conv2d_params(3, 1, 8) + dense_params(14 * 14 * 8, 10),  # 15,770
    "pre.variance_after": (1 / 2) ** 2,  # 0.25: divided by 2 std
    "pre.covariance_size": (28 * 28 * 1) ** 2,  # 614,656
    "pre.pixel_mean_size": 64 * 64 * 3,  # 12,288: a per-pixel mean image
    "pre.whitening_factor": 1 / 4**0.5,  # 0.5
    "lenet.c1_params": conv2d_params(5, 3, 6),  # 456, on RGB input
    "lenet.c3_connections": 10 * 10 * (60 * 25 + 16),  # 151,600 (paper, Table I: 60 pairs)
    "lenet.s4_without_padding": pool_output_size(conv_output_size(pool_output_size(conv_output_size(28, 5), 2), 5), 2),
    "lenet.f6_params": dense_params(120, 100),  # 12,100, with 100 units
    "learn.loss_half": -math.log(0.5),  # 0.6931
    "learn.max_lr": 2 / 25,  # 2 / largest curvature
    "learn.im2col_rows": 32 * conv_output_size(28, 3) ** 2,  # 21,632
    "learn.batch_factor": 3**2,
    "alexnet.conv1_stride2": conv_output_size(227, 11, 2),  # 109
    "alexnet.grouped_params": conv2d_params(5, 96 // 4, 256),  # 153,856
    "alexnet.dropout_value": 2.5 / 0.8,  # 3.125
    "alexnet.crop_count": (2 * 3 + 1) ** 2 * 2,  # 98
    "resnet.blocks_110": 3 * (110 - 2) // 6,  # 54
    "resnet.basic_weights": 2 * 3 * 3 * 128 * 128,  # 294,912
    "resnet.bottleneck_macs": 14 * 14 * (512 * 128 + 9 * 128 * 128 + 128 * 512),  # 54,591,488
    "resnet.projection_params": 32 * 64 + 4 * 64 + 64 * 128 + 4 * 128,  # 11,008
    "learns.occlusion_copies": ((224 - 32) // 8 + 1) ** 2,  # 625
    "learns.fgsm_l2": 2 / 255 * math.sqrt(32 * 32 * 3),  # 0.4347
    "vgg.block3_field": receptive_field([(3, 1), (3, 1), (2, 2), (3, 1), (3, 1), (2, 2), (3, 1), (3, 1), (3, 1)])[0],
    "vgg.three_3x3_weights": 3 * conv2d_params(3, 128, 128, use_bias=False),  # 442,368
    "vgg.reduced_branch_macs": 14 * 14 * (480 * 16 + 5 * 5 * 16 * 48),  # 5,268,480
    "vgg.bn_inference": 2 * (5 - 3) / 4**0.5 + 1,  # 3
    "vgg.smoothing_gap": math.log((1 - 0.2 + 0.2 / 10) / (0.2 / 10)),  # ln 41 = 3.714
    "after.separable_macs": 16 * 16 * (9 * 128 + 128 * 256),  # 8,683,520
    "after.densenet_transition": (2 * 24 + (250 - 4) // 6 * 24) // 2,  # 516
    "after.compound_flops": (1.2 * 1.1**2 * 1.15**2) ** 5,  # 26.11
}


def test_every_exercise_has_a_worked_answer():
    assert set(WORKED) == set(ANSWERS)


@pytest.mark.parametrize("exercise", sorted(WORKED))
def test_worked_answers_pass(exercise, capsys):
    assert is_correct(exercise, WORKED[exercise])
    check_answer(exercise, WORKED[exercise])
    assert capsys.readouterr().out == f"{exercise}: correct!\n"


def test_wrong_answer_gets_a_hint_not_the_answer(capsys):
    assert not is_correct("conv.output_size", 54)
    check_answer("conv.output_size", 54)
    out = capsys.readouterr().out
    assert "not yet" in out and "Hint" in out and "55" not in out


def test_placeholder_and_unknown_id(capsys):
    assert not is_correct("conv.params", ...)
    check_answer("conv.params", ...)
    assert "put your answer in place of ..." in capsys.readouterr().out
    with pytest.raises(ValueError, match="no exercise called"):
        check_answer("conv.nope", 1)


def test_canonical_forms():
    assert canonical((0, 1)) == canonical([0, 1]) == "[0,1]"
    assert canonical(55.0) == "55" and canonical(0.12341) == "0.1234"
    with pytest.raises(ValueError, match="answers are numbers"):
        canonical({"a": 1})


def test_answers_a_learner_types(capsys):
    """Tensors, NumPy numbers, nan, inf, None inside a list, and numbers typed as strings."""
    import numpy as np
    import tensorflow as tf

    assert is_correct("conv.output_size", tf.constant(112))
    assert is_correct("conv.output_size", np.int64(112)) and is_correct("conv.output_size", np.array(112))
    assert is_correct("basics.axis_sum", tf.constant([5, 7, 9]))
    for bad in (float("nan"), float("inf"), [None, 1], object()):
        assert not is_correct("conv.same_padding", bad)
        check_answer("conv.same_padding", bad)
        out = capsys.readouterr().out
        assert "not an answer yet" in out and "Traceback" not in out, out
    check_answer("conv.output_size", "112")
    out = " ".join(capsys.readouterr().out.split())
    assert "without quotes" in out and "as text" in out
    check_answer("conv.output_size", "111")
    out = " ".join(capsys.readouterr().out.split())
    assert "without quotes" in out and "Hint" in out and "112" not in out


def test_feedback_fits_the_book_column(capsys):
    for exercise in ANSWERS:
        for answer in (..., -1, "x", [None]):
            check_answer(exercise, answer)
    lines = capsys.readouterr().out.splitlines()
    assert lines and max(len(line) for line in lines) <= 75


def test_floats_are_compared_with_a_tolerance_not_by_rounding():
    # 0.69315 and 0.69305 round to different 4-decimal numbers but are both within 0.1% of ln 2
    for close in (0.69315, 0.69305, math.log(2) * 1.0009, math.log(2) * 0.9991):
        assert is_correct("learn.loss_half", close), close
    for far in (0.69, 0.7, math.log(2) * 1.002):
        assert not is_correct("learn.loss_half", far), far
    assert is_correct("act.five_sigmoids", 0.000977) and not is_correct("act.five_sigmoids", 0.001)
    assert is_correct("act.leaky_value", -0.3) and is_correct("pre.whitening_factor", 1 / 2)
    # integers stay exact: a count near the answer is wrong
    assert not is_correct("conv.dense_equivalent", 4_821_000)


# --- exercises where the learner writes a function ------------------------------------------


def lrn_worked(a, size=5, k=2.0, alpha=1e-4, beta=0.75):
    """A worked answer to alexnet.lrn: a loop over channels, unlike the reference."""
    out = np.empty_like(a)
    for c in range(a.shape[-1]):
        lo, hi = max(0, c - size // 2), min(a.shape[-1], c + size // 2 + 1)
        out[..., c] = a[..., c] / (k + alpha * np.sum(a[..., lo:hi] ** 2, axis=-1)) ** beta
    return out


def ten_crop_worked(image, size):
    """A worked answer to alexnet.ten_crop."""
    h, w = image.shape[:2]
    starts = [(0, 0), (0, w - size), (h - size, 0), (h - size, w - size), ((h - size) // 2, (w - size) // 2)]
    crops = [image[y : y + size, x : x + size] for y, x in starts]
    return np.array(crops + [np.fliplr(c) for c in crops])


def softmax_worked(z):
    shifted = np.exp(z - np.max(z, axis=-1)[:, None])
    return shifted / np.sum(shifted, axis=-1)[:, None]


def per_image_standardize_worked(images):
    out = np.empty_like(images, dtype="float64")
    for i, image in enumerate(images):
        out[i] = (image - image.mean()) / max(image.std(), 1 / np.sqrt(image.size))
    return out


def conv1d_worked(x, w, stride=1, padding=0):
    padded = np.concatenate([np.zeros(padding), x, np.zeros(padding)])
    starts = range(0, len(padded) - len(w) + 1, stride)
    return np.array([np.sum(padded[s : s + len(w)] * w) for s in starts])


def elu_worked(x, alpha=1.0):
    return np.maximum(x, 0) + alpha * (np.exp(np.minimum(x, 0)) - 1)


def argmax_pool_worked(x, size, stride):
    n, h, w, c = x.shape
    oh, ow = (h - size) // stride + 1, (w - size) // stride + 1
    out = np.zeros((n, oh, ow, c), dtype=int)
    for b, i, j, ch in np.ndindex(n, oh, ow, c):
        window = x[b, i * stride : i * stride + size, j * stride : j * stride + size, ch]
        r, col = np.unravel_index(np.argmax(window), window.shape)
        out[b, i, j, ch] = (i * stride + r) * w + j * stride + col
    return out


def confusion_matrix_worked(labels, predictions, classes):
    return np.array([[np.sum((labels == t) & (predictions == p)) for p in range(classes)] for t in range(classes)])


def avg_pool_backward_worked(dout, size):
    return np.kron(dout, np.ones((1, size, size, 1))) / size**2


def shortcut_a_worked(x, filters, stride):
    n, h, w, c = x.shape
    out = np.zeros((n, -(-h // stride), -(-w // stride), filters))
    before = (filters - c) // 2
    out[..., before : before + c] = x[:, 0::stride, 0::stride]
    return out


def residual_block_worked(x, w1, w2):
    hidden = np.where(x @ w1 > 0, x @ w1, 0)
    total = hidden @ w2 + x
    return total * (total > 0)


def receptive_field_worked(kernels, strides):
    # backwards from one output pixel: the window it sees in each earlier layer
    size = 1
    for kernel, stride in reversed(list(zip(kernels, strides))):
        size = (size - 1) * stride + kernel
    return size


def stack_params_worked(kernels, channels):
    total = 0
    for i, k in enumerate(kernels):
        total += (k * k * channels[i] + 1) * channels[i + 1]
    return total


def fgsm_linear_worked(x, w, b, y, epsilon):
    z = x @ w + b
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    onehot = np.eye(w.shape[1])[y]
    return x + epsilon * np.sign((p - onehot) @ w.T)


def se_forward_worked(x, w1, b1, w2, b2):
    squeezed = x.mean(axis=(1, 2))
    hidden = np.maximum(squeezed @ w1 + b1, 0)
    weights = 1 / (1 + np.exp(-(hidden @ w2 + b2)))
    return x * weights[:, None, None, :]


FUNCTION_WORKED = {
    "after.se_forward": se_forward_worked,
    "learns.fgsm_linear": fgsm_linear_worked,
    "alexnet.lrn": lrn_worked,
    "alexnet.ten_crop": ten_crop_worked,
    "basics.softmax": softmax_worked,
    "pre.per_image_standardize": per_image_standardize_worked,
    "conv.conv1d": conv1d_worked,
    "act.elu": elu_worked,
    "pool.argmax": argmax_pool_worked,
    "lenet.confusion_matrix": confusion_matrix_worked,
    "learn.avg_pool_backward": avg_pool_backward_worked,
    "resnet.shortcut_a": shortcut_a_worked,
    "resnet.residual_block": residual_block_worked,
    "vgg.receptive_field": receptive_field_worked,
    "vgg.stack_params": stack_params_worked,
}


def test_function_references_agree_with_the_libraries():
    """The references of the new exercises against TensorFlow and Keras, where they have one."""
    import keras
    import tensorflow as tf

    from utils import exercises

    rng = np.random.default_rng(3)
    z = rng.normal(size=(4, 6)) * 300
    assert np.allclose(exercises._softmax_reference(z), tf.nn.softmax(z))
    images = rng.uniform(0, 255, size=(3, 5, 4, 3))
    assert np.allclose(exercises._per_image_reference(images), tf.image.per_image_standardization(images), atol=1e-5)
    x, w = rng.normal(size=11), rng.normal(size=3)
    want = keras.ops.conv(np.pad(x, 2)[None, :, None], w[:, None, None], strides=2)
    assert np.allclose(exercises._conv1d_reference(x, w, stride=2, padding=2), np.ravel(want), atol=1e-5)
    assert np.allclose(exercises._elu_reference(z / 100, 1.0), keras.activations.elu(z / 100), atol=1e-6)
    x = rng.normal(size=(2, 7, 6, 3))
    _, flat = tf.nn.max_pool_with_argmax(x, 3, 2, "VALID", include_batch_in_index=False)
    assert np.array_equal(exercises._argmax_pool_reference(x, 3, 2), flat.numpy() // 3)  # TF counts channels too
    labels, predictions = rng.integers(0, 4, 50), rng.integers(0, 4, 50)
    assert np.array_equal(
        exercises._confusion_reference(labels, predictions, 4), tf.math.confusion_matrix(labels, predictions, 4)
    )
    dout, x = rng.normal(size=(2, 3, 2, 3)), tf.constant(rng.normal(size=(2, 6, 4, 3)))
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.reduce_sum(tf.nn.avg_pool2d(x, 2, 2, "VALID") * dout)
    assert np.allclose(exercises._avg_pool_backward_reference(dout, 2), tape.gradient(loss, x))
    x = rng.normal(size=(2, 7, 5, 3)).astype("float32")
    layer = ZeroPadShortcut(8, 2)
    assert np.array_equal(exercises._shortcut_a_reference(x, 8, 2), keras.ops.convert_to_numpy(layer(x)))
    x, w1, w2 = rng.normal(size=(4, 5)), rng.normal(size=(5, 3)), rng.normal(size=(3, 5))
    inputs = keras.Input((5,))
    f = keras.layers.Dense(5, use_bias=False)(keras.layers.Dense(3, "relu", use_bias=False)(inputs))
    block = keras.Model(inputs, keras.layers.ReLU()(keras.layers.Add()([f, inputs])))
    block.set_weights([w1, w2])
    want = block.predict(x, verbose=0)
    assert np.allclose(exercises._residual_block_reference(x, w1, w2), want, atol=1e-5)
    kernels, strides, channels = [3, 5, 1, 3], [1, 2, 1, 2], [3, 8, 16, 4, 6]
    assert exercises._receptive_field_reference(kernels, strides) == receptive_field([*zip(kernels, strides)])[0]
    convs = [keras.layers.Conv2D(c, k, strides=s) for k, s, c in zip(kernels, strides, channels[1:])]
    stack = keras.Sequential([keras.Input((32, 32, 3)), *convs])
    assert exercises._stack_params_reference(kernels, channels) == stack.count_params()
    x, w, b, y = rng.normal(size=(3, 4)), rng.normal(size=(4, 5)), rng.normal(size=5), np.array([0, 4, 2])
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        loss = tf.reduce_sum(tf.nn.sparse_softmax_cross_entropy_with_logits(y, xt @ w + b))
    want = x + 0.1 * np.sign(tape.gradient(loss, xt).numpy())
    assert np.allclose(exercises._fgsm_linear_reference(x, w, b, y, 0.1), want)
    x, w1, b1 = rng.normal(size=(2, 3, 4, 8)), rng.normal(size=(8, 2)), rng.normal(size=2)
    w2, b2 = rng.normal(size=(2, 8)), rng.normal(size=8)
    inputs = keras.Input(x.shape[1:])
    se = keras.Model(inputs, squeeze_excite(inputs, 4, "se"))  # 8 / 4 = 2 units
    se.set_weights([w1, b1, w2, b2])
    want = se.predict(x.astype("float32"), verbose=0)
    assert np.allclose(exercises._se_reference(x, w1, b1, w2, b2), want, atol=1e-5)


def test_every_function_exercise_has_a_worked_answer():
    assert set(FUNCTION_WORKED) == set(FUNCTIONS)


@pytest.mark.parametrize("exercise", sorted(FUNCTION_WORKED))
def test_worked_functions_pass(exercise, capsys):
    assert function_is_correct(exercise, FUNCTION_WORKED[exercise])
    check_function(exercise, FUNCTION_WORKED[exercise])
    assert capsys.readouterr().out == f"{exercise}: correct on {FUNCTION_CASES} random inputs!\n"


def test_lrn_reference_matches_the_keras_layer():
    from utils.exercises import _lrn_reference
    from utils.layers import LocalResponseNormalization

    a = np.random.default_rng(1).normal(size=(2, 3, 3, 9)).astype("float32") * 20
    layer = LocalResponseNormalization(size=3, k=1.0, alpha=1e-3, beta=0.6)
    np.testing.assert_allclose(np.asarray(layer(a)), _lrn_reference(a, 3, 1.0, 1e-3, 0.6), rtol=1e-5)


@pytest.mark.parametrize(
    ("fn", "says"),
    [
        (lambda a, **kw: a, "the shape is right but some values are not"),
        (lambda a, **kw: a[..., :-1], "it returned shape"),
        (lambda a, **kw: 1 / 0, "it raised ZeroDivisionError: division by zero"),
        (lambda a, **kw: "text", "not an array of numbers"),
        (lambda a, **kw: print(end=""), "it returned None"),  # forgets to return (a stub is not "not yet")
        (lambda a: a, "it raised TypeError"),  # forgets the keyword arguments
        (42, "give the function itself"),
    ],
)
def test_wrong_functions_get_a_reason_and_a_hint(fn, says, capsys):
    assert not function_is_correct("alexnet.lrn", fn)
    check_function("alexnet.lrn", fn)
    out = capsys.readouterr().out.replace("\n", " ")
    assert out.startswith("alexnet.lrn: not yet.") and says in out and "Hint:" in out


def test_function_feedback_never_prints_the_expected_values(capsys):
    check_function("alexnet.lrn", lambda a, **kw: a * 0.5)
    out = capsys.readouterr().out
    assert "[" not in out and "array(" not in out and "0." not in out.split("Hint")[0].split("),")[-1]


def test_an_untouched_stub_is_told_to_write_its_body_without_the_hint(capsys):
    def elu(x, alpha=1.0):
        # your code: return an array shaped like x
        ...

    def documented(x, alpha=1.0):
        "A docstring, then pass."
        pass

    for stub in (elu, documented):
        check_function("act.elu", stub)
        out = capsys.readouterr().out.replace("\n", " ")
        assert out.startswith(f"act.elu: {stub.__name__} is still the stub: write its body in place of ...")
        assert "Hint" not in out and FUNCTIONS["act.elu"][2].split()[0] not in out


def test_function_placeholder_and_unknown_id(capsys):
    check_function("alexnet.lrn", ...)
    assert "write the function" in capsys.readouterr().out
    with pytest.raises(ValueError, match="no exercise called"):
        function_is_correct("alexnet.nope", lrn_worked)


def _shown_forms(value) -> list[str]:
    """How a worked answer would look if printed: integers of two digits or more, with and
    without thousands separators; floats to 2-4 decimals (smaller numbers are too common)."""
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [f"{value:,}", str(value)] if abs(value) >= 10 else []
    if isinstance(value, float):
        shown = [f"{value:.{d}f}" for d in (2, 3, 4)]
        return [s for s in shown if len(s.strip("0.-")) >= 2]
    return []


@pytest.mark.parametrize("chapter", sorted((ROOT / "chapters").glob("*.ipynb")), ids=lambda p: p.stem)
def test_no_exercise_answer_is_printed_before_its_exercise(chapter):
    """The prose and the stored outputs above an exercise must not hold its answer."""
    nb = nbformat.read(chapter, as_version=4)
    above, found = "", []
    for cell in nb.cells:
        if cell.cell_type == "code":
            for exercise in re.findall(r'check_answer\(\s*"([^"]+)"', cell.source):
                for shown in _shown_forms(WORKED[exercise]):
                    if re.search(rf"(?<![\d.,]){re.escape(shown)}(?![\d])", above):
                        found.append(f"{exercise}: {shown}")
        else:
            above += cell.source + "\n"
        for output in cell.get("outputs", []):
            above += output.get("text", "") + output.get("data", {}).get("text/plain", "") + "\n"
    assert not found, f"{chapter.name}: answers shown above their exercise: {found}"


def _float32(reference):
    """``reference`` as a float32 learner would write it: float32 inputs, float32 output."""

    def fn(*args, **kwargs):
        args = [a.astype("float32") if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a for a in args]
        kwargs = {k: np.float32(v) if isinstance(v, float) else v for k, v in kwargs.items()}
        out = np.asarray(reference(*args, **kwargs))
        return out.astype("float32") if out.dtype.kind == "f" else out

    return fn


@pytest.mark.parametrize("exercise", sorted(FUNCTIONS))
def test_float32_answers_pass(exercise):
    """float32 carries about 7 digits: a right answer computed in it is right (issue #24)."""
    from utils.exercises import _first_failure

    reference = FUNCTIONS[exercise][1]
    assert _first_failure(exercise, _float32(reference), 200, seed=0) is None
    assert function_is_correct(exercise, _float32(FUNCTION_WORKED[exercise]))


def test_the_libraries_named_by_the_exercises_pass():
    import tensorflow as tf

    assert function_is_correct("pre.per_image_standardize", tf.image.per_image_standardization)
    assert function_is_correct("basics.softmax", tf.nn.softmax)
    lrn = lambda a, size=5, k=2.0, alpha=1e-4, beta=0.75: tf.nn.local_response_normalization(  # noqa: E731
        a.astype("float32"), size // 2, k, alpha, beta
    )
    assert function_is_correct("alexnet.lrn", lrn)


def _standardize_with(std):
    def fn(images):
        axes = tuple(range(1, images.ndim))
        spread = np.maximum(std(images, axes), 1 / np.sqrt(np.prod(images.shape[1:])))
        return ((images - images.mean(axis=axes, keepdims=True)) / spread).astype("float32")

    return fn


@pytest.mark.parametrize(
    ("exercise", "fn"),
    [
        ("pre.per_image_standardize", _standardize_with(lambda x, axes: x.std(axis=axes, ddof=1, keepdims=True))),
        ("pre.per_image_standardize", _standardize_with(lambda x, axes: x.std(axis=(1, 2), keepdims=True))),
        ("pre.per_image_standardize", lambda images: (images - images.mean()) / images.std()),  # the batch's
        ("alexnet.lrn", _float32(lambda a, size, k, alpha, beta: lrn_worked(a, size, k, alpha / size, beta))),
        ("alexnet.lrn", _float32(lambda a, size, k, alpha, beta: lrn_worked(a, size, k, alpha, beta * 1.01))),
        ("act.elu", _float32(lambda x, alpha: np.where(x > 0, x, np.expm1(x)))),  # ignores alpha
        ("act.elu", _float32(lambda x, alpha: np.where(x > 0, x, alpha * np.exp(x)))),
        ("basics.softmax", _float32(lambda z: np.exp(z) / np.exp(z).sum())),
        ("basics.softmax", _float32(lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum(axis=1, keepdims=True))),
        ("conv.conv1d", _float32(lambda x, w, stride, padding: np.convolve(np.pad(x, padding), w, "valid")[::stride])),
        ("resnet.residual_block", _float32(lambda x, w1, w2: np.maximum(0, np.maximum(0, x @ w1) @ w2))),
        ("learn.avg_pool_backward", _float32(lambda dout, size: np.kron(dout, np.ones((1, size, size, 1))) / size)),
        ("vgg.receptive_field", lambda kernels, strides: 1 + sum(k - 1 for k in kernels)),
        ("vgg.stack_params", lambda kernels, channels: sum(k * k * c * c for k, c in zip(kernels, channels))),
    ],
)
def test_planted_wrong_float32_answers_fail(exercise, fn):
    assert not function_is_correct(exercise, fn)


def test_a_wrong_attempt_gets_the_hint_and_a_right_one_does_not(capsys):
    def elu_without_return(x, alpha=1.0):
        np.where(x > 0, x, alpha * np.expm1(x))

    hint = FUNCTIONS["act.elu"][2]
    for nothing in (..., None):
        check_function("act.elu", nothing)
        out = capsys.readouterr().out.replace("\n", " ")
        assert out.startswith("act.elu: write the function, then pass it here") and "Hint" not in out
    check_function("act.elu", elu_without_return)
    out = capsys.readouterr().out.replace("\n", " ")
    assert out.startswith("act.elu: not yet. case 1: it returned None.") and hint.split()[0] in out
    check_function("act.elu", FUNCTION_WORKED["act.elu"])
    assert "Hint" not in capsys.readouterr().out


def test_a_function_that_never_returns_is_reported_after_the_time_limit(capsys):
    import threading
    import time

    stop = threading.Event()

    def forever(x, alpha=1.0):
        while not stop.is_set():  # an endless loop, ended by the test so no thread is left spinning
            time.sleep(0.01)

    try:
        start = time.perf_counter()
        check_function("act.elu", forever, time_limit=0.5)
        assert time.perf_counter() - start < 5
        out = capsys.readouterr().out.replace("\n", " ")
        assert out.startswith("act.elu: not yet. Your function did not return within 0.5 s (case 1 of 8")
        assert "loop that never ends" in out and "Hint" not in out
        assert not function_is_correct("act.elu", forever, time_limit=0.2)
    finally:
        stop.set()
    assert function_is_correct("act.elu", FUNCTION_WORKED["act.elu"], time_limit=30)
    for bad in (0, -1, "10", True, float("nan"), float("inf"), None):
        with pytest.raises(ValueError, match="time_limit must be a number of seconds > 0"):
            check_function("act.elu", FUNCTION_WORKED["act.elu"], time_limit=bad)
    with pytest.raises(ValueError, match="no exercise called"):
        check_function(None, FUNCTION_WORKED["act.elu"])

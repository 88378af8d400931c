"""Instant feedback on exercises without printing the answers.

Answers are stored as SHA-256 digests of a canonical text form, so reading this file
does not give them away (small integers can be found by trying; this is a nudge to
work them out, not a lock). Teachers see the worked answers in ``tests/test_exercises.py``.
"""

from __future__ import annotations

import hashlib
import numbers
from typing import Any

import numpy as np

# exercise id -> (digest of the canonical answer, hint shown on a wrong answer)
ANSWERS: dict[str, tuple[str, str]] = {
    "conv.output_size": (
        "02d20bbd7e394ad5999a4cebabac9619732c343a4cac99470c03e23ba2bdc2bc",
        "Use floor((W - F + 2P) / S) + 1 with the numbers of the exercise.",
    ),
    "conv.params": (
        "2b36364b92fdfed9c63879bf2b415b1beb8ed2b9d08e8efb265d1aba48deca96",
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
        "4b5573f10a3a2d65cd9182f54cf27170fe08ad1aacba9102b38c03a76fe86c3e",
        "2x2 pooling with stride 2 halves height and width; the dense layer has one weight per (input, output) pair plus a bias per output.",
    ),
    "pool.gap_params": (
        "e10e342514d01bfc3ff402c9e3cb14fc98b328608c2f3ed6d2e4922eca1bcc7a",
        "Global average pooling leaves one number per channel and has no parameters itself.",
    ),
    "act.sigmoid_max_slope": (
        "4d6073ffed2e82585893ff5511d449ae9d2849a13aae694ce01b86cb145f4863",
        "The slope is s(x)(1 - s(x)); where is that product largest?",
    ),
    "act.five_sigmoids": (
        "bc9053efebe743f598d7a69cdd2fb2aff5ae0487832ca9504eaa6c906c66ba56",
        "Each factor is at most the answer to exercise 1.",
    ),
    "act.maxout_params": (
        "b50ecd4487a1d9ef8ca1af4cb05d260d42a356ca5750782ff5425e4910d7665a",
        "Each of the pieces is a full dense layer of its own.",
    ),
    "act.leaky_value": (
        "8cf5e4157ff81a51acd8e729238cd621b4ed46b290998d2345077456abe61542",
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
        "7c9ae09f2c62b7e3694ca52b62ecfc0b548e2877d4dfafa70875322d076e77bc",
        "Whitening divides by the square root of the variance plus eps.",
    ),
    "lenet.c1_params": (
        "0fecf9247f3ddc84db8a804fa3065c013baf6b7c2458c2ba2bf56c2e1d42ddd4",
        "Each filter: 5*5*1 weights and a bias.",
    ),
    "lenet.c3_connections": (
        "e25392a9f3801d1983883cdeb2826d701c69a4bc2df21303beb10c454d13aae8",
        "Each of the 10x10 positions of map k uses 25 weights per input map it sees, plus a bias; the table has 60 (map, input) pairs.",
    ),
    "lenet.s4_without_padding": (
        "4b227777d4dd1fc61c6f884f48641d02b4d121d3fd328cb08b5531fcacdabf8a",
        "Apply the output-size formula layer by layer from 28: C1, S2, C3, S4.",
    ),
    "lenet.f6_params": (
        "00ad7e2e78ec717c59e1893b3e0f2e1d405c11d9c6b4d367b03375619ec28938",
        "A dense layer from 120 to 84 units.",
    ),
    "learn.loss_half": (
        "4017bf5e6996ff06254f8fecce867e6a19778dfdad169a1f5d81ff9cb11e1b80",
        "The loss is -log(p) of the true class.",
    ),
    "learn.max_lr": (
        "258aeaf41ce08c137c1e3813ff7e25af2adce770b75d9ca0556265dfcfdafb97",
        "Along a direction of curvature c a step multiplies the distance to the minimum by (1 - lr * c); it must stay above -1.",
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


def canonical(value: Any) -> str:
    """Text form of an answer: ints as digits, floats rounded to 4 decimals, sequences in brackets."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(canonical(v) for v in value) + "]"
    if isinstance(value, bool) or isinstance(value, str):
        return repr(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        rounded = round(float(value), 4)
        return str(int(rounded)) if rounded == int(rounded) else f"{rounded:.4f}"
    raise ValueError(f"answers are numbers, strings or lists of them; got {type(value).__name__}.")


def digest(value: Any) -> str:
    """SHA-256 hex digest of :func:`canonical` (``value``)."""
    return hashlib.sha256(canonical(value).encode()).hexdigest()


def is_correct(exercise: str, value: Any) -> bool:
    """Whether ``value`` answers ``exercise`` (for autograders; prints nothing)."""
    if exercise not in ANSWERS:
        raise ValueError(f"no exercise called {exercise!r}; the ids are: {', '.join(sorted(ANSWERS))}.")
    if value is None or value is Ellipsis:
        return False
    return digest(value) == ANSWERS[exercise][0]


def check_answer(exercise: str, value: Any) -> None:
    """Print whether ``value`` answers ``exercise``, with a hint when it does not.

    Args:
        exercise: the id given with the exercise, e.g. ``"conv.output_size"``.
        value: your answer: a number, a string, or a tuple/list of them.
    """
    correct = is_correct(exercise, value)
    if value is None or value is Ellipsis:
        print(f"{exercise}: replace the ... with your answer, then run the cell again.")
    elif correct:
        print(f"{exercise}: correct!")
    else:
        print(f"{exercise}: not yet ({canonical(value)}). Hint: {ANSWERS[exercise][1]}")

"""Geometry of convolution and pooling layers: output sizes, padding, parameter counts.

All sizes are in pixels (or units) along one spatial axis unless a function says
otherwise. Padding follows Keras: ``"valid"`` (no padding), ``"same"`` (pad so that
the output is ``ceil(input / stride)``, extra padding at the bottom/right), or an
integer ``P`` meaning ``P`` zeros on *both* sides, as in the formula
``floor((W - F + 2P) / S) + 1``.

Every function checks its arguments and raises ``ValueError`` naming the bad one.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Union

import numpy as np

from .checks import whole_number

Padding = Union[str, int]


def _positive_int(value: object, name: str) -> int:
    """Return ``value`` as an int if it is a positive integer, else raise ValueError."""
    return whole_number(
        value, name, hint="Sizes, kernels, strides and dilations count pixels: use a whole number such as 3."
    )


def _check_padding(padding: object) -> Padding:
    """Return ``padding`` normalised ('valid', 'same' or a non-negative int), else raise."""
    if isinstance(padding, str):
        mode = padding.lower()
        if mode in ("valid", "same"):
            return mode
        raise ValueError(f"padding must be 'valid', 'same' or a non-negative integer, got {padding!r}.")
    if isinstance(padding, bool) or not isinstance(padding, numbers.Integral):
        raise ValueError(
            f"padding must be 'valid', 'same' or a non-negative integer, got {padding!r} ({type(padding).__name__})."
        )
    if padding < 0:
        raise ValueError(f"padding must be non-negative, got {padding}.")
    return int(padding)


def effective_kernel_size(kernel_size: int, dilation: int = 1) -> int:
    """Span in pixels of a kernel of ``kernel_size`` taps spaced ``dilation`` apart.

    A 3-tap kernel with dilation 2 covers 5 pixels: ``dilation * (kernel_size - 1) + 1``.
    """
    kernel_size = _positive_int(kernel_size, "kernel_size")
    dilation = _positive_int(dilation, "dilation")
    return dilation * (kernel_size - 1) + 1


def same_padding(input_size: int, kernel_size: int, stride: int = 1, dilation: int = 1) -> tuple[int, int]:
    """Zeros that Keras/TensorFlow add before and after one axis for ``padding='same'``.

    The total is ``max((ceil(W/S) - 1) * S + F_eff - W, 0)``; when it is odd the extra
    zero goes *after* (bottom or right). Returns ``(before, after)`` in pixels.
    """
    input_size = _positive_int(input_size, "input_size")
    stride = _positive_int(stride, "stride")
    span = effective_kernel_size(kernel_size, dilation)
    out = -(-input_size // stride)  # ceil division
    total = max((out - 1) * stride + span - input_size, 0)
    return total // 2, total - total // 2


def padding_amounts(
    input_size: int, kernel_size: int, stride: int = 1, padding: Padding = "valid", dilation: int = 1
) -> tuple[int, int]:
    """Zeros added ``(before, after)`` on one axis for any padding: 0 for 'valid', P for an int P,
    and :func:`same_padding` for 'same'."""
    conv_output_size(input_size, kernel_size, stride, padding, dilation)  # checks every argument
    padding = _check_padding(padding)
    if padding == "same":
        return same_padding(input_size, kernel_size, stride, dilation)
    pad = 0 if padding == "valid" else padding
    return pad, pad


def conv_output_size(
    input_size: int,
    kernel_size: int,
    stride: int = 1,
    padding: Padding = "valid",
    dilation: int = 1,
    strict: bool = False,
) -> int:
    """Output length along one axis of a convolution (or pooling) layer.

    Args:
        input_size: W, the input length in pixels (> 0).
        kernel_size: F, taps of the kernel or pooling window (> 0).
        stride: S, step between window positions (> 0).
        padding: 'valid', 'same' (Keras semantics) or an int P of zeros on each side.
        dilation: spacing between kernel taps (> 0); 1 is an ordinary kernel.
        strict: if True, also raise when the windows do not tile the padded input
            exactly, i.e. when ``(W - F_eff + 2P)`` is not divisible by ``S`` and the
            last rows/columns would be silently dropped.

    Returns:
        ``floor((W - F_eff + 2P) / S) + 1`` for integer/'valid' padding, ``ceil(W / S)``
        for 'same', where ``F_eff = dilation * (F - 1) + 1``.

    Raises:
        ValueError: a non-positive or non-integer size, kernel, stride or dilation, a
            stride and a dilation both above 1 (Keras refuses that layer), a bad
            padding, a kernel larger than the padded input, or (strict) a stride that
            does not fit.
    """
    input_size = _positive_int(input_size, "input_size")
    stride = _positive_int(stride, "stride")
    span = effective_kernel_size(kernel_size, dilation)
    if stride > 1 and dilation > 1:
        raise ValueError(
            f"stride {stride} and dilation {dilation}: Keras's Conv2D does not allow a stride "
            f"and a dilation both above 1. Use stride 1 with the dilation, or dilation 1 with "
            f"the stride."
        )
    padding = _check_padding(padding)
    if padding == "same":
        return -(-input_size // stride)
    pad = 0 if padding == "valid" else padding
    padded = input_size + 2 * pad
    if span > padded:
        raise ValueError(
            f"kernel_size {kernel_size} (span {span} with dilation {dilation}) is larger than "
            f"the padded input ({input_size} + 2*{pad} = {padded}); use a smaller kernel, more "
            f"padding, or padding='same'."
        )
    if strict and (padded - span) % stride:
        raise ValueError(
            f"stride {stride} does not fit: (W - F + 2P) / S = ({input_size} - {span} + 2*{pad}) / "
            f"{stride} = {(padded - span) / stride:g} is not an integer, so the last "
            f"{(padded - span) % stride} row(s)/column(s) would be ignored. Change the padding "
            f"or the stride."
        )
    return (padded - span) // stride + 1


def pool_output_size(input_size: int, pool_size: int, stride: int | None = None, padding: Padding = "valid") -> int:
    """Output length along one axis of a pooling layer.

    ``stride`` defaults to ``pool_size`` (non-overlapping windows), as in Keras's
    ``MaxPooling2D``. Same formula and errors as :func:`conv_output_size`.
    """
    pool_size = _positive_int(pool_size, "pool_size")
    return conv_output_size(input_size, pool_size, pool_size if stride is None else stride, padding)


def _pair(value: object, name: str) -> tuple[object, object]:
    """Turn an int or a 2-sequence into a (height, width) pair."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an integer or a (height, width) pair, got {value!r}.")
        return value[0], value[1]
    return value, value


def conv2d_output_shape(
    input_shape: tuple[int, int, int],
    filters: int,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] = 1,
    padding: Padding = "valid",
    dilation: int | tuple[int, int] = 1,
) -> tuple[int, int, int]:
    """Output shape ``(H_out, W_out, filters)`` of a 2-D convolution on a channels-last input.

    Args:
        input_shape: ``(H, W, C)`` of one example (no batch axis).
        filters: K, the number of filters, which is the output depth.
        kernel_size, stride, dilation: an int or a ``(height, width)`` pair.
        padding: as in :func:`conv_output_size`.
    """
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3:
        raise ValueError(
            f"input_shape must be (height, width, channels) of one image, got {input_shape!r}; "
            f"drop the batch axis if you passed x.shape of a batch."
        )
    height, width, channels = input_shape
    _positive_int(channels, "channels (input_shape[2])")
    filters = _positive_int(filters, "filters")
    (kh, kw), (sh, sw), (dh, dw) = (
        _pair(kernel_size, "kernel_size"),
        _pair(stride, "stride"),
        _pair(dilation, "dilation"),
    )
    out_h = conv_output_size(height, kh, sh, padding, dh)
    out_w = conv_output_size(width, kw, sw, padding, dw)
    return out_h, out_w, filters


def _flag(value: object, name: str) -> bool:
    """``value`` if it is True or False (Python's or NumPy's), else ValueError: a string such as
    "no" would count as True."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}.")
    return bool(value)


def conv2d_params(kernel_size: int | tuple[int, int], in_channels: int, filters: int, use_bias: bool = True) -> int:
    """Learnable parameters of a 2-D convolution: ``F_h * F_w * C * K`` weights + ``K`` biases."""
    use_bias = _flag(use_bias, "use_bias")
    kh, kw = _pair(kernel_size, "kernel_size")
    kh, kw = _positive_int(kh, "kernel_size"), _positive_int(kw, "kernel_size")
    in_channels = _positive_int(in_channels, "in_channels")
    filters = _positive_int(filters, "filters")
    return kh * kw * in_channels * filters + (filters if use_bias else 0)


def dense_params(in_units: int, out_units: int, use_bias: bool = True) -> int:
    """Learnable parameters of a dense (fully connected) layer: ``in * out`` weights + ``out`` biases."""
    use_bias = _flag(use_bias, "use_bias")
    in_units = _positive_int(in_units, "in_units")
    out_units = _positive_int(out_units, "out_units")
    return in_units * out_units + (out_units if use_bias else 0)


def conv2d_macs(output_shape: tuple[int, int, int], kernel_size: int | tuple[int, int], in_channels: int) -> int:
    """Multiply-adds of a 2-D convolution: every output value costs ``F_h * F_w * C`` of them."""
    if not isinstance(output_shape, (tuple, list)) or len(output_shape) != 3:
        raise ValueError(f"output_shape must be (height, width, filters), got {output_shape!r}.")
    kh, kw = _pair(kernel_size, "kernel_size")
    per_output = (
        _positive_int(kh, "kernel_size") * _positive_int(kw, "kernel_size") * _positive_int(in_channels, "in_channels")
    )
    return math.prod(_positive_int(d, "output_shape") for d in output_shape) * per_output


@dataclass(frozen=True)
class ConvGeometry:
    """A square 2-D convolution: sizes in pixels along one axis.

    Build it with :func:`conv_geometry`, which checks the arguments.
    """

    input_size: int
    kernel_size: int
    stride: int
    padding: Padding
    dilation: int
    pad_before: int
    pad_after: int
    output_size: int

    @property
    def padded_size(self) -> int:
        """Input size plus the zeros before and after, in pixels."""
        return self.input_size + self.pad_before + self.pad_after

    @property
    def steps(self) -> int:
        """Number of window positions, ``output_size ** 2``."""
        return self.output_size**2

    def window(self, step: int) -> list[tuple[int, int]]:
        """(row, col) in padded coordinates of every kernel tap at window position ``step``."""
        if isinstance(step, bool) or not isinstance(step, numbers.Integral) or not 0 <= step < self.steps:
            raise ValueError(f"step must be an integer in 0..{self.steps - 1}, got {step!r}.")
        row, col = divmod(step, self.output_size)
        top, left = row * self.stride, col * self.stride
        taps = range(self.kernel_size)
        return [(top + a * self.dilation, left + b * self.dilation) for a in taps for b in taps]


def conv_geometry(
    input_size: int, kernel_size: int, stride: int = 1, padding: Padding = "valid", dilation: int = 1
) -> ConvGeometry:
    """Check the arguments (ValueError names a bad one) and return the full geometry."""
    output = conv_output_size(input_size, kernel_size, stride, padding, dilation)
    before, after = padding_amounts(input_size, kernel_size, stride, padding, dilation)
    padding = padding.lower() if isinstance(padding, str) else int(padding)
    return ConvGeometry(input_size, kernel_size, stride, padding, dilation, before, after, output)


def receptive_field(layers: list[tuple[int, ...]]) -> tuple[int, int]:
    """Receptive field of one output pixel after a stack of convolution/pooling layers.

    Args:
        layers: one ``(kernel_size, stride)`` or ``(kernel_size, stride, dilation)`` per
            layer, input side first (pooling is a layer like any other: ``(2, 2)``).

    Returns:
        ``(size, jump)``: the side in input pixels that one output pixel sees, and the
        distance in input pixels between two neighbouring output pixels. Each layer adds
        ``(F_eff - 1) * jump`` to the size and multiplies the jump by its stride.
    """
    if not isinstance(layers, (list, tuple)):
        raise ValueError(f"layers must be a list of (kernel_size, stride) pairs, got {type(layers).__name__}.")
    size, jump = 1, 1
    for i, layer in enumerate(layers):
        if not isinstance(layer, (list, tuple)) or len(layer) not in (2, 3):
            raise ValueError(
                f"layers[{i}] must be (kernel_size, stride) or (kernel_size, stride, dilation), got {layer!r}."
            )
        kernel, stride = layer[0], layer[1]
        dilation = layer[2] if len(layer) == 3 else 1
        stride = _positive_int(stride, f"layers[{i}] stride")
        span = effective_kernel_size(kernel, dilation)
        size += (span - 1) * jump
        jump *= stride
    return size, jump


def measured_receptive_field(layers: list[tuple], size: int | None = None) -> tuple[int, int]:
    """Receptive field of the centre output pixel, measured on a real Keras stack.

    Builds one single-channel ``Conv2D`` per layer (kernel of ones, no padding, the layer's
    stride and dilation; a pooling window has the same geometry as such a convolution),
    then lights one row of an otherwise black ``size`` x ``size`` image at a time, and one
    column at a time: a row or column reaches the centre output when that output changes.
    All weights being positive, nothing cancels. The field is the extent from the first to
    the last row (column) that reaches it, gaps included: a dilated or strided stack skips
    rows inside its field (one 3x3 at dilation 2 reaches 3 rows of a 5-row field), as
    :func:`receptive_field`, which computes it, counts them.

    Args:
        layers: one ``(kernel, stride)`` or ``(kernel, stride, dilation)`` per layer, input
            side first; ``kernel`` and ``stride`` are an integer or a ``(height, width)``
            pair (``(1, 7)`` is a 1x7 kernel), ``dilation`` an integer.
        size: side of the test image in pixels; by default big enough for the field.

    Returns:
        ``(rows, columns)``: the height and width, in input pixels, of the field (last row
        that reaches the centre output - first such row + 1; the same for columns).
    """
    import keras
    import numpy as np

    if not isinstance(layers, (list, tuple)) or not layers:
        raise ValueError(f"layers must be a non-empty list of (kernel, stride) pairs, got {layers!r}.")
    parsed = []
    reach = 1  # the field's side along the longer axis, to size the image
    jump = 1
    for i, layer in enumerate(layers):
        if not isinstance(layer, (list, tuple)) or len(layer) not in (2, 3):
            raise ValueError(f"layers[{i}] must be (kernel, stride) or (kernel, stride, dilation), got {layer!r}.")
        kernel = tuple(_positive_int(v, f"layers[{i}] kernel") for v in _pair(layer[0], f"layers[{i}] kernel"))
        stride = tuple(_positive_int(v, f"layers[{i}] stride") for v in _pair(layer[1], f"layers[{i}] stride"))
        dilation = _positive_int(layer[2] if len(layer) == 3 else 1, f"layers[{i}] dilation")
        if max(stride) > 1 and dilation > 1:
            raise ValueError(
                f"layers[{i}] has stride {layer[1]} and dilation {dilation}: Keras's Conv2D does not allow "
                f"a stride and a dilation both above 1. Use stride 1 with the dilation, or dilation 1."
            )
        parsed.append((kernel, stride, dilation))
        reach += (effective_kernel_size(max(kernel), dilation) - 1) * jump
        jump *= max(stride)
    if size is None:
        size = 2 * (reach + jump) + 1
    size = _positive_int(size, "size")
    convs = [
        keras.layers.Conv2D(1, k, strides=s, dilation_rate=d, kernel_initializer="ones", use_bias=False)
        for k, s, d in parsed
    ]
    try:
        model = keras.Sequential([keras.Input((size, size, 1)), *convs])
    except ValueError as error:
        raise ValueError(f"size {size} is too small for this stack: the output would be empty ({error}).") from None
    lit = np.eye(size, dtype="float32")
    rows = np.broadcast_to(lit[:, :, None], (size, size, size))  # image i: row i lit
    cols = rows.transpose(0, 2, 1)  # image i: column i lit
    images = np.concatenate([rows, cols])[..., None]
    out = keras.ops.convert_to_numpy(model(images))
    if out.shape[1] < 1 or out.shape[2] < 1:
        raise ValueError(f"size {size} is too small for this stack: the output is empty.")
    centre = out[:, out.shape[1] // 2, out.shape[2] // 2, 0]

    def extent(reached: np.ndarray) -> int:
        lines = np.flatnonzero(reached)
        return int(lines[-1] - lines[0] + 1)

    return extent(centre[:size]), extent(centre[size:])

"""Architecture tables: layer, output shape, parameters and multiply-adds of a Keras model.

Multiply-adds (MACs) count the multiplications of convolution and dense layers, one per
weight use: a Conv2D output value costs ``F_h * F_w * C_in / groups`` of them, a Dense
output value ``in_units``. Biases, activations, pooling and normalisation count 0,
the convention of the architecture papers. Counts are per example (batch size 1).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

COLUMNS = ["layer", "type", "output shape", "params", "MACs"]


def layer_connections(layer: Any) -> int:
    """Connections of one layer in LeCun et al.'s (1998) sense: inputs feeding each output value.

    Convolution and dense layers: multiply-adds plus one bias connection per output value.
    Pooling layers: the window size per output value. Other layers: 0.
    """
    import keras

    macs = layer_macs(layer)
    outputs = math.prod(_shape(layer.output))
    if macs:
        return macs + (outputs if getattr(layer, "use_bias", False) else 0)
    if isinstance(layer, (keras.layers.MaxPooling2D, keras.layers.AveragePooling2D)):
        return outputs * math.prod(layer.pool_size)
    return 0


def _shape(tensor: Any) -> tuple:
    """Shape of a symbolic tensor without the batch axis."""
    return tuple(tensor.shape[1:])


def _spatial_and_channels(shape: tuple, data_format: str) -> tuple[int, int]:
    """(product of spatial sizes, channels) of a per-example shape."""
    if data_format == "channels_first":
        return math.prod(shape[1:]), shape[0]
    return math.prod(shape[:-1]), shape[-1]


def layer_macs(layer: Any) -> int:
    """Multiply-adds of one built layer for one example (0 for layers without weights products)."""
    import keras

    layers = keras.layers
    if isinstance(layer, layers.Dense):
        in_shape = _shape(layer.input)
        return math.prod(in_shape[:-1]) * in_shape[-1] * layer.units
    if not isinstance(layer, (layers.Conv1D, layers.Conv2D, layers.Conv3D, layers.DepthwiseConv2D,
                              layers.SeparableConv2D, layers.Conv2DTranspose, layers.DepthwiseConv1D,
                              layers.SeparableConv1D, layers.Conv1DTranspose, layers.Conv3DTranspose)):
        return 0
    data_format = getattr(layer, "data_format", "channels_last")
    in_spatial, in_channels = _spatial_and_channels(_shape(layer.input), data_format)
    out_spatial, out_channels = _spatial_and_channels(_shape(layer.output), data_format)
    taps = math.prod(layer.kernel_size)
    if isinstance(layer, (layers.SeparableConv1D, layers.SeparableConv2D)):
        depthwise = out_spatial * in_channels * layer.depth_multiplier * taps
        return depthwise + out_spatial * in_channels * layer.depth_multiplier * out_channels
    if isinstance(layer, (layers.DepthwiseConv1D, layers.DepthwiseConv2D)):
        return out_spatial * out_channels * taps
    if isinstance(layer, (layers.Conv1DTranspose, layers.Conv2DTranspose, layers.Conv3DTranspose)):
        return in_spatial * in_channels * taps * out_channels
    return out_spatial * out_channels * taps * in_channels // getattr(layer, "groups", 1)


def _rows(model: Any, prefix: str = "", connections: bool = False) -> list[dict]:
    import keras

    rows = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        if isinstance(layer, keras.Model):
            rows.extend(_rows(layer, prefix + layer.name + "/", connections))
            continue
        outputs = layer.output if isinstance(layer.output, (list, tuple)) else [layer.output]
        shape = ", ".join(str(_shape(t)) for t in outputs)
        rows.append({"layer": prefix + layer.name, "type": type(layer).__name__, "output shape": shape,
                     "params": layer.count_params(), "MACs": layer_macs(layer)})
        if connections:
            rows[-1]["connections"] = layer_connections(layer)
    return rows


def model_summary(model: Any, connections: bool = False) -> pd.DataFrame:
    """Table of a built Keras model, one row a layer, with the inputs first and totals last.

    Args:
        model: a Sequential or Functional ``keras.Model`` whose input shape is known
            (built with ``keras.Input`` or ``model.build``). Nested models are expanded,
            their layers named ``outer/inner``.
        connections: also list each layer's connections (see :func:`layer_connections`),
            the count the LeNet-5 paper reports beside parameters.

    Returns:
        DataFrame with columns layer, type, output shape (without the batch axis),
        params (learnable and non-trainable weights) and MACs (multiply-adds per example).
    """
    import keras

    if not isinstance(model, keras.Model):
        raise ValueError(f"model_summary needs a keras.Model, got {type(model).__name__}.")
    try:
        inputs = model.inputs
        names = [t.name if not t.name.startswith("keras_tensor") else "input" if len(inputs) == 1 else f"input {i}"
                 for i, t in enumerate(inputs)]
        rows = [{"layer": name, "type": "Input", "output shape": str(_shape(t)), "params": 0, "MACs": 0}
                for name, t in zip(names, inputs)]
        if connections:
            for row in rows:
                row["connections"] = 0
        rows += _rows(model, connections=connections)
    except (AttributeError, ValueError) as error:
        raise ValueError(
            f"model '{model.name}' has no known input shape yet ({error}). Start it with "
            f"keras.Input(shape=...) or call model.build((None, *input_shape)) first."
        ) from None
    columns = COLUMNS + (["connections"] if connections else [])
    total = {"layer": "Total", "type": "", "output shape": ""}
    total.update({c: sum(r[c] for r in rows) for c in columns[3:]})
    return pd.DataFrame(rows + [total], columns=columns)

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


def _shape(tensor: Any) -> tuple:
    """Shape of a symbolic tensor without the batch axis (None where a size is unknown)."""
    return tuple(tensor.shape[1:])


def _known(shape: tuple) -> bool:
    return all(d is not None for d in shape)


def _spatial_and_channels(shape: tuple, data_format: str) -> tuple[int, int]:
    """(product of spatial sizes, channels) of a per-example shape."""
    if data_format == "channels_first":
        return math.prod(shape[1:]), shape[0]
    return math.prod(shape[:-1]), shape[-1]


_CONV_TYPES = (
    "Conv1D",
    "Conv2D",
    "Conv3D",
    "DepthwiseConv1D",
    "DepthwiseConv2D",
    "SeparableConv1D",
    "SeparableConv2D",
    "Conv1DTranspose",
    "Conv2DTranspose",
    "Conv3DTranspose",
)


def shape_macs(layer: Any, in_shape: tuple, out_shape: tuple) -> int | None:
    """Multiply-adds of ``layer`` for one example with these input and output shapes (no batch axis).

    0 for layers without weight products; None when a size they depend on is unknown
    (e.g. an input of shape ``(None, None, 3)``, any image size).
    """
    import keras

    layers = keras.layers
    if isinstance(layer, layers.TimeDistributed):
        inner = shape_macs(layer.layer, in_shape[1:], out_shape[1:])
        if inner is None or in_shape[0] is None:
            return None if inner != 0 else 0
        return in_shape[0] * inner
    if isinstance(layer, layers.Dense):
        return math.prod(in_shape[:-1]) * in_shape[-1] * layer.units if _known(in_shape) else None
    if not isinstance(layer, tuple(getattr(layers, name) for name in _CONV_TYPES)):
        return 0
    if not (_known(in_shape) and _known(out_shape)):
        return None
    data_format = getattr(layer, "data_format", "channels_last")
    in_spatial, in_channels = _spatial_and_channels(in_shape, data_format)
    out_spatial, out_channels = _spatial_and_channels(out_shape, data_format)
    taps = math.prod(layer.kernel_size)
    if isinstance(layer, (layers.SeparableConv1D, layers.SeparableConv2D)):
        depthwise = out_spatial * in_channels * layer.depth_multiplier * taps
        return depthwise + out_spatial * in_channels * layer.depth_multiplier * out_channels
    if isinstance(layer, (layers.DepthwiseConv1D, layers.DepthwiseConv2D)):
        return out_spatial * out_channels * taps
    if isinstance(layer, (layers.Conv1DTranspose, layers.Conv2DTranspose, layers.Conv3DTranspose)):
        return in_spatial * in_channels * taps * out_channels
    return out_spatial * out_channels * taps * in_channels // getattr(layer, "groups", 1)


def layer_macs(layer: Any) -> int | None:
    """Multiply-adds of one built layer for one example, at its first call (see :func:`shape_macs`)."""
    return shape_macs(layer, _shape(layer.input), _shape(layer.output))


def layer_connections(layer: Any) -> int | None:
    """Connections of one layer in LeCun et al.'s (1998) sense: inputs feeding each output value.

    Convolution and dense layers: multiply-adds plus one bias connection per output value.
    Pooling layers: the window size per output value. Other layers: 0. None if unknown.
    """
    import keras

    macs = layer_macs(layer)
    out_shape = _shape(layer.output)
    if macs is None or not _known(out_shape):
        return None
    outputs = math.prod(out_shape)
    if macs:
        return macs + (outputs if getattr(layer, "use_bias", False) else 0)
    if isinstance(layer, (keras.layers.MaxPooling2D, keras.layers.AveragePooling2D)):
        return outputs * math.prod(layer.pool_size)
    return 0


def _graph_nodes(model: Any) -> set[int] | None:
    """ids of the call nodes of a Functional (or Sequential) model's graph, or None for a subclassed one."""
    graph = getattr(model, "_functional", None) or model
    by_depth = getattr(graph, "_nodes_by_depth", None)
    if by_depth is None:
        return None
    return {id(node) for nodes in by_depth.values() for node in nodes}


def _is_graph_model(model: Any) -> bool:
    import keras

    return isinstance(model, keras.Sequential) or _graph_nodes(model) is not None


def _tensors(value: Any) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _sum(values: list[int | None]) -> int | None:
    return None if any(v is None for v in values) else sum(values)


def _rows(model: Any, prefix: str = "", connections: bool = False) -> list[dict]:
    import keras

    rows = []
    graph = _graph_nodes(model)
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        if isinstance(layer, keras.Model) and _is_graph_model(layer):
            rows.extend(_rows(layer, prefix + layer.name + "/", connections))
            continue
        nodes = [n for n in layer._inbound_nodes if graph is None or id(n) in graph] or layer._inbound_nodes[:1]
        calls = [(_tensors(n.input_tensors), _tensors(n.output_tensors)) for n in nodes]
        if isinstance(layer, keras.Model):  # a subclassed model inside: one row, its arithmetic unknown
            macs = [None for _ in calls]
        else:
            macs = [shape_macs(layer, _shape(ins[0]), _shape(outs[0])) if ins else 0 for ins, outs in calls]
        shape = "; ".join(", ".join(str(_shape(t)) for t in outs) for _, outs in calls)
        kind = type(layer).__name__ + (f" ×{len(calls)}" if len(calls) > 1 else "")
        rows.append(
            {
                "layer": prefix + layer.name,
                "type": kind,
                "output shape": shape,
                "params": layer.count_params(),
                "MACs": _sum(macs),
            }
        )
        if connections:
            rows[-1]["connections"] = layer_connections(layer) if len(calls) == 1 else None
    return rows


def model_summary(model: Any, connections: bool = False) -> pd.DataFrame:
    """Table of a built Keras model, one row a layer, with the inputs first and totals last.

    Args:
        model: a Sequential or Functional ``keras.Model`` whose input shape is known
            (built with ``keras.Input`` or ``model.build``). Nested models are expanded,
            their layers named ``outer/inner``. A layer called several times (shared
            weights) is one row: its type says how many calls, its MACs add them all.
        connections: also list each layer's connections (see :func:`layer_connections`),
            the count the LeNet-5 paper reports beside parameters.

    Returns:
        DataFrame with columns layer, type, output shape (without the batch axis; None
        marks a size that is unknown until data arrive), params (learnable and
        non-trainable weights) and MACs (multiply-adds per example; missing, shown as
        <NA>, where they depend on an unknown size, and then missing in the total too).
    """
    import keras

    if not isinstance(model, keras.Model):
        raise ValueError(f"model_summary needs a keras.Model, got {type(model).__name__}.")
    if not _is_graph_model(model):
        raise ValueError(
            f"model '{model.name}' is a subclassed keras.Model (class {type(model).__name__} with its "
            f"own call()): it has no graph of layers to list, even after it was called. Build the "
            f"network with keras.Sequential or the Functional API (keras.Input ... keras.Model) to "
            f"get this table; model.summary() still gives its parameter count."
        )
    try:
        inputs = model.inputs
        names = [
            t.name if not t.name.startswith("keras_tensor") else "input" if len(inputs) == 1 else f"input {i}"
            for i, t in enumerate(inputs)
        ]
        rows = [
            {"layer": name, "type": "Input", "output shape": str(_shape(t)), "params": 0, "MACs": 0}
            for name, t in zip(names, inputs)
        ]
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
    total.update({c: _sum([r[c] for r in rows]) for c in columns[3:]})
    table = pd.DataFrame(rows + [total], columns=columns)
    for column in columns[3:]:
        table[column] = table[column].astype("Int64")  # whole numbers, <NA> where unknown
    return table

"""The course's own Keras layers, each with ``get_config`` so that saved models reload.

* :class:`Maxout`: k linear pieces per unit, the unit outputs the largest (activations chapter).
* :class:`SparseC3`: LeNet-5's C3, each output map seeing only some input maps (LeNet chapter).

Both are registered with Keras (package ``cnn_course``): ``keras.models.load_model`` finds
them once ``utils`` has been imported.
"""

from __future__ import annotations

import numbers
from typing import Any

import keras

# LeNet-5, Table I: the S2 maps (0-5) that each of C3's 16 maps sees.
C3_TABLE: tuple[tuple[int, ...], ...] = (
    (0, 1, 2),
    (1, 2, 3),
    (2, 3, 4),
    (3, 4, 5),
    (4, 5, 0),
    (5, 0, 1),
    (0, 1, 2, 3),
    (1, 2, 3, 4),
    (2, 3, 4, 5),
    (3, 4, 5, 0),
    (4, 5, 0, 1),
    (5, 0, 1, 2),
    (0, 1, 3, 4),
    (1, 2, 4, 5),
    (0, 2, 3, 5),
    (0, 1, 2, 3, 4, 5),
)


def _count(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


@keras.saving.register_keras_serializable(package="cnn_course")
class Maxout(keras.layers.Layer):
    """``units`` outputs, each the maximum of ``pieces`` linear functions of the input.

    Input ``(batch, features)``, output ``(batch, units)``; ``units * pieces`` times the
    parameters of a ``Dense(units)`` layer's weights (one bias per piece too).
    """

    def __init__(self, units: int, pieces: int = 2, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.units, self.pieces = _count(units, "units"), _count(pieces, "pieces")
        self.linear = keras.layers.Dense(self.units * self.pieces)

    def build(self, input_shape: tuple) -> None:
        self.linear.build(input_shape)

    def call(self, inputs: Any) -> Any:
        z = self.linear(inputs)  # (batch, units * pieces)
        z = keras.ops.reshape(z, (-1, self.units, self.pieces))  # (batch, units, pieces)
        return keras.ops.max(z, axis=-1)  # (batch, units)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return (*input_shape[:-1], self.units)

    def get_config(self) -> dict:
        return {**super().get_config(), "units": self.units, "pieces": self.pieces}


@keras.saving.register_keras_serializable(package="cnn_course")
class SparseC3(keras.layers.Layer):
    """LeNet-5's C3: output map k is a 5x5 convolution over the input maps in ``table[k]`` only.

    Input ``(batch, H, W, 6)``, output ``(batch, H - 4, W - 4, len(table))``. With the
    paper's table (:data:`C3_TABLE`) it has 1,516 parameters, against 2,416 for a full C3.
    """

    def __init__(self, activation: str = "tanh", table: tuple = C3_TABLE, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.table = tuple(tuple(int(i) for i in chosen) for chosen in table)
        if not self.table or any(not chosen for chosen in self.table):
            raise ValueError("table must list, for each output map, at least one input map.")
        self.activation = keras.activations.get(activation)
        self.convs = [keras.layers.Conv2D(1, 5, activation=self.activation) for _ in self.table]

    def build(self, input_shape: tuple) -> None:
        channels = input_shape[-1]
        if channels is not None and max(max(chosen) for chosen in self.table) >= channels:
            raise ValueError(
                f"the table names input map {max(max(c) for c in self.table)}, but the input has only {channels} maps."
            )
        for conv, chosen in zip(self.convs, self.table):
            conv.build((*input_shape[:-1], len(chosen)))

    def call(self, inputs: Any) -> Any:
        maps = [conv(keras.ops.take(inputs, list(chosen), axis=-1)) for conv, chosen in zip(self.convs, self.table)]
        return keras.ops.concatenate(maps, axis=-1)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        height, width = (None if s is None else s - 4 for s in input_shape[1:3])
        return (input_shape[0], height, width, len(self.table))

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "activation": keras.activations.serialize(self.activation),
            "table": [list(chosen) for chosen in self.table],
        }

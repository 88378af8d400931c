"""The course's own Keras layers, with get_config so saved models reload.

* :class:`Maxout`: k linear pieces per unit, which outputs the largest
  (activations chapter).
* :class:`SparseC3`: LeNet-5's C3, each output map seeing only some input
  maps (LeNet chapter).
* :class:`ZeroPadShortcut`: ResNet's parameter-free shortcut when a block
  changes shape (option A of He et al. 2016; ResNet chapter).

All are registered with Keras (package ``cnn_course``):
``keras.models.load_model`` finds them once ``utils`` is imported. The
chapters print this file, so its lines fit the book's 75 columns.
"""

from __future__ import annotations

import numbers
from typing import Any

import keras

# LeNet-5, Table I: the S2 maps (0-5) that each of C3's 16 maps sees.
C3_TABLE: tuple[tuple[int, ...], ...] = (
    (0, 1, 2), (1, 2, 3), (2, 3, 4), (3, 4, 5), (4, 5, 0), (5, 0, 1),
    (0, 1, 2, 3), (1, 2, 3, 4), (2, 3, 4, 5), (3, 4, 5, 0), (4, 5, 0, 1),
    (5, 0, 1, 2), (0, 1, 3, 4), (1, 2, 4, 5), (0, 2, 3, 5),
    (0, 1, 2, 3, 4, 5),
)  # fmt: skip


def _count(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(
            f"{name} must be a positive integer, got {value!r}."
        )
    if value < 1:
        raise ValueError(
            f"{name} must be a positive integer, got {value!r}."
        )
    return int(value)


@keras.saving.register_keras_serializable(package="cnn_course")
class Maxout(keras.layers.Layer):
    """``units`` outputs, each the largest of ``pieces`` linear functions.

    Input ``(batch, features)``, output ``(batch, units)``. The weights are
    those of a ``Dense(units * pieces)`` layer: ``pieces`` times a
    ``Dense(units)``.
    """

    def __init__(self, units: int, pieces: int = 2, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.units = _count(units, "units")
        self.pieces = _count(pieces, "pieces")
        self.linear = keras.layers.Dense(self.units * self.pieces)

    def build(self, input_shape: tuple) -> None:
        self.linear.build(input_shape)

    def call(self, inputs: Any) -> Any:
        z = self.linear(inputs)  # (batch, units * pieces)
        z = keras.ops.reshape(z, (-1, self.units, self.pieces))
        return keras.ops.max(z, axis=-1)  # (batch, units)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return (*input_shape[:-1], self.units)

    def get_config(self) -> dict:
        config = super().get_config()
        return {**config, "units": self.units, "pieces": self.pieces}


@keras.saving.register_keras_serializable(package="cnn_course")
class SparseC3(keras.layers.Layer):
    """LeNet-5's C3: map k is a 5x5 convolution of the maps in table[k].

    Input ``(batch, H, W, 6)``, output ``(batch, H - 4, W - 4, 16)`` with
    the paper's table (:data:`C3_TABLE`): 1,516 parameters, against 2,416
    for a C3 that sees all six maps.
    """

    def __init__(
        self,
        activation: str = "tanh",
        table: tuple = C3_TABLE,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.table = tuple(tuple(int(i) for i in maps) for maps in table)
        if not self.table or not all(self.table):
            raise ValueError(
                "table must give each output map an input map."
            )
        self.activation = keras.activations.get(activation)
        self.convs = [
            keras.layers.Conv2D(1, 5, activation=self.activation)
            for _ in self.table
        ]

    def build(self, input_shape: tuple) -> None:
        channels = input_shape[-1]
        needed = max(max(maps) for maps in self.table) + 1
        if channels is not None and needed > channels:
            raise ValueError(
                f"the table needs {needed} input maps, "
                f"but the input has only {channels} maps."
            )
        for conv, maps in zip(self.convs, self.table):
            conv.build((*input_shape[:-1], len(maps)))

    def call(self, inputs: Any) -> Any:
        outputs = [
            conv(keras.ops.take(inputs, list(maps), axis=-1))
            for conv, maps in zip(self.convs, self.table)
        ]
        return keras.ops.concatenate(outputs, axis=-1)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        rows, cols = (
            None if s is None else s - 4 for s in input_shape[1:3]
        )
        return (input_shape[0], rows, cols, len(self.table))

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "activation": keras.activations.serialize(self.activation),
            "table": [list(maps) for maps in self.table],
        }


@keras.saving.register_keras_serializable(package="cnn_course")
class ZeroPadShortcut(keras.layers.Layer):
    """ResNet's option-A shortcut: subsample, then pad channels with zeros.

    Input ``(batch, H, W, C)``, output ``(batch, ceil(H / stride),
    ceil(W / stride), filters)``: every ``stride``-th pixel from the
    first, its ``C`` channels unchanged and ``filters - C`` zero channels
    split around them. No parameters.
    """

    def __init__(self, filters: int, stride: int = 2, **kwargs: Any):
        super().__init__(**kwargs)
        self.filters = _count(filters, "filters")
        self.stride = _count(stride, "stride")

    def build(self, input_shape: tuple) -> None:
        channels = input_shape[-1]
        if channels is not None and channels > self.filters:
            raise ValueError(
                f"filters ({self.filters}) must be at least the input's "
                f"{channels} channels: this shortcut only adds channels."
            )

    def call(self, inputs: Any) -> Any:
        s = self.stride
        x = inputs[:, ::s, ::s, :]
        extra = self.filters - inputs.shape[-1]
        pad = [[0, 0], [0, 0], [0, 0], [extra // 2, extra - extra // 2]]
        return keras.ops.pad(x, pad)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        rows, cols = (
            None if n is None else -(-n // self.stride)
            for n in input_shape[1:3]
        )
        return (input_shape[0], rows, cols, self.filters)

    def get_config(self) -> dict:
        config = super().get_config()
        return {**config, "filters": self.filters, "stride": self.stride}

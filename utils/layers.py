"""The course's own Keras layers, with get_config so saved models reload.

* :class:`Maxout`: k linear pieces per unit, which outputs the largest
  (activations chapter).
* :class:`SparseC3`: LeNet-5's C3, each output map seeing only some input
  maps (LeNet chapter).
* :class:`ZeroPadShortcut`: ResNet's parameter-free shortcut when a block
  changes shape (option A of He et al. 2016; ResNet chapter).
* :class:`LocalResponseNormalization` and :class:`PCAColorShift`:
  AlexNet's normalisation across channels and its colour augmentation
  (AlexNet chapter).
* :class:`LayerScale`: ConvNeXt's learned per-channel scale of a
  residual branch (chapter after ResNet).

All are registered with Keras (package ``cnn_course``):
``keras.models.load_model`` finds them once ``utils`` is imported. The
chapters print this file, so its lines fit the book's 75 columns.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

from .checks import whole_number

# LeNet-5, Table I: the S2 maps (0-5) that each of C3's 16 maps sees.
C3_TABLE: tuple[tuple[int, ...], ...] = (
    (0, 1, 2), (1, 2, 3), (2, 3, 4), (3, 4, 5), (4, 5, 0), (5, 0, 1),
    (0, 1, 2, 3), (1, 2, 3, 4), (2, 3, 4, 5), (3, 4, 5, 0), (4, 5, 0, 1),
    (5, 0, 1, 2), (0, 1, 3, 4), (1, 2, 4, 5), (0, 2, 3, 5),
    (0, 1, 2, 3, 4, 5),
)  # fmt: skip


@keras.saving.register_keras_serializable(package="cnn_course")
class Maxout(keras.layers.Layer):
    """``units`` outputs, each the largest of ``pieces`` linear functions.

    Input ``(batch, features)``, output ``(batch, units)``. The weights are
    those of a ``Dense(units * pieces)`` layer: ``pieces`` times a
    ``Dense(units)``.
    """

    def __init__(self, units: int, pieces: int = 2, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.units = whole_number(units, "units")
        self.pieces = whole_number(pieces, "pieces")
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
        self.filters = whole_number(filters, "filters")
        self.stride = whole_number(stride, "stride")

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


@keras.saving.register_keras_serializable(package="cnn_course")
class LocalResponseNormalization(keras.layers.Layer):
    """AlexNet's local response normalisation across channels.

    ``b[c] = a[c] / (k + alpha * sum(a[j] ** 2 for j near c)) ** beta``,
    the sum over the ``size`` channels centred on ``c`` (fewer at the
    edges). The paper's values are the defaults. ``alpha_over_n=True``
    divides ``alpha`` by ``size`` first, as Caffe does; TensorFlow's
    ``tf.nn.local_response_normalization`` (``depth_radius = size // 2``)
    does not. Input and output ``(batch, H, W, C)``; no parameters.
    """

    def __init__(
        self,
        size: int = 5,
        k: float = 2.0,
        alpha: float = 1e-4,
        beta: float = 0.75,
        alpha_over_n: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.size = whole_number(size, "size")
        if self.size % 2 == 0:
            raise ValueError(f"size must be odd, got {size!r}.")
        self.k, self.alpha, self.beta = float(k), float(alpha), float(beta)
        self.alpha_over_n = bool(alpha_over_n)

    def call(self, inputs: Any) -> Any:
        r = self.size // 2
        squares = keras.ops.pad(
            keras.ops.square(inputs), [[0, 0], [0, 0], [0, 0], [r, r]]
        )
        channels = inputs.shape[-1]
        total = sum(
            squares[..., i : i + channels] for i in range(self.size)
        )
        alpha = self.alpha / self.size if self.alpha_over_n else self.alpha
        return inputs / (self.k + alpha * total) ** self.beta

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return input_shape

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "size": self.size,
            "k": self.k,
            "alpha": self.alpha,
            "beta": self.beta,
            "alpha_over_n": self.alpha_over_n,
        }


@keras.saving.register_keras_serializable(package="cnn_course")
class PCAColorShift(keras.layers.Layer):
    """AlexNet's PCA colour augmentation, active only in training.

    Each image gets ``[p1 p2 p3] @ (a * eigenvalues)`` added to every
    pixel, with ``a ~ N(0, std)`` drawn per image (the paper: std 0.1)
    and ``p_i``, ``eigenvalues`` the eigenvectors and eigenvalues of the
    training set's 3x3 RGB covariance (:meth:`from_images`, in the
    images' own scale). Input and output ``(batch, H, W, 3)``.
    """

    def __init__(
        self,
        eigenvalues: Any,
        eigenvectors: Any,
        std: float = 0.1,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        values = np.asarray(eigenvalues, dtype="float64")
        vectors = np.asarray(eigenvectors, dtype="float64")
        if values.shape != (3,) or vectors.shape != (3, 3):
            raise ValueError(
                "eigenvalues must have 3 numbers and eigenvectors be 3x3 "
                f"(columns p1, p2, p3), got shapes {values.shape} and "
                f"{vectors.shape}: use PCAColorShift.from_images."
            )
        self.eigenvalues = values.tolist()
        self.eigenvectors = vectors.tolist()
        if not std >= 0:
            raise ValueError(f"std must be >= 0, got {std!r}.")
        self.std, self.seed = float(std), seed
        self.generator = keras.random.SeedGenerator(seed)

    @classmethod
    def from_images(cls, images: Any, **kwargs: Any) -> "PCAColorShift":
        """The layer for ``images`` (N, H, W, 3): their RGB covariance."""
        pixels = np.asarray(images, dtype="float64").reshape(-1, 3)
        values, vectors = np.linalg.eigh(np.cov(pixels, rowvar=False))
        return cls(values, vectors, **kwargs)

    def call(self, inputs: Any, training: bool = False) -> Any:
        if not training or self.std == 0:
            return inputs
        batch = keras.ops.shape(inputs)[0]
        a = keras.random.normal(
            (batch, 3), stddev=self.std, seed=self.generator
        )
        vectors = keras.ops.convert_to_tensor(self.eigenvectors)
        weights = a * keras.ops.convert_to_tensor(self.eigenvalues)
        shift = keras.ops.matmul(weights, keras.ops.transpose(vectors))
        shift = keras.ops.cast(shift, inputs.dtype)
        return inputs + shift[:, None, None, :]

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return input_shape

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "eigenvalues": self.eigenvalues,
            "eigenvectors": self.eigenvectors,
            "std": self.std,
            "seed": self.seed,
        }


@keras.saving.register_keras_serializable(package="cnn_course")
class LayerScale(keras.layers.Layer):
    """ConvNeXt's layer scale (Touvron et al. 2021): each channel of the
    input times a learned factor, which starts at ``init`` (1e-6), so a
    new residual branch begins almost silent. Input and output ``(...,
    C)``; ``C`` parameters."""

    def __init__(self, init: float = 1e-6, **kwargs: Any):
        super().__init__(**kwargs)
        ok = isinstance(init, (int, float)) and not isinstance(init, bool)
        if not ok or not init > 0:
            raise ValueError(
                f"init must be a number > 0 (ConvNeXt uses 1e-6), got "
                f"{init!r}."
            )
        self.init = float(init)

    def build(self, input_shape: tuple) -> None:
        self.gamma = self.add_weight(
            shape=(input_shape[-1],),
            initializer=keras.initializers.Constant(self.init),
            name="gamma",
        )

    def call(self, inputs: Any) -> Any:
        return inputs * keras.ops.cast(self.gamma, inputs.dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "init": self.init}

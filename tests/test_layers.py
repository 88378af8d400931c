"""The course's own layers: what they compute, their parameter counts, and that saved models reload."""

import keras
import numpy as np
import pytest

from utils.layers import C3_TABLE, Maxout, SparseC3


def test_maxout_pieces_make_relu_and_abs():
    layer = Maxout(units=1, pieces=2)
    xs = np.linspace(-2, 2, 5, dtype="float32")[:, None]
    layer(xs)
    layer.linear.set_weights([np.array([[1.0, 0.0]]), np.zeros(2)])
    assert np.array_equal(layer(xs).numpy()[:, 0], np.maximum(xs[:, 0], 0))
    layer.linear.set_weights([np.array([[1.0, -1.0]]), np.zeros(2)])
    assert np.array_equal(layer(xs).numpy()[:, 0], np.abs(xs[:, 0]))


def test_sparse_c3_matches_the_paper_and_convolves_only_its_maps():
    layer = SparseC3()
    x = np.random.default_rng(0).normal(size=(2, 14, 14, 6)).astype("float32")
    out = layer(x).numpy()
    assert out.shape == (2, 10, 10, 16) and layer.count_params() == 1516
    # map 0 sees inputs 0-2 only: changing input map 5 leaves it alone, and changes map 3 (3, 4, 5)
    x2 = x.copy()
    x2[..., 5] += 1.0
    out2 = layer(x2).numpy()
    assert np.array_equal(out[..., 0], out2[..., 0]) and not np.allclose(out[..., 3], out2[..., 3])
    assert len(C3_TABLE) == 16 and sum(len(t) for t in C3_TABLE) == 60


@pytest.mark.parametrize(
    "make",
    [
        lambda: keras.Sequential([keras.Input((6,)), Maxout(4, 3), keras.layers.Dense(2)]),
        lambda: keras.Sequential(
            [keras.Input((14, 14, 6)), SparseC3("relu"), keras.layers.Flatten(), keras.layers.Dense(2)]
        ),
    ],
)
def test_saved_models_reload_with_the_same_outputs(make, tmp_path):
    model = make()
    x = np.random.default_rng(1).normal(size=(3, *model.input_shape[1:])).astype("float32")
    path = tmp_path / "model.keras"
    model.save(path)
    reloaded = keras.models.load_model(path)
    assert np.allclose(reloaded(x), model(x), atol=1e-6)


def test_bad_arguments_say_what_is_wrong():
    with pytest.raises(ValueError, match="units must be a positive integer"):
        Maxout(0)
    with pytest.raises(ValueError, match="pieces must be a positive integer"):
        Maxout(3, pieces=2.5)
    with pytest.raises(ValueError, match="needs 6 input maps, but the input has only 4"):
        SparseC3()(np.zeros((1, 14, 14, 4), "float32"))

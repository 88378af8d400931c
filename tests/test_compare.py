"""utils.compare.verdict: a measured difference judged against its spread, never asserted."""

import math

import pytest

import utils
from utils.compare import verdict


def test_beyond_and_within_the_spread():
    above = verdict(0.053, 0.039, what="batch norm - none, test accuracy")
    assert above.beyond
    assert str(above) == "batch norm - none, test accuracy: +0.053, beyond the seed spread of 0.039"
    inside = verdict(-0.012, 0.020, what="resnet56 - resnet20, training error")
    assert not inside.beyond
    assert str(inside) == (
        "resnet56 - resnet20, training error: -0.012, within the seed spread of 0.020: no difference can be claimed"
    )
    # the size counts, not the sign; equal to the spread is not beyond it
    assert verdict(-0.05, 0.04, what="x").beyond
    assert not verdict(0.04, 0.04, what="x").beyond
    assert verdict(0.001, 0.0, what="x").beyond


def test_names_digits_and_the_exported_function():
    v = utils.verdict(1.5, 0.25, what="LRN / none, seconds", spread_name="spread of 5 timings", digits=2)
    assert str(v) == "LRN / none, seconds: +1.50, beyond the spread of 5 timings of 0.25"
    assert verdict(3, 1, what="gap", digits=0).difference == 3.0
    assert repr(v).startswith("Verdict(")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(difference="0.1", spread=0.1, what="x"), "difference must be a finite number"),
        (dict(difference=math.nan, spread=0.1, what="x"), "difference must be a finite number"),
        (dict(difference=0.1, spread=None, what="x"), "spread must be a finite number"),
        (dict(difference=0.1, spread=True, what="x"), "spread must be a finite number"),
        (dict(difference=0.1, spread=-0.1, what="x"), "spread must be >= 0"),
        (dict(difference=0.1, spread=0.1, what=""), "what must be a short text"),
        (dict(difference=0.1, spread=0.1, what="x", spread_name=3), "spread_name must be a short text"),
        (dict(difference=0.1, spread=0.1, what="x", digits=2.5), "digits must be a whole number"),
        (dict(difference=0.1, spread=0.1, what="x", digits=-1), "digits must be a whole number"),
    ],
)
def test_bad_input_is_refused_with_a_message(kwargs, message):
    with pytest.raises(ValueError, match=message):
        verdict(**kwargs)


def test_numpy_numbers_are_numbers():
    np = pytest.importorskip("numpy")
    assert verdict(np.float32(0.5), np.float64(0.1), what="x").beyond

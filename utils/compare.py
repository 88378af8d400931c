"""Verdicts on measured comparisons: a difference judged against the spread it must exceed.

A chapter asserts invariants (shapes, counts, formulas, agreement with a reference). A
measurement that depends on one seed, one copy of the data, a timing or a device (one
network against another, one trick against none) is printed instead, as a verdict, so that
a learner whose run differs (Colab, a GPU, the original CIFAR-10) reads a lesson and not a
traceback::

    print(utils.verdict(0.053, 0.039, what="batch norm - none, test accuracy"))
    # batch norm - none, test accuracy: +0.053, beyond the seed spread of 0.039
"""

from __future__ import annotations

import dataclasses
import math
import numbers


@dataclasses.dataclass(frozen=True)
class Verdict:
    """A measured difference, the spread it is judged against, and the sentence for both."""

    what: str
    difference: float
    spread: float
    spread_name: str
    digits: int

    @property
    def beyond(self) -> bool:
        """Whether the difference is larger than the spread (in size): a difference that
        the measurement supports. Equal to the spread is not beyond it."""
        return abs(self.difference) > self.spread

    def __str__(self) -> str:
        d = self.digits
        found = f"{self.what}: {self.difference:+.{d}f}"
        against = f"the {self.spread_name} of {self.spread:.{d}f}"
        if self.beyond:
            return f"{found}, beyond {against}"
        return f"{found}, within {against}: no difference can be claimed"

    def _repr_pretty_(self, printer, cycle) -> None:  # IPython shows the sentence
        printer.text(str(self))


def _real(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}.")
    return float(value)


def verdict(
    difference: float, spread: float, *, what: str, spread_name: str = "seed spread", digits: int = 3
) -> Verdict:
    """Judge a measured ``difference`` against a measured ``spread``.

    Args:
        difference: the measured difference, e.g. accuracy of A minus accuracy of B (any unit).
        spread: the variation the difference must exceed to count, in the same unit and >= 0,
            e.g. the range of the same run over seeds.
        what: what the difference is, e.g. ``"BN - none, test accuracy"``.
        spread_name: what the spread is, e.g. ``"seed spread"`` or ``"spread of 5 timings"``.
        digits: decimals printed.

    Returns:
        A :class:`Verdict`; ``print`` it for the sentence, ``.beyond`` says whether the
        difference exceeds the spread.
    """
    difference, spread = _real("difference", difference), _real("spread", spread)
    if spread < 0:
        raise ValueError(f"spread must be >= 0 (a range or a standard deviation), got {spread!r}.")
    for name, text in (("what", what), ("spread_name", spread_name)):
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"{name} must be a short text saying what is measured, got {text!r}.")
    if isinstance(digits, bool) or not isinstance(digits, int) or not 0 <= digits <= 10:
        raise ValueError(f"digits must be a whole number from 0 to 10, got {digits!r}.")
    return Verdict(what.strip(), difference, spread, spread_name.strip(), digits)

"""The one check of a whole-number argument (a size, a count, a number of pixels) that every
module of ``utils`` uses, so that a bad value gets the same clear message everywhere."""

from __future__ import annotations

import numbers


def whole_number(value: object, name: str, *, minimum: int | None = 1, unit: str = "", hint: str = "") -> int:
    """``value`` as an ``int`` if it is a whole number (Python's or NumPy's, never a bool)
    of at least ``minimum`` (None: any); else ValueError naming ``name``, e.g. "pad must be a whole
    number of pixels >= 0, got 2.5." ``unit`` is named in the message ("pixels"), ``hint``
    is added to it."""
    integral = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if not integral or (minimum is not None and value < minimum):
        of = f" of {unit}" if unit else ""
        at_least = f" >= {minimum}" if minimum is not None else ""
        extra = f" {hint}" if hint else ""
        raise ValueError(f"{name} must be a whole number{of}{at_least}, got {value!r}.{extra}")
    return int(value)

"""Click parameter types with documented, finite ranges.

`Finite` is click's FloatRange that also refuses NaN and infinity (`float('nan') < 0` is False, so a plain
FloatRange lets `--window nan` through) and always has an upper bound, shown in `--help` as click shows
every range ("[0<=x<=86400]").
"""

from __future__ import annotations

import math

import click

__all__ = ["DAY_S", "Finite"]

DAY_S = 86_400.0  # the longest wait any verb accepts (a lock, a server start)
LARGE = 1e9  # upper bound of a budget or threshold that has no natural one


class Finite(click.FloatRange):
    """A float in [min, max] that is a real number (not nan, not +-inf)."""

    name = "float"

    def __init__(self, min: float | None = None, max: float = LARGE, **kwargs) -> None:
        super().__init__(min=min, max=max, **kwargs)

    def convert(self, value, param, ctx):
        number = value if isinstance(value, float) else None
        if number is None:
            try:
                number = float(value)
            except (TypeError, ValueError):
                return super().convert(value, param, ctx)  # click's own "is not a valid float"
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return super().convert(number, param, ctx)

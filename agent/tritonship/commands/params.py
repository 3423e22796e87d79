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


def refuse_empty(command: click.Command) -> click.Command:
    """Empty means empty: a text or path option (or argument) given as `''` is a usage error (exit 2), unless
    its help says what an empty value means. Without this, `smoke --url ''` silently fell back to starting a
    server and `--report-dir ''` wrote nothing. Applied once per command by `cli.LazyGroup`."""
    if getattr(command, "_refuses_empty", False):
        return command
    for param in command.params:
        if _takes_text(param) and "empty" not in (getattr(param, "help", None) or "").lower():
            param.callback = _no_empty(param.callback)
    command._refuses_empty = True  # type: ignore[attr-defined]
    return command


def _takes_text(param: click.Parameter) -> bool:
    if getattr(param, "is_flag", False):
        return False
    return isinstance(param.type, click.types.StringParamType | click.Path)


def _no_empty(previous):
    def check(ctx: click.Context, param: click.Parameter, value):
        values = value if isinstance(value, tuple | list) else (value,)
        if any(isinstance(item, str) and not item.strip() for item in values):
            raise click.BadParameter("is empty; leave the option out for its default", ctx=ctx, param=param)
        return previous(ctx, param, value) if previous is not None else value

    return check

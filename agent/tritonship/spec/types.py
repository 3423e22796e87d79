"""Small value types shared by the spec models: durations, quantities, the strict base model."""

from __future__ import annotations

import math
import re
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$")
_UNIT_S = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}


def parse_duration(value: object) -> float:
    """'30s', '5m', '1h', '250ms' or a number of seconds -> seconds."""
    if isinstance(value, bool):
        raise ValueError("a duration is a number of seconds or a string like '30s', '5m'")
    if isinstance(value, int | float):
        if not math.isfinite(value):  # nan, +-inf: "waits up to nans"
            raise ValueError(f"{value!r} is not a finite number of seconds")
        if value < 0:
            raise ValueError("a duration cannot be negative")
        return float(value)
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match:
            return parse_duration(float(match.group(1)) * _UNIT_S[match.group(2)])
    raise ValueError(f"{value!r} is not a duration; write seconds or a string like '30s', '5m', '1h'")


Duration = Annotated[float, BeforeValidator(parse_duration)]
PositiveInt = Annotated[int, Field(ge=1)]  # a load level, a tensor dimension

_QUANTITY = re.compile(r"^\d+(\.\d+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$")


def parse_quantity(value: object) -> str:
    """A Kubernetes resource quantity ('500m', '2', '4Gi'), kept as its string."""
    text = str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value
    if not isinstance(text, str) or not _QUANTITY.match(text):
        raise ValueError(f"{value!r} is not a Kubernetes quantity (e.g. '500m', '2', '4Gi')")
    return text


Quantity = Annotated[str, BeforeValidator(parse_quantity)]


class Strict(BaseModel):
    """Base for every spec section: unknown keys are errors, values are frozen after loading."""

    model_config = ConfigDict(extra="forbid", frozen=True)

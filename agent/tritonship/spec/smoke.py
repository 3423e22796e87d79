"""`smoke:` — which models a real Triton must load and answer for."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from tritonship.spec.types import Duration, PositiveInt, Strict


class SmokeSpec(Strict):
    models: list[str] = Field(default_factory=list, description="Models to check; empty means all.")
    protocol: Literal["http", "grpc", "both"] = Field("both", description="Inference protocols to exercise.")
    shapes: dict[str, dict[str, list[PositiveInt]]] = Field(
        default_factory=dict,
        description="Per model, per input: the shape (without batch) used for variable (-1) dimensions.",
    )
    default_dim: int = Field(4, ge=1, description="Size used for a variable dimension not named in `shapes`.")
    golden: str | None = Field(None, description="Golden cases folder (relative to this file), a sub-folder per model.")
    rtol: float = Field(1e-5, ge=0, description="Relative tolerance for golden comparisons.")
    atol: float = Field(1e-6, ge=0, description="Absolute tolerance for golden comparisons.")
    require_gpu: bool = Field(False, description="Fail unless every KIND_GPU instance loaded on a GPU.")
    timeout: Duration = Field(120.0, description="How long the server may take to become ready.")

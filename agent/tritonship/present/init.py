"""What `tritonship init` shows: the written spec's facts as JSON data and two lines of next steps."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tritonship.errors import EXIT_OK
from tritonship.present.common import Outcome

if TYPE_CHECKING:
    from rich.console import Console

    from tritonship.repository.starter import StarterSpec


def to_outcome(out: Path, starter: StarterSpec) -> Outcome:
    data = {"path": str(out.resolve()), "project": starter.project, "model_repository": starter.model_repository,
            "models": list(starter.models), "perf_model": starter.perf_model}
    return Outcome("init", "passed", EXIT_OK, data, render=lambda console: render(console, out, starter))


def render(console: Console, out: Path, starter: StarterSpec) -> None:
    console.print(f"wrote {out} for project {starter.project!r}: {len(starter.models)} model(s) "
                  f"in {starter.model_repository}")
    console.print("next: edit image.registry and the environments, then run `tritonship validate`")

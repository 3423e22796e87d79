"""Load only what is measured: a server perf starts runs with explicit model control and loads just the
model under test, so one broken model elsewhere in the repository does not block a healthy one.

Triton (`--model-control-mode=explicit --load-model=M`, model_repository_manager.cc) loads an
ensemble's composing models with it, so an ensemble under test brings its members (checked against
tritonserver: loading add_sub_sum loads add_sub). Models not loaded show in the repository index with
no state, so readiness is judged for the measured model alone; when it did not load, the server log
line that says why is quoted.
"""

from __future__ import annotations

from pathlib import Path

from tritonship.errors import InfraError
from tritonship.smoke.logs import config_unparsable, load_failure_reason, read_log


def explicit_args(model: str) -> list[str]:
    return ["--model-control-mode=explicit", f"--load-model={model}"]


def require_loaded(index, model: str, log_path: Path | None) -> None:
    """InfraError unless `model` is READY, with the server's reason (from the index, else its log)."""
    entry = next((e for e in index if e.name == model and e.state == "READY"), None)
    if entry is not None:
        return
    row = next((e for e in index if e.name == model), None)
    log_text = read_log(log_path)
    reason = (row.reason if row is not None else "") or load_failure_reason(log_text, model)
    if row is None and not reason:
        reason = "the repository has no such model"
    hint = f"server log: {log_path}" if log_path else "see the server log"
    if config_unparsable(reason):
        hint = f"its config.pbtxt does not parse: run `tritonship validate` for the file and line; {hint}"
    raise InfraError(f"model {model} did not load: {reason or 'the server log says nothing about it'}", hint=hint)


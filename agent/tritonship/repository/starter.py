"""`tritonship init`: a commented tritonship.yaml that fits an existing model repository."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from tritonship.errors import BadInput
from tritonship.repository.lint import scan_repository
from tritonship.repository.scan import ModelEntry

SMOKE_DIM = 4


@dataclass(frozen=True)
class StarterSpec:
    text: str
    project: str
    model_repository: str
    models: tuple[str, ...]
    perf_model: str | None


def project_name(candidate: str) -> str:
    """A DNS label made from a folder name: 'My_Models v2' -> 'my-models-v2'."""
    name = re.sub(r"[^a-z0-9-]+", "-", candidate.lower()).strip("-")[:52].strip("-")
    return name or "models"


def variable_shapes(models: list[ModelEntry]) -> dict[str, dict[str, list[int]]]:
    """Per model, per input with a -1 dim: the same dims with -1 replaced by a small size."""
    shapes: dict[str, dict[str, list[int]]] = {}
    for model in models:
        if model.config is None or model.is_ensemble:
            continue
        for tensor in model.config.input:
            if -1 in tensor.dims:
                shapes.setdefault(model.name, {})[tensor.name] = [SMOKE_DIM if d == -1 else int(d) for d in tensor.dims]
    return shapes


def perf_target(models: list[ModelEntry]) -> str | None:
    """The model a load test should hit: the first ensemble (the served pipeline), else the first model."""
    parsed = [m for m in models if m.config is not None]
    ensembles = [m for m in parsed if m.is_ensemble]
    chosen = ensembles or parsed
    return chosen[0].name if chosen else None


def starter_spec(repository: Path, output: Path, project: str | None = None) -> StarterSpec:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    models = scan_repository(repository)
    if not any(m.has_config for m in models):
        raise BadInput(f"{repository}: no model directory with a config.pbtxt here", hint=_where_models_are(repository))
    rel = os.path.relpath(Path(repository).resolve(), output.resolve().parent)
    name = project_name(project if project else output.resolve().parent.name)
    env = Environment(loader=PackageLoader("tritonship", "templates"), undefined=StrictUndefined,
                      keep_trailing_newline=True, autoescape=False)  # noqa: S701 (YAML, not HTML)
    perf = perf_target(models)
    text = env.get_template("init/tritonship.yaml.j2").render(
        project=name, repository_q=json.dumps(Path(rel).as_posix()), models=[m.name for m in models],
        shapes=variable_shapes(models), perf_model=perf,
    )
    return StarterSpec(text, name, Path(rel).as_posix(), tuple(m.name for m in models), perf)


def _where_models_are(folder: Path) -> str:
    """A hint naming a sub-folder that looks like the model repository (the usual mistake: the project root)."""
    folder = Path(folder)
    try:
        for child in sorted(p for p in folder.iterdir() if p.is_dir()):
            if any((model / "config.pbtxt").is_file() for model in child.iterdir() if model.is_dir()):
                return f"did you mean `tritonship init {child}`?"
    except OSError:
        pass  # only a hint
    return "pass the folder that holds one sub-folder per model (<model>/config.pbtxt, <model>/1/)"

"""Ignore rules cannot hide what a model needs.

`.tritonshipignore` keeps files out of the digest and the image. If it matches a model's `config.pbtxt`,
or the file its backend loads from a version directory (`model.py`, `model.onnx`, ... : the
`default_model_filename` Triton resolves, see backends.DEFAULT_MODEL_FILE), `validate` used to pass a
repository whose image would lack that file and whose server would then refuse the model. Each such
file is a `layout/ignored-required-file` error.
"""

from __future__ import annotations

from pathlib import Path

from tritonship.repository.ignore import IgnoreRules
from tritonship.repository.scan import CONFIG, ModelEntry

__all__ = ["check_ignored_files"]

RULE = "layout/ignored-required-file"


def check_ignored_files(root: Path, models: list[ModelEntry]) -> None:
    rules = IgnoreRules.for_repository(root)
    for model in models:
        for relpath in _required(model):
            if (root / relpath).exists() and _hidden(rules, relpath):
                model.report(RULE, "error", f"{relpath} is needed by the model but .tritonshipignore excludes it",
                             "remove the pattern that matches it from .tritonshipignore (the image would lack it)",
                             path=relpath)


def _required(model: ModelEntry) -> list[str]:
    out = [f"{model.name}/{CONFIG}"]
    filename = model.default_model_filename if model.config is not None else ""
    if filename and not model.is_ensemble:
        out.extend(f"{model.name}/{version}/{filename}" for version in model.versions)
    return out


def _hidden(rules: IgnoreRules, relpath: str) -> bool:
    """Ignored itself, or under an ignored directory (gitignore: a file in an excluded folder is excluded)."""
    parts = relpath.split("/")
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts))]
    return rules.ignored(relpath) or any(rules.ignored(prefix, is_dir=True) for prefix in prefixes)

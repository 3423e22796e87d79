"""Lint a Triton model repository: scan once, run every rule, digest the content. Returns a LintResult."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tritonship.errors import BadInput
from tritonship.repository.digest import RepositoryDigest, SymlinkEscape, digest_repository
from tritonship.repository.findings import Finding, counts, sort_key
from tritonship.repository.ignore import IgnoreRules
from tritonship.repository.scan import ModelEntry, model_dirs, scan_model


@dataclass(frozen=True)
class ModelSummary:
    name: str
    platform: str
    backend: str
    max_batch_size: int | None
    versions: tuple[str, ...]
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    errors: int
    warnings: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "platform": self.platform, "backend": self.backend,
            "max_batch_size": self.max_batch_size, "versions": list(self.versions),
            "inputs": list(self.inputs), "outputs": list(self.outputs),
            "status": "failed" if self.errors else "passed", "errors": self.errors, "warnings": self.warnings,
        }


@dataclass(frozen=True)
class LintResult:
    repository: Path
    models: tuple[ModelSummary, ...]
    findings: tuple[Finding, ...]
    digest: RepositoryDigest | None

    @property
    def counts(self) -> dict[str, int]:
        return counts(list(self.findings))

    def passed(self, strict: bool = False) -> bool:
        c = self.counts
        return c["error"] == 0 and (not strict or c["warning"] == 0)


def scan_repository(root: Path) -> list[ModelEntry]:
    """Every model directory, read and parsed once (the basis of lint and of `init`)."""
    root = Path(root)
    if not root.is_dir():
        raise BadInput(f"{root}: no such model repository (not a directory)",
                       hint="pass the folder that holds one sub-folder per model")
    root = root.resolve()
    rules = IgnoreRules.for_repository(root)
    return [scan_model(root, name, rules) for name in model_dirs(root, rules)]


def run_rules(models: list[ModelEntry]) -> None:
    """Every rule, model by model, then the rules across ensembles (which need every model's findings)."""
    from tritonship.repository.backend_checks import check_backend_rules
    from tritonship.repository.batching import check_batching
    from tritonship.repository.ensemble import check_ensemble
    from tritonship.repository.ensemble_graph import check_ensemble_graph
    from tritonship.repository.fields import check_fields
    from tritonship.repository.layout import check_layout
    from tritonship.repository.onnx_check import check_onnx_model
    from tritonship.repository.python_check import check_python_model
    from tritonship.repository.tensors import check_tensors

    by_name = {m.name: m for m in models}
    for model in models:
        check_layout(model)
        check_python_model(model)
        if model.config is None:
            continue
        check_fields(model)
        check_tensors(model)
        check_batching(model)
        check_backend_rules(model)
        check_onnx_model(model)
        if model.is_ensemble:
            check_ensemble(model, by_name)
    check_ensemble_graph(models)


def lint_repository(root: Path, *, digest: bool = True) -> LintResult:
    from tritonship.repository.ignore_check import check_ignored_files

    models = scan_repository(root)
    run_rules(models)
    check_ignored_files(Path(root).resolve(), models)
    findings = [f for m in models for f in m.findings]
    root = Path(root).resolve()
    if not models:
        findings.append(Finding(
            "layout/empty-repository", "error", None, ".", "the repository holds no model directory",
            "put one folder per model here: <model>/config.pbtxt and <model>/1/",
        ))
    repo_digest = None
    if digest:
        try:
            repo_digest = digest_repository(root)
        except SymlinkEscape as exc:
            findings.append(_symlink_finding(root, exc))
    findings.sort(key=sort_key)
    return LintResult(root, tuple(summarize(m) for m in models), tuple(findings), repo_digest)


def _symlink_finding(root: Path, exc: SymlinkEscape) -> Finding:
    rel = exc.path.relative_to(root).as_posix() if exc.path else "."
    model = rel.split("/", 1)[0] if "/" in rel else None
    return Finding("layout/symlink-escape", "error", model, rel, exc.message, exc.hint or "")


def summarize(model: ModelEntry) -> ModelSummary:
    errors = sum(1 for f in model.findings if f.severity == "error")
    warnings = sum(1 for f in model.findings if f.severity == "warning")
    config = model.config
    return ModelSummary(
        name=model.name, platform=model.platform, backend=model.backend,
        max_batch_size=config.max_batch_size if config is not None else None,
        versions=tuple(model.versions),
        inputs=tuple(t.name for t in config.input) if config is not None else (),
        outputs=tuple(t.name for t in config.output) if config is not None else (),
        errors=errors, warnings=warnings,
    )

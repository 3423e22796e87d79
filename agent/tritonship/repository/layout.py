"""Layout rules: config.pbtxt present, version directories, the model file each backend loads."""

from __future__ import annotations

from pathlib import Path

from tritonship.repository.backends import COMPANION_FILES, DEFAULT_MODEL_FILE, model_file_key
from tritonship.repository.locate import field_pattern
from tritonship.repository.scan import ModelEntry


def check_layout(model: ModelEntry) -> None:
    if not model.has_config:
        _check_missing_config(model)
    _check_versions(model)
    if (model.config is not None or not model.has_config) and not model.is_ensemble:
        for version in model.versions:
            _check_model_file(model, version)


def _check_missing_config(model: ModelEntry) -> None:
    """Triton loads a model without config.pbtxt when auto-complete is on (the default): core starts from
    an empty config, infers the backend from the files (`AutoCompleteBackendFields`) and the backend
    completes the tensors. It fails when no backend can be inferred, or when the backend cannot complete
    the config (PyTorch needs its outputs in config). With --disable-auto-complete-config it always fails."""
    from tritonship.repository.autocomplete import config_completion

    severity, how = config_completion(model)
    model.report(
        "layout/missing-config", severity, f"model directory {model.name}/ has no config.pbtxt; {how}",
        "add config.pbtxt (name, backend, max_batch_size, input, output) so the served interface is reviewed "
        "and fixed in git, and the server started with --disable-auto-complete-config still loads it",
        path=f"{model.name}/",
    )


def _check_versions(model: ModelEntry) -> None:
    for name in model.other_dirs:
        model.report(
            "layout/not-a-version", "warning", f"{model.name}/{name}/ is not a version directory; Triton ignores it",
            "version directories are named by positive integers (1, 2, ...); rename it or move it out",
            path=f"{model.name}/{name}/",
        )
    if "0" in model.versions:
        model.report(
            "layout/version-zero", "warning", f"{model.name}/0/ is version 0",
            "versions start at 1; rename 0/ to 1/ (version 0 is not a documented version)",
            path=f"{model.name}/0/",
        )
    if not model.versions:
        kind = "an ensemble still needs an empty version directory" if model.is_ensemble else "Triton loads nothing"
        model.report(
            "layout/no-version", "error", f"{model.name}/ has no version directory ({kind})",
            f"create {model.name}/1/" + ("" if model.is_ensemble else " and put the model file in it"),
            path=f"{model.name}/",
        )


def _check_model_file(model: ModelEntry, version: str) -> None:
    config = model.config
    explicit = config.default_model_filename if config is not None else ""
    key = model_file_key(model.platform, model.backend)
    expected = explicit or (model.default_model_filename or DEFAULT_MODEL_FILE.get(key) if key else None)
    vdir = model.path / version
    if expected and not (vdir / expected).exists():
        how = "default_model_filename" if explicit else f"the {key} default"
        model.report(
            "layout/missing-model-file", "error", f"{model.name}/{version}/{expected} is missing ({how})",
            _missing_file_hint(vdir, expected, key),
            at=model.where(field_pattern("default_model_filename")) if explicit else (None, None),
            path=f"{model.name}/{version}/",
        )
    if key and not explicit:
        for companion in COMPANION_FILES.get(key, ()):
            if not (vdir / companion).exists():
                model.report(
                    "layout/missing-model-file", "error", f"{model.name}/{version}/{companion} is missing",
                    f"{key} needs {companion} beside {expected}", path=f"{model.name}/{version}/",
                )
    for gpu, filename in sorted(config.cc_model_filenames.items() if config is not None else ()):
        if not (vdir / filename).exists():
            _missing_cc_file(model, version, gpu, filename)


def _missing_cc_file(model: ModelEntry, version: str, gpu: str, filename: str) -> None:
    """Only the TensorRT backend reads cc_model_filenames (on a GPU of that compute capability it loads that
    file instead of the default); core and the other backends ignore the field (the python backend loads)."""
    tensorrt = model.backend == "tensorrt"
    model.report(
        "layout/missing-cc-model-file", "error" if tensorrt else "warning",
        f"{model.name}/{version}/{filename} (cc_model_filenames for {gpu}) is missing"
        + ("" if tensorrt else f"; the {model.backend or 'model'} backend ignores cc_model_filenames"),
        f"add the file for compute capability {gpu}, or drop that entry from cc_model_filenames",
        at=model.where(field_pattern("cc_model_filenames")), path=f"{model.name}/{version}/",
    )


def _missing_file_hint(vdir: Path, expected: str, key: str | None) -> str:
    try:
        present = sorted(p.name for p in vdir.iterdir() if not p.name.startswith("."))
    except OSError:
        present = []
    suffix = Path(expected).suffix
    near = [name for name in present if suffix and name.endswith(suffix)]
    if near:
        return f"rename {near[0]} to {expected}, or set default_model_filename: \"{near[0]}\""
    if present:
        return f"found {', '.join(present[:5])}; put {expected} here or set default_model_filename"
    return f"put the model file {expected} in {vdir.name}/" + (f" ({key} backend)" if key else "")

"""What the server completes on its own, and so what a missing config or tensor field costs.

Triton starts with auto-complete on (`--disable-auto-complete-config` turns it off). Core then asks the
backend to complete the config (`TRITONBACKEND_ModelAutoCompleteConfig`): ONNX Runtime, TensorRT,
TensorFlow and OpenVINO read inputs, outputs (names, data types, dims) and max_batch_size from the model
file; the Python backend calls `TritonPythonModel.auto_complete_config` when model.py defines it; the
PyTorch backend completes nothing (qa/L0_model_config pytorch/too_few_outputs: "model configuration must
contain at least one output"); ensembles are never completed. Core validates the completed config
afterwards (`ValidateModelIOConfig`), so a tensor without `dims` or `data_type` fails only where nothing
completes it.
"""

from __future__ import annotations

import re

from tritonship.repository.findings import Severity
from tritonship.repository.scan import ModelEntry

# backends whose auto-complete reads the model file (tritonship can run none of them here)
FILE_COMPLETING = ("onnxruntime", "tensorrt", "tensorflow", "openvino")
_AUTO_COMPLETE_DEF = re.compile(rb"^\s+def\s+auto_complete_config\s*\(", re.MULTILINE)


def python_completes(model: ModelEntry) -> bool:
    """model.py (first version) defines auto_complete_config — read, never executed."""
    filename = model.default_model_filename or "model.py"
    for version in model.versions[:1]:
        try:
            return bool(_AUTO_COMPLETE_DEF.search((model.path / version / filename).read_bytes()))
        except OSError:
            return False
    return False


def completer(model: ModelEntry) -> str | None:
    """Who fills in missing tensors for this model (a phrase), or None when nobody does."""
    backend = model.backend
    if backend in FILE_COMPLETING:
        return f"the {backend} backend, from {model.default_model_filename or 'the model file'}"
    if backend == "python" and python_completes(model):
        return "the python backend, from TritonPythonModel.auto_complete_config in model.py"
    return None


def config_completion(model: ModelEntry) -> tuple[Severity, str]:
    """Severity and reason for a model directory without config.pbtxt."""
    normalized = model.normalized
    if normalized.error:
        return "error", f"Triton cannot infer its backend ({normalized.error})"
    backend, source = normalized.backend, normalized.source
    found = "the directory name" if source == "name" else (source or "the files")
    if backend == "pytorch":
        return "error", (f"Triton infers the pytorch backend from {found}, but the PyTorch backend cannot "
                         "complete a config: it needs at least one output declared")
    who = completer(model)
    if who:
        return "warning", f"the server will complete the configuration ({who}) while auto-complete is on"
    if backend == "python":
        return "warning", ("the server will load it with the python backend (inferred from model.py) and an "
                           "empty configuration: no declared inputs or outputs, max_batch_size 0")
    return "warning", (f"the server will load it with the {backend!r} backend (inferred from {found}); "
                       "that backend decides whether the empty configuration is enough")


def tensor_completion(model: ModelEntry) -> tuple[Severity, str]:
    """Severity and reason for an input/output without dims or data_type."""
    if model.is_ensemble:
        return "error", "ensembles are not auto-completed"
    who = completer(model)
    if who:
        return "note", f"the server will complete it ({who})"
    if model.backend in ("pytorch", "python"):
        extra = " (model.py defines no auto_complete_config)" if model.backend == "python" else ""
        return "error", f"the {model.backend} backend does not complete tensors{extra}"
    return "warning", f"unless the {model.backend!r} backend completes it, the server refuses the config"

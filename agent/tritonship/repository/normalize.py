"""Which backend Triton runs a model with: the server's own inference, before any rule looks at platform.

Mirrors triton-inference-server/core `AutoCompleteBackendFields` (src/model_config_utils.cc), which
`GetNormalizedModelConfig` runs on every config whatever the auto-complete setting: it inspects the
*first* sub-directory of the model (in name order) and completes `platform`, `backend` and
`default_model_filename` in this order — TensorFlow (`model.savedmodel/` dir, `model.graphdef` file),
TensorRT (`model.plan` file), ONNX Runtime (`model.onnx` file or dir), OpenVINO (`model.xml`), PyTorch
(`model.pt` / `model.pt2` files), Python (`model.py`) — and, when config names neither platform, backend
nor file, takes the backend from a model directory named `<name>.<backend>` (the text after the first
dot; default file `model.<backend>`). Without a dot that case is the server's "Invalid model name:
Could not determine backend" error.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

SAVEDMODEL, GRAPHDEF, PLAN, ONNX, OPENVINO, TORCH, TORCH_AOTI, PYTHON = (
    "model.savedmodel", "model.graphdef", "model.plan", "model.onnx", "model.xml", "model.pt", "model.pt2",
    "model.py",
)


@dataclass(frozen=True)
class Normalized:
    """platform/backend/default_model_filename as the server completes them; `source` says how."""

    platform: str
    backend: str
    default_model_filename: str
    source: str = ""  # "" (the config said so), "model.onnx" (a file in the version dir), "name" (<name>.<backend>)
    error: str = ""  # the server's message when it cannot determine the backend

    @property
    def inferred(self) -> bool:
        return bool(self.source)


def first_subdir_listing(model_dir: Path, subdirs: list[str]) -> dict[str, bool] | None:
    """Entries (name -> is_dir) of the first sub-directory in name order, or None without one."""
    if not subdirs:
        return None
    path = model_dir / sorted(subdirs)[0]
    try:
        with os.scandir(path) as entries:
            return {e.name: e.is_dir() for e in entries}
    except OSError:
        return {}


def normalize(model_name: str, platform: str, backend: str, filename: str,
              listing: dict[str, bool] | None) -> Normalized:
    """AutoCompleteBackendFields, step by step (`listing` is the first sub-directory's content)."""
    files = listing if listing is not None else {}
    probe = not filename and not platform and listing is not None  # "look at the version directory"

    def found(name: str, want_dir: bool | None) -> bool:
        return name in files and (want_dir is None or files[name] == want_dir)

    tensorflow = _tensorflow(platform, backend, filename, probe=probe, found=found)
    if tensorflow is not None:
        return tensorflow
    source = ""
    for file, want_dir, the_platform, the_backend in (
        (PLAN, False, "tensorrt_plan", "tensorrt"), (ONNX, None, "onnxruntime_onnx", "onnxruntime"),
    ):
        if not backend and (platform == the_platform or filename == file):
            backend = the_backend
        elif not backend and probe and found(file, want_dir):
            backend, source = the_backend, file
        if backend == the_backend:
            return Normalized(platform or the_platform, backend, filename or file, source)
    for step in (_openvino, _pytorch, _python):
        result = step(platform, backend, filename, probe=probe, found=found)
        if result is not None:
            return result
    if not backend and not platform and not filename:
        return _from_name(model_name)
    return Normalized(platform, backend, filename)


def _tensorflow(platform: str, backend: str, filename: str, *, probe: bool, found) -> Normalized | None:
    source = ""
    if not platform and backend in ("", "tensorflow"):
        if filename == SAVEDMODEL or (probe and found(SAVEDMODEL, True)):
            platform, source = "tensorflow_savedmodel", "" if filename else SAVEDMODEL
        elif filename == GRAPHDEF or (probe and found(GRAPHDEF, False)):
            platform, source = "tensorflow_graphdef", "" if filename else GRAPHDEF
    if platform not in ("tensorflow_savedmodel", "tensorflow_graphdef"):
        return None
    default = SAVEDMODEL if platform == "tensorflow_savedmodel" else GRAPHDEF
    return Normalized(platform, backend or "tensorflow", filename or default, source)


def _openvino(platform: str, backend: str, filename: str, *, probe: bool, found) -> Normalized | None:
    source = ""
    if not backend and filename == OPENVINO:
        backend = "openvino"
    elif not backend and probe and found(OPENVINO, None):
        backend, source = "openvino", OPENVINO
    return Normalized(platform, backend, filename or OPENVINO, source) if backend == "openvino" else None


def _pytorch(platform: str, backend: str, filename: str, *, probe: bool, found) -> Normalized | None:
    source = ""
    if not backend:
        if platform in ("pytorch_libtorch", "libtorch", "torch_aoti") or filename in (TORCH, TORCH_AOTI):
            backend = "pytorch"
        elif probe and found(TORCH, False):
            backend, platform, source = "pytorch", "pytorch_libtorch", TORCH
        elif probe and TORCH not in _names(found) and found(TORCH_AOTI, False):
            backend, platform, source = "pytorch", "torch_aoti", TORCH_AOTI
    if backend != "pytorch":
        return None
    if not platform:
        return Normalized("pytorch_libtorch", backend, filename or TORCH, source)
    if platform == "torch_aoti" and not filename:
        filename = TORCH_AOTI
    return Normalized(platform, backend, filename, source)


def _python(platform: str, backend: str, filename: str, *, probe: bool, found) -> Normalized | None:
    source = ""
    if not backend and (filename == PYTHON or (probe and found(PYTHON, None))):
        backend, source = "python", "" if filename else PYTHON
    return Normalized(platform, backend, filename or PYTHON, source) if backend == "python" else None


def _names(found) -> set[str]:
    """Whether model.pt exists at all (as a file or a directory): core only tries model.pt2 when not."""
    return {TORCH} if found(TORCH, None) else set()


def _from_name(model_name: str) -> Normalized:
    if "." not in model_name:
        return Normalized("", "", "", error=(
            f"Invalid model name: Could not determine backend for model '{model_name}' with no backend in "
            "model configuration. Expected model name of the form 'model.<backend_name>'."))
    backend = model_name.split(".", 1)[1]
    return Normalized("", backend, f"model.{backend}", "name")

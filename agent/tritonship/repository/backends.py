"""What Triton knows about platforms and backends: which backend runs a platform, which file it loads."""

from __future__ import annotations

# platform -> backend that serves it
PLATFORM_BACKEND: dict[str, str] = {
    "onnxruntime_onnx": "onnxruntime",
    "tensorrt_plan": "tensorrt",
    "pytorch_libtorch": "pytorch",
    "torch_aoti": "pytorch",
    "tensorflow_savedmodel": "tensorflow",
    "tensorflow_graphdef": "tensorflow",
    "ensemble": "",
}

# platform or backend -> default model file in each version directory
DEFAULT_MODEL_FILE: dict[str, str] = {
    "onnxruntime_onnx": "model.onnx",
    "onnxruntime": "model.onnx",
    "tensorrt_plan": "model.plan",
    "tensorrt": "model.plan",
    "pytorch_libtorch": "model.pt",
    "torch_aoti": "model.pt2",
    "pytorch": "model.pt",
    "tensorflow_savedmodel": "model.savedmodel",
    "tensorflow_graphdef": "model.graphdef",
    "openvino": "model.xml",
    "python": "model.py",
    "dali": "model.dali",
}

# files a backend needs beside its model file (only with the default file name)
COMPANION_FILES: dict[str, tuple[str, ...]] = {"openvino": ("model.bin",)}

KNOWN_BACKENDS = (
    "onnxruntime", "tensorrt", "pytorch", "tensorflow", "openvino", "python", "dali", "fil",
    "identity", "repeat", "square", "vllm", "tensorrtllm",
)

NOT_VERSIONS = frozenset({"configs", "warmup", "initial_state"})


def model_file_key(platform: str, backend: str) -> str | None:
    """The key of DEFAULT_MODEL_FILE that applies, or None when the file is unknown (custom backend)."""
    if platform in DEFAULT_MODEL_FILE:
        return platform
    if backend == "tensorflow":
        return None  # savedmodel or graphdef: the platform decides, and it is missing
    if backend in DEFAULT_MODEL_FILE:
        return backend
    return None


def effective_backend(platform: str, backend: str) -> str:
    return backend or PLATFORM_BACKEND.get(platform, "")

"""--require-gpu decisions, as pure functions of Triton's metrics text and model facts.

Triton exposes per-GPU gauges (`nv_gpu_memory_used_bytes{gpu_uuid=...}`, `nv_gpu_utilization`, ...)
only when it sees a GPU. Per-model GPU memory comes from the statistics extension (`memory_usage`
entries of type GPU, reported by backends that support it) or from any metric carrying a `model`
label whose name mentions gpu memory.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from tritonship.smoke.result import GpuDevice, GpuReport

_SAMPLE = re.compile(r"^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?\s*$")
_LABEL = re.compile(r'([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"')


@dataclass(frozen=True)
class Sample:
    name: str
    labels: dict[str, str]
    value: float


def parse_metrics(text: str) -> list[Sample]:
    """Prometheus text exposition -> samples (comments and malformed lines skipped)."""
    samples = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _SAMPLE.match(line)
        if not match:
            continue
        try:
            value = float(match.group(3))
        except ValueError:
            continue
        labels = {k: v.replace('\\"', '"').replace("\\\\", "\\") for k, v in _LABEL.findall(match.group(2) or "")}
        samples.append(Sample(match.group(1), labels, value))
    return samples


def gpu_devices(samples: Iterable[Sample]) -> list[GpuDevice]:
    """One entry per GPU the server reports (any nv_gpu_* sample with a gpu_uuid label)."""
    found: dict[str, dict[str, float]] = {}
    for sample in samples:
        uuid = sample.labels.get("gpu_uuid")
        if uuid and sample.name.startswith("nv_gpu_"):
            found.setdefault(uuid, {})[sample.name] = sample.value
    return [GpuDevice(uuid, gauges.get("nv_gpu_memory_used_bytes"), gauges.get("nv_gpu_memory_total_bytes"))
            for uuid, gauges in sorted(found.items())]


def model_memory_from_metrics(samples: Iterable[Sample]) -> dict[str, int]:
    out: dict[str, int] = {}
    for sample in samples:
        model = sample.labels.get("model")
        name = sample.name.lower()
        if model and "gpu" in name and "memory" in name:
            out[model] = out.get(model, 0) + int(sample.value)
    return out


def model_memory_from_stats(stats: Mapping) -> dict[str, int]:
    """GPU bytes per model from /v2/models/stats `memory_usage` entries."""
    out: dict[str, int] = {}
    for model in stats.get("model_stats", []):
        for usage in model.get("memory_usage", []) or []:
            if str(usage.get("type", "")).upper() == "GPU":
                out[model["name"]] = out.get(model["name"], 0) + int(usage.get("byte_size", 0))
    return out


def uses_gpu(config: Mapping) -> bool:
    """A model config (server JSON) with at least one KIND_GPU instance group."""
    return any(group.get("kind") == "KIND_GPU" for group in config.get("instance_group", []) or [])


def gpu_verdict(required: bool, metrics_text: str | None, gpu_models: Mapping[str, bool],
                stats: Mapping | None = None) -> GpuReport:
    """gpu_models: model -> loaded (READY) for every model that asks for KIND_GPU instances."""
    samples = parse_metrics(metrics_text or "")
    gpus = tuple(gpu_devices(samples))
    memory = model_memory_from_stats(stats or {}) | model_memory_from_metrics(samples)
    problems = []
    if required:
        if metrics_text is None:
            problems.append("cannot read the server's metrics endpoint, so GPU use cannot be proven")
        elif not gpus:
            problems.append("the server exposes no GPU metrics: it sees no GPU")
        problems += [f"model {name} has KIND_GPU instances but did not load" for name, ok in gpu_models.items()
                     if not ok]
    return GpuReport(required, not problems, gpus, tuple(problems), memory)

"""What a smoke run found, as frozen dataclasses (rendering lives in report.py)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Check:
    """One thing checked for one model version: load, metadata, an inference, a golden case."""

    name: str  # "load", "metadata", "infer batch=8", "stream batch=1", "golden case1"
    protocol: str  # http | grpc | - (not protocol-specific)
    problems: tuple[str, ...] = ()
    time_s: float = 0.0
    skipped: str | None = None

    @property
    def passed(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class ModelReport:
    name: str
    version: str
    state: str  # READY | UNAVAILABLE | MISSING | ...
    reason: str = ""
    kind: str = "model"  # model | ensemble | decoupled
    checks: tuple[Check, ...] = ()
    log_lines: tuple[str, ...] = ()  # server log lines about this model (failures only)
    gpu_memory_bytes: int | None = None

    @property
    def passed(self) -> bool:
        return self.state == "READY" and all(c.passed for c in self.checks)

    @property
    def problems(self) -> list[str]:
        found = [] if self.state == "READY" else [f"{self.state or 'not loaded'}: {self.reason or 'no reason given'}"]
        return found + [f"{c.name} [{c.protocol}]: {p}" for c in self.checks for p in c.problems]


@dataclass(frozen=True)
class GpuDevice:
    uuid: str
    memory_used_bytes: float | None = None
    memory_total_bytes: float | None = None


@dataclass(frozen=True)
class GpuReport:
    required: bool
    passed: bool
    gpus: tuple[GpuDevice, ...] = ()
    problems: tuple[str, ...] = ()
    model_memory_bytes: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class SmokeResult:
    target: str  # repository path, URL or image reference
    server_version: str
    protocols: tuple[str, ...]
    models: tuple[ModelReport, ...]
    gpu: GpuReport
    problems: tuple[str, ...] = ()  # run-level problems (no models, unknown --models)
    log_path: str | None = None
    ready_s: float | None = None  # launch to ready, when we launched the server
    checks_s: float = 0.0
    model_image: str | None = None  # modelcar: the model image whose /models the server ran

    @property
    def passed(self) -> bool:
        return not self.problems and all(m.passed for m in self.models) and self.gpu.passed

    @property
    def subject(self) -> str:
        """What ran: the target, and the model image delivered into it when that is not the target."""
        if self.model_image and self.model_image != self.target:
            return f"{self.target} with {self.model_image}"
        return self.target

    @property
    def failed_models(self) -> list[str]:
        return [m.name for m in self.models if not m.passed]

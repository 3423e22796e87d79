"""Measurement windows: what one time slice of a load level saw, merged over worker processes. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Window:
    """One window. `latencies_ns` are the completed successful requests' latencies."""

    index: int
    duration_s: float
    latencies_ns: tuple[int, ...] = field(repr=False)
    errors: int = 0
    cpu_s: float = 0.0  # load generator CPU time spent during the window, all workers
    workers: int = 1

    @property
    def requests(self) -> int:
        return len(self.latencies_ns)

    def throughput(self, batch: int = 1) -> float:
        """Inferences per second (requests x batch)."""
        return self.requests * batch / self.duration_s if self.duration_s > 0 else 0.0

    @property
    def avg_latency_ns(self) -> float:
        return sum(self.latencies_ns) / len(self.latencies_ns) if self.latencies_ns else 0.0

    @property
    def cpu_fraction(self) -> float:
        """Busiest worker's share of one core, approximated as the mean over workers."""
        return self.cpu_s / (self.duration_s * self.workers) if self.duration_s > 0 else 0.0


def merge(parts: list[Window]) -> Window:
    """The same window as seen by several worker processes."""
    if not parts:
        raise ValueError("no window parts to merge")
    latencies: list[int] = []
    for part in parts:
        latencies.extend(part.latencies_ns)
    return Window(
        index=parts[0].index,
        duration_s=sum(p.duration_s for p in parts) / len(parts),
        latencies_ns=tuple(latencies),
        errors=sum(p.errors for p in parts),
        cpu_s=sum(p.cpu_s for p in parts),
        workers=len(parts),
    )


def combined(windows: list[Window]) -> Window:
    """Several consecutive windows as one (the stable ones are reported together)."""
    latencies: list[int] = []
    for w in windows:
        latencies.extend(w.latencies_ns)
    return Window(
        index=windows[-1].index,
        duration_s=sum(w.duration_s for w in windows),
        latencies_ns=tuple(latencies),
        errors=sum(w.errors for w in windows),
        cpu_s=sum(w.cpu_s for w in windows),
        workers=max(w.workers for w in windows),
    )

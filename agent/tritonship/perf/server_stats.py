"""The statistics extension (GET /v2/models/<m>/stats): snapshots, deltas and the server-side split.

Counts are requests (a batch of 8 is one request); durations are cumulative nanoseconds.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass

from tritonship.errors import InfraError

_FIELDS = ("success", "fail", "queue", "compute_input", "compute_infer", "compute_output")


@dataclass(frozen=True)
class StatsSnapshot:
    """Cumulative counters summed over the model's versions: field -> (count, ns)."""

    success: tuple[int, int] = (0, 0)
    fail: tuple[int, int] = (0, 0)
    queue: tuple[int, int] = (0, 0)
    compute_input: tuple[int, int] = (0, 0)
    compute_infer: tuple[int, int] = (0, 0)
    compute_output: tuple[int, int] = (0, 0)
    inferences: int = 0
    executions: int = 0


@dataclass(frozen=True)
class ServerSplit:
    """Average time per request on the server, in milliseconds, over an interval."""

    success: int
    failure: int
    inferences: int
    executions: int
    queue_ms: float
    compute_input_ms: float
    compute_infer_ms: float
    compute_output_ms: float

    @property
    def total_ms(self) -> float:
        return self.queue_ms + self.compute_input_ms + self.compute_infer_ms + self.compute_output_ms

    def as_dict(self) -> dict:
        return {
            "queue_ms": round(self.queue_ms, 4), "compute_input_ms": round(self.compute_input_ms, 4),
            "compute_infer_ms": round(self.compute_infer_ms, 4), "compute_output_ms": round(self.compute_output_ms, 4),
            "success": self.success, "failure": self.failure, "inferences": self.inferences,
            "executions": self.executions,
        }


def parse(document: dict) -> StatsSnapshot:
    """Sum the /stats JSON over all listed versions of the model."""
    sums = {f: [0, 0] for f in _FIELDS}
    inferences = executions = 0
    for model in document.get("model_stats", []):
        stats = model.get("inference_stats", {})
        for f in _FIELDS:
            sums[f][0] += int(stats.get(f, {}).get("count", 0))
            sums[f][1] += int(stats.get(f, {}).get("ns", 0))
        inferences += int(model.get("inference_count", 0))
        executions += int(model.get("execution_count", 0))
    return StatsSnapshot(**{f: (c, ns) for f, (c, ns) in sums.items()}, inferences=inferences, executions=executions)


def delta(before: StatsSnapshot, after: StatsSnapshot) -> ServerSplit:
    def diff(name: str) -> tuple[int, int]:
        a, b = getattr(after, name), getattr(before, name)
        return a[0] - b[0], a[1] - b[1]

    success = diff("success")[0]

    def avg_ms(name: str) -> float:
        count, ns = diff(name)
        per = count or success
        return ns / per / 1e6 if per else 0.0

    return ServerSplit(
        success=success, failure=diff("fail")[0],
        inferences=after.inferences - before.inferences, executions=after.executions - before.executions,
        queue_ms=avg_ms("queue"), compute_input_ms=avg_ms("compute_input"),
        compute_infer_ms=avg_ms("compute_infer"), compute_output_ms=avg_ms("compute_output"),
    )


@dataclass(frozen=True)
class CountCheck:
    """Requests the client sent against what the server counted (success + failure)."""

    sent: int
    server: int
    matches: bool
    reason: str

    def as_dict(self) -> dict:
        return {"sent": self.sent, "server_success_plus_failure": self.server, "matches": self.matches,
                "reason": self.reason}


def count_check(sent: int, split: ServerSplit | None, lost: int = 0) -> CountCheck:
    if split is None:
        return CountCheck(sent, -1, False, "the server's statistics extension could not be read")
    server = split.success + split.failure
    if server == sent:
        return CountCheck(sent, server, True, "every request sent was counted by the server")
    if server > sent:
        return CountCheck(sent, server, False, f"the server counted {server - sent} more requests than were sent: "
                                               "another client used this model during the measurement")
    why = f"{lost} requests lost their connection before the server answered" if lost else \
        "requests were rejected before inference (e.g. bad input or overload) and never counted"
    return CountCheck(sent, server, False, f"the server counted {sent - server} fewer requests than sent: {why}")


class StatsReader:
    """Reads one model's statistics over HTTP (plain urllib: a few calls per window)."""

    def __init__(self, http_url: str, model: str, timeout_s: float = 10.0) -> None:
        base = http_url if http_url.startswith("http") else f"http://{http_url}"
        self.url = f"{base}/v2/models/{model}/stats"
        self.timeout_s = timeout_s

    def snapshot(self) -> StatsSnapshot:
        try:
            with urllib.request.urlopen(self.url, timeout=self.timeout_s) as response:  # noqa: S310 - http only
                return parse(json.loads(response.read()))
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise InfraError(f"cannot read statistics from {self.url}: {exc}") from exc

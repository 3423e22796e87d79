"""What a load generator process counts: latencies of completed requests, errors, requests sent.

Completions land in the current window's list; the worker swaps the list at each window boundary.
Kept minimal: it runs once per request on the hot path.
"""

from __future__ import annotations


class Recorder:
    __slots__ = ("errors", "first_error", "latencies", "ok", "recording", "sent", "total_errors", "total_ok")

    def __init__(self) -> None:
        self.latencies: list[int] = []  # ns, current window
        self.errors = 0  # current window
        self.recording = False  # False during warm-up: completions are counted but not kept
        self.sent = 0  # whole level, warm-up included
        self.total_ok = 0
        self.total_errors = 0
        self.first_error: str | None = None

    def success(self, latency_ns: int) -> None:
        self.total_ok += 1
        if self.recording:
            self.latencies.append(latency_ns)

    def failure(self, latency_ns: int, message: str) -> None:
        self.total_errors += 1
        if self.first_error is None:
            self.first_error = message[:500]
        if self.recording:
            self.errors += 1

    def swap(self) -> tuple[list[int], int]:
        """Take the current window's latencies and error count; start a new window."""
        latencies, errors = self.latencies, self.errors
        self.latencies, self.errors = [], 0
        return latencies, errors

    @property
    def completed(self) -> int:
        return self.total_ok + self.total_errors

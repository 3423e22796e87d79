"""One retry policy for every client that talks to a server (registry, Kubernetes, Prometheus, Jenkins).

What is retried is what a server or the network may take back by itself: connection errors and
timeouts, `429 Too Many Requests` and the gateway-ish 5xx answers. Kubernetes documents exactly this
for its API (API conventions, "HTTP Status codes": 429 and 5xx may be retried, honouring
Retry-After), and client-go retries the same set with exponential backoff. Everything else is an
answer and is returned or raised at once. The delay doubles from `backoff` up to `max_backoff`;
`jitter` (a fraction) shortens each delay at random, so that many agents do not retry in lock-step.
Sleeping goes through an injected function (`time.sleep`, a Clock's `sleep`, or a test's recorder).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4  # tries in all, the first one included
    backoff: float = 0.5  # seconds before the first retry
    max_backoff: float = 8.0  # the cap on any one delay
    jitter: float = 0.0  # 0..1: each delay is shortened by up to this fraction, at random
    retry_status: frozenset[int] = RETRY_STATUS

    def __post_init__(self) -> None:
        if self.attempts < 1 or self.backoff < 0 or self.max_backoff < 0 or not 0 <= self.jitter <= 1:
            raise ValueError(f"not a retry policy: {self}")

    def delay(self, retry: int, rand: Callable[[], float] = random.random) -> float:
        """Seconds to wait before retry number `retry` (0 = the first retry)."""
        base = min(self.backoff * 2**retry, self.max_backoff)
        return base * (1 - self.jitter * rand()) if self.jitter else base

    def retries_status(self, status: int | None) -> bool:
        return status is not None and status in self.retry_status


def call_with_retries(call: Callable[[], T], policy: RetryPolicy, *, sleep: Callable[[float], None],
                      retryable: Callable[[Exception], bool] = lambda _exc: False,
                      status: Callable[[T], int | None] | None = None,
                      rand: Callable[[], float] = random.random) -> T:
    """Call `call` until it returns a result whose `status` is not retryable or raises an error that
    `retryable` rejects. After the last attempt its result is returned, or its error re-raised, as
    it is: the caller decides what an exhausted retry means (its own error, with its own words)."""
    for attempt in range(policy.attempts):
        last = attempt == policy.attempts - 1
        try:
            result = call()
        except Exception as exc:
            if last or not retryable(exc):
                raise
        else:
            if last or status is None or not policy.retries_status(status(result)):
                return result
        sleep(policy.delay(attempt, rand))
    raise AssertionError("unreachable")  # pragma: no cover

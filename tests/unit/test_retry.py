"""The shared retry policy, with a recording sleep (no real waiting)."""

from __future__ import annotations

import pytest

from tritonship.retry import RetryPolicy, call_with_retries


def _script(*outcomes):
    """A call that returns or raises the given outcomes in order, counting the calls."""
    it = iter(outcomes)
    calls = []

    def call():
        calls.append(1)
        out = next(it)
        if isinstance(out, Exception):
            raise out
        return out

    return call, calls


def test_delays_double_up_to_the_cap():
    policy = RetryPolicy(attempts=6, backoff=0.5, max_backoff=3.0)
    assert [policy.delay(i) for i in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_jitter_shortens_a_delay_by_at_most_its_fraction():
    policy = RetryPolicy(backoff=2.0, jitter=0.5)
    assert policy.delay(0, rand=lambda: 1.0) == 1.0
    assert policy.delay(0, rand=lambda: 0.0) == 2.0


def test_retryable_status_is_retried_then_the_last_answer_returned():
    sleeps: list[float] = []
    call, calls = _script(503, 429, 503)
    got = call_with_retries(call, RetryPolicy(attempts=3, backoff=1.0), sleep=sleeps.append, status=lambda s: s)
    assert (got, len(calls), sleeps) == (503, 3, [1.0, 2.0])


def test_a_final_answer_stops_retrying():
    sleeps: list[float] = []
    call, calls = _script(502, 404, 200)
    got = call_with_retries(call, RetryPolicy(attempts=5), sleep=sleeps.append, status=lambda s: s)
    assert (got, len(calls), len(sleeps)) == (404, 2, 1)


def test_retryable_errors_are_retried_and_the_last_one_raised():
    sleeps: list[float] = []
    call, calls = _script(ConnectionError("a"), ConnectionError("b"))
    with pytest.raises(ConnectionError, match="b"):
        call_with_retries(call, RetryPolicy(attempts=2, backoff=0.1), sleep=sleeps.append,
                          retryable=lambda e: isinstance(e, ConnectionError))
    assert (len(calls), sleeps) == (2, [0.1])


def test_other_errors_are_raised_at_once():
    sleeps: list[float] = []
    call, calls = _script(ValueError("bad"), 200)
    with pytest.raises(ValueError):
        call_with_retries(call, RetryPolicy(attempts=4), sleep=sleeps.append,
                          retryable=lambda e: isinstance(e, ConnectionError))
    assert (len(calls), sleeps) == (1, [])


def test_an_error_then_success_returns_the_success():
    call, calls = _script(TimeoutError(), "ok")
    got = call_with_retries(call, RetryPolicy(), sleep=lambda _s: None, retryable=lambda e: isinstance(e, OSError))
    assert (got, len(calls)) == ("ok", 2)


@pytest.mark.parametrize("kw", [{"attempts": 0}, {"backoff": -1}, {"jitter": 2}])
def test_a_nonsense_policy_is_refused(kw):
    with pytest.raises(ValueError):
        RetryPolicy(**kw)

"""The Jenkins adapter retries what may pass (no answer, 503) and never what is an answer (a 404)."""

from __future__ import annotations

import pytest

from tritonship.errors import InfraError
from tritonship.jenkins.client import PythonJenkinsItems
from tritonship.retry import RetryPolicy


def test_unreachable_jenkins_is_retried_then_an_infra_error():
    sleeps: list[float] = []
    api = PythonJenkinsItems("http://127.0.0.1:9", "u", "t", timeout=2,
                             retry=RetryPolicy(attempts=3, backoff=0.25), sleep=sleeps.append)
    with pytest.raises(InfraError, match="cannot reach Jenkins"):
        api.list_items()
    assert sleeps == [0.25, 0.5]


def test_create_is_not_retried():
    sleeps: list[float] = []
    api = PythonJenkinsItems("http://127.0.0.1:9", "u", "t", timeout=2, sleep=sleeps.append)
    with pytest.raises(InfraError):
        api.create("job", "<project/>")
    assert sleeps == []

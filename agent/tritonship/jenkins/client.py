"""The JenkinsItems adapter over python-jenkins, with its failures turned into our errors.

python-jenkins reports 401/403/500 as one JenkinsException ("Possibly authentication failed [403]");
we tell the user what a 403 usually means (a missing or rejected CSRF crumb, or a permission) and
never repeat the API token, even if a server echoed it back.

Reads and `update` (a POST of the whole config.xml, idempotent) are retried through tritonship/retry.py
on connection errors, timeouts and 429/502/503/504 (a restarting Jenkins or its proxy). `create` and
`delete` are not: a retry after a lost answer would fail with "already exists" or "not found".
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from contextlib import contextmanager
from typing import TypeVar

from tritonship.errors import InfraError, ProtocolError
from tritonship.retry import RETRY_STATUS, RetryPolicy, call_with_retries
from tritonship.urls import check_http_url

T = TypeVar("T")


class PythonJenkinsItems:
    def __init__(self, url: str, user: str | None, token: str | None, *, timeout: float = 30.0,
                 retry: RetryPolicy | None = None, sleep: Callable[[float], None] = time.sleep) -> None:
        import jenkins

        check_http_url(url, "--jenkins")
        self.url = url
        self._token = token
        self._server = jenkins.Jenkins(url, username=user, password=token, timeout=timeout)
        self.retry = retry or RetryPolicy(attempts=3, backoff=0.25, max_backoff=2.0)
        self.sleep = sleep

    def check(self) -> str:
        """The Jenkins version (authenticated); fails early and clearly when Jenkins is unreachable."""
        import requests

        with self._errors("sign in"):
            response = self._retrying(lambda: self._server.jenkins_request(requests.Request("GET", self.url),
                                                                           add_crumb=False))
            return response.headers.get("X-Jenkins", "unknown")

    def get_config(self, name: str) -> str | None:
        import jenkins

        with self._errors(f"read {name}"):
            try:
                return self._retrying(lambda: self._server.get_job_config(name))
            except jenkins.NotFoundException:
                return None

    def list_items(self) -> list[str]:
        with self._errors("list jobs"):
            return [job["fullname"] for job in self._retrying(self._server.get_all_jobs)]

    def create(self, name: str, config_xml: str) -> None:
        with self._errors(f"create {name}"):
            self._server.create_job(name, config_xml)

    def update(self, name: str, config_xml: str) -> None:
        with self._errors(f"update {name}"):
            self._retrying(lambda: self._server.reconfig_job(name, config_xml))

    def delete(self, name: str) -> None:
        with self._errors(f"delete {name}"):
            self._server.delete_job(name)

    def _retrying(self, call: Callable[[], T]) -> T:
        return call_with_retries(call, self.retry, sleep=self.sleep, retryable=_transient)

    @contextmanager
    def _errors(self, doing: str):
        import jenkins
        import requests

        try:
            yield
        except requests.exceptions.RequestException as exc:
            raise InfraError(f"cannot reach Jenkins at {self.url} to {doing}: {type(exc).__name__}",
                             hint="check --jenkins (or TRITONSHIP_JENKINS_URL) and the network") from None
        except jenkins.JenkinsException as exc:
            if "Could not parse JSON" in str(exc):  # python-jenkins' words for a non-JSON answer
                raise self._not_jenkins(doing) from None
            raise InfraError(self._explain(doing, str(exc)), hint=_hint(str(exc))) from None
        except ValueError:  # JSONDecodeError: an HTML login page or another service answered
            raise self._not_jenkins(doing) from None

    def _not_jenkins(self, doing: str) -> ProtocolError:
        return ProtocolError(_redact(f"{self.url} is not a Jenkins API: it answered something that is not JSON "
                                     f"when asked to {doing}", self._token),
                             hint="check --jenkins: it may point at a proxy, a login page or another service")

    def _explain(self, doing: str, message: str) -> str:
        first = message.splitlines()[0] if message else "unknown error"
        code = re.search(r"\[(\d{3})\]", first)
        text = f"Jenkins at {self.url} refused to {doing}"
        text += f" (HTTP {code.group(1)})" if code else f": {first}"
        if "crumb" in message.lower():
            text += ": no valid crumb was accepted"
        return _redact(text, self._token)


def _transient(exc: Exception) -> bool:
    """Worth another try: no answer (not a TLS failure), or an answer that says "later"."""
    import requests

    if isinstance(exc, requests.exceptions.SSLError):
        return False
    if isinstance(exc, requests.ConnectionError | requests.Timeout):
        return True
    response = getattr(exc, "response", None)
    return isinstance(exc, requests.HTTPError) and response is not None and response.status_code in RETRY_STATUS


def _hint(message: str) -> str | None:
    lowered = message.lower()
    if "crumb" in lowered or "[403]" in lowered:
        return ("Jenkins rejected the request: check the CSRF crumb (a proxy that drops sessions or the "
                "Jenkins-Crumb header) and that the user may configure jobs")
    if "[401]" in lowered:
        return "check --user and TRITONSHIP_JENKINS_TOKEN (an API token of that user)"
    return None


def _redact(text: str, secret: str | None) -> str:
    return text.replace(secret, "***") if secret else text

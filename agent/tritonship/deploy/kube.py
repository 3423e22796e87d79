"""A thin adapter over the official `kubernetes` client: typed-free JSON objects, retries, clear errors.

`Kube` speaks to the API server through `kubernetes.client.ApiClient` (built from a kubeconfig and
context, or in-cluster config inside a pod). Every call retries (tritonship/retry.py: capped
exponential backoff) on 429, 5xx and connection errors, as the Kubernetes API conventions allow,
waiting through the injected Clock, and raises `ClusterUnreachable` (exit 3) when the cluster stays
unavailable. Objects are plain dicts, exactly as the API returns them.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

from tritonship.deploy.clock import Clock, RealClock
from tritonship.errors import BadInput, InfraError, not_protocol
from tritonship.retry import RETRY_STATUS, RetryPolicy, call_with_retries

FIELD_MANAGER = "tritonship"


class ClusterUnreachable(InfraError):
    """The Kubernetes API did not answer usefully after retries."""


class ApiError(InfraError):
    """A definitive error answer from the API (4xx other than 429): carries status and reason."""

    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(f"Kubernetes API {status} {reason}: {message}")
        self.detail = message
        self.status = status
        self.reason = reason


class NotFound(ApiError):
    pass


class Conflict(ApiError):
    pass


@dataclass(frozen=True)
class Resource:
    """Where a kind lives in the API."""

    kind: str
    group_version: str  # "v1" for the core group, else "apps/v1" ...
    plural: str
    namespaced: bool = True

    def path(self, namespace: str | None = None, name: str | None = None, sub: str | None = None) -> str:
        base = "/api/v1" if self.group_version == "v1" else f"/apis/{self.group_version}"
        if self.namespaced and namespace:
            base += f"/namespaces/{namespace}"
        base += f"/{self.plural}"
        if name:
            base += f"/{name}"
        if sub:
            base += f"/{sub}"
        return base


RESOURCES: dict[str, Resource] = {
    r.kind: r
    for r in (
        Resource("Namespace", "v1", "namespaces", namespaced=False),
        Resource("Node", "v1", "nodes", namespaced=False),
        Resource("Pod", "v1", "pods"),
        Resource("Service", "v1", "services"),
        Resource("ConfigMap", "v1", "configmaps"),
        Resource("Secret", "v1", "secrets"),
        Resource("Deployment", "apps/v1", "deployments"),
        Resource("PodDisruptionBudget", "policy/v1", "poddisruptionbudgets"),
        Resource("HorizontalPodAutoscaler", "autoscaling/v2", "horizontalpodautoscalers"),
        Resource("ServiceMonitor", "monitoring.coreos.com/v1", "servicemonitors"),
        Resource("PodMonitor", "monitoring.coreos.com/v1", "podmonitors"),
        Resource("Lease", "coordination.k8s.io/v1", "leases"),
        Resource("SelfSubjectAccessReview", "authorization.k8s.io/v1", "selfsubjectaccessreviews", namespaced=False),
    )
}


def resource(kind: str) -> Resource:
    return RESOURCES[kind]


def load_api_client(context: str | None = None, kubeconfig: str | None = None):
    """An ApiClient for the given kubeconfig context; in-cluster config inside a pod without a kubeconfig."""
    from kubernetes import client, config

    path = kubeconfig or os.environ.get("KUBECONFIG")
    in_pod = os.environ.get("KUBERNETES_SERVICE_HOST") and not path
    if in_pod and context:
        # in-cluster config (the pod's service account) has no contexts: honouring `context:` is
        # impossible, and silently talking to this cluster instead could promote to the wrong one
        raise BadInput(f"the environment asks for kubeconfig context {context!r}, but this runs in a pod without "
                       "a kubeconfig (in-cluster config has no contexts)",
                       hint="mount a kubeconfig and set KUBECONFIG, or remove `context:` to use the pod's cluster")
    try:
        if in_pod:
            config.load_incluster_config()
            return client.ApiClient()
        cfg = client.Configuration()
        config.load_kube_config(config_file=path, context=context, client_configuration=cfg)
        cfg.retries = 0  # we retry ourselves, through the clock
        return client.ApiClient(cfg)
    except config.ConfigException as exc:
        where = path or "~/.kube/config"
        raise BadInput(f"cannot load kubeconfig {where} (context {context or 'current'}): {exc}",
                       hint="set KUBECONFIG or the environment's `context:` in tritonship.yaml") from exc
    except FileNotFoundError as exc:
        raise BadInput(f"kubeconfig not found: {exc.filename}", hint="set KUBECONFIG") from exc
    except OSError as exc:  # a directory, or unreadable
        raise BadInput(f"cannot read kubeconfig {path or '~/.kube/config'}: {exc.strerror}",
                       hint="set KUBECONFIG to a kubeconfig file") from exc
    except (ValueError, TypeError, AttributeError, KeyError, _yaml_error()) as exc:  # not UTF-8, not YAML, wrong shape
        raise BadInput(f"kubeconfig {path or '~/.kube/config'} is not a valid kubeconfig: {type(exc).__name__}: "
                       f"{str(exc).splitlines()[0] if str(exc) else ''}",
                       hint="set KUBECONFIG to a kubeconfig file (kubectl config view)") from exc


def _yaml_error() -> type[Exception]:
    import yaml

    return yaml.YAMLError


class Kube:
    """JSON-in, JSON-out calls with retries. `api_client` is a kubernetes.client.ApiClient."""

    def __init__(self, api_client: Any, clock: Clock | None = None, *, attempts: int = 6,
                 backoff: float = 0.2, max_backoff: float = 5.0, timeout: float = 15.0,
                 page_size: int = 500) -> None:
        self.api = api_client
        self.page_size = page_size
        self.clock = clock or RealClock()
        self.attempts = attempts
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.timeout = timeout
        self.retries = 0  # how many retries happened (reported)

    # -- generic verbs -------------------------------------------------------------------------
    def get(self, kind: str, name: str, namespace: str | None = None) -> dict:
        return self.request("GET", resource(kind).path(namespace, name))

    def find(self, kind: str, name: str, namespace: str | None = None) -> dict | None:
        try:
            return self.get(kind, name, namespace)
        except NotFound:
            return None

    def list(self, kind: str, namespace: str | None = None, selector: str | None = None) -> list[dict]:
        """Every item, page by page: `limit` plus the `continue` token, as client-go's pager does
        (tools/pager: ListPager.List), so a big cluster is never one huge answer."""
        items: list[dict] = []
        token = ""
        while True:
            query = [("labelSelector", selector)] if selector else []
            query.append(("limit", str(self.page_size)))
            if token:
                query.append(("continue", token))
            page = self.request("GET", resource(kind).path(namespace), query=query)
            items.extend(page.get("items") or [])
            token = (page.get("metadata") or {}).get("continue") or ""
            if not token:
                return items

    def create(self, obj: dict) -> dict:
        res = resource(obj["kind"])
        return self.request("POST", res.path(obj["metadata"].get("namespace")), body=obj)

    def replace(self, obj: dict) -> dict:
        """PUT with the object's resourceVersion: a stale write gets 409 Conflict."""
        meta = obj["metadata"]
        return self.request("PUT", resource(obj["kind"]).path(meta.get("namespace"), meta["name"]), body=obj)

    def apply(self, obj: dict, *, dry_run: bool = False) -> dict:
        """Server-side apply with field manager `tritonship` (force: we own these objects). `dry_run`:
        `dryRun=All`, the server runs admission, defaulting and validation and stores nothing."""
        meta = obj["metadata"]
        path = resource(obj["kind"]).path(meta.get("namespace"), meta["name"])
        query = [("fieldManager", FIELD_MANAGER), ("force", "true"), *([("dryRun", "All")] if dry_run else [])]
        return self.request("PATCH", path, body=obj, query=query, content_type="application/apply-patch+yaml")

    def merge_patch(self, kind: str, name: str, namespace: str, patch: dict) -> dict:
        path = resource(kind).path(namespace, name)
        return self.request("PATCH", path, body=patch, query=[("fieldManager", FIELD_MANAGER)],
                            content_type="application/merge-patch+json")

    def delete(self, kind: str, name: str, namespace: str | None = None) -> bool:
        try:
            self.request("DELETE", resource(kind).path(namespace, name))
            return True
        except NotFound:
            return False

    def pod_log(self, name: str, namespace: str, *, container: str = "", tail: int = 20,
                previous: bool = False) -> str:
        """GET pods/NAME/log (text/plain), as `kubectl logs [--previous] --tail N -c C` reads it."""
        query = [("tailLines", str(tail))]
        if container:
            query.append(("container", container))
        if previous:
            query.append(("previous", "true"))
        return self.request("GET", resource("Pod").path(namespace, name, "log"), query=query, raw=True)

    # -- transport -----------------------------------------------------------------------------
    def request(self, method: str, path: str, *, body: Any = None, query: list | None = None,
                content_type: str = "application/json", raw: bool = False) -> Any:
        policy = RetryPolicy(attempts=self.attempts, backoff=self.backoff, max_backoff=self.max_backoff,
                             retry_status=RETRY_STATUS)
        try:
            status, text = call_with_retries(lambda: self._send(method, path, body, query or [], content_type),
                                             policy, sleep=self._retry_sleep, retryable=_is_transport_error,
                                             status=lambda answer: answer[0])
        except Exception as exc:  # connection refused/reset, timeouts: urllib3 and socket errors
            if not _is_transport_error(exc):
                raise
            raise self._unreachable(f"{type(exc).__name__}: {exc}") from exc
        if status in RETRY_STATUS:
            raise self._unreachable(f"HTTP {status}: {_message(text)}")
        if raw and status < 400:
            return text
        return _decode(status, text, getattr(getattr(self.api, "configuration", None), "host", "?"))

    def _retry_sleep(self, seconds: float) -> None:
        self.retries += 1
        self.clock.sleep(seconds)

    def _unreachable(self, last: str) -> ClusterUnreachable:
        host = getattr(getattr(self.api, "configuration", None), "host", "?")
        return ClusterUnreachable(f"Kubernetes API at {host} unavailable after {self.attempts} attempts ({last})",
                                  hint="check the cluster, the kubeconfig context and the network")

    def _send(self, method: str, path: str, body: Any, query: list, content_type: str) -> tuple[int, str]:
        headers = {"Accept": "application/json", "Content-Type": content_type}
        params = self.api.param_serialize(method=method, resource_path=path, query_params=query,
                                          header_params=headers, body=body, auth_settings=["BearerToken"])
        resp = self.api.call_api(*params, _request_timeout=self.timeout)
        data = resp.read()
        return resp.status, data.decode("utf-8", "replace") if isinstance(data, bytes) else (data or "")


def _is_transport_error(exc: Exception) -> bool:
    import urllib3
    from kubernetes.client.exceptions import ApiException

    if isinstance(exc, ApiException):
        return exc.status == 0
    return isinstance(exc, urllib3.exceptions.HTTPError | OSError | ConnectionError | TimeoutError)


def _message(text: str) -> str:
    try:
        return json.loads(text).get("message", text)[:300]
    except (ValueError, AttributeError):
        return text[:300]


def _decode(status: int, text: str, host: str = "?") -> Any:
    if status < 400:
        try:
            return json.loads(text) if text else {}
        except ValueError:
            raise not_protocol(f"the Kubernetes API at {host}", "a Kubernetes API (no JSON answer)", text) from None
    try:
        doc = json.loads(text)
    except ValueError:
        doc = {"message": text[:300], "reason": ""}
    reason, message = doc.get("reason", ""), doc.get("message", "")
    if status == 404:
        raise NotFound(status, reason or "NotFound", message)
    if status == 409:
        raise Conflict(status, reason or "Conflict", message)
    error = ApiError(status, reason, message)
    if status == 401:
        error.hint = ("the cluster rejected our credentials: check the kubeconfig's user (token or client "
                      "certificate) for this environment's context, or refresh an expired token")
    raise error

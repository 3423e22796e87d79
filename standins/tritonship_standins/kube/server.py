"""The simulator's HTTP front: Kubernetes REST paths, verbs, patch types, SSAR, auth and fault injection."""

from __future__ import annotations

import copy
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tritonship_standins.kube import managed
from tritonship_standins.kube.discovery import Discovery
from tritonship_standins.kube.pods import pod_log
from tritonship_standins.kube.podspec import Cluster, check_apply_schema, drop_disabled
from tritonship_standins.kube.store import BY_PATH, Kind, StatusError, Store, invalid

SSAR_PATH = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"


@dataclass
class Faults:
    """Injected trouble, for requests whose "METHOD /path" matches `match` (a regex; None: all).
    `fail_next` requests get `fail_status`; `drop_next` connections are closed unanswered before the
    request is served; `drop_after_next` after it was served (the client never learns it worked)."""

    latency: float = 0.0
    fail_next: int = 0
    fail_status: int = 503
    drop_next: int = 0
    drop_after_next: int = 0
    match: str | None = None
    served: int = 0
    failed: int = 0
    dropped: int = 0
    hook: Any = None  # tests: callable("METHOD /path") -> None | "fail" | "drop" | "drop-after", per request
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def take(self, request: str) -> str | None:
        if self.hook is not None and (trouble := self.hook(request)) is not None:
            with self._lock:
                self.served += 1
                self.failed += trouble == "fail"
                self.dropped += trouble != "fail"
            return trouble
        with self._lock:
            self.served += 1
            if self.match and not re.search(self.match, request):
                return None
            if self.drop_after_next > 0:
                self.drop_after_next -= 1
                self.dropped += 1
                return "drop-after"
            if self.drop_next > 0:
                self.drop_next -= 1
                self.dropped += 1
                return "drop"
            if self.fail_next > 0:
                self.fail_next -= 1
                self.failed += 1
                return "fail"
            return None

    def set(self, **values: Any) -> None:
        with self._lock:
            for key, value in values.items():
                if key.startswith("_") or not hasattr(self, key):
                    raise ValueError(f"unknown fault {key!r}")
                setattr(self, key, value)


VERBS = {"GET": "get", "POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}


@dataclass
class Access:
    """SelfSubjectAccessReview answers: allowed unless a deny rule matches ('*' matches anything).
    With `enforce`, requests that a rule denies are answered 403 Forbidden, as RBAC would. A rule may
    name one object (`"name": "ledger-key"`), as an RBAC rule's resourceNames does."""

    deny: list[dict[str, str]] = field(default_factory=list)
    enforce: bool = False

    def check(self, method: str, kind: Kind, namespace: str | None, name: str | None) -> None:
        group = kind.group_version.split("/")[0] if "/" in kind.group_version else ""
        verb = VERBS.get(method, method.lower())
        if method == "GET" and not name:
            verb = "list"
        attrs = {"verb": verb, "resource": kind.plural, "group": group, "namespace": namespace or "",
                 "name": name or ""}
        if self.enforce and not self.allowed(attrs):
            where = f' in the namespace "{namespace}"' if namespace else " at the cluster scope"
            subject = f'{kind.plural}{"." + group if group else ""} "{name}"' if name else f"{kind.plural}"
            raise StatusError(403, "Forbidden", f'{subject} is forbidden: User "tritonship-sim" cannot {verb} '
                              f'resource "{kind.plural}" in API group "{group}"{where}',
                              {"name": name or "", "group": group, "kind": kind.plural})

    def allowed(self, attrs: dict[str, str]) -> bool:
        keys = ("verb", "resource", "group", "namespace", "name")
        return not any(all(rule.get(k, "*") in ("*", attrs.get(k, "")) for k in keys) for rule in self.deny)


def route(path: str) -> tuple[Kind, str | None, str | None, str | None]:
    """'/apis/apps/v1/namespaces/ns/deployments/x/status' -> (kind, namespace, name, subresource)."""
    parts = [p for p in path.split("/") if p]
    if parts[:2] == ["api", "v1"]:
        gv, rest = "v1", parts[2:]
    elif parts[:1] == ["apis"] and len(parts) >= 3:
        gv, rest = f"{parts[1]}/{parts[2]}", parts[3:]
    else:
        raise StatusError(404, "NotFound", f"the server could not find the requested resource ({path})")
    namespace = None
    if len(rest) >= 3 and rest[0] == "namespaces":
        namespace, rest = rest[1], rest[2:]
    if not rest or (gv, rest[0]) not in BY_PATH:
        raise StatusError(404, "NotFound", f"the server could not find the requested resource ({path})")
    kind = BY_PATH[(gv, rest[0])]
    return kind, namespace, rest[1] if len(rest) > 1 else None, rest[2] if len(rest) > 2 else None


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


def defaults(kind: Kind, obj: dict) -> dict:
    if kind.kind == "Deployment":
        spec = obj.setdefault("spec", {})
        spec.setdefault("replicas", 1)
        spec.setdefault("progressDeadlineSeconds", 600)
        spec.setdefault("revisionHistoryLimit", 10)
        strategy = spec.setdefault("strategy", {"type": "RollingUpdate"})
        if strategy.get("type", "RollingUpdate") == "RollingUpdate":
            strategy.setdefault("rollingUpdate", {})
            strategy["rollingUpdate"].setdefault("maxSurge", "25%")
            strategy["rollingUpdate"].setdefault("maxUnavailable", "25%")
    return obj


def validate(kind: Kind, obj: dict, old: dict | None) -> None:
    from tritonship_standins.kube.validation import validate_meta

    validate_meta(kind, obj)
    name = obj["metadata"].get("name", "")
    if kind.kind in ("Secret", "ConfigMap"):
        from tritonship_standins.kube.validation import validate_data

        validate_data(kind, obj)
    if kind.kind != "Deployment":
        return
    spec = obj.get("spec") or {}
    selector = (spec.get("selector") or {}).get("matchLabels") or {}
    labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
    if not selector:
        raise invalid(kind, name, "spec.selector", "Required value")
    if any(labels.get(k) != v for k, v in selector.items()):
        raise invalid(kind, name, "spec.template.metadata.labels", "`selector` does not match template `labels`")
    if not ((spec.get("template") or {}).get("spec") or {}).get("containers"):
        raise invalid(kind, name, "spec.template.spec.containers", "Required value")
    from tritonship_standins.kube.podspec import validate_pod_template

    validate_pod_template(kind, obj)
    if old is not None and (old.get("spec") or {}).get("selector") != spec.get("selector"):
        raise invalid(kind, name, "spec.selector", "field is immutable")


def _dry_run(query: dict[str, list[str]]) -> bool:
    """dryRun=All: admission, defaulting and validation run, nothing is stored (the only value the API takes)."""
    values = query.get("dryRun") or []
    if not values:
        return False
    if values != ["All"]:
        raise StatusError(400, "BadRequest", f'dryRun: Unsupported value: "{values[0]}": supported values: "All"')
    return True


class Api:
    """Verb handlers over the Store; raise StatusError for API errors."""

    def __init__(self, store: Store, access: Access, discovery: Discovery | None = None,
                 cluster: Cluster | None = None, behaviour: Any = None) -> None:
        self.store, self.access = store, access
        self.discovery = discovery or Discovery()
        self.cluster = cluster or Cluster()
        self.behaviour = behaviour  # controller.Behaviour: what crashing containers print

    def handle(self, method: str, path: str, query: dict[str, list[str]], body: Any, ctype: str) -> tuple[int, Any]:
        if path == "/version":
            return 200, self.cluster.version_doc()
        if path == SSAR_PATH and method == "POST":
            return 201, self._review(body)
        if method == "GET" and (doc := self.discovery.serve(path)) is not None:
            return 200, doc
        kind, namespace, name, sub = route(path)
        self.discovery.check(kind, path)
        self.access.check(method, kind, namespace, name)
        if method == "GET":
            return 200, self._read(kind, namespace, name, sub, query)
        if not isinstance(body, dict) and method != "DELETE":
            raise StatusError(400, "BadRequest", "the request body must be an object")
        return self._write(method, kind, namespace=namespace, name=name, sub=sub, body=body, ctype=ctype,
                           manager=(query.get("fieldManager") or [""])[0], force=query.get("force") == ["true"],
                           dry=_dry_run(query))

    def _read(self, kind: Kind, namespace: str | None, name: str | None, sub: str | None,
              query: dict[str, list[str]]) -> Any:
        if sub == "log" and kind.kind == "Pod":
            crash_log = getattr(self.behaviour, "crash_log", None)
            return pod_log(self.store.get(kind, namespace, name), query, crash_log)  # text/plain
        if name:
            return self.store.get(kind, namespace, name)
        from tritonship_standins.kube.paging import page

        items, more = page(self.store.list(kind, namespace, (query.get("labelSelector") or [None])[0]),
                           (query.get("limit") or [None])[0], (query.get("continue") or [None])[0])
        return {"kind": f"{kind.kind}List", "apiVersion": kind.group_version,
                "metadata": {"resourceVersion": self.store.resource_version(), **more}, "items": items}

    def _write(self, method: str, kind: Kind, *, namespace: str | None, name: str | None, sub: str | None,
               body: Any, ctype: str, manager: str = "", force: bool = False, dry: bool = False) -> tuple[int, Any]:
        if method == "POST" and not name:
            obj = defaults(kind, copy.deepcopy(body))
            drop_disabled(kind, obj, None, self.cluster)
            validate(kind, obj, None)
            return 201, self.store.create(kind, namespace, managed.update(None, obj, manager,
                                                                          api_version=kind.group_version), dry_run=dry)
        if not name:
            raise StatusError(405, "MethodNotAllowed", f"{method} is not supported on a collection")
        with self.store.lock:
            if method == "DELETE":
                if dry:
                    return 200, self.store.get(kind, namespace, name)
                return 200, self.store.delete(kind, namespace, name)
            if method == "PUT":
                if (body.get("metadata") or {}).get("name") not in (None, name):
                    raise StatusError(400, "BadRequest", "the name of the object does not match the name in the URL")
                old = self.store.get(kind, namespace, name)
                obj = defaults(kind, copy.deepcopy(body))
                if sub != "status":
                    drop_disabled(kind, obj, old, self.cluster)
                    validate(kind, obj, old)
                    obj = managed.update(old, obj, manager, api_version=kind.group_version)
                return 200, self.store.update(kind, namespace, name, obj, status_only=sub == "status", dry_run=dry)
            if method == "PATCH":
                return self._patch(kind, namespace, name, body, ctype, manager=manager, force=force, dry=dry)
        raise StatusError(405, "MethodNotAllowed", f"{method} is not supported")

    def _patch(self, kind: Kind, namespace: str | None, name: str, body: dict, ctype: str, *, manager: str = "",
               force: bool = False, dry: bool = False) -> tuple[int, Any]:
        ctype = ctype.split(";", maxsplit=1)[0].strip()
        if ctype == "application/apply-patch+yaml":
            check_apply_schema(kind, body, self.cluster)
        try:
            old = self.store.get(kind, namespace, name)
        except StatusError:
            if ctype != "application/apply-patch+yaml":
                raise
            # an apply that creates is also authorised as `create` (apiserver handlers/patch.go:
            # createAuthorizerAttributes with Verb "create")
            self.access.check("POST", kind, namespace, name)
            obj = defaults(kind, copy.deepcopy(body))
            obj.setdefault("metadata", {})["name"] = name
            drop_disabled(kind, obj, None, self.cluster)
            validate(kind, obj, None)
            obj = managed.created_by_apply(obj, manager, api_version=kind.group_version)
            return 201, self.store.create(kind, namespace, obj, dry_run=dry)
        if ctype == "application/apply-patch+yaml":
            new = managed.apply(old, body, manager, force=force, api_version=kind.group_version)
        elif ctype in ("application/merge-patch+json", "application/strategic-merge-patch+json"):
            new = merge_patch(old, body)
            if "resourceVersion" not in (body.get("metadata") or {}):
                new["metadata"].pop("resourceVersion", None)
            new = managed.update(old, new, manager, api_version=kind.group_version)
        else:
            raise StatusError(415, "UnsupportedMediaType", f"the body of the request was in an unknown format: {ctype}")
        new = defaults(kind, new)
        drop_disabled(kind, new, old, self.cluster)
        validate(kind, new, old)
        return 200, self.store.update(kind, namespace, name, new, dry_run=dry)

    def _review(self, body: dict) -> dict:
        attrs = ((body or {}).get("spec") or {}).get("resourceAttributes") or {}
        allowed = self.access.allowed(attrs)
        out = copy.deepcopy(body)
        out["status"] = {"allowed": allowed} if allowed else {"allowed": False, "denied": True,
                                                              "reason": "denied by the simulator's rules"}
        return out


class Handler(BaseHTTPRequestHandler):
    """One request; make_handler binds the API, faults, token and admin hook as class attributes."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes: no 40 ms delayed-ACK stall
    api: Api
    faults: Faults
    token: str = ""
    admin: Any = None

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def _reply(self, code: int, doc: Any) -> None:
        text = isinstance(doc, str)  # pods/log answers text/plain
        data = doc.encode() if text else json.dumps(doc).encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain" if text else "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        if not length:
            return None
        raw = self.rfile.read(length).decode()
        import yaml

        try:
            return yaml.safe_load(raw)  # JSON is YAML; apply patches may be YAML
        except yaml.YAMLError as exc:
            raise StatusError(400, "BadRequest", f"cannot decode the body: {exc}") from exc

    def _serve(self) -> None:
        url = urlsplit(self.path)
        try:
            body = self._body()
            if url.path.startswith("/_sim/"):
                self._reply(200, type(self).admin(self.command, url.path, body))
                return
            self._api(url, body)
        except StatusError as err:
            self._reply(err.code, err.body())
        except (ValueError, TypeError) as exc:
            self._reply(400, StatusError(400, "BadRequest", str(exc)).body())

    def _api(self, url: Any, body: Any) -> None:
        if self.headers.get("Authorization") != f"Bearer {self.token}":
            raise StatusError(401, "Unauthorized", "Unauthorized")
        faults = self.faults
        trouble = faults.take(f"{self.command} {url.path}")
        if faults.latency:
            time.sleep(faults.latency)
        if trouble == "drop":
            self.close_connection = True
            self.connection.close()
            return
        if trouble == "fail":
            raise StatusError(faults.fail_status, "InternalError" if faults.fail_status >= 500 else
                              "TooManyRequests", "injected by the simulator")
        code, doc = self.api.handle(self.command, url.path, parse_qs(url.query), body,
                                    self.headers.get("Content-Type", "application/json"))
        if trouble == "drop-after":
            self.close_connection = True
            self.connection.close()
            return
        self._reply(code, doc)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve


def make_handler(api: Api, faults: Faults, token: str, admin: Any) -> type[BaseHTTPRequestHandler]:
    return type("BoundHandler", (Handler,), {"api": api, "faults": faults, "token": token,
                                             "admin": staticmethod(admin)})


def make_server(api: Api, faults: Faults, token: str, admin: Any, port: int = 0) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", port), make_handler(api, faults, token, admin))
    server.daemon_threads = True
    return server

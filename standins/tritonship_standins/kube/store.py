"""The simulator's object store: resourceVersion, generation, label selectors, Status errors."""

from __future__ import annotations

import copy
import itertools
import json
import re
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")


@dataclass(frozen=True)
class Kind:
    kind: str
    group_version: str
    plural: str
    namespaced: bool = True


KINDS = [
    Kind("Namespace", "v1", "namespaces", namespaced=False),
    Kind("Node", "v1", "nodes", namespaced=False),
    Kind("Pod", "v1", "pods"),
    Kind("Service", "v1", "services"),
    Kind("ConfigMap", "v1", "configmaps"),
    Kind("Secret", "v1", "secrets"),
    Kind("Deployment", "apps/v1", "deployments"),
    Kind("PodDisruptionBudget", "policy/v1", "poddisruptionbudgets"),
    Kind("HorizontalPodAutoscaler", "autoscaling/v2", "horizontalpodautoscalers"),
    Kind("ServiceMonitor", "monitoring.coreos.com/v1", "servicemonitors"),
    Kind("PodMonitor", "monitoring.coreos.com/v1", "podmonitors"),
    Kind("Lease", "coordination.k8s.io/v1", "leases"),
]
BY_PATH = {(k.group_version, k.plural): k for k in KINDS}


class StatusError(Exception):
    """An API error answered as a `Status` object, as the real API server does."""

    def __init__(self, code: int, reason: str, message: str, details: dict | None = None) -> None:
        super().__init__(message)
        self.code, self.reason, self.message, self.details = code, reason, message, details or {}

    def body(self) -> dict:
        return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": self.message, "reason": self.reason, "details": self.details, "code": self.code}


def not_found(kind: Kind, name: str) -> StatusError:
    return StatusError(404, "NotFound", f'{kind.plural}{_group(kind)} "{name}" not found',
                       {"name": name, "group": _group(kind).lstrip("."), "kind": kind.plural})


def invalid(kind: Kind, name: str, field: str, message: str) -> StatusError:
    return StatusError(422, "Invalid", f'{kind.kind}{_group(kind)} "{name}" is invalid: {field}: {message}',
                       {"name": name, "group": _group(kind).lstrip("."), "kind": kind.kind,
                        "causes": [{"reason": "FieldValueInvalid", "message": message, "field": field}]})


def _group(kind: Kind) -> str:
    return "." + kind.group_version.split("/")[0] if "/" in kind.group_version else ""


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def matches(labels: dict[str, str], selector: str | None) -> bool:
    """Equality- and set-based label selectors: a=b, a!=b, a in (x,y), a notin (x), a, !a."""
    return not selector or all(_term(labels, term.strip()) for term in _split_terms(selector))


def _term(labels: dict[str, str], term: str) -> bool:
    if m := re.fullmatch(r"([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)", term):
        values = {v.strip() for v in m.group(3).split(",")}
        return (labels.get(m.group(1)) in values) == (m.group(2) == "in")
    if "!=" in term:
        key, value = term.split("!=", 1)
        return labels.get(key.strip()) != value.strip()
    if "=" in term:
        key, value = term.replace("==", "=").split("=", 1)
        return labels.get(key.strip()) == value.strip()
    if term.startswith("!"):
        return term[1:].strip() not in labels
    return term in labels


def _split_terms(selector: str) -> list[str]:
    terms, depth, cur = [], 0, ""
    for ch in selector:
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            terms.append(cur)
            cur = ""
        else:
            cur += ch
    return [*terms, cur] if cur else terms


class Store:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.objects: dict[tuple[str, str, str], dict] = {}  # (plural, namespace, name)
        self._rv = itertools.count(1000)
        self.writes = 0

    def _key(self, kind: Kind, namespace: str | None, name: str) -> tuple[str, str, str]:
        return kind.plural, (namespace or "") if kind.namespaced else "", name

    def get(self, kind: Kind, namespace: str | None, name: str) -> dict:
        with self.lock:
            obj = self.objects.get(self._key(kind, namespace, name))
            if obj is None:
                raise not_found(kind, name)
            return copy.deepcopy(obj)

    def list(self, kind: Kind, namespace: str | None = None, selector: str | None = None) -> list[dict]:
        with self.lock:
            out = [copy.deepcopy(o) for (plural, ns, _n), o in sorted(self.objects.items())
                   if plural == kind.plural and (not namespace or ns == namespace)
                   and matches(o["metadata"].get("labels") or {}, selector)]
            return out

    def resource_version(self) -> str:
        return str(next(self._rv))

    def create(self, kind: Kind, namespace: str | None, obj: dict, *, dry_run: bool = False) -> dict:
        """Store a new object; `dry_run` (dryRun=All): every check, nothing stored, the would-be object."""
        with self.lock:
            meta = obj.setdefault("metadata", {})
            name = meta.get("name") or ""
            if not _NAME.match(name):
                raise invalid(kind, name, "metadata.name", "a lowercase RFC 1123 subdomain must consist of lower "
                              "case alphanumeric characters, '-' or '.'")
            if kind.namespaced:
                self._need_namespace(namespace)
                meta["namespace"] = namespace
            key = self._key(kind, namespace, name)
            if key in self.objects:
                raise StatusError(409, "AlreadyExists", f'{kind.plural}{_group(kind)} "{name}" already exists',
                                  {"name": name, "kind": kind.plural})
            obj["kind"], obj["apiVersion"] = kind.kind, kind.group_version
            meta.update(uid=str(uuid.uuid4()), creationTimestamp=now_iso())
            meta.pop("deletionTimestamp", None)
            if kind.kind == "Deployment":
                meta["generation"] = 1
            if dry_run:
                return copy.deepcopy(obj)
            meta["resourceVersion"] = self.resource_version()
            self.objects[key] = obj
            self.writes += 1
            return copy.deepcopy(obj)

    def update(self, kind: Kind, namespace: str | None, name: str, obj: dict, *, status_only: bool = False,
               dry_run: bool = False) -> dict:
        """Replace; a resourceVersion that is not the current one is a 409 Conflict. `dry_run`: nothing stored."""
        with self.lock:
            key = self._key(kind, namespace, name)
            old = self.objects.get(key)
            if old is None:
                raise not_found(kind, name)
            meta = obj.setdefault("metadata", {})
            given = meta.get("resourceVersion")
            if given and given != old["metadata"]["resourceVersion"]:
                raise StatusError(409, "Conflict", f'Operation cannot be fulfilled on {kind.plural}{_group(kind)} '
                                  f'"{name}": the object has been modified; please apply your changes to the latest '
                                  "version and try again", {"name": name, "kind": kind.plural})
            if status_only:
                new = copy.deepcopy(old)
                new["status"] = obj.get("status")
            else:
                new = obj
                new["status"] = old.get("status", obj.get("status"))
                for keep in ("uid", "creationTimestamp", "namespace", "generation"):
                    if keep in old["metadata"]:
                        new["metadata"][keep] = old["metadata"][keep]
                if kind.kind == "Deployment" and _canon(old.get("spec")) != _canon(new.get("spec")):
                    new["metadata"]["generation"] = old["metadata"].get("generation", 1) + 1
            new["kind"], new["apiVersion"] = kind.kind, kind.group_version
            new["metadata"]["name"] = name
            if dry_run:
                new["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"]
                return copy.deepcopy(new)
            new["metadata"]["resourceVersion"] = self.resource_version()
            self.objects[key] = new
            self.writes += 1
            return copy.deepcopy(new)

    def delete(self, kind: Kind, namespace: str | None, name: str) -> dict:
        with self.lock:
            obj = self.objects.pop(self._key(kind, namespace, name), None)
            if obj is None:
                raise not_found(kind, name)
            self.writes += 1
            return obj

    def _need_namespace(self, namespace: str | None) -> None:
        if not namespace or ("namespaces", "", namespace) not in self.objects:
            raise StatusError(404, "NotFound", f'namespaces "{namespace}" not found',
                              {"name": namespace, "kind": "namespaces"})


def _canon(value: object) -> str:
    return json.dumps(value, sort_keys=True)

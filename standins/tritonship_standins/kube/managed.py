"""Server-side apply with field managers, as the API server tracks them in `metadata.managedFields`.

Mirrors k8s.io/apimachinery's fieldmanager (structured-merge-diff), simplified to what promotions
touch: every leaf field of `spec`, `data`, `metadata.labels` and `metadata.annotations` (lists are
atomic) is owned by one or more (manager, operation) entries.

* **Apply** (PATCH application/apply-patch+yaml): the applied config is merged into the object; fields
  this manager applied before but not now are *removed* unless another entry owns them too; fields
  another entry owns with a different value conflict (409) unless `force`, which takes them over.
  The entry then owns exactly the applied fields — so applying `spec.replicas` takes it from an HPA,
  and leaving it out later removes it (back to the default 1) if nobody else owns it.
* **Update** (POST, PUT, merge patch, a controller's write): the fields whose value changed move to
  the writer's Update entry, away from every other entry — as when the HPA scales a Deployment.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from tritonship_standins.kube.store import StatusError

Path = tuple[str, ...]
_TOP = ("spec", "data", "stringData", "rules", "subsets")
_META = ("labels", "annotations")


def _leaves(value: Any, prefix: Path) -> set[Path]:
    if isinstance(value, dict) and value:
        out: set[Path] = set()
        for key, item in value.items():
            out |= _leaves(item, (*prefix, str(key)))
        return out
    return {prefix}


def fields(obj: dict) -> set[Path]:
    """The managed leaf paths an object (or an applied config) sets."""
    out: set[Path] = set()
    for key in _TOP:
        if key in obj:
            out |= _leaves(obj[key], (key,))
    meta = obj.get("metadata") or {}
    for key in _META:
        if meta.get(key):
            out |= _leaves(meta[key], ("metadata", key))
    return out


def get(obj: Any, path: Path) -> Any:
    for key in path:
        if not isinstance(obj, dict) or key not in obj:
            return _MISSING
        obj = obj[key]
    return obj


_MISSING = object()


def _delete(obj: dict, path: Path) -> None:
    parent = get(obj, path[:-1])
    if isinstance(parent, dict):
        parent.pop(path[-1], None)


def _merge(target: dict, patch: dict) -> None:
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict) and value:
            _merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


def _nest(paths: set[Path]) -> dict:
    root: dict = {}
    for path in sorted(paths):
        node = root
        for key in path:
            node = node.setdefault(f"f:{key}", {})
    return root


def _flatten(tree: dict, prefix: Path = ()) -> set[Path]:
    if not tree:
        return {prefix} if prefix else set()
    out: set[Path] = set()
    for key, sub in tree.items():
        out |= _flatten(sub, (*prefix, key[2:] if key.startswith("f:") else key))
    return out


def entries(obj: dict) -> dict[tuple[str, str], set[Path]]:
    """(manager, operation) -> owned paths, read from metadata.managedFields."""
    out: dict[tuple[str, str], set[Path]] = {}
    for item in (obj.get("metadata") or {}).get("managedFields") or []:
        out[(item["manager"], item["operation"])] = _flatten(item.get("fieldsV1") or {})
    return out


def _write(obj: dict, owned: dict[tuple[str, str], set[Path]], api_version: str) -> None:
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    obj.setdefault("metadata", {})["managedFields"] = [
        {"manager": manager, "operation": op, "apiVersion": api_version, "time": now, "fieldsType": "FieldsV1",
         "fieldsV1": _nest(paths)}
        for (manager, op), paths in sorted(owned.items()) if paths]


def apply(old: dict, body: dict, manager: str, *, force: bool, api_version: str) -> dict:
    """The object after `manager` applies `body` to `old` (see the module docstring)."""
    owned = entries(old)
    mine = (manager or "unknown", "Apply")
    applied = fields(body)
    others = {key: paths for key, paths in owned.items() if key != mine}
    conflicts = {(path, key[0]) for key, paths in others.items() for path in paths & applied
                 if get(old, path) != get(body, path)}
    if conflicts and not force:
        causes = [{"reason": "FieldManagerConflict", "field": ".".join(p), "message": f'conflict with "{m}"'}
                  for p, m in sorted(conflicts)]
        raise StatusError(409, "Conflict", f"Apply failed with {len(conflicts)} conflict(s): "
                          + "; ".join(f'conflict with "{m}": .{".".join(p)}' for p, m in sorted(conflicts)),
                          {"causes": causes})
    new = copy.deepcopy(old)
    still_owned = set().union(*others.values()) if others else set()
    for path in owned.get(mine, set()) - applied - still_owned:
        _delete(new, path)
    _merge(new, {key: body[key] for key in _TOP if key in body})
    meta = body.get("metadata") or {}
    for key in _META:
        if key in meta:
            _merge(new.setdefault("metadata", {}), {key: meta[key]})
    taken = {path for path, _m in conflicts}
    owned = {key: paths - taken for key, paths in others.items()}
    owned[mine] = applied
    new["metadata"].pop("resourceVersion", None)
    _write(new, owned, api_version)
    return new


def update(old: dict | None, new: dict, manager: str, *, api_version: str) -> dict:
    """Record an Update by `manager`: fields whose value changed become its own."""
    owned = entries(old) if old is not None else {}
    changed = {p for p in fields(new) if old is None or get(old, p) != get(new, p)}
    mine = (manager or "unknown", "Update")
    owned = {key: (paths - changed if key != mine else paths) for key, paths in owned.items()}
    owned[mine] = owned.get(mine, set()) | changed
    _write(new, owned, api_version)
    return new


def created_by_apply(obj: dict, manager: str, *, api_version: str) -> dict:
    """An apply that creates the object: its manager's Apply entry owns every field it set."""
    _write(obj, {(manager or "unknown", "Apply"): fields(obj)}, api_version)
    return obj

"""Rolling-update decisions of the simulated Deployment controller, as pure functions.

`plan` follows the real controller (reconcileNewReplicaSet / reconcileOldReplicaSets with
cleanupUnhealthyReplicas); `status_for` writes status and the Progressing/Available conditions
with the reasons and messages the real controller uses.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any


def resolve(value: int | str | None, replicas: int, *, up: bool) -> int:
    """maxSurge/maxUnavailable: an int, or a percentage rounded up (surge) or down (unavailable)."""
    if value is None:
        value = "25%"
    if isinstance(value, str) and value.endswith("%"):
        raw = int(value[:-1]) * replicas / 100
        return math.ceil(raw) if up else math.floor(raw)
    return int(value)


def ready(pod: dict) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in (pod.get("status") or {}).get("conditions") or [])


def _limits(spec: dict) -> tuple[int, int, int]:
    replicas = spec.get("replicas", 1)
    rolling = (spec.get("strategy") or {}).get("rollingUpdate") or {}
    surge = resolve(rolling.get("maxSurge"), replicas, up=True)
    unavailable = resolve(rolling.get("maxUnavailable"), replicas, up=False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return replicas, surge, unavailable


def plan(spec: dict, new: list[dict], old: list[dict]) -> tuple[int, list[dict]]:
    """-> (new pods to create, pods to delete)."""
    replicas, surge, unavailable = _limits(spec)
    if len(new) > replicas:
        extra = sorted(new, key=ready)[: len(new) - replicas]
        return 0, extra
    total = len(new) + len(old)
    create = max(0, min(replicas + surge - total, replicas - len(new)))
    min_available = replicas - unavailable
    available = sum(ready(p) for p in new + old)
    new_unavailable = sum(not ready(p) for p in new)
    budget = total - min_available - new_unavailable
    remove: list[dict] = []
    for pod in [p for p in old if not ready(p)]:  # unhealthy old pods go first
        if budget <= 0:
            break
        remove.append(pod)
        budget -= 1
    can = min(budget, available - min_available)
    remove += [p for p in old if ready(p)][: max(0, can)]
    return create, remove


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def status_for(dep: dict, pods: list[dict], new: list[dict], *, rs_name: str, track: Any, now: float) -> dict:
    spec = dep["spec"]
    replicas, _surge, unavailable = _limits(spec)
    ready_all = sum(ready(p) for p in pods)
    updated = len(new)
    generation = dep["metadata"].get("generation", 1)
    complete = updated == replicas and len(pods) == replicas and ready_all >= replicas
    deadline = spec.get("progressDeadlineSeconds", 600)
    from tritonship_standins.kube.progress import progressing as progress_condition  # a stale deadline stays

    progressing = progress_condition(track, rs_name=rs_name, counts=(updated, ready_all, len(pods) - updated),
                                     complete=complete, deadline=deadline, now=now)
    if ready_all >= replicas - unavailable:
        available = ("True", "MinimumReplicasAvailable", "Deployment has minimum availability.")
    else:
        available = ("False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.")
    status: dict[str, Any] = {"observedGeneration": generation}
    for key, value in (("replicas", len(pods)), ("updatedReplicas", updated), ("readyReplicas", ready_all),
                       ("availableReplicas", ready_all), ("unavailableReplicas", max(0, len(pods) - ready_all))):
        if value:  # the real API omits zero counts
            status[key] = value
    status["conditions"] = [_condition(track, "Available", available, now),
                            _condition(track, "Progressing", progressing, now, track.last_progress)]
    return status


def _condition(track: Any, kind: str, value: tuple[str, str, str], now: float, updated: float | None = None) -> dict:
    status, reason, message = value
    key = f"{kind}={status}"
    if not track.transitions.get(kind, "").startswith(key):
        track.transitions[kind] = f"{key}@{_iso(now)}"
    since = track.transitions[kind].split("@", 1)[1]
    return {"type": kind, "status": status, "reason": reason, "message": message,
            "lastUpdateTime": _iso(updated) if updated is not None else since,
            "lastTransitionTime": since}

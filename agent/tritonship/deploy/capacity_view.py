"""Capacity preflight: read what the cluster has (adapter), then decide whether the release's peak
footprint fits (pure `fit_check`).

Free room per node = allocatable minus what scheduled, unfinished pods request — this app's running
pods included: they keep their room until the new ones are up. The new pods are the strategy's peak
(`capacity.peak_new_pods`). Nodes the pods cannot use (node selector, cordoned, an untolerated
NoSchedule/NoExecute taint) are left out. A shortfall fails the check, unless the cluster can grow
(`capacity.growable_groups`): then it is a warning that names the node groups.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tritonship.deploy import capacity

if TYPE_CHECKING:
    from tritonship.deploy.kube import Kube
    from tritonship.spec.environment import Environment
    from tritonship.spec.model import Spec

AUTOSCALER_STATUS = ("kube-system", "cluster-autoscaler-status")


@dataclass(frozen=True)
class ClusterView:
    nodes: tuple[dict, ...]
    pods: tuple[dict, ...]  # scheduled, unfinished pods of every namespace
    request: capacity.Amounts  # one new pod
    new_pods: int
    why: str  # how new_pods was counted
    node_selector: dict[str, str]
    tolerations: tuple[dict, ...]
    growable: tuple[str, ...] | None


def cluster_view(kube: Kube, spec: Spec, env_name: str) -> ClusterView:
    """Read Nodes, Pods (every namespace, paginated) and the autoscaler's status; ApiError 403 propagates."""
    from tritonship.deploy.manifests import base_labels, pod_resources

    env = spec.environments[env_name]
    nodes = kube.list("Node")
    pods = [p for p in kube.list("Pod") if (p.get("spec") or {}).get("nodeName")
            and (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")]
    mine = base_labels(spec.project, env_name)
    existing = sum(1 for p in pods if (p.get("metadata") or {}).get("namespace") == env.namespace
                   and all(((p["metadata"].get("labels") or {}).get(k) == v) for k, v in mine.items()))
    new_pods, why = new_pod_count(env, existing)
    tolerations = [t.model_dump(exclude_none=True) for t in env.tolerations]
    tolerations += capacity.implicit_tolerations(env.resources.gpus, nodes)
    growable = capacity.growable_groups(env.capacity == "autoscaling", _autoscaler_status(kube), nodes)
    return ClusterView(tuple(nodes), tuple(pods), capacity.parse_amounts(pod_resources(env)["requests"]),
                       new_pods, why, dict(env.node_selector), tuple(tolerations),
                       None if growable is None else tuple(growable))


def new_pod_count(env: Environment, existing: int) -> tuple[int, str]:
    """The strategy's peak of new pods, and a few words on how it was counted."""
    from tritonship.deploy.strategies.canary import replica_split

    kind = env.strategy.kind
    replicas = max(env.replicas, existing) if env.autoscaling else env.replicas
    if kind == "canary":
        canary = env.strategy.canary
        splits = [replica_split(replicas, s.set_weight, canary.baseline) for s in canary.steps
                  if s.set_weight is not None and s.set_weight < 100]
        top = max(splits, key=lambda s: s.canary + s.baseline, default=None)
        n = capacity.peak_new_pods(kind, replicas, existing, canary_pods=top.canary if top else 0,
                                   baseline_pods=top.baseline if top else 0, max_surge="25%")
    else:
        surge = env.strategy.rolling.max_surge if env.strategy.rolling else "25%"
        n = capacity.peak_new_pods(kind, replicas, existing, max_surge=surge)
    return n, f"{kind} peak beside {existing} running pod(s) of this release"


def _autoscaler_status(kube: Kube) -> str | None:
    from tritonship.deploy.kube import ApiError

    try:
        found = kube.find("ConfigMap", AUTOSCALER_STATUS[1], AUTOSCALER_STATUS[0])
    except ApiError as exc:
        if exc.status == 403:
            return None  # not ours to read: no evidence either way
        raise
    return None if found is None else str((found.get("data") or {}).get("status", ""))


def fit_check(view: ClusterView) -> tuple[str, str]:
    """-> (passed | failed | warning, detail). Pure."""
    rooms, blocked = _rooms(view)
    used = _used(view.pods)
    free = [capacity.NodeRoom(n.name, {r: n.free.get(r, 0.0) - used.get(n.name, {}).get(r, 0.0)
                                       for r in capacity.RESOURCES}) for n in rooms]
    fit = capacity.first_fit_decreasing([view.request] * view.new_pods, free)
    detail = f"{fit.message} ({view.why})"
    if fit.fits:
        return "passed", detail
    if blocked and not rooms:
        detail += "; " + "; ".join(blocked[:3])
    if view.growable is not None:
        return "warning", f"{detail}; the cluster can grow: node group(s) {', '.join(view.growable)}"
    return "failed", detail


def _rooms(view: ClusterView) -> tuple[list[capacity.NodeRoom], list[str]]:
    rooms, blocked = [], []
    for node in view.nodes:
        meta, spec = node.get("metadata") or {}, node.get("spec") or {}
        labels = meta.get("labels") or {}
        if spec.get("unschedulable") or any(labels.get(k) != v for k, v in view.node_selector.items()):
            continue
        taints = capacity.blocking_taints(node, list(view.tolerations))
        if taints:
            blocked.append(f"node {meta.get('name')} has taint {taints[0]} that the spec does not tolerate")
            continue
        alloc = (node.get("status") or {}).get("allocatable") or {}
        rooms.append(capacity.NodeRoom(meta["name"], capacity.parse_amounts(alloc)))
    return rooms, blocked


def _used(pods: tuple[dict, ...]) -> dict[str, capacity.Amounts]:
    used: dict[str, capacity.Amounts] = {}
    for pod in pods:
        node = used.setdefault(pod["spec"]["nodeName"], {})
        for c in pod["spec"].get("containers") or []:
            for r, v in capacity.parse_amounts(((c.get("resources") or {}).get("requests")) or {}).items():
                node[r] = node.get(r, 0.0) + v
    return used

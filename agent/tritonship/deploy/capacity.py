"""Will the new pods fit? First-fit decreasing of requested cpu, memory and GPUs onto nodes' free capacity.

Pure: quantities in, a verdict out. Free capacity = allocatable minus what pods already request.
"""

from __future__ import annotations

from dataclasses import dataclass

RESOURCES = ("cpu", "memory", "nvidia.com/gpu")


def quantity(text: str | int | float) -> float:
    """'500m' -> 0.5, '2Gi' -> 2147483648, 3 -> 3: the Kubernetes client's own `parse_quantity`
    (the resource.Quantity format of k8s.io/apimachinery: decimal and binary SI suffixes, exponents)."""
    if isinstance(text, int | float):
        return float(text)
    from kubernetes.utils.quantity import parse_quantity  # imported here: the kubernetes package is heavy

    try:
        return float(parse_quantity(str(text).strip()))
    except (ValueError, ArithmeticError) as exc:  # decimal.InvalidOperation is an ArithmeticError
        raise ValueError(f"not a Kubernetes quantity: {text!r}") from exc


def show(resource: str, value: float) -> str:
    if resource == "cpu":
        return f"{value * 1000:.0f}m" if value < 10 else f"{value:g}"
    if resource == "memory":
        return f"{value / 2**20:.0f}Mi" if value < 2**30 else f"{value / 2**30:.2f}Gi"
    return f"{value:g}"


Amounts = dict[str, float]


@dataclass(frozen=True)
class NodeRoom:
    name: str
    free: Amounts


@dataclass(frozen=True)
class Fit:
    fits: bool
    placed: dict[str, int]  # node -> new pods placed
    unplaced: int
    short: dict[str, float]  # resource -> how much more is needed (0 when only fragmentation)
    message: str


def parse_amounts(values: dict[str, str]) -> Amounts:
    return {r: quantity(values[r]) for r in RESOURCES if r in values}


def first_fit_decreasing(pods: list[Amounts], nodes: list[NodeRoom]) -> Fit:
    """Place the pods, biggest first, each on the first node where every resource fits."""
    free = {n.name: dict(n.free) for n in nodes}
    placed: dict[str, int] = {}
    left: list[Amounts] = []
    for pod in sorted(pods, key=lambda p: tuple(p.get(r, 0.0) for r in ("nvidia.com/gpu", "cpu", "memory")),
                      reverse=True):
        node = next((n for n, room in free.items() if all(room.get(r, 0.0) >= v for r, v in pod.items() if v)), None)
        if node is None:
            left.append(pod)
            continue
        for r, v in pod.items():
            free[node][r] = free[node].get(r, 0.0) - v
        placed[node] = placed.get(node, 0) + 1
    if not left:
        return Fit(True, placed, 0, {}, f"{len(pods)} pod(s) fit on {len(placed)} node(s)")
    return _shortfall(pods, left, free, placed)


def _shortfall(pods: list[Amounts], left: list[Amounts], free: dict[str, Amounts], placed: dict[str, int]) -> Fit:
    short: dict[str, float] = {}
    for r in RESOURCES:
        need = sum(p.get(r, 0.0) for p in left)
        have = sum(max(0.0, room.get(r, 0.0)) for room in free.values())
        if need > have + 1e-9:
            short[r] = need - have
    head = f"{len(left)} of {len(pods)} new pod(s) do not fit"
    if short:
        detail = ", ".join(f"{r} short by {show(r, v)}" for r, v in short.items())
    else:
        per_pod = ", ".join(f"{r} {show(r, v)}" for r, v in left[0].items() if v)
        detail = f"enough in total but no single node has room for a pod ({per_pod})"
    return Fit(False, placed, len(left), short, f"{head}: {detail}")


# -- taints --------------------------------------------------------------------------------------------
def tolerates(tolerations: list[dict], taint: dict) -> bool:
    """Whether any toleration tolerates the taint: k8s.io/api core/v1 `Toleration.ToleratesTaint`
    (an empty effect matches every effect, an empty key every key; Exists ignores the value)."""
    for t in tolerations:
        if t.get("effect") and t["effect"] != taint.get("effect"):
            continue
        if t.get("key") and t["key"] != taint.get("key"):
            continue
        if (t.get("operator") or "Equal") == "Exists" or (t.get("value") or "") == (taint.get("value") or ""):
            return True
    return False


def blocking_taints(node: dict, tolerations: list[dict]) -> list[str]:
    """The node's NoSchedule/NoExecute taints that no toleration tolerates (the scheduler's
    TaintToleration filter; PreferNoSchedule only scores, it never blocks)."""
    taints = (node.get("spec") or {}).get("taints") or []
    return [f"{t.get('key')}{'=' + t['value'] if t.get('value') else ''}:{t.get('effect')}" for t in taints
            if t.get("effect") in ("NoSchedule", "NoExecute") and not tolerates(tolerations, t)]


def implicit_tolerations(gpus: int, nodes: list[dict]) -> list[dict]:
    """Tolerations the cluster adds by itself: GKE enables the ExtendedResourceToleration admission
    plugin, which gives a pod that requests `nvidia.com/gpu` the toleration `nvidia.com/gpu:Exists`
    (for the taint GKE puts on every GPU node). Recognised by GKE's node-pool label."""
    gke = any("cloud.google.com/gke-nodepool" in ((n.get("metadata") or {}).get("labels") or {}) for n in nodes)
    return [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}] if gpus and gke else []


# -- how many new pods at the peak ------------------------------------------------------------------
def surge_pods(max_surge: int | str, replicas: int) -> int:
    """maxSurge as the Deployment controller resolves it: a percentage of replicas, rounded up."""
    if isinstance(max_surge, str) and max_surge.endswith("%"):
        return -(-int(max_surge[:-1]) * replicas // 100)
    return int(max_surge)


def peak_new_pods(strategy: str, replicas: int, existing: int, *, max_surge: int | str = "25%",
                  canary_pods: int = 0, baseline_pods: int = 0) -> int:
    """Pods the release adds beside those of the app that run now (which keep their room):
    a first release (nothing running) needs `replicas`; rolling adds up to `maxSurge` at a time;
    blue-green starts a whole second colour; canary adds its canary and baseline pods at the largest
    weight, and the stable Deployment's rolling surge when it takes the new image."""
    if existing <= 0:
        return replicas
    if strategy == "blue-green":
        return replicas
    surge = surge_pods(max_surge, replicas)
    if strategy == "canary":
        return canary_pods + baseline_pods + surge
    return surge


# -- can the cluster grow? -------------------------------------------------------------------------
GROUP_LABELS = ("eks.amazonaws.com/nodegroup", "alpha.eksctl.io/nodegroup-name", "cloud.google.com/gke-nodepool",
                "karpenter.sh/nodepool", "karpenter.sh/provisioner-name", "kubernetes.azure.com/agentpool")
_KARPENTER = ("karpenter.sh/nodepool", "karpenter.sh/provisioner-name")


def node_group(node: dict) -> str | None:
    labels = (node.get("metadata") or {}).get("labels") or {}
    return next((labels[k] for k in GROUP_LABELS if labels.get(k)), None)


def growable_groups(declared: bool, autoscaler_status: str | None, nodes: list[dict]) -> list[str] | None:
    """The node groups that can grow, or None when nothing says the cluster autoscales.

    Evidence, as an SRE would look for it: the cluster-autoscaler's status ConfigMap
    (kube-system/cluster-autoscaler-status; its `Name:` lines are the node groups it manages),
    Karpenter's node-pool labels on nodes, or `capacity: autoscaling` in the spec."""
    import re

    groups: list[str] = []
    if autoscaler_status is not None:
        groups += re.findall(r"^\s*Name:\s*(\S+)", autoscaler_status, flags=re.MULTILINE)
    karpenter = [n for n in nodes if any(k in ((n.get("metadata") or {}).get("labels") or {}) for k in _KARPENTER)]
    groups += [g for n in karpenter if (g := node_group(n))]
    if declared:
        groups += [g for n in nodes if (g := node_group(n))]
    if autoscaler_status is None and not karpenter and not declared:
        return None
    return sorted(set(groups)) or ["(unnamed)"]

"""A minimal HorizontalPodAutoscaler controller for the simulator.

Mirrors the decisions of kube-controller-manager's podautoscaler (horizontal.go,
reconcileAutoscaler): a target scaled to 0 disables autoscaling; replicas above maxReplicas go to
max, below minReplicas to min ("Current number of replicas below Spec.MinReplicas"); otherwise the
metrics decide — here `Behaviour.hpa_desired[hpa name]` stands for what the metrics would ask,
clamped to [min, max]. It scales through an Update by field manager `kube-controller-manager`, so
`spec.replicas` moves to that manager in managedFields, exactly as a real scale does.
"""

from __future__ import annotations

from tritonship_standins.kube import managed
from tritonship_standins.kube.store import BY_PATH, StatusError, Store, now_iso

HPA = BY_PATH[("autoscaling/v2", "horizontalpodautoscalers")]
DEPLOYMENT = BY_PATH[("apps/v1", "deployments")]
MANAGER = "kube-controller-manager"


def desired_replicas(current: int, low: int, high: int, wanted: int | None) -> int:
    """What the HPA sets the target to. Pure."""
    if current == 0 and low != 0:
        return 0  # autoscaling is disabled while the target is scaled to zero
    if current > high:
        return high
    if current < low:
        return low
    return current if wanted is None else min(max(wanted, low), high)


def reconcile_hpas(store: Store, wanted: dict[str, int]) -> None:
    for hpa in store.list(HPA):
        spec, ns = hpa.get("spec") or {}, hpa["metadata"]["namespace"]
        ref = spec.get("scaleTargetRef") or {}
        if ref.get("kind") != "Deployment":
            continue
        try:
            dep = store.get(DEPLOYMENT, ns, ref.get("name", ""))
        except StatusError:
            continue  # a missing target: the real controller reports FailedGetScale and waits
        current = int((dep.get("spec") or {}).get("replicas", 1))
        target = desired_replicas(current, int(spec.get("minReplicas", 1)), int(spec.get("maxReplicas", 1)),
                                  wanted.get(hpa["metadata"]["name"]))
        if target != current:
            new = {**dep, "spec": {**dep["spec"], "replicas": target}}
            new = managed.update(dep, new, MANAGER, api_version="apps/v1")
            store.update(DEPLOYMENT, ns, dep["metadata"]["name"], new)
        status = {"currentReplicas": current, "desiredReplicas": target}
        if target != current:
            status["lastScaleTime"] = now_iso()
        if any(hpa.get("status", {}).get(k) != v for k, v in status.items()):
            store.update(HPA, ns, hpa["metadata"]["name"], {**hpa, "status": {**hpa.get("status", {}), **status}},
                         status_only=True)

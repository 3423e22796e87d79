"""How big each track is when a HorizontalPodAutoscaler owns the stable one.

Without `autoscaling:` the spec's `replicas` is the size, written in the manifests. With it, the HPA
owns the serving Deployment's `spec.replicas` (the manifests omit the field, so server-side apply
never takes it back) and tritonship follows the HPA instead of fighting it:

* the new track is sized from the stable track's *current* replicas (what the HPA chose), clamped
  to the HPA's [min, max] — as Argo Rollouts sizes a canary from the Rollout's current replicas;
* canary weights never scale stable below the HPA's minimum (the HPA would scale it straight back):
  the canary is added beside it and the weight it gets is reported as it really is;
* sizes are set through the scale path (an Update with its own managedFields entry), never applied.

`full_size` and `canary_split` are pure; the rest are thin adapters used by the strategies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tritonship.deploy.manifests import hpa_bounds
from tritonship.deploy.strategies.canary import Split, replica_split

if TYPE_CHECKING:
    from tritonship.deploy.kube import Kube
    from tritonship.deploy.promotion import Promotion
    from tritonship.spec.environment import Environment

TOTAL_KEY = "sized_total"  # p.state: the stable size the release started from


def full_size(env: Environment, live_stable: int | None) -> int:
    """A track's full size: the spec's replicas, or with an HPA the stable track's current replicas
    within the HPA's bounds (the spec's replicas when stable does not run yet)."""
    if env.autoscaling is None:
        return env.replicas
    low, high = hpa_bounds(env)
    return min(max(live_stable if live_stable is not None else env.replicas, low), high)


def canary_split(total: int, weight: int, baseline: bool, stable_min: int = 0) -> Split:
    """`replica_split`, but stable never below `stable_min` (the HPA's minimum): the canary is then
    added beside the minimum rather than taken from it."""
    split = replica_split(total, weight, baseline)
    if split.stable >= stable_min:
        return split
    return Split(split.canary, split.baseline, stable_min)


def live_replicas(kube: Kube, namespace: str, name: str) -> int | None:
    dep = kube.find("Deployment", name, namespace)
    return None if dep is None else int((dep.get("spec") or {}).get("replicas", 1))


def split_for(p: Promotion, weight: int, stable_names: list[str]) -> Split:
    """The split for a canary weight; with an HPA, from stable's size when the canary started."""
    if p.env.autoscaling is None:
        return replica_split(p.env.replicas, weight, p.env.strategy.canary.baseline)
    if TOTAL_KEY not in p.state:
        live = live_replicas(p.kube, p.namespace, stable_names[0]) if stable_names else None
        p.state[TOTAL_KEY] = full_size(p.env, live)
        p.save()
    return canary_split(p.state[TOTAL_KEY], weight, p.env.strategy.canary.baseline, hpa_bounds(p.env)[0])


def track_size(p: Promotion, active: list[str]) -> int:
    """Full size of a new blue-green colour: from the active colour's current replicas under an HPA."""
    if TOTAL_KEY not in p.state:
        live = live_replicas(p.kube, p.namespace, active[0]) if active and p.env.autoscaling else None
        p.state[TOTAL_KEY] = full_size(p.env, live)
        p.save()
    return p.state[TOTAL_KEY]


def ensure_size(p: Promotion, name: str, replicas: int) -> None:
    """Under an HPA the applied Deployment has no replicas: set them through the scale path."""
    from tritonship.deploy import steps

    if p.env.autoscaling is not None and live_replicas(p.kube, p.namespace, name) != replicas:
        steps.scale(p.kube, p.namespace, name, replicas)

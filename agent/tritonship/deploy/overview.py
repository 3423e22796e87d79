"""Read-only views of an environment: its history and what runs there now. `status` checks the last
succeeded record against the cluster (verify.py): a record is never shown as running unverified."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tritonship.deploy.ledger import Ledger
from tritonship.deploy.ledger_signing import ledger_store
from tritonship.deploy.lock import lease_name
from tritonship.deploy.steps import rollout_status
from tritonship.deploy.verify import verify_release

if TYPE_CHECKING:
    from tritonship.deploy.world import World
    from tritonship.spec.model import Spec


@dataclass(frozen=True)
class EnvStatus:
    env: str
    namespace: str
    ledger: Ledger
    deployments: tuple[dict[str, Any], ...]
    lock_holder: str | None
    drift: tuple[str, ...] = ()  # how the cluster differs from the last succeeded record (verify.py)

    @property
    def running(self) -> dict[str, Any] | None:
        rel = self.ledger.last_succeeded()
        return rel.summary() if rel else None

    @property
    def in_progress(self) -> dict[str, Any] | None:
        rel = self.ledger.current
        return rel.summary() if rel else None


def read_history(world: World, spec: Spec, env_name: str) -> Ledger:
    return ledger_store(world.kube_for(env_name), spec, env_name).read()


def read_status(world: World, spec: Spec, env_name: str) -> EnvStatus:
    env = spec.environment(env_name)
    kube = world.kube_for(env_name)
    ledger = ledger_store(kube, spec, env_name).read()
    selector = f"app.kubernetes.io/name={spec.project},app.kubernetes.io/instance={spec.project}-{env_name}"
    deployments = tuple(_deployment_view(d) for d in kube.list("Deployment", env.namespace, selector))
    lease = kube.find("Lease", lease_name(spec.project, env_name), env.namespace)
    holder = ((lease or {}).get("spec") or {}).get("holderIdentity")
    last = ledger.last_succeeded()
    drift = verify_release(kube, env.namespace, last.manifests).problems if last and last.manifests else ()
    return EnvStatus(env_name, env.namespace, ledger, deployments, holder, drift)


def _deployment_view(dep: dict) -> dict[str, Any]:
    status = dep.get("status") or {}
    meta = dep["metadata"]
    containers = dep["spec"]["template"]["spec"].get("containers") or [{}]
    return {
        "name": meta["name"], "image": containers[0].get("image"),
        "revision": (meta.get("labels") or {}).get("tritonship.io/revision"),
        "track": (meta.get("labels") or {}).get("tritonship.io/track"),
        "replicas": dep["spec"].get("replicas", 1), "ready": status.get("readyReplicas", 0),
        "updated": status.get("updatedReplicas", 0), "available": status.get("availableReplicas", 0),
        "rollout": rollout_status(dep).message,
    }

"""What a recorded revision may make rollback apply: only what tritonship itself renders.

The release ledger is a ConfigMap; its checksum proves no tampering against anyone who can recompute
SHA-256, i.e. nobody. A user who may write ConfigMaps in the environment's namespace (but not, say,
Deployments elsewhere) could otherwise forge a "succeeded" revision whose recorded manifests add objects
of any kind in any namespace, and `tritonship rollback --to N` would apply them with CI's credentials.

So before anything is applied, every recorded object must be one `deploy/manifests.render_release` makes:
a kind (with its apiVersion) from ALL_KINDS, in the environment's namespace, named `<app>` or
`<app>-...`, labelled `app.kubernetes.io/name=<app>` and `app.kubernetes.io/instance=<app>-<env>`, and a
Deployment's containers run the revision's own image. Anything else refuses the rollback (exit 2,
nothing applied). This bounds the damage of a forgery to "run an earlier tritonship-shaped release";
signing the ledger (deploy/ledger_signing.py: an HMAC key CI can read and ConfigMap writers cannot)
stops the forgery itself. The engine runs this check on every record it may re-apply
(deploy/release_run.py: ReleaseRun.attach), `history --sign` before it vouches for a history.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tritonship.deploy.manifests import ALL_KINDS, base_labels
from tritonship.errors import BadInput

if TYPE_CHECKING:
    from tritonship.deploy.ledger import Release
    from tritonship.spec.model import Spec

__all__ = ["API_VERSIONS", "check_restorable", "problems"]

API_VERSIONS = {
    "Deployment": "apps/v1", "Service": "v1", "PodDisruptionBudget": "policy/v1",
    "HorizontalPodAutoscaler": "autoscaling/v2", "ServiceMonitor": "monitoring.coreos.com/v1",
    "PodMonitor": "monitoring.coreos.com/v1",
}
assert set(API_VERSIONS) == set(ALL_KINDS)


def check_restorable(release: Release, spec: Spec, env_name: str) -> None:
    """BadInput (exit 2) unless every manifest recorded in `release` is one tritonship renders for this env."""
    namespace = spec.environment(env_name).namespace
    found = problems(release.manifests, app=spec.project, env_name=env_name, namespace=namespace,
                     image=release.image)
    if found:
        listed = "\n  ".join(found[:5]) + (f"\n  ... and {len(found) - 5} more" if len(found) > 5 else "")
        raise BadInput(f"revision {release.revision} of {env_name!r} records objects tritonship does not render; "
                       f"refusing to apply anything:\n  {listed}",
                       hint="the release history may have been forged: inspect the ledger ConfigMap "
                            f"(tritonship history --env {env_name} --json) before trusting it")


def problems(manifests: list[Any], *, app: str, env_name: str, namespace: str, image: str) -> list[str]:
    """Every way the recorded objects differ from what render_release could have made. Pure."""
    out: list[str] = []
    for index, obj in enumerate(manifests):
        out.extend(f"object {index}: {text}" for text in _object_problems(obj, app, env_name, namespace, image))
    return out


def _object_problems(obj: Any, app: str, env_name: str, namespace: str, image: str) -> list[str]:
    if not isinstance(obj, dict) or not isinstance(obj.get("metadata"), dict):
        return ["not a Kubernetes object"]
    kind, meta = obj.get("kind"), obj["metadata"]
    what = f"{kind} {meta.get('namespace')}/{meta.get('name')}"
    found = []
    if kind not in API_VERSIONS or obj.get("apiVersion") != API_VERSIONS[kind]:
        found.append(f"{what}: kind {obj.get('apiVersion')}/{kind} is not one tritonship renders")
    if meta.get("namespace") != namespace:
        found.append(f"{what}: not in the environment's namespace {namespace!r}")
    name = meta.get("name")
    if not (isinstance(name, str) and (name == app or name.startswith(app + "-"))):
        found.append(f"{what}: name is not {app!r} or {app}-...")
    labels = meta.get("labels") if isinstance(meta.get("labels"), dict) else {}
    if any(labels.get(k) != v for k, v in base_labels(app, env_name).items()):
        found.append(f"{what}: lacks the labels {base_labels(app, env_name)}")
    if kind == "Deployment":
        found.extend(f"{what}: container runs {img!r}, not the revision's image" for img in _images(obj)
                     if img != image)
    return found


def _images(deployment: dict) -> list[str]:
    pod = ((deployment.get("spec") or {}).get("template") or {}).get("spec") or {}
    containers = [*(pod.get("containers") or []), *(pod.get("initContainers") or [])]
    return [c.get("image") if isinstance(c, dict) else repr(c) for c in containers]

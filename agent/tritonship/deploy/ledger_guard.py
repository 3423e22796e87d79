"""What a recorded revision may make rollback apply: only what tritonship itself renders.

The release ledger is a ConfigMap; its checksum proves no tampering against anyone who can recompute
SHA-256, i.e. nobody. A user who may write ConfigMaps in the environment's namespace (but not, say,
Deployments elsewhere) could otherwise forge a "succeeded" revision whose recorded manifests add objects
of any kind in any namespace, and `tritonship rollback --to N` would apply them with CI's credentials.

So before anything is applied, every recorded object must be one `deploy/manifests.render_release` makes:
a kind (with its apiVersion) from ALL_KINDS, in the environment's namespace, named `<app>` or
`<app>-...`, labelled `app.kubernetes.io/name=<app>` and `app.kubernetes.io/instance=<app>-<env>`, and a
Deployment's containers run the revision's own images: its containers the recorded Triton image; for the
modelcar layout, an init container only as tritonship's copier (the recorded model image running
image/modelcar.copy_command) and an image volume only of the model image; a modelcar record's model
image is the image it says was built. Anything else refuses the rollback (exit 2,
nothing applied). This bounds the damage of a forgery to "run an earlier tritonship-shaped release";
signing the ledger (deploy/ledger_signing.py: an HMAC key CI can read and ConfigMap writers cannot)
stops the forgery itself. The engine runs this check on every record it may re-apply
(deploy/release_run.py: ReleaseRun.attach), `history --sign` before it vouches for a history.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tritonship.deploy.manifests import ALL_KINDS, base_labels
from tritonship.errors import BadInput
from tritonship.image.modelcar import ImagePair, copy_command

if TYPE_CHECKING:
    from tritonship.deploy.ledger import Release
    from tritonship.spec.model import Spec

__all__ = ["API_VERSIONS", "check_restorable", "pair_problems", "problems"]

API_VERSIONS = {
    "Deployment": "apps/v1", "Service": "v1", "PodDisruptionBudget": "policy/v1",
    "HorizontalPodAutoscaler": "autoscaling/v2", "ServiceMonitor": "monitoring.coreos.com/v1",
    "PodMonitor": "monitoring.coreos.com/v1",
}
assert set(API_VERSIONS) == set(ALL_KINDS)


def check_restorable(release: Release, spec: Spec, env_name: str) -> None:
    """BadInput (exit 2) unless every manifest recorded in `release` is one tritonship renders for this env."""
    namespace = spec.environment(env_name).namespace
    found = pair_problems(release) + problems(release.manifests, app=spec.project, env_name=env_name,
                                              namespace=namespace, image=release.image, pair=release.pair)
    if found:
        listed = "\n  ".join(found[:5]) + (f"\n  ... and {len(found) - 5} more" if len(found) > 5 else "")
        raise BadInput(f"revision {release.revision} of {env_name!r} records objects tritonship does not render; "
                       f"refusing to apply anything:\n  {listed}",
                       hint="the release history may have been forged: inspect the ledger ConfigMap "
                            f"(tritonship history --env {env_name} --json) before trusting it")


def pair_problems(release: Release) -> list[str]:
    """A record's pair must be one tritonship records: modelcar's model image is its built image. Pure."""
    if release.layout == "modelcar" and release.model_image != release.image:
        return [f"the record's model image {release.model_image!r} is not its built image {release.image!r}"]
    if release.layout != "modelcar" and release.model_image is not None:
        return [f"a {release.layout} record names a model image ({release.model_image!r})"]
    return []


def problems(manifests: list[Any], *, app: str, env_name: str, namespace: str, image: str,
             pair: ImagePair | None = None) -> list[str]:
    """Every way the recorded objects differ from what render_release could have made. Pure."""
    pair = pair or ImagePair("baked", image)
    out: list[str] = []
    for index, obj in enumerate(manifests):
        out.extend(f"object {index}: {text}" for text in _object_problems(obj, app, env_name, namespace, pair))
    return out


def _object_problems(obj: Any, app: str, env_name: str, namespace: str, pair: ImagePair) -> list[str]:
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
        found.extend(f"{what}: {text}" for text in _pod_problems(obj, pair))
    return found


def _pod_problems(deployment: dict, pair: ImagePair) -> list[str]:
    pod = ((deployment.get("spec") or {}).get("template") or {}).get("spec") or {}
    pod = pod if isinstance(pod, dict) else {}
    model = pair.model_image if pair.layout == "modelcar" else None
    out = [f"container runs {img!r}, not the revision's image" for img in _images(pod.get("containers"))
           if img != pair.triton_image]
    for init in pod.get("initContainers") or []:
        ok = model is not None and isinstance(init, dict) and init.get("image") == model \
            and init.get("command") == copy_command() and not init.get("args")
        if not ok:
            out.append(f"init container {_images([init])[0]!r} is not tritonship's model copier of the revision's "
                       "model image")
    for volume in pod.get("volumes") or []:
        source = volume.get("image") if isinstance(volume, dict) else None
        if source is not None and (model is None or not isinstance(source, dict) or source.get("reference") != model):
            out.append(f"image volume {source!r} is not the revision's model image")
    return out


def _images(containers: Any) -> list[str]:
    return [c.get("image") if isinstance(c, dict) else repr(c) for c in containers or []]

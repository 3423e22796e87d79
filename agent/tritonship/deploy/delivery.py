"""How a modelcar release's model image reaches Triton on this cluster: found by preflight, never assumed.

An image volume (`volumes[].image`) is used only when both hold:

1. the server's version (`GET /version`, as `kubectl version` reads it) is at least 1.31, the first
   API with the field; and
2. a server-side dry-run apply (`dryRun=All`: admission, defaulting and validation, nothing stored)
   of the release's Deployment with the image volume comes back with the volume intact. A cluster
   whose ImageVolume feature gate is off accepts the request but drops the image volume and its
   mounts (kubernetes pkg/api/pod/util.go `dropImageVolumes`), so acceptance alone proves nothing.

`auto` falls back to the init container (works on every cluster) and says why; an explicit
`image-volume` on a cluster without it fails preflight (exit 1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tritonship.deploy.schema_check import IMAGE_VOLUME_SINCE

if TYPE_CHECKING:
    from tritonship.deploy.kube import Kube
    from tritonship.deploy.workload import Workload
    from tritonship.spec.model import Spec

_GIT_VERSION = re.compile(r"^v?(\d+)\.(\d+)")


@dataclass(frozen=True)
class Probe:
    """What the cluster said: its version, and (from 1.31) whether a dry-run apply kept the image volume."""

    version: tuple[int, int] | None
    kept: bool | None = None  # None: not probed (version too old or unknown)
    detail: str = ""


@dataclass(frozen=True)
class Decision:
    delivery: str  # init-container | image-volume
    status: str  # passed | failed
    detail: str


def parse_version(doc: dict) -> tuple[int, int] | None:
    """(major, minor) from a /version document. Pure. Providers write minor as "31+" (GKE, EKS): the
    digits of gitVersion decide, then those of major/minor."""
    match = _GIT_VERSION.match(str(doc.get("gitVersion") or ""))
    if match:
        return int(match.group(1)), int(match.group(2))
    major, minor = (re.sub(r"\D", "", str(doc.get(k) or "")) for k in ("major", "minor"))
    return (int(major), int(minor)) if major and minor else None


def decide(configured: str, probe: Probe) -> Decision:
    """The delivery for `configured` (auto | init-container | image-volume) given what the cluster said. Pure."""
    if configured == "init-container":
        return Decision("init-container", "passed", "init-container (image.model_delivery in tritonship.yaml)")
    version = f"{probe.version[0]}.{probe.version[1]}" if probe.version else "unknown"
    if probe.version is None or probe.version < IMAGE_VOLUME_SINCE:
        why = f"Kubernetes {version} has no image volumes (they need >= 1.31)"
    elif not probe.kept:
        why = f"Kubernetes {version}: {probe.detail or 'a dry-run apply dropped volumes[].image'}"
    else:
        return Decision("image-volume", "passed", f"image-volume: Kubernetes {version} kept volumes[].image in a "
                                                  "dry-run apply")
    if configured == "image-volume":
        return Decision("image-volume", "failed", f"image.model_delivery is image-volume but {why}; use "
                                                  "init-container (or auto) for this cluster")
    return Decision("init-container", "passed", f"init-container: {why}")


def server_version(kube: Kube) -> tuple[int, int] | None:
    return parse_version(kube.request("GET", "/version") or {})


def probe(kube: Kube, spec: Spec, env_name: str, work: Workload) -> Probe:
    """Ask the cluster (see the module docstring). API refusals are answers; an unreachable cluster raises."""
    from dataclasses import replace

    from tritonship.deploy.kube import ApiError
    from tritonship.deploy.manifests import render_release
    from tritonship.deploy.workload import MODELS_VOLUME

    version = server_version(kube)
    if version is None or version < IMAGE_VOLUME_SINCE:
        return Probe(version)
    trial = replace(work, delivery="image-volume")
    deployment = render_release(spec, env_name, trial.artifact, 0, kinds=("Deployment",), workload=trial)[0]
    try:
        answer = kube.apply(deployment, dry_run=True)
    except ApiError as exc:
        return Probe(version, False, f"a dry-run apply with an image volume was refused ({exc.status}: "
                                     f"{exc.message[:200]})")
    pod = ((answer.get("spec") or {}).get("template") or {}).get("spec") or {}
    kept = any(v.get("name") == MODELS_VOLUME and "image" in v for v in pod.get("volumes") or [])
    return Probe(version, kept, "" if kept else "a dry-run apply dropped volumes[].image (the ImageVolume "
                                                "feature gate is off)")

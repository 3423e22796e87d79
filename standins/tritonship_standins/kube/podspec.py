"""A Deployment's pod template as the API server treats it: the ImageVolume feature, and validation.

`Cluster` is what the simulated server is: its version (GET /version) and whether the ImageVolume
feature gate is on. Mirrored behaviour (kubernetes/kubernetes):

- Before 1.31 the API has no `volumes[].image`. A server-side apply carrying it fails while
  building the typed patch (structured-merge-diff): HTTP 500, "failed to create typed patch object
  (NS/NAME; apps/v1, Kind=Deployment): .spec.template.spec.volumes[name="V"].image: field not
  declared in schema" (kubernetes#122480: returned as a plain error, so 500). A JSON create/update
  (fieldValidation defaults to Warn) drops the unknown field, leaving a volume with no source,
  which validation refuses: "must specify a volume type".
- From 1.31 with the gate off, pkg/api/pod/util.go `dropImageVolumes` removes every image volume
  *and the volumeMounts naming it* from the pod template, unless the old object already uses image
  volumes (`imageVolumesInUse(oldPodSpec)`); the request succeeds without them.
- Validation (pkg/apis/core/validation): volume names are DNS-1123 labels, unique, with exactly one
  source; an image volume's pullPolicy is Always, Never or IfNotPresent; container and init
  container names are DNS-1123 labels, unique across both lists; every volumeMount names a volume
  of the pod and has a mountPath, unique within its container.
"""

from __future__ import annotations

from dataclasses import dataclass

from tritonship.spec import k8s_names
from tritonship_standins.kube.store import Kind, StatusError, invalid

IMAGE_VOLUME_SINCE = (1, 31)
SOURCES = ("emptyDir", "image", "configMap", "secret", "persistentVolumeClaim", "hostPath", "projected",
           "downwardAPI", "csi", "ephemeral", "nfs")
PULL_POLICIES = ("Always", "Never", "IfNotPresent")


@dataclass
class Cluster:
    version: str = "1.30.0"  # MAJOR.MINOR.PATCH
    image_volume: bool = False  # the ImageVolume feature gate

    @property
    def minor(self) -> tuple[int, int]:
        major, minor = self.version.split(".")[:2]
        return int(major), int(minor)

    def version_doc(self) -> dict:
        major, minor = self.minor
        return {"major": str(major), "minor": str(minor), "gitVersion": f"v{self.version}-tritonship-sim",
                "platform": "sim"}


def _pod(obj: dict | None) -> dict:
    return (((obj or {}).get("spec") or {}).get("template") or {}).get("spec") or {}


def _image_volumes(pod: dict) -> list[str]:
    return [v.get("name", "") for v in pod.get("volumes") or [] if isinstance(v, dict) and "image" in v]


def check_apply_schema(kind: Kind, body: dict, cluster: Cluster) -> None:
    """A server-side apply of a field this version's schema does not declare (see the docstring)."""
    if kind.kind != "Deployment" or cluster.minor >= IMAGE_VOLUME_SINCE:
        return
    names = _image_volumes(_pod(body))
    if names:
        meta = body.get("metadata") or {}
        raise StatusError(500, "", f"failed to create typed patch object ({meta.get('namespace')}/{meta.get('name')}; "
                                   f'apps/v1, Kind=Deployment): .spec.template.spec.volumes[name="{names[0]}"].image: '
                                   "field not declared in schema")


def drop_disabled(kind: Kind, obj: dict, old: dict | None, cluster: Cluster) -> None:
    """What the server drops before validating: unknown fields (< 1.31), disabled ones (gate off)."""
    if kind.kind != "Deployment":
        return
    pod = _pod(obj)
    names = set(_image_volumes(pod))
    if not names:
        return
    if cluster.minor < IMAGE_VOLUME_SINCE:  # an unknown field: pruned while decoding, the volume stays
        for volume in pod["volumes"]:
            volume.pop("image", None)
        return
    if cluster.image_volume or _image_volumes(_pod(old)):
        return
    pod["volumes"] = [v for v in pod["volumes"] if v.get("name") not in names]
    for key in ("containers", "initContainers"):
        for container in pod.get(key) or []:
            if "volumeMounts" in container:
                container["volumeMounts"] = [m for m in container["volumeMounts"] if m.get("name") not in names]


def validate_pod_template(kind: Kind, obj: dict) -> None:
    """422 Invalid for the first problem of the pod template (see the docstring)."""
    name = (obj.get("metadata") or {}).get("name", "")
    pod = _pod(obj)
    base = "spec.template.spec"
    problem = _volumes_problem(pod, base) or _containers_problem(pod, base)
    if problem:
        raise invalid(kind, name, *problem)


def _volumes_problem(pod: dict, base: str) -> tuple[str, str] | None:
    seen: set[str] = set()
    for i, volume in enumerate(pod.get("volumes") or []):
        where = f"{base}.volumes[{i}]"
        vname = volume.get("name") or ""
        if not k8s_names.DNS1123_LABEL.fullmatch(vname) or len(vname) > 63:
            return f"{where}.name", f"Invalid value: {vname!r}: a lowercase RFC 1123 label is required"
        if vname in seen:
            return f"{where}.name", f"Duplicate value: {vname!r}"
        seen.add(vname)
        sources = [s for s in SOURCES if volume.get(s) is not None]
        if not sources:
            return where, "Required value: must specify a volume type"
        if len(sources) > 1:
            return f"{where}.{sources[1]}", "Forbidden: may not specify more than 1 volume type"
        policy = (volume.get("image") or {}).get("pullPolicy") if "image" in sources else None
        if policy is not None and policy not in PULL_POLICIES:
            return f"{where}.image.pullPolicy", f"Unsupported value: {policy!r}: supported values: " + \
                ", ".join(f'"{p}"' for p in PULL_POLICIES)
    return None


def _containers_problem(pod: dict, base: str) -> tuple[str, str] | None:
    volumes = {v.get("name") for v in pod.get("volumes") or []}
    names: set[str] = set()
    for key in ("containers", "initContainers"):  # an init container may not reuse a container's name
        for i, container in enumerate(pod.get(key) or []):
            where = f"{base}.{key}[{i}]"
            cname = container.get("name") or ""
            if not cname:
                return f"{where}.name", "Required value"
            if not k8s_names.DNS1123_LABEL.fullmatch(cname) or len(cname) > 63:
                return f"{where}.name", f"Invalid value: {cname!r}: a lowercase RFC 1123 label is required"
            if cname in names:
                return f"{where}.name", f"Duplicate value: {cname!r}"
            names.add(cname)
            problem = _mounts_problem(container.get("volumeMounts") or [], volumes, where)
            if problem:
                return problem
    return None


def _mounts_problem(mounts: list[dict], volumes: set, where: str) -> tuple[str, str] | None:
    paths: set[str] = set()
    for j, mount in enumerate(mounts):
        if mount.get("name") not in volumes:
            return f"{where}.volumeMounts[{j}].name", f"Not found: {mount.get('name')!r}"
        path = mount.get("mountPath") or ""
        if not path:
            return f"{where}.volumeMounts[{j}].mountPath", "Required value"
        if path in paths:
            return f"{where}.volumeMounts[{j}].mountPath", f"Invalid value: {path!r}: must be unique"
        paths.add(path)
    return None

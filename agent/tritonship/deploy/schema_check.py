"""Rendered Kubernetes objects are checked against the Kubernetes OpenAPI schemas (the
`kubernetes-validate` package, strict: unknown fields refused) before `render` prints them or `promote`
applies them, so a spec value the API server would reject, or one that smuggles structure into a
field, is bad input (exit 2) here rather than a half-applied release there.

Custom resources (ServiceMonitor, PodMonitor) have no schema in that package and are not checked.

Schema version: 1.30 by default; objects with an image volume (`volumes[].image`, first in the 1.31
API) are checked against 1.31, or against the cluster's own version when preflight read it (`server`,
as "MAJOR.MINOR", clamped to the versions the package carries: 1.25 to 1.37 in kubernetes-validate 1.37).
"""

from __future__ import annotations

from tritonship.errors import BadInput

__all__ = ["KUBERNETES_VERSION", "check_objects", "schema_version"]

KUBERNETES_VERSION = "1.30.0"
IMAGE_VOLUME_SINCE = (1, 31)
_NO_SCHEMA = ("ServiceMonitor", "PodMonitor")


def uses_image_volume(objects: list[dict]) -> bool:
    """Does any Deployment mount an image volume? Pure."""
    return any("image" in (v or {}) for obj in objects if obj.get("kind") == "Deployment"
               for v in (((obj.get("spec") or {}).get("template") or {}).get("spec") or {}).get("volumes") or [])


def schema_version(objects: list[dict], server: tuple[int, int] | None = None) -> str:
    """The Kubernetes version whose schemas check these objects (see the module's docstring)."""
    from kubernetes_validate.utils import all_versions

    floor = IMAGE_VOLUME_SINCE if uses_image_volume(objects) else (1, 30)
    if server is None or server < floor:
        return f"{floor[0]}.{floor[1]}.0"
    known = sorted(tuple(int(p) for p in v.split(".")[:2]) for v in all_versions())
    pick = max((v for v in known if v <= server), default=floor)
    return f"{pick[0]}.{pick[1]}.0"


def check_objects(objects: list[dict], where: str, server: tuple[int, int] | None = None) -> None:
    """BadInput naming each object and field the schema refuses; `where` says which spec/environment."""
    import kubernetes_validate

    version = schema_version(objects, server)
    problems = []
    for obj in objects:
        if obj.get("kind") in _NO_SCHEMA:
            continue
        try:
            kubernetes_validate.validate(obj, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            path = ".".join(str(p) for p in exc.path) or "(object)"
            name = f"{obj.get('kind')} {(obj.get('metadata') or {}).get('name')}"
            problems.append(f"{name}: {path}: {exc.message[:200]}")
        except kubernetes_validate.SchemaNotFoundError:
            continue
    if problems:
        raise BadInput(f"{where}: the rendered objects are not valid Kubernetes objects:\n  " + "\n  ".join(problems),
                       hint="fix the environment's settings in tritonship.yaml")

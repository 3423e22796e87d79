"""Rendered Kubernetes objects are checked against the Kubernetes OpenAPI schemas (the
`kubernetes-validate` package, strict: unknown fields refused) before `render` prints them or `promote`
applies them, so a spec value the API server would reject, or one that smuggles structure into a
field, is bad input (exit 2) here rather than a half-applied release there.

Custom resources (ServiceMonitor, PodMonitor) have no schema in that package and are not checked.
"""

from __future__ import annotations

from tritonship.errors import BadInput

__all__ = ["KUBERNETES_VERSION", "check_objects"]

KUBERNETES_VERSION = "1.30.0"
_NO_SCHEMA = ("ServiceMonitor", "PodMonitor")


def check_objects(objects: list[dict], where: str) -> None:
    """BadInput naming each object and field the schema refuses; `where` says which spec/environment."""
    import kubernetes_validate

    problems = []
    for obj in objects:
        if obj.get("kind") in _NO_SCHEMA:
            continue
        try:
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            path = ".".join(str(p) for p in exc.path) or "(object)"
            name = f"{obj.get('kind')} {(obj.get('metadata') or {}).get('name')}"
            problems.append(f"{name}: {path}: {exc.message[:200]}")
        except kubernetes_validate.SchemaNotFoundError:
            continue
    if problems:
        raise BadInput(f"{where}: the rendered objects are not valid Kubernetes objects:\n  " + "\n  ".join(problems),
                       hint="fix the environment's settings in tritonship.yaml")

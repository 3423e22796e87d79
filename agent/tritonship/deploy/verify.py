"""Verify what runs, never just a name.

A release is running when each of its Deployments carries the release's pod template image and
`tritonship.io/revision` annotation *and* its rollout is complete (the decision `kubectl rollout
status` makes: observedGeneration caught up, all replicas updated and available), and each of its
Services selects exactly what the release rendered. The checks are pure functions of the live
objects; `verify_release` is the thin adapter that reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tritonship.deploy.steps import deployments_of, rollout_status

if TYPE_CHECKING:
    from tritonship.deploy.kube import Kube

REVISION = "tritonship.io/revision"


@dataclass(frozen=True)
class Verdict:
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def message(self) -> str:
        return "; ".join(self.problems) if self.problems else "verified: it runs what was recorded"


def images_of(dep: dict) -> dict[str, str]:
    """name -> image of the pod template's containers, init containers ("init:NAME") and image volumes
    ("volume:NAME"): a modelcar release runs a pair, and returning to a baked one must drop the model image."""
    pod = ((dep.get("spec") or {}).get("template") or {}).get("spec", {})
    out = {c.get("name", ""): c.get("image", "") for c in pod.get("containers") or []}
    out.update({f"init:{c.get('name', '')}": c.get("image", "") for c in pod.get("initContainers") or []})
    out.update({f"volume:{v.get('name', '')}": (v.get("image") or {}).get("reference", "")
                for v in pod.get("volumes") or [] if "image" in v})
    return out


def revision_of(dep: dict) -> str | None:
    return ((dep.get("metadata") or {}).get("annotations") or {}).get(REVISION)


def carries(live: dict | None, want: dict) -> list[str]:
    """What differs between a live Deployment and the one a release rendered: existence, images,
    revision annotation. Pure; says nothing about the rollout."""
    name = want["metadata"]["name"]
    if live is None:
        return [f"Deployment {name} does not exist"]
    problems = []
    if images_of(live) != images_of(want):
        problems.append(f"Deployment {name} runs {_images(live)}, not {_images(want)}")
    if revision_of(live) != revision_of(want):
        problems.append(f"Deployment {name} is revision {revision_of(live)}, not {revision_of(want)}")
    return problems


def deployment_problems(live: dict | None, want: dict) -> list[str]:
    """`carries` plus a complete rollout with the rendered number of replicas available. Pure."""
    problems = carries(live, want)
    if problems:
        return problems
    name = want["metadata"]["name"]
    want_replicas = (want.get("spec") or {}).get("replicas", 1)
    status = rollout_status(live)
    if not status.done:
        return [f"Deployment {name}: {status.message}"]
    available = (live.get("status") or {}).get("availableReplicas", 0)
    if want_replicas and available < want_replicas:
        return [f"Deployment {name}: {available} of {want_replicas} replicas available"]
    return []


def service_problems(live: dict | None, want: dict) -> list[str]:
    """The live Service selects exactly what the release rendered. Pure."""
    name = want["metadata"]["name"]
    if live is None:
        return [f"Service {name} does not exist"]
    have = (live.get("spec") or {}).get("selector") or {}
    expected = (want.get("spec") or {}).get("selector") or {}
    if have != expected:
        return [f"Service {name} selects {have}, not {expected}"]
    return []


def verify_release(kube: Kube, namespace: str, manifests: list[dict]) -> Verdict:
    """Read the release's Deployments and Services and check them."""
    problems: list[str] = []
    for obj in manifests:
        kind, name = obj.get("kind"), obj["metadata"]["name"]
        if kind == "Deployment":
            problems += deployment_problems(kube.find("Deployment", name, namespace), obj)
        elif kind == "Service":
            problems += service_problems(kube.find("Service", name, namespace), obj)
    return Verdict(tuple(problems))


def verify_scaled_down(kube: Kube, namespace: str, manifests: list[dict]) -> Verdict:
    """A first release rolled back runs nothing: its Deployments are at 0 replicas (or absent)."""
    problems = []
    for dep in deployments_of(manifests):
        live = kube.find("Deployment", dep["metadata"]["name"], namespace)
        if live is not None and (live.get("spec") or {}).get("replicas", 1) != 0:
            problems.append(f"Deployment {dep['metadata']['name']} still wants {live['spec']['replicas']} replicas")
    return Verdict(tuple(problems))


def _images(dep: dict) -> str:
    return ", ".join(sorted(images_of(dep).values())) or "no image"

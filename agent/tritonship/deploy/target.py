"""What a promotion deploys: the built image and the pair it runs (image/modelcar.ImagePair), resolved
before preflight.

- `--image` (the built artifact): the layout is the spec's. For ``modelcar`` the artifact is the model
  image and the pods run NVIDIA's Triton image: `--triton-image REPO@sha256:…`, or the spec's
  `image.base_image` pinned to the digest its registry names now (a tag that cannot be resolved is
  refused: a release never records a moving tag).
- `--from ENV`: the pair recorded by the release that succeeded there, as it ran (layout included).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tritonship.deploy.origin import choose_release, digest_of
from tritonship.errors import BadInput

if TYPE_CHECKING:
    from tritonship.deploy.engine import PromoteRequest
    from tritonship.deploy.workload import Workload
    from tritonship.deploy.world import World
    from tritonship.spec.model import Spec


@dataclass(frozen=True)
class Target:
    image: str  # the built artifact, by digest (the model image for modelcar)
    layout: str = "baked"
    triton_image: str = ""  # by digest; the artifact itself for baked
    source: str | None = None  # the environment it comes from

    @property
    def model_image(self) -> str | None:
        return self.image if self.layout == "modelcar" else None

    def workload(self, delivery: str | None = None, model_bytes: int | None = None) -> Workload:
        from tritonship.deploy.workload import planned

        return planned(self.layout, self.image, triton_image=self.triton_image, delivery=delivery,
                       model_bytes=model_bytes)


def resolve_target(world: World, spec: Spec, req: PromoteRequest) -> Target:
    from tritonship.deploy.ledger_signing import ledger_store

    declared = spec.environment(req.env).promote_from
    # `from:` in the spec is a gate: an explicit --image must have succeeded there too, unless the
    # user skips the origin check on purpose (recorded in the history like other skipped preflights)
    skip_origin = "origin" in req.skip_preflight and req.image is not None
    source = req.from_env or (None if skip_origin else declared)
    if source is None:
        if req.image is None:
            raise BadInput(f"say what to promote to {req.env!r}: --image REPOSITORY@sha256:… or --from ENV")
        digest_of(req.image)
        return _explicit(world, spec, req)
    if source == req.env:
        raise BadInput("--from names the environment being promoted to")
    if req.triton_image:
        raise BadInput("--triton-image: a promotion from another environment runs the Triton image recorded there",
                       hint=f"leave out --triton-image (see `tritonship history --env {source}`)")
    spec.environment(source)
    release = choose_release(ledger_store(world.kube_for(source), spec, source).read(), req.image)
    pair = release.pair
    return Target(release.image, pair.layout, pair.triton_image, source)


def _explicit(world: World, spec: Spec, req: PromoteRequest) -> Target:
    layout = spec.image.layout
    if layout != "modelcar":
        if req.triton_image:
            raise BadInput("--triton-image is for image.layout: modelcar (a baked image is its own Triton image)")
        return Target(req.image, "baked", req.image)
    return Target(req.image, "modelcar", pin_triton_image(world, spec, req.triton_image))


def pin_triton_image(world: World, spec: Spec, explicit: str | None) -> str:
    """The modelcar Triton image by digest: `explicit` (checked), or base_image as its registry names it now."""
    if explicit:
        digest_of(explicit)
        return explicit
    base = spec.image.base_image
    if "@" in base:
        digest_of(base)
        return base
    if world.resolve_image is None:
        raise BadInput(f"image.base_image {base!r} is a tag and no registry client is configured to pin it",
                       hint="pass --triton-image REPOSITORY@sha256:<64 hex>")
    return world.resolve_image(base)

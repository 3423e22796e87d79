"""What a release's pods run: the layout, the Triton image, the model image and how it reaches Triton. Pure.

A `Workload` is what `render_release` needs beyond the spec: for the ``baked`` layout just the built
image; for ``modelcar`` NVIDIA's Triton image (run unchanged, with an explicit command) plus the
model image, delivered either by an init container that copies it into a shared ``emptyDir``
(image/modelcar.copy_command) or as an image volume (``volumes[].image``, read-only). The pieces of
the pod spec for each delivery are built here as plain dicts; the template only places them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tritonship.image import modelcar

if TYPE_CHECKING:
    from tritonship.deploy.ledger import Release

TRITON_COMMAND, triton_args = modelcar.TRITON_COMMAND, modelcar.triton_args  # one definition, shared with Jenkins
MODELS_VOLUME = "models"
INIT_CONTAINER = "models"
# The copier streams files (cp -R): little CPU and memory, whatever the size of the models.
COPIER_RESOURCES = {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"cpu": "1", "memory": "256Mi"}}
SIZE_HEADROOM = (11, 10)  # emptyDir sizeLimit: the model image's layer bytes plus 10 % (exact integer ratio)


@dataclass(frozen=True)
class Workload:
    triton_image: str
    layout: str = "baked"
    model_image: str | None = None
    delivery: str | None = None  # modelcar: init-container | image-volume
    model_bytes: int | None = None  # the model image's (uncompressed) layer bytes, when preflight read them

    @classmethod
    def baked(cls, image: str) -> Workload:
        return cls(triton_image=image)

    @classmethod
    def of(cls, release: Release) -> Workload:
        """What a recorded release runs (records written before layouts are baked: their image)."""
        if release.layout != "modelcar" or not release.model_image:
            return cls.baked(release.triton_image or release.image)
        return cls(triton_image=release.triton_image or release.image, layout="modelcar",
                   model_image=release.model_image, delivery=release.delivery or "init-container",
                   model_bytes=release.model_bytes)

    @property
    def artifact(self) -> str:
        """The image that was built: the model image for modelcar, the Triton image for baked."""
        return self.model_image if self.layout == "modelcar" and self.model_image else self.triton_image

    @property
    def images(self) -> tuple[str, ...]:
        return tuple(i for i in (self.triton_image, self.model_image) if i)


def size_limit(model_bytes: int | None) -> str | None:
    """emptyDir sizeLimit for the copied models (Mi, rounded up), None when the size is unknown."""
    if not model_bytes or model_bytes <= 0:
        return None
    num, den = SIZE_HEADROOM
    return f"{max(1, -(-model_bytes * num // (den * 2**20)))}Mi"


def pod_parts(work: Workload, shm_size: str | None, security: dict[str, Any]) -> dict[str, Any]:
    """volumes, the Triton container's volumeMounts and the initContainers for one workload."""
    volumes: list[dict] = []
    mounts: list[dict] = []
    init: list[dict] = []
    if shm_size:
        volumes.append({"name": "dshm", "emptyDir": {"medium": "Memory", "sizeLimit": shm_size}})
        mounts.append({"name": "dshm", "mountPath": "/dev/shm"})  # noqa: S108 -- a path in the pod
    if work.layout == "modelcar" and work.delivery == "image-volume":
        volumes.append({"name": MODELS_VOLUME, "image": {"reference": work.model_image, "pullPolicy": "IfNotPresent"}})
        mounts.append({"name": MODELS_VOLUME, "mountPath": modelcar.IMAGE_VOLUME_MOUNT, "readOnly": True})
    elif work.layout == "modelcar":
        limit = size_limit(work.model_bytes)
        volumes.append({"name": MODELS_VOLUME, "emptyDir": {"sizeLimit": limit} if limit else {}})
        mounts.append({"name": MODELS_VOLUME, "mountPath": modelcar.MODELS_DIR, "readOnly": True})
        init.append({"name": INIT_CONTAINER, "image": work.model_image, "imagePullPolicy": "IfNotPresent",
                     "command": modelcar.copy_command(),
                     "volumeMounts": [{"name": MODELS_VOLUME, "mountPath": modelcar.SHARED_MOUNT}],
                     "resources": COPIER_RESOURCES, "securityContext": dict(security)})
    return {"volumes": volumes, "mounts": mounts, "init_containers": init,
            "command": list(TRITON_COMMAND), "args": triton_args(work.delivery if work.layout == "modelcar" else None)}


def planned(layout: str, artifact: str, *, triton_image: str | None, delivery: str | None,
            model_bytes: int | None = None) -> Workload:
    """The workload of a release about to be rendered: `artifact` is the built image (the model image
    for modelcar, whose pods run `triton_image`), `delivery` init-container or image-volume."""
    if layout != "modelcar":
        return Workload.baked(artifact)
    if triton_image is None:
        raise ValueError("a modelcar release needs its Triton image")
    return Workload(triton_image=triton_image, layout="modelcar", model_image=artifact,
                    delivery=delivery or "init-container", model_bytes=model_bytes)


def render_note(layout: str, configured: str, chosen: str | None) -> str:
    """What `render` says about the delivery it rendered. Pure."""
    if layout != "modelcar":
        return "layout baked: the models are inside the image the pod runs"
    if configured == "auto" and chosen is None:
        return ("model_delivery auto: promote's preflight uses an image volume where the cluster supports it "
                "(Kubernetes >= 1.31 and a dry-run apply keeps volumes[].image), else an init container; "
                "rendered here: the init-container form, which works on every cluster "
                "(--delivery image-volume shows the other)")
    return f"model delivery {chosen or configured}"

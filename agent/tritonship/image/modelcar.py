"""The two image layouts and the facts the builder, the manifests and the runners share about them. Pure.

* ``baked`` — the model repository is copied into the Triton image (one layer per model version plus
  one layer of configs); the pod runs that image.
* ``modelcar`` — the models go into an image of their own (no base image: the model layers plus one
  small layer holding a statically linked copier), and the pod runs NVIDIA's Triton image unchanged.
  The model image reaches the Triton container at ``/models`` either through an init container that
  copies it into a shared ``emptyDir`` (every cluster), or as an image volume (``volumes[].image``,
  Kubernetes ≥ 1.31 with the ImageVolume feature gate on; found by preflight, never assumed).

A release of either layout is a pair: the Triton image the pod runs and, for ``modelcar``, the model
image. Both are pinned by digest in build results and in the release history.
"""

from __future__ import annotations

from dataclasses import dataclass

LAYOUTS = ("baked", "modelcar")
DELIVERIES = ("init-container", "image-volume")

MODELS_DIR = "/models"  # where the models live inside the model image, and where Triton reads them
COPIER = "/tritonship/bin/busybox"  # the one non-model file of a model image (Debian's busybox-static)
SHARED_MOUNT = "/mnt/tritonship-models"  # the emptyDir as the init container sees it
IMAGE_VOLUME_MOUNT = "/mnt/tritonship-model-image"  # an image volume: the model image's root filesystem

# How the pod (and Jenkins' Smoke/Perf pod) starts Triton, whichever layout: an explicit `tritonserver` with
# the baked image's ENTRYPOINT flags (templates/image/Dockerfile.j2) plus --exit-on-error, so both layouts
# start the same; NVIDIA's image itself runs unchanged.
TRITON_COMMAND = ("tritonserver",)
TRITON_FLAGS = ("--strict-readiness=true", "--allow-metrics=true", "--metrics-config=summary_latencies=true",
                "--exit-on-error=true")

LABEL_LAYOUT = "io.tritonship.layout"  # image label: baked | modelcar


def copy_command(dest: str = SHARED_MOUNT) -> list[str]:
    """The init container's command: copy the model image's /models into the shared volume."""
    return [COPIER, "cp", "-R", f"{MODELS_DIR}/.", dest]


def repository_path(delivery: str | None) -> str:
    """Where Triton finds the models for a delivery (None: the baked layout)."""
    if delivery == "image-volume":
        return IMAGE_VOLUME_MOUNT + MODELS_DIR
    return MODELS_DIR


def triton_args(delivery: str | None) -> list[str]:
    """Triton's args for a delivery (None: the baked layout)."""
    return [f"--model-repository={repository_path(delivery)}", *TRITON_FLAGS]


@dataclass(frozen=True)
class ImagePair:
    """What one release runs: the Triton image, and the model image for the modelcar layout.

    Both are ``REPOSITORY@sha256:<hex>``. For ``baked`` the Triton image *is* the built image and
    ``model_image`` is None.
    """

    layout: str
    triton_image: str
    model_image: str | None = None


MODEL_IMAGE_SUFFIX = "-models"


def model_image_name(name: str) -> str:
    """The model image's repository name beside the Triton image's: `ml/example` -> `ml/example-models`."""
    return name.rstrip("/") + MODEL_IMAGE_SUFFIX

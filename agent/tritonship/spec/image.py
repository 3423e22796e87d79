"""`image:` — how the Triton image is built, named and pushed."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from tritonship.spec.types import Strict


class ImageSpec(Strict):
    registry: str | None = Field(None, description="HOST[:PORT]/PATH the image is pushed to.")
    name: str | None = Field(None, description="Repository name under the registry; defaults to the project name.")
    base_image: str = Field(
        "nvcr.io/nvidia/tritonserver:24.10-py3",
        description="Triton image: the models are copied into it (baked), or the pod runs it unchanged (modelcar)."
    )
    layout: Literal["baked", "modelcar"] = Field(
        "baked", description="baked: the models are copied into the Triton image (one layer per model version "
                             "plus one of configs). modelcar: the models go into an image of their own, "
                             "<name>-models (no base: the same model layers and a static busybox copier), and "
                             "the pod runs base_image unchanged, pinned to its digest.")
    model_delivery: Literal["auto", "init-container", "image-volume"] = Field(
        "auto", description="modelcar: how the model image reaches Triton's /models. init-container copies it "
                            "into a shared emptyDir (every cluster); image-volume mounts it (Kubernetes >= 1.31 "
                            "with the ImageVolume feature); auto: image-volume where preflight finds it works.")
    builder: Literal["auto", "buildah", "docker", "kaniko"] = Field("auto", description="Image builder.")
    version: str | None = Field(None, description="Version part of the tag; defaults to `git describe`.")
    extra_tags: list[str] = Field(default_factory=list, description="More tags pushed with the same digest.")
    requirements: str | None = Field(
        None, description="pip requirements file (relative to the spec) installed for python-backend models."
    )
    insecure_registry: bool = Field(False, description="Plain HTTP to the registry (loopback registries only).")
    ca_file: str | None = Field(None, description="PEM CA bundle the registry's certificate is signed by "
                                                  "(relative to this file); default: the system trust store.")
    labels: dict[str, str] = Field(default_factory=dict, description="Extra OCI labels.")

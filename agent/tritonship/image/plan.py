"""The build plan: every decision about an image, made before anything is built or pushed.

`plan_build` reads the repository (file list, digest), git provenance and options, and decides
the name, tags, labels and Dockerfile. It talks to no registry and no builder, so `--dry-run` is
exactly this plan.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tritonship.errors import BadInput
from tritonship.image.context import layer_dir
from tritonship.image.dockerfile import DockerfileInputs, image_labels, model_versions, render_dockerfile
from tritonship.image.model_layers import MAX_MODEL_LAYERS, LayerPlan, plan_layers
from tritonship.image.modelcar import LABEL_LAYOUT, LAYOUTS, model_image_name
from tritonship.image.provenance import read_provenance
from tritonship.image.reference import check_image_name, parse_reference, split_registry
from tritonship.image.tags import image_name, image_tags, sanitize_version
from tritonship.repository.digest import FileEntry, RepositoryDigest, digest_repository, list_files

COPIER_DIR = "copier"  # the modelcar copier's layer, as the Dockerfile of a model image shows it


@dataclass(frozen=True)
class BuildOptions:
    repository: Path
    registry: str | None
    name: str | None
    base_image: str
    builder: str = "buildah"  # already resolved: buildah | docker | kaniko
    version: str | None = None
    extra_tags: tuple[str, ...] = ()
    requirements: Path | None = None
    insecure: bool = False
    labels: Mapping[str, str] = field(default_factory=dict)
    layout: str = "baked"  # baked | modelcar (image.modelcar)
    layer_cap: int = MAX_MODEL_LAYERS


@dataclass(frozen=True)
class BuildPlan:
    repository: Path
    entries: tuple[FileEntry, ...]
    repository_digest: RepositoryDigest
    registry_host: str
    repository_path: str  # path of the image inside the registry, e.g. ml/example-models
    tags: tuple[str, ...]  # primary content-addressed tag first
    base_image: str
    builder: str
    insecure: bool
    epoch: int
    version: str
    labels: Mapping[str, str]
    models: Mapping[str, list[str]]
    requirements: Path | None
    dockerfile: str  # what the builder runs (for modelcar: the image tritonship writes, as a Dockerfile)
    layout: str = "baked"
    layers: tuple[LayerPlan, ...] = ()  # model layers, then the config layer

    @property
    def name(self) -> str:
        return f"{self.registry_host}/{self.repository_path}"

    @property
    def references(self) -> list[str]:
        return [f"{self.name}:{tag}" for tag in self.tags]

    def to_dict(self) -> dict[str, Any]:
        return {
            "repository": str(self.repository), "repository_digest": "sha256:" + self.repository_digest.sha256,
            "files": self.repository_digest.files, "bytes": self.repository_digest.bytes,
            "name": self.name, "tags": self.references, "base_image": self.base_image, "builder": self.builder,
            "insecure_registry": self.insecure, "source_date_epoch": self.epoch, "version": self.version,
            "models": dict(self.models), "labels": dict(self.labels),
            "requirements": str(self.requirements) if self.requirements else None,
            "layout": self.layout, "layers": [layer.to_dict() for layer in self.layers],
        }


def plan_build(options: BuildOptions, env: Mapping[str, str] | None = None) -> BuildPlan:
    env = os.environ if env is None else env
    if not options.registry:
        raise BadInput("no registry to push to", hint="set image.registry in tritonship.yaml or pass --registry")
    if not options.name:
        raise BadInput("no image name", hint="set image.name (or project) in tritonship.yaml or pass --name")
    parse_reference(options.base_image)  # a reference, never a Dockerfile fragment
    if options.requirements is not None and not options.requirements.is_file():
        raise BadInput(f"{options.requirements}: requirements file not found")
    if options.layout not in LAYOUTS:
        raise BadInput(f"unknown image layout {options.layout!r}", hint="image.layout is one of: " + ", ".join(LAYOUTS))
    if options.layout == "modelcar" and options.requirements is not None:
        raise BadInput("image.requirements needs the baked layout: with modelcar the pod runs base_image unchanged",
                       hint="install the requirements into your own Triton image and name it as image.base_image")
    host, prefix = split_registry(options.registry)
    name = model_image_name(options.name) if options.layout == "modelcar" else options.name
    full = image_name(f"{host}/{prefix}" if prefix else host, name)
    check_image_name(full)
    entries = list_files(options.repository)
    if not entries:
        raise BadInput(f"{options.repository}: the model repository is empty")
    digest = digest_repository(options.repository, entries)
    provenance = read_provenance(options.repository, env)
    version = sanitize_version(options.version or provenance.describe)
    tags = image_tags(full, version, digest.short, options.extra_tags)
    models = model_versions(entries)
    labels = image_labels(provenance, version=version, repository_digest="sha256:" + digest.sha256, models=models,
                          extra=dict(options.labels) | {LABEL_LAYOUT: options.layout})
    layers = plan_layers(entries, options.layer_cap)
    dockerfile = render_dockerfile(_dockerfile_inputs(options, labels, "sha256:" + digest.sha256, len(layers)))
    return BuildPlan(
        repository=Path(options.repository).resolve(), entries=tuple(entries), repository_digest=digest,
        registry_host=host, repository_path=parse_reference(full).repository, tags=tuple(t.tag for t in tags),
        base_image=options.base_image, builder=options.builder, insecure=options.insecure, epoch=provenance.epoch,
        version=version, labels=labels, models=models, requirements=options.requirements, dockerfile=dockerfile,
        layout=options.layout, layers=layers,
    )


def _dockerfile_inputs(options: BuildOptions, labels: Mapping[str, str], digest: str, count: int) -> DockerfileInputs:
    """kaniko copies one context directory per layer; buildah and docker get the layers appended after."""
    dirs = tuple(layer_dir(i) for i in range(count))
    if options.layout == "modelcar":
        return DockerfileInputs("scratch", labels, digest, layer_dirs=(*dirs, COPIER_DIR), scratch=True)
    if options.builder == "kaniko":
        return DockerfileInputs(options.base_image, labels, digest, options.requirements is not None, layer_dirs=dirs)
    return DockerfileInputs(options.base_image, labels, digest, options.requirements is not None, appended=count)

"""The two images a build can make from the planned layers: baked (Triton image + model layers) and
modelcar (model layers + copier, no base), plus the Triton image a modelcar release runs, by digest."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from tritonship.image.assemble import append_layers, scratch_image
from tritonship.image.builders.base import Builder, BuildRequest, LocalImage
from tritonship.image.context import write_context
from tritonship.image.credentials import Credentials
from tritonship.image.layer_tar import WrittenLayer, write_model_layer
from tritonship.image.plan import BuildPlan
from tritonship.image.reference import parse_reference
from tritonship.image.registry import RegistryClient

Progress = Callable[[str], None]


def write_model_layers(plan: BuildPlan, directory: Path, progress: Progress) -> list[WrittenLayer]:
    """Every planned layer as a tar in `directory`, in plan order."""
    directory.mkdir(parents=True, exist_ok=True)
    progress(f"writing {len(plan.layers)} model layers ({plan.repository_digest.bytes / 1e6:.1f} MB)")
    return [write_model_layer(directory / f"{index:03d}.tar", plan.repository, layer)
            for index, layer in enumerate(plan.layers)]


def baked_image(plan: BuildPlan, builder: Builder, layers: list[WrittenLayer], work: Path, *,
                credentials: Mapping[str, Credentials], progress: Progress,
                ca_file: Path | None = None) -> LocalImage:
    """The builder builds the Triton part (base, requirements, labels, entrypoint); the layers go on top."""
    context = write_context(work / "context", plan.repository, plan.dockerfile, epoch=plan.epoch,
                            requirements=plan.requirements)
    (work / "out").mkdir()
    progress(f"building with {builder.name} from {plan.base_image}")
    image = builder.build(BuildRequest(
        context=context.root, dockerfile=context.dockerfile, epoch=plan.epoch, output=work / "out",
        base_image=plan.base_image, insecure_hosts=(plan.registry_host,) if plan.insecure else (),
        credentials=dict(credentials), ca_file=ca_file,
    ))
    return append_layers(image, layers, _blob_dir(work), epoch=plan.epoch)


def model_image(plan: BuildPlan, layers: list[WrittenLayer], work: Path, busybox: Path) -> LocalImage:
    """The modelcar image: the model layers and the copier's layer, nothing else."""
    from tritonship.image.copier import copier_architecture, write_copier_layer

    architecture = copier_architecture(busybox)
    copier = write_copier_layer(work / "copier.tar", busybox)
    return scratch_image([*layers, copier], _blob_dir(work), epoch=plan.epoch, architecture=architecture,
                         labels=plan.labels)


def resolve_triton_image(base_image: str, client: RegistryClient) -> str:
    """`base_image` pinned to the digest its registry serves now (manifest fetched and its hash checked)."""
    ref = parse_reference(base_image)
    manifest = client.get_manifest(ref.repository, ref.reference)
    return f"{ref.name}@{manifest.digest}"


def _blob_dir(work: Path) -> Path:
    path = work / "blobs"
    path.mkdir(exist_ok=True)
    return path

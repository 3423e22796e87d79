"""The Dockerfile of a model image, rendered from templates/image/Dockerfile.j2, and its labels."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from tritonship import __version__
from tritonship.image.provenance import Provenance
from tritonship.repository.digest import FileEntry

TEMPLATE = "image/Dockerfile.j2"


@dataclass(frozen=True)
class DockerfileInputs:
    base_image: str
    labels: Mapping[str, str]
    repository_digest: str  # sha256:..., recorded in the labels
    requirements: bool = False
    layer_dirs: tuple[str, ...] = ()  # kaniko, or a modelcar shown as a Dockerfile: COPY each layer's directory
    appended: int = 0  # layers tritonship appends after the build (buildah, docker)
    scratch: bool = False  # a model image: FROM scratch, no entrypoint


def model_versions(entries: Iterable[FileEntry]) -> dict[str, list[str]]:
    """Top-level model directories and their numeric version directories, from the file list."""
    models: dict[str, set[str]] = {}
    for entry in entries:
        parts = entry.relpath.split("/")
        if len(parts) < 2:
            continue  # files at the repository root are not models
        versions = models.setdefault(parts[0], set())
        if len(parts) >= 3 and parts[1].isdigit():
            versions.add(parts[1])
    return {name: sorted(v, key=int) for name, v in sorted(models.items())}


def models_label(models: Mapping[str, list[str]]) -> str:
    """`add_sub:1,text_upper:1+2`: names and versions, short enough for a label."""
    return ",".join(f"{name}:{'+'.join(versions) or '-'}" for name, versions in models.items())


def image_labels(
    provenance: Provenance, *, version: str, repository_digest: str, models: Mapping[str, list[str]],
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    labels = {
        "org.opencontainers.image.created": provenance.created,
        "org.opencontainers.image.version": version,
    }
    if provenance.source:
        labels["org.opencontainers.image.source"] = provenance.source
    if provenance.revision:
        labels["org.opencontainers.image.revision"] = provenance.revision
    labels |= {
        "io.tritonship.models": models_label(models),
        "io.tritonship.repository-digest": repository_digest,
        "io.tritonship.version": __version__,
    }
    return labels | dict(extra or {})


def label_quote(value: str) -> str:
    """A double-quoted Dockerfile word: escapes quotes, backslashes, `$`; newlines become spaces."""
    text = " ".join(str(value).splitlines())
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$") + '"'


def render_dockerfile(inputs: DockerfileInputs) -> str:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(loader=PackageLoader("tritonship", "templates"), undefined=StrictUndefined,
                      keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True, autoescape=False)  # noqa: S701
    env.filters["label_quote"] = label_quote
    return env.get_template(TEMPLATE).render(
        base_image=inputs.base_image, labels=dict(inputs.labels), requirements=inputs.requirements,
        repository_digest=inputs.repository_digest, tritonship_version=__version__,
        layer_dirs=inputs.layer_dirs, appended=inputs.appended, scratch=inputs.scratch,
    )

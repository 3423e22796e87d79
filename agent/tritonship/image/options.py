"""The build options step: flags, TRITONSHIP_REGISTRY and tritonship.yaml `image:` resolved once into a frozen
`BuildOptions` before anything is built. TRITONSHIP_REGISTRY wins over --registry, which wins over
image.registry (Jenkins sets the variable for every project); other flags win over the spec."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tritonship.errors import BadInput
from tritonship.process_env import Given, ProcessEnv, first_given

if TYPE_CHECKING:
    from tritonship.image.plan import BuildOptions

ENV_REGISTRY = "TRITONSHIP_REGISTRY"


def _builder(name: str, environ: ProcessEnv, *, dry_run: bool) -> str:
    from tritonship.errors import InfraError
    from tritonship.image.builders.factory import resolve_builder_name

    try:
        return resolve_builder_name(name, environ)
    except InfraError:
        if dry_run:
            return name  # a dry run needs no builder
        raise


def is_loopback(host: str) -> bool:
    """`localhost`, 127.0.0.0/8 or ::1, with or without a port (`[::1]:5000`)."""
    import ipaddress

    name = host.rsplit("]", 1)[0].lstrip("[") if host.startswith("[") else host.rsplit(":", 1)[0]
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def require_loopback_if_insecure(registry: str | None, insecure: bool, where: str = "--insecure-registry") -> None:
    """Plain HTTP only to a loopback registry, as the option's help says: anything else would send
    images and credentials unencrypted across a network."""
    host = (registry or "").split("/", 1)[0]
    if insecure and host and not is_loopback(host):
        raise BadInput(f"{where} is for loopback registries only; {host} is not one (plain HTTP would cross the "
                       "network unencrypted)",
                       hint="serve the registry over TLS; a private CA goes into the system trust store")


MODELCAR_BUILDER = "tritonship"  # a model image needs no builder: tritonship writes its layers itself


def build_options(spec, flags: dict, environ: ProcessEnv, *, dry_run: bool) -> BuildOptions:
    from tritonship.image.plan import BuildOptions
    from tritonship.spec.image import ImageSpec

    image = spec.image if spec is not None else ImageSpec()
    builder = flags.get("builder") or image.builder
    layout = flags.get("layout") or image.layout
    insecure = flags.get("insecure_registry")
    requirements = (base_dir(spec) / image.requirements) if image.requirements else None
    registry = first_given(Given(ENV_REGISTRY, environ.value(ENV_REGISTRY)),
                           Given("--registry", flags.get("registry")), Given("image.registry", image.registry)).value
    insecure = image.insecure_registry if insecure is None else insecure
    require_loopback_if_insecure(registry, insecure, "--insecure-registry" if flags.get("insecure_registry")
                                 else "image.insecure_registry")
    return BuildOptions(
        repository=_repository(flags.get("repository"), spec),
        registry=registry,
        name=flags.get("name") or image.name or (spec.project if spec is not None else None),
        base_image=flags.get("base_image") or image.base_image,
        builder=MODELCAR_BUILDER if layout == "modelcar" else _builder(builder, environ, dry_run=dry_run),
        layout=layout,
        version=image.version,
        extra_tags=(*image.extra_tags, *flags.get("extra_tags", ())),
        requirements=requirements,
        insecure=insecure,
        labels=image.labels,
    )


def base_dir(spec) -> Path:
    return spec.base_dir if spec is not None else Path.cwd()


def _repository(repository: str | None, spec) -> Path:
    if repository:
        return Path(repository)
    if spec is None:
        raise BadInput("no model repository given", hint="pass --repository DIR or add a tritonship.yaml")
    return spec.repository_path()

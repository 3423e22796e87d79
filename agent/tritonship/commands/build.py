"""`tritonship build`: build and push a reproducible, content-addressed Triton image, once."""

from __future__ import annotations

from pathlib import Path

import click

from tritonship.commands.options import environ, global_options, load_optional_spec, settings, spec_option
from tritonship.errors import BadInput
from tritonship.present.common import emit

ENV_REGISTRY = "TRITONSHIP_REGISTRY"


@click.command("build")
@spec_option
@click.option("--repository", "repository", type=click.Path(file_okay=False), help="Model repository directory.")
@click.option("--registry", help="HOST[:PORT]/PATH to push to (TRITONSHIP_REGISTRY overrides).")
@click.option("--name", help="Image name under the registry (default: image.name, else project).")
@click.option("--base-image", help="Triton base image (default: image.base_image).")
@click.option("--builder", type=click.Choice(["auto", "buildah", "docker", "kaniko"]), help="Image builder.")
@click.option("--tag", "extra_tags", multiple=True, help="Extra tag for the same digest (repeatable).")
@click.option("--insecure-registry", is_flag=True, default=None, help="Plain HTTP to the registry (loopback only).")
@click.option("--force", is_flag=True, help="Build and push even when the tag already exists.")
@click.option("--dry-run", is_flag=True, help="Print the Dockerfile and the plan; build and push nothing.")
@click.option("--compression", type=click.Choice(["none", "gzip", "zstd"]), default="none", show_default=True,
              help="Compress layers before the push (model weights hardly compress).")
@click.option("--push-jobs", type=click.IntRange(1, 32), default=4, show_default=True,
              help="Blobs uploaded at once.")
@global_options
@click.pass_context
def command(ctx: click.Context, spec_path: str | None, dry_run: bool, force: bool, **flags) -> None:
    """Build and push a reproducible, content-addressed Triton image.

    The tag is <registry>/<name>:<version>-<repository digest 12>. When the registry already holds
    it, nothing is built (cached). Exit 0 built or cached, 2 bad input, 3 registry or builder broken.
    """
    from tritonship.image.plan import plan_build
    from tritonship.image.push import PushOptions
    from tritonship.present.build import build_outcome, dry_run_outcome, kaniko_outcome

    push = PushOptions(parallel=flags.pop("push_jobs"), compression=flags.pop("compression"))
    spec = load_optional_spec(spec_path)
    options = _options(spec, flags, dry_run=dry_run)
    plan = plan_build(options, environ())
    if dry_run:
        ctx.exit(emit(settings(), dry_run_outcome(plan)))
    if plan.builder == "kaniko":
        from tritonship.image.kaniko import write_kaniko_context

        ctx.exit(emit(settings(), kaniko_outcome(plan, write_kaniko_context(plan, _base_dir(spec)))))
    ctx.exit(emit(settings(), build_outcome(_build(plan, force, push))))


def _build(plan, force: bool, push_options):
    from tritonship.image.build import build_and_push
    from tritonship.image.builders.factory import make_builder
    from tritonship.image.credentials import find_credentials
    from tritonship.image.reference import parse_reference
    from tritonship.image.registry import RegistryClient

    known = {}
    for host in dict.fromkeys([plan.registry_host, parse_reference(plan.base_image).registry]):
        creds = find_credentials(host, environ())
        if creds is not None:
            known[host] = creds
    client = RegistryClient(plan.registry_host, insecure=plan.insecure, credentials=known.get(plan.registry_host))
    client.ping()
    return build_and_push(plan, client=client, builder=make_builder(plan.builder, environ()), force=force,
                          credentials=known, progress=lambda msg: click.echo(f"tritonship build: {msg}", err=True),
                          push_options=push_options)


def _builder(name: str, *, dry_run: bool) -> str:
    from tritonship.errors import InfraError
    from tritonship.image.builders.factory import resolve_builder_name

    try:
        return resolve_builder_name(name, environ())
    except InfraError:
        if dry_run:
            return name  # a dry run needs no builder
        raise


def _options(spec, flags: dict, *, dry_run: bool):
    from tritonship.image.plan import BuildOptions
    from tritonship.process_env import Given, first_given
    from tritonship.spec.image import ImageSpec

    image = spec.image if spec is not None else ImageSpec()
    builder = flags.get("builder") or image.builder
    insecure = flags.get("insecure_registry")
    requirements = (_base_dir(spec) / image.requirements) if image.requirements else None
    return BuildOptions(
        repository=_repository(flags.get("repository"), spec),
        registry=first_given(Given(ENV_REGISTRY, environ().value(ENV_REGISTRY)),
                             Given("--registry", flags.get("registry")), Given("image.registry", image.registry)).value,
        name=flags.get("name") or image.name or (spec.project if spec is not None else None),
        base_image=flags.get("base_image") or image.base_image,
        builder=_builder(builder, dry_run=dry_run),
        version=image.version,
        extra_tags=(*image.extra_tags, *flags.get("extra_tags", ())),
        requirements=requirements,
        insecure=image.insecure_registry if insecure is None else insecure,
        labels=image.labels,
    )


def _base_dir(spec) -> Path:
    return spec.base_dir if spec is not None else Path.cwd()


def _repository(repository: str | None, spec) -> Path:
    if repository:
        return Path(repository)
    if spec is None:
        raise BadInput("no model repository given", hint="pass --repository DIR or add a tritonship.yaml")
    return spec.repository_path()

"""`tritonship build`: build and push a reproducible, content-addressed Triton image, once."""

from __future__ import annotations

import click

from tritonship.commands.options import environ, global_options, load_optional_spec, settings, spec_option
from tritonship.present.common import emit


@click.command("build")
@spec_option
@click.option("--repository", "repository", type=click.Path(file_okay=False), help="Model repository directory.")
@click.option("--registry", help="HOST[:PORT]/PATH to push to (TRITONSHIP_REGISTRY overrides).")
@click.option("--name", help="Image name under the registry (default: image.name, else project).")
@click.option("--base-image", help="Triton base image (default: image.base_image).")
@click.option("--layout", type=click.Choice(["baked", "modelcar"]),
              help="baked: models inside the Triton image; modelcar: a model image of their own (image.layout).")
@click.option("--builder", type=click.Choice(["auto", "buildah", "docker", "kaniko"]), help="Image builder.")
@click.option("--tag", "extra_tags", multiple=True, help="Extra tag for the same digest (repeatable).")
@click.option("--insecure-registry", is_flag=True, default=None, help="Plain HTTP to the registry (loopback only).")
@click.option("--ca-file", type=click.Path(dir_okay=False), default=None,
              help="PEM CA bundle of a registry with a private CA (image.ca_file): trusted by the push and by "
                   "the builder's pull of the base image.")
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

    The tag is <registry>/<name>:<version>-<repository digest 12> (<name>-models for the modelcar
    layout). Each model version is a layer of its own, so a rebuild uploads only what changed. When the
    registry already holds the tag, nothing is built (cached). Exit 0 built or cached, 2 bad input,
    3 registry or builder broken.
    """
    from tritonship.image.options import base_dir, build_options
    from tritonship.image.plan import plan_build
    from tritonship.image.push import PushOptions
    from tritonship.present.build import build_outcome, dry_run_outcome, kaniko_outcome

    push = PushOptions(parallel=flags.pop("push_jobs"), compression=flags.pop("compression"))
    spec = load_optional_spec(spec_path)
    from tritonship.image.trust import resolve_ca_file

    ca_file = resolve_ca_file(flags.pop("ca_file", None), spec)
    options = build_options(spec, flags, environ(), dry_run=dry_run)
    plan = plan_build(options, environ())
    if dry_run:
        ctx.exit(emit(settings(), dry_run_outcome(plan)))
    if plan.builder == "kaniko":
        from tritonship.image.kaniko import write_kaniko_context

        ctx.exit(emit(settings(), kaniko_outcome(plan, write_kaniko_context(plan, base_dir(spec)))))
    ctx.exit(emit(settings(), build_outcome(_build(plan, force, push, ca_file))))


def _build(plan, force: bool, push_options, ca_file=None):
    from tritonship.image.build import build_and_push
    from tritonship.image.builders.factory import make_builder
    from tritonship.image.copier import copier_path
    from tritonship.image.credentials import find_credentials
    from tritonship.image.reference import parse_reference
    from tritonship.image.registry import RegistryClient

    known = {}
    for host in dict.fromkeys([plan.registry_host, parse_reference(plan.base_image).registry]):
        creds = find_credentials(host, environ())
        if creds is not None:
            known[host] = creds
    from tritonship.image.trust import registry_session
    from tritonship.present.terminal import progress

    client = RegistryClient(plan.registry_host, insecure=plan.insecure, credentials=known.get(plan.registry_host),
                            session=registry_session(ca_file))
    client.ping()
    base_host = parse_reference(plan.base_image).registry
    base_client = None
    if plan.layout == "modelcar" and base_host != plan.registry_host:
        base_client = RegistryClient(base_host, credentials=known.get(base_host), session=registry_session(ca_file))
    builder = make_builder(plan.builder, environ()) if plan.layout == "baked" else None
    return build_and_push(plan, client=client, builder=builder, force=force, credentials=known,
                          progress=progress("tritonship build: "),
                          push_options=push_options, base_client=base_client, busybox=copier_path(environ()),
                          ca_file=ca_file)

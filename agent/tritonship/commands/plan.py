"""`tritonship plan`: the promotion plan Jenkins carries out (order, approval, origin, strategy, lock)."""

from __future__ import annotations

import click

from tritonship.commands.options import global_options, load_optional_spec, settings, spec_option
from tritonship.present.common import emit


@click.command("plan")
@click.option("--env", "environments", multiple=True, help="Environment to promote to, in order (repeat); "
              "default: the spec's, in file order.")
@click.option("--approval", "approval", multiple=True, help="Environment that waits for a person (repeat); "
              "default: `approval: true` in the spec.")
@click.option("--no-approval", is_flag=True, help="No environment waits for a person (overrides the spec).")
@click.option("--lock-prefix", default=None, help="Lock name prefix (default: '<project>-').")
@click.option("--dry-run", is_flag=True, help="Plan a dry run: every environment receives the built digest.")
@spec_option
@global_options
@click.pass_context
def command(ctx: click.Context, *, environments: tuple[str, ...], approval: tuple[str, ...], no_approval: bool,
            lock_prefix: str | None, dry_run: bool, spec_path: str | None) -> None:
    """Print the ordered environments with approval, origin (`from`), strategy and lock name.

    Decided from the validated spec; nothing is contacted. Exit 0, 2 bad spec or unknown environment.
    """
    from tritonship.errors import BadInput
    from tritonship.present.plan import to_outcome
    from tritonship.spec.plan import plan_pipeline

    if no_approval and approval:
        raise BadInput("give --approval or --no-approval, not both")
    spec = load_optional_spec(spec_path, required=True)
    chosen = [] if no_approval else (list(approval) or None)
    result = plan_pipeline(spec, environments=list(environments) or None, approval=chosen,
                           lock_prefix=lock_prefix, dry_run=dry_run)
    data = result.to_dict() | {"model_repository": _relative(spec.repository_path())}
    ctx.exit(emit(settings(), to_outcome(data, dry_run=dry_run)))


def _relative(path) -> str:
    """The model repository relative to the working directory (Jenkins: the workspace root), for stash paths."""
    import os

    relative = os.path.relpath(path)
    return str(path) if relative.startswith("..") else relative

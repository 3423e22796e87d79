"""`tritonship history --env E [--sign [--dry-run]]`: the release history (ledger) of an environment."""

from __future__ import annotations

import click

from tritonship.commands.options import environ, global_options, load_optional_spec, settings, spec_option
from tritonship.commands.params import DAY_S, Finite
from tritonship.present.common import emit


@click.command("history")
@click.option("--env", "env_name", required=True, help="Environment whose history to show.")
@click.option("--sign", is_flag=True, help="Sign the history as it is now with the environment's ledger key "
                                           "(ledger.signing_secret): the explicit step that makes an unsigned or "
                                           "re-keyed ledger trusted. Refused if a record holds objects tritonship "
                                           "does not render.")
@click.option("--dry-run", is_flag=True, help="With --sign: show the history and whether it verifies; write nothing.")
@click.option("--wait-lock", type=Finite(min=0, max=DAY_S), default=0.0, show_default=True,
              help="With --sign: seconds to wait for a promotion of this environment to finish.")
@spec_option
@global_options
@click.pass_context
def command(ctx: click.Context, *, env_name: str, sign: bool, dry_run: bool, wait_lock: float,
            spec_path: str | None) -> None:
    """Show the last 10 revisions: image digest, strategy, who, when, outcome (and phase while open), step
    reached, reason; and whether the ledger is signed.

    Exit 0, 1 the Lease is held (--sign), 2 bad input (a corrupt, hand-edited, unsigned or forged ledger; a
    missing signing Secret), 3 cluster unreachable or the signing Secret unreadable.
    """
    from tritonship.deploy.world import cluster_world
    from tritonship.errors import BadInput
    from tritonship.present.history import signed_outcome, to_outcome

    if (dry_run or wait_lock) and not sign:
        raise BadInput("--dry-run and --wait-lock go with --sign")
    spec = load_optional_spec(spec_path, required=True)
    world = cluster_world(spec, environ=environ())
    namespace = spec.environment(env_name).namespace
    if sign:
        from tritonship.deploy.ledger_sign_step import sign_history
        from tritonship.deploy.world import started_by

        done = sign_history(world, spec, env_name, started_by=started_by(environ()), dry_run=dry_run,
                            wait_lock=wait_lock)
        ctx.exit(emit(settings(), signed_outcome(spec.project, env_name, namespace, done, dry_run=dry_run)))
    from tritonship.deploy.ledger_signing import ledger_store

    store = ledger_store(world.kube_for(env_name), spec, env_name)
    ledger = store.read()
    releases = [r.summary() for r in reversed(ledger.releases)]
    key = store.signing_key()
    signing = {"configmap": store.where.split(" ", 1)[1], "signed": key is not None,
               "secret": key.secret if key else None, "signature": store.signature}
    ctx.exit(emit(settings(), to_outcome(spec.project, env_name, namespace, releases, signing)))

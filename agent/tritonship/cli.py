"""The `tritonship` command group.

Verbs live one per module in `tritonship.commands` and are imported only when run, so
`tritonship --help` stays fast (Jenkins runs the agent many times per build).
Global options (`--json`, `--report-dir`, `--debug`, in `global_options`) are accepted before and after the verb.
"""

from __future__ import annotations

import importlib
import sys

import click

from tritonship import __version__
from tritonship.commands.params import refuse_empty
from tritonship.errors import EXIT_INPUT, TritonshipError
from tritonship.global_options import Settings, global_options
from tritonship.process_env import ProcessEnv

__all__ = ["VERBS", "Settings", "cli", "global_options", "main"]

# verb -> (module under tritonship.commands, one-line help). Help text here keeps --help import-free.
VERBS: dict[str, tuple[str, str]] = {
    "init": ("init", "Write a commented tritonship.yaml for an existing model repository."),
    "validate": ("validate", "Lint a Triton model repository before any server sees it."),
    "build": ("build", "Build and push a reproducible, content-addressed Triton image."),
    "smoke": ("smoke", "Start Triton and prove every model loads and answers correctly."),
    "perf": ("perf", "Measure latency and throughput; gate on budgets and regressions."),
    "plan": ("plan", "Print the promotion plan (order, approval, origin, lock) that Jenkins carries out."),
    "promote": ("promote", "Promote an image digest to an environment."),
    "rollback": ("rollback", "Roll an environment back to an earlier revision, fast."),
    "history": ("history", "Show an environment's release history."),
    "status": ("status", "Show what runs in an environment and any promotion in progress."),
    "render": ("render", "Print the Kubernetes manifests for an environment."),
    "seed": ("seed", "Create or update Jenkins jobs for the model projects listed in YAML."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(VERBS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in VERBS:
            return None
        settings = ctx.find_object(Settings)
        if settings is not None:
            settings.verb = cmd_name
        module = importlib.import_module(f"tritonship.commands.{VERBS[cmd_name][0]}")
        return refuse_empty(module.command)

    def resolve_command(self, ctx, args):
        name = args[0] if args else ""
        if name and not name.startswith("-") and name not in VERBS:
            from tritonship.spec.suggest import did_you_mean

            ctx.fail(f"no such command {name!r}.{did_you_mean(name, VERBS)}")
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, text) for name, (_m, text) in VERBS.items()])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tritonship")
@global_options
def cli() -> None:
    """tritonship: Triton model repositories from git to production.

    Exit codes: 0 passed, 1 a gate failed, 2 bad input, 3 infrastructure unreachable.
    """


refuse_empty(cli)  # `tritonship --report-dir '' VERB` is as empty as `VERB --report-dir ''`


def main(argv: list[str] | None = None) -> None:
    _tolerant_streams()
    settings = Settings(environ=ProcessEnv.from_process())  # the one read of the process environment
    try:
        code = cli.main(args=argv, prog_name="tritonship", standalone_mode=False, obj=settings)
    except TritonshipError as exc:
        code = _report_error(settings, exc)
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except (click.Abort, KeyboardInterrupt):  # click turns Ctrl-C (and our SIGTERM handler) into Abort
        click.echo("tritonship: interrupted", err=True)
        code = 130
    except click.ClickException as exc:  # usage: a missing option, a bad flag value
        code = _usage_error(settings, exc)
    except Exception as exc:  # OS and parser failures are classified (boundary.classify); the rest is a bug
        from tritonship.boundary import classify

        err = classify(exc) or TritonshipError(f"internal error: {type(exc).__name__}: {exc}",
                                               hint="rerun with --debug for a traceback")
        code = _report_error(settings, err)  # --debug prints the traceback; the exit code stays the same
    sys.exit(code or 0)


def _tolerant_streams() -> None:
    """Text the terminal's encoding cannot show (PYTHONIOENCODING=ascii) is escaped, never a crash."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


def _usage_error(settings: Settings, exc: click.ClickException) -> int:
    """Click's usage text on a terminal; with --json/--report-dir also the JSON document Jenkins reads."""
    if not (settings.json or settings.report_dir):
        import io

        from tritonship.present.terminal import say

        text = io.StringIO()
        exc.show(file=text)  # click's usage text, then escaped like every other line (a flag can hold ESC)
        say(text.getvalue().rstrip("\n"))
        return EXIT_INPUT
    from tritonship.errors import BadInput

    where = f"tritonship {settings.verb} --help" if settings.verb else "tritonship --help"
    return _report_error(settings, BadInput(exc.format_message(), hint=f"see `{where}`"))


def _report_error(settings: Settings, exc: TritonshipError) -> int:
    from tritonship.present.common import emit_error

    if settings.debug:
        import traceback

        traceback.print_exc()
    return emit_error(settings, exc, settings.verb)

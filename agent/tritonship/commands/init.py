"""`tritonship init [REPO]`: write a commented tritonship.yaml for an existing model repository."""

from __future__ import annotations

from pathlib import Path

import click

from tritonship.commands.options import global_options, settings
from tritonship.errors import BadInput, TritonshipError
from tritonship.present.common import emit


@click.command("init")
@click.argument("repo", required=False, default="model_repository", type=click.Path())
@click.option("--project", help="Project name (a DNS label); default: the output folder's name.")
@click.option("--output", "-o", default="tritonship.yaml", show_default=True, type=click.Path(dir_okay=False),
              help="Where to write the spec.")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@global_options
@click.pass_context
def command(ctx: click.Context, repo: str, project: str | None, output: str, force: bool) -> None:
    """Write a commented tritonship.yaml for the model repository REPO (default: ./model_repository).

    Exit 0 written, 2 bad input (no such repository, file exists without --force, bad project name).
    """
    from tritonship.present.init import to_outcome
    from tritonship.repository.starter import project_name, starter_spec

    out = Path(output)
    if out.is_symlink() or (out.exists() and not out.is_file()):  # --force replaces a regular file, nothing else
        raise BadInput(f"{out} exists and is not a regular file; refusing to replace it",
                       hint="choose another -o path")
    if out.exists() and not force:
        raise BadInput(f"{out} already exists", hint="pass --force to overwrite it")
    if project is not None and project_name(project) != project:
        raise BadInput(f"--project {project!r} is not a DNS label", hint=f"try --project {project_name(project)}")
    starter = starter_spec(Path(repo), out, project)
    _write_checked(out, starter.text)
    ctx.exit(emit(settings(), to_outcome(out, starter)))


def _write_checked(out: Path, text: str) -> None:
    """Write the file only if it loads with the spec loader (a failure here is our bug, not the user's)."""
    from tritonship.spec import load_spec

    tmp = out.with_name(f".{out.name}.tmp")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"{out}: cannot write: {exc.strerror}") from exc
    try:
        load_spec(tmp)
    except TritonshipError as exc:
        tmp.unlink(missing_ok=True)
        raise TritonshipError(f"internal error: the generated spec does not load: {exc.message}") from exc
    tmp.replace(out)

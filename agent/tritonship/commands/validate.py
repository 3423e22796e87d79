"""`tritonship validate [REPO]`: lint a Triton model repository and print its content digest."""

from __future__ import annotations

from pathlib import Path

import click

from tritonship.commands.options import global_options, load_optional_spec, settings, spec_option
from tritonship.errors import EXIT_GATE, EXIT_OK, BadInput
from tritonship.present.common import Outcome, emit


@click.command("validate")
@click.argument("repo", required=False, type=click.Path(file_okay=True, dir_okay=True))
@click.option("--strict", is_flag=True, help="Warnings fail the gate too (exit 1); notes never do.")
@click.option("--explain", "explain_rule", metavar="RULE",
              help="Explain one rule (e.g. config/tensor-dims): what, why, fix, Triton behaviour, --strict.")
@spec_option
@global_options
@click.pass_context
def command(ctx: click.Context, repo: str | None, strict: bool, explain_rule: str | None,
            spec_path: str | None) -> None:
    """Lint a Triton model repository before any server sees it.

    REPO defaults to the spec's model_repository. Exit 0 clean (or warnings/notes only), 1 errors
    (or warnings with --strict), 2 bad path, spec or rule name.
    """
    if explain_rule is not None:
        ctx.exit(emit(settings(), _explain(explain_rule)))
    from tritonship.present.validate import to_outcome
    from tritonship.repository.lint import lint_repository
    from tritonship.repository.spec_refs import check_spec_refs

    spec = load_optional_spec(spec_path)
    root = _repository(repo, spec)
    result = lint_repository(root)
    extra = check_spec_refs(spec, result.models) if spec is not None else []
    if extra:
        from dataclasses import replace

        result = replace(result, findings=result.findings + tuple(extra))
    passed = result.passed(strict)
    outcome: Outcome = to_outcome(result, strict=strict, spec=spec, display=root,
                                  status="passed" if passed else "failed", exit_code=EXIT_OK if passed else EXIT_GATE)
    ctx.exit(emit(settings(), outcome))


def _explain(rule: str) -> Outcome:
    from tritonship.repository.explain import explain, find_rule

    doc, text = find_rule(rule), explain(rule)
    return Outcome(verb="validate", status="passed", exit_code=EXIT_OK,
                   data={"rule": doc.rule, "severity": doc.severity, "explanation": text},
                   render=lambda console: console.print(text, markup=False))


def _repository(repo: str | None, spec) -> Path:
    if repo:
        return Path(repo)
    if spec is not None:
        return spec.repository_path()
    default = Path("model_repository")
    if default.is_dir():
        return default
    raise BadInput("no model repository given", hint="run `tritonship validate REPO`, or add a tritonship.yaml "
                   "(tritonship init) that names model_repository")

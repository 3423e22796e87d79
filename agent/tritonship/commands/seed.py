"""`tritonship seed`: create or update the Jenkins jobs of the model projects in pipelines/models.yaml.

The API token comes from TRITONSHIP_JENKINS_TOKEN only (never a flag, never printed).
Exit 0 done (or planned, with --dry-run), 2 bad models.yaml or options, 3 Jenkins unreachable or refusing.
"""

from __future__ import annotations

import click

from tritonship.commands.options import environ, global_options, settings
from tritonship.commands.params import Finite
from tritonship.present.common import emit

TOKEN_ENV = "TRITONSHIP_JENKINS_TOKEN"  # noqa: S105 - the variable's name, not a secret


@click.command("seed")
@click.option("--config", "config_path", default="pipelines/models.yaml", show_default=True,
              type=click.Path(dir_okay=False), help="YAML listing the model projects.")
@click.option("--jenkins", "url", envvar="TRITONSHIP_JENKINS_URL", help="Jenkins URL (or TRITONSHIP_JENKINS_URL).")
@click.option("--user", envvar="TRITONSHIP_JENKINS_USER",
              help="Jenkins user whose API token is in TRITONSHIP_JENKINS_TOKEN.")
@click.option("--dry-run", is_flag=True, help="Print a unified diff of what would change; write nothing.")
@click.option("--prune", is_flag=True, help="Delete seeded jobs that models.yaml no longer lists.")
@click.option("--timeout", type=Finite(min=1, max=3600), default=30.0, show_default=True, help="HTTP timeout, seconds.")
@click.option("--catalog-json", is_flag=True, help="Print the projects, every default resolved, as the JSON "
              "pipelines/seed.groovy reads (Job DSL); Jenkins is not contacted.")
@global_options
@click.pass_context
def command(ctx: click.Context, *, config_path: str, url: str | None, user: str | None, dry_run: bool,
            prune: bool, timeout: float, catalog_json: bool) -> None:
    """Seed a folder and a multibranch pipeline job per model project, comparing with the live Jenkins."""
    from tritonship.errors import BadInput
    from tritonship.jenkins.catalog import load_catalog
    from tritonship.jenkins.client import PythonJenkinsItems
    from tritonship.jenkins.render import desired_items, job_dsl_catalog
    from tritonship.jenkins.seed import seed
    from tritonship.present.seed import to_outcome

    if catalog_json:
        import json

        click.echo(json.dumps(job_dsl_catalog(load_catalog(config_path)), indent=2))
        return
    if not url:
        raise BadInput("no Jenkins URL: give --jenkins URL or set TRITONSHIP_JENKINS_URL")
    token = environ().value(TOKEN_ENV)
    if token and not user:
        raise BadInput(f"{TOKEN_ENV} is set but no --user: the token belongs to a user")
    catalog = load_catalog(config_path)
    api = PythonJenkinsItems(url, user, token, timeout=timeout)
    version = api.check()
    result = seed(desired_items(catalog), api, dry_run=dry_run, prune=prune)
    ctx.exit(emit(settings(), to_outcome(url, version, config_path, result)))

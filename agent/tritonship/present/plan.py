"""What `tritonship plan` shows: the ordered environments as JSON data and a table."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tritonship.present.common import Outcome

if TYPE_CHECKING:
    from rich.console import Console


def to_outcome(data: dict[str, Any], *, dry_run: bool) -> Outcome:
    return Outcome("plan", "passed", 0, data, render=lambda console: render(console, data, dry_run))


def render(console: Console, data: dict[str, Any], dry_run: bool) -> None:
    from rich.table import Table

    table = Table(title=f"{data['project']}: promotion plan" + (" (dry run)" if dry_run else ""))
    for column in ("environment", "approval", "from", "strategy", "lock", "namespace"):
        table.add_column(column)
    for env in data["environments"]:
        table.add_row(env["name"], "yes" if env["approval"] else "no", env["from"] or "(this build)",
                      env["strategy"], env["lock"], env["namespace"])
    console.print(table if data["environments"] else f"{data['project']}: no environments to promote to")

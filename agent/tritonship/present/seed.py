"""What `tritonship seed` shows: the actions on Jenkins items as JSON data, a table (with diffs) and JUnit."""

from __future__ import annotations

from tritonship.present.common import Outcome
from tritonship.present.junit import JUnitCase


def to_outcome(url: str, version: str, config_path: str, result) -> Outcome:
    data = _data(url, version, config_path, result)
    return Outcome("seed", "dry-run" if result.dry_run else "passed", 0, data, render=_render(data),
                   junit=_junit(result))


def _data(url: str, version: str, config_path: str, result) -> dict:
    return {
        "jenkins": url,
        "jenkins_version": version,
        "config": config_path,
        "dry_run": result.dry_run,
        "prune": result.prune,
        "writes": result.writes,
        "counts": result.counts(),
        "items": [
            {"item": a.item, "kind": a.kind, "action": a.action, "reason": a.reason}
            | ({"diff": a.diff} if result.dry_run and a.diff else {})
            for a in result.actions
        ],
    }


def _render(data: dict):
    def render(console) -> None:
        from rich.table import Table

        verb = "would change" if data["dry_run"] else "seeded"
        table = Table(title=f"Jenkins {data['jenkins']} ({data['jenkins_version']}): {verb}")
        for column in ("item", "kind", "action", "reason"):
            table.add_column(column)
        for item in data["items"]:
            table.add_row(item["item"], item["kind"], item["action"], item["reason"])
        console.print(table)
        for item in data["items"]:
            if item.get("diff"):
                console.print(item["diff"], markup=False, highlight=False)
        counts = ", ".join(f"{n} {a}" for a, n in sorted(data["counts"].items())) or "nothing listed"
        console.print(f"{counts}; {data['writes']} write(s)")

    return render


def _junit(result) -> list[JUnitCase]:
    return [JUnitCase(name=a.item, classname=f"tritonship.seed.{a.action}") for a in result.actions]

"""The analysis and judge records of a promotion, for result.json and the human summary."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console


def analyses_of(record: dict[str, Any] | None) -> list[dict]:
    """The analysis records a strategy kept in the release's state (empty for rolling)."""
    return list(((record or {}).get("state") or {}).get("analyses") or [])


def _num(value: Any, fmt: str = ".4g") -> str:
    return "-" if value is None else format(value, fmt)


def render_analyses(console: Console, analyses: list[dict]) -> None:
    from rich.table import Table

    for record in analyses:
        run = record.get("analysis")
        if run:
            table = Table(title=f"{record['step']}: analysis of {record['track']} — {run['phase']}",
                          title_justify="left")
            for col in ("metric", "phase", "ok", "failed", "inconclusive", "errors", "values"):
                table.add_column(col)
            for m in run["metrics"]:
                table.add_row(m["name"], m["phase"], str(m["successful"]), str(m["failed"]), str(m["inconclusive"]),
                              str(m["errors"]), " ".join(_num(v) for v in m["values"]))
            console.print(table)
        verdict = record.get("judge")
        if verdict:
            _render_judge(console, record, verdict)


def _render_judge(console: Console, record: dict, verdict: dict) -> None:
    from rich.table import Table

    score = "-" if verdict["score"] is None else f"{verdict['score']:g}"
    table = Table(title=f"{record['step']}: judge {record['track']} vs {verdict['baseline']} — "
                        f"{verdict['verdict']} (score {score}): {verdict['reason']}", title_justify="left")
    for col in ("metric", "result", "baseline median", "canary median", "effect", "CI", "change %", "p", "n"):
        table.add_column(col)
    for m in verdict["metrics"]:
        ci = m["effect_ci"]
        result = m["classification"] + (" FAIL" if m["failed"] else "") + (" (critical)" if m["critical"] else "")
        table.add_row(m["name"], result, _num(m["baseline_median"]), _num(m["canary_median"]), _num(m["effect"]),
                      "-" if ci is None else f"[{ci[0]:.4g}, {ci[1]:.4g}]", _num(m["effect_pct"], "+.1f"),
                      _num(m["p_value"], ".3g"), f"{m['n_baseline']}/{m['n_canary']}")
    console.print(table)

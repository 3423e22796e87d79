"""A promotion's report.html (CSP-safe): what Argo Rollouts users look for in its dashboard — the steps
with their timestamps, the canary weight over time, every analysis measurement against its limits, the
judge's per-metric statistics, the verdict and the rollback if any."""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import TYPE_CHECKING, Any

from tritonship.deploy.analysis.summary import analyses_of
from tritonship.present.html_page import Provenance, facts, mark, page, provenance_facts, table
from tritonship.present.svg import Series, line_chart

if TYPE_CHECKING:
    from tritonship.deploy.engine import PromoteResult

_PASSED = {"passed": True, "dry-run": True, "failed": False}


def _num(value: Any, fmt: str = ".4g") -> str:
    return "-" if value is None else format(value, fmt)


def _limit(bounds: dict | None) -> str:
    if not bounds:
        return "-"
    lo, hi = bounds.get("min"), bounds.get("max")
    return " and ".join(x for x in (f">= {lo:g}" if lo is not None else "", f"<= {hi:g}" if hi is not None else "")
                        if x) or "-"


def _seconds(stamp: str) -> float | None:
    try:
        return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()
    except (TypeError, ValueError):
        return None


def _timeline(record: dict) -> list[dict]:
    items = ((record or {}).get("state") or {}).get("timeline") or []
    return [x for x in items if isinstance(x, dict) and "at" in x and "event" in x]


def steps_section(result: PromoteResult) -> str:
    timeline = _timeline(result.record)
    if timeline:
        rows = [[escape(x["at"]), escape(str(x.get("weight_pct", "-"))), escape(x["event"])] for x in timeline]
        return "<h2>Steps</h2>" + table(("time (UTC)", "canary weight %", "event"), rows, left=3)
    rows = [[str(i + 1), escape(e)] for i, e in enumerate(result.events)]
    return "<h2>Steps</h2>" + table(("#", "event"), rows, left=2) if rows else ""


def weight_svg(record: dict) -> str:
    points = [(t, float(x["weight_pct"])) for x in _timeline(record)
              if x.get("weight_pct") is not None and (t := _seconds(x["at"])) is not None]
    if len(points) < 2:
        return ""
    t0 = points[0][0]
    series = Series("canary weight", [(t - t0, w) for t, w in points], labels=[f"{w:g}%" for _, w in points])
    return "<h2>Traffic</h2>" + line_chart([series], "seconds since the first weight", "weight %",
                                           title="canary weight over time")


def analysis_section(record: dict) -> str:
    out = []
    for entry in analyses_of(record):
        run = entry.get("analysis")
        if run:
            rows = []
            for m in run["metrics"]:
                limits = m.get("limits") or {}
                at = m.get("at_s") or []
                for i, value in enumerate(m["values"]):
                    rows.append([escape(m["name"]), str(i + 1), _num(at[i] if i < len(at) else None, ".1f"),
                                 _num(value), escape(_limit(limits.get("success"))),
                                 escape(_limit(limits.get("failure"))), mark(m["phase"] == "successful", m["phase"])
                                 if i == len(m["values"]) - 1 else ""])
            out.append(f"<h3>{escape(entry['step'])}: analysis of {escape(entry['track'])} — "
                       f"{mark(run['phase'] == 'successful', run['phase'])}</h3>"
                       + table(("metric", "#", "at s", "value", "success when", "failure when", "metric phase"),
                               rows))
        verdict = entry.get("judge")
        if verdict:
            out.append(judge_table(entry, verdict))
    return "<h2>Analysis</h2>" + "".join(out) if out else ""


def judge_table(entry: dict, verdict: dict) -> str:
    rows = []
    for m in verdict["metrics"]:
        ci = m["effect_ci"]
        rows.append([escape(m["name"]), mark(not m["failed"], m["classification"] + (" (critical)" if m["critical"]
                                                                                     else "")),
                     _num(m["baseline_median"]), _num(m["canary_median"]), _num(m["effect"]),
                     "-" if ci is None else f"[{ci[0]:.4g}, {ci[1]:.4g}]", _num(m["effect_pct"], "+.1f"),
                     _num(m["p_value"], ".3g"), f"{m['n_baseline']}/{m['n_canary']}", _num(m.get("weight")),
                     escape(m.get("reason") or "")])
    score = "-" if verdict["score"] is None else f"{verdict['score']:g}"
    return (f"<h3>{escape(entry['step'])}: judge {escape(entry['track'])} vs {escape(verdict['baseline'])} — "
            f"{mark(verdict['verdict'] == 'pass', verdict['verdict'])} (score {score})</h3>"
            f"<p>{escape(verdict['reason'])}</p>"
            + table(("metric", "result", "baseline median", "canary median", "effect", "95% CI", "change %", "p",
                     "n", "weight", "reason"), rows))


def render_html(verb: str, result: PromoteResult, provenance: Provenance | None = None) -> str:
    record = result.record or {}
    rollback = [e for e in result.events if "back on stable" in e or "rolled back" in e or "rollback" in e]
    about = facts([("environment", result.env), ("namespace", result.namespace), ("strategy", result.strategy),
                   ("image", result.image), *provenance_facts(provenance)[:1],
                   ("revision", str(result.revision) if result.revision else None),
                   ("started", record.get("started_at")), ("finished", record.get("finished_at")),
                   ("outcome", record.get("outcome")), ("step", result.step or None), ("reason", result.reason or None),
                   ("rollback", "; ".join(rollback) or (f"to revision {record['rollback_to']}"
                                                        if record.get("rollback_to") else None))])
    body = [about, steps_section(result), weight_svg(record), analysis_section(record)]
    return page(f"tritonship {verb}: {result.env}", f"{verb} {result.env}", _PASSED.get(result.status), body,
                verdict=result.status)

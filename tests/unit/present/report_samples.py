"""One realistic report.html per verb (validate, smoke, perf, promote), for the CSP tests."""

from __future__ import annotations

from pathlib import Path

from tests.unit.perf.builders import perf_result

from tritonship.deploy.engine import PromoteResult
from tritonship.perf.gates import GateCheck
from tritonship.present.html_page import Provenance
from tritonship.smoke.result import Check, GpuReport, ModelReport, SmokeResult

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
PROVENANCE = Provenance(commit="0123abcd", image="registry.local/models@sha256:" + "ab" * 32,
                        date="2026-12-01 18:00:00 UTC")


def validate_html() -> str:
    from tritonship.present.validate import group
    from tritonship.present.validate_html import render_html
    from tritonship.repository.lint import lint_repository

    result = lint_repository(FIXTURES / "lint" / "broken_repository")
    return render_html(result, False, group(result))


def smoke_html() -> str:
    from tritonship.present.smoke_html import render_html

    good = ModelReport("good", "1", "READY", checks=(Check("infer batch=1", "http"), Check("infer batch=1", "grpc")))
    broken = ModelReport("broken", "1", "UNAVAILABLE", "load failed",
                         log_lines=("E1201 model_lifecycle.cc:654] failed to load 'broken': <b>bad</b>",))
    result = SmokeResult("repo", "2.51.0", ("http", "grpc"), (good, broken), GpuReport(False, True),
                         log_path="/tmp/server.log")
    return render_html(result)


def perf_html(passed: bool = False) -> str:
    from tritonship.perf.result import to_dict
    from tritonship.present.common import envelope
    from tritonship.present.perf_html import render_html

    baseline = envelope("perf", "passed", 0) | to_dict(perf_result())
    check = GateCheck("c1", "p99 budget", "<= 1 ms", "0.6 ms" if passed else "2 ms", passed)
    return render_html(perf_result(checks=(check,)), baseline, PROVENANCE)


def promote_record() -> dict:
    timeline = [{"at": "2026-12-01T18:00:00.000000Z", "event": "canary started"},
                {"at": "2026-12-01T18:00:05.000000Z", "event": "weight 20% requested", "weight_pct": 20.0},
                {"at": "2026-12-01T18:01:05.000000Z", "event": "analysis of canary: failed", "weight_pct": 20.0},
                {"at": "2026-12-01T18:01:06.000000Z", "event": "all traffic back on stable (revision 3); canary "
                                                               "scaled to 0", "weight_pct": 0.0}]
    analysis = {"phase": "failed", "message": "error-rate failed", "duration_s": 60.0, "metrics": [
        {"name": "error-rate", "phase": "failed", "successful": 1, "failed": 2, "inconclusive": 0, "errors": 0,
         "values": [0.001, 0.2, 0.3], "at_s": [0.0, 30.0, 60.0], "last_error": None,
         "limits": {"success": {"min": None, "max": 0.01}, "failure": {"min": 0.05, "max": None}}}]}
    judge = {"baseline": "baseline", "verdict": "fail", "score": 40.0, "reason": "score 40 < marginal 60",
             "metrics": [{"name": "p99", "classification": "high", "failed": True, "reason": "p99 rose",
                          "critical": True, "weight": 1.0, "direction": "increase", "n_baseline": 30, "n_canary": 30,
                          "baseline_median": 10.0, "canary_median": 14.0, "p_value": 0.001, "effect": 4.0,
                          "effect_ci": [3.0, 5.0], "effect_pct": 40.0}]}
    return {"revision": 4, "outcome": "failed", "started_at": "2026-12-01T18:00:00Z",
            "finished_at": "2026-12-01T18:01:06Z", "state": {
                "timeline": timeline, "analyses": [{"step": "step 2", "track": "canary", "analysis": analysis,
                                                    "judge": judge}]}}


def promote_html() -> str:
    from tritonship.present.promote_html import render_html

    result = PromoteResult("failed", "prod", "models", "canary", "registry.local/models@sha256:" + "cd" * 32,
                           revision=4, step="step 2", reason="analysis of canary failed",
                           events=tuple(x["event"] for x in promote_record()["state"]["timeline"]),
                           record=promote_record())
    return render_html("promote", result, PROVENANCE)


REPORTS = {"validate": validate_html, "smoke": smoke_html, "perf": perf_html, "promote": promote_html}

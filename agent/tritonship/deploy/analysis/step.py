"""The analysis step shared by blue-green and canary: run the metric checks (and the judge) against a
track, record what was measured in the promotion state, and say what the strategy does next.

successful / judge pass -> next step; failed or error / judge fail -> fail (the engine rolls back);
inconclusive / judge marginal or inconclusive -> pause for a person (`--resume` accepts and goes on,
`--abort` undoes). Records land in `p.state["analyses"]`, hence in the ledger and result.json.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tritonship.deploy.analysis.run import ERROR, FAILED, INCONCLUSIVE, AnalysisResult
from tritonship.deploy.strategies import NEXT, StepOutcome, fail, pause

if TYPE_CHECKING:
    from tritonship.deploy.judge import JudgeResult
    from tritonship.deploy.promotion import Promotion


class PromotionClock:
    """The promotion's clock, whose waits renew the lock."""

    def __init__(self, p: Promotion) -> None:
        self.p = p

    def now(self) -> float:
        return self.p.clock.now()

    def sleep(self, seconds: float) -> None:
        self.p.wait(max(0.0, seconds))


def require_provider(p: Promotion) -> None:
    """Before the first change: an environment that will analyse must say where Prometheus is
    (BadInput, exit 2, nothing applied; re-running with the URL set resumes)."""
    from tritonship.deploy.analysis import provider_for

    if p.env.analysis is not None:
        provider_for(p.env.analysis, p.environ)


def analysis_step(p: Promotion, step: str, track: str, *, metrics: Sequence[str] = (), judge: bool = False,
                  baseline_track: str = "stable") -> StepOutcome:
    """Analyse `track`; with `judge`, also compare it with `baseline_track` statistically."""
    from tritonship.deploy.analysis import provider_for
    from tritonship.deploy.analysis.prometheus import QueryLabels, window_text
    from tritonship.deploy.analysis.run import plans_from_spec

    analysis = p.env.analysis
    if analysis is None:
        return fail(f"step {step!r} needs an `analysis:` section for environment {p.env_name!r}")
    labels = QueryLabels(p.namespace, p.app, track, analysis.model or "", window_text(analysis.window))
    provider = provider_for(analysis, p.environ)
    record: dict = {"step": step, "track": track}
    outcome = NEXT
    plans = plans_from_spec(analysis, labels, metrics)
    if plans:
        p.note(f"analysing {track}: {', '.join(x.name for x in plans)}")
        result = _run(plans, provider, p)
        record["analysis"] = compact(result, plans)
        p.note(f"analysis of {track}: {result.phase} — {result.message}")
        outcome = outcome_of_phase(result.phase, f"analysis of {track} {result.phase}: {result.message}")
    if judge and outcome.kind == "next":
        verdict = _judge(p, provider, labels, track, baseline_track)
        record["judge"] = _judge_record(verdict, baseline_track)
        p.note(f"judge {track} vs {baseline_track}: {verdict.verdict} — {verdict.reason}")
        outcome = outcome_of_verdict(verdict.verdict, f"judge {verdict.verdict}: {verdict.reason}")
    p.state.setdefault("analyses", []).append(record)
    p.save()
    return outcome


def _run(plans, provider, p: Promotion) -> AnalysisResult:
    from tritonship.deploy.analysis.run import run_analysis

    return run_analysis(plans, provider, PromotionClock(p))


def _judge(p: Promotion, provider, labels, track: str, baseline_track: str) -> JudgeResult:
    from tritonship.deploy.analysis.samples import collect_samples, sample_interval
    from tritonship.deploy.judge import judge

    spec = p.env.analysis.judge
    if spec is None or not spec.metrics:
        from tritonship.deploy.judge import JudgeResult

        return JudgeResult("inconclusive", None, "the judge has no metrics (analysis.judge.metrics)", ())
    window = p.env.analysis.window
    p.note(f"judging {track} against {baseline_track}: {spec.samples} samples every "
           f"{sample_interval(spec, window):g}s (one query window apart, so they share no data)")
    samples = collect_samples(spec, provider, labels, PromotionClock(p), baseline=baseline_track,
                              canaries=(track,), heartbeat=p.heartbeat, window=window)[0]
    return judge(samples, confidence=spec.confidence, marginal=spec.marginal, passing=spec.passing)


def outcome_of_phase(phase: str, reason: str) -> StepOutcome:
    if phase in (FAILED, ERROR):
        return fail(reason)
    if phase == INCONCLUSIVE:
        return pause(reason)
    return NEXT


def outcome_of_verdict(verdict: str, reason: str) -> StepOutcome:
    if verdict == "fail":
        return fail(reason)
    if verdict in ("marginal", "inconclusive"):
        return pause(reason)
    return NEXT


def _bounds(bounds) -> dict | None:
    return None if bounds is None else {"min": bounds.min, "max": bounds.max}


def compact(result: AnalysisResult, plans=()) -> dict:
    """An analysis run small enough for the ledger: per metric its phase, counts, values (with the
    seconds since the run started) and the limits they were judged against (from the plans)."""
    limits = {plan.name: {"success": _bounds(plan.success), "failure": _bounds(plan.failure)} for plan in plans}
    return {
        "phase": result.phase,
        "message": result.message,
        "duration_s": result.duration_s,
        "metrics": [
            {"name": m.name, "phase": m.phase, "successful": m.tally.successful, "failed": m.tally.failed,
             "inconclusive": m.tally.inconclusive, "errors": m.tally.errors,
             "values": [None if x.value is None else round(x.value, 6) for x in m.measurements],
             "at_s": [round(x.at, 3) for x in m.measurements], "limits": limits.get(m.name),
             "last_error": next((x.message for x in reversed(m.measurements) if x.phase == ERROR), None)}
            for m in result.metrics
        ],
    }


def _judge_record(verdict: JudgeResult, baseline_track: str) -> dict:
    from tritonship.deploy.judge import judge_to_dict

    return {"baseline": baseline_track, **judge_to_dict(verdict)}

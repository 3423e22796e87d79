"""The perf options step: tritonship.yaml `perf:` merged with the command-line flags (flags win, field by
field) into one frozen `PerfConfig`, before any server is started."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tritonship.errors import BadInput

if TYPE_CHECKING:
    from tritonship.perf.runner import PerfConfig

BUDGET_FLAGS = ("p50_ms", "p90_ms", "p95_ms", "p99_ms", "min_throughput", "max_error_rate")


def regression_configured(perf, flags: dict) -> bool:
    """`regression:` written in tritonship.yaml, or a regression flag given: the gate is wanted."""
    return "regression" in perf.model_fields_set or any(
        flags.get(name) is not None for name in ("max_increase_pct", "min_increase_ms", "baseline_from"))


def perf_config(spec, flags: dict, found=None) -> PerfConfig:
    """Flags override tritonship.yaml's `perf:` section, field by field. `found`: the baseline that
    `--baseline-from ENV` fetched (deploy.perf_baseline.Found), used instead of a file."""
    from tritonship.perf.levels import choose_levels
    from tritonship.perf.limits import check_resources, machine_limits
    from tritonship.perf.measure import MeasureSettings
    from tritonship.perf.result import load_baseline
    from tritonship.perf.runner import PerfConfig
    from tritonship.spec.perf import Budget, PerfSpec

    perf = spec.perf if spec else PerfSpec()
    pick = lambda name: flags.get(name) if flags.get(name) is not None else getattr(perf, name)  # noqa: E731
    model = pick("model")
    if not model:
        raise BadInput("no model to measure: give --model or perf.model in tritonship.yaml")
    budget_over = {k: flags[k] for k in BUDGET_FLAGS if flags.get(k) is not None}
    budget = Budget(**(perf.budget.model_dump() | budget_over)) if budget_over else perf.budget
    baseline_path = pick("baseline")
    if baseline_path and spec and not flags.get("baseline"):
        baseline_path = str(spec.base_dir / baseline_path)
    if found is not None and flags.get("baseline"):
        raise BadInput("give only one of --baseline FILE and --baseline-from ENV")
    input_data = pick("input_data")
    shapes = dict(perf.shapes) or (dict(spec.smoke.shapes.get(model, {})) if spec else {})
    levels = choose_levels(flags.get("concurrency"), flags.get("rate"), perf.concurrency, perf.rate, pick("arrivals"))
    check_resources(levels, pick("workers"), *machine_limits())
    return PerfConfig(
        model=model,
        levels=levels,
        protocol=pick("protocol"),
        measure=MeasureSettings(window_s=pick("window"), stability_pct=pick("stability_pct"),
                                max_trials=pick("max_trials"), warmup_requests=pick("warmup_requests"),
                                batch=pick("batch")),
        workers=pick("workers"), budget=budget, budgets=dict(perf.budgets),
        max_increase_pct=pick("max_increase_pct") if flags.get("max_increase_pct") is not None
        else perf.regression.max_increase_pct,
        alpha=perf.regression.alpha,
        min_increase_ms=flags["min_increase_ms"] if flags.get("min_increase_ms") is not None
        else perf.regression.min_increase_ms,
        baseline=found.doc if found else load_baseline(baseline_path) if baseline_path else None,
        baseline_path=found.label if found else baseline_path,
        **({"baseline_absent_reason": f"--baseline-from {found.label}: {found.reason}"} if found else {}),
        regression_configured=regression_configured(perf, flags), regression_required=perf.regression.required,
        input_data=input_data, shapes=shapes,
    )


def model_image_source(spec, flags: dict):
    """perf's --model-image (REPO@sha256:..., a modelcar model image) with --insecure-registry, --ca-file and
    --model-image-limit, resolved once, before any server starts: image.unpack.ModelImageSource or None."""
    from tritonship.image.unpack import resolve_source

    return resolve_source(flags, spec)

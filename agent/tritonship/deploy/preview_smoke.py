"""Blue-green pre-promotion checks: what to check on the preview before the switch, and the smoke.

Nothing sends traffic to the preview Service, so metric analysis there has no data (every
measurement an error): Argo Rollouts' prePromotionAnalysis is meant for previews that receive
synthetic or mirrored traffic. By default the check is therefore `tritonship smoke` against the
preview Service — generated requests to every model, the same checks as `smoke --url` — and metric
analysis runs before the switch only when the spec says traffic is mirrored to the preview.
`pre_promotion_checks` is the pure decision; `smoke_step` the step blue-green runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tritonship.deploy.strategies import NEXT, StepOutcome, fail

if TYPE_CHECKING:
    from tritonship.deploy.promotion import Promotion
    from tritonship.smoke.result import SmokeResult
    from tritonship.spec.environment import BlueGreenStrategy


def pre_promotion_checks(bg: BlueGreenStrategy, analysed: bool) -> tuple[str, ...]:
    """Which checks run on the preview before the switch: 'smoke' and/or 'analysis'."""
    checks = ["smoke"] if bg.pre_promotion_smoke else []
    if bg.pre_promotion_analysis and analysed and bg.mirrored_traffic:
        checks.append("analysis")
    return tuple(checks)


def preview_url(bg: BlueGreenStrategy, app: str, namespace: str) -> str:
    """Where the agent reaches the preview Service's HTTP port (in-cluster DNS by default)."""
    template = bg.preview_url or "http://{service}.{namespace}.svc:8000"
    return template.replace("{service}", f"{app}-preview").replace("{namespace}", namespace)


def smoke_step(p: Promotion) -> StepOutcome:
    """Smoke the preview: every model loads and answers generated requests over HTTP and gRPC."""
    from tritonship.errors import TritonshipError

    url = preview_url(p.env.strategy.blue_green, p.app, p.namespace)
    p.note(f"smoke of the preview at {url}")
    try:
        result = _smoke(p, url)
    except TritonshipError as exc:
        return fail(f"the preview at {url} did not answer: {exc.message}")
    p.state["preview_smoke"] = {"url": url, "passed": result.passed, "failed_models": result.failed_models,
                                "problems": list(result.problems)}
    p.save()
    if not result.passed:
        why = "; ".join([f"{m.name}: {', '.join(m.problems)[:300]}" for m in result.models if not m.passed]
                        + list(result.problems))
        return fail(f"smoke of the preview failed: {why}")
    p.note(f"preview smoke passed: {len(result.models)} model(s)")
    return NEXT


def _smoke(p: Promotion, url: str) -> SmokeResult:
    from tritonship.smoke.options import smoke_options
    from tritonship.smoke.run import ServerHandle, run_smoke
    from tritonship.triton.client import TritonClient
    from tritonship.triton.factory import open_server

    options = smoke_options(p.spec)
    with open_server("url", url, timeout=p.spec.smoke.timeout, strict_readiness=False) as server, \
            TritonClient(server.http_url, server.grpc_url) as client:
        handle = ServerHandle(url, server.http_url, server.grpc_url, server.metrics_url, None, None, None)
        return run_smoke(client, handle, options)

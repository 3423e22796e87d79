"""The release state machine on the simulator: the four reproductions of issue 11 as regression
tests, sticky failure and --retry, fail-fast pod watching, timed pauses that survive a kill, and
API discovery before any change."""

from __future__ import annotations

import pytest
from tests.integration.promote.conftest import (
    BAD,
    GOOD,
    GOOD2,
    Killed,
    Outage,
    SkippingClock,
    deployment_image,
    ledger,
    write_spec,
)

from tritonship.deploy.kube import ClusterUnreachable
from tritonship.errors import BadInput, GateFailed

pytestmark = pytest.mark.integration

GOOD3 = GOOD.replace("a" * 64, "e" * 64)


def digest(image: str) -> str:
    return image.split("@")[1]


def assert_runs_last_succeeded(sim, env: str = "dev", name: str = "demo-app") -> None:
    """The invariant: the environment runs the digest of the ledger's last succeeded record."""
    done = [r for r in ledger(sim, env) if r["outcome"] == "succeeded"]
    assert done, "no succeeded record"
    assert deployment_image(sim, env, name) == done[-1]["image"]


# -- reproduction 1: an interrupted rollback is never recorded as a success -------------------------
def test_rollback_interrupted_by_an_outage_is_continued_not_recorded_as_success(sim, engine):
    assert engine.promote(GOOD).status == "passed"
    outage = Outage(sim, r"^PATCH .*/deployments/demo-app$", after=2)  # the rollback's re-apply, then down
    with pytest.raises(ClusterUnreachable):
        engine.promote(BAD)
    outage.stop()
    rel = ledger(sim)[-1]
    assert (rel["revision"], rel["phase"], rel["outcome"], rel["rollback_to"]) == (2, "rolling-back", "in-progress", 1)
    assert "CrashLoopBackOff" in rel["reason"]

    again = engine.promote(BAD)  # the on-call engineer re-runs the same promote
    assert again.status == "failed" and again.resumed
    assert [(r["revision"], r["outcome"]) for r in ledger(sim)] == [(1, "succeeded"), (2, "rolled-back")]
    assert "rolled back to revision 1" in ledger(sim)[-1]["reason"]
    assert deployment_image(sim) == GOOD
    assert_runs_last_succeeded(sim)
    assert digest(BAD) not in [r["digest"] for r in ledger(sim) if r["outcome"] == "succeeded"]


# -- reproduction 2: an interrupted `tritonship rollback` continues toward its own target ----------
def test_interrupted_rollback_command_continues_and_never_reapplies_the_bad_release(sim, engine):
    assert engine.promote(GOOD).status == "passed"
    assert engine.promote(GOOD2).status == "passed"
    outage = Outage(sim, r"^PATCH .*/deployments/demo-app$")  # rollback re-applies revision 1, then down
    with pytest.raises(ClusterUnreachable):
        engine.rollback()
    outage.stop()
    rel = ledger(sim)[-1]
    assert (rel["kind"], rel["phase"], rel["rollback_to"]) == ("rollback", "restoring", 1)
    images = []
    sim.faults.hook = lambda _req: images.append(deployment_image(sim))
    result = engine.rollback()
    sim.faults.hook = None
    assert result.status == "passed" and result.revision == 3 and result.resumed
    assert GOOD2 not in images  # the release being left was never applied again
    assert [(r["revision"], r["kind"], r["outcome"]) for r in ledger(sim)] == [
        (1, "promote", "succeeded"), (2, "promote", "succeeded"), (3, "rollback", "succeeded")]
    assert_runs_last_succeeded(sim)


def test_a_promote_after_an_interrupted_rollback_finishes_the_rollback_first(sim, engine):
    assert engine.promote(GOOD).status == "passed"
    assert engine.promote(GOOD2).status == "passed"
    outage = Outage(sim, r"^PATCH .*/deployments/demo-app$")
    with pytest.raises(ClusterUnreachable):
        engine.rollback()
    outage.stop()
    assert engine.promote(GOOD3).status == "passed"
    assert [(r["revision"], r["outcome"]) for r in ledger(sim)] == [(1, "succeeded"), (2, "succeeded"),
                                                                    (3, "succeeded"), (4, "succeeded")]
    assert ledger(sim)[2]["kind"] == "rollback"
    assert_runs_last_succeeded(sim)


# -- reproduction 3: blue-green "warm" means it runs the target's digest ---------------------------
BLUE_GREEN = """\
    strategy:
      blue_green: { pre_promotion_smoke: false, pre_promotion_analysis: false, post_promotion_analysis: false,
                    scale_down_delay: 0s,
                    progress_deadline: 600s }
"""


def test_blue_green_rollback_to_a_colour_that_runs_another_revision_reapplies_it(sim, project, engine):
    text = write_spec(project.spec, deadline="600s").read_text()
    project.spec.write_text(text.replace("    strategy:\n      rolling: { max_surge: 1, max_unavailable: 0, "
                                         "progress_deadline: 600s }\n", BLUE_GREEN, 1))
    for image in (GOOD, GOOD2, GOOD3):  # blue (1), green (2), blue (3)
        assert engine.promote(image).status == "passed"
    assert deployment_image(sim, name="demo-app-blue") == GOOD3
    result = engine.rollback(to=1)
    assert result.status == "passed"
    assert not any("still warm" in e for e in result.events)
    assert any("is not warm" in e and "revision 1" in e for e in result.events)
    assert deployment_image(sim, name="demo-app-blue") == GOOD
    blue = sim.get("Deployment", "demo-app-blue", "models-dev")
    assert blue["metadata"]["annotations"]["tritonship.io/revision"] == "1"
    assert blue["status"]["availableReplicas"] == 2
    assert sim.get("Service", "demo-app", "models-dev")["spec"]["selector"]["tritonship.io/track"] == "blue"
    assert_runs_last_succeeded(sim, name="demo-app-blue")


# -- reproduction 4: pods that cannot start fail the step within seconds ---------------------------
def test_crashlooping_image_fails_fast_naming_the_pod_and_keeps_the_previous_digest(sim, project):
    from tests.integration.promote.conftest import Engine

    write_spec(project.spec, deadline="600s")  # the default progress deadline: waiting it out would take 10 min
    engine = Engine(project, SkippingClock())
    assert engine.promote(GOOD).status == "passed"
    waited_before = engine.clock.waited
    result = engine.promote(BAD)
    assert result.status == "failed"
    assert engine.clock.waited - waited_before < 120  # the agent's own waiting, on its clock
    assert "CrashLoopBackOff" in result.reason and "pod demo-app-" in result.reason
    assert "restart" in result.reason
    assert "error: creating server: Internal - failed to load all models" in result.reason  # its last log lines
    assert "rolled back to revision 1" in result.reason
    assert deployment_image(sim) == GOOD
    assert_runs_last_succeeded(sim)


def test_unpullable_image_fails_fast_with_the_kubelet_reason(sim, project, engine):
    write_spec(project.spec, deadline="600s")
    assert engine.promote(GOOD).status == "passed"
    sim.behaviour.pull_fail_image = "typo-models"
    result = engine.promote(GOOD.replace("example-models", "typo-models"))
    assert result.status == "failed"
    assert "ErrImagePull" in result.reason or "ImagePullBackOff" in result.reason
    assert "pod demo-app-" in result.reason and "0 restarts" in result.reason
    assert deployment_image(sim) == GOOD


def test_unschedulable_pods_fail_after_the_grace(sim, project, engine):
    write_spec(project.spec, deadline="600s")
    assert engine.promote(GOOD).status == "passed"
    write_spec(project.spec, deadline="600s", gpus=1)
    project.spec.write_text(project.spec.read_text().replace("    replicas: 2\n", "    replicas: 2\n"
                                                             "    unschedulable_grace: 30s\n", 1))
    result = engine.promote(GOOD2, skip_preflight=("image", "capacity"))
    assert result.status == "failed"
    assert "Unschedulable" in result.reason and "Insufficient nvidia.com/gpu" in result.reason
    assert deployment_image(sim) == GOOD


# -- sticky failure -------------------------------------------------------------------------------
def test_a_failed_release_stays_failed_until_an_explicit_retry(sim, engine):
    assert engine.promote(GOOD).status == "passed"
    assert engine.promote(BAD).status == "failed"
    with pytest.raises(GateFailed, match="ended rolled-back") as refused:
        engine.promote(BAD)
    assert "--retry" in refused.value.hint
    assert len(ledger(sim)) == 2 and deployment_image(sim) == GOOD
    sim.behaviour.crashloop_image = None  # whatever was broken got fixed outside the image
    retried = engine.promote(BAD, retry=True)
    assert retried.status == "passed" and retried.revision == 3
    assert ledger(sim)[-1]["retry_of"] == 2
    with pytest.raises(BadInput, match="nothing to retry"):
        engine.promote(GOOD2, retry=True)


# -- timed pauses ---------------------------------------------------------------------------------
CANARY = """\
    strategy:
      canary:
        progress_deadline: 600s
        steps: [ { set_weight: 50 }, { pause: { duration: 600s } } ]
"""


def test_a_timed_pause_killed_midway_waits_only_the_remainder(sim, project):
    from tests.integration.promote.conftest import Engine

    text = write_spec(project.spec, deadline="600s").read_text()
    project.spec.write_text(text.replace("    strategy:\n      rolling: { max_surge: 1, max_unavailable: 0, "
                                         "progress_deadline: 600s }\n", CANARY, 1))
    first = Engine(project, SkippingClock())
    assert first.promote(GOOD).status == "passed"
    first.clock.kill_after = first.clock.waited + 500  # killed 500 s into the weight step + pause
    with pytest.raises(Killed):
        first.promote(GOOD2)
    rel = ledger(sim)[-1]
    assert rel["phase"] == "paused" and rel["outcome"] == "in-progress" and rel["step"] == "2:pause"
    deadline = rel["state"]["pause_until:2"]
    later = Engine(project, SkippingClock(offset=first.clock.offset))  # a new agent, same wall clock
    result = later.promote(GOOD2)
    assert result.status == "passed" and result.resumed
    assert later.clock.waited < 300  # the ~100 s left of the pause (and the promote), not 600 again
    assert ledger(sim)[-1]["state"]["pause_until:2"] == deadline
    assert deployment_image(sim) == GOOD2


# -- API discovery --------------------------------------------------------------------------------
def test_a_kind_the_cluster_does_not_serve_fails_preflight_with_nothing_applied(sim, project, engine):
    from tritonship.deploy.engine import PreflightFailed

    assert engine.promote(GOOD).status == "passed"
    def applied():  # generation moves with spec changes only; the controller's status writes move resourceVersion
        dep = sim.get("Deployment", "demo-app", "models-dev")
        return dep["metadata"]["generation"], dep["spec"]

    before = applied()
    sim.discovery.absent.add("ServiceMonitor")
    project.spec.write_text(project.spec.read_text().replace("    replicas: 2\n", "    replicas: 2\n"
                                                             "    service_monitor: true\n", 1))
    with pytest.raises(PreflightFailed) as failed:
        engine.promote(GOOD2)
    detail = next(c.detail for c in failed.value.report.checks if c.name == "api")
    assert "ServiceMonitor (monitoring.coreos.com/v1)" in detail
    assert "servicemonitors.monitoring.coreos.com" in detail and "`service_monitor`" in detail
    assert len(ledger(sim)) == 1
    assert applied() == before

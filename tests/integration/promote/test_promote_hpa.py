"""With `autoscaling:`, tritonship leaves spec.replicas to the HPA: it never applies the field (so it
never owns it), a re-promote keeps the HPA's count, and a canary is sized from stable's current
replicas without scaling stable below the HPA's minimum."""

from __future__ import annotations

from tests.integration.promote.conftest import GOOD, GOOD2, promote_args, wait_for

from tritonship_standins.kube import managed

SPEC = """\
version: 1
project: demo-app
model_repository: models
environments:
  dev:
    namespace: models-dev
    replicas: 3
    resources: { cpu: "250m", memory: 256Mi }
    autoscaling: { min: 3, max: 8, cpu_percent: 70, queue_us: 50 }
    strategy:
{strategy}
"""
ROLLING = "      rolling: { max_surge: 1, max_unavailable: 0, progress_deadline: 2s }"
CANARY = """      canary:
        progress_deadline: 2s
        steps:
          - set_weight: 50
          - pause: { duration: 0.1s }"""


def replicas_owners(dep: dict) -> set[tuple[str, str]]:
    return {key for key, paths in managed.entries(dep).items() if ("spec", "replicas") in paths}


def scaled_by_hpa(sim, replicas: int) -> dict:
    sim.behaviour.hpa_desired["demo-app"] = replicas
    return wait_for(lambda: (d := sim.get("Deployment", "demo-app", "models-dev"))
                    and d["spec"].get("replicas") == replicas and d, what=f"the HPA to scale to {replicas}")


def test_promote_never_takes_spec_replicas_from_the_hpa(sim, project, tship):
    project.spec.write_text(SPEC.replace("{strategy}", ROLLING))
    first = tship("promote", *promote_args(GOOD))
    assert first.exit_code == 0, first.stdout + first.stderr
    dep = sim.get("Deployment", "demo-app", "models-dev")
    assert ("tritonship", "Apply") not in replicas_owners(dep)
    hpa = sim.get("HorizontalPodAutoscaler", "demo-app", "models-dev")
    assert [m["type"] for m in hpa["spec"]["metrics"]] == ["Resource", "Pods"]
    assert hpa["spec"]["metrics"][1]["pods"]["metric"]["name"] == "avg_time_queue_us"
    scaled_by_hpa(sim, 6)
    again = tship("promote", *promote_args(GOOD2))
    assert again.exit_code == 0, again.stdout + again.stderr
    dep = sim.get("Deployment", "demo-app", "models-dev")
    assert dep["spec"]["replicas"] == 6  # not reset to 3 (or to the default 1)
    assert dep["spec"]["template"]["spec"]["containers"][0]["image"] == GOOD2
    assert replicas_owners(dep) == {("kube-controller-manager", "Update")}


def test_canary_is_sized_from_stables_current_replicas_and_respects_the_minimum(sim, project, tship):
    project.spec.write_text(SPEC.replace("{strategy}", CANARY))
    assert tship("promote", *promote_args(GOOD)).exit_code == 0
    scaled_by_hpa(sim, 5)
    result = tship("promote", *promote_args(GOOD2))
    doc = result.json()
    assert result.exit_code == 0, doc
    weight = next(e for e in doc["events"] if e.startswith("weight 50%"))
    assert weight.startswith("weight 50% requested: 3 canary, 0 baseline, 3 stable pods")  # stable kept at min 3
    stable = sim.get("Deployment", "demo-app", "models-dev")
    assert stable["spec"]["replicas"] == 5 and ("tritonship", "Apply") not in replicas_owners(stable)

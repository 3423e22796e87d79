"""The Progressing condition keeps a stale ProgressDeadlineExceeded after a re-apply that changes no
template, as the real deployment controller does (DeploymentTimedOut: "if condition.Reason ==
TimedOutReason return true")."""

from __future__ import annotations

from types import SimpleNamespace

from tests.unit.kube_sim.conftest import deployment

from tritonship_standins.kube.progress import progressing


def test_the_condition_sequence():
    track = SimpleNamespace(last_progress=0.0)

    def at(now, counts=(1, 0, 0), rs="web-a", deadline=10.0, complete=False):
        return progressing(track, rs_name=rs, counts=counts, complete=complete, deadline=deadline, now=now)[1]

    assert at(0) == "NewReplicaSetCreated"
    assert at(5) == "ReplicaSetUpdated"
    assert at(11) == "ProgressDeadlineExceeded"
    assert at(12, deadline=600) == "ProgressDeadlineExceeded"  # a longer deadline does not revive it
    assert at(13, rs="web-old") == "NewReplicaSetCreated"  # a template never seen: a new ReplicaSet
    assert at(30, rs="web-old") == "ProgressDeadlineExceeded"
    assert at(31, rs="web-a") == "ProgressDeadlineExceeded"  # back to a known template: still stale
    assert at(32, rs="web-a", counts=(1, 1, 0)) == "ReplicaSetUpdated"  # a pod became ready: progress
    assert at(33, rs="web-a", counts=(1, 1, 0), complete=True) == "NewReplicaSetAvailable"


def test_a_reapply_keeps_the_stale_deadline_in_the_simulator(sim, kube):
    from tests.integration.promote.conftest import wait_for

    sim.behaviour.crashloop_image = "broken"
    kube.apply(deployment(image="broken@sha256:" + "2" * 64, replicas=1, deadline=1))

    def progressing_reason():
        dep = sim.get("Deployment", "web", "ns")
        status = dep.get("status") or {}
        cond = next((c for c in status.get("conditions") or [] if c["type"] == "Progressing"), {})
        return status.get("observedGeneration") == dep["metadata"]["generation"] and cond.get("reason")

    wait_for(lambda: progressing_reason() == "ProgressDeadlineExceeded", what="the deadline to pass")
    kube.apply(deployment(image="broken@sha256:" + "2" * 64, replicas=1, deadline=600))  # same template
    generation = sim.get("Deployment", "web", "ns")["metadata"]["generation"]
    wait_for(lambda: sim.get("Deployment", "web", "ns")["status"].get("observedGeneration") == generation,
             what="the new generation to be observed")
    assert progressing_reason() == "ProgressDeadlineExceeded"

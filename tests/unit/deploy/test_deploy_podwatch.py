"""Fail-fast pod watching: which pod states fail a rollout at once, and the grace for unschedulable pods."""

from __future__ import annotations

from tritonship.deploy.clock import FakeClock
from tritonship.deploy.podwatch import PodWatch, container_problem, is_release_pod, unschedulable

IMG = "r.example/ml/app@sha256:" + "a" * 64


def pod(name="app-1", waiting=None, restarts=0, scheduled=True, image=IMG, revision="2") -> dict:
    status: dict = {"conditions": [{"type": "PodScheduled", "status": "True"}]}
    if not scheduled:
        status["conditions"] = [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                                 "message": "0/2 nodes are available: 2 Insufficient nvidia.com/gpu."}]
    if waiting:
        status["containerStatuses"] = [{"name": "tritonserver", "restartCount": restarts,
                                        "state": {"waiting": {"reason": waiting, "message": "why"}}}]
    return {"metadata": {"name": name, "labels": {"app": "x", "tritonship.io/revision": revision}},
            "spec": {"containers": [{"name": "tritonserver", "image": image}]}, "status": status}


DEP = {"spec": {"selector": {"matchLabels": {"app": "x"}},
                "template": {"metadata": {"labels": {"app": "x", "tritonship.io/revision": "2"}},
                             "spec": {"containers": [{"name": "tritonserver", "image": IMG}]}}}}


class Pods:
    """The two calls PodWatch makes, over a fixed list of pods."""

    def __init__(self, pods: list[dict], log: str = "") -> None:
        self.pods, self.log, self.log_calls = pods, log, []

    def list(self, kind, namespace, selector):
        assert (kind, namespace, selector) == ("Pod", "ns", "app=x")
        return self.pods

    def pod_log(self, name, namespace, **kw):
        self.log_calls.append((name, kw))
        return self.log


def test_fatal_waiting_reasons_are_problems_and_creating_is_not():
    for reason in ("CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError",
                   "InvalidImageName"):
        assert container_problem(pod(waiting=reason, restarts=3)).reason == reason
    assert container_problem(pod(waiting="ContainerCreating")) is None
    assert container_problem(pod()) is None
    assert unschedulable(pod(scheduled=False)).reason == "Unschedulable"


def test_only_pods_of_the_new_revision_count():
    assert is_release_pod(pod(), DEP)
    assert not is_release_pod(pod(revision="1"), DEP)
    assert not is_release_pod(pod(image=IMG.replace("a", "b")), DEP)


def test_a_crash_loop_is_reported_with_restarts_and_the_last_log_lines():
    kube = Pods([pod(revision="1", waiting="CrashLoopBackOff"), pod("app-2", waiting="CrashLoopBackOff", restarts=4)],
                log="starting\n\nerror: creating server: Internal - failed to load all models\n")
    problem = PodWatch(kube, "ns", FakeClock()).check(DEP)
    assert problem.pod == "app-2" and problem.restarts == 4
    assert problem.log == ("starting", "error: creating server: Internal - failed to load all models")
    assert kube.log_calls == [("app-2", {"container": "tritonserver", "tail": 20, "previous": True})]
    text = problem.describe()
    assert text.startswith("pod app-2 container tritonserver: CrashLoopBackOff (why), 4 restarts; last log lines:")


def test_unschedulable_fails_only_after_the_grace_on_our_clock():
    clock = FakeClock()
    watch = PodWatch(Pods([pod(scheduled=False)]), "ns", clock, grace=120)
    assert watch.check(DEP) is None
    clock.sleep(119)
    assert watch.check(DEP) is None
    clock.sleep(1)
    problem = watch.check(DEP)
    assert problem.reason == "Unschedulable" and "Insufficient nvidia.com/gpu" in problem.message
    assert "(for 120s)" in problem.message

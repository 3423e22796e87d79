"""The simulator's controllers: a Deployment controller with rolling-update semantics, a scheduler and
a kubelet stand-in (pods become ready after a delay, or crash-loop for images marked bad)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field

from tritonship_standins.kube.pods import (
    crashloop_state,
    insufficient,
    pod_images,
    pull_failure_status,
    unschedulable_status,
)
from tritonship_standins.kube.rollout import plan, status_for
from tritonship_standins.kube.store import BY_PATH, StatusError, Store, now_iso

POD = BY_PATH[("v1", "pods")]
DEPLOYMENT = BY_PATH[("apps/v1", "deployments")]
NODE = BY_PATH[("v1", "nodes")]
GPU = "nvidia.com/gpu"


@dataclass
class Behaviour:
    """What the simulated cluster does; tests change these fields at run time."""

    ready_delay: float = 1.0  # seconds from scheduling to Ready
    crashloop_image: str | None = None  # regex: pods whose image matches never become Ready
    pull_fail_image: str | None = None  # regex: pods whose image matches cannot pull it (kube/pods.py)
    tick: float = 0.05
    hpa_desired: dict[str, int] = field(default_factory=dict)  # HPA name -> replicas its metrics ask for
    crash_log: tuple[str, ...] | None = None  # what crashing containers print (default: pods.CRASH_LOG)


@dataclass
class _Track:
    signature: tuple = ()
    last_progress: float = field(default_factory=time.time)
    transitions: dict[str, str] = field(default_factory=dict)


def template_hash(template: dict) -> str:
    return hashlib.sha256(json.dumps(template, sort_keys=True).encode()).hexdigest()[:10]


class Controllers:
    def __init__(self, store: Store, behaviour: Behaviour) -> None:
        self.store, self.behaviour = store, behaviour
        self._pods: dict[str, float] = {}  # pod name -> monotonic time it was scheduled
        self._tracks: dict[tuple[str, str], _Track] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="kube-sim-controllers", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)

    def _loop(self) -> None:
        while not self._stop.wait(self.behaviour.tick):
            self.reconcile()

    def reconcile(self) -> None:
        from tritonship_standins.kube.hpa import reconcile_hpas

        with self.store.lock:
            reconcile_hpas(self.store, self.behaviour.hpa_desired)
            self._kubelet()
            for dep in self.store.list(DEPLOYMENT):
                self._deployment(dep)
            self._orphans()

    # -- pods ------------------------------------------------------------------------------------
    def _kubelet(self) -> None:
        for pod in self.store.list(POD):
            name, ns = pod["metadata"]["name"], pod["metadata"]["namespace"]
            status = pod.setdefault("status", {})
            if not pod["spec"].get("nodeName"):
                node = self._schedule(pod)
                if node is None:
                    rooms = self._rooms(pod)
                    new = unschedulable_status(status, len(rooms), insufficient(_requests(pod), list(rooms.values())))
                    if status != new:
                        self.store.update(POD, ns, name, {**pod, "status": new}, status_only=True)
                    continue
                pod["spec"]["nodeName"] = node
                self.store.update(POD, ns, name, pod)
                self._pods[name] = time.monotonic()
            new = self._pod_status(pod)
            if new != status:
                self.store.update(POD, ns, name, {**pod, "status": new}, status_only=True)

    def _pod_status(self, pod: dict) -> dict:
        image = pod["spec"]["containers"][0].get("image", "")
        since = self._pods.get(pod["metadata"]["name"], time.monotonic())
        elapsed = time.monotonic() - since
        images = pod_images(pod)  # a modelcar pod: a broken model image makes Triton fail to load, too
        fail = self.behaviour.pull_fail_image
        unpullable = [i for i in images if fail and re.search(fail, i)]
        if unpullable:
            return pull_failure_status(pod, elapsed, self.behaviour.ready_delay, unpullable[0])
        bad = self.behaviour.crashloop_image and any(re.search(self.behaviour.crashloop_image, i) for i in images)
        ready = not bad and elapsed >= self.behaviour.ready_delay
        last: dict = {}
        if bad:
            state, last = crashloop_state(pod)
            restarts = 1 + int(elapsed / max(self.behaviour.ready_delay, 0.1))
        else:
            state, restarts = {"running": {"startedAt": pod["metadata"]["creationTimestamp"]}}, 0
        cond = "True" if ready else "False"
        old = pod.get("status") or {}
        return {
            "phase": "Running", "hostIP": "10.0.0.1", "podIP": old.get("podIP") or _pod_ip(pod["metadata"]["name"]),
            "startTime": old.get("startTime") or now_iso(),
            "conditions": [{"type": "PodScheduled", "status": "True"}, {"type": "Initialized", "status": "True"},
                           {"type": "ContainersReady", "status": cond}, {"type": "Ready", "status": cond}],
            "containerStatuses": [{"name": pod["spec"]["containers"][0].get("name", ""), "image": image,
                                   "ready": ready, "restartCount": restarts, "started": not bad, "state": state,
                                   **({"lastState": last} if last else {})}],
            **_init_statuses(pod),
        }

    def _schedule(self, pod: dict) -> str | None:
        want = _requests(pod)
        for name, free in self._rooms(pod).items():
            if all(free.get(r, 0.0) >= v for r, v in want.items() if v):
                return name
        return None

    def _rooms(self, pod: dict) -> dict[str, dict[str, float]]:
        """Free resources of each node the pod's nodeSelector allows."""
        from tritonship.deploy.capacity import parse_amounts

        used: dict[str, dict[str, float]] = {}
        for other in self.store.list(POD):
            node = other["spec"].get("nodeName")
            if node:
                for r, v in _requests(other).items():
                    used.setdefault(node, {})[r] = used.get(node, {}).get(r, 0.0) + v
        selector = pod["spec"].get("nodeSelector") or {}
        rooms: dict[str, dict[str, float]] = {}
        for node in self.store.list(NODE):
            labels = node["metadata"].get("labels") or {}
            if any(labels.get(k) != v for k, v in selector.items()):
                continue
            alloc = parse_amounts(node["status"].get("allocatable") or {})
            mine = used.get(node["metadata"]["name"], {})
            rooms[node["metadata"]["name"]] = {r: alloc.get(r, 0.0) - mine.get(r, 0.0) for r in alloc}
        return rooms

    def _orphans(self) -> None:
        live = {(d["metadata"]["namespace"], d["metadata"]["name"]) for d in self.store.list(DEPLOYMENT)}
        for pod in self.store.list(POD):
            owner = (pod["metadata"].get("labels") or {}).get("sim.tritonship.io/deployment")
            if owner and (pod["metadata"]["namespace"], owner) not in live:
                self._delete_pod(pod)

    def _delete_pod(self, pod: dict) -> None:
        with contextlib.suppress(StatusError):
            self.store.delete(POD, pod["metadata"]["namespace"], pod["metadata"]["name"])
        self._pods.pop(pod["metadata"]["name"], None)

    # -- deployments -----------------------------------------------------------------------------
    def _deployment(self, dep: dict) -> None:
        ns, name = dep["metadata"]["namespace"], dep["metadata"]["name"]
        spec = dep["spec"]
        current = template_hash(spec["template"])
        pods = [p for p in self.store.list(POD, ns) if
                (p["metadata"].get("labels") or {}).get("sim.tritonship.io/deployment") == name]
        new = [p for p in pods if p["metadata"]["labels"].get("pod-template-hash") == current]
        old = [p for p in pods if p not in new]
        if not spec.get("paused"):
            create, remove = plan(spec, new, old)
            for _ in range(create):
                self._create_pod(dep, current)
            for pod in remove:
                self._delete_pod(pod)
            pods = [p for p in self.store.list(POD, ns) if
                    (p["metadata"].get("labels") or {}).get("sim.tritonship.io/deployment") == name]
            new = [p for p in pods if p["metadata"]["labels"].get("pod-template-hash") == current]
        track = self._tracks.setdefault((ns, name), _Track())
        status = status_for(dep, pods, new, rs_name=f"{name}-{current}", track=track, now=time.time())
        if status != dep.get("status"):
            self.store.update(DEPLOYMENT, ns, name, {**dep, "status": status}, status_only=True)

    def _create_pod(self, dep: dict, current: str) -> None:
        template = json.loads(json.dumps(dep["spec"]["template"]))
        meta = template.get("metadata") or {}
        labels = {**(meta.get("labels") or {}), "pod-template-hash": current,
                  "sim.tritonship.io/deployment": dep["metadata"]["name"]}
        rs = f"{dep['metadata']['name']}-{current}"
        pod = {"metadata": {"name": f"{rs}-{uuid.uuid4().hex[:5]}", "labels": labels,
                            "annotations": meta.get("annotations") or {},
                            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": rs,
                                                 "controller": True, "uid": dep["metadata"]["uid"]}]},
               "spec": template["spec"], "status": _pending_status("", "")}
        self.store.create(POD, dep["metadata"]["namespace"], pod)


def _pending_status(reason: str, message: str) -> dict:
    cond = {"type": "PodScheduled", "status": "False"}
    if reason:
        cond.update(reason=reason, message=message)
    return {"phase": "Pending", "conditions": [cond]}


def _pod_ip(name: str) -> str:
    h = int(hashlib.sha256(name.encode()).hexdigest()[:6], 16)
    return f"10.{(h >> 16) & 255}.{(h >> 8) & 255}.{h & 255}"


def _requests(pod: dict) -> dict[str, float]:
    from tritonship.deploy.capacity import parse_amounts

    total: dict[str, float] = {}
    for c in pod["spec"].get("containers") or []:
        for r, v in parse_amounts((c.get("resources") or {}).get("requests") or {}).items():
            total[r] = total.get(r, 0.0) + v
    return total


def _init_statuses(pod: dict) -> dict:
    """Init containers (a modelcar copier) ran to completion before the containers started."""
    init = pod["spec"].get("initContainers") or []
    if not init:
        return {}
    done = {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": pod["metadata"]["creationTimestamp"],
                           "finishedAt": pod["metadata"]["creationTimestamp"]}}
    return {"initContainerStatuses": [{"name": c.get("name", ""), "image": c.get("image", ""), "ready": True,
                                       "restartCount": 0, "started": False, "state": done} for c in init]}

"""What the simulated kubelet and scheduler say about pods that cannot start, and the pods/log API.

- An image matching `Behaviour.pull_fail_image` never starts: the pod stays `Pending`, its container
  waits with `ErrImagePull` and, from the second attempt on, `ImagePullBackOff` (the kubelet's
  reasons, pkg/kubelet/images/types.go), with the messages the kubelet writes.
- A crash-looping container (`Behaviour.crashloop_image`) has terminated at least once
  (`lastState.terminated`, exit code 1) and waits with `CrashLoopBackOff`.
- A pod no node fits stays `Pending` with `PodScheduled=False`, reason `Unschedulable` and the
  scheduler's "0/N nodes are available" message; `lastTransitionTime` says since when.
- `GET .../pods/NAME/log` answers text/plain, honours `container`, `tailLines` and `previous`, and
  refuses like the real API server: 400 for a container that is waiting to start or has no previous
  terminated instance, 400 for an unknown container name.
"""

from __future__ import annotations

from typing import Any

from tritonship_standins.kube.store import StatusError, now_iso

CRASH_LOG = (
    "I1201 09:00:00.000000 1 server.cc:674] Started tritonserver (version 2.51.0)",
    "I1201 09:00:00.100000 1 model_lifecycle.cc:472] loading: text_upper:1",
    "E1201 09:00:00.200000 1 model_lifecycle.cc:641] failed to load 'text_upper' version 1: Internal: "
    "ModuleNotFoundError: No module named 'numpy'",
    "I1201 09:00:00.200100 1 server.cc:302] Waiting for in-flight requests to complete.",
    "error: creating server: Internal - failed to load all models",
)
RUNNING_LOG = (
    "I1201 09:00:00.000000 1 server.cc:674] Started tritonserver (version 2.51.0)",
    "I1201 09:00:00.300000 1 model_lifecycle.cc:839] successfully loaded 'text_upper'",
    "I1201 09:00:00.400000 1 http_server.cc:4713] Started HTTPService at 0.0.0.0:8000",
)


def pod_images(pod: dict) -> list[str]:
    """Every image the pod needs: its containers', its init containers' and its image volumes'."""
    spec = pod.get("spec") or {}
    return [*(c.get("image", "") for c in spec.get("containers") or []),
            *(c.get("image", "") for c in spec.get("initContainers") or []),
            *((v.get("image") or {}).get("reference", "") for v in spec.get("volumes") or [] if "image" in v)]


def pull_failure_status(pod: dict, elapsed: float, ready_delay: float, image: str = "") -> dict:
    """Status of a pod whose image cannot be pulled: Pending, ErrImagePull then ImagePullBackOff. An init
    container's image fails in `initContainerStatuses`, the containers wait `PodInitializing` (the kubelet)."""
    image = image or pod["spec"]["containers"][0].get("image", "")
    if elapsed < max(ready_delay, 0.1):
        waiting = {"reason": "ErrImagePull",
                   "message": f'failed to pull and unpack image "{image}": failed to resolve reference '
                              f'"{image}": {image.split("@")[0]}: not found'}
    else:
        waiting = {"reason": "ImagePullBackOff", "message": f'Back-off pulling image "{image}"'}
    init = pod["spec"].get("initContainers") or []
    in_init = any(c.get("image") == image for c in init)
    old = pod.get("status") or {}

    def statuses(containers: list[dict], state_of) -> list[dict]:
        return [{"name": c.get("name", ""), "image": c.get("image", ""), "ready": False, "restartCount": 0,
                 "started": False, "state": state_of(c)} for c in containers]

    main = {"waiting": {"reason": "PodInitializing"}} if in_init else {"waiting": waiting}
    out = {
        "phase": "Pending", "hostIP": "10.0.0.1", "podIP": old.get("podIP", ""), "startTime": old.get("startTime")
        or now_iso(),
        "conditions": [{"type": "PodScheduled", "status": "True"},
                       {"type": "Initialized", "status": "False" if in_init else "True"},
                       {"type": "ContainersReady", "status": "False", "reason": "ContainersNotReady"},
                       {"type": "Ready", "status": "False", "reason": "ContainersNotReady"}],
        "containerStatuses": statuses(pod["spec"]["containers"], lambda _c: main),
    }
    if init:
        out["initContainerStatuses"] = statuses(init, lambda c: {"waiting": waiting} if c.get("image") == image
                                                else {"waiting": {"reason": "PodInitializing"}})
    return out


def crashloop_state(pod: dict) -> tuple[dict, dict]:
    """(state, lastState) of a crash-looping container, as the kubelet reports them."""
    name, container = pod["metadata"]["name"], pod["spec"]["containers"][0].get("name", "")
    return ({"waiting": {"reason": "CrashLoopBackOff",
                         "message": f"back-off 10s restarting failed container={container} pod={name}"}},
            {"terminated": {"exitCode": 1, "reason": "Error", "startedAt": pod["metadata"]["creationTimestamp"],
                            "finishedAt": now_iso()}})


def unschedulable_status(old: dict, nodes: int, short: str) -> dict:
    """Pending with PodScheduled=False/Unschedulable; keeps lastTransitionTime while it stays so."""
    message = f"0/{nodes} nodes are available: {nodes} Insufficient {short}."
    cond = next((c for c in old.get("conditions") or [] if c.get("type") == "PodScheduled"), {})
    since = cond.get("lastTransitionTime") if cond.get("reason") == "Unschedulable" else None
    return {"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                                                "message": message, "lastTransitionTime": since or now_iso()}]}


def insufficient(want: dict[str, float], free: list[dict[str, float]]) -> str:
    """The first requested resource no node has enough of (the scheduler's "Insufficient X"). Pure."""
    short = [r for r, v in want.items() if v and all(room.get(r, 0.0) < v for room in free)]
    return short[0] if short else next((r for r, v in want.items() if v), "resources")


def pod_log(pod: dict, query: dict[str, list[str]], crash_log: tuple[str, ...] | None = None) -> str:
    """The text GET pods/NAME/log returns, or the StatusError the API server answers. `crash_log`: what a
    crashed container printed (Behaviour.crash_log; default CRASH_LOG) -- a model's own, untrusted output."""
    name = pod["metadata"]["name"]
    containers = [c.get("name", "") for c in pod["spec"].get("containers") or []]
    container = _one(query, "container") or (containers[0] if len(containers) == 1 else "")
    if container not in containers:
        raise StatusError(400, "BadRequest", f'container {container!r} is not valid for pod {name}'
                          if container else f"a container name must be specified for pod {name}, choose one of: "
                          f"{containers}")
    status = next((s for s in (pod.get("status") or {}).get("containerStatuses") or []
                   if s.get("name") == container), None)
    waiting = ((status or {}).get("state") or {}).get("waiting")
    previous = _one(query, "previous") == "true"
    if previous:
        if not status or not status.get("lastState", {}).get("terminated"):
            raise StatusError(400, "BadRequest", f'previous terminated container "{container}" in pod "{name}" '
                              "not found")
        lines = crash_log or CRASH_LOG
    elif status is None or (waiting and waiting.get("reason") != "CrashLoopBackOff"):
        reason = (waiting or {}).get("reason", "ContainerCreating")
        raise StatusError(400, "BadRequest", f'container "{container}" in pod "{name}" is waiting to start: {reason}')
    else:
        lines = (crash_log or CRASH_LOG) if (status.get("lastState") or {}).get("terminated") else RUNNING_LOG
    tail = _one(query, "tailLines")
    if tail is not None:
        lines = lines[-int(tail):] if int(tail) > 0 else ()
    return "".join(f"{line}\n" for line in lines)


def _one(query: dict[str, list[str]], key: str) -> Any:
    values = query.get(key) or []
    return values[0] if values else None

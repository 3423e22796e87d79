"""The Deployment's Progressing condition, decided as kube-controller-manager's deployment controller
decides it (pkg/controller/deployment/progress.go syncRolloutStatus, util.DeploymentProgressing,
util.DeploymentTimedOut, and sync.go getNewReplicaSet):

* complete -> `NewReplicaSetAvailable`;
* a new ReplicaSet created for a template never seen -> `NewReplicaSetCreated` (progress);
* progress = more updated, ready or available replicas, or fewer old ones -> `ReplicaSetUpdated`;
* otherwise, once `ProgressDeadlineExceeded`, it *stays* so ("if condition.Reason == TimedOutReason
  return true"): re-applying a spec that changes no template (a new deadline, a rollback to a
  template whose ReplicaSet still exists) leaves the stale condition until pods make progress —
  with observedGeneration already current, as real Deployments can keep it.
"""

from __future__ import annotations

from typing import Any

PROGRESSING = ("True", "ReplicaSetUpdated", 'ReplicaSet "{rs}" is progressing.')
CREATED = ("True", "NewReplicaSetCreated", 'Created new replica set "{rs}"')
COMPLETE = ("True", "NewReplicaSetAvailable", 'ReplicaSet "{rs}" has successfully progressed.')
TIMED_OUT = ("False", "ProgressDeadlineExceeded", 'ReplicaSet "{rs}" has timed out progressing.')


def progressing(track: Any, *, rs_name: str, counts: tuple[int, int, int], complete: bool, deadline: float,
                now: float) -> tuple[str, str, str]:
    """(status, reason, message) of the Progressing condition. `counts` = (updated, ready, old pods).
    `track` keeps `templates` (ReplicaSets seen), `counts`, `last_progress` and `timed_out`."""
    seen: set[str] = getattr(track, "templates", set())
    new_rs = rs_name not in seen
    track.templates = seen | {rs_name}
    before = getattr(track, "counts", None)
    advanced = before is None or counts[0] > before[0] or counts[1] > before[1] or counts[2] < before[2]
    track.counts = counts
    moved = complete or new_rs or advanced
    if moved:
        track.last_progress, track.timed_out = now, False
    elif getattr(track, "timed_out", False) or now - track.last_progress > deadline:
        track.timed_out = True
        return TIMED_OUT[0], TIMED_OUT[1], TIMED_OUT[2].format(rs=rs_name)
    status, reason, message = COMPLETE if complete else CREATED if new_rs else PROGRESSING
    return status, reason, message.format(rs=rs_name)

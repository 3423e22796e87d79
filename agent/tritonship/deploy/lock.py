"""One promotion at a time per app and environment: a coordination.k8s.io Lease, held and renewed.

The holder is named (who started the promotion, its pid and host). A second promotion fails fast
with `LockHeld` (exit 1: the cluster answered, the gate is "someone else is promoting") unless
`wait` seconds are given. A lease whose renewTime + leaseDurationSeconds has passed is taken over;
so is one held by a process of this host that no longer exists (an agent killed with SIGKILL), so
re-running after a crash resumes at once.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass

from tritonship.deploy.clock import Clock, iso, parse_iso
from tritonship.errors import GateFailed

HOST_KEY = "tritonship.io/holder-host"
PID_KEY = "tritonship.io/holder-pid"


class LockHeld(GateFailed):
    """Another promotion holds the lease."""


def lease_name(app: str, env: str) -> str:
    return f"tritonship-{app}-{env}"


@dataclass(frozen=True)
class Holder:
    who: str
    host: str
    pid: int

    @property
    def identity(self) -> str:
        return f"{self.who} (pid {self.pid} on {self.host})"

    @staticmethod
    def me(who: str) -> Holder:
        return Holder(who, socket.gethostname(), os.getpid())


def lease_state(lease: dict, me: Holder, now: float) -> str:
    """'free' | 'mine' | 'expired' | 'orphaned' | 'held'. Pure but for the local pid probe."""
    spec = lease.get("spec") or {}
    holder = spec.get("holderIdentity")
    if not holder:
        return "free"
    if holder == me.identity:
        return "mine"
    renew = spec.get("renewTime") or spec.get("acquireTime")
    duration = spec.get("leaseDurationSeconds") or 0
    if renew is None or parse_iso(renew) + duration < now:
        return "expired"
    notes = (lease.get("metadata") or {}).get("annotations") or {}
    if notes.get(HOST_KEY) == me.host and not _alive(notes.get(PID_KEY, "")):
        return "orphaned"
    return "held"


def _alive(pid_text: str) -> bool:
    try:
        pid = int(pid_text)
        os.kill(pid, 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


class Lock:
    def __init__(self, kube, namespace: str, name: str, holder: Holder, clock: Clock, *,
                 duration: int = 30) -> None:
        self.kube, self.namespace, self.name = kube, namespace, name
        self.holder, self.clock, self.duration = holder, clock, duration
        self.took_over: str | None = None
        self._renewed = 0.0

    def _body(self, version: str | None, acquire: str) -> dict:
        meta = {"name": self.name, "namespace": self.namespace,
                "labels": {"app.kubernetes.io/managed-by": "tritonship"},
                "annotations": {HOST_KEY: self.holder.host, PID_KEY: str(self.holder.pid)}}
        if version:
            meta["resourceVersion"] = version
        now = iso(self.clock.now())
        return {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": meta,
                "spec": {"holderIdentity": self.holder.identity, "leaseDurationSeconds": self.duration,
                         "acquireTime": acquire or now, "renewTime": now}}

    def acquire(self, wait: float = 0.0) -> Lock:
        from tritonship.deploy.kube import Conflict

        deadline = self.clock.now() + wait
        while True:
            lease = self.kube.find("Lease", self.name, self.namespace)
            try:
                if lease is None:
                    self.kube.create(self._body(None, ""))
                    return self._got()
                state = lease_state(lease, self.holder, self.clock.now())
                if state != "held":
                    if state in ("expired", "orphaned"):
                        self.took_over = f"{state} lease of {lease['spec'].get('holderIdentity')}"
                    acquire = lease["spec"].get("acquireTime", "") if state == "mine" else ""
                    self.kube.replace(self._body(lease["metadata"]["resourceVersion"], acquire))
                    return self._got()
            except Conflict:
                continue  # someone wrote it between our read and write: look again
            if self.clock.now() >= deadline:
                spec = lease["spec"]
                raise LockHeld(
                    f"another promotion of this environment is running: lease {self.namespace}/{self.name} is held "
                    f"by {spec.get('holderIdentity')} since {spec.get('acquireTime')}",
                    hint="wait for it, or pass --wait-lock SECONDS",
                )
            self.clock.sleep(min(1.0, max(0.05, deadline - self.clock.now())))

    def _got(self) -> Lock:
        self._renewed = self.clock.now()
        return self

    def renew(self, force: bool = False) -> None:
        """Renew the lease when a third of its duration has passed (called between steps and while waiting)."""
        if not force and self.clock.now() - self._renewed < self.duration / 3:
            return
        lease = self.kube.get("Lease", self.name, self.namespace)
        if lease_state(lease, self.holder, self.clock.now()) != "mine":
            raise LockHeld(f"lost the lease {self.namespace}/{self.name} to {lease['spec'].get('holderIdentity')}")
        lease["spec"]["renewTime"] = iso(self.clock.now())
        self.kube.replace(lease)
        self._renewed = self.clock.now()

    def release(self) -> None:
        lease = self.kube.find("Lease", self.name, self.namespace)
        if lease and lease_state(lease, self.holder, self.clock.now()) == "mine":
            self.kube.delete("Lease", self.name, self.namespace)

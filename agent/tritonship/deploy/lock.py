"""One promotion at a time per app and environment: a coordination.k8s.io Lease, held and renewed
the way client-go's leaderelection (tools/leaderelection/leaderelection.go) holds one.

* **Expiry by local observation.** `tryAcquireOrRenew` never compares the lease's renewTime with the
  local clock (machines' clocks differ): it remembers when it *observed* the lease record change,
  and takes the lease over only when the record has not changed for leaseDurationSeconds of its own
  time (`observedTime + LeaseDuration`). A fresh process therefore waits one lease duration before
  taking over a lease it has never seen renewed.
* **Optimistic concurrency.** Every write carries the resourceVersion read; a 409 means someone else
  wrote first: read again.
* **Renewal** between steps and while waiting (`renew`, called by the engine's heartbeat), with
  a re-read on conflict; a lease now held by another identity is lost (`LockHeld`).
* **Release** as client-go's `release()`: an update (with the resourceVersion precondition) that
  empties holderIdentity and sets leaseDurationSeconds to 1 — never a delete that could remove a
  lease someone else has taken meanwhile.
* **Identity** that cannot be mistaken: who started it, pod/host name and pid for people, plus a
  random instance id (client-go uses hostname + "_" + a UUID). A lease left by a process killed with
  SIGKILL is taken over at once only when it names the same boot id and PID namespace as ours and
  that pid is gone — two containers of one pod share a hostname but not their PIDs.
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from dataclasses import dataclass, field

from tritonship.deploy.clock import Clock, iso
from tritonship.errors import GateFailed

HOST_KEY = "tritonship.io/holder-host"
PID_KEY = "tritonship.io/holder-pid"
PROCESS_KEY = "tritonship.io/holder-process"  # boot id / pid namespace / pid


# One random id per process, as client-go builds its identity once per run (hostname + "_" + UUID):
# a promotion retried inside the same process (after an API outage) still recognises its own lease.
_INSTANCE = uuid.uuid4().hex[:8]


class LockHeld(GateFailed):
    """Another promotion holds the lease."""


def lease_name(app: str, env: str) -> str:
    return f"tritonship-{app}-{env}"


def _read(path: str) -> str:
    try:
        with open(path, encoding="ascii") as handle:
            return handle.read().strip()
    except OSError:
        return ""


def boot_id() -> str:
    return _read("/proc/sys/kernel/random/boot_id") or "unknown-boot"


def pid_namespace() -> str:
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return "unknown-pidns"


@dataclass(frozen=True)
class Holder:
    who: str
    host: str
    pid: int
    boot: str = field(default_factory=boot_id)
    pid_ns: str = field(default_factory=pid_namespace)
    instance: str = field(default_factory=lambda: _INSTANCE)

    @property
    def identity(self) -> str:
        return f"{self.who} (pid {self.pid} on {self.host}) #{self.instance}"

    @property
    def process(self) -> str:
        return f"{self.boot}/{self.pid_ns}/{self.pid}"

    @staticmethod
    def me(who: str) -> Holder:
        """The pod name when running in a pod (POD_NAME from the downward API, else HOSTNAME)."""
        host = os.environ.get("POD_NAME") or os.environ.get("HOSTNAME") or socket.gethostname()
        return Holder(who, host, os.getpid())


def lease_state(lease: dict, me: Holder, now: float, observed_at: float) -> str:
    """'free' | 'mine' | 'expired' | 'orphaned' | 'held'. `observed_at`: local time this record was
    first seen unchanged. Pure but for the local pid probe."""
    spec = lease.get("spec") or {}
    holder = spec.get("holderIdentity")
    if not holder:
        return "free"
    if holder == me.identity:
        return "mine"
    if now >= observed_at + (spec.get("leaseDurationSeconds") or 0):
        return "expired"
    notes = (lease.get("metadata") or {}).get("annotations") or {}
    boot, _, rest = notes.get(PROCESS_KEY, "").partition("/")
    pid_ns, _, pid = rest.rpartition("/")
    if boot == me.boot and pid_ns == me.pid_ns and not _alive(pid):
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


def _record(lease: dict) -> str:
    return json.dumps(lease.get("spec") or {}, sort_keys=True)


class Lock:
    def __init__(self, kube, namespace: str, name: str, holder: Holder, clock: Clock, *,
                 duration: int = 30) -> None:
        self.kube, self.namespace, self.name = kube, namespace, name
        self.holder, self.clock, self.duration = holder, clock, duration
        self.took_over: str | None = None
        self._renewed = 0.0
        self._observed: tuple[str, float] = ("", 0.0)

    def _observe(self, lease: dict) -> float:
        """client-go's observedRecord/observedTime: when this record was first seen, locally."""
        record = _record(lease)
        if record != self._observed[0]:
            self._observed = (record, self.clock.now())
        return self._observed[1]

    def _body(self, version: str | None, acquire: str) -> dict:
        meta = {"name": self.name, "namespace": self.namespace,
                "labels": {"app.kubernetes.io/managed-by": "tritonship"},
                "annotations": {HOST_KEY: self.holder.host, PID_KEY: str(self.holder.pid),
                                PROCESS_KEY: self.holder.process}}
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
                state = lease_state(lease, self.holder, self.clock.now(), self._observe(lease))
                if state != "held":
                    if state in ("expired", "orphaned"):
                        self.took_over = f"{state} lease of {lease['spec'].get('holderIdentity')}"
                    acquire = lease["spec"].get("acquireTime", "") if state == "mine" else ""
                    self.kube.replace(self._body(lease["metadata"]["resourceVersion"], acquire))
                    return self._got()
            except Conflict:
                continue  # someone wrote it between our read and write: look again
            if self.clock.now() >= deadline:
                raise self._held(lease)
            self.clock.sleep(min(1.0, max(0.05, deadline - self.clock.now())))

    def _held(self, lease: dict) -> LockHeld:
        spec = lease["spec"]
        return LockHeld(f"another promotion of this environment is running: lease {self.namespace}/{self.name} is "
                        f"held by {spec.get('holderIdentity')} since {spec.get('acquireTime')}",
                        hint="wait for it, or pass --wait-lock SECONDS (a lease not renewed for its duration, "
                             "as this agent observes it, is taken over)")

    def _got(self) -> Lock:
        self._renewed = self.clock.now()
        return self

    def renew(self, force: bool = False) -> None:
        """Renew the lease when a third of its duration has passed (between steps and while waiting);
        a conflicting write is re-read and retried once, as client-go's renew loop retries."""
        from tritonship.deploy.kube import Conflict

        if not force and self.clock.now() - self._renewed < self.duration / 3:
            return
        for attempt in range(2):
            lease = self.kube.get("Lease", self.name, self.namespace)
            if (lease.get("spec") or {}).get("holderIdentity") != self.holder.identity:
                raise LockHeld(f"lost the lease {self.namespace}/{self.name} to "
                               f"{lease['spec'].get('holderIdentity') or 'nobody (released)'}")
            lease["spec"]["renewTime"] = iso(self.clock.now())
            try:
                self.kube.replace(lease)
            except Conflict:
                if attempt:
                    raise
                continue
            self._renewed = self.clock.now()
            return

    def release(self) -> None:
        """client-go's release(): empty holder, duration 1 s, written only over the version we read."""
        from tritonship.deploy.kube import Conflict

        lease = self.kube.find("Lease", self.name, self.namespace)
        if not lease or (lease.get("spec") or {}).get("holderIdentity") != self.holder.identity:
            return
        now = iso(self.clock.now())
        lease["spec"].update(holderIdentity="", leaseDurationSeconds=1, renewTime=now, acquireTime=now)
        try:
            self.kube.replace(lease)  # carries metadata.resourceVersion: a 409 if it changed hands
        except Conflict:
            return

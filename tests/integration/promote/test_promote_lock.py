"""The Lease lock against the simulator, on a fake clock: renewal, refusal, waiting, takeover."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration


@pytest.fixture
def make_lock(sim, project):
    from tritonship.deploy.clock import FakeClock
    from tritonship.deploy.kube import Kube, load_api_client
    from tritonship.deploy.lock import Holder, Lock

    clock = FakeClock()
    kube = Kube(load_api_client(kubeconfig=str(project.kubeconfig)), clock)

    def make(who: str, pid: int, host: str) -> Lock:
        """A lock of an agent on `host`: another machine (another boot id) unless it is this one."""
        import socket

        from tritonship.deploy.lock import boot_id

        boot = boot_id() if host == socket.gethostname() else f"boot-of-{host}"
        return Lock(kube, "models-dev", "tritonship-demo-app-dev", Holder(who, host, pid, boot=boot), clock,
                    duration=30)

    make.clock = clock
    return make


def test_held_lease_refuses_then_waits_renews_and_expires(sim, make_lock):
    from tritonship.deploy.lock import LockHeld

    first = make_lock("alice@ws", 111, "ws").acquire()
    second = make_lock("jenkins", 222, "agent-3")
    with pytest.raises(LockHeld, match=r"held by alice@ws \(pid 111 on ws\)"):
        second.acquire()
    with pytest.raises(LockHeld):
        second.acquire(wait=20)  # still held after waiting 20 (fake) seconds
    assert make_lock.clock.sleeps and sum(make_lock.clock.sleeps) >= 20
    first.renew()  # renewing keeps it: 20 s after acquisition, 30 s duration
    make_lock.clock.sleep(25)
    with pytest.raises(LockHeld):
        second.acquire()  # sees the renewal now: its own 30 s start again (client-go's observedTime)
    make_lock.clock.sleep(10)
    with pytest.raises(LockHeld):
        second.acquire()  # 35 s after the renewal, but only 10 s since this agent saw it
    make_lock.clock.sleep(21)  # 31 s of unchanged record, by our own clock: expired
    second.acquire()
    assert second.took_over.startswith("expired lease of alice@ws (pid 111 on ws) #")
    with pytest.raises(LockHeld, match="lost the lease"):
        first.renew(force=True)
    first.release()  # not ours any more: changes nothing
    assert sim.get("Lease", "tritonship-demo-app-dev", "models-dev")["spec"]["holderIdentity"] == \
        second.holder.identity
    second.release()
    released = sim.get("Lease", "tritonship-demo-app-dev", "models-dev")["spec"]
    assert released["holderIdentity"] == "" and released["leaseDurationSeconds"] == 1
    make_lock("carol", 333, "agent-9").acquire()  # a released lease is free at once


def test_release_is_an_update_with_the_version_read(sim, make_lock):
    from tritonship.deploy.kube import Conflict

    lock = make_lock("alice@ws", 111, "ws").acquire()
    real_replace = lock.kube.replace
    calls = []

    def replace(obj):
        calls.append(obj["metadata"].get("resourceVersion"))
        raise Conflict(409, "Conflict", "the object has been modified")

    lock.kube.replace = replace
    lock.release()  # someone wrote it meanwhile: ours no more, leave it
    lock.kube.replace = real_replace
    assert calls and calls[0] is not None
    assert sim.get("Lease", "tritonship-demo-app-dev", "models-dev")["spec"]["holderIdentity"] == \
        lock.holder.identity


def test_a_dead_holder_on_this_host_is_taken_over_at_once(make_lock):
    import socket

    make_lock("alice@ws", 999_999_999, socket.gethostname()).acquire()  # no such pid: an agent killed -9
    mine = make_lock("alice@ws", 4242, socket.gethostname()).acquire()  # same boot id and PID namespace
    assert mine.took_over.startswith("orphaned lease of alice@ws (pid 999999999")


def test_a_dead_pid_in_another_pid_namespace_is_not_taken_for_orphaned(sim, make_lock):
    from tritonship.deploy.lock import Holder, Lock, LockHeld

    theirs = make_lock("alice@ws", 999_999_999, "pod-a")
    object.__setattr__(theirs, "holder", Holder("alice@ws", "pod-a", 999_999_999, pid_ns="pid:[1]"))
    theirs.acquire()  # same boot id (a container of this machine), another PID namespace
    mine = Lock(theirs.kube, "models-dev", "tritonship-demo-app-dev", Holder("bob", "pod-a", 7), theirs.clock)
    with pytest.raises(LockHeld):
        mine.acquire()

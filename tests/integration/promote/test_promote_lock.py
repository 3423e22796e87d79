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
        return Lock(kube, "models-dev", "tritonship-demo-app-dev", Holder(who, host, pid), clock, duration=30)

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
        second.acquire()
    make_lock.clock.sleep(10)  # 35 s since the last renewal: expired
    second.acquire()
    assert second.took_over == "expired lease of alice@ws (pid 111 on ws)"
    with pytest.raises(LockHeld, match="lost the lease"):
        first.renew(force=True)
    second.release()
    assert sim.get("Lease", "tritonship-demo-app-dev", "models-dev") is None


def test_a_dead_holder_on_this_host_is_taken_over_at_once(make_lock):
    import socket

    make_lock("alice@ws", 999_999_999, socket.gethostname()).acquire()  # no such pid: an agent killed -9
    mine = make_lock("alice@ws", 4242, socket.gethostname()).acquire()
    assert mine.took_over.startswith("orphaned lease of alice@ws (pid 999999999")

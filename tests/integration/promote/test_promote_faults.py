"""Fault injection at every API call a promotion, a failing promotion, a rollback, a resume and an
abort make, followed by a re-run; after each, the invariant of issue 11 must hold.

The call sites are gathered by the test itself: a dry pass of each flow records every request the
agent sends to the simulator ("METHOD /path"); each write is a site at each of its occurrences,
each read (GET, access reviews, lease renewals: repeated by polling and timers) at its first. Then
for every site, on a fresh simulator, the flow runs again with that call failing:

    5xx      the call (and its retries) answer 503: the agent ends with exit 3
    refused  the connection is closed before the call is served (and on its retries)
    lost     the call is served, but the answer never arrives and the retries answer 503
    kill     the CLI, run as a process of its own, is killed (SIGKILL) while that call is on the wire (it
             is never served); the process is forked from one that imported the agent once
             (cli_forkserver.py), so that the ~90 kills do not each pay for Python starting up

and is then run again by another agent (in-process). Invariant: the ledger
parses and has no open record, the environment runs exactly the digest of its last succeeded
record (verified like the engine does: image, revision annotation, Service selector, complete
rollout) and no other Deployment of the app runs anything else. A new API call in the engine
becomes a new site without editing this file.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from tests.integration.promote.conftest import (
    BAD,
    GOOD,
    GOOD2,
    Engine,
    Project,
    SkippingClock,
    write_spec,
)

from tritonship.deploy.kube import ClusterUnreachable
from tritonship.errors import BadInput, GateFailed

if TYPE_CHECKING:
    from tritonship_standins.kube import KubeSimulator

pytestmark = pytest.mark.integration

CANARY = """\
    strategy:
      canary:
        progress_deadline: 600s
        steps: [ { set_weight: 50 }, { pause: {} } ]
"""
ROLLING = "    strategy:\n      rolling: { max_surge: 1, max_unavailable: 0, progress_deadline: 600s }\n"
PROMOTE = ("--env", "dev", "--skip-preflight", "image")


@dataclass(frozen=True)
class Flow:
    name: str
    canary: bool
    setup: Callable[[Engine], object]
    action: Callable[[Engine], object]
    argv: tuple[str, ...]
    rerun_may_refuse: tuple[type[Exception], ...] = ()  # a re-run after the work was done may say so


def _paused(engine: Engine) -> None:
    assert engine.promote(GOOD).status == "passed"
    assert engine.promote(GOOD2).status == "paused"


FLOWS = [
    Flow("promote", False, lambda e: e.promote(GOOD), lambda e: e.promote(GOOD2),
         ("promote", "--image", GOOD2, *PROMOTE)),
    Flow("failing-promote", False, lambda e: e.promote(GOOD), lambda e: e.promote(BAD),
         ("promote", "--image", BAD, *PROMOTE), (GateFailed,)),
    Flow("rollback", False, lambda e: (e.promote(GOOD), e.promote(GOOD2)), lambda e: e.rollback(to=1),
         ("rollback", "--env", "dev", "--to", "1")),
    Flow("resume", True, _paused, lambda e: e.promote(resume=True), ("promote", "--env", "dev", "--resume"),
         (BadInput,)),
    Flow("abort", True, _paused, lambda e: e.promote(abort=True), ("promote", "--env", "dev", "--abort"),
         (BadInput,)),
]


def idempotent(request: str) -> bool:
    return request.startswith("GET ") or "selfsubjectaccessreviews" in request or \
        (request.startswith("PUT ") and "/leases/" in request)


def site_of(request: str) -> str:
    """A request without what differs between runs (pod names end in random letters). Pure."""
    return re.sub(r"/pods/[^/?]+", "/pods/NAME", request)


def call_sites(requests: list[str]) -> list[tuple[str, int]]:
    """(request, occurrence) for every write and the first of every read. Pure."""
    seen: Counter[str] = Counter()
    sites = []
    for request in map(site_of, requests):
        seen[request] += 1
        if seen[request] == 1 or not idempotent(request):
            sites.append((request, seen[request]))
    return sites


class Fault:
    """The simulator hook that breaks one call site."""

    def __init__(self, site: tuple[str, int], mode: str, retries: int) -> None:
        self.site, self.mode, self.retries = site, mode, retries
        self.counts: Counter[str] = Counter()
        self.hit = False
        self.left = 0
        self.reached, self.killed = threading.Event(), threading.Event()

    def __call__(self, request: str) -> str | None:
        if self.left:
            self.left -= 1
            return "drop" if self.mode == "refused" else "fail"
        request = site_of(request)
        self.counts[request] += 1
        if self.hit or (request, self.counts[request]) != self.site:
            return None
        self.hit = True
        self.left = self.retries
        if self.mode == "kill":
            self.reached.set()
            self.killed.wait(60)
            return "drop"
        return {"5xx": "fail", "refused": "drop", "lost": "drop-after"}[self.mode]


def invariant(project: Project) -> list[str]:
    from tritonship.deploy.kube import Kube, load_api_client
    from tritonship.deploy.ledger import LedgerStore
    from tritonship.deploy.verify import images_of, verify_release

    kube = Kube(load_api_client(kubeconfig=str(project.kubeconfig)))
    ledger = LedgerStore(kube, "models-dev", "demo-app", "dev").read()  # parses, checksum holds
    problems = []
    if ledger.current is not None:
        problems.append(f"revision {ledger.current.revision} is still open ({ledger.current.current_phase})")
    last = ledger.last_succeeded()
    if last is None:
        return [*problems, "no succeeded revision"]
    problems += verify_release(kube, "models-dev", last.manifests).problems
    for dep in kube.list("Deployment", "models-dev", "app.kubernetes.io/name=demo-app"):
        if dep["spec"].get("replicas", 1) and set(images_of(dep).values()) != {last.image}:
            problems.append(f"{dep['metadata']['name']} runs {images_of(dep)} beside revision {last.revision}")
    return problems


@dataclass(frozen=True)
class Prepared:
    """A flow's cluster after its setup (a simulator snapshot), the agent clock's offset then, and the
    flow's call sites (gathered by a dry pass of its action from that state)."""

    state: dict
    offset: float
    sites: list[tuple[str, int]]


def _simulator(tmp_path: Path, flow: Flow, n: int):
    from tritonship_standins.kube import KubeSimulator

    sim = KubeSimulator(nodes=2, ready_delay=0.0, crashloop_image="broken-models",
                        namespaces=("models-dev", "models-staging"))
    sim.behaviour.tick = 0.01
    spec = tmp_path / f"{flow.name}.yaml"  # one per flow: the same for every site (agents only read it)
    if not spec.exists():
        text = write_spec(tmp_path / "draft.yaml", deadline="600s").read_text()
        spec.write_text(text.replace(ROLLING, CANARY, 1) if flow.canary else text)
    return sim, Project(spec, sim.write_kubeconfig(tmp_path / f"kubeconfig-{flow.name}-{n}"))


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """Each flow's setup and dry pass, run once for the module (not once per site and mode): every
    site then starts from a copy of the very cluster the setup left, which is what re-running the
    deterministic setup on a fresh simulator produced (pod names aside, which sites ignore)."""
    tmp_path, cache = tmp_path_factory.mktemp("faults-prepared"), {}

    def prepare(flow: Flow) -> Prepared:
        if flow.name not in cache:
            sim, project = _simulator(tmp_path, flow, 0)
            with sim:
                engine = Engine(project, SkippingClock())
                flow.setup(engine)
                state, offset = sim.snapshot(), engine.clock.offset
                requests: list[str] = []
                sim.faults.hook = requests.append
                flow.action(engine)
                sim.faults.hook = None
            cache[flow.name] = Prepared(state, offset, call_sites(requests))
        return cache[flow.name]

    return prepare


@pytest.fixture
def fresh(tmp_path, prepared):
    """A factory of fresh simulators holding the state the flow's setup left, each stopped at the end."""
    sims = []

    def make(flow: Flow, n: int) -> tuple[KubeSimulator, Project, Engine]:
        sim, project = _simulator(tmp_path, flow, n)
        ready = prepared(flow)
        sim.restore(ready.state).start()
        sims.append(sim)
        return sim, project, Engine(project, SkippingClock(ready.offset))

    yield make
    for sim in sims:
        sim.stop()


def gather(prepared, flow: Flow) -> list[tuple[str, int]]:
    return prepared(flow).sites


def rerun(flow: Flow, engine: Engine) -> None:
    with contextlib.suppress(*flow.rerun_may_refuse):
        flow.action(engine)


# "refused" leaves the cluster as "5xx" does (the call is not served) and the agent sees the same
# ClusterUnreachable once its attempts are spent (kube.py maps both there), so the flows differ only in
# the adapter's path, which one flow covers end to end (and tests/unit/kube_sim the retries)
MODES = [(flow, mode) for flow in FLOWS for mode in ("5xx", "refused", "lost")
         if mode != "refused" or flow.name == "promote"]


@pytest.mark.timeout(1500)
@pytest.mark.parametrize(("flow", "mode"), MODES, ids=[f"{flow.name}-{mode}" for flow, mode in MODES])
def test_every_call_failing_then_a_rerun_keeps_the_environment_on_a_known_digest(fresh, prepared, flow, mode):
    sites = gather(prepared, flow)
    assert len(sites) >= 10, sites  # the dry pass saw the flow's calls (rollback: 10 or, listing pods, 11)
    broken, missed = [], []
    for n, site in enumerate(sites, 1):
        sim, project, engine = fresh(flow, n)
        fault = Fault(site, mode, retries=2)  # Engine's client makes 3 attempts
        sim.faults.hook = fault
        with contextlib.suppress(ClusterUnreachable):
            flow.action(engine)
        sim.faults.hook = None
        if not fault.hit:  # a poll that this time found the rollout already done
            assert idempotent(site[0]), f"{site} was not reached this time"
            missed.append(site)
        rerun(flow, engine)
        if problems := invariant(project):
            broken.append(f"{site[0]} #{site[1]}: {problems}")
        sim.stop()
    assert not broken, "\n".join(broken)
    assert len(missed) <= len(sites) // 4, missed


@pytest.mark.timeout(1500)
@pytest.mark.parametrize("flow", FLOWS, ids=[f.name for f in FLOWS])
def test_the_cli_killed_at_every_call_then_a_rerun_keeps_the_environment_on_a_known_digest(fresh, prepared, flow,
                                                                                            cli_forks):
    sites = gather(prepared, flow)
    broken, missed = [], []
    for n, site in enumerate(sites, 1):
        sim, project, engine = fresh(flow, n)
        fault = Fault(site, "kill", retries=0)
        sim.faults.hook = fault
        proc = cli_forks.spawn(project, *flow.argv)  # a real process, forked with the agent imported
        while not fault.reached.wait(0.05) and proc.poll() is None:
            pass  # until the CLI sends that call (and waits for its answer), or ends without it
        proc.kill()
        proc.wait(timeout=30)
        fault.killed.set()
        sim.faults.hook = None
        if not fault.hit:
            assert idempotent(site[0]), f"{site} was not reached: {proc.stderr.read()[-2000:]}"
            missed.append(site)
        rerun(flow, engine)  # another agent, after the dead one (its lease is orphaned)
        if problems := invariant(project):
            broken.append(f"{site[0]} #{site[1]}: {problems}")
        sim.stop()
    assert not broken, "\n".join(broken)
    assert len(missed) <= len(sites) // 4, missed

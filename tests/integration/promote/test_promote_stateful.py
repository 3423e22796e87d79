"""Random sequences of promote (good, crash-looping, --retry), rollback, resume and abort, any of them
cut short by an outage at a random API call, on one simulated environment (Hypothesis stateful
testing). Whenever no record is open, the environment runs exactly its last succeeded digest."""

from __future__ import annotations

import contextlib
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from tests.integration.promote.conftest import BAD, GOOD, GOOD2, Engine, Project, SkippingClock, write_spec
from tests.integration.promote.test_promote_faults import CANARY, ROLLING
from tests.integration.promote.test_promote_faults import invariant as environment_problems

from tritonship.deploy.kube import ClusterUnreachable
from tritonship.errors import BadInput, GateFailed

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]

IMAGES = [GOOD, GOOD2, GOOD.replace("a" * 64, "e" * 64), BAD]
EXPECTED = (ClusterUnreachable, GateFailed, BadInput)  # an outage; a refusal that says why


class Outage:
    """Every request from the `at`-th on answers 503 (None: no outage)."""

    def __init__(self, at: int | None) -> None:
        self.at, self.seen = at, 0

    def __call__(self, _request: str) -> str | None:
        self.seen += 1
        return "fail" if self.at is not None and self.seen >= self.at else None


class Environment(RuleBasedStateMachine):
    def __init__(self) -> None:
        from tritonship_standins.kube import KubeSimulator

        super().__init__()
        self.sim = KubeSimulator(nodes=2, ready_delay=0.0, crashloop_image="broken-models",
                                 namespaces=("models-dev", "models-staging"))
        self.sim.behaviour.tick = 0.01
        self.sim.start()
        tmp = Path(tempfile.mkdtemp(prefix="tritonship-stateful-"))
        spec = write_spec(tmp / "tritonship.yaml", deadline="600s")
        spec.write_text(spec.read_text().replace(ROLLING, CANARY, 1))  # canary: pauses for a person
        self.project = Project(spec, self.sim.write_kubeconfig(tmp / "kubeconfig"))
        self.engine = Engine(self.project, SkippingClock())

    def records(self) -> list[dict]:
        cm = self.sim.get("ConfigMap", "tritonship-demo-app-dev-ledger", "models-dev")
        return json.loads(cm["data"]["releases.json"]) if cm else []

    def open(self) -> bool:
        return any(r["outcome"] in ("in-progress", "paused") for r in self.records()[-1:])

    def succeeded(self) -> int:
        return sum(r["outcome"] == "succeeded" for r in self.records())

    def _run(self, outage: int | None, action) -> None:
        self.sim.faults.hook = Outage(outage)
        try:
            with contextlib.suppress(*EXPECTED):
                action()
        finally:
            self.sim.faults.hook = None

    outages = st.one_of(st.none(), st.none(), st.integers(min_value=1, max_value=60))  # mostly none

    @initialize()
    def first_release(self) -> None:
        assert self.engine.promote(GOOD).status == "passed"

    @rule(image=st.sampled_from(IMAGES), retry=st.sampled_from([False, False, True]), outage=outages)
    def promote(self, image: str, retry: bool, outage: int | None) -> None:
        self._run(outage, lambda: self.engine.promote(image, retry=retry))

    @precondition(lambda self: self.open() or self.succeeded() >= 2)
    @rule(to=st.one_of(st.none(), st.integers(min_value=1, max_value=6)), outage=outages)
    def rollback(self, to: int | None, outage: int | None) -> None:
        self._run(outage, lambda: self.engine.rollback(to=to))

    @precondition(lambda self: self.open())
    @rule(outage=outages)
    def resume(self, outage: int | None) -> None:
        self._run(outage, lambda: self.engine.promote(resume=True))

    @precondition(lambda self: self.open())
    @rule(outage=outages)
    def abort(self, outage: int | None) -> None:
        self._run(outage, lambda: self.engine.promote(abort=True))

    @invariant()
    def runs_the_last_succeeded_digest_when_settled(self) -> None:
        problems = environment_problems(self.project)
        if any("is still open" in p for p in problems) or "no succeeded revision" in problems:
            return  # mid-promotion (or nothing ever succeeded): nothing is claimed to run yet
        assert not problems, problems

    def teardown(self) -> None:
        self.sim.stop()


Environment.TestCase.settings = settings(max_examples=20, stateful_step_count=10, deadline=None,
                                         suppress_health_check=list(HealthCheck))
TestRandomPromoteRollbackResumeAbortSequencesWithOutages = Environment.TestCase

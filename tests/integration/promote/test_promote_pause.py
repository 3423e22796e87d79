"""The engine's generic pause / --resume / --abort, with a small strategy passed in through the World."""

from __future__ import annotations

import pytest
from tests.integration.promote.conftest import GOOD, GOOD2, deployment_image, ledger

pytestmark = pytest.mark.integration


class ApprovalStrategy:
    """Rolling, plus a manual approval step between apply and the end; counts aborts."""

    name = "rolling"

    def __init__(self) -> None:
        from tritonship.deploy.strategies.rolling import Rolling

        self.rolling, self.aborts = Rolling(), 0

    def steps(self, p):
        from tritonship.deploy.strategies import NEXT, Step, pause

        def approval(p):
            if not p.state.get("approved"):
                p.state["approved"] = True  # the next run (--resume) is the person's approval
                p.save()
                return pause("waiting for a person to approve")
            return NEXT

        return [*self.rolling.steps(p), Step("approval", approval), Step("finish", lambda p: NEXT)]

    def rollback(self, p, reason):
        self.rolling.rollback(p, reason)

    def abort(self, p):
        self.aborts += 1
        self.rolling.abort(p)

    def restore(self, p, target):
        self.rolling.restore(p, target)


@pytest.fixture
def engine(sim, project):
    from tritonship.deploy.engine import PromoteRequest, promote
    from tritonship.deploy.kube import Kube, load_api_client
    from tritonship.deploy.world import World
    from tritonship.spec import load_spec

    strategy = ApprovalStrategy()
    kube = Kube(load_api_client(kubeconfig=str(project.kubeconfig)))
    world = World(kube_for=lambda _env: kube, strategy_for=lambda _name: strategy)
    spec = load_spec(project.spec)

    def run(**kw):
        req = PromoteRequest(env="dev", started_by="tester", skip_preflight=("image",), **kw)
        return promote(world, spec, req)

    run.strategy = strategy
    return run


def test_pause_then_resume_finishes(sim, engine):
    from tritonship.errors import BadInput

    paused = engine(image=GOOD)
    assert paused.status == "paused" and paused.reason == "waiting for a person to approve"
    assert ledger(sim)[-1]["outcome"] == "paused" and ledger(sim)[-1]["step"] == "approval"
    with pytest.raises(BadInput, match="is paused at step 'approval'"):
        engine(image=GOOD)
    done = engine(resume=True)
    assert done.status == "passed" and done.revision == 1 and done.resumed
    assert [r["outcome"] for r in ledger(sim)] == ["succeeded"]


def test_pause_then_abort_returns_to_the_previous_release(sim, engine):
    assert engine(image=GOOD).status == "paused"
    assert engine(resume=True).status == "passed"
    assert engine(image=GOOD2).status == "paused"
    assert deployment_image(sim) == GOOD2
    aborted = engine(abort=True)
    assert aborted.status == "aborted" and engine.strategy.aborts == 1
    assert deployment_image(sim) == GOOD
    assert [r["outcome"] for r in ledger(sim)] == ["succeeded", "aborted"]

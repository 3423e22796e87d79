"""A forged release ledger cannot be turned into a weapon: rollback re-applies only the kinds and names
tritonship renders, in the environment's namespace, with its labels (deploy/ledger_guard.py).

The forger can write the ledger ConfigMap and recompute its SHA-256 checksum (as anyone can); the rollback
must still refuse (exit 2) and apply nothing: no object created anywhere, the running Deployment untouched,
the ledger not rewritten."""

from __future__ import annotations

import copy
import hashlib
import json

import pytest
from tests.integration.promote.conftest import GOOD, GOOD2, promote_args

pytestmark = pytest.mark.integration

LEDGER = ("ConfigMap", "tritonship-demo-app-dev-ledger", "models-dev")


def _forge(sim, edit) -> dict:
    """Rewrite revision 1's recorded manifests with `edit` and recompute the checksum, as a forger would."""
    from tritonship_standins.kube.store import BY_PATH

    cm = sim.get(*LEDGER)
    records = json.loads(cm["data"]["releases.json"])
    edit(records[0]["manifests"])
    text = json.dumps(records, sort_keys=True, separators=(",", ":"))
    cm["data"]["releases.json"] = text
    cm["metadata"]["annotations"]["tritonship.io/ledger-sha256"] = hashlib.sha256(text.encode()).hexdigest()
    return sim.store.update(BY_PATH[("v1", "configmaps")], "models-dev", cm["metadata"]["name"], cm)


def _configmap_elsewhere(manifests: list) -> None:
    manifests.append({"apiVersion": "v1", "kind": "ConfigMap",
                      "metadata": {"name": "pwned", "namespace": "models-staging"}, "data": {"x": "y"}})


def _service_in_other_namespace(manifests: list) -> None:
    svc = copy.deepcopy(next(m for m in manifests if m["kind"] == "Service"))
    svc["metadata"]["namespace"] = "models-staging"
    manifests.append(svc)


def _foreign_image(manifests: list) -> None:
    deployment = next(m for m in manifests if m["kind"] == "Deployment")
    deployment["spec"]["template"]["spec"]["containers"][0]["image"] = "evil.example/miner:latest"


def _renamed(manifests: list) -> None:
    manifests[0]["metadata"]["name"] = "kube-proxy"


def _unlabelled(manifests: list) -> None:
    manifests[0]["metadata"]["labels"] = {}


def _but_status(obj: dict) -> dict:
    """The object as a client's writes leave it: without status and the resourceVersion status bumps."""
    meta = {k: v for k, v in obj["metadata"].items() if k != "resourceVersion"}
    return {**obj, "metadata": meta, "status": None}


@pytest.mark.parametrize(("edit", "words"), [
    (_configmap_elsewhere, ["ConfigMap models-staging/pwned", "not one tritonship renders", "namespace"]),
    (_service_in_other_namespace, ["not in the environment's namespace 'models-dev'"]),
    (_foreign_image, ["evil.example/miner:latest", "not the revision's image"]),
    (_renamed, ["kube-proxy", "name is not 'demo-app'"]),
    (_unlabelled, ["lacks the labels"]),
], ids=["configmap-in-another-namespace", "service-in-another-namespace", "foreign-image", "renamed", "unlabelled"])
def test_a_forged_revision_refuses_the_rollback_and_applies_nothing(sim, tship, edit, words):
    assert tship("promote", *promote_args(GOOD)).exit_code == 0
    assert tship("promote", *promote_args(GOOD2)).exit_code == 0
    forged = _forge(sim, edit)
    deployment = sim.get("Deployment", "demo-app", "models-dev")

    result = tship("rollback", "--env", "dev", "--to", "1")
    assert result.exit_code == 2, result.stdout + result.stderr
    message = result.json()["error"]["message"]
    for word in words:
        assert word in message, message
    assert sim.get("ConfigMap", "pwned", "models-staging") is None
    assert sim.list("Service", "models-staging") == []
    after = sim.get("Deployment", "demo-app", "models-dev")
    assert _but_status(after) == _but_status(deployment)  # the controller may still write status; nobody else
    assert sim.get(*LEDGER)["metadata"]["resourceVersion"] == forged["metadata"]["resourceVersion"]


def test_an_honest_ledger_still_rolls_back(sim, tship):
    assert tship("promote", *promote_args(GOOD)).exit_code == 0
    assert tship("promote", *promote_args(GOOD2)).exit_code == 0
    assert tship("rollback", "--env", "dev", "--to", "1").exit_code == 0
    image = sim.get("Deployment", "demo-app", "models-dev")["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image == GOOD

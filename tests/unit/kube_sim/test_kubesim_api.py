"""The simulator through the real `kubernetes` client: Status bodies, conflicts, selectors, patches, auth."""

from __future__ import annotations

import pytest
from tests.unit.kube_sim.conftest import deployment

from tritonship.deploy.kube import ApiError, ClusterUnreachable, Conflict, NotFound


def configmap(name="cm", labels=None, data=None):
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": "ns", "labels": labels or {}}, "data": data or {"k": "v"}}


def test_not_found_and_already_exists_are_status_bodies(kube):
    with pytest.raises(NotFound) as err:
        kube.get("ConfigMap", "missing", "ns")
    assert err.value.reason == "NotFound" and 'configmaps "missing" not found' in str(err.value)
    kube.create(configmap())
    with pytest.raises(Conflict) as err:
        kube.create(configmap())
    assert err.value.reason == "AlreadyExists"


def test_stale_resource_version_is_409_conflict(kube):
    first = kube.create(configmap())
    kube.replace({**first, "data": {"k": "new"}})
    with pytest.raises(Conflict) as err:
        kube.replace({**first, "data": {"k": "stale"}})
    assert err.value.reason == "Conflict" and "has been modified" in str(err.value)
    assert kube.get("ConfigMap", "cm", "ns")["data"] == {"k": "new"}


def test_invalid_objects_get_422_with_causes(kube):
    bad = deployment()
    bad["spec"]["template"]["metadata"]["labels"] = {"app": "other"}
    with pytest.raises(ApiError) as err:
        kube.apply(bad)
    assert err.value.status == 422 and err.value.reason == "Invalid"
    assert "selector` does not match template `labels`" in str(err.value)
    with pytest.raises(ApiError) as err:
        kube.create(configmap(name="Not_A_Name"))
    assert err.value.status == 422


def test_label_selectors(kube):
    kube.create(configmap("a", {"tier": "web", "env": "dev"}))
    kube.create(configmap("b", {"tier": "db", "env": "dev"}))
    kube.create(configmap("c", {"tier": "web"}))

    def names(selector):
        return [o["metadata"]["name"] for o in kube.list("ConfigMap", "ns", selector)]

    assert names("tier=web") == ["a", "c"]
    assert names("tier=web,env=dev") == ["a"]
    assert names("tier!=web") == ["b"]
    assert names("tier in (db, cache)") == ["b"]
    assert names("env") == ["a", "b"] and names("!env") == ["c"]


def test_server_side_apply_creates_then_replaces_owned_fields_and_bumps_generation(kube):
    created = kube.apply(deployment())
    assert created["metadata"]["generation"] == 1
    again = kube.apply(deployment())
    assert again["metadata"]["generation"] == 1  # same spec: no new generation
    changed = kube.apply(deployment(image="img@sha256:" + "2" * 64))
    assert changed["metadata"]["generation"] == 2
    scaled = kube.merge_patch("Deployment", "web", "ns", {"spec": {"replicas": 5}})
    assert scaled["spec"]["replicas"] == 5 and scaled["spec"]["template"] == changed["spec"]["template"]
    immutable = deployment()
    immutable["spec"]["selector"]["matchLabels"]["extra"] = "x"
    immutable["spec"]["template"]["metadata"]["labels"]["extra"] = "x"
    with pytest.raises(ApiError, match="field is immutable"):
        kube.apply(immutable)


def test_wrong_token_is_401(sim, tmp_path):
    from tritonship.deploy.kube import Kube, load_api_client

    path = sim.write_kubeconfig(tmp_path / "kc")
    path.write_text(path.read_text().replace("tritonship-simulator-token", "wrong"))
    with pytest.raises(ApiError) as err:
        Kube(load_api_client(kubeconfig=str(path))).get("Namespace", "ns")
    assert err.value.status == 401
    assert err.value.exit_code == 3 and "credentials" in err.value.hint


def test_retries_back_off_through_the_clock_then_give_up(sim, kube):
    sim.faults.set(fail_next=2, fail_status=500)
    assert kube.get("Namespace", "ns")["metadata"]["name"] == "ns"
    assert kube.clock.sleeps == [0.2, 0.4] and kube.retries == 2
    sim.faults.set(drop_next=1)
    kube.get("Namespace", "ns")
    sim.faults.set(fail_next=100, fail_status=503)
    with pytest.raises(ClusterUnreachable, match="after 6 attempts"):
        kube.get("Namespace", "ns")
    assert kube.clock.sleeps[-5:] == [0.2, 0.4, 0.8, 1.6, 3.2]
    sim.faults.set(fail_next=0, drop_next=100)  # connections closed unanswered end the same way
    with pytest.raises(ClusterUnreachable, match="after 6 attempts"):
        kube.get("Namespace", "ns")


def test_ssar_follows_deny_rules(sim, kube):
    def allowed(verb, resource):
        review = {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
                  "spec": {"resourceAttributes": {"namespace": "ns", "verb": verb, "resource": resource}}}
        return kube.request("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", body=review)[
            "status"]["allowed"]

    assert allowed("create", "deployments")
    sim.access.deny.append({"verb": "create", "resource": "deployments"})
    assert not allowed("create", "deployments") and allowed("get", "deployments")

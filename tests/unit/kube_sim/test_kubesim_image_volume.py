"""The simulator's pod templates: the ImageVolume gate per version, init container validation, dryRun=All."""

from __future__ import annotations

import copy

import pytest
from tests.unit.kube_sim.conftest import deployment

from tritonship.deploy.kube import ApiError, ClusterUnreachable

MODELS = "reg.example/ml/app-models@sha256:" + "2" * 64


def with_image_volume(name="web"):
    dep = deployment(name)
    pod = dep["spec"]["template"]["spec"]
    pod["volumes"] = [{"name": "models", "image": {"reference": MODELS, "pullPolicy": "IfNotPresent"}},
                      {"name": "scratch", "emptyDir": {}}]
    pod["containers"][0]["volumeMounts"] = [{"name": "models", "mountPath": "/mnt/m", "readOnly": True},
                                            {"name": "scratch", "mountPath": "/tmp/s"}]
    return dep


def with_copier(name="web"):
    dep = deployment(name)
    pod = dep["spec"]["template"]["spec"]
    pod["volumes"] = [{"name": "models", "emptyDir": {}}]
    pod["initContainers"] = [{"name": "models", "image": MODELS, "command": ["cp"],
                              "volumeMounts": [{"name": "models", "mountPath": "/mnt/shared"}]}]
    pod["containers"][0]["volumeMounts"] = [{"name": "models", "mountPath": "/models", "readOnly": True}]
    return dep


def _sim(tmp_path, version, gate):
    from tritonship.deploy.clock import FakeClock
    from tritonship.deploy.kube import Kube, load_api_client
    from tritonship_standins.kube import KubeSimulator

    sim = KubeSimulator(nodes=1, ready_delay=0.1, namespaces=("ns",), version=version, image_volume=gate).start()
    kube = Kube(load_api_client(kubeconfig=str(sim.write_kubeconfig(tmp_path / "kc"))), FakeClock(), attempts=1)
    return sim, kube


def _volumes(obj):
    return [v["name"] for v in obj["spec"]["template"]["spec"].get("volumes") or []]


def test_version_is_served_as_configured(tmp_path):
    sim, kube = _sim(tmp_path, "1.31.2", False)
    try:
        doc = kube.request("GET", "/version")
        assert (doc["major"], doc["minor"], doc["gitVersion"]) == ("1", "31", "v1.31.2-tritonship-sim")
    finally:
        sim.stop()


def test_gate_on_keeps_the_image_volume(tmp_path):
    sim, kube = _sim(tmp_path, "1.31.0", True)
    try:
        applied = kube.apply(with_image_volume())
        assert _volumes(applied) == ["models", "scratch"]
        odd = with_image_volume("odd")
        odd["spec"]["template"]["spec"]["volumes"][0]["image"]["pullPolicy"] = "Sometimes"
        with pytest.raises(ApiError) as err:
            kube.apply(odd)
        assert err.value.status == 422 and "volumes[0].image.pullPolicy: Unsupported value" in err.value.message
    finally:
        sim.stop()


def test_gate_off_drops_the_image_volume_and_its_mounts_like_drop_image_volumes(tmp_path):
    sim, kube = _sim(tmp_path, "1.31.0", False)
    try:
        applied = kube.apply(with_image_volume())
        assert _volumes(applied) == ["scratch"]
        mounts = applied["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]
        assert [m["name"] for m in mounts] == ["scratch"]
        # an object that already uses image volumes keeps them (imageVolumesInUse(oldPodSpec))
        sim.cluster.image_volume = True
        kube.apply(with_image_volume("kept"))
        sim.cluster.image_volume = False
        again = copy.deepcopy(with_image_volume("kept"))
        again["spec"]["replicas"] = 2
        assert _volumes(kube.apply(again)) == ["models", "scratch"]
    finally:
        sim.stop()


def test_before_1_31_the_field_is_unknown_to_server_side_apply(tmp_path):
    sim, kube = _sim(tmp_path, "1.30.0", False)
    try:
        with pytest.raises(ClusterUnreachable) as err:  # a 500, which clients retry
            kube.apply(with_image_volume())
        assert "field not declared in schema" in str(err.value)
        with pytest.raises(ApiError) as err:  # JSON create: the unknown field is pruned, the volume has no source
            kube.create(with_image_volume("posted"))
        assert err.value.status == 422 and "must specify a volume type" in err.value.message
    finally:
        sim.stop()


def test_dry_run_validates_and_stores_nothing(sim, kube):
    answer = kube.apply(with_copier(), dry_run=True)
    assert answer["spec"]["template"]["spec"]["initContainers"][0]["image"] == MODELS
    assert sim.get("Deployment", "web", "ns") is None
    kube.apply(with_copier())
    changed = with_copier()
    changed["spec"]["replicas"] = 7
    assert kube.apply(changed, dry_run=True)["spec"]["replicas"] == 7
    after = sim.get("Deployment", "web", "ns")
    assert after["spec"]["replicas"] == 3 and after["metadata"]["generation"] == 1
    with pytest.raises(ApiError) as err:
        kube.request("PATCH", "/apis/apps/v1/namespaces/ns/deployments/web", body=changed,
                     query=[("fieldManager", "t"), ("dryRun", "Some")], content_type="application/apply-patch+yaml")
    assert err.value.status == 400 and 'supported values: "All"' in err.value.message


@pytest.mark.parametrize(("break_it", "field", "message"), [
    (lambda pod: pod["initContainers"][0].update(name="tritonserver"), "initContainers", "Duplicate value"),
    (lambda pod: pod["initContainers"][0]["volumeMounts"][0].update(name="nope"), "volumeMounts[0].name",
     "Not found"),
    (lambda pod: pod["initContainers"][0].update(name="Models_"), "initContainers[0].name", "RFC 1123"),
    (lambda pod: pod["volumes"].append({"name": "models", "emptyDir": {}}), "volumes[1].name", "Duplicate"),
    (lambda pod: pod["volumes"][0].update(configMap={"name": "x"}), "volumes[0].configMap",
     "may not specify more than 1 volume type"),
    (lambda pod: pod["containers"][0]["volumeMounts"].append({"name": "models", "mountPath": "/models"}),
     "mountPath", "must be unique"),
])
def test_init_containers_and_volumes_are_validated(kube, break_it, field, message):
    dep = with_copier()
    dep["spec"]["template"]["spec"]["containers"][0]["name"] = "tritonserver"
    break_it(dep["spec"]["template"]["spec"])
    with pytest.raises(ApiError) as err:
        kube.apply(dep)
    assert err.value.status == 422 and field in err.value.message and message in err.value.message


def test_pods_of_a_broken_model_image_crash_loop(sim, kube):
    """A model image Triton cannot load: the crash loop shows on the Triton container, as in a cluster."""
    sim.behaviour.crashloop_image = "app-models"
    kube.apply(with_copier())
    from tests.integration.promote.conftest import wait_for

    pods = wait_for(lambda: [p for p in sim.list("Pod", "ns") if (p.get("status") or {}).get("containerStatuses")],
                    what="pods with a status")
    status = pods[0]["status"]
    assert status["containerStatuses"][0]["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert status["initContainerStatuses"][0]["state"]["terminated"]["reason"] == "Completed"

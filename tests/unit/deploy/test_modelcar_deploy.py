"""The modelcar layout in the deploy side: rendered Deployments (schema-valid, both deliveries), the
delivery decision, the ledger's pair (old records still read), and the guard on recorded pairs."""

from __future__ import annotations

import copy
import json
from dataclasses import replace

import pytest
from tests.conftest import EXAMPLES

from tritonship.deploy.delivery import Probe, decide, parse_version
from tritonship.deploy.ledger import Release, decode, encode
from tritonship.deploy.ledger_guard import pair_problems, problems
from tritonship.deploy.manifests import render_release
from tritonship.deploy.schema_check import check_objects, schema_version
from tritonship.deploy.workload import Workload, planned, size_limit
from tritonship.errors import BadInput
from tritonship.image import modelcar
from tritonship.present.history import runs
from tritonship.spec import load_spec

TRITON = "nvcr.io/nvidia/tritonserver@sha256:" + "d" * 64
MODELS = "reg.example/ml/example-models-models@sha256:" + "1" * 64
BAKED = "reg.example/ml/example-models@sha256:" + "a" * 64


@pytest.fixture(scope="module")
def spec():
    return load_spec(EXAMPLES / "tritonship.yaml")


def render(spec, delivery, model_bytes=None):
    work = planned("modelcar", MODELS, triton_image=TRITON, delivery=delivery, model_bytes=model_bytes)
    return render_release(spec, "dev", MODELS, 3, workload=work)


def pod(objects):
    return objects[0]["spec"]["template"]["spec"]


def test_init_container_delivery_is_schema_valid_and_shaped_like_the_contract(spec):
    objects = render(spec, "init-container", model_bytes=3 * 2**30)
    check_objects(objects, "environment 'dev'")
    p = pod(objects)
    [triton], [copier] = p["containers"], p["initContainers"]
    assert triton["image"] == TRITON and triton["command"] == ["tritonserver"]
    assert triton["args"] == ["--model-repository=/models", "--strict-readiness=true", "--allow-metrics=true",
                              "--metrics-config=summary_latencies=true", "--exit-on-error=true"]
    assert copier["command"] == modelcar.copy_command() and copier["image"] == MODELS
    assert copier["securityContext"] == triton["securityContext"]
    assert copier["resources"]["limits"]["memory"] == "256Mi"
    models = next(v for v in p["volumes"] if v["name"] == "models")
    assert models == {"name": "models", "emptyDir": {"sizeLimit": "3380Mi"}}
    annotations = objects[0]["spec"]["template"]["metadata"]["annotations"]
    assert annotations["tritonship.io/image"] == MODELS and annotations["tritonship.io/triton-image"] == TRITON


def test_image_volume_delivery_validates_from_1_31_only(spec):
    import kubernetes_validate

    objects = render(spec, "image-volume")
    check_objects(objects, "environment 'dev'")  # checked against 1.31: the field exists there
    p = pod(objects)
    assert "initContainers" not in p
    assert {"name": "models", "image": {"reference": MODELS, "pullPolicy": "IfNotPresent"}} in p["volumes"]
    assert {"name": "models", "mountPath": modelcar.IMAGE_VOLUME_MOUNT, "readOnly": True} in \
        p["containers"][0]["volumeMounts"]
    assert p["containers"][0]["args"][0] == "--model-repository=" + modelcar.repository_path("image-volume")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(objects[0], "1.30.0", strict=True)


def test_the_schema_version_follows_the_objects_and_the_server(spec):
    volume, copier = render(spec, "image-volume"), render(spec, "init-container")
    assert schema_version(copier) == "1.30.0" and schema_version(volume) == "1.31.0"
    assert schema_version(volume, (1, 33)) == "1.33.0"
    assert schema_version(volume, (1, 99)) == "1.37.0"  # the newest the package carries
    assert schema_version(volume, (1, 29)) == "1.31.0"


def test_baked_renders_as_before_with_an_explicit_command(spec):
    p = pod(render_release(spec, "dev", BAKED, 1))
    assert "initContainers" not in p and [v["name"] for v in p["volumes"]] == ["dshm"]
    assert p["containers"][0]["image"] == BAKED and p["containers"][0]["command"] == ["tritonserver"]


def test_size_limit():
    assert size_limit(None) is None and size_limit(0) is None
    assert size_limit(1) == "1Mi" and size_limit(100 * 2**20) == "110Mi"


@pytest.mark.parametrize(("doc", "want"), [
    ({"major": "1", "minor": "31", "gitVersion": "v1.31.2"}, (1, 31)),
    ({"major": "1", "minor": "30+", "gitVersion": "v1.30.5-eks-ce1d5eb"}, (1, 30)),
    ({"major": "1", "minor": "32+"}, (1, 32)),
    ({}, None),
])
def test_parse_version(doc, want):
    assert parse_version(doc) == want


@pytest.mark.parametrize(("configured", "probe", "delivery", "status"), [
    ("auto", Probe((1, 30)), "init-container", "passed"),
    ("auto", Probe((1, 31), False, "dropped"), "init-container", "passed"),
    ("auto", Probe((1, 31), True), "image-volume", "passed"),
    ("auto", Probe(None), "init-container", "passed"),
    ("image-volume", Probe((1, 30)), "image-volume", "failed"),
    ("image-volume", Probe((1, 32), False, "refused (403: forbidden)"), "image-volume", "failed"),
    ("image-volume", Probe((1, 33), True), "image-volume", "passed"),
    ("init-container", Probe((1, 33), True), "init-container", "passed"),
])
def test_decide(configured, probe, delivery, status):
    decision = decide(configured, probe)
    assert (decision.delivery, decision.status) == (delivery, status)
    if status == "failed":
        assert "image.model_delivery is image-volume" in decision.detail


# -- the ledger records the pair ---------------------------------------------------------------
def record(**kw):
    base = {"revision": 1, "image": MODELS, "digest": MODELS.split("@")[1], "strategy": "rolling",
            "started_by": "ci", "started_at": "2026-01-01T00:00:00Z", "outcome": "succeeded"}
    return {**base, **kw}


def test_records_written_before_layouts_read_as_baked():
    old = record(image=BAKED, digest=BAKED.split("@")[1])
    text = json.dumps([old])
    [rel] = decode("app", "dev", text, None, "cm").releases
    assert (rel.layout, rel.triton_image, rel.model_image, rel.delivery) == ("baked", "", None, None)
    assert rel.pair == modelcar.ImagePair("baked", BAKED, None)
    assert rel.summary()["triton_image"] == BAKED
    assert Workload.of(rel) == Workload.baked(BAKED)


def test_a_modelcar_record_round_trips_and_a_bad_layout_is_refused():
    item = record(layout="modelcar", triton_image=TRITON, model_image=MODELS, delivery="image-volume",
                  model_bytes=123)
    ledger = decode("app", "dev", json.dumps([item]), None, "cm")
    text, checksum = encode(ledger)
    [rel] = decode("app", "dev", text, checksum, "cm").releases
    assert Workload.of(rel) == Workload(TRITON, "modelcar", MODELS, "image-volume", 123)
    with pytest.raises(BadInput, match="layout 'sidecar'"):
        decode("app", "dev", json.dumps([record(layout="sidecar")]), None, "cm")
    with pytest.raises(BadInput, match="model_bytes"):
        decode("app", "dev", json.dumps([record(model_bytes="big")]), None, "cm")


# -- the guard ---------------------------------------------------------------------------------
def _release(spec, delivery="init-container", **kw):
    rel = Release(revision=2, image=MODELS, digest=MODELS.split("@")[1], strategy="rolling", started_by="ci",
                  started_at="t", layout="modelcar", triton_image=TRITON, model_image=MODELS, delivery=delivery,
                  manifests=render(spec, delivery))
    return replace(rel, **kw)


def _guard(spec, rel):
    return pair_problems(rel) + problems(rel.manifests, app=spec.project, env_name="dev",
                                         namespace=spec.environment("dev").namespace, image=rel.image, pair=rel.pair)


@pytest.mark.parametrize("delivery", ["init-container", "image-volume"])
def test_the_guard_accepts_what_modelcar_renders(spec, delivery):
    assert _guard(spec, _release(spec, delivery)) == []


def test_the_guard_refuses_a_forged_model_image_copier_or_volume(spec):
    rel = _release(spec)
    forged = copy.deepcopy(rel.manifests)
    pod(forged)["initContainers"][0]["image"] = "evil.example/x@sha256:" + "6" * 64
    assert any("not tritonship's model copier" in p for p in _guard(spec, replace(rel, manifests=forged)))
    shell = copy.deepcopy(rel.manifests)
    pod(shell)["initContainers"][0]["command"] = [modelcar.COPIER, "sh", "-c", "wget evil"]
    assert any("not tritonship's model copier" in p for p in _guard(spec, replace(rel, manifests=shell)))
    extra = copy.deepcopy(rel.manifests)
    pod(extra)["initContainers"].append({**pod(extra)["initContainers"][0], "name": "again", "args": ["x"]})
    assert any("not tritonship's model copier" in p for p in _guard(spec, replace(rel, manifests=extra)))
    volume = _release(spec, "image-volume")
    other = copy.deepcopy(volume.manifests)
    next(v for v in pod(other)["volumes"] if v["name"] == "models")["image"]["reference"] = "evil.example/y:latest"
    assert any("image volume" in p for p in _guard(spec, replace(volume, manifests=other)))
    # a record naming another model image than the one it built (and runs): refused as a whole
    liar = replace(rel, model_image="evil.example/x@sha256:" + "6" * 64,
                   manifests=render_release(spec, "dev", "evil.example/x@sha256:" + "6" * 64, 2, workload=planned(
                       "modelcar", "evil.example/x@sha256:" + "6" * 64, triton_image=TRITON,
                       delivery="init-container")))
    assert any("is not its built image" in p for p in _guard(spec, liar))


def test_the_guard_refuses_a_copier_in_a_baked_record(spec):
    rel = _release(spec)
    baked = replace(rel, layout="baked", triton_image=TRITON, model_image=None)
    assert any("not tritonship's model copier" in p for p in _guard(spec, baked))


def test_history_shows_the_pair():
    assert runs({"layout": "baked", "digest": "sha256:" + "a" * 64}) == "a" * 12
    line = runs({"layout": "modelcar", "digest": "x", "model_image": MODELS, "triton_image": TRITON,
                 "delivery": "image-volume"})
    assert line == f"models {'1' * 12} + triton {'d' * 12} (image-volume)"


def test_a_canary_baseline_runs_the_stable_release_s_recorded_pair(spec):
    from tritonship.deploy.promotion import Promotion
    from tritonship.deploy.strategies.canary import Canary

    stable = _release(spec)
    p = Promotion(kube=None, clock=None, spec=spec, env_name="dev", image=BAKED, revision=3, previous=stable,
                  workload=Workload.baked(BAKED))
    [baseline] = Canary()._baseline(p, replicas=1)
    base_pod = pod([baseline])
    assert base_pod["containers"][0]["image"] == TRITON and base_pod["initContainers"][0]["image"] == MODELS
    assert baseline["metadata"]["name"].endswith("-baseline")
    [canary] = p.render(track="canary", replicas=0, kinds=("Deployment",))
    assert pod([canary])["containers"][0]["image"] == BAKED and "initContainers" not in pod([canary])

"""The modelcar layout on the Kubernetes API simulator: the pods run NVIDIA's Triton image unchanged and get
the models from the model image (init container or image volume); the ledger records the pair, `--from`
promotes it and rollback restores it, across layouts."""

from __future__ import annotations

import pytest
from tests.integration.promote.conftest import (
    GOOD,
    Engine,
    SkippingClock,
    deployment_image,
    ledger,
    promote_args,
    push_tiny_image,
    write_spec,
)

from tritonship.image import modelcar

pytestmark = pytest.mark.integration

TRITON = "127.0.0.1:5999/nvidia/tritonserver@sha256:" + "d" * 64
TRITON2 = "127.0.0.1:5999/nvidia/tritonserver@sha256:" + "e" * 64
MODELS = "127.0.0.1:5999/ml/demo-app-models@sha256:" + "1" * 64
MODELS2 = "127.0.0.1:5999/ml/demo-app-models@sha256:" + "2" * 64
BROKEN_MODELS = "127.0.0.1:5999/ml/broken-models@sha256:" + "3" * 64


def modelcar_spec(path, *, delivery: str = "auto", base: str = TRITON, deadline: str = "600s", extra: str = ""):
    text = write_spec(path, deadline=deadline).read_text()
    path.write_text(text + f"image:\n  layout: modelcar\n  model_delivery: {delivery}\n  base_image: {base}\n{extra}")
    return path


def pod_of(sim, name: str = "demo-app", env: str = "dev") -> dict:
    return sim.get("Deployment", name, f"models-{env}")["spec"]["template"]["spec"]


def test_modelcar_rolling_runs_triton_unchanged_with_the_copier_and_records_the_pair(sim, project, tship):
    modelcar_spec(project.spec)
    result = tship("promote", *promote_args(MODELS))
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    checks = {c["name"]: c for c in doc["preflight"]}
    assert checks["delivery"]["status"] == "passed"
    assert "init-container: Kubernetes 1.30 has no image volumes" in checks["delivery"]["detail"]
    pod = pod_of(sim)
    [triton] = pod["containers"]
    assert triton["image"] == TRITON and triton["command"] == ["tritonserver"]
    assert triton["args"][0] == "--model-repository=/models"
    [copier] = pod["initContainers"]
    assert copier["image"] == MODELS and copier["command"] == modelcar.copy_command()
    assert {"name": "models", "mountPath": modelcar.SHARED_MOUNT} in copier["volumeMounts"]
    assert {"name": "models", "mountPath": "/models", "readOnly": True} in triton["volumeMounts"]
    assert copier["securityContext"] == triton["securityContext"]
    [rel] = ledger(sim)
    assert (rel["layout"], rel["triton_image"], rel["model_image"], rel["delivery"]) == (
        "modelcar", TRITON, MODELS, "init-container")
    assert rel["image"] == MODELS and rel["digest"] == MODELS.split("@")[1]
    history = tship("history", "--env", "dev").json()["releases"][0]
    assert (history["triton_image"], history["model_image"]) == (TRITON, MODELS)
    text = tship("history", "--env", "dev")  # the table shows the pair
    assert text.exit_code == 0


def test_a_broken_model_image_rolls_back_to_the_previous_pair(sim, project, engine):
    modelcar_spec(project.spec)
    assert engine.promote(MODELS).status == "passed"
    failed = engine.promote(BROKEN_MODELS)  # Triton cannot load the models: crash loop, rolled back
    assert failed.status == "failed" and "rolled back to revision 1" in failed.reason
    assert pod_of(sim)["initContainers"][0]["image"] == MODELS
    assert [r["outcome"] for r in ledger(sim)] == ["succeeded", "rolled-back"]


BLUE_GREEN = """\
    strategy:
      blue_green: { pre_promotion_smoke: false, pre_promotion_analysis: false, post_promotion_analysis: false,
                    scale_down_delay: 0s,
                    progress_deadline: 600s }
"""


def test_modelcar_blue_green_runs_the_pair_in_each_colour(sim, project, engine):
    modelcar_spec(project.spec)
    project.spec.write_text(project.spec.read_text().replace(
        "    strategy:\n      rolling: { max_surge: 1, max_unavailable: 0, progress_deadline: 600s }\n", BLUE_GREEN, 1))
    assert engine.promote(MODELS).status == "passed"
    assert engine.promote(MODELS2, triton_image=TRITON2).status == "passed"
    blue, green = pod_of(sim, "demo-app-blue"), pod_of(sim, "demo-app-green")
    assert (blue["containers"][0]["image"], blue["initContainers"][0]["image"]) == (TRITON, MODELS)
    assert (green["containers"][0]["image"], green["initContainers"][0]["image"]) == (TRITON2, MODELS2)
    assert sim.get("Service", "demo-app", "models-dev")["spec"]["selector"]["tritonship.io/track"] == "green"
    assert [(r["triton_image"], r["model_image"]) for r in ledger(sim)] == [(TRITON, MODELS), (TRITON2, MODELS2)]


def test_rollback_restores_the_pair_from_modelcar_to_baked_and_back(sim, project, engine):
    write_spec(project.spec, deadline="600s")
    assert engine.promote(GOOD).status == "passed"  # 1: baked
    modelcar_spec(project.spec)
    assert engine.promote(MODELS).status == "passed"  # 2: modelcar
    back = engine.rollback()  # 3: restores 1
    assert back.status == "passed"
    pod = pod_of(sim)
    assert deployment_image(sim) == GOOD and "initContainers" not in pod
    assert all(v["name"] != "models" for v in pod.get("volumes") or [])
    assert pod["containers"][0]["args"][0] == "--model-repository=/models"
    again = engine.rollback(to=2)  # 4: restores 2
    assert again.status == "passed"
    assert deployment_image(sim) == TRITON and pod_of(sim)["initContainers"][0]["image"] == MODELS
    records = ledger(sim)
    assert [(r["kind"], r["layout"], r["triton_image"], r["model_image"]) for r in records] == [
        ("promote", "baked", GOOD, None), ("promote", "modelcar", TRITON, MODELS),
        ("rollback", "baked", GOOD, None), ("rollback", "modelcar", TRITON, MODELS)]


def test_from_promotes_the_recorded_pair(sim, project, engine):
    modelcar_spec(project.spec, base="127.0.0.1:5999/nvidia/tritonserver:24.10-py3")  # a tag: never used here
    assert engine.promote(MODELS, triton_image=TRITON2).status == "passed"
    result = engine.promote(env="staging", from_env="dev")
    assert result.status == "passed", result.reason
    pod = pod_of(sim, env="staging")
    assert (pod["containers"][0]["image"], pod["initContainers"][0]["image"]) == (TRITON2, MODELS)
    [rel] = ledger(sim, env="staging")
    assert (rel["layout"], rel["triton_image"], rel["model_image"], rel["from_env"]) == (
        "modelcar", TRITON2, MODELS, "dev")


def test_the_base_image_tag_is_pinned_to_its_digest_and_both_images_are_checked(sim, project, tship, registry):
    triton = push_tiny_image(registry, "nvidia/tritonserver")  # tagged v1 there
    models = push_tiny_image(registry, "ml/demo-app-models")
    modelcar_spec(project.spec, base=f"{registry}/nvidia/tritonserver:v1", extra="  insecure_registry: true\n")
    result = tship("promote", "--env", "dev", "--image", models)
    assert result.exit_code == 0, result.stderr
    check = next(c for c in result.json()["preflight"] if c["name"] == "image")
    assert check["status"] == "passed" and triton.split("@")[1] in check["detail"] and models.split("@")[1] in \
        check["detail"]
    assert ledger(sim)[0]["triton_image"] == triton and deployment_image(sim) == triton
    missing_models = models.split("@")[0] + "@sha256:" + "f" * 64
    refused = tship("promote", "--env", "dev", "--image", missing_models)
    assert refused.exit_code == 1 and "is not in registry" in refused.json()["reason"]
    modelcar_spec(project.spec, base=f"{registry}/nvidia/tritonserver:no-such-tag", extra="  insecure_registry: true\n")
    unpinned = tship("promote", "--env", "dev", "--image", models)
    assert unpinned.exit_code == 1 and "cannot pin it to a digest" in unpinned.json()["error"]["message"]
    bad = tship("promote", *promote_args(models), "--triton-image", "nvidia/tritonserver:24.10-py3")
    assert bad.exit_code == 2 and "by digest" in bad.json()["error"]["message"]
    assert len(ledger(sim)) == 1


def test_triton_image_is_for_modelcar_only(sim, project, tship):
    result = tship("promote", *promote_args(GOOD), "--triton-image", TRITON)
    assert result.exit_code == 2 and "modelcar" in result.json()["error"]["message"]


# -- the delivery: found by preflight, never assumed -------------------------------------------------
def _engine_on(tmp_path, version: str, gate: bool, delivery: str = "auto"):
    from tests.integration.promote.conftest import Project

    from tritonship_standins.kube import KubeSimulator

    sim = KubeSimulator(nodes=2, ready_delay=0.2, namespaces=("models-dev", "models-staging"), version=version,
                        image_volume=gate).start()
    project = Project(modelcar_spec(tmp_path / f"{version}-{gate}.yaml", delivery=delivery),
                      sim.write_kubeconfig(tmp_path / f"kubeconfig-{version}-{gate}"))
    return sim, Engine(project, SkippingClock())


@pytest.mark.parametrize(("version", "gate", "want", "why"), [
    ("1.30.4", False, "init-container", "Kubernetes 1.30 has no image volumes"),
    ("1.31.0", False, "init-container", "dropped volumes[].image"),
    ("1.31.0", True, "image-volume", "kept volumes[].image"),
])
def test_auto_uses_an_image_volume_only_where_a_dry_run_keeps_it(tmp_path, version, gate, want, why):
    sim, engine = _engine_on(tmp_path, version, gate)
    try:
        result = engine.promote(MODELS)
        assert result.status == "passed", result.reason
        check = next(c for c in result.preflight.checks if c.name == "delivery")
        assert why in check.detail
        pod = pod_of(sim)
        if want == "image-volume":
            assert "initContainers" not in pod
            assert {"name": "models", "image": {"reference": MODELS, "pullPolicy": "IfNotPresent"}} in pod["volumes"]
            assert pod["containers"][0]["args"][0] == f"--model-repository={modelcar.IMAGE_VOLUME_MOUNT}/models"
        else:
            assert pod["initContainers"][0]["image"] == MODELS
        assert ledger(sim)[0]["delivery"] == want
        assert sim.store.writes  # the probe itself stored nothing: only the release's own objects exist
        assert [d["metadata"]["name"] for d in sim.list("Deployment", "models-dev")] == ["demo-app"]
    finally:
        sim.stop()


def test_explicit_image_volume_on_a_cluster_without_it_fails_preflight(tmp_path, run_cli):
    sim, engine = _engine_on(tmp_path, "1.31.0", False, delivery="image-volume")
    try:
        project = engine.project
        result = run_cli("promote", "--spec", str(project.spec), *promote_args(MODELS), "--json", env=project.env())
        assert result.exit_code == 1
        reason = result.json()["reason"]
        assert "image.model_delivery is image-volume" in reason and "dropped volumes[].image" in reason
        assert sim.get("Deployment", "demo-app", "models-dev") is None
    finally:
        sim.stop()


def test_a_model_image_that_cannot_be_pulled_fails_fast_naming_the_init_container(sim, project, engine):
    modelcar_spec(project.spec)
    assert engine.promote(MODELS).status == "passed"
    sim.behaviour.pull_fail_image = "demo-app-models@sha256:2"
    failed = engine.promote(MODELS2)
    assert failed.status == "failed"
    assert "container models: ErrImagePull" in failed.reason or "container models: ImagePullBackOff" in failed.reason
    assert MODELS2 in failed.reason and "rolled back to revision 1" in failed.reason
    assert pod_of(sim)["initContainers"][0]["image"] == MODELS


def _push_with_layer(host: str, repository: str, layer: bytes, media: str) -> str:
    import hashlib
    import json

    from tritonship.image.registry import RegistryClient

    client = RegistryClient(host, insecure=True)
    config = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []}})
    blobs = {}
    for data in (config.encode(), layer):
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        client.upload_blob(repository, digest, data)
        blobs[data] = digest
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                      "digest": blobs[config.encode()], "size": len(config)},
                           "layers": [{"mediaType": media, "digest": blobs[layer], "size": len(layer)}]}).encode()
    digest = client.put_manifest(repository, "v1", manifest, "application/vnd.oci.image.manifest.v1+json")
    return f"{host}/{repository}@{digest}"


def test_the_copy_volume_is_sized_from_an_uncompressed_model_image(sim, project, tship, registry):
    import os

    triton = push_tiny_image(registry, "nvidia/tritonserver")
    plain = _push_with_layer(registry, "ml/demo-app-models", os.urandom(2 * 2**20),
                             "application/vnd.oci.image.layer.v1.tar")
    modelcar_spec(project.spec, base=triton, extra="  insecure_registry: true\n")
    assert tship("promote", "--env", "dev", "--image", plain).exit_code == 0
    volume = next(v for v in pod_of(sim)["volumes"] if v["name"] == "models")
    assert volume["emptyDir"] == {"sizeLimit": "3Mi"}  # 2 MiB + 10 %, rounded up
    assert ledger(sim)[0]["model_bytes"] == 2 * 2**20
    packed = _push_with_layer(registry, "ml/demo-app-models", os.urandom(2**20),
                              "application/vnd.oci.image.layer.v1.tar+gzip")
    assert tship("promote", "--env", "dev", "--image", packed).exit_code == 0
    volume = next(v for v in pod_of(sim)["volumes"] if v["name"] == "models")
    assert volume["emptyDir"] == {} and ledger(sim)[1]["model_bytes"] is None  # unpacked size unknown

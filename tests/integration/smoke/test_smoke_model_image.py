"""`smoke`/`perf --model-image`: a hand-made model image (modelcar layout) pushed to the real registry with our
own client, unpacked with verified digests, whiteouts applied, and served by the real tritonserver."""

from __future__ import annotations

import filecmp
import json
import shutil

import pytest
from tests.conftest import EXAMPLE_REPO
from tests.model_images import TAR, TAR_GZIP, gzipped, layer, push_model_image, tree_layer

from tritonship.image.registry import RegistryClient
from tritonship.image.unpack import ModelImageSource, unpacked_model_image
from tritonship_standins.registry import local_registry

pytestmark = pytest.mark.integration

EXAMPLE_MODELS = sorted(p.name for p in EXAMPLE_REPO.iterdir() if p.is_dir())
SHORT = ("--window", "0.5", "--max-trials", "6", "--stability-pct", "30", "--warmup-requests", "10",
         "--concurrency", "1")


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    with local_registry(tmp_path_factory.mktemp("registry")) as reg:
        yield reg


@pytest.fixture(scope="module")
def model_image(registry, tmp_path_factory) -> str:
    """Layer 1: the example repository plus a model that cannot load and a stray file; layer 2 (gzip): whiteouts
    of both and the copier a real model image carries outside /models."""
    tree = tmp_path_factory.mktemp("tree") / "models"
    shutil.copytree(EXAMPLE_REPO, tree, ignore=shutil.ignore_patterns("__pycache__"))
    (tree / "decoy" / "1").mkdir(parents=True)
    (tree / "decoy" / "config.pbtxt").write_text('name: "decoy"\nbackend: "python"\ninput [ { name: ')
    (tree / "add_sub" / "stale.txt").write_text("removed by the next layer")
    upper = layer(("models/.wh.decoy", "file"), ("models/add_sub/.wh.stale.txt", "file"), ("tritonship", "dir"),
                  ("tritonship/bin", "dir"), ("tritonship/bin/busybox", "file", b"\x7fELF not really"))
    client = RegistryClient(registry.host, insecure=True)
    return push_model_image(client, "ml/example-models", [(TAR, tree_layer(tree)), (TAR_GZIP, gzipped(upper))])


def test_the_model_image_unpacks_to_the_example_repository(model_image):
    with unpacked_model_image(ModelImageSource(model_image, insecure=True)) as image:
        repository = image.repository
        assert sorted(p.name for p in repository.iterdir()) == EXAMPLE_MODELS  # decoy whited out
        assert not (repository / "add_sub" / "stale.txt").exists()
        assert not (repository.parent / "tritonship").exists()
        compare = filecmp.dircmp(EXAMPLE_REPO, repository, ignore=["__pycache__"])
        assert compare.left_only == compare.right_only == compare.diff_files == []
        assert (image.layers, image.written_bytes > 0) == (2, True)
    assert not repository.exists()


def test_smoke_model_image_runs_the_unpacked_models_on_real_triton(run_cli, model_image, tmp_path):
    reports = tmp_path / "reports"
    result = run_cli("smoke", "--model-image", model_image, "--insecure-registry", "--protocol", "http",
                     "--json", "--report-dir", str(reports))
    assert result.exit_code == 0, result.stdout + result.stderr
    doc = result.json()["smoke"]
    assert doc["model_image"] == doc["target"] == model_image
    assert sorted(m["name"] for m in doc["models"]) == EXAMPLE_MODELS and doc["failed_models"] == []
    assert "metadata" in {c["name"] for c in doc["models"][0]["checks"]}  # the unpacked configs were compared
    assert model_image in (reports / "report.html").read_text()
    assert json.loads((reports / "result.json").read_text())["smoke"]["model_image"] == model_image


def test_perf_model_image_measures_a_model_of_it(run_cli, model_image, tmp_path):
    result = run_cli("perf", "--model-image", model_image, "--insecure-registry", "--model", "add_sub", *SHORT,
                     "--json", "--report-dir", str(tmp_path))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.json()["model_image"] == model_image
    assert model_image in (tmp_path / "report.html").read_text()


def test_a_digest_the_registry_does_not_hold_is_exit_3_naming_the_registry(run_cli, registry):
    missing = f"{registry.host}/ml/example-models@sha256:" + "0" * 64
    result = run_cli("smoke", "--model-image", missing, "--insecure-registry")
    assert result.exit_code == 3
    assert registry.host in result.stderr and "no such manifest" in result.stderr


def test_an_authenticated_registry_takes_the_pipeline_credentials_and_never_prints_them(run_cli, tmp_path,
                                                                                       monkeypatch):
    from tests.integration.build.conftest import REGISTRY_PASSWORD, REGISTRY_USER, htpasswd_auth

    from tritonship.image.credentials import Credentials

    root = tmp_path / "auth-registry"
    with local_registry(root, auth_config=htpasswd_auth(root)) as reg:
        pusher = Credentials(REGISTRY_USER, REGISTRY_PASSWORD, "env")
        client = RegistryClient(reg.host, insecure=True, credentials=pusher)
        image = push_model_image(client, "ml/private-models", [(TAR, layer(("models/m/config.pbtxt", "file", b"x")))])
        monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "no-docker-config"))
        monkeypatch.delenv("TRITONSHIP_REGISTRY_USER", raising=False)
        monkeypatch.delenv("TRITONSHIP_REGISTRY_PASSWORD", raising=False)
        anonymous = run_cli("smoke", "--model-image", image, "--insecure-registry")
        assert anonymous.exit_code == 3 and "requires authentication" in anonymous.stderr
        monkeypatch.setenv("TRITONSHIP_REGISTRY_USER", REGISTRY_USER)
        monkeypatch.setenv("TRITONSHIP_REGISTRY_PASSWORD", REGISTRY_PASSWORD)
        with unpacked_model_image(ModelImageSource(image, insecure=True)) as unpacked:
            assert (unpacked.repository / "m" / "config.pbtxt").read_bytes() == b"x"
        monkeypatch.setenv("TRITONSHIP_REGISTRY_PASSWORD", "wrong-" + REGISTRY_PASSWORD)
        rejected = run_cli("smoke", "--model-image", image, "--insecure-registry")
        assert rejected.exit_code == 3 and "rejected the credentials" in rejected.stderr
        assert REGISTRY_PASSWORD not in rejected.stderr + rejected.stdout


def _build_has_modelcar() -> bool:
    from tritonship.commands.build import command

    return any(param.name == "layout" for param in command.params)


@pytest.mark.skipif(not _build_has_modelcar(), reason="build --layout modelcar arrives with the modelcar build")
def test_smoke_runs_what_build_layout_modelcar_pushed(run_cli, registry, tmp_path, monkeypatch):
    """The contract end to end: build's result.json names the model image; smoke --model-image runs it."""
    client = RegistryClient(registry.host, insecure=True)
    base = push_model_image(client, "test/triton", [(TAR, layer(("opt", "dir")))])
    client.put_manifest("test/triton", "1", client.get_manifest("test/triton", base.split("@")[1]).body,
                        "application/vnd.oci.image.manifest.v1+json")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    built = run_cli("build", "--repository", str(EXAMPLE_REPO), "--registry", f"{registry.host}/ml", "--name", "ex",
                    "--base-image", f"{registry.host}/test/triton:1", "--layout", "modelcar", "--insecure-registry",
                    "--json")
    assert built.exit_code == 0, built.stderr
    doc = built.json()
    assert doc["layout"] == "modelcar" and doc["image"] == doc["model_image"] and doc["triton_image"] == base
    smoke = run_cli("smoke", "--model-image", doc["model_image"], "--insecure-registry", "--protocol", "http",
                    "--json", "--report-dir", str(tmp_path))
    assert smoke.exit_code == 0, smoke.stdout + smoke.stderr
    assert sorted(m["name"] for m in smoke.json()["smoke"]["models"]) == EXAMPLE_MODELS

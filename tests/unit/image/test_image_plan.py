"""Pure decisions of `build`: tags, labels, Dockerfile, build context, plan, builder choice, kaniko args."""

from __future__ import annotations

import io
import json
import os
import shutil
import tarfile
from pathlib import Path

import pytest
from tests.conftest import EXAMPLE_REPO

from tritonship.errors import BadInput, InfraError
from tritonship.image.builders.docker_sdk import docker_archive_to_oci
from tritonship.image.builders.factory import detect_builder, resolve_builder_name
from tritonship.image.context import layer_dir, write_context
from tritonship.image.dockerfile import label_quote, model_versions, models_label
from tritonship.image.kaniko import executor_args
from tritonship.image.model_layers import plan_layers
from tritonship.image.plan import BuildOptions, plan_build
from tritonship.image.provenance import source_date_epoch, strip_userinfo
from tritonship.image.tags import image_name, image_tags, primary_tag, sanitize_version
from tritonship.repository.digest import list_files


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE_REPO, repo, ignore=shutil.ignore_patterns("__pycache__"))
    return repo


def _options(repo: Path, **overrides) -> BuildOptions:
    values = {"repository": repo, "registry": "reg.example:5000/ml", "name": "models", "base_image": "h.io/triton:1",
              "version": "1.2.0"}
    return BuildOptions(**(values | overrides))


def test_tags_are_version_and_content_digest():
    assert primary_tag("v1.2.0+build/7", "0123456789ab") == "v1.2.0-build-7-0123456789ab"
    assert sanitize_version(None) == "dev" and sanitize_version("  ") == "dev"
    assert len(primary_tag("x" * 300, "0123456789ab")) == 128
    refs = image_tags("reg.io:5000/ml/m", "1.0", "0123456789ab", ["stable", "stable"])
    assert [str(r) for r in refs] == ["reg.io:5000/ml/m:1.0-0123456789ab", "reg.io:5000/ml/m:stable"]
    with pytest.raises(BadInput):
        image_tags("reg.io/m", "1", "ab", ["bad tag"])
    with pytest.raises(BadInput):
        image_name("reg.io/ml", "Upper")


def test_labels_and_quoting():
    entries = list_files(EXAMPLE_REPO)
    models = model_versions(entries)
    assert models["add_sub"] == ["1"]
    assert models_label({"a": ["1", "2"], "b": []}) == "a:1+2,b:-"
    assert label_quote('say "hi" $HOME\\x\nnext') == '"say \\"hi\\" \\$HOME\\\\x next"'


def test_provenance_helpers():
    assert strip_userinfo("https://user:token@git.example/x.git") == "https://git.example/x.git"
    assert strip_userinfo("git@github.com:o/r.git") == "git@github.com:o/r.git"
    assert source_date_epoch({"SOURCE_DATE_EPOCH": "42"}, "7") == 42
    assert source_date_epoch({}, "7") == 7
    assert source_date_epoch({}, None) == 0


def test_plan_renders_dockerfile_and_is_stable(tmp_path):
    repo = _repo(tmp_path)
    plan = plan_build(_options(repo), env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert plan.references == [f"reg.example:5000/ml/models:1.2.0-{plan.repository_digest.short}"]
    assert plan.dockerfile.splitlines()[1] == "FROM h.io/triton:1"
    assert "COPY" not in plan.dockerfile  # buildah and docker build the base part; tritonship appends the models
    assert "as 6 layers written by tritonship" in plan.dockerfile
    assert '"io.tritonship.layout"="baked"' in plan.dockerfile
    assert '"io.tritonship.repository-digest"="sha256:' in plan.dockerfile
    assert '"org.opencontainers.image.created"="2023-11-14T22:13:20Z"' in plan.dockerfile
    assert 'ENTRYPOINT ["tritonserver", "--model-repository=/models", "--strict-readiness=true", ' \
           '"--allow-metrics=true", "--metrics-config=summary_latencies=true"]' in plan.dockerfile
    assert "pip install" not in plan.dockerfile
    assert plan_build(_options(repo), env={"SOURCE_DATE_EPOCH": "1700000000"}) == plan
    json.dumps(plan.to_dict())


def test_plan_with_requirements_installs_them(tmp_path):
    repo = _repo(tmp_path)
    req = tmp_path / "requirements.txt"
    req.write_text("numpy\n")
    plan = plan_build(_options(repo, requirements=req), env={})
    assert "RUN python3 -m pip install" in plan.dockerfile


@pytest.mark.parametrize(("override", "message"), [
    ({"registry": None}, "no registry"),
    ({"name": None}, "no image name"),
    ({"base_image": "h.io/x:1\nRUN evil"}, "invalid image reference"),
    ({"requirements": Path("/nonexistent/req.txt")}, "requirements file not found"),
])
def test_plan_rejects_bad_input(tmp_path, override, message):
    with pytest.raises(BadInput, match=message):
        plan_build(_options(_repo(tmp_path), **override), env={})


def test_context_holds_only_listed_files_one_directory_per_layer_with_fixed_times(tmp_path):
    repo = _repo(tmp_path)
    (repo / ".tritonshipignore").write_text("*.bak\n")
    (repo / "add_sub" / "old.bak").write_text("x")
    os.symlink("config.pbtxt", repo / "add_sub" / "link.pbtxt")
    entries = list_files(repo)
    layers = plan_layers(entries)
    ctx = write_context(tmp_path / "ctx", repo, "FROM x\n", epoch=1234, layers=layers)
    for index, layer in enumerate(layers):
        models = ctx.root / layer_dir(index) / "models"
        held = sorted(p.relative_to(models).as_posix() for p in models.rglob("*") if not p.is_dir() or p.is_symlink())
        assert held == sorted(e.relpath for e in layer.entries)
    copied = sorted(p.relative_to(ctx.root / "layers").as_posix().split("/", 2)[2] for p in ctx.root.rglob("*")
                    if p.is_relative_to(ctx.root / "layers") and (not p.is_dir() or p.is_symlink()))
    assert copied == [e.relpath for e in entries]
    assert ctx.files == len(entries)
    assert "add_sub/old.bak" not in copied
    assert os.readlink(ctx.root / layer_dir(len(layers) - 1) / "models" / "add_sub" / "link.pbtxt") == "config.pbtxt"
    for path in [ctx.root, *ctx.root.rglob("*")]:
        assert path.lstat().st_mtime == 1234, path
    assert (ctx.root / "Dockerfile").read_text() == "FROM x\n"


def test_symlink_escape_is_refused(tmp_path):
    repo = _repo(tmp_path)
    (tmp_path / "secret.txt").write_text("outside")
    os.symlink(tmp_path / "secret.txt", repo / "add_sub" / "secret.txt")
    with pytest.raises(BadInput, match="outside the model repository"):
        plan_build(_options(repo), env={})


def test_builder_detection():
    assert detect_builder({}, which=lambda name: "/usr/bin/buildah") == "buildah"
    assert detect_builder({"DOCKER_HOST": "unix:///x"}, which=lambda name: None, docker_socket=False) == "docker"
    with pytest.raises(InfraError, match="no image builder"):
        detect_builder({}, which=lambda name: None, docker_socket=False)
    assert resolve_builder_name("kaniko", {}) == "kaniko"
    with pytest.raises(BadInput):
        resolve_builder_name("bazel", {})


def test_kaniko_executor_args():
    args = executor_args("/ws/.tritonship/build-context", ["r.io/m:1-abc", "r.io/m:stable"], insecure=True)
    assert "--context=dir:///ws/.tritonship/build-context" in args
    assert "--reproducible" in args
    assert [a for a in args if a.startswith("--destination=")] == ["--destination=r.io/m:1-abc",
                                                                   "--destination=r.io/m:stable"]
    assert "--insecure" in args


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def test_docker_archive_becomes_an_oci_image(tmp_path):
    layer = io.BytesIO()
    with tarfile.open(fileobj=layer, mode="w") as inner:
        _add(inner, "models/m/config.pbtxt", b'name: "m"')
    config = b'{"os":"linux","rootfs":{"type":"layers","diff_ids":[]}}'
    archive = tmp_path / "image.tar"
    with tarfile.open(archive, "w") as tar:
        _add(tar, "manifest.json", json.dumps([{"Config": "c.json", "Layers": ["l/layer.tar"]}]).encode())
        _add(tar, "c.json", config)
        _add(tar, "l/layer.tar", layer.getvalue())
    image = docker_archive_to_oci(archive, tmp_path / "blobs")
    doc = image.manifest_json()
    assert doc["config"]["size"] == len(config)
    assert image.blobs[doc["config"]["digest"]].read_bytes() == config
    assert image.blobs[doc["layers"][0]["digest"]].read_bytes() == layer.getvalue()
    assert image.blob_order()[-1] == doc["config"]["digest"]

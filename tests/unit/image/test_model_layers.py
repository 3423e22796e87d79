"""The layer plan (order, config layer, grouping past the cap) and the reproducible layer tars. Pure + files."""

from __future__ import annotations

import json
import shutil
import tarfile
from pathlib import Path

import pytest
from tests.conftest import EXAMPLE_REPO

from tritonship.image.assemble import append_layers, scratch_image
from tritonship.image.builders.base import OCI_LAYER_TAR, OCI_MANIFEST, LocalImage
from tritonship.image.copier import copier_architecture, static_elf_architecture, write_copier_layer
from tritonship.image.layer_tar import write_model_layer
from tritonship.image.model_layers import CONFIG_LAYER, bucket, parent_directories, plan_layers
from tritonship.image.modelcar import COPIER, model_image_name
from tritonship.repository.digest import FileEntry, list_files


def _files(*paths: str) -> list[FileEntry]:
    return [FileEntry(p, 0o644, 10) for p in paths]


def _names(layers) -> list[str]:
    return [layer.name for layer in layers]


def test_one_layer_per_version_in_model_then_numeric_order_and_the_config_layer_last():
    layers = plan_layers(_files("b/config.pbtxt", "b/10/model.onnx", "b/2/model.onnx", "a/1/model.py",
                                "a/1/sub/weights.bin", "a/labels.txt", "README.md", "a/config.pbtxt"))
    assert _names(layers) == ["a/1", "b/2", "b/10", CONFIG_LAYER]
    assert [e.relpath for e in layers[0].entries] == ["a/1/model.py", "a/1/sub/weights.bin"]
    assert [e.relpath for e in layers[-1].entries] == ["README.md", "a/config.pbtxt", "a/labels.txt",
                                                       "b/config.pbtxt"]
    assert {layer.kind for layer in layers[:-1]} == {"version"} and layers[-1].kind == "config"
    assert layers[0].bytes == 20
    assert plan_layers(list(reversed(_files("b/1/x", "a/1/y", "a/c")))) == plan_layers(_files("a/c", "a/1/y", "b/1/x"))


def test_no_config_files_means_no_config_layer():
    assert _names(plan_layers(_files("m/1/model.plan"))) == ["m/1"]


def test_past_the_cap_versions_of_a_model_share_a_layer():
    entries = _files(*(f"m{i}/{v}/w" for i in range(3) for v in (1, 2)), "m0/config.pbtxt")
    layers = plan_layers(entries, cap=4)
    assert _names(layers) == ["m0", "m1", "m2", CONFIG_LAYER]
    assert [e.relpath for e in layers[0].entries] == ["m0/1/w", "m0/2/w"]
    assert sum(len(layer.entries) for layer in layers) == len(entries)


def test_past_the_cap_in_models_they_go_to_stable_hash_buckets():
    models = [f"model-{i:02d}" for i in range(12)]
    layers = plan_layers(_files(*(f"{m}/1/w" for m in models)), cap=5)
    assert len(layers) <= 5 and {layer.kind for layer in layers} == {"group"}
    held = {e.relpath.split("/")[0]: layer.name for layer in layers for e in layer.entries}
    assert set(held) == set(models)
    assert all(held[m] == f"group-{bucket(m, 5)}" for m in models)
    grown = plan_layers(_files(*(f"{m}/1/w" for m in [*models, "model-new"])), cap=5)
    before, after = ({la.name: la.entries for la in ls} for ls in (layers, grown))
    changed = {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}
    assert changed == {f"group-{bucket('model-new', 5)}"}  # adding a model touches its bucket only


def test_cap_must_be_positive():
    with pytest.raises(ValueError, match="at least 1"):
        plan_layers(_files("a/1/w"), cap=0)


def test_parent_directories_come_before_their_children():
    assert parent_directories(_files("a/1/sub/w", "a/config.pbtxt", "a-b/1/w")) == [
        "a", "a-b", "a-b/1", "a/1", "a/1/sub"]


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE_REPO, repo, ignore=shutil.ignore_patterns("__pycache__"))
    return repo


def _written(repo: Path, out: Path) -> dict[str, str]:
    out.mkdir()
    return {layer.name: write_model_layer(out / f"{i}.tar", repo, layer).digest
            for i, layer in enumerate(plan_layers(list_files(repo)))}


def test_each_layer_is_reproducible_and_only_the_changed_one_changes(tmp_path):
    repo = _repo(tmp_path)
    first = _written(repo, tmp_path / "one")
    for path in repo.rglob("*"):  # other mtimes, same bytes: the layers do not move
        path.touch()
    assert _written(repo, tmp_path / "two") == first
    (repo / "add_sub" / "1" / "model.py").write_text("# changed\n")
    after_model = _written(repo, tmp_path / "three")
    assert {k for k in first if first[k] != after_model[k]} == {"add_sub/1"}
    (repo / "text_upper" / "config.pbtxt").write_text((repo / "text_upper" / "config.pbtxt").read_text() + "\n")
    after_config = _written(repo, tmp_path / "four")
    assert {k for k in first if after_model[k] != after_config[k]} == {CONFIG_LAYER}


def test_a_layer_holds_its_files_and_parents_owned_by_root_at_a_fixed_mtime(tmp_path):
    repo = _repo(tmp_path)
    (repo / "add_sub" / "1" / "run.sh").write_text("#!/bin/sh\n")
    (repo / "add_sub" / "1" / "run.sh").chmod(0o755)
    layer = plan_layers(list_files(repo))[0]
    written = write_model_layer(tmp_path / "l.tar", repo, layer)
    assert written.size == (tmp_path / "l.tar").stat().st_size
    with tarfile.open(tmp_path / "l.tar") as tar:
        members = {m.name: m for m in tar.getmembers()}
    assert list(members) == ["models", "models/add_sub", "models/add_sub/1", "models/add_sub/1/model.py",
                             "models/add_sub/1/run.sh"]
    assert all(m.mtime == 0 and m.uid == 0 and m.gid == 0 and m.uname == "" for m in members.values())
    assert members["models/add_sub"].isdir() and members["models/add_sub"].mode == 0o755
    assert (members["models/add_sub/1/model.py"].mode, members["models/add_sub/1/run.sh"].mode) == (0o644, 0o755)


def test_the_copier_must_be_a_static_elf_and_lands_executable(tmp_path):
    busybox = Path("/bin/busybox")
    if not busybox.is_file():
        pytest.skip("busybox-static is not installed (Makefile APT_PACKAGES)")
    assert copier_architecture(busybox) in {"amd64", "arm64"}
    assert static_elf_architecture(b"not an elf" * 10, b"") is None
    with tarfile.open(write_copier_layer(tmp_path / "c.tar", busybox).path) as tar:
        member = tar.getmember(COPIER.lstrip("/"))
        assert member.mode == 0o755 and member.size == busybox.stat().st_size
        assert [m.name for m in tar.getmembers()] == ["tritonship", "tritonship/bin", "tritonship/bin/busybox"]


def test_a_dynamically_linked_copier_is_refused(tmp_path):
    from tritonship.errors import InfraError

    with pytest.raises(InfraError, match="statically linked"):
        copier_architecture(Path(shutil.which("ls") or "/bin/ls"))
    with pytest.raises(InfraError, match="missing"):
        copier_architecture(tmp_path / "nothing")


def test_model_image_name():
    assert model_image_name("ml/example") == "ml/example-models"


def _tiny_image(tmp_path: Path) -> LocalImage:
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Labels": {"a": "b"}},
                         "rootfs": {"type": "layers", "diff_ids": ["sha256:" + "1" * 64]},
                         "history": [{"created_by": "base"}]}).encode()
    (tmp_path / "config").write_bytes(config)
    (tmp_path / "base").write_bytes(b"base layer")
    manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "sha256:c", "size": 1},
                "layers": [{"mediaType": OCI_LAYER_TAR, "digest": "sha256:" + "1" * 64, "size": 10}]}
    return LocalImage(json.dumps(manifest).encode(), OCI_MANIFEST,
                      {"sha256:c": tmp_path / "config", "sha256:" + "1" * 64: tmp_path / "base"})


def test_layers_are_appended_to_a_built_image_and_make_a_scratch_image(tmp_path):
    repo = _repo(tmp_path)
    (tmp_path / "l").mkdir()
    written = [write_model_layer(tmp_path / "l" / f"{i}.tar", repo, la)
               for i, la in enumerate(plan_layers(list_files(repo)))]
    (tmp_path / "blobs").mkdir()
    image = append_layers(_tiny_image(tmp_path), written, tmp_path / "blobs", epoch=1700000000)
    doc = image.manifest_json()
    config = json.loads(image.blobs[doc["config"]["digest"]].read_bytes())
    assert [la["digest"] for la in doc["layers"]] == ["sha256:" + "1" * 64, *(w.digest for w in written)]
    assert config["rootfs"]["diff_ids"] == [la["digest"] for la in doc["layers"]]
    assert config["config"]["Labels"] == {"a": "b"} and len(config["history"]) == 1 + len(written)
    assert config["history"][-1]["created"] == "2023-11-14T22:13:20Z"
    assert set(image.blobs) == {*(la["digest"] for la in doc["layers"]), doc["config"]["digest"]}
    scratch = scratch_image(written, tmp_path / "blobs", epoch=0, architecture="amd64", labels={"x": "y"})
    sdoc = scratch.manifest_json()
    sconfig = json.loads(scratch.blobs[sdoc["config"]["digest"]].read_bytes())
    assert [la["digest"] for la in sdoc["layers"]] == [w.digest for w in written]
    assert sconfig["rootfs"]["diff_ids"] == [w.digest for w in written]
    assert (sconfig["architecture"], sconfig["os"], sconfig["config"]) == ("amd64", "linux", {"Labels": {"x": "y"}})
    assert scratch_image(written, tmp_path / "blobs", epoch=0, architecture="amd64", labels={"x": "y"}).digest \
        == scratch.digest


def test_an_empty_top_layer_is_dropped_and_its_history_marked_empty():
    from tritonship.image.assemble import EMPTY_LAYER, drop_empty_top_layer

    manifest = {"layers": [{"digest": "sha256:a"}, {"digest": EMPTY_LAYER}]}
    config = {"rootfs": {"diff_ids": ["sha256:a", EMPTY_LAYER]},
              "history": [{"created_by": "base"}, {"created_by": "LABEL", "empty_layer": True}, {"created_by": "X"}]}
    drop_empty_top_layer(manifest, config)
    assert manifest["layers"] == [{"digest": "sha256:a"}] and config["rootfs"]["diff_ids"] == ["sha256:a"]
    assert [h.get("empty_layer", False) for h in config["history"]] == [False, True, True]
    kept = {"layers": [{"digest": "sha256:a"}]}
    drop_empty_top_layer(kept, {"rootfs": {"diff_ids": ["sha256:a"]}})
    assert kept == {"layers": [{"digest": "sha256:a"}]}

"""Layers and layouts against the real registry and buildah: one layer per model version plus a config
layer, each reproducible on its own; a one-model change uploads that layer; the modelcar model image."""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

import pytest

from tritonship.image.build import build_and_push
from tritonship.image.builders.buildah import BuildahBuilder
from tritonship.image.modelcar import COPIER, LABEL_LAYOUT, copy_command
from tritonship.image.plan import BuildOptions, plan_build
from tritonship.image.registry import RegistryClient

pytestmark = pytest.mark.integration

MODELS = {"alpha": ("1", "2"), "beta": ("1",), "gamma": ("3",)}  # 4 versions -> 4 model layers + config


def _repo(root: Path) -> Path:
    """KB-sized models: a config.pbtxt each (config layer), weights in every version (a layer each)."""
    for model, versions in MODELS.items():
        (root / model).mkdir(parents=True)
        (root / model / "config.pbtxt").write_text(f'name: "{model}"\nbackend: "python"\n')
        for version in versions:
            (root / model / version).mkdir()
            (root / model / version / "weights.bin").write_bytes(f"{model}-{version}-".encode() * 300)
    (root / "alpha" / "labels.txt").write_text("yes\nno\n")
    return root


def _build(repo: Path, registry, base_image: str, store, name: str, *, epoch: str = "1700000000",
           layout: str = "baked", force: bool = False):
    options = BuildOptions(repo, f"{registry.host}/ml", name, base_image, "buildah", version="1.0", insecure=True,
                           layout=layout)
    plan = plan_build(options, env={"SOURCE_DATE_EPOCH": epoch})
    client = RegistryClient(registry.host, insecure=True)
    builder = BuildahBuilder(root=str(store.root), runroot=str(store.runroot)) if layout == "baked" else None
    return build_and_push(plan, client=client, builder=builder, force=force)


def _manifest(registry, repository: str, reference: str) -> dict:
    return RegistryClient(registry.host, insecure=True).get_manifest(repository, reference).json()


def _members(registry, repository: str, digest: str) -> dict[str, tarfile.TarInfo]:
    blob = RegistryClient(registry.host, insecure=True).get_blob(repository, digest)
    with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
        return {m.name: m for m in tar.getmembers()}


def test_one_layer_per_version_plus_config_each_reproducible_and_a_change_uploads_its_layer(
        registry, base_image, buildah_store, tmp_path):
    repo = _repo(tmp_path / "repo")
    first = _build(repo, registry, base_image, buildah_store, "layered")
    names = [layer.name for layer in first.layers]
    assert names == ["alpha/1", "alpha/2", "beta/1", "gamma/3", "config"]
    manifest = _manifest(registry, "ml/layered", first.digest)
    base_layers = _manifest(registry, "test/base", "1")["layers"]
    ours = [layer["digest"] for layer in manifest["layers"][-len(names):]]
    assert ours == [layer.digest for layer in first.layers]  # on top, in plan order
    assert len(manifest["layers"]) == len(base_layers) + len(names)  # buildah's empty (labels) layer dropped
    config = RegistryClient(registry.host, insecure=True).get_config("ml/layered", first.digest)
    assert len(config["rootfs"]["diff_ids"]) == len(manifest["layers"])  # base layers: compressed blobs, own ids
    assert config["rootfs"]["diff_ids"][-len(names):] == ours  # ours are uncompressed: digest = diff_id
    assert sum(1 for h in config["history"] if not h.get("empty_layer")) == len(manifest["layers"])
    config_files = {n for n in _members(registry, "ml/layered", ours[-1]) if not n.endswith(("alpha", "beta"))}
    assert {"models/alpha/config.pbtxt", "models/alpha/labels.txt", "models/gamma/config.pbtxt"} <= config_files
    assert not any("/1/" in n or "/2/" in n or "/3/" in n for n in config_files)
    assert "models/alpha/2/weights.bin" in _members(registry, "ml/layered", ours[1])

    again = _build(repo, registry, base_image, buildah_store, "layered", epoch="1800000000", force=True)
    assert [layer.digest for layer in again.layers] == ours  # another commit time: the same layers
    assert again.reused_layers == len(names) and not any(layer.uploaded for layer in again.layers)

    (repo / "beta" / "1" / "weights.bin").write_bytes(b"retrained" * 500)
    changed = _build(repo, registry, base_image, buildah_store, "layered")
    moved = [la.name for la, old in zip(changed.layers, first.layers, strict=True) if la.digest != old.digest]
    assert moved == ["beta/1"]
    assert [la.name for la in changed.layers if la.uploaded] == ["beta/1"]
    assert changed.reused_layers == len(names) - 1
    new_manifest = _manifest(registry, "ml/layered", changed.digest)
    assert changed.uploaded_bytes == changed.layers[2].bytes + new_manifest["config"]["size"]
    doc = changed.to_dict()
    assert (doc["layout"], doc["triton_image"], doc["model_image"]) == ("baked", changed.image, None)
    assert doc["uploaded_bytes"] == changed.uploaded_bytes and doc["reused_layers"] == len(names) - 1

    (repo / "gamma" / "config.pbtxt").write_text('name: "gamma"\nbackend: "python"\nmax_batch_size: 8\n')
    reconfigured = _build(repo, registry, base_image, buildah_store, "layered")
    assert [la.name for la in reconfigured.layers if la.uploaded] == ["config"]


def test_modelcar_image_has_no_base_the_same_model_layers_and_a_working_copier(
        run_cli, registry, base_image, buildah_store, tmp_path):
    if not Path("/bin/busybox").is_file():
        pytest.skip("busybox-static is not installed (Makefile APT_PACKAGES)")
    repo = _repo(tmp_path / "repo")
    baked = _build(repo, registry, base_image, buildah_store, "pair")
    result = run_cli("build", "--repository", str(repo), "--registry", f"{registry.host}/ml", "--name", "pair",
                     "--base-image", base_image, "--layout", "modelcar", "--insecure-registry", "--json",
                     "--report-dir", str(tmp_path / "report"), env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    base_digest = RegistryClient(registry.host, insecure=True).manifest_digest("test/base", "1")
    assert doc["layout"] == "modelcar" and doc["builder"] == "tritonship"
    assert doc["image"] == doc["model_image"] == f"{registry.host}/ml/pair-models@{doc['digest']}"
    assert doc["triton_image"] == f"{registry.host}/test/base@{base_digest}"
    assert doc["tags"][0].startswith(f"{registry.host}/ml/pair-models:")
    assert doc["tags"][0].endswith(doc["repository_digest"].removeprefix("sha256:")[:12])
    assert set(doc) >= {"uploaded_bytes", "reused_layers", "layers"}

    again = run_cli("build", "--repository", str(repo), "--registry", f"{registry.host}/ml", "--name", "pair",
                    "--base-image", base_image, "--layout", "modelcar", "--insecure-registry",
                    env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert again.exit_code == 0, again.stderr
    assert "cached" in again.stdout and f"model image  {doc['image']}" in again.stdout
    assert f"triton image {doc['triton_image']}" in again.stdout

    manifest = _manifest(registry, "ml/pair-models", doc["digest"])
    layers = [layer["digest"] for layer in manifest["layers"]]
    base_layers = {layer["digest"] for layer in _manifest(registry, "test/base", "1")["layers"]}
    assert not base_layers & set(layers)
    assert layers[:-1] == [layer.digest for layer in baked.layers]  # byte for byte the baked image's model layers
    assert [layer["uploaded"] for layer in doc["layers"]] == [False] * len(baked.layers)  # mounted from ml/pair
    assert doc["reused_layers"] == len(baked.layers)
    copier = _members(registry, "ml/pair-models", layers[-1])
    assert copier[COPIER.lstrip("/")].mode == 0o755 and copier[COPIER.lstrip("/")].isfile()
    config = RegistryClient(registry.host, insecure=True).get_config("ml/pair-models", doc["digest"])
    assert config["config"]["Labels"][LABEL_LAYOUT] == "modelcar" and "Entrypoint" not in config["config"]
    assert config["config"]["Labels"]["io.tritonship.repository-digest"] == doc["repository_digest"]

    root = _unpack(registry, "ml/pair-models", layers, tmp_path / "rootfs")
    dest = tmp_path / "shared"
    dest.mkdir()
    command = copy_command(str(dest))
    subprocess.run([str(root / command[0].lstrip("/")), *command[1:3], str(root / "models") + "/.", command[4]],
                   check=True, capture_output=True)
    copied = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file())
    assert copied == sorted(p.relative_to(repo).as_posix() for p in repo.rglob("*") if p.is_file())
    assert (dest / "beta" / "1" / "weights.bin").read_bytes() == (repo / "beta" / "1" / "weights.bin").read_bytes()


def _unpack(registry, repository: str, layers: list[str], root: Path) -> Path:
    root.mkdir()
    client = RegistryClient(registry.host, insecure=True)
    for digest in layers:
        with tarfile.open(fileobj=io.BytesIO(client.get_blob(repository, digest))) as tar:
            tar.extractall(root, filter="tar")
    return root


def test_modelcar_rebuild_after_a_one_model_change_uploads_that_layer(registry, base_image, buildah_store, tmp_path):
    if not Path("/bin/busybox").is_file():
        pytest.skip("busybox-static is not installed (Makefile APT_PACKAGES)")
    repo = _repo(tmp_path / "repo")
    first = _build(repo, registry, base_image, buildah_store, "solo", layout="modelcar")
    assert first.to_dict()["model_image"] == first.image and first.image.startswith(f"{registry.host}/ml/solo-models@")
    (repo / "alpha" / "2" / "weights.bin").write_bytes(b"fine-tuned" * 400)
    second = _build(repo, registry, base_image, buildah_store, "solo", layout="modelcar")
    assert [la.name for la in second.layers if la.uploaded] == ["alpha/2"]
    config_size = _manifest(registry, "ml/solo-models", second.digest)["config"]["size"]
    assert second.uploaded_bytes == second.layers[1].bytes + config_size  # the copier layer is already there


@pytest.mark.parametrize(("base", "busybox", "message"), [
    ("test/never-pushed:1", "/bin/busybox", "no such manifest"),
    ("test/base:1", "/bin/ls", "not a statically linked"),
])
def test_a_modelcar_build_without_its_base_or_a_static_copier_is_exit_3(run_cli, registry, base_image, tmp_path,
                                                                        base, busybox, message):
    repo = _repo(tmp_path / "repo")
    result = run_cli("build", "--repository", str(repo), "--registry", f"{registry.host}/ml", "--name", "broken",
                     "--base-image", f"{registry.host}/{base}", "--layout", "modelcar", "--insecure-registry",
                     env={"TRITONSHIP_BUSYBOX": busybox})
    assert result.exit_code == 3, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    import requests

    tags = requests.get(f"http://{registry.host}/v2/ml/broken-models/tags/list", timeout=10)
    assert tags.status_code == 404 or not tags.json().get("tags")  # nothing tagged: no half-made image

"""Pushes that scale, against the real Debian docker-registry: cross-repository mounts, chunked uploads
that resume after a dropped connection (or start over when the registry discarded the session), parallel
uploads with gzip/zstd layer compression, and a second model project on the same base sending no base bytes."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import tarfile
from pathlib import Path

import pytest
from tests.conftest import EXAMPLE_REPO
from tests.integration.build.drop_proxy import DropProxy

from tritonship.image.blob_upload import push_blob, upload_chunked
from tritonship.image.build import build_and_push
from tritonship.image.builders.base import OCI_LAYER_TAR, OCI_MANIFEST, LocalImage
from tritonship.image.builders.buildah import BuildahBuilder
from tritonship.image.plan import BuildOptions, plan_build
from tritonship.image.push import PushOptions, push_image
from tritonship.image.registry import RegistryClient

pytestmark = pytest.mark.integration

MIB = 1 << 20


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _blob(tmp_path: Path, size: int, name: str = "blob") -> tuple[Path, str]:
    path = tmp_path / name
    path.write_bytes(os.urandom(size))
    return path, _digest(path.read_bytes())


def test_a_blob_in_a_sibling_repository_is_mounted_not_sent(registry, tmp_path):
    client = RegistryClient(registry.host, insecure=True)
    path, digest = _blob(tmp_path, 300_000)
    assert push_blob(client, "scale/source", digest, path).how == "uploaded"
    mounted = push_blob(client, "scale/target", digest, None, mount_from=("scale/source",))
    assert (mounted.how, mounted.bytes_sent) == ("mounted", 0)
    assert client.get_blob("scale/target", digest) == path.read_bytes()
    assert push_blob(client, "scale/target", digest, None).how == "present"


def test_a_mount_the_registry_cannot_do_becomes_an_ordinary_upload(registry, tmp_path):
    client = RegistryClient(registry.host, insecure=True)
    path, digest = _blob(tmp_path, 200_000)
    outcome = push_blob(client, "scale/fallback", digest, path, mount_from=("scale/never-pushed",))
    assert (outcome.how, outcome.bytes_sent) == ("uploaded", 200_000)
    assert client.get_blob("scale/fallback", digest) == path.read_bytes()


def test_a_large_blob_goes_up_in_chunks(registry, tmp_path):
    client = RegistryClient(registry.host, insecure=True)
    path, digest = _blob(tmp_path, 5 * MIB + 123)
    outcome = push_blob(client, "scale/chunks", digest, path, chunk_bytes=MIB)
    assert (outcome.how, outcome.bytes_sent, outcome.resumed) == ("uploaded", 5 * MIB + 123, 0)
    assert client.get_blob("scale/chunks", digest) == path.read_bytes()


def _upload_through(proxy: DropProxy, repository: str, path: Path, digest: str):
    try:
        client = RegistryClient(proxy.host, insecure=True)
        return upload_chunked(client, repository, digest, path, client.start_upload(repository), chunk_bytes=MIB)
    finally:
        proxy.close()


def test_a_dropped_connection_resumes_where_the_registry_stands(registry, tmp_path):
    """The third PATCH never reaches the registry: the client asks the upload's status and goes on from
    there, so no chunk is sent twice."""
    proxy = DropProxy(registry.host, drop_patch=3)
    path, digest = _blob(tmp_path, 5 * MIB)
    outcome = _upload_through(proxy, "scale/resume", path, digest)
    assert (outcome.resumed, outcome.restarted, outcome.bytes_sent) == (1, 0, 5 * MIB)
    assert proxy.patches == 6  # five chunks, one of them twice (the first time dropped before the registry)
    assert RegistryClient(registry.host, insecure=True).get_blob("scale/resume", digest) == path.read_bytes()


def test_a_drop_mid_chunk_starts_over_when_the_registry_discards_the_session(registry, tmp_path):
    """distribution 2.x keeps the part of a chunk it received and then refuses to resume at a different
    offset than its upload state says (it cancels the upload): the blob is uploaded again, whole and right."""
    proxy = DropProxy(registry.host, drop_patch=2, partial=300_000)
    path, digest = _blob(tmp_path, 3 * MIB)
    outcome = _upload_through(proxy, "scale/restart", path, digest)
    assert outcome.restarted == 1 and outcome.resumed == 0
    assert RegistryClient(registry.host, insecure=True).get_blob("scale/restart", digest) == path.read_bytes()


def _tar_layer(tmp_path: Path, name: str, files: dict[str, bytes]) -> Path:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for member, body in files.items():
            info = tarfile.TarInfo(member)
            info.size, info.mtime = len(body), 0
            tar.addfile(info, io.BytesIO(body))
    path = tmp_path / name
    path.write_bytes(buffer.getvalue())
    return path


def _image(tmp_path: Path, layers: list[Path]) -> LocalImage:
    ids = [_digest(p.read_bytes()) for p in layers]
    config = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": ids}},
                        sort_keys=True).encode()
    (tmp_path / "config.json").write_bytes(config)
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": _digest(config),
                   "size": len(config)},
        "layers": [{"mediaType": OCI_LAYER_TAR, "digest": d, "size": p.stat().st_size}
                   for d, p in zip(ids, layers, strict=True)]}).encode()
    return LocalImage(manifest, OCI_MANIFEST, {**dict(zip(ids, layers, strict=True)),
                                               _digest(config): tmp_path / "config.json"})


@pytest.mark.parametrize("compression", ["gzip", "zstd"])
def test_parallel_push_with_compressed_layers_keeps_the_diff_ids(registry, tmp_path, compression):
    import zstandard

    text = b"labels and vocabularies compress well\n" * 20_000
    layers = [_tar_layer(tmp_path, f"l{i}.tar", {f"models/m{i}/vocab.txt": text + bytes([i])}) for i in range(3)]
    image = _image(tmp_path, layers)
    client = RegistryClient(registry.host, insecure=True)
    result = push_image(client, f"scale/{compression}", image, ["v1"],
                        options=PushOptions(parallel=3, compression=compression))
    manifest = client.get_manifest(f"scale/{compression}", "v1").json()
    assert result.digest != image.digest and result.blobs_uploaded == 4
    assert result.bytes_uploaded < sum(p.stat().st_size for p in layers) / 10
    config = client.get_config(f"scale/{compression}", "v1")
    for layer, diff_id in zip(manifest["layers"], config["rootfs"]["diff_ids"], strict=True):
        assert layer["mediaType"] == f"application/vnd.oci.image.layer.v1.tar+{compression}"
        packed = client.get_blob(f"scale/{compression}", layer["digest"])
        raw = gzip.decompress(packed) if compression == "gzip" else \
            zstandard.ZstdDecompressor().stream_reader(io.BytesIO(packed)).read()
        assert _digest(raw) == diff_id  # the config still names the uncompressed layer
    again = push_image(client, f"scale/{compression}", image, ["v1"],
                       options=PushOptions(parallel=3, compression=compression))
    assert again.digest == result.digest and again.blobs_uploaded == 0  # deterministic compression


def _project(tmp_path: Path, name: str) -> Path:
    repo = tmp_path / name
    shutil.copytree(EXAMPLE_REPO / "add_sub", repo / "add_sub", ignore=shutil.ignore_patterns("__pycache__"))
    (repo / "add_sub" / "1" / "notes.txt").write_text(f"project {name}\n")
    return repo


def test_a_second_project_on_the_same_base_uploads_no_base_bytes(registry, base_image, buildah_store, tmp_path):
    client = RegistryClient(registry.host, insecure=True)
    builder = BuildahBuilder(root=str(buildah_store.root), runroot=str(buildah_store.runroot))
    base_layers = client.get_manifest("test/base", "1").json()["layers"]
    results = []
    for name in ("project-a", "project-b"):
        options = BuildOptions(_project(tmp_path, name), f"{registry.host}/ml", name, base_image, "buildah",
                               version="1.0", insecure=True)
        results.append(build_and_push(plan_build(options, env={"SOURCE_DATE_EPOCH": "1700000000"}), client=client,
                                      builder=builder, force=True))
    for name, result in zip(("project-a", "project-b"), results, strict=True):
        layers = client.get_manifest(f"ml/{name}", result.digest).json()["layers"]
        assert layers[:len(base_layers)] == [{**b, "mediaType": layers[i]["mediaType"]}
                                             for i, b in enumerate(base_layers)]
        assert result.push.base_layers_shared == len(base_layers)
        assert result.push.blobs_mounted == len(base_layers)  # from test/base: not a byte of the base sent
        own = sum(layer["size"] for layer in layers[len(base_layers):])
        config = client.get_manifest(f"ml/{name}", result.digest).json()["config"]["size"]
        assert result.push.bytes_uploaded == own + config


def test_a_mount_the_token_does_not_cover_falls_back_to_an_upload(token_registry, tmp_path):
    """The test token service grants only the first scope asked for, like a service for a user without
    pull access to the source repository: the mount is refused, and the blob is uploaded instead."""
    from tests.integration.build.conftest import REGISTRY_PASSWORD, REGISTRY_USER

    from tritonship.image.credentials import Credentials

    registry, _service = token_registry
    client = RegistryClient(registry.host, insecure=True, credentials=Credentials(REGISTRY_USER, REGISTRY_PASSWORD))
    path, digest = _blob(tmp_path, 100_000)
    assert push_blob(client, "scale/token-source", digest, path).how == "uploaded"
    messages: list[str] = []
    outcome = push_blob(client, "scale/token-target", digest, path, mount_from=("scale/token-source",),
                        progress=messages.append)
    assert (outcome.how, outcome.bytes_sent) == ("uploaded", 100_000)  # distribution answered the mount 401
    assert messages[0].startswith("cannot mount") and "scale/token-source" in messages[0]
    assert client.get_blob("scale/token-target", digest) == path.read_bytes()

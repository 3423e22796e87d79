"""Sharing the base image's blobs: only a matching prefix of uncompressed digests, position by position."""

from __future__ import annotations

from tritonship.image.layers import pick_platform, share_base_layers

TAR = "application/vnd.oci.image.layer.v1.tar"
DOCKER_GZ = "application/vnd.docker.image.rootfs.diff.tar.gzip"


def _manifest(*layers: tuple[str, str, int]) -> dict:
    return {"schemaVersion": 2, "config": {"digest": "sha256:cfg"},
            "layers": [{"mediaType": m, "digest": d, "size": s} for m, d, s in layers]}


def _config(*ids: str) -> dict:
    return {"rootfs": {"type": "layers", "diff_ids": list(ids)}}


def test_base_layers_are_named_by_the_bases_compressed_blobs():
    ours = _manifest((TAR, "sha256:u1", 100), (TAR, "sha256:u2", 200), (TAR, "sha256:model", 900))
    base = _manifest((DOCKER_GZ, "sha256:g1", 40), (DOCKER_GZ, "sha256:g2", 80))
    updated, shared = share_base_layers(ours, _config("sha256:u1", "sha256:u2", "sha256:model"), base,
                                        _config("sha256:u1", "sha256:u2"))
    assert shared == ["sha256:g1", "sha256:g2"]
    assert updated["layers"][:2] == [
        {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": "sha256:g1", "size": 40},
        {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": "sha256:g2", "size": 80}]
    assert updated["layers"][2] == ours["layers"][2] and updated["config"] == ours["config"]


def test_a_different_base_shares_nothing_and_a_diverging_layer_stops_the_prefix():
    ours = _manifest((TAR, "sha256:u1", 100), (TAR, "sha256:x", 200))
    base = _manifest((DOCKER_GZ, "sha256:g1", 40), (DOCKER_GZ, "sha256:g2", 80))
    updated, shared = share_base_layers(ours, _config("sha256:u1", "sha256:x"), base, _config("sha256:u1", "sha256:u2"))
    assert shared == ["sha256:g1"] and updated["layers"][1] == ours["layers"][1]
    untouched, none = share_base_layers(ours, _config("sha256:other", "sha256:x"), base,
                                        _config("sha256:u1", "sha256:u2"))
    assert none == [] and untouched == ours


def test_a_base_whose_config_and_manifest_disagree_is_not_used():
    ours = _manifest((TAR, "sha256:u1", 100))
    base = _manifest((DOCKER_GZ, "sha256:g1", 40))
    assert share_base_layers(ours, _config("sha256:u1"), base, _config("sha256:u1", "sha256:u2")) == (ours, [])


def test_pick_platform_from_an_index():
    index = {"manifests": [{"digest": "sha256:arm", "platform": {"os": "linux", "architecture": "arm64"}},
                           {"digest": "sha256:amd", "platform": {"os": "linux", "architecture": "amd64"}}]}
    assert pick_platform(index, "linux", "amd64") == "sha256:amd"
    assert pick_platform(index, "windows", "amd64") is None

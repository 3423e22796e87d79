"""Putting written layers into an OCI image: on top of a built image (baked) or alone (modelcar).

The builder (buildah, docker) builds only the base part — ``FROM`` the Triton image, the requirements
``RUN`` step, labels and entrypoint; the model layers are then appended here, each one a diff_id in the
config's ``rootfs`` and a history entry (OCI image-spec config.md). Appending rather than a ``COPY``
per layer keeps every layer's bytes under our control and spares the builder's storage: buildah with
``--layers=false`` (its default) commits one layer for all instructions (observed with buildah 1.28.2:
two ``COPY`` lines, one layer), and with ``--layers`` every instruction is committed as an image of its
own, which the vfs storage driver keeps as a full copy of the root filesystem — a 10 GB Triton base
times the number of layers.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tritonship.image.builders.base import OCI_CONFIG, OCI_LAYER_TAR, OCI_MANIFEST, LocalImage
from tritonship.image.layer_tar import WrittenLayer


def created_at(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def history_entry(layer: WrittenLayer, epoch: int) -> dict[str, Any]:
    return {"created": created_at(epoch), "created_by": f"tritonship: layer {layer.name}",
            "comment": "tritonship model layer"}


# An empty tar (two zero blocks): what buildah commits for a build whose instructions change no file
# (our base part with only LABEL and ENTRYPOINT). It holds nothing, so it is dropped before our layers.
EMPTY_LAYER = "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"


def drop_empty_top_layer(manifest: dict[str, Any], config: dict[str, Any]) -> None:
    """Remove a topmost empty layer in place; its history entry becomes `empty_layer` (OCI config.md:
    the history entries that are not empty layers match rootfs.diff_ids one to one). Pure."""
    layers, diff_ids = manifest.get("layers") or [], (config.get("rootfs") or {}).get("diff_ids") or []
    if not layers or layers[-1]["digest"] != EMPTY_LAYER or not diff_ids or diff_ids[-1] != EMPTY_LAYER:
        return
    manifest["layers"], config["rootfs"]["diff_ids"] = layers[:-1], diff_ids[:-1]
    for entry in reversed(config.get("history") or []):
        if not entry.get("empty_layer"):
            entry["empty_layer"] = True
            break


def append_layers(image: LocalImage, layers: Sequence[WrittenLayer], workdir: Path, *, epoch: int) -> LocalImage:
    """`image` with `layers` on top: config and manifest rewritten (key order kept), blobs added."""
    manifest = image.manifest_json()
    config = json.loads(image.blobs[manifest["config"]["digest"]].read_bytes())
    drop_empty_top_layer(manifest, config)
    rootfs = config.setdefault("rootfs", {"type": "layers", "diff_ids": []})
    rootfs["diff_ids"] = [*rootfs.get("diff_ids", []), *(layer.digest for layer in layers)]
    config["history"] = [*config.get("history", []), *(history_entry(layer, epoch) for layer in layers)]
    return _image(manifest, config, [*manifest.get("layers", []), *map(_descriptor, layers)],
                  {**image.blobs, **{layer.digest: layer.path for layer in layers}}, workdir,
                  media_type=image.media_type)


def scratch_image(layers: Sequence[WrittenLayer], workdir: Path, *, epoch: int, architecture: str,
                  labels: Mapping[str, str]) -> LocalImage:
    """An image with no base: these layers only (a model image; nothing in it is meant to run but the copier)."""
    config = {"created": created_at(epoch), "architecture": architecture, "os": "linux",
              "config": {"Labels": dict(labels)},
              "rootfs": {"type": "layers", "diff_ids": [layer.digest for layer in layers]},
              "history": [history_entry(layer, epoch) for layer in layers]}
    manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST}
    return _image(manifest, config, list(map(_descriptor, layers)), {layer.digest: layer.path for layer in layers},
                  workdir, media_type=OCI_MANIFEST)


def _descriptor(layer: WrittenLayer) -> dict[str, Any]:
    return {"mediaType": OCI_LAYER_TAR, "digest": layer.digest, "size": layer.size}


def _image(manifest: dict[str, Any], config: dict[str, Any], layers: list[dict[str, Any]], blobs: Mapping[str, Path],
           workdir: Path, *, media_type: str) -> LocalImage:
    body = json.dumps(config, separators=(",", ":")).encode()
    digest = "sha256:" + hashlib.sha256(body).hexdigest()
    path = workdir / digest.split(":", 1)[1]
    path.write_bytes(body)
    config_type = (manifest.get("config") or {}).get("mediaType", OCI_CONFIG)
    doc = {**manifest, "config": {"mediaType": config_type, "digest": digest, "size": len(body)}, "layers": layers}
    named = {d["digest"] for d in layers}
    files = {d: p for d, p in blobs.items() if d in named}
    return LocalImage(json.dumps(doc, separators=(",", ":")).encode(), media_type, {**files, digest: path})

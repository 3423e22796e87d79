"""The build core: plan -> cache check -> model layers -> image -> push by digest -> tags -> result.

The world is passed in: the registry client and the builder are arguments, so tests hand in real
local servers and can prove the builder was not called on a cache hit. The model layers are written
by tritonship (image.layer_tar) for both layouts: appended to what the builder built (baked), or
alone with the copier (modelcar, no builder at all).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tritonship.image.builders.base import Builder
from tritonship.image.credentials import Credentials
from tritonship.image.layer_tar import WrittenLayer
from tritonship.image.plan import BuildPlan
from tritonship.image.push import PushOptions, PushResult, push_image, tag_image
from tritonship.image.reference import parse_reference
from tritonship.image.registry import RegistryClient

Progress = Callable[[str], None]


@dataclass(frozen=True)
class LayerOutcome:
    name: str
    digest: str | None  # None on a cache hit: nothing was written
    bytes: int
    uploaded: bool


@dataclass(frozen=True)
class BuildResult:
    plan: BuildPlan
    digest: str
    cached: bool
    push: PushResult | None
    seconds: float
    triton_image: str | None = None  # modelcar: the base image by digest; baked: the built image
    layers: tuple[LayerOutcome, ...] = ()

    @property
    def image(self) -> str:
        return f"{self.plan.name}@{self.digest}"

    @property
    def uploaded_bytes(self) -> int:
        return self.push.bytes_uploaded if self.push is not None else 0

    @property
    def reused_layers(self) -> int:
        """Model and config layers the registry already held (nothing sent for them)."""
        return sum(1 for layer in self.layers if not layer.uploaded)

    def to_dict(self) -> dict[str, Any]:
        modelcar = self.plan.layout == "modelcar"
        out = {
            "image": self.image, "digest": self.digest, "tags": self.plan.references, "cached": self.cached,
            "builder": self.plan.builder, "repository_digest": "sha256:" + self.plan.repository_digest.sha256,
            "base_image": self.plan.base_image, "seconds": round(self.seconds, 3), "layout": self.plan.layout,
            "triton_image": self.triton_image if modelcar else self.image,
            "model_image": self.image if modelcar else None,
            "uploaded_bytes": self.uploaded_bytes, "reused_layers": self.reused_layers,
            "layers": [{"name": la.name, "digest": la.digest, "bytes": la.bytes, "uploaded": la.uploaded}
                       for la in self.layers],
        }
        if self.push is not None:
            out["push"] = {"blobs_uploaded": self.push.blobs_uploaded, "blobs_present": self.push.blobs_present,
                           "blobs_mounted": self.push.blobs_mounted, "bytes_uploaded": self.push.bytes_uploaded,
                           "base_layers_shared": self.push.base_layers_shared,
                           "chunks_resumed": self.push.chunks_resumed,
                           "uploads_restarted": self.push.uploads_restarted}
        return out


def build_and_push(
    plan: BuildPlan, *, client: RegistryClient, builder: Builder | None, force: bool = False,
    credentials: dict[str, Credentials] | None = None, workdir: Path | None = None,
    progress: Progress = lambda _msg: None, clock: Callable[[], float] = time.monotonic,
    push_options: PushOptions | None = None, base_client: RegistryClient | None = None,
    busybox: Path | None = None, ca_file: Path | None = None,
) -> BuildResult:
    """Build and push `plan`. `base_client` reaches the base image's registry when it is not `client`'s
    (modelcar resolves the base to a digest there); `busybox` is the modelcar copier (default /bin/busybox)."""
    from tritonship.image.layered import resolve_triton_image

    started = clock()
    repo, primary = plan.repository_path, plan.tags[0]
    triton = resolve_triton_image(plan.base_image, base_client or client) if plan.layout == "modelcar" else None
    existing = None if force else client.manifest_digest(repo, primary)
    cached = cache_hit(client, repo, existing, plan, progress) if existing is not None else None
    if cached is not None:
        progress(f"cache hit: {plan.name}:{primary} is {existing}; nothing to build")
        tag_image(client, repo, cached, plan.tags[1:])
        layers = tuple(LayerOutcome(layer.name, None, layer.bytes, False) for layer in plan.layers)
        return BuildResult(plan, cached.digest, True, None, clock() - started, triton, layers)
    with tempfile.TemporaryDirectory(prefix="tritonship-build-", dir=workdir) as scratch:
        written, pushed = _build_and_push(plan, client, builder, Path(scratch), credentials=credentials or {},
                                          progress=progress, push_options=push_options, busybox=busybox,
                                          ca_file=ca_file)
    return BuildResult(plan, pushed.digest, False, pushed, clock() - started, triton,
                       _outcomes(plan, written, pushed))


def _build_and_push(plan: BuildPlan, client: RegistryClient, builder: Builder | None, work: Path, *,
                    credentials: dict[str, Credentials], progress: Progress, push_options: PushOptions | None,
                    busybox: Path | None, ca_file: Path | None = None) -> tuple[list[WrittenLayer], PushResult]:
    from tritonship.image.copier import BUSYBOX
    from tritonship.image.layered import baked_image, model_image, write_model_layers

    written = write_model_layers(plan, work / "layers", progress)
    if plan.layout == "modelcar":
        image = model_image(plan, written, work, busybox or Path(BUSYBOX))
        options = with_sibling(plan, push_options)
    else:
        if builder is None:
            raise ValueError("the baked layout needs a builder")
        image = baked_image(plan, builder, written, work, credentials=pull_credentials(plan, credentials),
                            progress=progress, ca_file=ca_file)
        options = with_sibling(plan, with_base(plan, push_options))
    progress(f"pushing {plan.name}@{image.digest}")
    return written, push_image(client, plan.repository_path, image, plan.tags, progress, options=options)


def _outcomes(plan: BuildPlan, written: list[WrittenLayer], pushed: PushResult) -> tuple[LayerOutcome, ...]:
    """Each model layer's push outcome, by position (blobs go layers first, config last; a compressed
    layer's blob digest is not the one we wrote): modelcar's model layers come first, baked's last."""
    blobs = pushed.outcomes[:-1]
    mine = blobs[:len(written)] if plan.layout == "modelcar" else blobs[len(blobs) - len(written):]
    return tuple(LayerOutcome(w.name, w.digest, w.size, o.how == "uploaded")
                 for w, o in zip(written, mine, strict=True))


def cache_hit(client: RegistryClient, repo: str, digest: str, plan: BuildPlan, progress: Progress):
    """The tagged manifest when it verifies (hash, media type: `get_manifest`) and is a single image whose
    config carries this repository digest's label; else None, and the image is built again."""
    from tritonship.image.verify import REPOSITORY_DIGEST_LABEL

    manifest = client.get_manifest(repo, digest)
    if "config" not in manifest.json():
        progress(f"{plan.name}@{digest} is an index, not an image built by tritonship; building")
        return None
    labels = (client.get_config(repo, digest).get("config") or {}).get("Labels") or {}
    wanted = "sha256:" + plan.repository_digest.sha256
    if labels.get(REPOSITORY_DIGEST_LABEL) != wanted:
        progress(f"{plan.name}@{digest} does not carry {REPOSITORY_DIGEST_LABEL}={wanted}; building")
        return None
    return manifest


def with_base(plan: BuildPlan, options: PushOptions | None) -> PushOptions:
    """Push options naming the base image when it lives in the registry we push to (its layers are mounted)."""
    import dataclasses

    options = options or PushOptions()
    base = parse_reference(plan.base_image)
    if options.base is not None or base.registry != plan.registry_host:
        return options
    return dataclasses.replace(options, base=base)


def with_sibling(plan: BuildPlan, options: PushOptions | None) -> PushOptions:
    """Push options that may mount model layers from the other layout's repository (`<name>` and
    `<name>-models` hold byte-identical model layers): switching layouts uploads no model bytes again."""
    import dataclasses

    from tritonship.image.modelcar import MODEL_IMAGE_SUFFIX

    options = options or PushOptions()
    path = plan.repository_path
    sibling = path.removesuffix(MODEL_IMAGE_SUFFIX) if plan.layout == "modelcar" else path + MODEL_IMAGE_SUFFIX
    return dataclasses.replace(options, mount_from=tuple(dict.fromkeys([*options.mount_from, sibling])))


def pull_credentials(plan: BuildPlan, known: dict[str, Credentials]) -> dict[str, Credentials]:
    """Credentials the builder may need to pull the base image: only for the hosts involved."""
    hosts = {plan.registry_host, parse_reference(plan.base_image).registry}
    return {host: creds for host, creds in known.items() if host in hosts}

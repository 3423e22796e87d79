"""The build core: plan -> cache check -> build -> push by digest -> tags -> result.

The world is passed in: the registry client and the builder are arguments, so tests hand in real
local servers and can prove the builder was not called on a cache hit.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tritonship.image.builders.base import Builder, BuildRequest
from tritonship.image.context import write_context
from tritonship.image.credentials import Credentials
from tritonship.image.plan import BuildPlan
from tritonship.image.push import PushOptions, PushResult, push_image, tag_image
from tritonship.image.reference import parse_reference
from tritonship.image.registry import RegistryClient

Progress = Callable[[str], None]


@dataclass(frozen=True)
class BuildResult:
    plan: BuildPlan
    digest: str
    cached: bool
    push: PushResult | None
    seconds: float

    @property
    def image(self) -> str:
        return f"{self.plan.name}@{self.digest}"

    def to_dict(self) -> dict[str, Any]:
        out = {
            "image": self.image, "digest": self.digest, "tags": self.plan.references, "cached": self.cached,
            "builder": self.plan.builder, "repository_digest": "sha256:" + self.plan.repository_digest.sha256,
            "base_image": self.plan.base_image, "seconds": round(self.seconds, 3),
        }
        if self.push is not None:
            out["push"] = {"blobs_uploaded": self.push.blobs_uploaded, "blobs_present": self.push.blobs_present,
                           "blobs_mounted": self.push.blobs_mounted, "bytes_uploaded": self.push.bytes_uploaded,
                           "base_layers_shared": self.push.base_layers_shared,
                           "chunks_resumed": self.push.chunks_resumed,
                           "uploads_restarted": self.push.uploads_restarted}
        return out


def build_and_push(
    plan: BuildPlan, *, client: RegistryClient, builder: Builder, force: bool = False,
    credentials: dict[str, Credentials] | None = None, workdir: Path | None = None,
    progress: Progress = lambda _msg: None, clock: Callable[[], float] = time.monotonic,
    push_options: PushOptions | None = None, ca_file: Path | None = None,
) -> BuildResult:
    started = clock()
    repo, primary = plan.repository_path, plan.tags[0]
    existing = None if force else client.manifest_digest(repo, primary)
    cached = cache_hit(client, repo, existing, plan, progress) if existing is not None else None
    if cached is not None:
        progress(f"cache hit: {plan.name}:{primary} is {existing}; nothing to build")
        tag_image(client, repo, cached, plan.tags[1:])
        return BuildResult(plan, cached.digest, True, None, clock() - started)
    with tempfile.TemporaryDirectory(prefix="tritonship-build-", dir=workdir) as scratch:
        work = Path(scratch)
        progress(f"writing the build context ({plan.repository_digest.files} files)")
        context = write_context(work / "context", plan.repository, plan.entries, plan.dockerfile, epoch=plan.epoch,
                                requirements=plan.requirements)
        (work / "out").mkdir()
        progress(f"building with {builder.name} from {plan.base_image}")
        image = builder.build(BuildRequest(
            context=context.root, dockerfile=context.dockerfile, epoch=plan.epoch, output=work / "out",
            base_image=plan.base_image, insecure_hosts=(plan.registry_host,) if plan.insecure else (),
            credentials=pull_credentials(plan, credentials or {}), ca_file=ca_file,
        ))
        progress(f"pushing {plan.name}@{image.digest}")
        pushed = push_image(client, repo, image, plan.tags, progress, options=with_base(plan, push_options))
    return BuildResult(plan, pushed.digest, False, pushed, clock() - started)


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


def pull_credentials(plan: BuildPlan, known: dict[str, Credentials]) -> dict[str, Credentials]:
    """Credentials the builder may need to pull the base image: only for the hosts involved."""
    hosts = {plan.registry_host, parse_reference(plan.base_image).registry}
    return {host: creds for host, creds in known.items() if host in hosts}

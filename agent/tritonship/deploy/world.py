"""`World`: everything outside the engine, passed in (clients per environment, clock, registry, log)."""

from __future__ import annotations

import getpass
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tritonship.deploy.clock import Clock, RealClock
from tritonship.process_env import ProcessEnv

if TYPE_CHECKING:
    from tritonship.deploy.kube import Kube
    from tritonship.deploy.strategies import Strategy
    from tritonship.spec.model import Spec


@dataclass
class World:
    kube_for: Callable[[str], Kube]  # environment name -> client for its cluster
    clock: Clock = field(default_factory=RealClock)
    image_exists: Callable[[str], tuple[bool, str]] | None = None  # image -> (exists, detail)
    resolve_image: Callable[[str], str] | None = None  # REPO:TAG -> REPO@sha256:… (the registry's answer)
    image_bytes: Callable[[str], int | None] | None = None  # image by digest -> its layers' bytes, if known
    log: Callable[[str], None] = lambda _m: None
    lease_seconds: int = 30
    strategy_for: Callable[[str], Strategy] = field(default=None)  # name -> strategy; default: strategies.get_strategy
    # (outcome, promotion, reason, record kind) -> None: the optional webhook (deploy/notify.py)
    notify: Callable[[str, Any, str, str], None] | None = None
    environ: ProcessEnv = field(default_factory=ProcessEnv)  # variables the CLI read once (process_env.py)

    def __post_init__(self) -> None:
        if self.strategy_for is None:
            from tritonship.deploy.strategies import get_strategy

            self.strategy_for = get_strategy


def started_by(env: Mapping[str, str]) -> str:
    """Who started this: the Jenkins build URL when there is one, else user@host."""
    if env.get("BUILD_URL"):
        return env["BUILD_URL"]
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


def cluster_world(spec: Spec, *, clock: Clock | None = None, log: Callable[[str], None] = lambda _m: None,
                  environ: ProcessEnv | None = None) -> World:
    """The real world: kubeconfig contexts from the spec, the image's registry from the spec, and the
    process environment the CLI read (webhook and Prometheus URLs, BUILD_URL)."""
    environ = environ if environ is not None else ProcessEnv()
    from tritonship.deploy.kube import Kube, load_api_client

    clock = clock or RealClock()
    cache: dict[str | None, Kube] = {}

    def kube_for(env_name: str) -> Kube:
        context = spec.environment(env_name).context
        if context not in cache:
            cache[context] = Kube(load_api_client(context), clock)
        return cache[context]

    from tritonship.deploy.notify import promotion_hook

    return World(kube_for=kube_for, clock=clock, image_exists=lambda image: registry_has(spec, image),
                 resolve_image=lambda image: registry_resolve(spec, image),
                 image_bytes=lambda image: registry_image_bytes(spec, image), log=log,
                 notify=promotion_hook(spec.notifications, environ=environ), environ=environ)


def _client(spec: Spec, image: str) -> tuple[Any, Any]:
    """(registry client, parsed reference) for an image, with the spec's trust settings."""
    from tritonship.image.credentials import find_credentials
    from tritonship.image.options import is_loopback
    from tritonship.image.reference import parse_reference
    from tritonship.image.registry import RegistryClient
    from tritonship.image.trust import registry_session, resolve_ca_file

    ref = parse_reference(image)
    insecure = spec.image.insecure_registry and is_loopback(ref.registry)  # never plain HTTP across a network
    client = RegistryClient(ref.registry, insecure=insecure, credentials=find_credentials(ref.registry),
                            session=registry_session(resolve_ca_file(None, spec)))
    return client, ref


def registry_resolve(spec: Spec, image: str) -> str:
    """REPO:TAG (or REPO@sha256:…) -> REPO@sha256:… as the registry names it (a manifest fetched by digest is
    hashed and compared: image/verify.py); GateFailed when the registry does not have it."""
    from tritonship.errors import GateFailed

    client, ref = _client(spec, image)
    found = client.manifest_digest(ref.repository, ref.reference)
    if found is None:
        raise GateFailed(f"{image} is not in registry {ref.registry}; cannot pin it to a digest",
                         hint="push it, or pass --triton-image REPOSITORY@sha256:<64 hex>")
    return f"{ref.name}@{found}"


UNCOMPRESSED_LAYERS = ("application/vnd.oci.image.layer.v1.tar", "application/vnd.docker.image.rootfs.diff.tar")


def registry_image_bytes(spec: Spec, image: str) -> int | None:
    """The sum of an image manifest's layer sizes when every layer is an uncompressed tar (then it bounds
    what unpacking writes); None for compressed layers (their unpacked size is unknown), an index or an
    unexpected manifest."""
    from tritonship.errors import TritonshipError

    client, ref = _client(spec, image)
    try:
        doc = client.get_manifest(ref.repository, ref.reference).json()
    except (TritonshipError, ValueError):
        return None  # unknown: the emptyDir gets no sizeLimit
    layers = doc.get("layers") if isinstance(doc, dict) else None
    if not isinstance(layers, list) or not layers or not all(isinstance(layer, dict) for layer in layers):
        return None
    if any(layer.get("mediaType") not in UNCOMPRESSED_LAYERS for layer in layers):
        return None
    sizes = [layer.get("size") for layer in layers]
    if not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in sizes):
        return None
    return sum(sizes)


def registry_has(spec: Spec, image: str) -> tuple[bool, str]:
    client, ref = _client(spec, image)
    found = client.manifest_digest(ref.repository, ref.reference)
    if found is None:
        return False, f"{image} is not in registry {ref.registry}"
    return True, f"{ref.name}@{found} exists"

"""Fetch a model image (``REPOSITORY@sha256:...``) with our own registry client and unpack its /models.

    with unpacked_model_image(ModelImageSource("reg.example.com/ml/fraud-models@sha256:...")) as image:
        launch_local(image.repository, ...)   # a temporary Triton model repository, removed on exit

Nothing unverified is used: the manifest must hash to the digest asked for (image/verify.py), and every
layer is spooled to disk while its SHA-256 and length are checked against its descriptor *before* a single
entry is applied. Layers are then applied in order with the rules of image/unpack_rules.py (whiteouts,
refusals, the size limit): each layer is read twice, once to validate every entry and collect its whiteouts
(applied to the lower layers first, as layer.md requires), once to extract. A last pass checks that every
symbolic link still resolves inside the repository (a chain of links that each looked safe can escape).

Errors: a bad or undigested reference, or unsafe content, is BadInput (exit 2); a registry that is down,
refuses the credentials, does not speak the distribution API or sends bytes that do not match their
digest is InfraError/ProtocolError (exit 3) naming the registry, as every other registry call does.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import stat
import tarfile
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from tritonship.errors import BadInput, InfraError, ProtocolError
from tritonship.image import unpack_rules as rules
from tritonship.image.reference import ImageRef, parse_reference

Progress = Callable[[str], None]
_CHUNK = 1 << 20


@dataclass(frozen=True)
class ModelImageSource:
    """What to fetch and how: the pinned reference, registry trust, and the size limit."""

    reference: str  # REPOSITORY@sha256:<hex>
    insecure: bool = False  # plain HTTP, loopback registries only
    ca_file: Path | None = None
    limit_bytes: int = rules.DEFAULT_LIMIT_BYTES


@dataclass(frozen=True)
class UnpackedImage:
    reference: str
    repository: Path  # the model repository (the image's /models)
    layers: int
    downloaded_bytes: int
    written_bytes: int


def resolve_source(flags: Mapping[str, Any], spec: Any = None) -> ModelImageSource | None:
    """The ModelImageSource of the flags `model_image`, `insecure_registry`, `ca_file` and `model_image_limit`
    (None without --model-image); the spec's image.insecure_registry / image.ca_file apply unless a flag says
    otherwise. Shared by smoke/options.py and perf/options.py."""
    insecure, ca_file, limit = flags.get("insecure_registry"), flags.get("ca_file"), flags.get("model_image_limit")
    text = rules.check_model_image_ref(flags.get("model_image"))
    if text is None:
        for flag, value in (("--model-image-limit", limit), ("--insecure-registry", insecure), ("--ca-file", ca_file)):
            if value:
                raise BadInput(f"{flag} applies to --model-image, which is not given")
        return None
    from tritonship.image.options import require_loopback_if_insecure
    from tritonship.image.trust import resolve_ca_file

    host = parse_reference(text).registry
    from_spec = insecure is None and spec is not None and bool(spec.image.insecure_registry)
    plain = bool(insecure) or from_spec
    require_loopback_if_insecure(host, plain, "image.insecure_registry" if from_spec else "--insecure-registry")
    return ModelImageSource(text, plain, resolve_ca_file(ca_file, spec),
                            rules.parse_size(limit) if limit else rules.DEFAULT_LIMIT_BYTES)


def registry_client(source: ModelImageSource):
    from tritonship.image.credentials import find_credentials
    from tritonship.image.registry import RegistryClient
    from tritonship.image.trust import registry_session

    host = parse_reference(source.reference).registry
    return RegistryClient(host, insecure=source.insecure, credentials=find_credentials(host),
                          session=registry_session(source.ca_file))


@contextlib.contextmanager
def unpacked_model_image(source: ModelImageSource, *, client=None, progress: Progress | None = None,
                         workdir: Path | None = None) -> Iterator[UnpackedImage]:
    """Unpack the model image into a temporary folder; yield it; remove it on exit (also on errors)."""
    root = Path(tempfile.mkdtemp(prefix="tritonship-model-image-", dir=workdir))
    try:
        yield unpack(source, root, client=client or registry_client(source), progress=progress)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def unpack(source: ModelImageSource, root: Path, *, client, progress: Progress | None = None) -> UnpackedImage:
    """Fetch, verify and apply every layer of the image into `root`/models (see the module docstring)."""
    say = progress or (lambda _msg: None)
    ref = parse_reference(source.reference)
    client.ping()  # a distribution API, or exit 3 naming what answered instead
    layers = image_layers(client, ref)
    total = sum(int(layer.get("size") or 0) for layer in layers)
    if (problem := rules.over_limit(total, source.limit_bytes, "layers")):
        raise BadInput(f"{source.reference}: {problem}", hint="raise --model-image-limit")
    repository = root / rules.MODELS_PREFIX
    repository.mkdir()
    budget = Budget(source.limit_bytes, source.reference)
    for number, layer in enumerate(layers, 1):
        where = f"{ref.name} layer {number}/{len(layers)} ({layer['digest'][:19]})"
        say(f"model image: {where}, {int(layer['size']):,} bytes")
        spool = root / f"layer-{number}"
        download_verified(client, ref.repository, layer, spool)
        apply_layer(spool, rules.LAYER_MEDIA_TYPES[layer["mediaType"]], repository, where, budget)
        spool.unlink()
    check_links(repository)
    return UnpackedImage(source.reference, repository, len(layers), total, budget.used)


def image_layers(client, ref: ImageRef) -> list[dict[str, Any]]:
    """The layer descriptors of the (single-platform) image; an index resolves to its linux/amd64 image."""
    manifest = client.get_manifest(ref.repository, ref.reference).json()  # hashed and compared (verify.py)
    if "manifests" in manifest:
        manifest = client.get_manifest(ref.repository, _platform_digest(ref, manifest)).json()
    layers = manifest.get("layers")
    if not isinstance(layers, list):
        raise ProtocolError(f"registry {ref.registry}: {ref.repository}@{ref.digest} is not an image manifest")
    for layer in layers:
        if not isinstance(layer, dict) or not isinstance(layer.get("digest"), str) or \
                not isinstance(layer.get("size"), int) or layer["size"] < 0:
            raise ProtocolError(f"registry {ref.registry}: {ref} has a malformed layer descriptor")
        if layer.get("mediaType") not in rules.LAYER_MEDIA_TYPES:
            raise BadInput(f"{ref}: layer {layer['digest'][:19]} has media type {str(layer.get('mediaType'))[:80]!r}, "
                           "not a tar layer (plain, gzip or zstd)")
    return layers


def _platform_digest(ref: ImageRef, index: dict[str, Any]) -> str:
    """The index's linux/amd64 image (the models are the same in every platform's image), or its only one."""
    from tritonship.image.layers import pick_platform

    images = [e for e in index.get("manifests") or [] if isinstance(e, dict) and isinstance(e.get("digest"), str)]
    only = images[0]["digest"] if len(images) == 1 else None
    chosen = pick_platform({"manifests": images}, "linux", "amd64") or only
    if chosen is None:
        raise BadInput(f"{ref} is an image index without a linux/amd64 image")
    return chosen


def download_verified(client, repository: str, layer: dict[str, Any], dest: Path) -> int:
    """Stream one blob to `dest`, hashing as it arrives; ProtocolError unless digest and size match."""
    digest, size = layer["digest"], layer["size"]
    if not digest.startswith("sha256:"):
        raise BadInput(f"{client.host}/{repository}: layer digest {digest[:80]!r} is not sha256")
    hasher, received = hashlib.sha256(), 0
    import requests

    with contextlib.closing(client.open_blob(repository, digest)) as response, dest.open("wb") as out:
        try:
            for chunk in response.iter_content(_CHUNK):
                received += len(chunk)
                if received > size:
                    raise ProtocolError(f"registry {client.host}: blob {digest} of {repository} is longer than "
                                        f"the {size:,} bytes its descriptor says")
                hasher.update(chunk)
                out.write(chunk)
        except requests.RequestException as exc:
            raise InfraError(f"registry {client.host}: the download of blob {digest} broke off") from exc
    actual = "sha256:" + hasher.hexdigest()
    if received != size or actual != digest:
        raise ProtocolError(f"registry {client.host}: blob {digest} of {repository} arrived as {received:,} bytes "
                            f"hashing to {actual}, not the digest asked for")
    return received


class Budget:
    """Bytes written so far against the limit."""

    def __init__(self, limit: int, reference: str) -> None:
        self.limit, self.reference, self.used = limit, reference, 0

    def take(self, size: int) -> None:
        self.used += size
        if (problem := rules.over_limit(self.used, self.limit, "files")):
            raise BadInput(f"{self.reference}: {problem}", hint="raise --model-image-limit")


@contextlib.contextmanager
def _open_layer(path: Path, compression: str) -> Iterator[IO[bytes]]:
    with path.open("rb") as raw:
        if compression == "gzip":
            import gzip

            with gzip.GzipFile(fileobj=raw) as stream:
                yield stream
        elif compression == "zstd":
            import zstandard

            with zstandard.ZstdDecompressor().stream_reader(raw) as stream:
                yield stream
        else:
            yield raw


@contextlib.contextmanager
def _members(path: Path, compression: str, where: str) -> Iterator[tuple[tarfile.TarFile, Iterator]]:
    """(tar, its members in order) of a layer, streamed; a layer that is not a tar archive is BadInput."""
    import gzip
    import zlib

    errors: tuple[type[BaseException], ...] = (tarfile.TarError, zlib.error, EOFError, gzip.BadGzipFile)
    if compression == "zstd":
        import zstandard

        errors += (zstandard.ZstdError,)
    try:
        with _open_layer(path, compression) as stream, tarfile.open(fileobj=stream, mode="r|") as tar:
            yield tar, iter(tar)
    except errors as exc:
        raise BadInput(f"{where}: not a valid {compression if compression != 'none' else 'uncompressed'} tar "
                       f"layer ({exc})") from None


def entry_of(member: tarfile.TarInfo) -> rules.Entry:
    kinds = ((member.isdir, "dir"), (member.issym, "symlink"), (member.islnk, "hardlink"), (member.ischr, "char"),
             (member.isblk, "block"), (member.isfifo, "fifo"))
    kind = next((name for test, name in kinds if test()), None)
    if kind is None:
        kind = "file" if member.isreg() and not member.issparse() else "other"
    return rules.Entry(member.name, kind, member.size, member.linkname, member.mode)


def apply_layer(path: Path, compression: str, repository: Path, where: str, budget: Budget) -> None:
    """Validate every entry and apply the whiteouts (to the lower layers), then extract the layer."""
    deletions = []
    with _members(path, compression, where) as (_tar, members):
        for member in members:
            action = rules.classify(entry_of(member), where)
            if action.op in ("whiteout", "opaque"):
                deletions.append(action)
    for action in deletions:
        _delete(repository, action)
    with _members(path, compression, where) as (tar, members):
        for member in members:
            action = rules.classify(entry_of(member), where)
            if action.op not in ("skip", "whiteout", "opaque"):
                _extract(tar, member, action, repository, where=where, budget=budget)


def _delete(repository: Path, action: rules.Action) -> None:
    if action.op == "opaque" or action.path == "":
        directory = _inside(repository, action.path, create=False)
        if directory is not None and directory.is_dir() and not directory.is_symlink():
            for child in list(directory.iterdir()):
                _remove(child)
        return
    target = _inside(repository, action.path, create=False)
    if target is not None:
        _remove(target)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif os.path.lexists(path):
        path.unlink()


def _inside(repository: Path, relative: str, *, create: bool) -> Path | None:
    """repository/relative with its parent resolved (symlinks included) and proven inside the repository.

    With create=True missing parents become directories; None when a parent is missing (create=False).
    """
    if relative == "":
        return repository
    parent_rel, _, name = relative.rpartition("/")
    parent = repository
    for part in filter(None, parent_rel.split("/")):
        parent = parent / part
        if not os.path.lexists(parent):
            if not create:
                return None
            parent.mkdir(mode=0o755)
    real_root, real_parent = os.path.realpath(repository), os.path.realpath(parent)
    if real_parent != real_root and not real_parent.startswith(real_root + os.sep):
        raise rules.UnsafeEntry(f"{relative!r} would be written through a link that leaves the model repository")
    if not os.path.isdir(real_parent):
        raise rules.UnsafeEntry(f"{relative!r} lies under something that is not a directory")
    return Path(real_parent) / name


def _extract(tar: tarfile.TarFile, member: tarfile.TarInfo, action: rules.Action, repository: Path, *, where: str,
             budget: Budget) -> None:
    target = _inside(repository, action.path, create=True)
    if action.op == "dir":
        if target.is_dir() and not target.is_symlink():
            target.chmod(action.mode)  # directory over directory: attributes replaced
            return
        _remove(target)
        target.mkdir(mode=action.mode)
        return
    _remove(target)  # layer.md: anything else over an existing path is unlinked, then recreated
    if action.op == "symlink":
        os.symlink(action.target, target)
    elif action.op == "hardlink":
        _hardlink(repository, action, target, where)
    else:
        budget.take(action.size)
        source = tar.extractfile(member)
        with target.open("wb") as out:
            shutil.copyfileobj(source, out, _CHUNK)
        target.chmod(action.mode)


def _hardlink(repository: Path, action: rules.Action, target: Path, where: str) -> None:
    source = _inside(repository, action.target, create=False)
    if source is None or not os.path.lexists(source) or not stat.S_ISREG(os.lstat(source).st_mode):
        raise rules.UnsafeEntry(f"{where}: hard link {action.path!r} names {action.target!r}, which is not a "
                                "file of the model repository")
    os.link(source, target, follow_symlinks=False)


def check_links(repository: Path) -> None:
    """Every symbolic link of the unpacked repository resolves inside it (links chained across layers too)."""
    root = os.path.realpath(repository)
    for folder, dirs, files in os.walk(repository):
        for name in dirs + files:
            path = os.path.join(folder, name)
            if os.path.islink(path):
                real = os.path.realpath(path)
                if real != root and not real.startswith(root + os.sep):
                    raise rules.UnsafeEntry(f"symbolic link {os.path.relpath(path, repository)!r} -> "
                                            f"{os.readlink(path)!r} resolves outside the model repository")

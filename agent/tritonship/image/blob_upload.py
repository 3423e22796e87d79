"""Getting one blob into a repository as cheaply as the registry allows (OCI distribution spec):

1. already there (HEAD) -> nothing to send;
2. a sibling repository holds it -> cross-repository mount, `POST /v2/<name>/blobs/uploads/?mount=<digest>&from=<repo>`
   (201: mounted; 202: the registry opened an ordinary upload instead, which we then use);
3. small -> monolithic upload (POST, then PUT ?digest= with the bytes);
4. large -> chunked upload: PATCH chunks with Content-Range, then PUT ?digest=. After a dropped connection
   the client asks the upload's status (GET, `Range: 0-<last>`) and resumes there; a registry that has
   discarded the session (distribution 2.x cancels one whose stored size no longer matches its state)
   gets the blob again from a fresh upload.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tritonship.errors import InfraError
from tritonship.image.registry import RegistryClient

CHUNK_BYTES = 64 << 20
MAX_INTERRUPTIONS = 5


@dataclass(frozen=True)
class BlobOutcome:
    digest: str
    how: str  # present | mounted | uploaded
    bytes_sent: int = 0
    resumed: int = 0  # chunked uploads continued after an interruption
    restarted: int = 0  # uploads begun again because the registry dropped the session


def push_blob(client: RegistryClient, repository: str, digest: str, path: Path | None, *,
              mount_from: Sequence[str] = (), chunk_bytes: int = CHUNK_BYTES,
              progress: Callable[[str], None] = lambda _msg: None) -> BlobOutcome:
    if client.blob_exists(repository, digest):
        return BlobOutcome(digest, "present")
    location = None
    for source in mount_from:
        if source == repository:
            continue
        try:
            location = client.start_upload(repository, mount=digest, from_repository=source)
        except InfraError as exc:  # e.g. no pull access to the source: an ordinary upload still works
            progress(f"cannot mount {digest[:19]} from {source} ({exc.message}); uploading it")
            continue
        if location is None:
            progress(f"mounted {digest[:19]} from {source}")
            return BlobOutcome(digest, "mounted")
    if path is None:
        raise InfraError(f"registry {client.host}: blob {digest} is not in {', '.join(mount_from) or 'any'} "
                         f"and there is no local copy to upload")
    size = path.stat().st_size
    progress(f"uploading {digest[:19]} ({size / 1e6:.1f} MB)")
    if size <= chunk_bytes:
        client.finish_upload(repository, location or _start(client, repository), digest, path)
        return BlobOutcome(digest, "uploaded", size)
    return upload_chunked(client, repository, digest, path, location or _start(client, repository),
                          chunk_bytes=chunk_bytes)


def upload_chunked(client: RegistryClient, repository: str, digest: str, path: Path, location: str, *,
                   chunk_bytes: int = CHUNK_BYTES, max_interruptions: int = MAX_INTERRUPTIONS) -> BlobOutcome:
    size = path.stat().st_size
    offset = sent = resumed = restarted = interruptions = 0
    with path.open("rb") as handle:
        while offset < size:
            handle.seek(offset)
            data = handle.read(min(chunk_bytes, size - offset))
            try:
                location = client.upload_chunk(repository, location, data, offset)
                offset += len(data)
                sent += len(data)
                continue
            except InfraError as exc:
                interruptions += 1
                if interruptions > max_interruptions:
                    raise InfraError(f"registry {client.host}: uploading {digest} was interrupted "
                                     f"{interruptions} times; last: {exc.message}") from exc
            status = client.upload_offset(repository, location)
            if status is None:  # the registry discarded the session: begin again
                offset, location, restarted = 0, _start(client, repository), restarted + 1
            else:
                (offset, location), resumed = status, resumed + 1
    client.finish_upload(repository, location, digest)
    return BlobOutcome(digest, "uploaded", sent, resumed, restarted)


def _start(client: RegistryClient, repository: str) -> str:
    location = client.start_upload(repository)
    if location is None:  # pragma: no cover - a plain POST never mounts
        raise InfraError(f"registry {client.host} answered an upload request as a mount")
    return location

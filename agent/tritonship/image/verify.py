"""Trust nothing unverified from a registry: the checks every answer passes before it is used.

- `/v2/` must answer as the distribution API: the OCI distribution spec's "end-1" check answers 200 (or
  401 with a challenge), and registries (distribution/distribution, Harbor, GHCR, ECR) send the header
  `Docker-Distribution-API-Version: registry/2.0`; without that header the body must at least be JSON.
  An HTML page (a proxy, a login portal, a web server on the wrong port) is not a registry.
- A manifest is hashed as received: the SHA-256 of its bytes must equal the digest asked for (when the
  reference is a digest) and the `Docker-Content-Digest` header (when sent); the bytes must be a JSON
  object of a manifest media type (distribution's "Content Digests" rule: a client verifies what it
  fetches by digest).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from tritonship.errors import ProtocolError, not_protocol

__all__ = ["REPOSITORY_DIGEST_LABEL", "check_distribution_api", "check_manifest", "is_digest"]

REPOSITORY_DIGEST_LABEL = "io.tritonship.repository-digest"


def is_digest(reference: str) -> bool:
    return reference.startswith("sha256:") and len(reference) == 71


def check_distribution_api(host: str, headers: Mapping[str, str], body: bytes) -> None:
    """ProtocolError unless a /v2/ answer comes from an OCI distribution API."""
    version = headers.get("Docker-Distribution-API-Version", "")
    if version.startswith("registry/2."):
        return
    try:
        json.loads(body or b"{}")
    except ValueError:
        raise not_protocol(f"registry {host} (/v2/)", "an OCI distribution API", body) from None


def check_manifest(host: str, name: str, reference: str, headers: Mapping[str, str], body: bytes, *,
                   media_types: tuple[str, ...]) -> tuple[str, str]:
    """(digest, media type) of manifest bytes that verify; ProtocolError naming what is wrong otherwise."""
    digest = "sha256:" + hashlib.sha256(body).hexdigest()
    where = f"registry {host}: {name}@{reference}" if is_digest(reference) else f"registry {host}: {name}:{reference}"
    if is_digest(reference) and digest != reference:
        raise ProtocolError(f"{where}: the manifest received hashes to {digest}, not to the digest asked for")
    announced = headers.get("Docker-Content-Digest")
    if announced and announced != digest:
        raise ProtocolError(f"{where}: Docker-Content-Digest says {announced[:80]} but the manifest hashes to {digest}")
    doc = _json_object(body)
    if doc is None:
        raise not_protocol(where, "a manifest (a JSON object)", body)
    media_type = headers.get("Content-Type", "").split(";")[0].strip() or str(doc.get("mediaType", ""))
    if media_type not in media_types:
        raise ProtocolError(f"{where}: media type {media_type[:80]!r} is not a manifest type")
    return digest, media_type


def _json_object(body: bytes) -> dict[str, Any] | None:
    try:
        doc = json.loads(body)
    except ValueError:
        return None
    return doc if isinstance(doc, dict) else None

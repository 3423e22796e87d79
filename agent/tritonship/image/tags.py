"""Image names and tags (pure): `<registry>/<name>:<version>-<digest12>`."""

from __future__ import annotations

import re
from collections.abc import Sequence

from tritonship.errors import BadInput
from tritonship.image.reference import ImageRef, parse_reference

_BAD_TAG_CHARS = re.compile(r"[^A-Za-z0-9_.-]+")
_TAG_MAX = 128
DEFAULT_VERSION = "dev"


def sanitize_version(version: str | None) -> str:
    """A version fit for a tag: `v1.2.0+meta/x` -> `v1.2.0-meta-x`; empty -> `dev`."""
    text = _BAD_TAG_CHARS.sub("-", (version or "").strip()).strip("-.")
    return text or DEFAULT_VERSION


def primary_tag(version: str | None, digest12: str) -> str:
    tag = f"{sanitize_version(version)}-{digest12}"
    if len(tag) > _TAG_MAX:
        tag = f"{sanitize_version(version)[: _TAG_MAX - len(digest12) - 1]}-{digest12}"
    return tag


def image_name(registry: str, name: str) -> str:
    """`host[:port]/path` + `name` -> `host[:port]/path/name`, validated as an image reference."""
    full = f"{registry.rstrip('/')}/{name.strip('/')}"
    ref = parse_reference(full)
    if ref.tag or ref.digest or ref.name != full:
        raise BadInput(f"image name {full!r} must be HOST[:PORT]/PATH/NAME without tag or digest")
    return full


def image_tags(name: str, version: str | None, digest12: str, extra: Sequence[str] = ()) -> list[ImageRef]:
    """The primary content-addressed tag first, then each extra tag (validated, de-duplicated)."""
    tags = [primary_tag(version, digest12)]
    for raw in extra:
        tag = raw.strip()
        if not re.fullmatch(r"[\w][\w.-]{0,127}", tag):
            raise BadInput(f"invalid extra tag {raw!r}: letters, digits, '_', '.', '-' (at most 128)")
        if tag not in tags:
            tags.append(tag)
    base = parse_reference(name)
    return [ImageRef(base.registry, base.repository, tag) for tag in tags]

"""Image references: `host[:port]/path/name[:tag][@sha256:...]`, parsed the way docker does."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tritonship.errors import BadInput

DOCKER_HUB = "registry-1.docker.io"
_DIGEST = re.compile(r"^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-fA-F0-9]{32,}$")
_TAG = re.compile(r"^[\w][\w.-]{0,127}$")
_PATH = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$")


@dataclass(frozen=True)
class ImageRef:
    registry: str  # host[:port]
    repository: str  # path/name inside the registry
    tag: str | None = None
    digest: str | None = None

    @property
    def name(self) -> str:
        return f"{self.registry}/{self.repository}"

    @property
    def reference(self) -> str:
        """What to ask the registry for: the digest when known, else the tag (default `latest`)."""
        return self.digest or self.tag or "latest"

    def __str__(self) -> str:
        out = self.name
        if self.tag:
            out += f":{self.tag}"
        if self.digest:
            out += f"@{self.digest}"
        return out


def _is_host(component: str) -> bool:
    return "." in component or ":" in component or component == "localhost"


def parse_reference(ref: str) -> ImageRef:
    """Split an image reference; a name without a host is on Docker Hub (`library/` for single names)."""
    text = ref.strip()
    if not text or any(c.isspace() for c in text):
        raise BadInput(f"invalid image reference {ref!r}")
    digest = None
    if "@" in text:
        text, digest = text.split("@", 1)
        if not _DIGEST.match(digest):
            raise BadInput(f"invalid image reference {ref!r}: bad digest {digest!r}")
    tag = None
    last = text.rsplit("/", 1)[-1]
    if ":" in last:
        text, tag = text.rsplit(":", 1)
        if not _TAG.match(tag):
            raise BadInput(f"invalid image reference {ref!r}: bad tag {tag!r}")
    first, _, rest = text.partition("/")
    if rest and _is_host(first):
        registry, repository = first, rest
    else:
        registry, repository = DOCKER_HUB, text if rest else f"library/{text}"
    if not _PATH.match(repository):
        raise BadInput(f"invalid image reference {ref!r}: bad repository {repository!r}")
    return ImageRef(registry, repository, tag, digest)


def split_registry(value: str) -> tuple[str, str]:
    """`host[:port]/path` (the --registry flag) -> (host[:port], path prefix, possibly empty)."""
    text = value.strip().removeprefix("https://").removeprefix("http://").rstrip("/")
    host, _, path = text.partition("/")
    if not host or any(c.isspace() for c in text) or (path and not _PATH.match(path)) or not _valid_host(host):
        raise BadInput(f"invalid registry {value[:100]!r}: expected HOST[:PORT][/PATH]")
    return host, path


# distribution/reference's domain: DNS labels or an IPv6 literal in brackets, then an optional port.
_HOST = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
                   r"|\[[0-9A-Fa-f:.]+\])(?::([0-9]{1,5}))?$")


def _valid_host(host: str) -> bool:
    match = _HOST.match(host)
    return bool(match) and len(host) <= 255 and (match.group(1) is None or 1 <= int(match.group(1)) <= 65535)


NAME_TOTAL_LENGTH_MAX = 255  # distribution/reference: the longest repository name a registry accepts


def check_image_name(full: str) -> None:
    """BadInput unless `host/path/name` is a repository name a registry accepts (grammar and length)."""
    path = full.partition("/")[2]
    if len(full) > NAME_TOTAL_LENGTH_MAX:
        raise BadInput(f"image name {full[:60]!r}... is {len(full)} characters; a registry accepts at most "
                       f"{NAME_TOTAL_LENGTH_MAX}")
    if not _PATH.match(path):
        raise BadInput(f"invalid image name {full[:100]!r}: lowercase letters, digits and . _ - / separators only")

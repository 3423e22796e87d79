"""A registry signed by a private CA: `--ca-file` / `image.ca_file` (PEM bundle) is what the registry
client trusts instead of the system store (requests' `verify=`; every per-thread session copies it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tritonship.errors import BadInput


def resolve_ca_file(flag: str | None, spec: Any) -> Path | None:
    """--ca-file (relative to the working directory) wins over image.ca_file (relative to tritonship.yaml)."""
    if flag:
        path, where = Path(flag), "--ca-file"
    elif spec is not None and getattr(spec.image, "ca_file", None):
        path, where = spec.base_dir / spec.image.ca_file, "image.ca_file"
    else:
        return None
    try:
        text = path.read_text(encoding="ascii", errors="replace")
    except OSError as exc:
        raise BadInput(f"{where} {path}: cannot read: {exc.strerror or exc}") from None
    if "-----BEGIN CERTIFICATE-----" not in text:
        raise BadInput(f"{where} {path}: not a PEM certificate bundle (no BEGIN CERTIFICATE block)")
    return path


def registry_session(ca_file: Path | None):
    """A requests session trusting `ca_file` (None: the default session, the system trust store)."""
    if ca_file is None:
        return None
    import requests

    session = requests.Session()
    session.verify = str(ca_file)
    return session

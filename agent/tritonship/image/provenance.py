"""Where an image comes from: git remote, revision, commit time and `git describe` of the repository."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


@dataclass(frozen=True)
class Provenance:
    source: str | None  # remote URL without credentials
    revision: str | None
    epoch: int  # SOURCE_DATE_EPOCH, else commit time, else 0
    describe: str | None

    @property
    def created(self) -> str:
        return datetime.fromtimestamp(self.epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _git(directory: Path, *args: str) -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(directory), *args], capture_output=True, text=True, timeout=20,
                             check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def strip_userinfo(url: str | None) -> str | None:
    """`https://user:token@host/x.git` -> `https://host/x.git`: never put a token in a label."""
    if not url:
        return None
    return re.sub(r"^([a-z][a-z0-9+.-]*://)[^/@]*@", r"\1", url)


MAX_EPOCH = 253402300799  # 9999-12-31T23:59:59Z: the last second an image timestamp (RFC 3339) can carry


def source_date_epoch(env: Mapping[str, str], commit_time: str | None) -> int:
    """SOURCE_DATE_EPOCH when set (reproducible-builds.org: "an integer ... number of seconds since the
    epoch"; set but malformed or out of range is bad input, never a silent 1970), else the commit time, else 0."""
    given = env.get("SOURCE_DATE_EPOCH")
    if given:
        text = given.strip()
        if not (text.isascii() and text.isdigit() and len(text) <= 12 and int(text) <= MAX_EPOCH):
            from tritonship.errors import BadInput

            raise BadInput(f"SOURCE_DATE_EPOCH={given[:40]!r} is not a number of seconds from 0 to {MAX_EPOCH}",
                           hint="unset it or set it to a Unix time, e.g. `git log -1 --format=%ct`")
        return int(text)
    if commit_time and commit_time.strip().isdigit():
        return int(commit_time.strip())
    return 0


def read_provenance(directory: Path, env: Mapping[str, str] | None = None) -> Provenance:
    env = os.environ if env is None else env
    directory = Path(directory)
    return Provenance(
        source=strip_userinfo(_git(directory, "config", "--get", "remote.origin.url")),
        revision=_git(directory, "rev-parse", "HEAD"),
        epoch=source_date_epoch(env, _git(directory, "log", "-1", "--format=%ct")),
        describe=_git(directory, "describe", "--tags", "--always"),
    )

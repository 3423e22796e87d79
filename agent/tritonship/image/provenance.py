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


def source_date_epoch(env: Mapping[str, str], commit_time: str | None) -> int:
    for value in (env.get("SOURCE_DATE_EPOCH"), commit_time):
        if value and value.strip().isdigit():
            return int(value.strip())
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

"""Registry credentials: TRITONSHIP_REGISTRY_USER/PASSWORD, else the docker config file — its credential
helpers (`credHelpers` per registry, else `credsStore`; how ECR, GCR and ACR users log in), else `auths`.

Credentials are never printed: the password is left out of repr, and no message includes it.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tritonship.errors import BadInput

ENV_USER = "TRITONSHIP_REGISTRY_USER"
ENV_PASSWORD = "TRITONSHIP_REGISTRY_PASSWORD"  # noqa: S105 - a variable name, not a secret


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str = field(repr=False)
    source: str = "env"

    def basic(self) -> str:
        token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        return f"Basic {token}"


def docker_config_path(env: Mapping[str, str]) -> Path:
    base = env.get("DOCKER_CONFIG")
    return Path(base) / "config.json" if base else Path.home() / ".docker" / "config.json"


def find_credentials(host: str, env: Mapping[str, str] | None = None) -> Credentials | None:
    """Credentials for `host` (host[:port]): environment first, then the docker config file."""
    env = os.environ if env is None else env
    user, password = env.get(ENV_USER), env.get(ENV_PASSWORD)
    if user and password is not None:
        return Credentials(user, password, source="env")
    return _from_docker_config(docker_config_path(env), host, env)


def _from_docker_config(path: Path, host: str, env: Mapping[str, str] | None = None) -> Credentials | None:
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BadInput(f"{path}: not a readable docker config file ({type(exc).__name__})") from None
    helper = _helper_for(data, host, path)
    if helper is not None:  # docker/cli: a helper, when named, is the only store for that registry
        from tritonship.image.credential_helper import from_helper

        return from_helper(helper, host, os.environ if env is None else env)
    auths = data.get("auths") if isinstance(data, dict) else None
    if not isinstance(auths, dict):
        return None
    for key in (host, f"https://{host}", f"http://{host}", f"https://{host}/v1/", f"https://{host}/v2/"):
        entry = auths.get(key)
        if isinstance(entry, dict):
            creds = _decode_entry(entry, path, key)
            if creds:
                return creds
    return None


def _helper_for(data: object, host: str, path: Path) -> str | None:
    """docker/cli configfile.GetCredentialsStore: `credHelpers[host]`, else `credsStore`, else none."""
    if not isinstance(data, dict):
        return None
    helpers = data.get("credHelpers") or {}
    if not isinstance(helpers, dict):
        raise BadInput(f"{path}: credHelpers must map registry hosts to helper names")
    name = helpers.get(host) or data.get("credsStore") or None
    if name is not None and not isinstance(name, str):
        raise BadInput(f"{path}: a credential helper name must be a string")
    return name


def _decode_entry(entry: dict, path: Path, key: str) -> Credentials | None:
    if entry.get("username") and entry.get("password") is not None:
        return Credentials(entry["username"], entry["password"], source=str(path))
    auth = entry.get("auth")
    if not auth:
        return None
    try:
        user, sep, password = base64.b64decode(auth, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise BadInput(f"{path}: auths[{key!r}].auth is not base64 of 'user:password'") from None
    if not sep:
        raise BadInput(f"{path}: auths[{key!r}].auth is not base64 of 'user:password'")
    return Credentials(user, password, source=str(path))

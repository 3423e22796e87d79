"""Docker credential helpers, run as docker/cli does (docker-credential-helpers' client.Get): the program
`docker-credential-<name>` with the argument `get`, the registry host on stdin, and on stdout the JSON
`{"ServerURL", "Username", "Secret"}`. "credentials not found" (exit non-zero with that text) means
no credentials; any other failure is an error naming the helper. The secret is never printed.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Mapping

from tritonship.errors import BadInput, InfraError

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
NOT_FOUND = "credentials not found in native keychain"  # docker-credential-helpers credentials.errCredentialsNotFound
TIMEOUT_S = 60.0


def from_helper(name: str, host: str, env: Mapping[str, str]):
    """Credentials for `host` from the helper `name`, or None when it has none."""
    from tritonship.image.credentials import Credentials

    if not _NAME.match(name):
        raise BadInput(f"docker config: credential helper {name!r} is not a plain program name")
    program = f"docker-credential-{name}"
    found = shutil.which(program, path=env.get("PATH"))
    if found is None:
        raise BadInput(f"docker config names the credential helper {program!r}, which is not on PATH",
                       hint=f"install {program} (e.g. amazon-ecr-credential-helper, docker-credential-gcr) "
                            "or remove credsStore/credHelpers from the docker config")
    try:
        done = subprocess.run([found, "get"], input=host, capture_output=True, text=True, timeout=TIMEOUT_S,
                              env=dict(env), check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InfraError(f"{program} get for {host} did not answer: {exc}") from None
    if done.returncode != 0:
        said = (done.stdout.strip() or done.stderr.strip())[:300]
        if NOT_FOUND in said or "credentials not found" in said.lower():
            return None
        raise InfraError(f"{program} get for {host} failed (exit {done.returncode}): {said}")
    try:
        answer = json.loads(done.stdout)
        user, secret = answer["Username"], answer["Secret"]
    except (ValueError, KeyError, TypeError):
        raise InfraError(f"{program} get for {host} did not answer {{Username, Secret}} JSON") from None
    if user == "<token>":  # docker/cli: an identity token for the OAuth2 refresh-token flow
        raise BadInput(f"{program} returned an identity token for {host}; tritonship needs username and password",
                       hint="log in with a username/password or registry token, or set "
                            "TRITONSHIP_REGISTRY_USER/TRITONSHIP_REGISTRY_PASSWORD")
    return Credentials(str(user), str(secret), source=program)

"""A local OCI registry (Debian's `docker-registry`, distribution 2.8) on a free loopback port.

Used by the build and promote tests and the build benchmark:

    with local_registry(tmp) as registry:
        registry.host  # "127.0.0.1:PORT"

`auth_config` is the registry's own YAML `auth:` block (htpasswd or token), appended verbatim.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tritonship.errors import InfraError


@dataclass(frozen=True)
class LocalRegistry:
    host: str  # 127.0.0.1:PORT
    root: Path
    log_path: Path
    auth: bool = False


def registry_config(root: Path, port: int, auth_config: str = "") -> str:
    return (
        "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n"
        f"    rootdirectory: {root / 'data'}\n  delete:\n    enabled: true\n"
        f"http:\n  addr: 127.0.0.1:{port}\n{auth_config}"
    )


@contextlib.contextmanager
def local_registry(root: Path, *, auth_config: str = "", timeout: float = 30.0) -> Iterator[LocalRegistry]:
    """Start a registry storing under `root`; yield once /v2/ answers; always stop it."""
    from tritonship.triton.launcher import free_ports

    binary = shutil.which("docker-registry")
    if binary is None:
        raise InfraError("docker-registry is not installed", hint="make setup installs the Debian package")
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    port = free_ports(1)[0]
    config = root / "config.yml"
    config.write_text(registry_config(root, port, auth_config))
    log_path = root / "registry.log"
    with log_path.open("ab") as log:
        proc = subprocess.Popen([binary, "serve", str(config)], stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
    registry = LocalRegistry(f"127.0.0.1:{port}", root, log_path, auth=bool(auth_config))
    try:
        _wait_ready(proc, registry, timeout)
        yield registry
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_ready(proc: subprocess.Popen, registry: LocalRegistry, timeout: float) -> None:
    import requests

    url = f"http://{registry.host}/v2/"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise InfraError(f"docker-registry exited with {proc.returncode}",
                             hint=registry.log_path.read_text(errors="replace")[-2000:])
        try:
            requests.get(url, timeout=1)  # any answer (200, or 401 with auth) means it serves
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise InfraError(f"docker-registry at {url} not ready after {timeout:g}s", hint=f"log: {registry.log_path}")

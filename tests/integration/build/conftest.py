"""Real servers for the build tests: Debian `docker-registry` (plain and htpasswd) and `podman system service`."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest

from tritonship_standins.registry import local_registry

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import crypt  # bcrypt for htpasswd; the stdlib has it until 3.13

REGISTRY_USER = "builder"
REGISTRY_PASSWORD = "s3cret-Pa55-do-not-print"


def free_port() -> int:
    from tritonship.triton.launcher import free_ports

    return free_ports(1)[0]


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def htpasswd_auth(root: Path) -> str:
    """The registry's `auth:` block for REGISTRY_USER / REGISTRY_PASSWORD (bcrypt, cost 4: fast tests)."""
    root.mkdir(parents=True, exist_ok=True)
    hashed = crypt.crypt(REGISTRY_PASSWORD, crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16))
    (root / "htpasswd").write_text(f"{REGISTRY_USER}:{hashed}\n")
    return f"auth:\n  htpasswd:\n    realm: tritonship-test\n    path: {root / 'htpasswd'}\n"


@pytest.fixture(scope="session")
def registry(tmp_path_factory):
    with local_registry(tmp_path_factory.mktemp("registry")) as reg:
        yield reg


@pytest.fixture(scope="session")
def auth_registry(tmp_path_factory):
    root = tmp_path_factory.mktemp("registry-auth")
    with local_registry(root, auth_config=htpasswd_auth(root)) as reg:
        yield reg


@dataclass(frozen=True)
class BuildahStore:
    root: Path
    runroot: Path

    def argv(self, *args: str) -> list[str]:
        return ["buildah", "--storage-driver", "vfs", "--root", str(self.root), "--runroot", str(self.runroot), *args]

    def env(self) -> dict[str, str]:
        return {"TRITONSHIP_BUILDAH_ROOT": str(self.root), "TRITONSHIP_BUILDAH_RUNROOT": str(self.runroot)}


@pytest.fixture(scope="session")
def buildah_store(tmp_path_factory):
    """A private buildah vfs storage, so tests never touch (or depend on) the machine's image store."""
    root = tmp_path_factory.mktemp("buildah")
    return BuildahStore(root / "root", root / "run")


def push_tiny_base(store: BuildahStore, workdir: Path, destination: str, authfile: Path | None = None) -> str:
    """A base image with no shell and one file (`/etc/base-release`), built here, pushed to `destination`."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "base-release").write_text("tritonship test base\n")
    ctr = subprocess.run(store.argv("from", "scratch"), capture_output=True, text=True, check=True).stdout.strip()
    try:
        subprocess.run(store.argv("copy", ctr, str(workdir / "base-release"), "/etc/base-release"), check=True,
                       capture_output=True)
        subprocess.run(store.argv("config", "--env", "PATH=/usr/bin:/bin", ctr), check=True, capture_output=True)
        subprocess.run(store.argv("commit", "-q", "--timestamp", "0", ctr, "localhost/tritonship-test-base"),
                       check=True, capture_output=True)
    finally:
        subprocess.run(store.argv("rm", ctr), capture_output=True, check=False)
    auth = ["--authfile", str(authfile)] if authfile else []
    subprocess.run(store.argv("push", "-q", "--tls-verify=false", *auth, "localhost/tritonship-test-base",
                              f"docker://{destination}"), check=True, capture_output=True)
    return destination


FAKE_PIP = "#!/bin/sh\n# stand-in for python3: records how pip was asked to install\necho \"$@\" > /pip-args\n"


def push_shell_base(store: BuildahStore, workdir: Path, destination: str) -> str:
    """A base with /bin/sh, rm and a `python3` stand-in (shell script): enough for a RUN step to execute."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "python3").write_text(FAKE_PIP)
    (workdir / "python3").chmod(0o755)
    ctr = subprocess.run(store.argv("from", "scratch"), capture_output=True, text=True, check=True).stdout.strip()
    copies = [("/bin/dash", "/bin/sh"), ("/bin/rm", "/bin/rm"), (str(workdir / "python3"), "/usr/bin/python3"),
              ("/lib/x86_64-linux-gnu/libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6"),
              ("/lib64/ld-linux-x86-64.so.2", "/lib64/ld-linux-x86-64.so.2")]
    try:
        for source, target in copies:
            subprocess.run(store.argv("copy", ctr, source, target), check=True, capture_output=True)
        subprocess.run(store.argv("config", "--env", "PATH=/usr/bin:/bin", ctr), check=True, capture_output=True)
        subprocess.run(store.argv("commit", "-q", "--timestamp", "0", ctr, "localhost/tritonship-shell-base"),
                       check=True, capture_output=True)
    finally:
        subprocess.run(store.argv("rm", ctr), capture_output=True, check=False)
    subprocess.run(store.argv("push", "-q", "--tls-verify=false", "localhost/tritonship-shell-base",
                              f"docker://{destination}"), check=True, capture_output=True)
    return destination


@pytest.fixture(scope="session")
def base_image(registry, buildah_store, tmp_path_factory) -> str:
    return push_tiny_base(buildah_store, tmp_path_factory.mktemp("base"), f"{registry.host}/test/base:1")


@pytest.fixture(scope="session")
def token_registry(tmp_path_factory):
    """A registry that answers 401 with a Bearer challenge; tokens come from a local token service."""
    from tests.integration.build.token_server import TokenService, token_auth_config

    root = tmp_path_factory.mktemp("registry-token")
    with (TokenService(root, REGISTRY_USER, REGISTRY_PASSWORD) as service,
          local_registry(root / "registry", auth_config=token_auth_config(service)) as reg):
        yield reg, service


@pytest.fixture(scope="session")
def podman_socket(tmp_path_factory, registry):
    """`podman system service` on a private unix socket and vfs storage; yields DOCKER_HOST.

    Like a Docker daemon configured with `insecure-registries`, it may pull the base over plain HTTP
    from the test registry (registries.conf).
    """
    if not shutil.which("podman"):
        pytest.skip("podman is not installed")
    root = tmp_path_factory.mktemp("podman")
    sock = root / "podman.sock"
    registries = root / "registries.conf"
    registries.write_text(f'[[registry]]\nlocation = "{registry.host}"\ninsecure = true\n')
    env = dict(os.environ, CONTAINERS_STORAGE_CONF=str(_storage_conf(root)), CONTAINERS_REGISTRIES_CONF=str(registries))
    log = root / "podman.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            ["podman", "--storage-driver", "vfs", "--root", str(root / "storage"), "--runroot", str(root / "run"),
             "system", "service", "--time=0", f"unix://{sock}"],
            stdout=out, stderr=subprocess.STDOUT, env=env,
        )
    deadline = time.monotonic() + 30
    while not sock.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            _stop(proc)
            raise RuntimeError(f"podman service did not start: {log.read_text()[-2000:]}")
        time.sleep(0.1)
    yield f"unix://{sock}"
    _stop(proc)


def openssl(*args: str, cwd) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="session")
def tls_registry(tmp_path_factory):
    """docker-registry over TLS with a certificate from a test CA made by openssl; yields (registry, CA file)."""
    pki = tmp_path_factory.mktemp("pki")
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-subj", "/CN=tritonship test CA", cwd=pki)
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
            "-subj", "/CN=127.0.0.1", cwd=pki)
    (pki / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "server.pem", "-days", "2", "-extfile", "san.ext", cwd=pki)
    tls = f"  tls:\n    certificate: {pki / 'server.pem'}\n    key: {pki / 'server.key'}\n"
    with local_registry(tmp_path_factory.mktemp("tls-registry"), auth_config=tls) as registry:
        yield registry, pki / "ca.pem"


def _storage_conf(root: Path) -> Path:
    conf = root / "storage.conf"
    conf.write_text(f'[storage]\ndriver = "vfs"\nrunroot = "{root / "run"}"\ngraphroot = "{root / "storage"}"\n')
    return conf

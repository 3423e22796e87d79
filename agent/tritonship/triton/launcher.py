"""Start a local tritonserver on free loopback ports, wait for it, and always stop it.

    with launch_local(Path("model_repository")) as server:
        server.http_url, server.grpc_url, server.metrics_url, server.log_path, server.pid

The server runs in its own process group (so its python stubs go with it) with PDEATHSIG set, so it
dies with the process that started it even when that one is killed. Stopping sends SIGTERM to the
group, then SIGKILL after a grace period; it also happens on KeyboardInterrupt.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from tritonship.errors import BadInput, InfraError
from tritonship.process_env import child_environment
from tritonship.triton import probe
from tritonship.triton.backend_dir import prepare_backend_dir
from tritonship.triton.locate import TritonInstall, locate_tritonserver

STOP_GRACE_S = 10.0
POLL_S = 0.2
_PORT_CLASH = "Address already in use"


@dataclass(frozen=True)
class TritonServer:
    http_url: str  # "127.0.0.1:PORT"
    grpc_url: str
    metrics_url: str  # "http://127.0.0.1:PORT/metrics"
    log_path: Path | None  # None for a server reached by URL
    pid: int  # 0 when not a local process
    repository: Path | None = None
    index: tuple[probe.IndexEntry, ...] = ()  # repository index once loading settled

    @property
    def failed_models(self) -> tuple[probe.IndexEntry, ...]:
        return tuple(probe.failed(list(self.index)))


@dataclass(frozen=True)
class Ports:
    http: int
    grpc: int
    metrics: int


def free_ports(count: int = 3) -> list[int]:
    """Distinct free loopback ports (bound to port 0, then released)."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for sock in sockets:
            sock.close()


def server_command(binary: Path, repository: Path, ports: Ports, backend_dir: Path | None,
                   extra_args: Sequence[str] = ()) -> list[str]:
    """The tritonserver argv. Failed loads do not stop the server: we read the reasons from its index."""
    argv = [
        str(binary), f"--model-repository={repository}",
        "--http-address=127.0.0.1", f"--http-port={ports.http}",
        "--grpc-address=127.0.0.1", f"--grpc-port={ports.grpc}",
        "--metrics-address=127.0.0.1", f"--metrics-port={ports.metrics}", "--allow-metrics=true",
        "--exit-on-error=false", "--exit-timeout-secs=5",
    ]
    if backend_dir is not None:
        argv.append(f"--backend-directory={backend_dir}")
    return argv + list(extra_args)


def server_env(install: TritonInstall, base: Mapping[str, str], extra: Mapping[str, str] | None = None,
               python_bin: Path | None = None) -> dict[str, str]:
    """Environment for tritonserver: the wheel's libraries, and a python with numpy first on PATH for stubs."""
    env = dict(base)
    if install.libs_dir is not None:
        env["LD_LIBRARY_PATH"] = os.pathsep.join(p for p in (str(install.libs_dir), env.get("LD_LIBRARY_PATH")) if p)
    python_dir = python_bin or Path(sys.executable).parent
    env["PATH"] = os.pathsep.join(p for p in (str(python_dir), env.get("PATH")) if p)
    env.update(extra or {})
    return env


@contextlib.contextmanager
def launch_local(repository: Path, *, tritonserver: str | None = None, timeout: float = 120.0,
                 log_path: Path | None = None, extra_args: Sequence[str] = (), env: dict | None = None,
                 strict_readiness: bool = True) -> Iterator[TritonServer]:
    """Start tritonserver on `repository`; yield once every model settled; always stop it.

    strict_readiness=True raises InfraError unless every model is READY (with the server's reasons);
    False yields a live server whose `index` names the failed models (smoke reports them itself).
    """
    repository = Path(repository).resolve()
    if not repository.is_dir():
        raise BadInput(f"model repository {repository} is not a directory")
    install = locate_tritonserver(tritonserver)
    backend_dir = prepare_backend_dir(install)
    log_path = Path(log_path) if log_path else new_log_path()
    try:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        log_path.open("ab").close()
    except OSError as exc:
        raise BadInput(f"server log {log_path}: cannot write {exc.filename}: {exc.strerror or exc}",
                       hint="give --server-log a writable file path") from exc
    process_env = server_env(install, child_environment(os.environ), env)  # model code never sees our secrets
    for attempt in range(3):
        ports = Ports(*free_ports(3))
        argv = server_command(install.binary, repository, ports, backend_dir, extra_args)
        proc = _spawn(argv, process_env, log_path)
        try:
            server = _server(ports, log_path, proc.pid, repository)
            index = _wait(proc, server, timeout, last_try=attempt == 2)
            if index is None:  # lost a port race: try fresh ports
                continue
            server = _server(ports, log_path, proc.pid, repository, index)
            if strict_readiness and server.failed_models:
                raise InfraError(not_ready_message(server.failed_models), hint=f"server log: {log_path}")
            yield server
            return
        finally:
            stop_process(proc)


def _server(ports: Ports, log_path: Path, pid: int, repository: Path,
            index: Sequence[probe.IndexEntry] = ()) -> TritonServer:
    return TritonServer(
        http_url=f"127.0.0.1:{ports.http}", grpc_url=f"127.0.0.1:{ports.grpc}",
        metrics_url=f"http://127.0.0.1:{ports.metrics}/metrics", log_path=log_path, pid=pid,
        repository=repository, index=tuple(index),
    )


def new_log_path() -> Path:
    fd, name = tempfile.mkstemp(prefix="tritonserver-", suffix=".log")
    os.close(fd)
    return Path(name)


def _spawn(argv: list[str], env: dict[str, str], log_path: Path) -> subprocess.Popen:
    with open(log_path, "ab") as log:
        try:
            return subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env,
                start_new_session=True, preexec_fn=_die_with_parent,  # noqa: PLW1509
            )
        except OSError as exc:
            raise InfraError(f"cannot start {argv[0]}: {exc.strerror or exc}") from exc


def _die_with_parent() -> None:
    """In the child: ask Linux to send SIGTERM when the parent (thread) dies."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _wait(proc: subprocess.Popen, server: TritonServer, timeout: float,
          last_try: bool) -> list[probe.IndexEntry] | None:
    """The settled repository index once the server is up; None when it died of a port clash."""

    def exited() -> str | None:
        return None if proc.poll() is None else log_tail(server.log_path)

    try:
        return wait_settled(server.http_url, timeout, exited=exited, log_path=server.log_path)
    except ServerExited as exc:
        if _PORT_CLASH in exc.tail and not last_try:
            return None
        raise InfraError(f"tritonserver exited with code {proc.returncode} before it was ready:\n{exc.tail}",
                         hint=f"server log: {server.log_path}") from None


class ServerExited(Exception):
    def __init__(self, tail: str) -> None:
        super().__init__("server exited")
        self.tail = tail


def wait_settled(http_url: str, timeout: float, *, exited: Callable[[], str | None] = lambda: None,
                 log_path: Path | None = None, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> list[probe.IndexEntry]:
    """Wait until the server is ready, or live with every model settled and some failed; its index.

    `exited` returns the log tail once the server process is gone (raised as ServerExited).
    InfraError after `timeout` seconds: unreachable, or still loading.
    """
    deadline = clock() + timeout
    live = False
    while True:
        tail = exited()
        if tail is not None:
            raise ServerExited(tail)
        status = probe.health(http_url)
        live = live or status.live
        if status.live:
            index = probe.repository_index(http_url)
            if status.ready or (probe.settled(index) and probe.failed(index)):
                return index
        if clock() > deadline:
            raise _timeout(http_url, timeout, live, log_path)
        sleep(POLL_S)


def _timeout(http_url: str, timeout: float, live: bool, log_path: Path | None) -> InfraError:
    what = "did not become ready" if live else "is not reachable"
    text = f"Triton at {http_url} {what} within {timeout:g}s"
    if log_path is not None:
        text += ":\n" + log_tail(log_path)
    return InfraError(text, hint=f"server log: {log_path}" if log_path else "check the URL and that the server runs")


def not_ready_message(failed: Sequence[probe.IndexEntry]) -> str:
    lines = [f"{e.name} (version {e.version or '-'}): {e.state or 'not loaded'}: {e.reason or 'no reason given'}"
             for e in failed]
    return "tritonserver is not ready; models that failed to load:\n  " + "\n  ".join(lines)


def log_tail(path: Path, lines: int = 30) -> str:
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def stop_process(proc: subprocess.Popen, grace: float = STOP_GRACE_S) -> int | None:
    """SIGTERM the server's process group, SIGKILL after `grace`; survives a second Ctrl-C."""
    try:
        if proc.poll() is None:
            _signal_group(proc.pid, signal.SIGTERM)
            try:
                proc.wait(grace)
            except subprocess.TimeoutExpired:
                _signal_group(proc.pid, signal.SIGKILL)
                proc.wait()
    except KeyboardInterrupt:
        _signal_group(proc.pid, signal.SIGKILL)
        proc.wait()
        raise
    finally:
        _signal_group(proc.pid, signal.SIGKILL)  # leftover python stubs of the group
    return proc.returncode


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """While active (main thread only), SIGTERM raises KeyboardInterrupt so `finally` blocks stop servers."""
    try:
        previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _raise_interrupt(_signum, _frame) -> None:
    raise KeyboardInterrupt

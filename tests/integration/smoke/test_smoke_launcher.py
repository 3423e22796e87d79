"""The local launcher against the real tritonserver: stops on interruption; strict readiness names failures."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.conftest import ROOT

from tritonship.errors import InfraError
from tritonship.triton.launcher import launch_local

pytestmark = pytest.mark.integration

CHILD = """
import os, signal, sys, time
from pathlib import Path
from tritonship.triton.launcher import launch_local
# a background job (CI runners, nohup) inherits SIGINT ignored; Ctrl-C must mean KeyboardInterrupt here
signal.signal(signal.SIGINT, signal.default_int_handler)
try:
    with launch_local(Path(sys.argv[1]), timeout=120) as server:
        print(server.pid, server.http_url, flush=True)
        time.sleep(300)
except KeyboardInterrupt:
    try:
        os.kill(server.pid, 0)
        print("ALIVE", flush=True)
    except ProcessLookupError:
        print("STOPPED", flush=True)  # checked while this process still lives (before PDEATHSIG could act)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/stat").read_text().split()
    return status[2] != "Z"


def _wait_gone(pid: int, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.2)
    return False


def test_interrupted_caller_stops_the_server(tiny_repository):
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(tiny_repository)], cwd=ROOT,
                             stdout=subprocess.PIPE, text=True)
    try:
        line = child.stdout.readline()
        assert line, "launcher child printed nothing"
        pid = int(line.split()[0])
        assert _alive(pid)
        child.send_signal(signal.SIGINT)  # Ctrl-C: KeyboardInterrupt unwinds launch_local
        verdict = child.stdout.readline().strip()
        child.wait(60)
        assert verdict == "STOPPED", "launch_local left tritonserver running after KeyboardInterrupt"
        assert _wait_gone(pid)
    finally:
        child.kill()
        child.wait()


def test_killed_caller_takes_the_server_with_it(tiny_repository):
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(tiny_repository)], cwd=ROOT,
                             stdout=subprocess.PIPE, text=True)
    try:
        pid = int(child.stdout.readline().split()[0])
        child.kill()  # SIGKILL: no finally runs; PDEATHSIG does the job
        child.wait()
        assert _wait_gone(pid), "tritonserver survived its killed parent"
    finally:
        child.kill()
        child.wait()


def test_strict_readiness_raises_with_the_servers_reason(load_fail_repository, tmp_path):
    log = tmp_path / "server.log"
    with pytest.raises(InfraError) as caught, launch_local(load_fail_repository, log_path=log, timeout=120):
        pass
    assert "load_fails" in caught.value.message
    assert "deliberately broken" in caught.value.message
    assert log.is_file() and log.stat().st_size > 0


def _children(pid: int, name: str) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)
            comm = fields[0].split("(", 1)[1]
            ppid = int(fields[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if ppid == pid and comm == name:
            found.append(int(stat.parent.name))
    return found


def test_smoke_cli_stopped_by_sigterm_stops_its_server(slow_repository, tmp_path):
    """Jenkins aborts a build with SIGTERM: smoke stops tritonserver itself before it exits."""
    child = subprocess.Popen([sys.executable, "-m", "tritonship", "smoke", "--repository", str(slow_repository),
                              "--server-log", str(tmp_path / "server.log")], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        servers: list[int] = []
        while not servers and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.2)
            servers = _children(child.pid, "tritonserver")
        assert servers, "smoke never started tritonserver"
        time.sleep(1.0)  # let it get into loading the slow model
        child.send_signal(signal.SIGTERM)
        _out, err = child.communicate(timeout=60)
        assert child.returncode != 0, err
        assert "interrupted" in err or "aborted" in err  # click reports KeyboardInterrupt as an abort
        assert not _alive(servers[0]), "tritonserver still running after smoke returned"
    finally:
        child.kill()
        child.wait()

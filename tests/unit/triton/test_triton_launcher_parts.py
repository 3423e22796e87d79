"""Launcher decisions without a server: argv, environment, locating the binary, backend directory."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tritonship.errors import BadInput
from tritonship.triton import probe
from tritonship.triton.backend_dir import STUB, prepare_backend_dir
from tritonship.triton.launcher import Ports, free_ports, not_ready_message, server_command, server_env
from tritonship.triton.locate import TritonInstall, locate_tritonserver


def test_server_command_binds_loopback_on_given_ports_and_survives_failed_loads():
    argv = server_command(Path("/bin/tritonserver"), Path("/repo"), Ports(1, 2, 3), Path("/be"), ["--log-verbose=1"])
    assert argv[0] == "/bin/tritonserver"
    for flag in ("--model-repository=/repo", "--http-address=127.0.0.1", "--http-port=1", "--grpc-port=2",
                 "--metrics-port=3", "--grpc-address=127.0.0.1", "--metrics-address=127.0.0.1",
                 "--exit-on-error=false", "--backend-directory=/be"):
        assert flag in argv
    assert argv[-1] == "--log-verbose=1"
    bare = server_command(Path("t"), Path("r"), Ports(1, 2, 3), None)
    assert not any(a.startswith("--backend-directory") for a in bare)


def test_server_env_puts_wheel_libs_and_python_first():
    install = TritonInstall(Path("/w/bin/tritonserver"), "nvidia-pytriton", Path("/w"), Path("/libs"))
    env = server_env(install, {"PATH": "/usr/bin", "LD_LIBRARY_PATH": "/old"}, {"X": "1"}, Path("/venv/bin"))
    assert env["LD_LIBRARY_PATH"] == f"/libs{os.pathsep}/old"
    assert env["PATH"].split(os.pathsep)[0] == "/venv/bin"
    assert env["X"] == "1"


def test_free_ports_are_distinct():
    ports = free_ports(3)
    assert len(set(ports)) == 3


def _fake_binary(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_locate_order_flag_env_path(tmp_path):
    flag = _fake_binary(tmp_path / "a" / "tritonserver")
    env_bin = _fake_binary(tmp_path / "b" / "tritonserver")
    on_path = _fake_binary(tmp_path / "c" / "tritonserver")
    environ = {"TRITONSERVER": str(env_bin), "PATH": str(on_path.parent)}
    assert locate_tritonserver(str(flag), environ).binary == flag
    assert locate_tritonserver(None, environ).source == "env"
    found = locate_tritonserver(None, {"PATH": str(on_path.parent)})
    assert (found.binary, found.source) == (on_path, "path")
    with pytest.raises(BadInput, match="--tritonserver"):
        locate_tritonserver(str(tmp_path / "missing"), {})


def test_locate_falls_back_to_the_installed_wheel():
    found = locate_tritonserver(None, {"PATH": ""})
    assert found.source == "nvidia-pytriton" and found.from_wheel and found.libs_dir is not None


def test_backend_dir_holds_backend_and_matching_stub(tmp_path):
    root = tmp_path / "pytriton" / "tritonserver"
    (root / "backends" / "python").mkdir(parents=True)
    (root / "backends" / "python" / "libtriton_python.so").write_text("so")
    _fake_binary(root / "python_backend_stubs" / "3.11" / STUB)
    install = TritonInstall(_fake_binary(root / "bin" / "tritonserver"), "flag", root, None)
    built = prepare_backend_dir(install, python="3.11", cache=tmp_path / "cache")
    assert (built / "python" / "libtriton_python.so").is_file() and (built / "python" / STUB).is_file()
    assert prepare_backend_dir(install, python="3.11", cache=tmp_path / "cache") == built  # reused
    assert prepare_backend_dir(TritonInstall(Path("/x"), "path"), cache=tmp_path) is None


def test_index_decisions_and_message():
    index = probe.parse_index([
        {"name": "a", "version": "1", "state": "READY"},
        {"name": "b", "version": "1", "state": "UNAVAILABLE", "reason": "boom"},
    ])
    assert probe.settled(index)
    assert [e.name for e in probe.failed(index)] == ["b"]
    assert not probe.settled([*index, probe.IndexEntry("c", "1", "LOADING", "")])
    assert "b (version 1): UNAVAILABLE: boom" in not_ready_message(probe.failed(index))


class FakeClock:
    """A controlled clock: sleep advances time instead of waiting."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_wait_settled_gives_up_on_an_unreachable_server_after_the_timeout():
    from tritonship.errors import InfraError
    from tritonship.triton.launcher import wait_settled

    clock = FakeClock()
    url = f"127.0.0.1:{free_ports(1)[0]}"
    with pytest.raises(InfraError, match="is not reachable within 5s"):
        wait_settled(url, 5, clock=clock, sleep=clock.sleep)
    assert 5 < clock.now < 6


def test_wait_settled_reports_a_dead_server_at_once():
    from tritonship.triton.launcher import ServerExited, wait_settled

    with pytest.raises(ServerExited) as caught:
        wait_settled("127.0.0.1:1", 60, exited=lambda: "E0000 boom")
    assert caught.value.tail == "E0000 boom"

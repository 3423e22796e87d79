"""Build the agent's wheel (and the stand-ins' wheel) from a copy of the sources and list them: the agent
ships its templates and assets but no stand-in; the stand-ins ship the simulator and nothing of the agent."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
AGENT = ROOT / "agent" / "tritonship"
_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")


def _wheel(source: Path, out: Path) -> list[str]:
    """`pip wheel` without network (no deps, no build isolation) into OUT; the names inside the wheel."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", str(source), "-w", str(out)],
        check=True, capture_output=True, text=True,
    )
    (wheel,) = out.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return archive.namelist()


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    # Build from a copy: setuptools writes build/ and *.egg-info next to the sources it builds.
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(ROOT / "agent", src / "agent", ignore=_IGNORE)
    shutil.copytree(ROOT / "standins", src / "standins", ignore=_IGNORE)
    return {
        "agent": _wheel(src, tmp_path_factory.mktemp("agent-wheel")),
        "standins": _wheel(src / "standins", tmp_path_factory.mktemp("standins-wheel")),
    }


def _top_level(names: list[str]) -> set[str]:
    return {name.split("/", 1)[0] for name in names if ".dist-info/" not in name}


def test_the_agent_wheel_holds_no_stand_in(wheels: dict[str, list[str]]) -> None:
    names = wheels["agent"]
    assert _top_level(names) == {"tritonship"}
    assert "tritonship/cli.py" in names
    assert [n for n in names if n.startswith("tritonship/testing/") or "standins" in n] == []


def test_the_agent_wheel_still_holds_its_templates_and_assets(wheels: dict[str, list[str]]) -> None:
    expected = {
        path.relative_to(AGENT.parent).as_posix()
        for folder in ("templates", "deploy/assets")
        for path in (AGENT / folder).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert len(expected) > 5
    assert expected - set(wheels["agent"]) == set()


def test_the_stand_ins_wheel_holds_the_simulator_and_nothing_of_the_agent(wheels: dict[str, list[str]]) -> None:
    names = wheels["standins"]
    assert _top_level(names) == {"tritonship_standins"}
    for module in ("kube/server.py", "kube/__main__.py", "jenkins.py", "jenkins_xml.py", "canary_stack.py"):
        assert f"tritonship_standins/{module}" in names

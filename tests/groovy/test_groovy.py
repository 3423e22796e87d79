"""Runs the Groovy suites on Debian's groovy 2.4.21 (Jenkins' own Groovy): all test classes in ONE JVM,
then one pytest test per Groovy test case, failing with the Groovy output. Also: every file in vars/ and
pipelines/ (and the Jenkinsfile) compiles with groovyc, and no step interpolates into a double-quoted sh."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import ROOT

pytestmark = pytest.mark.integration

HERE = Path(__file__).resolve().parent
SNAKEYAML = Path("/usr/share/java/snakeyaml.jar")
# the library's src/ (classes the vars import) is on the classpath, as Jenkins puts it for a shared library
CLASSPATH = os.pathsep.join([str(HERE / "harness"), str(HERE / "stubs"), str(ROOT / "src"), str(SNAKEYAML)])
TEST_FILES = sorted(HERE.glob("*Test.groovy"))


def _cases() -> list[str]:
    cases = []
    for path in TEST_FILES:
        for name in re.findall(r"^\s*void\s+(test\w+)\s*\(\s*\)", path.read_text(), re.M):
            cases.append(f"{path.name}::{name}")
    return cases


def _java_env() -> dict[str, str]:
    env = dict(os.environ)
    agent_bin = Path(sys.executable).parent
    if (agent_bin / "tritonship").exists():  # RealCliTest runs the agent installed beside this Python
        env["TRITONSHIP_TEST_AGENT_BIN"] = str(agent_bin)
    if not env.get("JAVA_HOME"):
        java = shutil.which("java")
        if java:
            env["JAVA_HOME"] = str(Path(os.path.realpath(java)).parent.parent)
    return env


def _require_groovy() -> None:
    if not shutil.which("groovy") or not SNAKEYAML.exists():
        pytest.fail("groovy and libyaml-snake-java are needed: run `make setup` (Debian packages)")


@pytest.fixture(scope="session")
def groovy_results(tmp_path_factory) -> dict[str, dict]:
    _require_groovy()
    out = tmp_path_factory.mktemp("groovy") / "results.json"
    cmd = ["groovy", "-cp", CLASSPATH, str(HERE / "run.groovy"), str(ROOT), str(out), *map(str, TEST_FILES)]
    # every pipeline test runs real bash for its sh steps: on a busy 2-core machine the whole run takes minutes
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=_java_env(), timeout=540, check=False)
    if not out.exists():
        pytest.fail(f"the Groovy runner failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return {f"{r['file']}::{r['test']}": r for r in json.loads(out.read_text())}


@pytest.mark.timeout(600)  # the first case also runs the session's Groovy JVM (see groovy_results)
@pytest.mark.parametrize("case", _cases())
def test_groovy(case: str, groovy_results: dict[str, dict]) -> None:
    compile_error = groovy_results.get(case.split("::", 1)[0] + "::<compile>")
    if compile_error:
        pytest.fail(compile_error["message"], pytrace=False)
    result = groovy_results.get(case)
    assert result is not None, f"{case} did not run"
    if not result["ok"]:
        pytest.fail(result["message"], pytrace=False)


def test_every_groovy_file_compiles_with_groovyc(tmp_path) -> None:
    _require_groovy()
    files = [*sorted((ROOT / "vars").glob("*.groovy")), *sorted((ROOT / "pipelines").glob("*.groovy")),
             *sorted((ROOT / "src").rglob("*.groovy")), ROOT / "Jenkinsfile"]
    cmd = ["groovyc", "--configscript", str(HERE / "stubs" / "compiler-config.groovy"), "-cp", CLASSPATH,
           "-d", str(tmp_path), *map(str, files)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=_java_env(), timeout=180, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for path in files:
        package = path.parent.relative_to(ROOT / "src") if path.is_relative_to(ROOT / "src") else ""
        assert (tmp_path / package / f"{path.stem}.class").exists(), f"{path.name} produced no class"


def test_the_seed_script_compiles_with_groovy_alone(tmp_path) -> None:
    """Job DSL runs seed.groovy with its own classloader: it may import nothing beyond Groovy and the JDK."""
    _require_groovy()
    script = ROOT / "pipelines" / "seed.groovy"
    imports = re.findall(r"^import\s+([\w.]+)", script.read_text(), re.M)
    assert all(name.startswith(("groovy.", "java.")) for name in imports), imports
    proc = subprocess.run(["groovyc", "-d", str(tmp_path), str(script)], capture_output=True, text=True, cwd=ROOT,
                          env=_java_env(), timeout=180, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_no_step_reads_tritonship_yaml_to_decide() -> None:
    """Decisions come from `tritonship plan`; Groovy never parses the spec itself."""
    offenders = [p.name for p in (ROOT / "vars").glob("*.groovy") if "readYaml" in p.read_text()]
    assert offenders == []


def test_every_step_has_a_help_page() -> None:
    steps = sorted(p.stem for p in (ROOT / "vars").glob("*.groovy"))
    missing = [s for s in steps if not (ROOT / "vars" / f"{s}.txt").is_file()]
    assert steps and not missing


def test_no_step_interpolates_into_a_double_quoted_sh() -> None:
    pattern = re.compile(r"""\bsh\s*\(?\s*(?:script\s*:\s*)?"[^"\n]*\$\{""")
    offenders = [f"{p.name}:{n}" for p in (ROOT / "vars").glob("*.groovy")
                 for n, line in enumerate(p.read_text().splitlines(), 1) if pattern.search(line)]
    assert offenders == []

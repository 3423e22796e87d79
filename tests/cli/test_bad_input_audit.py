"""Bad-input audit: realistic user mistakes through the real CLI get a clear message and the documented
exit code (2 bad input, 3 infrastructure), never a traceback or an "internal error".

One table: (case id, argv with {tmp}/{spec}/{repo} placeholders, extra environment, exit code, words the
message must contain). Each case reaches only loopback ports that nothing listens on (port 1).
"""

from __future__ import annotations

import json
import shutil

import pytest
from tests.conftest import EXAMPLE_REPO, EXAMPLES, ROOT

DIGEST = "sha256:" + "a" * 64

CASES = [
    # --report-dir that cannot be created: refused before any work, not an internal error after it
    ("report-dir-under-a-file", ["validate", "{repo}", "--report-dir", "{tmp}/afile/sub"], {}, 2, ["is a file"]),
    ("report-dir-unwritable", ["--json", "validate", "{repo}", "--report-dir", "/proc/tritonship-audit"], {}, 2,
     ["report-dir"]),
    # KUBECONFIG pointing at garbage: bad input naming the file, for every cluster verb
    ("kubeconfig-not-yaml", ["history", "--env", "dev", "--spec", "{spec}"], {"KUBECONFIG": "{tmp}/kube_garbage"},
     2, ["kubeconfig", "kube_garbage"]),
    ("kubeconfig-not-utf8", ["status", "--env", "dev", "--spec", "{spec}"], {"KUBECONFIG": "{tmp}/binary"}, 2,
     ["kubeconfig", "binary"]),
    ("kubeconfig-a-directory", ["rollback", "--env", "dev", "--spec", "{spec}"], {"KUBECONFIG": "{tmp}/adir"}, 2,
     ["kubeconfig", "adir"]),
    ("kubeconfig-a-list", ["promote", "--env", "dev", "--image", f"reg.example/x@{DIGEST}", "--spec", "{spec}"],
     {"KUBECONFIG": "{tmp}/list.json"}, 2, ["kubeconfig", "list.json"]),
    # perf flags: budgets the schema refuses, ranges that are empty or huge, URLs that are not HOST:PORT
    ("perf-negative-budget", ["perf", "--url", "127.0.0.1:1", "--model", "m", "--p99-ms", "-1"], {}, 2, ["--p99-ms"]),
    ("perf-negative-throughput", ["perf", "--url", "127.0.0.1:1", "--model", "m", "--min-throughput", "-5"], {}, 2,
     ["--min-throughput"]),
    ("perf-backwards-range", ["perf", "--url", "127.0.0.1:1", "--model", "m", "--concurrency", "16:1"], {}, 2,
     ["start <= end"]),
    ("perf-huge-range", ["perf", "--url", "127.0.0.1:1", "--model", "m", "--concurrency", "1:100000000"], {}, 2,
     ["larger step"]),
    ("perf-spec-level-zero", ["perf", "--url", "127.0.0.1:1", "--spec", "{tmp}/conc_zero.yaml"], {}, 2,
     ["perf.concurrency"]),
    ("perf-url-port-range", ["perf", "--url", "127.0.0.1:99999", "--model", "m"], {}, 2, ["PORT 1-65534"]),
    ("perf-url-https", ["perf", "--url", "https://127.0.0.1:1", "--model", "m"], {}, 2, ["plain HTTP"]),
    ("perf-url-http-scheme-unreachable", ["perf", "--url", "http://127.0.0.1:1", "--model", "m"], {}, 3,
     ["cannot reach Triton at 127.0.0.1:1"]),
    # smoke: a zero timeout, a port out of range, a server log that cannot be written
    ("smoke-timeout-zero", ["smoke", "--url", "127.0.0.1:1", "--timeout", "0"], {}, 2, ["--timeout"]),
    ("smoke-url-port-range", ["smoke", "--url", "127.0.0.1:99999", "--timeout", "1"], {}, 2, ["PORT 1-65534"]),
    ("smoke-server-log-under-a-file", ["smoke", "--repository", "{repo}", "--server-log", "{tmp}/afile/x.log"], {},
     2, ["server log", "afile"]),
    ("spec-negative-shape", ["validate", "--spec", "{tmp}/shape_neg.yaml"], {}, 2, ["smoke.shapes.sum_varlen.X.0"]),
    # init pointed at the project root instead of its model repository, or at a folder without models
    ("init-project-root", ["init", "{examples}", "-o", "{tmp}/out.yaml"], {}, 2,
     ["no model directory with a config.pbtxt", "model_repository"]),
    ("init-empty-folder", ["init", "{tmp}/adir", "-o", "{tmp}/out.yaml"], {}, 2, ["no model directory"]),
    # spec: environments promoted from each other in a circle
    ("spec-from-loop", ["render", "--env", "dev", "--spec", "{tmp}/from_loop.yaml"], {}, 2,
     ["makes a loop (staging -> staging)"]),
    # a .tritonshipignore that cannot be read must not silently let files into the digest and the image
    ("ignore-file-not-utf8-validate", ["validate", "{tmp}/repo_badignore"], {}, 2, ["not UTF-8", ".tritonshipignore"]),
    ("ignore-file-not-utf8-build", ["build", "--dry-run", "--repository", "{tmp}/repo_badignore", "--registry",
                                    "127.0.0.1:1/ml", "--name", "x"], {}, 2, ["not UTF-8"]),
    # seed: a Jenkins URL that is not one; a models.yaml of the wrong shape says what the file is
    ("seed-jenkins-not-a-url", ["seed", "--jenkins", "not-a-url", "--config", "{models}"], {}, 2, ["--jenkins"]),
    ("seed-jenkins-bad-port", ["seed", "--jenkins", "http://127.0.0.1:99999", "--config", "{models}"], {}, 2,
     ["--jenkins", "out of range"]),
    ("seed-models-wrong-type", ["seed", "--jenkins", "http://127.0.0.1:1", "--config", "{tmp}/models_str.yaml"], {},
     2, ["invalid list of model projects", "models_str.yaml:1"]),
]


@pytest.fixture
def audit_files(tmp_path):
    (tmp_path / "afile").write_text("x\n")
    (tmp_path / "adir").mkdir()
    (tmp_path / "kube_garbage").write_text("not yaml: : :\n")
    (tmp_path / "binary").write_bytes(b"\xff\xfe\x00bad")
    (tmp_path / "list.json").write_text("[1, 2]\n")
    (tmp_path / "empty").write_text("")
    (tmp_path / "models_str.yaml").write_text("projects: notalist\n")
    spec = (EXAMPLES / "tritonship.yaml").read_text()
    shutil.copytree(EXAMPLE_REPO, tmp_path / "repo_badignore")
    (tmp_path / "repo_badignore" / ".tritonshipignore").write_bytes(b"\xff\xfe*.bak\n")
    (tmp_path / "shape_neg.yaml").write_text(spec.replace("sum_varlen: { X: [6] }", "sum_varlen: { X: [-3] }"))
    (tmp_path / "from_loop.yaml").write_text(spec.replace("    from: dev", "    from: staging"))
    (tmp_path / "conc_zero.yaml").write_text(spec.replace("concurrency: [1, 4]", "concurrency: [0, 4]"))
    return tmp_path


def _fill(value: str, tmp) -> str:
    return value.format(tmp=tmp, spec=EXAMPLES / "tritonship.yaml", repo=EXAMPLE_REPO, examples=EXAMPLES,
                        models=ROOT / "pipelines" / "models.yaml")


@pytest.mark.parametrize(("argv", "env", "code", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_gets_a_clear_message_and_exit_code(run_cli, audit_files, argv, env, code, words):
    env = {"KUBERNETES_SERVICE_HOST": ""} | {k: _fill(v, audit_files) for k, v in env.items()}
    result = run_cli(*[_fill(a, audit_files) for a in argv], env=env)
    output = result.stdout + result.stderr
    assert result.exit_code == code, output
    assert "Traceback" not in output
    assert "internal error" not in output
    for word in words:
        assert word in output, output
    if "--json" in argv:
        doc = json.loads(result.stdout)
        assert doc["status"] == "error" and doc["exit_code"] == code


def test_perf_with_an_empty_repository_flag_and_no_spec_is_bad_input(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no ./tritonship.yaml here
    result = run_cli("perf", "--repository", "", "--model", "m")
    assert result.exit_code == 2, result.stderr
    assert "'--repository': is empty" in result.stderr and "internal error" not in result.stderr


@pytest.mark.parametrize("argv", [["promote"], ["perf", "--batch", "0"], ["rollback", "--env", "dev", "--to", "abc"]],
                         ids=["missing-option", "out-of-range", "not-an-integer"])
def test_usage_errors_still_write_the_json_document_and_result_json(run_cli, tmp_path, argv):
    """Jenkins reads result.json (and --json users stdout) even when click rejects a flag."""
    result = run_cli("--json", "--report-dir", str(tmp_path / "r"), *argv)
    assert result.exit_code == 2
    printed = json.loads(result.stdout)
    written = json.loads((tmp_path / "r" / "result.json").read_text())
    assert printed == written
    assert written["verb"] == argv[0] and written["status"] == "error" and written["error"]["kind"] == "bad_input"
    assert f"tritonship {argv[0]} --help" in written["error"]["hint"]


CANARY_DEV = """
    strategy:
      canary:
        steps:
          - set_weight: 50
          - analysis: {}
    analysis:
      prometheus: http://127.0.0.1:1
      metrics:
        - { name: success-rate, builtin: success_rate, success: { min: 0.99 } }
"""


@pytest.fixture
def canary_project(tmp_path):
    """The example project with a canary in dev, on a Kubernetes simulator, after one good release."""
    from tritonship_standins.kube import KubeSimulator

    spec = (EXAMPLES / "tritonship.yaml").read_text().replace("model_repository: model_repository",
                                                              f"model_repository: {EXAMPLE_REPO}")
    spec = spec.replace("    strategy: rolling\n", CANARY_DEV, 1)
    (tmp_path / "tritonship.yaml").write_text(spec)
    with KubeSimulator(nodes=1, ready_delay=0.1, namespaces=("models-dev",)) as sim:
        yield tmp_path / "tritonship.yaml", sim.write_kubeconfig(tmp_path / "kubeconfig")


@pytest.mark.integration
@pytest.mark.parametrize(("prometheus", "words"), [("junk", ["expected http(s)://HOST"]),
                                                   ("ftp://prom.example", ["expected http(s)://HOST"]),
                                                   ("http://127.0.0.1:99999", ["out of range"])])
def test_a_malformed_prometheus_url_is_bad_input_before_the_canary_starts(run_cli, canary_project, prometheus,
                                                                          words):
    spec, kubeconfig = canary_project
    env = {"KUBECONFIG": str(kubeconfig), "KUBERNETES_SERVICE_HOST": "", "BUILD_URL": ""}
    first = f"127.0.0.1:5000/ml/x@sha256:{'a' * 64}"
    args = ["promote", "--env", "dev", "--skip-preflight", "image", "--spec", str(spec), "--json"]
    assert run_cli(*args, "--image", first, env=env).exit_code == 0  # first release: no canary, no analysis
    result = run_cli(*args, "--image", f"127.0.0.1:5000/ml/x@sha256:{'b' * 64}",
                     env=env | {"TRITONSHIP_PROMETHEUS_URL": prometheus})
    output = result.stdout + result.stderr
    assert result.exit_code == 2, output
    assert "TRITONSHIP_PROMETHEUS_URL" in output and "internal error" not in output
    for word in words:
        assert word in output, output
    status = run_cli("status", "--env", "dev", "--spec", str(spec), "--json", env=env).json()
    assert status["running"]["image"] == first
    assert status["in_progress"] is None  # nothing recorded: the next promotion starts clean


@pytest.fixture(scope="module")
def triton():
    """One CPU tritonserver on the example repository for the cases below (a real server, stopped after)."""
    from tritonship.triton.launcher import launch_local

    with launch_local(EXAMPLE_REPO, timeout=120) as server:
        yield server.http_url


def _golden(tmp, text: str) -> str:
    (tmp / "golden" / "add_sub").mkdir(parents=True)
    (tmp / "golden" / "add_sub" / "case.json").write_text(text)
    return str(tmp / "golden")


GOLDEN = '{"inputs": {"INPUT0": [[1, 2, 3, 4]], "INPUT1": [[1, 1, 1, 1]]}, "expected": {"OUTPUT0": [[2, 3, 4, 5]]}'
PERF = ["perf", "--concurrency", "1", "--window", "0.1", "--max-trials", "3", "--warmup-requests", "1"]

SERVER_CASES = [
    # user data and flags that only the model's config can judge: still exit 2, never an internal error
    ("perf-npy-not-an-array", [*PERF, "--model", "add_sub", "--input-data", "{npy}"], ["not a readable .npy"]),
    ("perf-batch-on-a-model-that-does-not-batch", [*PERF, "--model", "scale_fp16", "--batch", "4"],
     ["does not batch"]),
    ("smoke-golden-atol-not-a-number", ["smoke", "--models", "add_sub", "--protocol", "http", "--golden",
                                        "{golden_atol}"], ["atol must be a number"]),
    ("smoke-golden-negative-rtol", ["smoke", "--models", "add_sub", "--protocol", "http", "--golden",
                                    "{golden_rtol}"], ["rtol must be a number"]),
]


@pytest.mark.integration
@pytest.mark.parametrize(("argv", "words"), [c[1:] for c in SERVER_CASES], ids=[c[0] for c in SERVER_CASES])
def test_bad_input_judged_against_a_real_triton(run_cli, triton, tmp_path, argv, words):
    (tmp_path / "npy").mkdir()
    (tmp_path / "npy" / "INPUT0.npy").write_text("not numpy\n")
    (tmp_path / "npy" / "INPUT1.npy").write_text("not numpy\n")
    (tmp_path / "a").mkdir()
    (tmp_path / "r").mkdir()
    values = {"npy": str(tmp_path / "npy"), "golden_atol": _golden(tmp_path / "a", GOLDEN + ', "atol": "x"}'),
              "golden_rtol": _golden(tmp_path / "r", GOLDEN + ', "rtol": -1}')}
    result = run_cli(*[a.format(**values) for a in argv], "--url", triton, "--json")
    output = result.stdout + result.stderr
    assert result.exit_code == 2, output
    assert "Traceback" not in output and "internal error" not in output
    for word in words:
        assert word in output, output

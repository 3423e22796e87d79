"""`tritonship smoke` end to end against the real tritonserver (one server per scenario module-wide)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.conftest import EXAMPLES

from tritonship.triton.launcher import free_ports

pytestmark = pytest.mark.integration


def _models(doc: dict) -> dict[str, dict]:
    return {m["name"]: m for m in doc["smoke"]["models"]}


def test_example_passes_over_both_protocols_with_golden_cases(run_cli, good_golden, tmp_path):
    reports = tmp_path / "reports"
    result = run_cli("smoke", "--spec", str(EXAMPLES / "tritonship.yaml"), "--golden", str(good_golden),
                     "--json", "--report-dir", str(reports))
    assert result.exit_code == 0, result.stdout + result.stderr
    doc = result.json()
    assert doc["status"] == "passed" and doc["smoke"]["failed_models"] == []
    models = _models(doc)
    assert set(models) == {"add_sub", "add_sub_sum", "scale_fp16", "sum_varlen", "text_upper"}
    assert models["add_sub_sum"]["kind"] == "ensemble"
    for model in models.values():
        protocols = {c["protocol"] for c in model["checks"] if not c["skipped"]}
        assert {"http", "grpc"} <= protocols, model["name"]
    names = {c["name"] for c in models["add_sub"]["checks"]}
    assert {"metadata", "infer batch=1", "infer batch=8", "golden small"} <= names
    assert {"golden words"} <= {c["name"] for c in models["text_upper"]["checks"]}
    assert {"infer unbatched", "golden ramp"} <= {c["name"] for c in models["scale_fp16"]["checks"]}
    junit = (reports / "junit.xml").read_text()
    assert junit.count("<testcase ") == 10 and 'failures="0"' in junit
    assert json.loads((reports / "result.json").read_text())["status"] == "passed"
    assert (reports / "tritonserver.log").stat().st_size > 0


@pytest.fixture(scope="module")
def broken_run(module_cli, broken_repository, bad_golden, tmp_path_factory):
    """ONE smoke run over the repository of broken models (and a wrong golden case for add_sub)."""
    reports = tmp_path_factory.mktemp("broken-reports")
    result = module_cli("smoke", "--repository", str(broken_repository), "--golden", str(bad_golden),
                     "--json", "--report-dir", str(reports))
    return result, result.json(), reports


@pytest.fixture(scope="module")
def module_cli():
    """The root `run_cli`, usable by module-scoped fixtures (one shared run per module)."""
    from click.testing import CliRunner
    from tests.conftest import CliResult, _entry

    def run(*args: str) -> CliResult:
        out = CliRunner().invoke(_entry, list(args), catch_exceptions=False)
        return CliResult(out.exit_code, out.stdout, out.stderr)

    return run


def test_broken_models_fail_the_gate_each_named(broken_run):
    result, doc, _ = broken_run
    assert result.exit_code == 1
    assert doc["status"] == "failed"
    assert set(doc["smoke"]["failed_models"]) == {"load_fails", "execute_raises", "returns_nan", "add_sub"}


def test_load_failure_reports_the_servers_reason_and_log_lines(broken_run):
    model = _models(broken_run[1])["load_fails"]
    assert model["state"] == "UNAVAILABLE"
    assert "deliberately broken at load" in model["reason"]
    assert model["log_lines"] and all("load_fails" in line for line in model["log_lines"])


def test_execute_raising_is_named_with_its_error(broken_run):
    model = _models(broken_run[1])["execute_raises"]
    assert model["state"] == "READY" and not model["passed"]
    assert any("deliberately broken in execute" in p for p in model["problems"])
    failed_protocols = {c["protocol"] for c in model["checks"] if not c["passed"]}
    assert failed_protocols == {"http", "grpc"}


def test_nan_output_fails(broken_run):
    model = _models(broken_run[1])["returns_nan"]
    assert any("non-finite" in p and "output Y" in p for p in model["problems"])


def test_golden_mismatch_names_the_worst_element(broken_run):
    model = _models(broken_run[1])["add_sub"]
    golden = [p for p in model["problems"] if p.startswith("golden wrong")]
    assert golden, model["problems"]
    assert "index [0, 2]" in golden[0] and "expected 40.0" in golden[0] and "got 4.0" in golden[0]


def test_decoupled_model_streams_over_grpc(broken_run):
    model = _models(broken_run[1])["decoupled_repeat"]
    assert model["passed"] and model["kind"] == "decoupled"
    streamed = [c for c in model["checks"] if c["name"].startswith("stream") and c["protocol"] == "grpc"]
    assert streamed and all(c["passed"] for c in streamed)
    assert all(c["skipped"] for c in model["checks"] if c["protocol"] == "http")


def test_every_data_type_round_trips_over_both_protocols(broken_run):
    model = _models(broken_run[1])["all_types"]
    assert model["passed"], model["problems"]
    ran = {(c["name"], c["protocol"]) for c in model["checks"]}
    assert {("infer batch=1", "http"), ("infer batch=2", "http"), ("infer batch=1", "grpc"),
            ("infer batch=2", "grpc")} <= ran


def test_junit_has_a_case_per_model_and_protocol_with_the_log_on_failure(broken_run):
    junit = (broken_run[2] / "junit.xml").read_text()
    assert junit.count("<testcase ") == 6 * 2
    assert 'name="execute_raises:1 [grpc]"' in junit
    failure_start = junit.index('name="load_fails:')
    case = junit[failure_start:junit.index("</testcase>", failure_start)]
    assert "<failure" in case and "deliberately broken at load" in case and "<system-out>" in case


def test_unreachable_url_is_exit_3_after_the_timeout(run_cli):
    port = free_ports(1)[0]
    result = run_cli("smoke", "--url", f"127.0.0.1:{port}", "--timeout", "1")
    assert result.exit_code == 3
    assert "not reachable" in result.stderr and "Traceback" not in result.stderr


def test_url_mode_checks_a_running_server_and_require_gpu_fails_on_cpu(run_cli, tiny_repository):
    from tritonship.triton.launcher import launch_local

    with launch_local(Path(tiny_repository)) as server:
        urls = ("--url", server.http_url, "--grpc-url", server.grpc_url, "--metrics-url", server.metrics_url)
        result = run_cli("smoke", *urls, "--json")
        gpu = run_cli("smoke", *urls, "--require-gpu", "--json")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert _models(result.json())["add_sub"]["passed"]
    assert gpu.exit_code == 1
    assert gpu.json()["smoke"]["gpu"]["problems"] == ["the server exposes no GPU metrics: it sees no GPU"]

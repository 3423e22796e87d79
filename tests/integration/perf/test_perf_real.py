"""`tritonship perf` against a real tritonserver: counts against the server's statistics, reports, gates."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

SHORT = ("--window", "0.5", "--max-trials", "6", "--stability-pct", "30", "--warmup-requests", "10")


def perf(run_cli, server, *args):
    return run_cli("perf", "--url", server.http_url, "--grpc-url", server.grpc_url, *SHORT, *args)


def test_http_run_counts_match_server_and_writes_every_report(run_cli, perf_server, server_counts, tmp_path):
    before = server_counts("add_sub")
    result = perf(run_cli, perf_server, "--model", "add_sub", "--concurrency", "1,4", "--p99-ms", "1000",
                  "--max-error-rate", "0", "--report-dir", str(tmp_path))
    assert result.exit_code == 0, result.stdout + result.stderr
    doc = json.loads((tmp_path / "result.json").read_text())
    assert doc["verb"] == "perf" and doc["status"] == "passed"
    levels = doc["levels"]
    assert [lv["concurrency"] for lv in levels] == [1, 4]
    for lv in levels:
        assert lv["counts"]["matches"], lv["counts"]
        assert lv["errors"] == 0 and lv["throughput"] > 0
        assert 0 < lv["latency_ms"]["p50"] <= lv["latency_ms"]["p99"] <= lv["latency_ms"]["max"]
        assert lv["server"]["success"] > 0 and lv["server"]["compute_infer_ms"] > 0
        assert 0 < lv["client_cpu_us_per_request"] < 1e6  # CPU the client spent per request, microseconds
    assert sum(lv["sent"] for lv in levels) == server_counts("add_sub") - before
    rows = list(csv.DictReader((tmp_path / "perf.csv").open()))
    assert [r["Concurrency"] for r in rows] == ["1", "4"] and int(rows[0]["p99 latency"]) > 0
    assert (tmp_path / "report.html").read_text().count("<svg") == 3  # + the queue/compute bars
    assert (tmp_path / "report.css").is_file()
    cases = ET.parse(tmp_path / "junit.xml").getroot().iter("testcase")
    assert len(list(cases)) == len(doc["gates"]) == 4
    assert "window" in result.stderr  # progress lines


def test_grpc_run_counts_match(run_cli, perf_server, server_counts):
    before = server_counts("add_sub")
    result = perf(run_cli, perf_server, "--model", "add_sub", "--protocol", "grpc", "--concurrency", "2",
                  "--batch", "4", "--json")
    assert result.exit_code == 0, result.stderr
    level = result.json()["levels"][0]
    assert level["counts"]["matches"] and level["errors"] == 0
    # batch 4: 4 inferences a request. The window's snapshots are read under load, where Triton has counted
    # the inferences of up to `concurrency` executed requests whose success it records only on release
    # (at either end of the window).
    assert level["server"]["inferences"] % 4 == 0
    assert abs(level["server"]["inferences"] - 4 * level["server"]["success"]) <= 4 * 2
    assert level["sent"] == server_counts("add_sub") - before


def test_open_loop_poisson_rate(run_cli, perf_server):
    result = perf(run_cli, perf_server, "--model", "add_sub", "--rate", "200", "--arrivals", "poisson", "--json")
    assert result.exit_code == 0, result.stderr
    level = result.json()["levels"][0]
    assert level["rate"] == 200 and level["arrivals"] == "poisson"
    assert level["counts"]["matches"]
    assert 100 < level["throughput"] < 300  # the schedule, not the server, sets the pace


@pytest.mark.parametrize("protocol", ["http", "grpc"])
def test_failures_are_counted_and_fail_the_error_budget(run_cli, perf_server, protocol):
    result = perf(run_cli, perf_server, "--model", "always_fails", "--protocol", protocol, "--concurrency", "1",
                  "--max-error-rate", "0.01", "--json")
    assert result.exit_code == 1, result.stderr
    doc = result.json()
    level = doc["levels"][0]
    assert level["errors"] > 0 and level["error_rate"] == 1.0
    assert "deliberately failing" in level["first_error"]
    assert level["counts"]["matches"], level["counts"]  # failures are counted by the server too
    assert [g["verdict"] for g in doc["gates"]] == ["fail"]


def test_baseline_passes_for_the_same_model_and_fails_when_slowed(run_cli, perf_server, tmp_path):
    base_dir = tmp_path / "base"
    first = perf(run_cli, perf_server, "--model", "sleepy_fast", "--concurrency", "1", "--report-dir", str(base_dir))
    assert first.exit_code == 0, first.stderr
    baseline = str(base_dir / "result.json")
    same = perf(run_cli, perf_server, "--model", "sleepy_fast", "--concurrency", "1", "--baseline", baseline,
                "--max-increase-pct", "50", "--min-increase-ms", "3", "--json")
    assert same.exit_code == 0, same.stdout
    checks = {g["check"]: g["verdict"] for g in same.json()["gates"]}
    assert checks == {"regression p50": "pass", "regression p99": "pass"}
    slowed = perf(run_cli, perf_server, "--model", "sleepy_slow", "--concurrency", "1", "--baseline", baseline,
                  "--max-increase-pct", "50", "--min-increase-ms", "3", "--json")
    assert slowed.exit_code == 1, slowed.stdout
    gates = {g["check"]: g for g in slowed.json()["gates"]}
    assert gates["regression p50"]["verdict"] == "fail"
    assert "significant" in gates["regression p50"]["detail"]


def test_unknown_model_is_bad_input(run_cli, perf_server):
    result = perf(run_cli, perf_server, "--model", "no_such_model", "--concurrency", "1")
    assert result.exit_code == 2
    assert "no_such_model" in result.stderr and "Traceback" not in result.stderr


def test_unreachable_server_is_infrastructure(run_cli):
    from tritonship.triton.launcher import free_ports

    port = free_ports(1)[0]
    result = run_cli("perf", "--url", f"127.0.0.1:{port}", "--model", "add_sub", "--concurrency", "1")
    assert result.exit_code == 3
    assert "cannot reach" in result.stderr


def test_bad_baseline_is_bad_input(run_cli, perf_server, tmp_path):
    bogus = tmp_path / "result.json"
    bogus.write_text('{"verb": "smoke"}')
    result = perf(run_cli, perf_server, "--model", "add_sub", "--concurrency", "1", "--baseline", str(bogus))
    assert result.exit_code == 2
    assert "not a result.json written by `tritonship perf`" in result.stderr


def test_repository_starts_its_own_server(run_cli, perf_repository):
    result = run_cli("perf", "--repository", str(perf_repository), "--model", "add_sub", "--concurrency", "1",
                     *SHORT, "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["levels"][0]["counts"]["matches"]


def test_spec_supplies_model_and_budgets(run_cli, perf_server):
    from tests.conftest import EXAMPLES

    result = perf(run_cli, perf_server, "--spec", str(EXAMPLES / "tritonship.yaml"), "--concurrency", "1", "--json")
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    assert doc["model"] == "add_sub"
    assert [g["check"] for g in doc["gates"]] == ["p99 budget", "max error rate",  # from examples/tritonship.yaml
                                                  "regression"]  # configured there, no baseline: said, not failed
    assert doc["regression"] == {"status": "absent", "required": False} and doc["gates"][-1]["verdict"] == "pass"


def test_user_input_data(run_cli, perf_server, tmp_path):
    data = tmp_path / "data.json"
    entry = {"INPUT0": [1, 2, 3, 4], "INPUT1": {"content": [1, 1, 1, 1], "shape": [1, 4]}}
    data.write_text(json.dumps({"data": [entry]}))
    result = perf(run_cli, perf_server, "--model", "add_sub", "--concurrency", "1", "--input-data", str(data), "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["levels"][0]["counts"]["matches"]
    data.write_text(json.dumps({"data": [{"INPUT0": [1, 2, 3]}]}))
    bad = perf(run_cli, perf_server, "--model", "add_sub", "--concurrency", "1", "--input-data", str(data))
    assert bad.exit_code == 2 and "--input-data" in bad.stderr


def test_two_worker_processes_share_the_load(run_cli, perf_server, server_counts):
    before = server_counts("add_sub")
    result = perf(run_cli, perf_server, "--model", "add_sub", "--concurrency", "4", "--workers", "2", "--json")
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    level = doc["levels"][0]
    assert doc["workers"] == 2
    assert level["counts"]["matches"] and level["sent"] == server_counts("add_sub") - before

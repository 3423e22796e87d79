"""The regression gate is never silently absent: configured without a baseline, perf says so in every
output (terminal warning, gates, JUnit, result.json) and fails only with `regression.required: true`."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

from tests.unit.perf.builders import perf_result

from tritonship.perf.options import perf_config
from tritonship.perf.result import to_dict
from tritonship.perf.runner import regression_status
from tritonship.present.perf import junit_cases
from tritonship.spec.perf import PerfSpec


def config(tmp_path, perf: dict, **flags):
    spec = SimpleNamespace(perf=PerfSpec.model_validate({"model": "m", **perf}), base_dir=tmp_path,
                           smoke=SimpleNamespace(shapes={}))
    return perf_config(spec, flags)


def test_not_configured_is_off(tmp_path):
    assert regression_status(config(tmp_path, {})) == ("off", [])


def test_configured_without_baseline_is_a_warning(tmp_path):
    status, checks = regression_status(config(tmp_path, {"regression": {"max_increase_pct": 5}}))
    assert status == "absent" and len(checks) == 1
    assert checks[0].passed and "not checked" in checks[0].detail and "--baseline-from" in checks[0].detail


def test_a_regression_flag_counts_as_configured(tmp_path):
    assert regression_status(config(tmp_path, {}, max_increase_pct=5.0))[0] == "absent"


def test_required_fails_and_every_output_says_so(tmp_path):
    status, checks = regression_status(config(tmp_path, {"regression": {"required": True}}))
    assert status == "absent" and not checks[0].passed
    result = replace(perf_result(checks=tuple(checks)), regression=status, regression_required=True)
    assert not result.passed
    assert any("regression.required" in w for w in result.warnings)
    doc = to_dict(result)
    assert doc["regression"] == {"status": "absent", "required": True}
    assert doc["gates"][0]["verdict"] == "fail" and doc["warnings"]
    assert [c.name for c in junit_cases(result)] == ["all regression"] and junit_cases(result)[0].failure


def test_a_baseline_means_checked(tmp_path):
    import json

    from tritonship.perf.result import to_dict as doc_of
    from tritonship.present.common import envelope

    path = tmp_path / "base.json"
    path.write_text(json.dumps(envelope("perf", "passed", 0) | doc_of(perf_result())))
    assert regression_status(config(tmp_path, {"regression": {"required": True}}, baseline=str(path))) == (
        "checked", [])


def test_baseline_from_an_environment_without_one_says_why(tmp_path):
    import pytest

    from tritonship.deploy.perf_baseline import Found
    from tritonship.errors import BadInput

    found = Found(None, "prod (sha256:abc)", "no perf result was kept for prod")
    spec = SimpleNamespace(perf=PerfSpec.model_validate({"model": "m"}), base_dir=tmp_path,
                           smoke=SimpleNamespace(shapes={}))
    config_ = perf_config(spec, {"baseline_from": "prod"}, found)
    status, checks = regression_status(config_)
    assert status == "absent" and "--baseline-from prod (sha256:abc): no perf result was kept" in checks[0].detail
    with pytest.raises(BadInput, match="only one of --baseline FILE and --baseline-from"):
        perf_config(spec, {"baseline_from": "prod", "baseline": "x.json"}, found)

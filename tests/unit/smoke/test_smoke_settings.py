"""Spec defaults vs flags, target choice, endpoints and timeout parsing; bad input exits 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import EXAMPLES

from tritonship.errors import BadInput
from tritonship.smoke.logs import relevant_lines
from tritonship.smoke.options import choose_target, smoke_options, timeout_s
from tritonship.spec import load_spec
from tritonship.triton.factory import endpoints


@pytest.fixture(scope="module")
def spec():
    return load_spec(EXAMPLES / "tritonship.yaml")


def test_spec_supplies_defaults_and_flags_win(spec, tmp_path):
    options = smoke_options(spec)
    assert options.protocols == ("http", "grpc") and options.models == ()
    assert options.shapes == {"sum_varlen": {"X": [6]}}
    assert options.require_gpu is False and options.golden is None
    options = smoke_options(spec, models="a, b,a", protocol="grpc", golden=str(tmp_path), require_gpu=True)
    assert options.models == ("a", "b") and options.protocols == ("grpc",)
    assert options.golden == tmp_path and options.require_gpu is True
    assert smoke_options(None).protocols == ("http", "grpc")


def test_golden_folder_must_exist(spec, tmp_path):
    with pytest.raises(BadInput, match="golden folder"):
        smoke_options(spec, golden=str(tmp_path / "missing"))


def test_timeout_from_flag_or_spec(spec):
    assert timeout_s(None, spec) == 120.0
    assert timeout_s("2m", spec) == 120.0 and timeout_s("1.5", None) == 1.5
    with pytest.raises(BadInput, match="--timeout"):
        timeout_s("soon", None)


def test_target_is_exactly_one_of_repository_url_image(spec):
    assert choose_target("r", None, None, None, None).kind == "repository"
    assert choose_target(None, "h:1", None, None, None).value == "h:1"
    assert choose_target(None, None, "img:1", "docker", None).kind == "image"
    assert Path(choose_target(None, None, None, None, spec).value).name == "model_repository"
    with pytest.raises(BadInput, match="only one"):
        choose_target("r", "h:1", None, None, None)
    with pytest.raises(BadInput, match="--image"):
        choose_target(None, "h:1", None, "docker", None)
    with pytest.raises(BadInput, match="nothing to smoke-test"):
        choose_target(None, None, None, None, None)


def test_endpoints_follow_tritons_port_layout():
    urls = endpoints("http://10.0.0.5:8000/")
    assert (urls.http, urls.grpc, urls.metrics) == ("10.0.0.5:8000", "10.0.0.5:8001", "http://10.0.0.5:8002/metrics")
    assert endpoints("triton").http == "triton:8000"
    assert endpoints("h:9000", "g:1", "http://m/metrics").grpc == "g:1"


def test_relevant_log_lines_prefer_errors_about_the_model():
    log = "\n".join([
        "I1123 13:00:00.1 1 model_lifecycle.cc:472] loading: add_sub:1",
        "I1123 13:00:00.2 1 model_lifecycle.cc:472] loading: add_sub_sum:1",
        "E1123 13:00:01.0 1 model_lifecycle.cc:638] failed to load 'add_sub' version 1: boom",
        "E1123 13:00:01.1 1 model_lifecycle.cc:638] failed to load 'other' version 1: bang",
    ])
    assert relevant_lines(log, "add_sub") == [log.splitlines()[2]]
    assert relevant_lines(log, "add_sub_sum") == [log.splitlines()[1]]
    assert relevant_lines(log, "nothing") == []


@pytest.mark.parametrize("args, message", [
    (["--repository", "r", "--url", "h:1"], "only one"),
    (["--url", "h:1", "--timeout", "soon"], "--timeout"),
    (["--repository", "/definitely/not/here"], "not a directory"),
    (["--launch", "docker"], "--image"),
])
def test_cli_bad_input_exits_2(run_cli, args, message):
    result = run_cli("smoke", *args)
    assert result.exit_code == 2, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr

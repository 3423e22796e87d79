"""Load only what is measured: a broken model beside the one under test does not block perf, and a
model that does not load is explained with the server log's own line (plus a pointer to `validate`
when its config does not parse)."""

from __future__ import annotations

import shutil

import pytest
from tests.conftest import EXAMPLE_REPO

pytestmark = pytest.mark.integration

SHORT = ("--window", "0.5", "--max-trials", "6", "--stability-pct", "30", "--warmup-requests", "10",
         "--concurrency", "1")
BROKEN_PY = 'raise RuntimeError("weights missing: broken on purpose")\n'
PY_CONFIG = """name: "{name}"
backend: "python"
max_batch_size: 0
input [ {{ name: "X" data_type: TYPE_FP32 dims: [ 4 ] }} ]
output [ {{ name: "Y" data_type: TYPE_FP32 dims: [ 4 ] }} ]
"""


@pytest.fixture(scope="module")
def mixed_repository(tmp_path_factory):
    repo = tmp_path_factory.mktemp("mixed") / "repo"
    for name in ("add_sub", "sum_varlen", "add_sub_sum"):
        shutil.copytree(EXAMPLE_REPO / name, repo / name)
    (repo / "broken" / "1").mkdir(parents=True)
    (repo / "broken" / "config.pbtxt").write_text(PY_CONFIG.format(name="broken"))
    (repo / "broken" / "1" / "model.py").write_text(BROKEN_PY)
    (repo / "garbled" / "1").mkdir(parents=True)
    (repo / "garbled" / "config.pbtxt").write_text('name: "garbled"\nbackend: "python"\ninput [ { name: ')
    return repo


def test_a_broken_neighbour_does_not_block_the_measured_model(run_cli, mixed_repository):
    result = run_cli("perf", "--repository", str(mixed_repository), "--model", "add_sub", *SHORT, "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["levels"][0]["counts"]["matches"]


def test_an_ensemble_under_test_brings_its_members(run_cli, mixed_repository):
    result = run_cli("perf", "--repository", str(mixed_repository), "--model", "add_sub_sum", *SHORT, "--json")
    assert result.exit_code == 0, result.stderr


def test_the_measured_model_failing_to_load_is_explained_from_the_server_log(run_cli, mixed_repository):
    result = run_cli("perf", "--repository", str(mixed_repository), "--model", "broken", *SHORT)
    assert result.exit_code == 3
    assert "model broken did not load:" in result.stderr and "weights missing: broken on purpose" in result.stderr


def test_an_unparsable_config_points_to_validate(run_cli, mixed_repository):
    result = run_cli("perf", "--repository", str(mixed_repository), "--model", "garbled", *SHORT)
    assert result.exit_code == 3, result.stderr
    assert "model garbled did not load:" in result.stderr and "tritonship validate" in result.stderr


def test_smoke_quotes_the_log_line_instead_of_no_reason_given(run_cli, mixed_repository):
    result = run_cli("smoke", "--repository", str(mixed_repository), "--json")
    assert result.exit_code == 1, result.stderr
    models = {m["name"]: m for m in result.json()["smoke"]["models"]}
    assert "failed to read text proto" in models["garbled"]["reason"]
    assert "tritonship validate" in models["garbled"]["reason"]
    assert "weights missing" in models["broken"]["reason"]

"""`tritonship init`: a commented tritonship.yaml that loads and fits the repository."""

from __future__ import annotations

import shutil

from tests.conftest import EXAMPLE_REPO

from tritonship.repository.starter import project_name
from tritonship.spec import load_spec


def test_init_writes_a_spec_that_loads_and_validates(run_cli, tmp_path, monkeypatch):
    shutil.copytree(EXAMPLE_REPO, tmp_path / "model_repository")
    monkeypatch.chdir(tmp_path)
    result = run_cli("init", "--project", "fraud-models", "--json")
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    assert doc["models"] == ["add_sub", "add_sub_sum", "scale_fp16", "sum_varlen", "text_upper"]
    spec = load_spec(tmp_path / "tritonship.yaml")
    assert spec.project == "fraud-models"
    assert spec.repository_path() == (tmp_path / "model_repository").resolve()
    assert spec.smoke.shapes == {"sum_varlen": {"X": [4]}}
    assert spec.perf.model == "add_sub_sum"
    assert set(spec.environments) == {"dev", "staging", "prod"}
    assert "# " in (tmp_path / "tritonship.yaml").read_text()  # commented for people
    assert run_cli("validate").exit_code == 0


def test_init_output_elsewhere_keeps_the_repository_path_relative(run_cli, tmp_path):
    out = tmp_path / "deploy" / "My_Project" / "tritonship.yaml"
    result = run_cli("init", str(EXAMPLE_REPO), "--output", str(out))
    assert result.exit_code == 0, result.stderr
    spec = load_spec(out)
    assert spec.project == "my-project"
    assert spec.repository_path() == EXAMPLE_REPO.resolve()
    assert not spec.model_repository.startswith("/")


def test_init_refuses_to_overwrite_without_force(run_cli, tmp_path):
    out = tmp_path / "tritonship.yaml"
    out.write_text("keep me\n")
    result = run_cli("init", str(EXAMPLE_REPO), "-o", str(out))
    assert result.exit_code == 2
    assert "already exists" in result.stderr and out.read_text() == "keep me\n"
    assert run_cli("init", str(EXAMPLE_REPO), "-o", str(out), "--force").exit_code == 0
    assert load_spec(out).project == project_name(tmp_path.name)


def test_init_bad_inputs_are_exit_2(run_cli, tmp_path):
    missing = run_cli("init", str(tmp_path / "nope"), "-o", str(tmp_path / "t.yaml"))
    assert missing.exit_code == 2 and "no such model repository" in missing.stderr
    bad_name = run_cli("init", str(EXAMPLE_REPO), "-o", str(tmp_path / "t.yaml"), "--project", "Bad_Name")
    assert bad_name.exit_code == 2 and "--project bad-name" in bad_name.stderr
    assert not (tmp_path / "t.yaml").exists()

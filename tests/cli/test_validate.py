"""`tritonship validate`: exit codes, the JSON contract Groovy reads, human output, reports, --spec, --strict."""

from __future__ import annotations

import json
import os
import shutil
import xml.etree.ElementTree as ET

from tests.conftest import EXAMPLE_REPO, EXAMPLES, ROOT
from tests.unit.repository.builders import python_config, python_model, write_repo

BROKEN = ROOT / "tests" / "fixtures" / "lint" / "broken_repository"


def test_example_passes_with_digest(run_cli):
    result = run_cli("validate", str(EXAMPLE_REPO))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "validate passed: 0 error(s), 0 warning(s)" in result.stdout
    assert "Digest     sha256:" in result.stdout
    for model in ("add_sub", "add_sub_sum", "scale_fp16", "sum_varlen", "text_upper"):
        assert f"✓ {model}" in result.stdout


def test_json_document_shape(run_cli):
    doc = run_cli("--json", "validate", str(EXAMPLE_REPO)).json()
    assert set(doc) == {"tritonship", "verb", "status", "exit_code", "repository", "spec", "strict", "digest",
                        "models", "findings", "counts"}
    assert (doc["verb"], doc["status"], doc["exit_code"]) == ("validate", "passed", 0)
    assert doc["repository"] == str(EXAMPLE_REPO.resolve())
    assert set(doc["digest"]) == {"sha256", "short", "files", "bytes"}
    assert doc["digest"]["short"] == doc["digest"]["sha256"][:12] and len(doc["digest"]["sha256"]) == 64
    assert doc["counts"] == {"error": 0, "warning": 0, "note": 0} and doc["findings"] == []
    add_sub = next(m for m in doc["models"] if m["name"] == "add_sub")
    assert add_sub == {"name": "add_sub", "platform": "", "backend": "python", "max_batch_size": 8, "versions": ["1"],
                       "inputs": ["INPUT0", "INPUT1"], "outputs": ["OUTPUT0", "OUTPUT1"], "status": "passed",
                       "errors": 0, "warnings": 0}


def test_json_after_the_verb_is_the_same(run_cli):
    before = run_cli("--json", "validate", str(EXAMPLE_REPO)).json()
    after = run_cli("validate", str(EXAMPLE_REPO), "--json").json()
    assert before == after


def test_broken_repository_fails_with_located_findings(run_cli):
    result = run_cli("validate", str(BROKEN), "--json")
    assert result.exit_code == 1
    doc = result.json()
    assert doc["status"] == "failed" and doc["counts"] == {"error": 6, "warning": 1, "note": 0}
    found = {(f["rule"], f["model"], f["path"], f["line"]) for f in doc["findings"]}
    assert ("config/name-mismatch", "detector", "detector/config.pbtxt", 2) in found
    assert ("config/batch-dim-repeated", "detector", "detector/config.pbtxt", 5) in found
    assert ("config/parse-error", "tokenizer", "tokenizer/config.pbtxt", 3) in found
    assert ("layout/no-version", "pipeline", "pipeline/", None) in found
    assert ("ensemble/model-version", "pipeline", "pipeline/config.pbtxt", 12) in found
    assert ("ensemble/output-not-produced", "pipeline", "pipeline/config.pbtxt", 8) in found
    assert ("config/instance-gpus", "postprocess", "postprocess/config.pbtxt", 6) in found
    assert set(doc["findings"][0]) == {"rule", "severity", "model", "path", "line", "column", "message", "hint"}
    assert {m["name"]: m["status"] for m in doc["models"]}["detector"] == "failed"


def test_human_output_names_file_line_and_fix(run_cli):
    result = run_cli("validate", str(BROKEN))
    assert result.exit_code == 1
    assert "✗ tokenizer" in result.stdout
    assert "broken_repository/tokenizer/config.pbtxt:3:17" in result.stdout
    assert "template placeholder '{{ max_batch_size }}'" in result.stdout
    assert "validate failed: 6 error(s), 1 warning(s)" in result.stdout


def test_report_dir_has_result_and_one_junit_case_per_model(run_cli, tmp_path):
    reports = tmp_path / "reports"
    result = run_cli("validate", str(BROKEN), "--report-dir", str(reports))
    assert result.exit_code == 1
    assert json.loads((reports / "result.json").read_text())["counts"]["error"] == 6
    cases = ET.parse(reports / "junit.xml").getroot().findall(".//testcase")
    assert sorted(c.get("name") for c in cases) == ["detector", "pipeline", "postprocess", "tokenizer"]
    failed = {c.get("name") for c in cases if c.find("failure") is not None}
    assert failed == {"detector", "pipeline", "postprocess", "tokenizer"}


def warning_only_repo(tmp_path):
    return write_repo(tmp_path / "repo", {**python_model("m"), "m/0/model.py": "class TritonPythonModel: pass\n"})


def test_warnings_alone_pass_and_strict_makes_them_fail(run_cli, tmp_path):
    repo = warning_only_repo(tmp_path)
    relaxed = run_cli("validate", str(repo), "--json")
    assert relaxed.exit_code == 0
    assert relaxed.json()["counts"] == {"error": 0, "warning": 1, "note": 0}
    strict = run_cli("validate", str(repo), "--strict", "--report-dir", str(tmp_path / "r"))
    assert strict.exit_code == 1
    assert "--strict" in strict.stdout
    junit = (tmp_path / "r" / "junit.xml").read_text()
    assert "<failure" in junit


def test_bad_path_is_exit_2_without_traceback(run_cli, tmp_path):
    result = run_cli("validate", str(tmp_path / "nope"))
    assert result.exit_code == 2
    assert "no such model repository" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_symlink_escaping_the_repository_is_an_error_finding(run_cli, tmp_path):
    repo = write_repo(tmp_path / "repo", python_model("m"))
    (tmp_path / "secret.txt").write_text("outside")
    os.symlink(tmp_path / "secret.txt", repo / "m" / "1" / "weights.bin")
    result = run_cli("validate", str(repo), "--json")
    assert result.exit_code == 1
    doc = result.json()
    assert doc["digest"] is None
    [finding] = doc["findings"]
    assert (finding["rule"], finding["model"], finding["path"]) == ("layout/symlink-escape", "m", "m/1/weights.bin")


def test_spec_names_the_repository_and_is_cross_checked(run_cli, tmp_path, monkeypatch):
    shutil.copytree(EXAMPLE_REPO, tmp_path / "models")
    text = (EXAMPLES / "tritonship.yaml").read_text().replace("model_repository: model_repository",
                                                               "model_repository: models")
    (tmp_path / "tritonship.yaml").write_text(text.replace("model: add_sub", "model: add_subb"))
    monkeypatch.chdir(tmp_path)
    result = run_cli("validate", "--json")
    assert result.exit_code == 1
    doc = result.json()
    assert doc["repository"] == str((tmp_path / "models").resolve())
    assert doc["spec"] == str((tmp_path / "tritonship.yaml").resolve())
    [finding] = doc["findings"]
    assert finding["rule"] == "spec/unknown-model" and "did you mean 'add_sub'" in finding["hint"]
    assert finding["line"] == text.splitlines().index("  model: add_sub") + 1


def test_invalid_spec_is_exit_2(run_cli, tmp_path):
    spec = tmp_path / "tritonship.yaml"
    spec.write_text("project: demo\nsmoke:\n  protocl: http\n")
    result = run_cli("validate", str(EXAMPLE_REPO), "--spec", str(spec))
    assert result.exit_code == 2
    assert "smoke.protocl: unknown key (did you mean 'protocol'?)" in result.stderr


def test_no_repository_and_no_spec_is_exit_2(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("validate")
    assert result.exit_code == 2
    assert "no model repository given" in result.stderr


def test_unparsable_config_through_the_cli(run_cli, tmp_path):
    repo = write_repo(tmp_path / "repo", python_model("m", config=python_config("m") + "dynamic_batching {\n"))
    result = run_cli("validate", str(repo), "--json")
    assert result.exit_code == 1
    assert result.json()["findings"][0]["rule"] == "config/parse-error"


def test_spec_shapes_must_name_real_inputs(run_cli, tmp_path):
    spec = tmp_path / "tritonship.yaml"
    spec.write_text(f"project: demo\nmodel_repository: {EXAMPLE_REPO}\n"
                    "smoke:\n  shapes:\n    sum_varlen: { Y: [6] }\n")
    result = run_cli("validate", "--spec", str(spec), "--json")
    assert result.exit_code == 1
    [finding] = result.json()["findings"]
    assert (finding["rule"], finding["path"], finding["line"]) == ("spec/unknown-input", str(spec), 5)
    assert "inputs of sum_varlen: X" in finding["hint"]


def test_explain_prints_one_paragraph_without_a_repository(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("validate", "--explain", "config/instance-gpu-id")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("config/instance-gpu-id (error):")
    assert "ValidateInstanceGroup" in result.stdout
    doc = run_cli("validate", "--explain", "config/instance-count", "--json").json()
    assert (doc["rule"], doc["severity"]) == ("config/instance-count", "warning")
    assert "except with --strict" in doc["explanation"]


def test_explain_unknown_rule_is_exit_2(run_cli):
    result = run_cli("validate", "--explain", "config/nope")
    assert result.exit_code == 2
    assert "unknown rule 'config/nope'" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_spec_shapes_of_a_model_the_server_completes_are_not_refused(run_cli, tmp_path):
    repo = write_repo(tmp_path / "repo", {"m/1/model.py": "class TritonPythonModel:\n    pass\n"})
    spec = tmp_path / "tritonship.yaml"
    spec.write_text(f"project: demo\nmodel_repository: {repo}\nsmoke:\n  shapes:\n    m: {{ X: [4] }}\n")
    result = run_cli("validate", "--spec", str(spec), "--json")
    assert result.exit_code == 0, result.stdout
    [finding] = result.json()["findings"]
    assert (finding["rule"], finding["severity"]) == ("layout/missing-config", "warning")
    assert run_cli("validate", "--spec", str(spec), "--strict").exit_code == 1

"""`tritonship plan`: the promotion plan modelPipeline carries out, decided from the validated spec."""

from __future__ import annotations

import json

import pytest
from tests.conftest import EXAMPLES

from tritonship.errors import BadInput
from tritonship.spec import load_spec
from tritonship.spec.plan import plan_pipeline

SPEC = EXAMPLES / "tritonship.yaml"


@pytest.fixture(scope="module")
def spec():
    return load_spec(SPEC)


def rows(plan) -> list[tuple]:
    return [(e.name, e.approval, e.origin, e.strategy, e.lock) for e in plan.environments]


def test_default_plan_follows_the_spec(spec):
    assert rows(plan_pipeline(spec)) == [
        ("dev", False, None, "rolling", "example-models-dev"),
        ("staging", False, "dev", "blue-green", "example-models-staging"),
        ("prod", True, "staging", "canary", "example-models-prod"),
    ]


def test_explicit_order_and_approval_and_lock_prefix(spec):
    plan = plan_pipeline(spec, environments=["dev", "prod"], approval=["dev"], lock_prefix="team/")
    assert rows(plan) == [("dev", True, None, "rolling", "team/dev"), ("prod", False, "staging", "canary", "team/prod")]


def test_origin_without_from_is_the_environment_before(tmp_path):
    path = tmp_path / "tritonship.yaml"
    path.write_text("project: p\nenvironments:\n  a: {}\n  b: {}\n  c: {from: a}\n")
    plan = plan_pipeline(load_spec(path))
    assert [e.origin for e in plan.environments] == [None, "a", "a"]


def test_dry_run_promotes_the_built_digest_everywhere(spec):
    assert [e.origin for e in plan_pipeline(spec, dry_run=True).environments] == [None, None, None]


def test_manual_pauses_are_counted(tmp_path):
    path = tmp_path / "tritonship.yaml"
    path.write_text("project: p\nenvironments:\n  a: {strategy: {blue_green: {manual_pause: true}}}\n"
                    "  b: {strategy: {canary: {steps: [{set_weight: 10}, {pause: {}}, {pause: {duration: 5s}},"
                    " {pause: {}}]}}}\n")
    assert [e.manual_pauses for e in plan_pipeline(load_spec(path)).environments] == [1, 2]


def test_no_approval_at_all(spec):
    assert [e.approval for e in plan_pipeline(spec, approval=[]).environments] == [False, False, False]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"environments": ["dev", "qa"]}, "--env 'qa':"),
    ({"environments": ["prdo"]}, "did you mean 'prod'?"),
    ({"environments": ["dev", "dev"]}, "--env names dev twice"),
    ({"environments": ["dev"], "approval": ["prod"]}, "--approval names prod, which this plan does not promote to"),
    ({"approval": ["qa"]}, "--approval 'qa':"),
])
def test_bad_names_are_bad_input(spec, kwargs, message):
    with pytest.raises(BadInput) as info:
        plan_pipeline(spec, **kwargs)
    assert message in info.value.message


def test_cli_json_shape_is_what_groovy_reads(run_cli):
    result = run_cli("plan", "--spec", str(SPEC), "--json", "--env", "dev", "--env", "prod", "--no-approval")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert {k: doc[k] for k in ("verb", "status", "exit_code", "project", "dry_run")} == {
        "verb": "plan", "status": "passed", "exit_code": 0, "project": "example-models", "dry_run": False}
    assert doc["environments"][0] == {"name": "dev", "approval": False, "from": None, "strategy": "rolling",
                                      "lock": "example-models-dev", "namespace": "models-dev",
                                      "manual_pauses": 0}
    assert [e["from"] for e in doc["environments"]] == [None, "staging"]


def test_cli_model_repository_is_relative_to_the_workspace(run_cli, monkeypatch):
    monkeypatch.chdir(EXAMPLES.parent)
    result = run_cli("plan", "--spec", "examples/tritonship.yaml", "--json")
    assert json.loads(result.stdout)["model_repository"] == "examples/model_repository"


def test_cli_unknown_environment_exits_2(run_cli):
    result = run_cli("plan", "--spec", str(SPEC), "--env", "qa")
    assert result.exit_code == 2
    assert "no such environment" in result.stderr
    assert run_cli("plan", "--spec", str(SPEC), "--approval", "dev", "--no-approval").exit_code == 2


# -- how Smoke and Perf run the artifact (serve) -------------------------------------------------------------------

def _modelcar(spec):
    """The spec with `image.layout: modelcar` (the key that build's issue adds to the schema)."""
    return spec.model_copy(update={"image": spec.image.model_copy(update={"layout": "modelcar"})})


def test_a_baked_project_runs_the_built_image_as_it_is(spec):
    assert plan_pipeline(spec).to_dict()["serve"] == {"layout": "baked"}


def test_a_modelcar_project_runs_the_triton_image_fed_by_an_init_container(spec):
    serve = plan_pipeline(_modelcar(spec)).to_dict()["serve"]
    assert serve == {
        "layout": "modelcar", "delivery": "init-container", "base_image": "nvcr.io/nvidia/tritonserver:24.10-py3",
        "init_command": ["/tritonship/bin/busybox", "cp", "-R", "/models/.", "/mnt/tritonship-models"],
        "shared_mount": "/mnt/tritonship-models", "models_path": "/models",
        "triton_command": ["tritonserver"],
        "triton_args": ["--model-repository=/models", "--strict-readiness=true", "--allow-metrics=true",
                        "--metrics-config=summary_latencies=true", "--exit-on-error=true"],
    }
    assert json.loads(json.dumps(serve)) == serve  # what Groovy reads


def _schema_has_layout() -> bool:
    from tritonship.spec.image import ImageSpec

    return "layout" in ImageSpec.model_fields


@pytest.mark.skipif(not _schema_has_layout(), reason="image.layout arrives with the modelcar build")
def test_plan_json_of_a_modelcar_spec(run_cli, tmp_path):
    text = SPEC.read_text().replace("image:\n", "image:\n  layout: modelcar\n", 1)
    (tmp_path / "tritonship.yaml").write_text(text)
    for name in ("model_repository", "golden"):
        if (EXAMPLES / name).exists():
            (tmp_path / name).symlink_to(EXAMPLES / name)
    result = run_cli("--json", "plan", "--spec", str(tmp_path / "tritonship.yaml"))
    assert result.exit_code == 0, result.stderr
    assert result.json()["serve"]["layout"] == "modelcar"
    assert result.json()["serve"]["init_command"][0] == "/tritonship/bin/busybox"

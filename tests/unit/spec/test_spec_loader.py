"""tritonship.yaml loading: the example is valid; mistakes name file, line, key path and a fix."""

from __future__ import annotations

import pytest
from tests.conftest import EXAMPLES

from tritonship.errors import BadInput
from tritonship.spec import load_spec


def write(tmp_path, text: str):
    path = tmp_path / "tritonship.yaml"
    path.write_text(text)
    return path


def test_example_spec_loads():
    spec = load_spec(EXAMPLES / "tritonship.yaml")
    assert spec.project == "example-models"
    assert set(spec.environments) == {"dev", "staging", "prod"}
    assert spec.environments["dev"].strategy.kind == "rolling"
    assert spec.environments["staging"].strategy.kind == "blue-green"
    prod = spec.environments["prod"]
    assert prod.strategy.kind == "canary"
    assert prod.strategy.canary.steps[0].set_weight == 25
    assert prod.strategy.canary.steps[3].pause.duration == 30.0
    assert prod.promote_from == "staging"
    assert prod.analysis.judge.passing == 95.0
    assert spec.repository_path() == (EXAMPLES / "model_repository").resolve()


def test_unknown_key_names_line_and_suggests(tmp_path):
    path = write(tmp_path, "project: demo\nimage:\n  registy: foo\n")
    with pytest.raises(BadInput) as info:
        load_spec(path)
    assert f"{path}:3:3: image.registy: unknown key (did you mean 'registry'?)" in info.value.message


def test_nested_list_key_suggestion(tmp_path):
    text = "project: demo\nenvironments:\n  dev:\n    strategy:\n      canary:\n        steps:\n          - pauze: {}\n"
    path = write(tmp_path, text)
    with pytest.raises(BadInput) as info:
        load_spec(path)
    assert ":7:13: environments.dev.strategy.canary.steps.0.pauze: unknown key (did you mean 'pause'?)" in (
        info.value.message
    )


def test_bad_values_are_explained(tmp_path):
    text = "project: Demo_Project\nsmoke:\n  timeout: soon\nenvironments:\n  dev:\n    from: qa\n"
    path = write(tmp_path, text)
    with pytest.raises(BadInput) as info:
        load_spec(path)
    message = info.value.message
    assert ":1:1: project:" in message and "DNS label" in message
    assert ":3:3: smoke.timeout:" in message and "not a duration" in message


def test_from_must_name_an_environment(tmp_path):
    path = write(tmp_path, "project: demo\nenvironments:\n  dev:\n    from: qa\n")
    with pytest.raises(BadInput, match="names 'qa', which is not an environment"):
        load_spec(path)


def test_invalid_yaml_names_position(tmp_path):
    path = write(tmp_path, "project: demo\nimage: [unclosed\n")
    with pytest.raises(BadInput, match=r"tritonship.yaml:\d+:\d+: invalid YAML"):
        load_spec(path)


def test_duplicate_keys_are_refused(tmp_path):
    path = write(tmp_path, "project: demo\nproject: other\n")
    with pytest.raises(BadInput, match="invalid YAML"):
        load_spec(path)


def test_strategy_shorthand_and_conflicts(tmp_path):
    path = write(tmp_path, "project: demo\nenvironments:\n  dev:\n    strategy: blue-green\n")
    assert load_spec(path).environments["dev"].strategy.kind == "blue-green"
    path = write(tmp_path, "project: demo\nenvironments:\n  dev:\n    strategy: {rolling: {}, canary: {}}\n")
    with pytest.raises(BadInput, match="choose one strategy"):
        load_spec(path)


def test_missing_file_is_bad_input(tmp_path):
    with pytest.raises(BadInput, match="no such spec file"):
        load_spec(tmp_path / "nope.yaml")


def test_mapping_used_as_key_is_explained(tmp_path):
    text = "project: demo\nenvironments:\n  prod:\n    strategy:\n      canary:\n        steps:\n" \
           "          - analysis: {{ judge: true }}\n"
    path = write(tmp_path, text)
    with pytest.raises(BadInput) as info:
        load_spec(path)
    assert f"{path}:7:" in info.value.message
    assert "mapping or list is used as a key" in info.value.message
    assert "single braces" in info.value.hint

"""tritonship.yaml rules for analysis: canary analysis steps need the sections they use."""

from __future__ import annotations

import pytest

from tritonship.errors import BadInput
from tritonship.spec import load_spec

BASE = """\
project: demo
environments:
  prod:
    strategy:
      canary:
        steps:
          - set_weight: 50
          - analysis: {step}
"""


def load(tmp_path, step: str, analysis: str = ""):
    path = tmp_path / "tritonship.yaml"
    path.write_text(BASE.format(step=step) + analysis)
    return load_spec(path)


def test_analysis_step_without_analysis_section(tmp_path):
    with pytest.raises(BadInput, match="add an `analysis:` section"):
        load(tmp_path, "{}")


def test_analysis_step_naming_unknown_metric(tmp_path):
    section = "    analysis:\n      metrics:\n        - { name: ok, builtin: success_rate, success: { min: 0.99 } }\n"
    with pytest.raises(BadInput, match="unknown analysis metrics: nope"):
        load(tmp_path, "{ metrics: [nope] }", section)
    with pytest.raises(BadInput, match=r"add analysis\.judge\.metrics"):
        load(tmp_path, "{ judge: true }", section)
    spec = load(tmp_path, "{ metrics: [ok] }", section)
    assert spec.environments["prod"].analysis.window == 60.0


def test_limits_are_structured_not_expressions(tmp_path):
    section = "    analysis:\n      metrics:\n        - { name: ok, builtin: success_rate, success: 'result > 0.9' }\n"
    with pytest.raises(BadInput):
        load(tmp_path, "{}", section)

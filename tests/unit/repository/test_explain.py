"""`validate --explain`: every rule the linter can emit has a paragraph, and every paragraph a rule."""

from __future__ import annotations

import re

import pytest
from tests.conftest import ROOT

from tritonship.errors import BadInput
from tritonship.repository.explain import RULES, explain

SOURCES = sorted((ROOT / "agent" / "tritonship" / "repository").glob("*.py"))
RULE_ID = re.compile(r'"((?:layout|config|ensemble|onnx|python|backend|spec)/[a-z0-9-]+)"')


def emitted_rules() -> set[str]:
    found: set[str] = set()
    for path in SOURCES:
        if path.name.startswith("rule_docs"):
            continue
        text = path.read_text()
        found |= set(RULE_ID.findall(text))
        found |= {f"config/tensor-{what}" for what in ("dtype", "dims") if 'f"config/tensor-{what}"' in text}
        found |= {f"onnx/unknown-{kind}" for kind in ("input", "output") if 'f"onnx/unknown-{kind}"' in text}
    return found


def test_every_emitted_rule_is_explained_and_nothing_else():
    emitted = emitted_rules()
    assert len(emitted) > 60
    assert emitted - set(RULES) == set()
    assert set(RULES) - emitted == set()


@pytest.mark.parametrize("rule", sorted(RULES))
def test_paragraph_says_what_why_fix_triton_and_strict(rule):
    text = explain(rule)
    assert text.startswith(f"{rule} (")
    for part in (" Why: ", " Fix: ", " Triton: ", "--strict"):
        assert part in text, (part, text)


def test_severity_that_varies_says_when():
    text = explain("layout/missing-config")
    assert "a warning when the server can complete it" in text and "an error when no backend" in text


def test_unknown_rule_is_bad_input_with_a_suggestion():
    with pytest.raises(BadInput, match="did you mean 'ensemble/cycle'"):
        explain("ensemble/cylce")

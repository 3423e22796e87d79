"""Property tests: random and truncated config.pbtxt / tritonship.yaml never produce a traceback."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import EXAMPLE_REPO, EXAMPLES

from tritonship.errors import BadInput
from tritonship.repository.lint import lint_repository
from tritonship.spec import load_spec

CONFIGS = {p.parent.name: p.read_text() for p in sorted(EXAMPLE_REPO.glob("*/config.pbtxt"))}
SPEC_TEXT = (EXAMPLES / "tritonship.yaml").read_text()
PBTXT_ALPHABET = st.sampled_from([*'{}[]:,"#\n -1x_', "name", "dims", "input", "output", "TYPE_FP32",
                                   "max_batch_size", "step", "key", "value", "{{ x }}"])
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def lint_text(tmp_path: Path, model: str, text: str):
    root = tmp_path / "repo"
    for name, config in CONFIGS.items():
        (root / name / "1").mkdir(parents=True, exist_ok=True)
        (root / name / "config.pbtxt").write_text(text if name == model else config)
    return lint_repository(root, digest=False)


@FUZZ
@given(model=st.sampled_from(sorted(CONFIGS)), cut=st.floats(0, 1))
def test_truncated_config_gives_findings_not_tracebacks(tmp_path, model, cut):
    text = CONFIGS[model][: int(len(CONFIGS[model]) * cut)]
    result = lint_text(tmp_path, model, text)
    assert all(f.message and f.hint for f in result.findings)


@FUZZ
@given(model=st.sampled_from(sorted(CONFIGS)), pieces=st.lists(PBTXT_ALPHABET, max_size=40))
def test_random_config_gives_findings_not_tracebacks(tmp_path, model, pieces):
    result = lint_text(tmp_path, model, " ".join(pieces))
    assert all(f.rule and f.severity in ("error", "warning") for f in result.findings)


@FUZZ
@given(model=st.sampled_from(sorted(CONFIGS)), position=st.floats(0, 1), junk=st.text(max_size=8))
def test_spliced_config_gives_findings_not_tracebacks(tmp_path, model, position, junk):
    text = CONFIGS[model]
    at = int(len(text) * position)
    result = lint_text(tmp_path, model, text[:at] + junk + text[at:])
    assert all(f.message for f in result.findings)


def load_spec_text(tmp_path: Path, text: str):
    path = tmp_path / "tritonship.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        return load_spec(path)
    except BadInput as exc:
        assert exc.message
        return None


@FUZZ
@given(cut=st.floats(0, 1))
def test_truncated_spec_is_loaded_or_bad_input(tmp_path, cut):
    load_spec_text(tmp_path, SPEC_TEXT[: int(len(SPEC_TEXT) * cut)])


@FUZZ
@given(position=st.floats(0, 1), junk=st.text(alphabet=st.sampled_from(list(":-{}[]'\"&*!|> \n\t#0aZ%@`")),
                                             max_size=6))
def test_spliced_spec_is_loaded_or_bad_input(tmp_path, position, junk):
    at = int(len(SPEC_TEXT) * position)
    load_spec_text(tmp_path, SPEC_TEXT[:at] + junk + SPEC_TEXT[at:])


@FUZZ
@given(text=st.text(max_size=200))
def test_random_spec_is_loaded_or_bad_input(tmp_path, text):
    load_spec_text(tmp_path, text)

"""Property tests: random and truncated config.pbtxt / tritonship.yaml never produce a traceback."""

from __future__ import annotations

import shutil
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
    assert all(f.rule and f.severity in ("error", "warning", "note") for f in result.findings)


@FUZZ
@given(model=st.sampled_from(sorted(CONFIGS)), position=st.floats(0, 1), junk=st.text(max_size=8))
def test_spliced_config_gives_findings_not_tracebacks(tmp_path, model, position, junk):
    text = CONFIGS[model]
    at = int(len(text) * position)
    result = lint_text(tmp_path, model, text[:at] + junk + text[at:])
    assert all(f.message for f in result.findings)


NAMES = ["a", "b", "e", "m.identity", "x.python"]
FILES = ["model.plan", "model.onnx", "model.pt", "model.pt2", "model.py", "model.xml", "model.savedmodel",
         "model.graphdef", "weights.bin"]
SNIPPETS = [
    'platform: "ensemble"', 'backend: "python"', 'backend: "pytorch"', 'platform: "tensorrt_plan"', "max_batch_size: 4",
    'input [ { name: "IN" data_type: TYPE_FP32 dims: [ 4 ] } ]', 'input [ { name: "IN" } ]',
    'output [ { name: "OUT" data_type: TYPE_FP32 dims: [ 4 ] } ]', "model_transaction_policy { decoupled: true }",
    'runtime: "../x.so"', "instance_group [ { kind: KIND_GPU gpus: [ -1 ] profile: [ \"x\" ] count: -2 } ]",
    "model_metrics { metric_control [ { metric_identifier { } } ] }",
    'parameters { key: "execution_context_allocation_strategy" value: { string_value: "NO" } }',
    *(f'ensemble_scheduling {{ step [ {{ model_name: "{n}" model_version: -1 input_map {{ key: "IN" value: "IN" }} '
      f'output_map {{ key: "OUT" value: "OUT" }} }} ] }}' for n in ("a", "b", "e", "gone")),
]


@FUZZ
@given(models=st.dictionaries(st.sampled_from(NAMES), st.tuples(
    st.one_of(st.none(), st.lists(st.sampled_from(SNIPPETS), max_size=6)),
    st.lists(st.tuples(st.sampled_from(["1", "2", "0", "configs"]), st.sampled_from(FILES), st.booleans()),
             max_size=3)), max_size=4))
def test_random_repository_gives_findings_not_tracebacks(tmp_path, models):
    """Backend inference, missing configs, ensembles of anything (cycles, decoupled, missing steps)."""
    root = tmp_path / "repo"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir()
    for name, (snippets, files) in models.items():
        (root / name).mkdir()
        if snippets is not None:
            (root / name / "config.pbtxt").write_text("\n".join(dict.fromkeys(snippets)))
        for version, file, as_dir in files:
            path = root / name / version / file
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.exists():
                continue
            if as_dir:
                path.mkdir()
            else:
                path.write_bytes(b"\0")
    result = lint_repository(root, digest=False)
    assert all(f.rule and f.message and f.hint and f.severity in ("error", "warning", "note") for f in result.findings)


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

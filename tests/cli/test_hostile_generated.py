"""Hypothesis-generated specs and config.pbtxt files under the corpus oracle (tests/cli/test_hostile_input.py):
every run ends with a documented exit code (0, 1 or 2: nothing here reaches a server), no traceback, no
"internal error", and nothing changed on disk."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.cli.test_hostile_input import snapshot
from tests.conftest import EXAMPLES

KEYS = ["project", "image", "registry", "name", "environments", "dev", "namespace", "replicas", "strategy",
        "rolling", "canary", "steps", "set_weight", "smoke", "timeout", "perf", "concurrency", "model_repository",
        "tolerations", "operator", "resources", "cpu", "memory", "from", "analysis", "x", ""]
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30), st.sampled_from(["dev", "1m", "30s", "nan", ".inf", "-1", "Exists", "{", "*a", "&a x"]),
)
TREES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=5)), max_leaves=25)
SPEC_TEXT = (EXAMPLES / "tritonship.yaml").read_text()


def _yaml(tree) -> str:
    import json

    return json.dumps(tree, allow_nan=True)  # JSON is YAML (NaN/Infinity become plain strings to YAML)


def _mutations(draw_text: str, cut: int, insert: str) -> str:
    cut = cut % (len(draw_text) + 1)
    return draw_text[:cut] + insert + draw_text[cut:]


def _oracle(run_cli, root: Path, argv: list[str]) -> None:
    before = snapshot(root)
    result = run_cli(*argv, env={"KUBERNETES_SERVICE_HOST": "", "KUBECONFIG": str(root / "none")})
    output = result.stdout + result.stderr
    assert result.exit_code in (0, 1, 2), output[-2000:]
    assert "Traceback" not in output and "internal error" not in output, output[-2000:]
    assert snapshot(root) == before


GENERATED = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@GENERATED
@given(tree=TREES)
def test_generated_spec_trees(run_cli, tree):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "s.yaml").write_text(_yaml({"project": "p", **tree} if isinstance(tree, dict) else tree))
        _oracle(run_cli, root, ["render", "--env", "dev", "--spec", str(root / "s.yaml")])


@GENERATED
@given(cut=st.integers(min_value=0), insert=st.text(max_size=40))
def test_the_example_spec_with_junk_inserted(run_cli, cut, insert):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "s.yaml").write_text(_mutations(SPEC_TEXT, cut, insert))
        _oracle(run_cli, root, ["plan", "--spec", str(root / "s.yaml")])


CONFIG = (EXAMPLES / "model_repository" / "add_sub" / "config.pbtxt").read_text()
PBTXT_BITS = st.sampled_from(["{", "}", "[", "]", ":", "input", "output", "dims: [ -1 ]", "max_batch_size: ",
                              "99999999999999999999999", "\"", "\\", "#", "\n", "name: \"x\"", "data_type: TYPE_FP32",
                              "parameters { key: \"k\" value { string_value: \"v\" } }", "instance_group [{}]",
                              "\x00", "\x1b[2J", "backend: \"python\"", "platform: \"onnx\""])


@GENERATED
@given(cut=st.integers(min_value=0), bits=st.lists(PBTXT_BITS, max_size=8), noise=st.text(max_size=20))
def test_generated_config_pbtxt(run_cli, cut, bits, noise):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        shutil.copytree(EXAMPLES / "model_repository" / "add_sub", root / "add_sub")
        (root / "add_sub" / "config.pbtxt").write_text(_mutations(CONFIG, cut, "".join(bits) + noise))
        _oracle(run_cli, root.parent, ["validate", str(root)])


@pytest.mark.parametrize("depth", [10, 63, 65, 1000])
def test_nesting_right_at_the_limit(run_cli, tmp_path, depth):
    (tmp_path / "s.yaml").write_text("project: p\nx: " + "[" * depth + "]" * depth + "\n")
    result = run_cli("render", "--env", "dev", "--spec", str(tmp_path / "s.yaml"))
    assert result.exit_code == 2
    assert ("nested deeper than 64" in result.stderr) == (depth + 1 > 64), result.stderr

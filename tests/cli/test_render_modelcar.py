"""`tritonship render` for the modelcar layout: both deliveries, what auto renders offline, and bad flags."""

from __future__ import annotations

import yaml
from tests.conftest import EXAMPLES

MODELS = "reg.example/ml/example-models-models@sha256:" + "1" * 64
TRITON = "nvcr.io/nvidia/tritonserver@sha256:" + "d" * 64


def _spec(tmp_path, delivery="auto"):
    text = (EXAMPLES / "tritonship.yaml").read_text().replace(
        "model_repository: ", f"model_repository: {EXAMPLES}/", 1)
    text = text.replace("  builder: auto\n", f"  builder: auto\n  layout: modelcar\n  model_delivery: {delivery}\n", 1)
    path = tmp_path / "tritonship.yaml"
    path.write_text(text)
    return str(path)


def _pod(text: str) -> dict:
    docs = [d for d in yaml.safe_load_all(text) if d]
    return next(d for d in docs if d["kind"] == "Deployment")["spec"]["template"]["spec"]


def test_auto_renders_the_init_container_form_and_says_why(run_cli, tmp_path):
    result = run_cli("render", "--env", "dev", "--spec", _spec(tmp_path), "--image", MODELS)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("# model_delivery auto: promote's preflight uses an image volume where")
    pod = _pod(result.stdout)
    assert pod["initContainers"][0]["image"] == MODELS
    assert pod["containers"][0]["image"] == "nvcr.io/nvidia/tritonserver:24.10-py3"  # base_image as written


def test_delivery_and_triton_image_flags(run_cli, tmp_path):
    result = run_cli("render", "--env", "dev", "--spec", _spec(tmp_path), "--image", MODELS, "--delivery",
                     "image-volume", "--triton-image", TRITON, "--json")
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    assert (doc["layout"], doc["delivery"], doc["triton_image"], doc["model_image"]) == (
        "modelcar", "image-volume", TRITON, MODELS)
    pod = doc["manifests"][0]["spec"]["template"]["spec"]
    assert "initContainers" not in pod and any(v.get("image", {}).get("reference") == MODELS for v in pod["volumes"])


def test_the_spec_s_explicit_delivery_is_rendered(run_cli, tmp_path):
    result = run_cli("render", "--env", "dev", "--spec", _spec(tmp_path, "image-volume"), "--json")
    assert result.exit_code == 0 and result.json()["delivery"] == "image-volume"


def test_modelcar_flags_on_a_baked_spec_and_a_half_digest_are_bad_input(run_cli, tmp_path):
    result = run_cli("render", "--env", "dev", "--spec", str(EXAMPLES / "tritonship.yaml"), "--delivery",
                     "image-volume", "--json")
    assert result.exit_code == 2 and "image.layout: modelcar" in result.json()["error"]["message"]
    half = run_cli("render", "--env", "dev", "--spec", _spec(tmp_path), "--triton-image", "x@sha256:12", "--json")
    assert half.exit_code == 2 and "by digest" in half.json()["error"]["message"]

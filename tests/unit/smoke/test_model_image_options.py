"""`--model-image` as smoke and perf resolve it: pinned by digest, one source of models, loopback-only HTTP."""

from __future__ import annotations

import pytest

from tritonship.errors import BadInput
from tritonship.smoke.options import Target, choose_target, model_image_source

DIGEST = "sha256:" + "c" * 64
IMAGE = f"127.0.0.1:5000/ml/models@{DIGEST}"


def test_the_target_of_a_model_image_alone_or_inside_a_triton_image():
    assert choose_target(None, None, None, None, None, model_image=IMAGE) == Target("model-image", IMAGE)
    assert choose_target(None, None, "nvcr.io/nvidia/tritonserver:24.08-py3", "docker", None, model_image=IMAGE) == \
        Target("image", "nvcr.io/nvidia/tritonserver:24.08-py3")
    with pytest.raises(BadInput, match="give no --repository"):
        choose_target("models", None, None, None, None, model_image=IMAGE)
    with pytest.raises(BadInput, match="give no --url"):
        choose_target(None, "localhost:8000", None, None, None, model_image=IMAGE)
    with pytest.raises(BadInput, match="the Triton image the model image is delivered into"):
        choose_target(None, None, None, "docker", None, model_image=IMAGE)


def test_the_source_carries_trust_and_limit():
    source = model_image_source({"model_image": IMAGE, "insecure_registry": True, "model_image_limit": "1G"}, None)
    assert (source.reference, source.insecure, source.limit_bytes, source.ca_file) == (IMAGE, True, 2**30, None)
    assert model_image_source({}, None) is None
    with pytest.raises(BadInput, match="loopback"):
        model_image_source({"model_image": f"reg.example.com/ml/m@{DIGEST}", "insecure_registry": True}, None)
    with pytest.raises(BadInput, match="applies to --model-image"):
        model_image_source({"ca_file": "ca.pem"}, None)


@pytest.mark.parametrize("verb", [("smoke",), ("perf", "--model", "add_sub")])
@pytest.mark.parametrize(("value", "words"), [
    ("127.0.0.1:5000/ml/models:v1", "not pinned by digest"),
    ("127.0.0.1:5000/ml/models", "not pinned by digest"),
    ("NOT A REF", "invalid image reference"),
    (" ", "is empty"),
])
def test_a_bad_model_image_is_exit_2_before_anything_starts(run_cli, verb, value, words):
    result = run_cli(*verb, "--model-image", value)
    assert result.exit_code == 2
    assert words in result.stderr


def test_perf_refuses_a_url_with_a_model_image(run_cli):
    result = run_cli("perf", "--model", "m", "--url", "localhost:8000", "--model-image", IMAGE)
    assert result.exit_code == 2 and "give no --url" in result.stderr

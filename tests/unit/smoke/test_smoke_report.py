"""result.json shape (Groovy reads it), JUnit cases per model x protocol, and the terminal summary."""

from __future__ import annotations

import io

from rich.console import Console

from tritonship.present.smoke import junit_cases, renderer, to_data
from tritonship.smoke.result import Check, GpuReport, ModelReport, SmokeResult


def result(models, gpu=None, problems=()) -> SmokeResult:
    return SmokeResult(target="repo", server_version="2.51.0", protocols=("http", "grpc"), models=tuple(models),
                       gpu=gpu or GpuReport(False, True), problems=tuple(problems), log_path="/tmp/t.log",
                       ready_s=3.0, checks_s=0.5)


GOOD = ModelReport("good", "1", "READY", checks=(Check("metadata", "-"), Check("infer batch=1", "http"),
                                                Check("infer batch=1", "grpc")))
BROKEN = ModelReport("broken", "1", "UNAVAILABLE", "load failed: boom", log_lines=("E1 failed to load 'broken'",))
RAISES = ModelReport("raises", "1", "READY", checks=(Check("infer batch=1", "http", ("inference failed: x",)),
                                                     Check("infer batch=1", "grpc")))
STREAM = ModelReport("stream", "1", "READY", kind="decoupled",
                     checks=(Check("stream batch=1", "http", skipped="grpc only"), Check("stream batch=1", "grpc")))


def test_result_json_shape_is_pinned():
    data = to_data(result([GOOD, BROKEN]))
    assert set(data) == {"target", "model_image", "server_version", "protocols", "passed", "failed_models",
                         "problems", "models", "gpu", "server_log", "timing"}
    assert data["model_image"] is None
    assert data["passed"] is False and data["failed_models"] == ["broken"]
    model = data["models"][1]
    assert set(model) == {"name", "version", "state", "reason", "kind", "passed", "problems", "gpu_memory_bytes",
                          "log_lines", "checks"}
    assert model["problems"] == ["UNAVAILABLE: load failed: boom"]
    assert set(data["models"][0]["checks"][0]) == {"name", "protocol", "passed", "skipped", "problems", "time_s"}
    assert set(data["gpu"]) == {"required", "passed", "gpus", "problems", "model_memory_bytes"}
    assert data["timing"] == {"ready_s": 3.0, "checks_s": 0.5}


def test_junit_one_case_per_model_and_protocol():
    cases = junit_cases(result([GOOD, BROKEN, RAISES, STREAM]), log_tail="TAIL")
    by_name = {c.name: c for c in cases}
    assert len(cases) == 8
    assert by_name["good:1 [http]"].failure is None
    assert "boom" in by_name["broken:1 [grpc]"].failure
    assert by_name["broken:1 [grpc]"].system_out == "E1 failed to load 'broken'"
    assert by_name["raises:1 [http]"].failure == "infer batch=1: inference failed: x"
    assert by_name["raises:1 [http]"].system_out == "TAIL"  # no model lines: the log tail
    assert by_name["raises:1 [grpc]"].failure is None
    assert by_name["stream:1 [http]"].skipped == "grpc only"


def test_gpu_and_run_level_problems_get_their_own_cases():
    cases = junit_cases(result([], GpuReport(True, False, problems=("no GPU",)), ["no models"]))
    assert [(c.name, c.failure) for c in cases] == [("repository", "no models"), ("require-gpu", "no GPU")]


def _render(res: SmokeResult) -> str:
    buffer = io.StringIO()
    renderer(res)(Console(file=buffer, width=150, color_system=None))
    return buffer.getvalue()


def test_terminal_output_names_failed_models_and_their_reason():
    text = _render(result([GOOD, BROKEN, RAISES]))
    assert "smoke failed: broken, raises" in text
    assert "load failed: boom" in text and "inference failed: x" in text
    assert "smoke passed" in _render(result([GOOD]))


def test_a_model_image_delivered_into_a_triton_image_is_named_in_every_report():
    from dataclasses import replace

    from tritonship.present.smoke_html import render_html

    ran = replace(result([GOOD]), target="nvcr.io/nvidia/tritonserver:24.08-py3", model_image="reg/ml/m@sha256:ab")
    assert to_data(ran)["model_image"] == "reg/ml/m@sha256:ab"
    assert ran.subject == "nvcr.io/nvidia/tritonserver:24.08-py3 with reg/ml/m@sha256:ab"
    assert "reg/ml/m@sha256:ab" in render_html(ran)
    console = Console(file=io.StringIO(), width=200)
    renderer(ran)(console)
    assert "with reg/ml/m@sha256:ab" in " ".join(console.file.getvalue().split())  # the title wraps
    alone = replace(result([GOOD]), target="reg/ml/m@sha256:ab", model_image="reg/ml/m@sha256:ab")
    assert alone.subject == "reg/ml/m@sha256:ab"

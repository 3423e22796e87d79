"""Rules outside the tensor and scheduler fields: model_metrics, the backend `runtime` library, and what
particular backends require of a config once Triton knows which backend runs it."""

from __future__ import annotations

import posixpath

from tritonship.repository.locate import field_pattern, value_pattern
from tritonship.repository.scan import ModelEntry

# tensorrt_backend ModelState::ParseParameters: a closed set, anything else fails the load
TENSORRT_PARAMETERS = {"execution_context_allocation_strategy": ("STATIC", "ON_PROFILE_CHANGE")}


def check_backend_rules(model: ModelEntry) -> None:
    _check_model_metrics(model)
    _check_response_cache(model)
    _check_runtime(model)
    if model.backend == "pytorch":
        _check_pytorch(model)
    if model.backend == "tensorrt":
        _check_tensorrt_parameters(model)


def _check_model_metrics(model: ModelEntry) -> None:
    """core ValidateModelMetrics, in its order: each metric_control needs a metric_identifier with a
    non-empty family, and histogram_options with non-empty buckets (qa/L0_model_config/model_metrics)."""
    config = model.config
    if not config.HasField("model_metrics"):
        return
    at = model.where(field_pattern("model_metrics"))
    for index, control in enumerate(config.model_metrics.metric_control):
        problem = None
        if not control.HasField("metric_identifier"):
            problem = "metric control must specify 'metric_identifier'"
        elif not control.metric_identifier.family:
            problem = "metric identifier must specify non-empty 'family'"
        elif not control.HasField("histogram_options"):
            problem = "metric control must specify 'histogram_options'"
        elif not control.histogram_options.buckets:
            problem = "histogram options must specify non-empty 'buckets'"
        if problem:
            model.report("config/model-metrics", "error", f"model_metrics.metric_control[{index}]: {problem}",
                         'write metric_control { metric_identifier { family: "nv_inference_first_response_'
                         'histogram_ms" } histogram_options { buckets: [ 1, 10, 100 ] } }', at)


def _check_response_cache(model: ModelEntry) -> None:
    """core ValidateModelConfig: the response cache supports neither the sequence batcher nor decoupled
    models ("Response Cache does not currently support model ... Please disable the response cache")."""
    config = model.config
    if not config.response_cache.enable:
        return
    for why, applies in (("sequence batching", config.HasField("sequence_batching")),
                         ("a decoupled transaction policy", config.model_transaction_policy.decoupled)):
        if applies:
            model.report("config/response-cache", "error", f"response_cache is enabled on a model with {why}",
                         "Triton does not support the response cache there: set response_cache { enable: false }",
                         model.where(field_pattern("response_cache")))


def _check_runtime(model: ModelEntry) -> None:
    """core TritonModel::GetBackendLibraryProperties: the library found for `runtime` must stay inside the
    backend directory (IsChildPathEscapingParentPath), else "backend library name '...' escapes backend
    directory" (qa/L0_model_config/special_cases/runtime_escape)."""
    runtime = model.config.runtime
    if not runtime:
        return
    joined = posixpath.normpath(posixpath.join("/backend", runtime.replace("\\", "/")))
    if posixpath.isabs(runtime) or not joined.startswith("/backend/"):
        model.report("config/runtime-escape", "error",
                     f"runtime {runtime!r} escapes the backend directory",
                     "name a library file inside the backend's directory (e.g. runtime: \"libtriton_"
                     f"{model.backend or 'mybackend'}.so\" or \"model.py\"), or remove runtime",
                     model.where(value_pattern("runtime", runtime)))


def _check_pytorch(model: ModelEntry) -> None:
    """pytorch_backend ModelState: the PyTorch backend does not auto-complete and refuses a config without
    outputs: "model configuration must contain at least one output, none were specified"
    (qa/L0_model_config autofill_noplatform/pytorch/too_few_outputs)."""
    if not model.config.output:
        model.report("backend/pytorch-outputs", "error",
                     "the pytorch backend needs at least one output in config.pbtxt, none were specified",
                     "declare the model's outputs (name OUTPUT__0, ... or the TorchScript names, data_type, dims)",
                     model.where(field_pattern("backend")) if model.config.backend else model.where(
                         field_pattern("platform")))


def _check_tensorrt_parameters(model: ModelEntry) -> None:
    """tensorrt_backend ModelState::ParseParameters: execution_context_allocation_strategy is STATIC or
    ON_PROFILE_CHANGE; anything else fails the load ("Invalid value for ..."; qa/L0_model_config
    custom_parameters/tensorrt). The server will also check the plan itself, which needs a GPU."""
    for key, allowed in TENSORRT_PARAMETERS.items():
        if key in model.config.parameters:
            value = model.config.parameters[key].string_value
            if value not in allowed:
                model.report("backend/tensorrt-parameter", "error",
                             f"parameters {key!r} is {value!r}; the tensorrt backend accepts "
                             + " or ".join(repr(a) for a in allowed),
                             f"set {key} to one of {', '.join(allowed)}, or remove it (default STATIC)",
                             model.where(rf'key\s*:\s*"{key}"'))

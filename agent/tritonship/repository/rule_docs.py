"""`validate --explain RULE`: one paragraph per rule — what, why, how to fix, which Triton behaviour.

Rules for layout and config.pbtxt fields; rule_docs_graph.py holds ensembles, model files and backends.
Severity "varies" rules say in `severity_note` when they are an error, a warning or a note.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RuleDoc:
    rule: str
    severity: str  # error | warning | note | varies
    what: str
    why: str
    fix: str
    triton: str  # the Triton behaviour mirrored (source file / function, or qa case)
    severity_note: str = ""


CORE = "triton-inference-server/core src/model_config_utils.cc"

LAYOUT_AND_CONFIG = [
    RuleDoc("layout/missing-config", "varies", "a model directory has no config.pbtxt.",
            "with auto-complete on (the default) Triton starts from an empty config, infers the backend from the "
            "files and lets the backend complete it; the served interface is then whatever the model file says.",
            "add config.pbtxt with name, backend/platform, max_batch_size, input and output.",
            f"{CORE} GetNormalizedModelConfig/AutoCompleteBackendFields; backend auto-complete "
            "(TRITONBACKEND_ModelAutoCompleteConfig); qa/L0_model_config autofill_noplatform_success/*/no_config",
            "a warning when the server can complete it (onnxruntime, tensorrt, tensorflow, openvino, python, a "
            "<name>.<backend> directory); an error when no backend can be inferred or the backend is PyTorch, "
            "which completes nothing."),
    RuleDoc("layout/no-version", "error", "a model has no numeric version directory.",
            "Triton loads versions from numbered sub-directories; with none there is nothing to load.",
            "create <model>/1/ (empty for an ensemble) and put the model file in it.",
            "model_repository_manager: versions are the numeric sub-directories of the model directory"),
    RuleDoc("layout/version-zero", "warning", "a model has a version directory 0/.",
            "version numbers are positive in Triton's documentation; 0 is easy to confuse with 'latest'.",
            "rename 0/ to 1/.", "GetModelVersionFromPath (the directory name is the version number)"),
    RuleDoc("layout/not-a-version", "warning", "a sub-directory of a model is neither numeric nor a known "
            "extra (configs/, warmup/, initial_state/).",
            "Triton ignores it when loading, but it still ships in the image.", "rename it to a number or move it out.",
            "GetModelVersionFromPath ignores non-numeric sub-directories"),
    RuleDoc("layout/missing-model-file", "error", "a version directory lacks the file the backend loads.",
            "the backend opens <version>/<default_model_filename> and fails the load when it is absent.",
            "add the file, rename the file you have, or set default_model_filename.",
            f"{CORE} AutoCompleteBackendFields sets default_model_filename per backend (model.plan, model.onnx, "
            "model.pt, model.pt2, model.py, model.xml, model.savedmodel, model.graphdef)"),
    RuleDoc("layout/missing-cc-model-file", "varies", "a cc_model_filenames entry names a missing file.",
            "on a GPU of that compute capability the TensorRT backend loads that file instead of the default one; "
            "other backends ignore the field.", "add the file or remove the entry.",
            "tensorrt_backend AutoCompleteConfig/model load: cc_model_filenames lookup by compute capability",
            "an error for TensorRT models; a warning for other backends, which ignore it."),
    RuleDoc("layout/empty-repository", "error", "the repository holds no model directory.",
            "a server started on it serves nothing.", "add one folder per model.",
            "model_repository_manager polls one directory per model"),
    RuleDoc("layout/symlink-escape", "error", "a symlink resolves outside the repository.",
            "the image would copy files from outside the repository (or break), and the digest would not "
            "describe what ships.", "copy the file into the repository instead of linking it.",
            "tritonship's own digest/image rule (Triton follows links; the image build cannot)"),
    RuleDoc("layout/ignored-required-file", "error", ".tritonshipignore excludes a model's config.pbtxt or the "
            "file its backend loads.", "the image would lack the file, so the server would refuse the model "
            "although validate looked at it.", "remove the pattern that matches it from .tritonshipignore.",
            "tritonship's own image rule (Triton reads what the image holds)"),
    RuleDoc("layout/unreadable", "error", "a model directory cannot be listed.", "Triton cannot read it either.",
            "fix the permissions.", "the server's repository poll fails on unreadable directories"),
    RuleDoc("config/parse-error", "error", "config.pbtxt is not valid text-format inference.ModelConfig.",
            "the server refuses to load a model whose config does not parse.",
            "fix the syntax at the reported line:column (the hint names the usual cause).",
            "ReadTextProto of config.pbtxt in the model repository manager"),
    RuleDoc("config/placeholder", "error", "a template placeholder ({{ x }}, ${x}) is still in a string.",
            "the server would take it literally (a tensor named '{{ input_name }}').",
            "render the template before validating.", "no Triton rule: a literal string is valid protobuf"),
    RuleDoc("config/name-mismatch", "error", "name differs from the directory name.",
            "Triton refuses a config whose name is not the model directory's name.",
            "set name to the directory name or leave it out.", "model_repository_manager: model name must match"),
    RuleDoc("config/no-backend", "error", "neither platform nor backend is set, and Triton cannot infer one.",
            "Triton infers the backend from the first version directory's files or a <name>.<backend> directory "
            "name; when neither works the load fails.",
            "set backend: or platform:, or use the default model file name, or name the directory <name>.<backend>.",
            f"{CORE} AutoCompleteBackendFields (\"Invalid model name: Could not determine backend\") and "
            "ValidateModelConfig (\"unexpected platform type\")"),
    RuleDoc("config/platform-in-backend", "error", "backend holds a platform name (e.g. onnxruntime_onnx).",
            "no backend library has that name.", "write it as platform:, or use the backend's name.",
            f"{CORE} ValidateModelConfig: platform/backend pair"),
    RuleDoc("config/unknown-platform", "error", "platform is not one Triton knows.",
            "Triton only infers a backend for known platforms; an unknown one leaves it empty and fails.",
            "use onnxruntime_onnx, tensorrt_plan, pytorch_libtorch, torch_aoti, tensorflow_savedmodel, "
            "tensorflow_graphdef or ensemble; other backends are set with backend:.",
            f"{CORE} ValidateModelConfig (\"unexpected platform type\")"),
    RuleDoc("config/platform-backend-mismatch", "error", "platform and backend name different backends.",
            "Triton refuses a known backend paired with another backend's platform.",
            "remove backend (the platform decides it) or fix it.",
            f"{CORE} ValidateModelConfig (\"unexpected 'platform' and 'backend' pair\")"),
    RuleDoc("config/unknown-backend", "warning", "backend is close to, but not, a standard backend name.",
            "a typo makes Triton look for a backend library that is not in the image.",
            "fix the spelling, or ignore it for a custom backend shipped in the image.",
            "backend_model.cc: libtriton_<backend>.so must exist in the backend directory"),
    RuleDoc("config/max-batch-size", "error", "max_batch_size is negative.", "Triton refuses it.",
            "use 0 (no batching) or the largest batch.", f"{CORE} ValidateModelConfig"),
    RuleDoc("config/instance-gpus", "varies", "an instance group that is not KIND_GPU lists gpus.",
            "Triton refuses gpus on KIND_CPU and KIND_MODEL groups; a KIND_AUTO group with gpus becomes KIND_CPU on "
            "a server without those GPUs and is then refused.", "remove gpus or use kind: KIND_GPU.",
            f"{CORE} NormalizeInstanceGroup (KIND_AUTO resolution) and ValidateInstanceGroup (\"has kind KIND_CPU "
            "but specifies one or more GPUs\")",
            "an error for KIND_CPU/KIND_MODEL; a warning for KIND_AUTO, which depends on the server's GPUs."),
    RuleDoc("config/instance-gpu-id", "error", "an instance group lists a negative gpu id.",
            "no CUDA device has a negative number; Triton refuses the id.", "list device numbers 0, 1, ...",
            f"{CORE} ValidateInstanceGroup (\"specifies invalid or unsupported gpu id -1\"); "
            "qa/L0_model_config noautofill_platform/negative_gpu"),
    RuleDoc("config/instance-profile", "error", "an instance group sets profile outside TensorRT, or a profile "
            "that is not a non-negative integer.",
            "only TensorRT engines have optimization profiles; the platform is taken after inference "
            "(a model.plan makes it tensorrt_plan).", "remove profile, or write indexes such as \"0\".",
            f"{CORE} ValidateInstanceGroup and GetProfileIndex"),
    RuleDoc("config/instance-count", "warning", "an instance group has a negative count.",
            "Triton silently replaces a count below 1 with its default, which may not be what you meant.",
            "write the count you mean, or leave it out.", f"{CORE} NormalizeInstanceGroup/SetDefaultInstanceCount"),
    RuleDoc("config/version-policy", "error", "version_policy selects nothing (latest 0, empty specific).",
            "the server would load no version.", "select at least one version.", f"{CORE} NormalizeModelConfig"),
    RuleDoc("config/version-policy-missing", "error", "version_policy specific names a version not on disk.",
            "the server cannot load that version.", "create the directory or drop the version.",
            "model_repository_manager: specific versions must exist"),
    RuleDoc("config/ensemble-platform", "error", "ensemble_scheduling is set but platform is not ensemble.",
            "Triton refuses it.", "set platform: \"ensemble\" and no backend.",
            f"{CORE} ValidateEnsembleSchedulingConfig"),
    RuleDoc("config/ensemble-forbidden-field", "error", "an ensemble sets instance_group, optimization or "
            "model_warmup.", "ensembles run no code of their own; Triton refuses these fields.",
            "set them on the composing models.", f"{CORE} ValidateEnsembleSchedulingConfig"),
    RuleDoc("config/model-metrics", "error", "a model_metrics.metric_control lacks metric_identifier, a family, "
            "histogram_options or buckets.", "Triton refuses an incomplete metric control.",
            "give each metric_control a metric_identifier { family: ... } and histogram_options { buckets: [...] }.",
            f"{CORE} ValidateModelMetrics; qa/L0_model_config model_metrics/invalid_config"),
    RuleDoc("config/runtime-escape", "error", "runtime names a library outside the backend directory "
            "(absolute, or .. leading out).", "Triton refuses backend libraries that escape the backend directory.",
            "name a library file inside the backend's directory, or remove runtime.",
            "core backend_model.cc GetBackendLibraryProperties (IsChildPathEscapingParentPath); "
            "qa/L0_model_config special_cases/runtime_escape"),
    RuleDoc("config/response-cache", "error", "response_cache is enabled on a sequence-batching or decoupled "
            "model.", "Triton does not support the response cache there and refuses the config.",
            "disable the response cache for that model.",
            f"{CORE} ValidateModelConfig (\"Response Cache does not currently support model ...\")"),
]

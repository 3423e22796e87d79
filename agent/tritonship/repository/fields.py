"""config.pbtxt field rules: name, platform/backend, max_batch_size, instance groups, version policy."""

from __future__ import annotations

from tritonship.repository.backends import KNOWN_BACKENDS, PLATFORM_BACKEND
from tritonship.repository.locate import field_pattern, value_pattern
from tritonship.repository.scan import PLACEHOLDER, ModelEntry
from tritonship.spec.suggest import closest


def check_fields(model: ModelEntry) -> None:
    _check_placeholder(model)
    _check_name(model)
    _check_platform_backend(model)
    _check_max_batch_size(model)
    _check_instance_groups(model)
    _check_version_policy(model)
    if model.is_ensemble:
        _check_ensemble_fields(model)


def _check_placeholder(model: ModelEntry) -> None:
    match = PLACEHOLDER.search(model.text.code)
    if match:
        model.report(
            "config/placeholder", "error", f"config.pbtxt still holds the template placeholder {match.group(0)!r}",
            "render the template (or write the value) before the repository is built",
            model.text.position(match.start()),
        )


def _check_name(model: ModelEntry) -> None:
    name = model.config.name
    if name and name != model.name:
        model.report(
            "config/name-mismatch", "error", f"name {name!r} differs from the directory name {model.name!r}",
            f'set name: "{model.name}" (or remove it), or rename the directory to {name}/',
            model.where(value_pattern("name", name)),
        )


def _check_platform_backend(model: ModelEntry) -> None:
    platform, backend = model.config.platform, model.config.backend
    at_platform, at_backend = model.where(field_pattern("platform")), model.where(field_pattern("backend"))
    if model.normalized.error or not (platform or model.normalized.backend):
        why = model.normalized.error or (
            f"default_model_filename {model.config.default_model_filename!r} names no backend Triton knows")
        model.report(
            "config/no-backend", "error", f"neither platform nor backend is set, and Triton cannot infer one: {why}",
            'set backend (e.g. backend: "python", "onnxruntime") or platform: "ensemble"; or put the default model '
            "file in the first version directory (model.onnx, model.plan, model.pt, model.py, model.xml, "
            "model.savedmodel/, model.graphdef), or name the directory <name>.<backend>",
        )
        return
    if backend in PLATFORM_BACKEND:
        right = PLATFORM_BACKEND[backend]
        fix = f'write platform: "{backend}"' + (f' or backend: "{right}"' if right else "")
        model.report("config/platform-in-backend", "error", f"{backend!r} is a platform, not a backend", fix,
                     at_backend)
        return
    if platform and platform not in PLATFORM_BACKEND:
        guess = closest(platform, PLATFORM_BACKEND)
        model.report(
            "config/unknown-platform", "error", f"unknown platform {platform!r}",
            (f"did you mean {guess!r}? " if guess else "")
            + f"platforms: {', '.join(PLATFORM_BACKEND)}; other backends are set with backend:",
            at_platform,
        )
        return
    expected = PLATFORM_BACKEND.get(platform)
    if platform and backend and expected != backend:
        model.report(
            "config/platform-backend-mismatch", "error",
            f"platform {platform!r} is served by {'no backend' if not expected else repr(expected)}, "
            f"but backend is {backend!r}",
            "remove backend (the platform decides it)" if not expected else f'set backend: "{expected}" or remove it',
            at_backend,
        )
    elif backend and backend not in KNOWN_BACKENDS:
        guess = closest(backend, KNOWN_BACKENDS)
        if guess:
            model.report(
                "config/unknown-backend", "warning", f"backend {backend!r} is not a standard Triton backend",
                f"did you mean {guess!r}? (ignore this if {backend!r} is a custom backend in the image)", at_backend,
            )


def _check_max_batch_size(model: ModelEntry) -> None:
    if model.config.max_batch_size < 0:
        model.report(
            "config/max-batch-size", "error", f"max_batch_size is {model.config.max_batch_size}",
            "use 0 for a model without a batch dimension, or the largest batch it accepts",
            model.where(field_pattern("max_batch_size")),
        )


def _check_instance_groups(model: ModelEntry) -> None:
    """core ValidateInstanceGroup after NormalizeInstanceGroup, with the platform as normalised (a model.plan
    makes it tensorrt_plan): gpus only with KIND_GPU (or KIND_AUTO, resolved to GPU on a GPU server), every
    gpu id a device that exists (never negative: "specifies invalid or unsupported gpu id -1"), profile
    only for TensorRT and a non-negative integer; count < 1 is replaced by the default count."""
    from tritonclient.grpc import model_config_pb2 as pb

    group_cls = pb.ModelInstanceGroup
    for index, group in enumerate(model.config.instance_group):
        gpus_at = model.where(field_pattern("gpus"), nth=_nth_with(model.config.instance_group, index, "gpus"))
        if group.gpus and group.kind not in (group_cls.KIND_GPU, group_cls.KIND_AUTO):
            kind = group_cls.Kind.Name(group.kind)
            model.report(
                "config/instance-gpus", "error", f"instance_group[{index}] is {kind} but lists gpus",
                "gpus is only allowed with kind: KIND_GPU; remove gpus or change the kind", gpus_at,
            )
        elif group.gpus and group.kind == group_cls.KIND_AUTO:
            model.report(
                "config/instance-gpus", "warning", f"instance_group[{index}] is KIND_AUTO and lists gpus: on a "
                "server without those GPUs Triton makes it KIND_CPU and then refuses the gpus",
                "use kind: KIND_GPU with gpus, or KIND_AUTO without gpus", gpus_at,
            )
        for gid in (g for g in group.gpus if g < 0):
            model.report("config/instance-gpu-id", "error", f"instance_group[{index}] lists gpu id {gid}",
                         "gpu ids are CUDA device numbers (0, 1, ...); remove the negative id", gpus_at)
        _check_profiles(model, index, list(group.profile))
        if group.count < 0:
            model.report(
                "config/instance-count", "warning", f"instance_group[{index}] has count {group.count}; "
                "Triton replaces a count below 1 with the default (1, or 2 on CPU for onnxruntime/tensorflow)",
                "write the count you mean (at least 1) or leave count out", model.where(field_pattern("count")),
            )


def _check_profiles(model: ModelEntry, index: int, profiles: list[str]) -> None:
    if not profiles:
        return
    at = model.where(field_pattern("profile"))
    if model.platform != "tensorrt_plan":
        model.report("config/instance-profile", "error", f"instance_group[{index}] sets profile outside TensorRT",
                     "profile is only supported for platform tensorrt_plan; remove it", at)
        return
    for profile in profiles:
        if not _non_negative_int(profile):
            model.report("config/instance-profile", "error",
                         f"instance_group[{index}] profile {profile!r} is not a non-negative integer",
                         'profiles are TensorRT optimization profile indexes: profile: [ "0", "1" ]', at)


def _non_negative_int(text: str) -> bool:
    """std::stoi as GetProfileIndex uses it: leading blanks and sign, then digits (trailing text ignored)."""
    import re

    match = re.match(r"\s*([+-]?\d+)", text)
    return bool(match) and int(match.group(1)) >= 0


def _nth_with(items, index: int, attr: str) -> int:
    return sum(1 for item in list(items)[:index] if getattr(item, attr))


def _check_version_policy(model: ModelEntry) -> None:
    policy = model.config.version_policy
    choice = policy.WhichOneof("policy_choice")
    at = model.where(field_pattern("version_policy"))
    if choice == "latest" and policy.latest.num_versions < 1:
        model.report(
            "config/version-policy", "error", "version_policy latest has num_versions 0 (nothing would load)",
            "set latest { num_versions: 1 } or more", at,
        )
    if choice == "specific":
        if not policy.specific.versions:
            model.report("config/version-policy", "error", "version_policy specific lists no versions",
                         "list the versions to serve, e.g. specific { versions: [1] }", at)
        on_disk = {int(v) for v in model.versions}
        for version in policy.specific.versions:
            if version not in on_disk:
                model.report(
                    "config/version-policy-missing", "error",
                    f"version_policy names version {version}, but {model.name}/{version}/ does not exist",
                    f"create {model.name}/{version}/ or remove {version} from specific.versions "
                    f"(on disk: {', '.join(model.versions) or 'none'})", at,
                )


def _check_ensemble_fields(model: ModelEntry) -> None:
    config = model.config
    if config.platform != "ensemble":
        model.report(
            "config/ensemble-platform", "error", "ensemble_scheduling is set but platform is not \"ensemble\"",
            'set platform: "ensemble" (and no backend)', model.where(field_pattern("ensemble_scheduling")),
        )
    present = [f for f in ("instance_group", "optimization", "model_warmup") if _has(config, f)]
    for name in present:
        model.report(
            "config/ensemble-forbidden-field", "error", f"an ensemble cannot have {name}",
            f"remove {name}: set it on the composing models instead", model.where(field_pattern(name)),
        )


def _has(config, name: str) -> bool:
    value = getattr(config, name)
    return len(value) > 0 if name != "optimization" else config.HasField("optimization")

"""The smoke options step: tritonship.yaml `smoke:` defaults merged with command-line flags (flags win), pure."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tritonship.errors import BadInput
from tritonship.smoke.run import SmokeOptions

DEFAULT_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class Target:
    kind: str  # repository | url | image | model-image
    value: str


def model_image_source(flags: dict, spec):
    """--model-image with --insecure-registry, --ca-file and --model-image-limit (image.* of the spec as defaults)
    as an image.unpack.ModelImageSource; None without --model-image."""
    from tritonship.image.unpack import resolve_source

    return resolve_source(flags, spec)


def protocols(value: str) -> tuple[str, ...]:
    return ("http", "grpc") if value == "both" else (value,)


def model_list(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    names = tuple(dict.fromkeys(name.strip() for name in value.split(",") if name.strip()))
    if not names:  # ',,,' names no model: not "all models"
        raise BadInput(f"--models {value!r}: no model name in it", hint="leave --models out to check every model")
    return names


def smoke_options(spec, *, models: str | None = None, protocol: str | None = None, golden: str | None = None,
                  require_gpu: bool | None = None) -> SmokeOptions:
    """SmokeOptions from the spec's smoke section (may be None) overridden by flags."""
    section = spec.smoke if spec is not None else None
    golden_dir = _golden_dir(golden, section, spec)
    return SmokeOptions(
        models=model_list(models) or (tuple(section.models) if section else ()),
        protocols=protocols(protocol or (section.protocol if section else "both")),
        shapes={k: dict(v) for k, v in section.shapes.items()} if section else {},
        default_dim=section.default_dim if section else 4,
        golden=golden_dir,
        rtol=section.rtol if section else 1e-5,
        atol=section.atol if section else 1e-6,
        require_gpu=require_gpu if require_gpu is not None else bool(section and section.require_gpu),
    )


def _golden_dir(flag: str | None, section, spec) -> Path | None:
    if flag:
        path = Path(flag)
    elif section is not None and section.golden:
        path = spec.base_dir / section.golden
    else:
        return None
    if not path.is_dir():
        raise BadInput(f"golden folder {path} is not a directory")
    return path


MAX_TIMEOUT_S = 86_400.0


def timeout_s(flag: str | None, spec) -> float:
    from tritonship.spec.types import parse_duration

    if flag is None:
        return spec.smoke.timeout if spec is not None else DEFAULT_TIMEOUT_S
    try:
        value = parse_duration(float(flag) if _is_number(flag) else flag)
    except ValueError as exc:
        raise BadInput(f"--timeout: {exc}") from exc
    if not 0 < value <= MAX_TIMEOUT_S:
        raise BadInput(f"--timeout {flag!r}: must be more than 0 and at most {MAX_TIMEOUT_S:.0f} seconds (a day)")
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def choose_target(repository: str | None, url: str | None, image: str | None, launch: str | None, spec, *,
                  model_image: str | None = None) -> Target:
    """Where the server comes from. With --model-image (a modelcar model image): unpacked into a temporary
    repository for a local tritonserver (kind `model-image`), or, with --image, delivered into the Triton
    container the way the pod does (kind `image`, the model image copied into a volume first)."""
    given = [(k, v) for k, v in (("repository", repository), ("url", url), ("image", image)) if v]
    if len(given) > 1:
        raise BadInput("give only one of --repository, --url and --image")
    if model_image and given and given[0][0] != "image":
        raise BadInput(f"--model-image brings the models: give no --{given[0][0]} with it",
                       hint="add --image TRITON_IMAGE (with --launch docker) to run it in NVIDIA's Triton image")
    if launch and not image:
        raise BadInput("--launch docker starts an image: give --image REF"
                       + (" (the Triton image the model image is delivered into)" if model_image else ""))
    if given:
        return Target(*given[0])
    if model_image:
        return Target("model-image", model_image)
    if spec is not None:
        return Target("repository", str(spec.repository_path()))
    raise BadInput("nothing to smoke-test", hint="give --repository DIR, --url HOST:PORT or --image REF "
                   "(or a tritonship.yaml naming model_repository)")

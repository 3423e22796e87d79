"""kaniko, a render-only path: kaniko runs inside a Jenkins Kubernetes pod, not here.

tritonship writes the build context into the workspace and renders the `/kaniko/executor` arguments;
it is not a `Builder` (there is nothing to run locally), so `build` takes this path instead of a builder.
kaniko snapshots the filesystem after each command (no `--single-snapshot`), so each `COPY layers/NNN/ /`
of the rendered Dockerfile is one layer, as with buildah; `--reproducible` strips the timestamps.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tritonship.image.context import write_context
from tritonship.image.plan import BuildPlan

CONTEXT_DIR = ".tritonship/build-context"
DIGEST_FILE = "/kaniko/tritonship-digest"


@dataclass(frozen=True)
class KanikoPlan:
    context: Path
    args: list[str]


def executor_args(context_dir: str, destinations: Sequence[str], *, insecure: bool = False) -> list[str]:
    """Arguments for `/kaniko/executor` building the rendered context and pushing every tag."""
    args = [f"--context=dir://{context_dir}", f"--dockerfile={context_dir}/Dockerfile",
            "--reproducible", f"--digest-file={DIGEST_FILE}"]
    args += [f"--destination={d}" for d in destinations]
    if insecure:
        args += ["--insecure", "--insecure-pull"]
    return args


def write_kaniko_context(plan: BuildPlan, workspace: Path) -> KanikoPlan:
    context = Path(workspace) / CONTEXT_DIR
    if context.exists():
        shutil.rmtree(context)
    context.parent.mkdir(parents=True, exist_ok=True)
    write_context(context, plan.repository, plan.dockerfile, epoch=plan.epoch, layers=plan.layers,
                  requirements=plan.requirements)
    return KanikoPlan(context, executor_args(str(context), plan.references, insecure=plan.insecure))

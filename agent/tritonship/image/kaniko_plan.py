"""kaniko in a Jenkins pod: write the build context into the workspace and render the executor arguments."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from tritonship.image.builders.kaniko import executor_args
from tritonship.image.context import write_context
from tritonship.image.plan import BuildPlan

CONTEXT_DIR = ".tritonship/build-context"


@dataclass(frozen=True)
class KanikoPlan:
    context: Path
    args: list[str]


def write_kaniko_context(plan: BuildPlan, workspace: Path) -> KanikoPlan:
    context = Path(workspace) / CONTEXT_DIR
    if context.exists():
        shutil.rmtree(context)
    context.parent.mkdir(parents=True, exist_ok=True)
    write_context(context, plan.repository, plan.entries, plan.dockerfile, epoch=plan.epoch,
                  requirements=plan.requirements)
    return KanikoPlan(context, executor_args(str(context), plan.references, insecure=plan.insecure))

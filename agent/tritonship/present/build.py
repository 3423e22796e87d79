"""What `tritonship build` shows: plan, Dockerfile and result as text, JSON data and JUnit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tritonship.errors import EXIT_OK
from tritonship.image.build import BuildResult
from tritonship.image.dockerfile import models_label
from tritonship.image.plan import BuildPlan
from tritonship.present.common import Outcome
from tritonship.present.junit import JUnitCase

if TYPE_CHECKING:
    from rich.console import Console

    from tritonship.image.kaniko import KanikoPlan


def _plan_lines(plan: BuildPlan) -> list[str]:
    digest = plan.repository_digest
    return [
        f"repository   {plan.repository} ({digest.files} files, {digest.bytes / 1e6:.1f} MB)",
        f"content      sha256:{digest.sha256}",
        f"models       {models_label(plan.models)}",
        f"base image   {plan.base_image}",
        f"layout       {plan.layout}" + (" (model image; the pod runs the base image unchanged)"
                                          if plan.layout == "modelcar" else " (models inside the Triton image)"),
        f"builder      {plan.builder}",
        *[f"tag          {ref}" for ref in plan.references],
    ]


def _layer_lines(plan: BuildPlan) -> list[str]:
    """The planned model layers, in image order (one per model version, then the configs)."""
    lines = [f"layers       {len(plan.layers)} model layers"
             + (" + the copier (busybox)" if plan.layout == "modelcar" else "")]
    lines += [f"  {i:>3}  {layer.name:<32} {layer.kind:<8} {len(layer.entries):>5} files "
              f"{layer.bytes / 1e6:>10.1f} MB" for i, layer in enumerate(plan.layers)]
    return lines


def dry_run_outcome(plan: BuildPlan) -> Outcome:
    def render(console: Console) -> None:
        console.print("[bold]Dockerfile[/bold]")
        console.out(plan.dockerfile, highlight=False)
        console.print("[bold]Plan[/bold] (dry run: nothing built, nothing pushed)")
        for line in [*_plan_lines(plan), *_layer_lines(plan)]:
            console.print("  " + line, markup=False)

    data = {"image": None, "tags": plan.references, "cached": False, "digest": None,
            "repository_digest": "sha256:" + plan.repository_digest.sha256, "builder": plan.builder,
            "layout": plan.layout, "plan": plan.to_dict(), "dockerfile": plan.dockerfile}
    return Outcome("build", "dry-run", EXIT_OK, data, render=render, files={"Dockerfile": plan.dockerfile})


def kaniko_outcome(plan: BuildPlan, kaniko: KanikoPlan) -> Outcome:
    def render(console: Console) -> None:
        for line in _plan_lines(plan):
            console.print(line, markup=False)
        console.print(f"context      {kaniko.context}", markup=False)
        console.print("run in the kaniko container:\n  /kaniko/executor " + " \\\n    ".join(kaniko.args), markup=False)

    data = {"image": None, "tags": plan.references, "cached": False, "digest": None,
            "repository_digest": "sha256:" + plan.repository_digest.sha256, "builder": "kaniko",
            "kaniko": {"context": str(kaniko.context), "args": kaniko.args}, "plan": plan.to_dict()}
    return Outcome("build", "passed", EXIT_OK, data, render=render, files={"Dockerfile": plan.dockerfile})


def build_outcome(result: BuildResult) -> Outcome:
    def render(console: Console) -> None:
        for line in _plan_lines(result.plan):
            console.print(line, markup=False)
        state = "cached (already in the registry, nothing built)" if result.cached else "built and pushed"
        if result.push is not None:
            state += (f": {result.push.blobs_uploaded} blobs uploaded ({result.push.bytes_uploaded / 1e6:.1f} MB),"
                      f" {result.push.blobs_present} already present;"
                      f" {result.reused_layers} of {len(result.layers)} model layers reused")
        console.print(f"[green]{state}[/green] in {result.seconds:.1f}s")
        data = result.to_dict()
        console.print(f"image        {result.image}", markup=False)
        console.print(f"triton image {data['triton_image']}", markup=False)
        if data["model_image"]:
            console.print(f"model image  {data['model_image']}", markup=False)

    case = JUnitCase(name=f"build {result.plan.name}", classname="tritonship.build", time_s=result.seconds,
                     system_out=result.image)
    status = "cached" if result.cached else "passed"
    data = result.to_dict() | {"plan": result.plan.to_dict()}
    return Outcome("build", status, EXIT_OK, data, render=render, junit=[case],
                   files={"Dockerfile": result.plan.dockerfile})

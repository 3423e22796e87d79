"""What `tritonship render` shows: the manifests as YAML (stdout and manifests.yaml) and as JSON data."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from tritonship.present.common import Outcome

if TYPE_CHECKING:
    from tritonship.deploy.workload import Workload


def to_outcome(app: str, env_name: str, image: str, objects: list[dict[str, Any]], *, work: Workload | None = None,
               note: str = "") -> Outcome:
    from tritonship.deploy.manifests import to_yaml

    text = to_yaml(objects)
    data = {"app": app, "env": env_name, "image": image, "manifests": objects}
    if work is not None:
        data.update(layout=work.layout, triton_image=work.triton_image, model_image=work.model_image,
                    delivery=work.delivery, note=note)
    header = f"# {note}\n" if note and work is not None and work.layout == "modelcar" else ""
    return Outcome("render", "passed", 0, data, render=lambda _c: click.echo(header + text, nl=False),
                   files={"manifests.yaml": header + text})

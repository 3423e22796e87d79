"""What `tritonship render` shows: the manifests as YAML (stdout and manifests.yaml) and as JSON data."""

from __future__ import annotations

from typing import Any

import click

from tritonship.present.common import Outcome


def to_outcome(app: str, env_name: str, image: str, objects: list[dict[str, Any]]) -> Outcome:
    from tritonship.deploy.manifests import to_yaml

    text = to_yaml(objects)
    data = {"app": app, "env": env_name, "image": image, "manifests": objects}
    return Outcome("render", "passed", 0, data, render=lambda _c: click.echo(text, nl=False),
                   files={"manifests.yaml": text})

"""The Jenkins items a catalog asks for, with their config.xml rendered from Jinja2 templates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tritonship.jenkins.catalog import Catalog, Project

# Every item we write carries this in its description: --prune deletes only items that have it.
MARKER = "managed-by: tritonship-seed"


@dataclass(frozen=True)
class JobItem:
    full_name: str  # folder/sub/job
    kind: str  # folder | multibranch
    config_xml: str


def desired_items(catalog: Catalog) -> list[JobItem]:
    """Folders first (parents before children), then one multibranch pipeline per project."""
    folders: dict[str, JobItem] = {}
    jobs: list[JobItem] = []
    for project in catalog.projects:
        folder = catalog.folder_of(project)
        parts = folder.split("/") if folder else []
        for depth in range(1, len(parts) + 1):
            path = "/".join(parts[:depth])
            if path not in folders:
                xml = _render("folder.xml.j2", description=catalog.folder_description, marker=MARKER)
                folders[path] = JobItem(path, "folder", xml)
        full_name = "/".join([*parts, project.name])
        jobs.append(JobItem(full_name, "multibranch", render_multibranch(project)))
    return [*folders.values(), *jobs]


def render_multibranch(project: Project) -> str:
    return _render(
        "multibranch.xml.j2",
        project=project,
        source_id=f"tritonship-{project.name}",
        marker=MARKER,
    )


def _render(template: str, **values) -> str:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("tritonship", "templates/jenkins"),
        undefined=StrictUndefined,
        autoescape=True,  # XML: a URL or description with & or < stays text
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template(template).render(**values)

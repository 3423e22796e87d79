"""The Jenkins items a catalog asks for: config.xml rendered from Jinja2 templates (for `tritonship seed`), and
the same items as one JSON document for pipelines/seed.groovy (Job DSL), so both seeders share one set of
defaults, the ones declared in `tritonship.jenkins.catalog`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tritonship.jenkins.catalog import Catalog, Project

# Every item we write carries this in its description: --prune deletes only items that have it.
MARKER = "managed-by: tritonship-seed"
SCAN_INTERVAL = "4h"  # periodic branch indexing of every multibranch job (PeriodicFolderTrigger)


def describe(text: str | None) -> str:
    """An item's description: the user's text, then the marker (what --prune and seed.groovy rely on)."""
    marker = f"{MARKER} (edits made here are overwritten by the next seed)"
    return f"{text}\n\n{marker}" if text else marker


@dataclass(frozen=True)
class JobItem:
    full_name: str  # folder/sub/job
    kind: str  # folder | multibranch
    config_xml: str


def desired_items(catalog: Catalog) -> list[JobItem]:
    """Folders first (parents before children), then one multibranch pipeline per project."""
    out = []
    for name, project in _items_with_projects(catalog):
        if project is None:
            xml = _render("folder.xml.j2", description=describe(catalog.folder_description))
            out.append(JobItem(name, "folder", xml))
        else:
            out.append(JobItem(name, "multibranch", render_multibranch(project)))
    return out


def render_multibranch(project: Project) -> str:
    return _render("multibranch.xml.j2", project=project, source_id=f"tritonship-{project.name}",
                   description=describe(project.description))


def job_dsl_catalog(catalog: Catalog) -> dict:
    """What pipelines/seed.groovy declares, every default resolved: folders (parents first), then projects."""
    folders: list[dict] = []
    projects: list[dict] = []
    for item, project in _items_with_projects(catalog):
        if project is None:
            folders.append({"name": item, "description": describe(catalog.folder_description)})
            continue
        projects.append({
            "full_name": item, "source_id": f"tritonship-{project.name}", "git": project.git,
            "credentials_id": project.credentials_id or "", "branches": project.branches, "exclude": project.exclude,
            "tags": project.tags, "build_tags": project.builds_tags, "tag_max_age_days": project.tag_max_age_days,
            "script_path": project.script_path, "description": describe(project.description),
            "scan_interval": SCAN_INTERVAL,
        })
    return {"folders": folders, "projects": projects}


def _items_with_projects(catalog: Catalog) -> list[tuple[str, Project | None]]:
    out: dict[str, Project | None] = {}
    jobs: list[tuple[str, Project]] = []
    for project in catalog.projects:
        folder = catalog.folder_of(project)
        parts = folder.split("/") if folder else []
        for depth in range(1, len(parts) + 1):
            out.setdefault("/".join(parts[:depth]), None)
        jobs.append(("/".join([*parts, project.name]), project))
    return [*out.items(), *jobs]


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

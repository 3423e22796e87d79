"""Seeding: decide what to create, update or delete by comparing with the LIVE Jenkins, then do it.

The decision (`plan_seed`) reads only; `apply_plan` writes. A second run against an unchanged
Jenkins plans nothing but `unchanged` and therefore writes nothing; a job edited by hand in the
web UI differs from its rendering and is planned as `update` (restored). `--prune` deletes only
items whose description carries the seed marker and that the catalog no longer lists.

Real Jenkins lists a multibranch project's branch jobs as its children (python-jenkins' get_all_jobs walks
into every item with `jobs`): they belong to the project, go when it is deleted, and never keep it alive.
An existing item of another class (e.g. a freestyle job where a project's multibranch job should be) cannot
be updated: Jenkins refuses a config.xml that changes an item's class ("Expecting class X but got class Y
instead"), so the plan stops before writing anything and says what to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from tritonship.errors import BadInput
from tritonship.jenkins.compare import is_managed, root_tag, same_config, unified_diff

if TYPE_CHECKING:
    from collections.abc import Iterable

    from tritonship.jenkins.render import JobItem

WRITES = ("create", "update", "delete")
MULTIBRANCH_TAG = "org.jenkinsci.plugins.workflow.multibranch.WorkflowMultiBranchProject"


class JenkinsItems(Protocol):
    """What seeding needs from Jenkins (an adapter over python-jenkins implements it)."""

    def get_config(self, name: str) -> str | None: ...  # None: no such item
    def list_items(self) -> list[str]: ...  # full names, every depth
    def create(self, name: str, config_xml: str) -> None: ...
    def update(self, name: str, config_xml: str) -> None: ...
    def delete(self, name: str) -> None: ...


@dataclass(frozen=True)
class SeedAction:
    item: str
    kind: str  # folder | multibranch | existing (an item found in Jenkins)
    action: str  # create | update | unchanged | delete | kept
    config_xml: str | None = None
    diff: str = ""
    reason: str = ""


@dataclass(frozen=True)
class SeedResult:
    actions: tuple[SeedAction, ...]
    dry_run: bool
    prune: bool

    @property
    def writes(self) -> int:
        return 0 if self.dry_run else sum(1 for a in self.actions if a.action in WRITES)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for action in self.actions:
            out[action.action] = out.get(action.action, 0) + 1
        return out


def plan_seed(desired: Iterable[JobItem], api: JenkinsItems, *, prune: bool) -> list[SeedAction]:
    desired = list(desired)
    actions = [_plan_item(item, api.get_config(item.full_name)) for item in desired]
    _refuse_class_changes(actions)
    if prune:
        actions.extend(_plan_prune({i.full_name for i in desired}, api))
    return actions


def _plan_item(item: JobItem, live: str | None) -> SeedAction:
    if live is not None and root_tag(live) != root_tag(item.config_xml):
        found, wanted = root_tag(live) or "non-XML item", root_tag(item.config_xml)
        return SeedAction(item.full_name, item.kind, "conflict", item.config_xml,
                          reason=f"is a {found} in Jenkins, not a {wanted}")
    if live is None:
        return SeedAction(item.full_name, item.kind, "create", item.config_xml,
                          unified_diff(item.full_name, None, item.config_xml))
    if same_config(item.config_xml, live):
        return SeedAction(item.full_name, item.kind, "unchanged", item.config_xml)
    return SeedAction(item.full_name, item.kind, "update", item.config_xml,
                      unified_diff(item.full_name, live, item.config_xml), reason="live config differs")


def _refuse_class_changes(actions: list[SeedAction]) -> None:
    conflicts = [a for a in actions if a.action == "conflict"]
    if conflicts:
        first = conflicts[0]
        raise BadInput(f"{first.item} {first.reason}; Jenkins cannot change an item's class",
                       hint="rename the project in models.yaml, or delete or rename that item in Jenkins first")


def _plan_prune(wanted: set[str], api: JenkinsItems) -> list[SeedAction]:
    """Managed items no longer listed, deepest first; a folder is kept while it holds anything else."""
    existing = _without_branch_jobs(api.list_items(), api)
    doomed: list[str] = []
    actions: list[SeedAction] = []
    for name in sorted(existing, key=lambda n: (-n.count("/"), n)):
        if name in wanted or any(w.startswith(name + "/") for w in wanted):
            continue
        live = api.get_config(name)
        if live is None or not is_managed(live):
            continue
        others = [n for n in existing if n.startswith(name + "/") and n not in doomed]
        if others:
            reason = f"holds items seed does not manage: {others[0]}"
            actions.append(SeedAction(name, "existing", "kept", reason=reason))
            continue
        doomed.append(name)
        actions.append(SeedAction(name, "existing", "delete", diff=unified_diff(name, live, None),
                                  reason="no longer listed"))
    return actions


def _without_branch_jobs(names: list[str], api: JenkinsItems) -> list[str]:
    """The listed items less the branch jobs inside multibranch projects (they are part of their project)."""
    parents = sorted({n.rsplit("/", 1)[0] for n in names if "/" in n}, key=lambda n: n.count("/"))
    projects: list[str] = []
    for parent in parents:
        if any(parent.startswith(p + "/") for p in projects):
            continue
        live = api.get_config(parent)
        if live is not None and root_tag(live) == MULTIBRANCH_TAG:
            projects.append(parent)
    return [n for n in names if not any(n.startswith(p + "/") for p in projects)]


def apply_plan(actions: Iterable[SeedAction], api: JenkinsItems) -> None:
    for action in actions:
        if action.action == "create":
            api.create(action.item, action.config_xml or "")
        elif action.action == "update":
            api.update(action.item, action.config_xml or "")
        elif action.action == "delete":
            api.delete(action.item)


def seed(desired: Iterable[JobItem], api: JenkinsItems, *, dry_run: bool, prune: bool) -> SeedResult:
    actions = plan_seed(desired, api, prune=prune)
    if not dry_run:
        apply_plan(actions, api)
    return SeedResult(tuple(actions), dry_run=dry_run, prune=prune)

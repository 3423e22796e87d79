"""Seeding decisions without I/O: config comparison, the managed marker, the plan, the catalog."""

from __future__ import annotations

import pytest

from tritonship.errors import BadInput
from tritonship.jenkins.catalog import Catalog, Project, load_catalog
from tritonship.jenkins.compare import is_managed, normalize, same_config
from tritonship.jenkins.render import MARKER, desired_items
from tritonship.jenkins.seed import plan_seed, seed


class DictJenkins:
    """Items in a dict: the JenkinsItems protocol for decisions (the real adapter is tested in integration)."""

    def __init__(self, items: dict[str, str] | None = None) -> None:
        self.items = dict(items or {})
        self.calls: list[tuple[str, str]] = []

    def get_config(self, name):
        return self.items.get(name)

    def list_items(self):
        return list(self.items)

    def create(self, name, config_xml):
        self.calls.append(("create", name))
        self.items[name] = config_xml

    def update(self, name, config_xml):
        self.calls.append(("update", name))
        self.items[name] = config_xml

    def delete(self, name):
        self.calls.append(("delete", name))
        for key in [k for k in self.items if k == name or k.startswith(name + "/")]:
            del self.items[key]


def catalog(*names: str, folder: str = "models") -> Catalog:
    return Catalog(folder=folder, projects=[Project(name=n, git=f"https://g/{n}.git") for n in names])


def test_jenkins_rewrites_are_not_changes():
    ours = "<?xml version='1.0'?>\n<a plugin='x@1'>\n  <b>text</b>\n  <c/>\n</a>\n"
    theirs = "<?xml version='1.1' encoding='UTF-8'?><a plugin='x@2.3'><b>text</b><c></c></a>"
    assert same_config(ours, theirs)
    assert not same_config(ours, theirs.replace("text", "other"))
    assert normalize("not xml <") == "not xml <"


def test_marker_is_read_from_the_description_only():
    assert is_managed(f"<x><description>team job\n\n{MARKER}</description></x>")
    assert not is_managed(f"<x><description>team job</description><note>{MARKER}</note></x>")
    assert not is_managed("broken <xml")


def test_desired_items_creates_each_folder_once_parents_first():
    cat = Catalog(folder="ml", projects=[Project(name="a", git="g", folder="ml/x/y"), Project(name="b", git="g")])
    assert [(i.full_name, i.kind) for i in desired_items(cat)] == [
        ("ml", "folder"), ("ml/x", "folder"), ("ml/x/y", "folder"),
        ("ml/x/y/a", "multibranch"), ("ml/b", "multibranch")]
    assert [i.full_name for i in desired_items(catalog("solo", folder=""))] == ["solo"]


def test_plan_then_idempotent_second_run():
    api = DictJenkins()
    first = seed(desired_items(catalog("a", "b")), api, dry_run=False, prune=False)
    assert first.counts() == {"create": 3} and first.writes == 3
    second = seed(desired_items(catalog("a", "b")), api, dry_run=False, prune=False)
    assert second.counts() == {"unchanged": 3} and second.writes == 0
    assert len(api.calls) == 3


def test_dry_run_writes_nothing_and_carries_diffs():
    api = DictJenkins()
    result = seed(desired_items(catalog("a")), api, dry_run=True, prune=False)
    assert api.calls == [] and result.writes == 0
    assert all(a.diff.startswith("--- jenkins:") for a in result.actions)


def test_prune_spares_unmanaged_and_listed_items():
    api = DictJenkins()
    seed(desired_items(catalog("a", "b")), api, dry_run=False, prune=False)
    api.items["models/mine"] = "<job><description>by hand</description></job>"
    actions = {a.item: a.action for a in plan_seed(desired_items(catalog("a")), api, prune=True)}
    assert actions == {"models": "unchanged", "models/a": "unchanged", "models/b": "delete"}


def test_catalog_errors_name_file_and_line(tmp_path):
    path = tmp_path / "models.yaml"
    path.write_text("projects:\n  - name: a b\n    git: g\n")
    with pytest.raises(BadInput, match=r"models.yaml:2:\d+: projects.0.name: .*not a job name"):
        load_catalog(path)
    path.write_text("projects:\n  - {name: a, git: g}\n  - {name: a, git: h}\n")
    with pytest.raises(BadInput, match="project listed twice: models/a"):
        load_catalog(path)
    with pytest.raises(BadInput, match="no such file"):
        load_catalog(tmp_path / "missing.yaml")


def test_models_yaml_declares_what_seed_groovy_declares():
    """The same list SeedDslTest.groovy expects from pipelines/seed.groovy for this file."""
    from tests.conftest import ROOT

    items = desired_items(load_catalog(ROOT / "pipelines" / "models.yaml"))
    assert [i.full_name for i in items] == ["models", "models/search", "models/example-models", "models/search/ranking"]
    assert all(is_managed(i.config_xml) for i in items)

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


BRANCH_TAG = "org.jenkinsci.plugins.workflow.job.WorkflowJob"
BRANCH_JOB = f"<{BRANCH_TAG}><description/></{BRANCH_TAG}>"


def test_prune_deletes_a_project_that_has_built_with_its_branch_jobs():
    """Real Jenkins lists branch jobs under a multibranch project; they are part of it, not other items."""
    api = DictJenkins()
    seed(desired_items(catalog("a", "b")), api, dry_run=False, prune=False)
    api.items["models/b/main"] = BRANCH_JOB
    api.items["models/b/release%2F1.0"] = BRANCH_JOB
    api.items["models/a/main"] = BRANCH_JOB
    actions = {a.item: a.action for a in plan_seed(desired_items(catalog("a")), api, prune=True)}
    assert actions == {"models": "unchanged", "models/a": "unchanged", "models/b": "delete"}


def test_prune_still_keeps_a_folder_holding_a_hand_made_job():
    api = DictJenkins()
    seed(desired_items(catalog("a", folder="ml/x")), api, dry_run=False, prune=False)
    api.items["ml/x/notebook"] = "<project><description>mine</description></project>"
    actions = {a.item: a.action for a in plan_seed(desired_items(catalog("b", folder="ml")), api, prune=True)}
    assert actions["ml/x"] == "kept" and actions["ml/x/a"] == "delete"


def test_an_item_of_another_class_is_refused_before_any_write():
    api = DictJenkins({"models": FOLDER_XML, "models/a": "<project><description>freestyle</description></project>"})
    with pytest.raises(BadInput) as info:
        seed(desired_items(catalog("a")), api, dry_run=False, prune=False)
    wanted = "org.jenkinsci.plugins.workflow.multibranch.WorkflowMultiBranchProject"
    assert f"models/a is a project in Jenkins, not a {wanted}" in info.value.message
    assert "delete or rename" in info.value.hint
    assert api.calls == []


FOLDER_XML = desired_items(catalog("x"))[0].config_xml


def test_canonical_form_ignores_what_xstream_rewrites():
    ours = "<a><b x='1' y='2'>it's &lt;ok&gt;</b><c></c></a>"
    theirs = "<?xml version='1.1' encoding='UTF-8'?>\n<a>\n  <b y=\"2\" x=\"1\">it&apos;s &lt;ok&gt;</b>\n  <c/>\n</a>"
    assert same_config(ours, theirs)
    assert not same_config(ours, theirs.replace('y="2"', 'y="3"'))


def test_tags_are_built_through_a_build_strategy_that_skips_old_tags():
    xml = desired_items(catalog("a"))[1].config_xml
    assert "<jenkins.branch.buildstrategies.basic.BranchBuildStrategyImpl" in xml
    assert "<atMostMillis>604800000</atMostMillis>" in xml  # 7 days: seeding does not rebuild old releases
    quiet = Catalog(folder="m", projects=[Project(name="q", git="g", tags=False)])
    assert "buildStrategies" not in desired_items(quiet)[1].config_xml
    with pytest.raises(ValueError, match="build_tags: true needs tags: true"):
        Project(name="q", git="g", tags=False, build_tags=True)


def test_catalog_json_for_job_dsl_resolves_every_default():
    from tritonship.jenkins.render import describe, job_dsl_catalog

    doc = job_dsl_catalog(Catalog(folder="ml", projects=[Project(name="a", git="g", folder="ml/x")]))
    assert doc["folders"] == [{"name": "ml", "description": describe("Triton model pipelines.")},
                              {"name": "ml/x", "description": describe("Triton model pipelines.")}]
    assert doc["projects"] == [{"full_name": "ml/x/a", "source_id": "tritonship-a", "git": "g", "credentials_id": "",
                                "branches": "main release/* v*", "exclude": "", "tags": True, "build_tags": True,
                                "tag_max_age_days": 7, "script_path": "Jenkinsfile", "description": describe(""),
                                "scan_interval": "4h"}]


def test_seed_catalog_json_needs_no_jenkins(run_cli, tmp_path):
    import json

    from tests.conftest import ROOT

    result = run_cli("seed", "--catalog-json", "--config", str(ROOT / "pipelines" / "models.yaml"))
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert [f["name"] for f in doc["folders"]] == ["models", "models/search"]
    assert [p["full_name"] for p in doc["projects"]] == ["models/example-models", "models/search/ranking"]
    bad = tmp_path / "models.yaml"
    bad.write_text("projects:\n  - {name: a, git: g, tags: false, build_tags: true}\n")
    refused = run_cli("seed", "--catalog-json", "--config", str(bad))
    assert refused.exit_code == 2
    assert "build_tags: true needs tags: true" in refused.stderr

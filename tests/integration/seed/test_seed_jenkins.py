"""`tritonship seed` against the local Jenkins stand-in, through the real python-jenkins client."""

from __future__ import annotations

import json
import textwrap

import pytest

from tritonship_standins.jenkins import JenkinsStandIn

pytestmark = pytest.mark.integration

TOKEN = "s3cr3t-api-t0ken"

MODELS = textwrap.dedent("""\
    folder: models
    projects:
      - name: example-models
        git: https://git.example.com/ml/example-models.git
        credentials_id: git-ci
      - name: ranking
        git: https://git.example.com/ml/ranking.git?a=1&b=<2>
        folder: models/search
    """)


@pytest.fixture
def jenkins():
    with JenkinsStandIn(users={"admin": TOKEN}) as server:
        yield server


@pytest.fixture
def models(tmp_path):
    path = tmp_path / "models.yaml"
    path.write_text(MODELS)
    return path


@pytest.fixture
def seed(run_cli, jenkins, models):
    def run(*extra: str, config=None, token: str | None = TOKEN):
        env = {"TRITONSHIP_JENKINS_TOKEN": token} if token else {"TRITONSHIP_JENKINS_TOKEN": ""}
        return run_cli("--json", "seed", "--config", str(config or models), "--jenkins", jenkins.url,
                       "--user", "admin", *extra, env=env)

    return run


def actions(result) -> dict[str, str]:
    return {item["item"]: item["action"] for item in result.json()["items"]}


def test_creates_folders_and_multibranch_jobs(seed, jenkins):
    result = seed()
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    assert doc["verb"] == "seed" and doc["status"] == "passed"
    assert actions(result) == {"models": "create", "models/search": "create",
                               "models/example-models": "create", "models/search/ranking": "create"}
    assert jenkins.names == ["models", "models/example-models", "models/example-models/main", "models/search",
                             "models/search/ranking", "models/search/ranking/main"]  # indexing made the branch jobs
    assert doc["writes"] == len(jenkins.writes) == 4
    assert set(doc) == {"tritonship", "verb", "status", "exit_code", "jenkins", "jenkins_version", "config",
                        "dry_run", "prune", "writes", "counts", "items"}
    assert doc["counts"] == {"create": 4}
    assert set(doc["items"][0]) == {"item", "kind", "action", "reason"}
    job = jenkins.config("models/example-models")
    assert "WorkflowMultiBranchProject" in job
    assert "<remote>https://git.example.com/ml/example-models.git</remote>" in job
    assert "<credentialsId>git-ci</credentialsId>" in job
    assert "<scriptPath>Jenkinsfile</scriptPath>" in job
    assert "managed-by: tritonship-seed" in job
    assert "ranking.git?a=1&amp;b=&lt;2&gt;" in jenkins.config("models/search/ranking")  # escaped, not injected
    assert "Folder" in jenkins.config("models/search")


def test_second_run_makes_no_writes(seed, jenkins):
    assert seed().exit_code == 0
    writes = len(jenkins.writes)
    result = seed()
    assert result.exit_code == 0
    assert set(actions(result).values()) == {"unchanged"}
    assert result.json()["writes"] == 0
    assert len(jenkins.writes) == writes


def test_dry_run_prints_a_diff_and_writes_nothing(run_cli, jenkins, models):
    env = {"TRITONSHIP_JENKINS_TOKEN": TOKEN}
    result = run_cli("seed", "--config", str(models), "--jenkins", jenkins.url, "--user", "admin", "--dry-run", env=env)
    assert result.exit_code == 0, result.stderr
    assert "+++ seed:models/example-models" in result.stdout
    assert "+          <remote>https://git.example.com/ml/example-models.git</remote>" in result.stdout
    assert jenkins.names == [] and jenkins.writes == []


def test_job_changed_by_hand_is_detected_and_restored(seed, jenkins):
    assert seed().exit_code == 0
    original = jenkins.config("models/example-models")
    jenkins.edit_config("models/example-models", original.replace("<scriptPath>Jenkinsfile</scriptPath>",
                                                                   "<scriptPath>ci/Hacked.groovy</scriptPath>"))
    dry = seed("--dry-run")
    assert actions(dry)["models/example-models"] == "update"
    diff = next(i["diff"] for i in dry.json()["items"] if i["item"] == "models/example-models")
    assert "-    <scriptPath>ci/Hacked.groovy</scriptPath>" in diff
    assert "+    <scriptPath>Jenkinsfile</scriptPath>" in diff
    assert "Hacked" in jenkins.config("models/example-models")  # dry run changed nothing
    result = seed()
    assert actions(result)["models/example-models"] == "update"
    assert result.json()["writes"] == 1
    assert "<scriptPath>Jenkinsfile</scriptPath>" in jenkins.config("models/example-models")
    assert set(actions(seed()).values()) == {"unchanged"}


def test_prune_deletes_only_managed_items_no_longer_listed(seed, jenkins, models, tmp_path):
    assert seed().exit_code == 0
    jenkins.add_item("models/hand-made", "<flow-definition><description>a person's</description></flow-definition>")
    jenkins.add_item("other", "<project><description>not ours</description></project>")
    fewer = tmp_path / "fewer.yaml"
    fewer.write_text(MODELS.split("  - name: ranking")[0])
    kept = seed(config=fewer)  # without --prune nothing is deleted
    assert "models/search/ranking" in jenkins.names
    assert "delete" not in actions(kept).values()
    result = seed("--prune", config=fewer)
    assert result.exit_code == 0
    assert actions(result)["models/search/ranking"] == "delete"
    assert actions(result)["models/search"] == "delete"
    assert jenkins.names == ["models", "models/example-models", "models/example-models/main", "models/hand-made",
                             "other"]


def test_prune_keeps_a_managed_folder_that_holds_other_items(seed, jenkins, tmp_path):
    assert seed().exit_code == 0
    jenkins.add_item("models/search/notebook", "<project><description>a person's job</description></project>")
    fewer = tmp_path / "fewer.yaml"
    fewer.write_text(MODELS.split("  - name: ranking")[0])
    result = seed("--prune", config=fewer)
    assert actions(result)["models/search"] == "kept"
    assert "models/search/notebook" in jenkins.names


def test_rejected_crumb_is_exit_3_with_a_clear_message(run_cli, models):
    """Without an API token (anonymous access) every POST needs a crumb; a proxy that drops it fails clearly."""
    with JenkinsStandIn(require_auth=False) as jenkins:
        jenkins.state.reject_crumbs = True
        result = run_cli("--json", "seed", "--config", str(models), "--jenkins", jenkins.url,
                         env={"TRITONSHIP_JENKINS_TOKEN": ""})
        names = jenkins.names
    assert result.exit_code == 3
    assert "refused to create models (HTTP 403): no valid crumb was accepted" in result.stderr
    assert "crumb" in result.stderr.split("hint:")[1]
    assert "Traceback" not in result.stderr
    assert TOKEN not in result.stderr + result.stdout
    assert json.loads(result.stdout)["status"] == "error"
    assert names == []


def test_api_token_requests_need_no_crumb(seed, jenkins):
    jenkins.state.reject_crumbs = True  # Jenkins exempts API-token requests from CSRF protection
    assert seed().exit_code == 0


def test_prune_deletes_a_project_whose_branches_have_built(seed, jenkins, tmp_path):
    jenkins.state.branches = ("main", "release/2.0")
    jenkins.state.tags = ("v2.0.0",)
    assert seed().exit_code == 0
    assert "models/search/ranking/release%2F2.0" in jenkins.names  # indexing made branch and tag jobs
    assert "models/search/ranking/v2.0.0" in jenkins.names
    fewer = tmp_path / "fewer.yaml"
    fewer.write_text(MODELS.split("  - name: ranking")[0])
    result = seed("--prune", config=fewer)
    assert result.exit_code == 0, result.stderr
    assert actions(result)["models/search/ranking"] == "delete"
    assert actions(result)["models/search"] == "delete"
    assert not [n for n in jenkins.names if n.startswith("models/search")]
    assert set(actions(seed(config=fewer)).values()) == {"unchanged"}  # the re-serialised configs compare equal


def test_tags_are_built_by_a_build_strategy(seed, jenkins):
    assert seed().exit_code == 0
    job = jenkins.config("models/example-models")
    assert "<jenkins.branch.buildstrategies.basic.TagBuildStrategyImpl plugin=\"basic-branch-build-strategies@" in job
    assert "<jenkins.branch.buildstrategies.basic.BranchBuildStrategyImpl" in job


def test_an_existing_item_of_another_class_is_bad_input_and_nothing_is_written(seed, jenkins):
    jenkins.add_item("models", "<com.cloudbees.hudson.plugins.folder.Folder/>")
    jenkins.add_item("models/example-models", "<project><description>a freestyle job</description></project>")
    result = seed()
    assert result.exit_code == 2
    assert "models/example-models is a project in Jenkins" in result.stderr
    assert jenkins.writes == []


def test_wrong_token_is_exit_3_and_never_printed(seed):
    result = seed(token="wrong-" + TOKEN)
    assert result.exit_code == 3
    assert "HTTP 401" in result.stderr
    assert TOKEN not in result.stderr + result.stdout


def test_unreachable_jenkins_is_exit_3(run_cli, models):
    with JenkinsStandIn() as gone:
        url = gone.url
    result = run_cli("seed", "--config", str(models), "--jenkins", url, "--timeout", "2")
    assert result.exit_code == 3
    assert "cannot reach Jenkins" in result.stderr


def test_bad_models_yaml_is_exit_2_naming_the_line(seed, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("projects:\n  - name: x\n    git: https://g/x.git\n    brnches: main\n")
    result = seed(config=bad)
    assert result.exit_code == 2
    assert "bad.yaml:4:5: projects.0.brnches: unknown key (did you mean 'branches'?)" in result.stderr


def test_token_without_user_is_bad_input(run_cli, jenkins, models):
    result = run_cli("seed", "--config", str(models), "--jenkins", jenkins.url,
                     env={"TRITONSHIP_JENKINS_TOKEN": TOKEN})
    assert result.exit_code == 2
    assert TOKEN not in result.stderr

"""The Jenkins stand-in answers like Jenkins where seeding depends on it: auth, crumbs (API tokens exempt),
404, 400, 500 for a class change, XStream re-serialisation, branch jobs created by indexing."""

from __future__ import annotations

import pytest
import requests

from tritonship_standins.jenkins import JenkinsStandIn

pytestmark = pytest.mark.integration

FOLDER_TAG = "com.cloudbees.hudson.plugins.folder.Folder"
FOLDER = f"<{FOLDER_TAG}><description>d</description></{FOLDER_TAG}>"


@pytest.fixture
def jenkins():
    with JenkinsStandIn(users={"admin": "tok"}, passwords={"alice": "pw"}) as server:
        yield server


def crumb_headers(session: requests.Session, url: str) -> dict[str, str]:
    doc = session.get(url + "crumbIssuer/api/json").json()
    return {doc["crumbRequestField"]: doc["crumb"]}


def test_auth_crumbs_and_status_codes(jenkins):
    url = jenkins.url
    assert requests.get(url + "api/json", timeout=5).status_code == 403  # anonymous
    assert requests.get(url + "api/json", auth=("admin", "bad"), timeout=5).status_code == 401
    s = requests.Session()
    s.auth = ("admin", "tok")
    version = s.get(url, timeout=5)
    assert version.headers["X-Jenkins"]
    web = requests.Session()
    web.auth = ("alice", "pw")  # a password: a web session, which needs the crumb
    assert web.post(url + "createItem?name=models", data=FOLDER, timeout=5).status_code == 403  # no crumb
    assert s.post(url + "createItem?name=models", data=FOLDER, timeout=5).status_code == 200  # API token: exempt
    assert s.post(url + "job/models/doDelete", timeout=5).status_code == 200
    headers = crumb_headers(web, url)
    assert web.post(url + "createItem?name=models", data=FOLDER, headers=headers, timeout=5).status_code == 200
    assert s.post(url + "createItem?name=models", data=FOLDER, headers=headers, timeout=5).status_code == 400
    assert s.post(url + "job/nope/createItem?name=x", data=FOLDER, headers=headers, timeout=5).status_code == 404
    assert s.get(url + "job/models/job/missing/config.xml", timeout=5).status_code == 404
    assert s.get(url + "job/models/config.xml", timeout=5).text.startswith("<?xml version='1.1'")
    jobs = s.get(url + "api/json?tree=jobs[name,url,jobs[name,url]]", timeout=5).json()["jobs"]
    assert [j["name"] for j in jobs] == ["models"] and jobs[0]["jobs"] == []
    assert s.post(url + "job/models/doDelete", headers=headers, timeout=5).status_code == 200
    assert jenkins.names == []
    assert len(jenkins.writes) == 4


MULTIBRANCH = ("<org.jenkinsci.plugins.workflow.multibranch.WorkflowMultiBranchProject>"
               "<description>it's \"m\"</description>"
               "<sources><data><jenkins.branch.BranchSource><source class='jenkins.plugins.git.GitSCMSource'><traits>"
               "<jenkins.plugins.git.traits.TagDiscoveryTrait/></traits></source></jenkins.branch.BranchSource>"
               "</data></sources><x></x></org.jenkinsci.plugins.workflow.multibranch.WorkflowMultiBranchProject>")


def test_stored_xml_is_reserialised_like_xstream(jenkins):
    s = requests.Session()
    s.auth = ("admin", "tok")
    assert s.post(jenkins.url + "createItem?name=m", data=MULTIBRANCH, timeout=5).status_code == 200
    stored = jenkins.config("m")
    assert stored.startswith("<?xml version='1.1' encoding='UTF-8'?>\n<org.jenkinsci.plugins.workflow.multibranch."
                             "WorkflowMultiBranchProject plugin=\"workflow-multibranch@")
    assert "<description>it&apos;s &quot;m&quot;</description>" in stored
    assert '<source class="jenkins.plugins.git.GitSCMSource" plugin="git@' in stored
    assert "\n  <x/>\n" in stored and stored != MULTIBRANCH


def test_indexing_creates_branch_and_tag_jobs_under_a_multibranch_project(jenkins):
    jenkins.state.branches = ("main", "release/1.0")
    jenkins.state.tags = ("v1.0.0",)
    s = requests.Session()
    s.auth = ("admin", "tok")
    assert s.post(jenkins.url + "createItem?name=m", data=MULTIBRANCH, timeout=5).status_code == 200
    assert jenkins.names == ["m", "m/main", "m/release%2F1.0", "m/v1.0.0"]
    jobs = s.get(jenkins.url + "job/m/api/json", timeout=5).json()["jobs"]
    assert [j["_class"] for j in jobs] == ["org.jenkinsci.plugins.workflow.job.WorkflowJob"] * 3
    assert s.post(jenkins.url + "job/m/doDelete", timeout=5).status_code == 200
    assert jenkins.names == []


def test_a_config_that_changes_the_items_class_is_refused(jenkins):
    s = requests.Session()
    s.auth = ("admin", "tok")
    assert s.post(jenkins.url + "createItem?name=f", data=FOLDER, timeout=5).status_code == 200
    refused = s.post(jenkins.url + "job/f/config.xml", data=MULTIBRANCH, timeout=5)
    assert refused.status_code == 500
    assert refused.text == (f"java.io.IOException: Expecting class {FOLDER_TAG} but got class "
                            "org.jenkinsci.plugins.workflow.multibranch.WorkflowMultiBranchProject instead")
    assert "Folder" in jenkins.config("f")
    assert s.post(jenkins.url + "job/f/config.xml", data="<not xml", timeout=5).status_code == 500


def test_serve_command_for_the_demo(tmp_path):
    import os
    import subprocess
    import sys
    import time

    url_file = tmp_path / "url"
    env = dict(os.environ, TRITONSHIP_JENKINS_TOKEN="tok")
    proc = subprocess.Popen([sys.executable, "-m", "tritonship_standins.jenkins", "--user", "bot", "--url-file",
                             str(url_file)], env=env, stdout=subprocess.PIPE, text=True)
    try:
        for _ in range(100):
            if url_file.exists() and url_file.read_text().strip():
                break
            time.sleep(0.1)
        url = url_file.read_text().strip()
        assert requests.get(url + "api/json", auth=("bot", "tok"), timeout=5).json()["jobs"] == []
    finally:
        proc.terminate()  # what 99-stop.sh sends; SIGINT may be ignored in background CI jobs
        proc.wait(timeout=10)

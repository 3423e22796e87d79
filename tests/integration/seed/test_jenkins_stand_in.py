"""The Jenkins stand-in answers like Jenkins where seeding depends on it: auth, crumbs, 404, 400."""

from __future__ import annotations

import pytest
import requests

from tritonship.testing.jenkins import JenkinsStandIn

pytestmark = pytest.mark.integration

FOLDER_TAG = "com.cloudbees.hudson.plugins.folder.Folder"
FOLDER = f"<{FOLDER_TAG}><description>d</description></{FOLDER_TAG}>"


@pytest.fixture
def jenkins():
    with JenkinsStandIn(users={"admin": "tok"}) as server:
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
    assert s.post(url + "createItem?name=models", data=FOLDER, timeout=5).status_code == 403  # no crumb
    headers = crumb_headers(s, url)
    assert s.post(url + "createItem?name=models", data=FOLDER, headers=headers, timeout=5).status_code == 200
    assert s.post(url + "createItem?name=models", data=FOLDER, headers=headers, timeout=5).status_code == 400
    assert s.post(url + "job/nope/createItem?name=x", data=FOLDER, headers=headers, timeout=5).status_code == 404
    assert s.get(url + "job/models/job/missing/config.xml", timeout=5).status_code == 404
    assert s.get(url + "job/models/config.xml", timeout=5).text.startswith("<?xml version='1.1'")
    jobs = s.get(url + "api/json?tree=jobs[name,url,jobs[name,url]]", timeout=5).json()["jobs"]
    assert [j["name"] for j in jobs] == ["models"] and jobs[0]["jobs"] == []
    assert s.post(url + "job/models/doDelete", headers=headers, timeout=5).status_code == 200
    assert jenkins.names == []
    assert len(jenkins.writes) == 2


def test_serve_command_for_the_demo(tmp_path):
    import os
    import subprocess
    import sys
    import time

    url_file = tmp_path / "url"
    env = dict(os.environ, TRITONSHIP_JENKINS_TOKEN="tok")
    proc = subprocess.Popen([sys.executable, "-m", "tritonship.testing.jenkins", "--user", "bot", "--url-file",
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

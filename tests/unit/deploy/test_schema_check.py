"""schema_check: rendered objects are checked against the Kubernetes schemas before render prints them."""

from __future__ import annotations

import copy

import pytest
from tests.conftest import EXAMPLES

from tritonship.deploy.manifests import render_release
from tritonship.deploy.schema_check import check_objects
from tritonship.errors import BadInput
from tritonship.spec import load_spec


@pytest.fixture(scope="module")
def objects():
    return render_release(load_spec(EXAMPLES / "tritonship.yaml"), "dev", "r.example/x@sha256:" + "a" * 64, 1)


def test_what_tritonship_renders_is_valid(objects):
    check_objects(objects, "environment 'dev'")


def test_a_smuggled_field_or_a_wrong_type_is_bad_input_naming_object_and_path(objects):
    broken = copy.deepcopy(objects)
    pod = broken[0]["spec"]["template"]["spec"]
    pod["tolerations"] = [{"key": "k", "operator": "Exists", "privileged": True}]
    broken[1]["spec"]["ports"][0]["port"] = "eighty"
    with pytest.raises(BadInput) as caught:
        check_objects(broken, "environment 'dev'")
    message = caught.value.message
    assert "Deployment" in message and "privileged" in message
    assert "Service" in message and "port" in message

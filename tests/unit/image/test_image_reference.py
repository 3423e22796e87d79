"""Pure parsing: image references, registry flags, auth challenges, credentials lookup."""

from __future__ import annotations

import base64
import json

import pytest

from tritonship.errors import BadInput
from tritonship.image.auth import parse_challenge, token_from_response
from tritonship.image.credentials import ENV_PASSWORD, ENV_USER, find_credentials
from tritonship.image.reference import DOCKER_HUB, ImageRef, parse_reference, split_registry

DIGEST = "sha256:" + "ab" * 32


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"127.0.0.1:5000/ml/models@{DIGEST}", ImageRef("127.0.0.1:5000", "ml/models", None, DIGEST)),
        ("registry.example.com/a/b/c:1.2-abc", ImageRef("registry.example.com", "a/b/c", "1.2-abc", None)),
        (f"localhost/x:t@{DIGEST}", ImageRef("localhost", "x", "t", DIGEST)),
        ("ubuntu", ImageRef(DOCKER_HUB, "library/ubuntu", None, None)),
        ("nvidia/triton:24.10", ImageRef(DOCKER_HUB, "nvidia/triton", "24.10", None)),
        ("nvcr.io/nvidia/tritonserver:24.10-py3", ImageRef("nvcr.io", "nvidia/tritonserver", "24.10-py3", None)),
    ],
)
def test_parse_reference(text, expected):
    assert parse_reference(text) == expected


def test_reference_round_trip_and_reference_part():
    ref = parse_reference(f"127.0.0.1:5000/ml/models:v1@{DIGEST}")
    assert str(ref) == f"127.0.0.1:5000/ml/models:v1@{DIGEST}"
    assert ref.reference == DIGEST
    assert parse_reference("h.io/x:v2").reference == "v2"
    assert parse_reference("h.io/x").reference == "latest"


@pytest.mark.parametrize("text", ["", "a b", "h.io/x@sha256:zz", "h.io/UPPER:v1", "h.io/x:-bad"])
def test_bad_references(text):
    with pytest.raises(BadInput):
        parse_reference(text)


def test_split_registry():
    assert split_registry("127.0.0.1:5000/ml") == ("127.0.0.1:5000", "ml")
    assert split_registry("https://reg.io/") == ("reg.io", "")
    with pytest.raises(BadInput):
        split_registry("/nohost")


def test_parse_challenge():
    ch = parse_challenge('Bearer realm="https://auth.io/token",service="registry.io",scope="repository:a:pull"')
    assert ch.scheme == "bearer"
    assert ch.params == {"realm": "https://auth.io/token", "service": "registry.io", "scope": "repository:a:pull"}
    assert parse_challenge('Basic realm="x"').scheme == "basic"
    assert parse_challenge("") is None
    assert token_from_response({"access_token": "t"}) == "t"
    assert token_from_response({}) is None


def test_credentials_from_env_win(tmp_path):
    env = {ENV_USER: "u", ENV_PASSWORD: "p", "DOCKER_CONFIG": str(tmp_path)}
    creds = find_credentials("reg.io", env)
    assert (creds.username, creds.password, creds.source) == ("u", "p", "env")
    assert "p" not in repr(creds).replace("username", "").replace("Credentials", "").replace("env", "")


def test_credentials_from_docker_config(tmp_path):
    auth = base64.b64encode(b"alice:pa:ss").decode()
    (tmp_path / "config.json").write_text(json.dumps({"auths": {"https://reg.io:5000": {"auth": auth}}}))
    creds = find_credentials("reg.io:5000", {"DOCKER_CONFIG": str(tmp_path)})
    assert (creds.username, creds.password) == ("alice", "pa:ss")
    assert find_credentials("other.io", {"DOCKER_CONFIG": str(tmp_path)}) is None
    assert "pa:ss" not in repr(creds)


def test_bad_docker_config_is_bad_input_without_secret(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"auths": {"reg.io": {"auth": "bm9jb2xvbg=="}}}))
    with pytest.raises(BadInput) as info:
        find_credentials("reg.io", {"DOCKER_CONFIG": str(tmp_path)})
    assert "bm9jb2xvbg" not in info.value.message

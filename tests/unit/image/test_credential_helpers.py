"""Docker credential helpers (`credsStore`, `credHelpers`), run as docker/cli runs them: a real
`docker-credential-<name>` script on PATH reads the registry on stdin and answers JSON."""

from __future__ import annotations

import json
import os
import stat

import pytest

from tritonship.errors import BadInput, InfraError
from tritonship.image.credentials import find_credentials

HELPER = """#!/bin/sh
[ "$1" = get ] || exit 3
read -r host
echo "$host" >> "{log}"
case "$host" in
  registry.example.com) printf '{{"ServerURL":"%s","Username":"AWS","Secret":"s3cr3t-{name}"}}' "$host" ;;
  token.example.com) printf '{{"ServerURL":"%s","Username":"<token>","Secret":"t"}}' "$host" ;;
  broken.example.com) echo "keychain locked" >&2; exit 1 ;;
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac
"""


@pytest.fixture
def docker_env(tmp_path):
    bin_dir, config_dir = tmp_path / "bin", tmp_path / "docker"
    bin_dir.mkdir()
    config_dir.mkdir()
    for name in ("ecr-login", "desktop"):
        script = bin_dir / f"docker-credential-{name}"
        script.write_text(HELPER.format(log=tmp_path / f"{name}.log", name=name))
        script.chmod(script.stat().st_mode | stat.S_IXUSR)
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}", "DOCKER_CONFIG": str(config_dir)}

    def configure(config: dict) -> dict:
        (config_dir / "config.json").write_text(json.dumps(config))
        return env

    return configure, tmp_path


def test_creds_store_answers_for_every_registry(docker_env):
    configure, tmp = docker_env
    env = configure({"credsStore": "desktop", "auths": {"registry.example.com": {}}})
    creds = find_credentials("registry.example.com", env)
    assert (creds.username, creds.password, creds.source) == ("AWS", "s3cr3t-desktop", "docker-credential-desktop")
    assert (tmp / "desktop.log").read_text() == "registry.example.com\n"  # the host on stdin, as docker/cli
    assert "s3cr3t" not in repr(creds)


def test_cred_helpers_win_for_their_registry(docker_env):
    configure, _ = docker_env
    env = configure({"credsStore": "desktop", "credHelpers": {"registry.example.com": "ecr-login"}})
    assert find_credentials("registry.example.com", env).password == "s3cr3t-ecr-login"


def test_not_found_means_no_credentials_and_no_fallback_to_auths(docker_env):
    configure, _ = docker_env
    inline = {"auth": "dXNlcjpwYXNz"}  # user:pass, ignored once a helper is named (docker/cli does the same)
    env = configure({"credsStore": "desktop", "auths": {"other.example.com": inline}})
    assert find_credentials("other.example.com", env) is None


def test_helper_failures_are_clear(docker_env):
    configure, _ = docker_env
    env = configure({"credsStore": "desktop"})
    with pytest.raises(InfraError, match=r"docker-credential-desktop get for broken\.example\.com failed.*locked"):
        find_credentials("broken.example.com", env)
    with pytest.raises(BadInput, match="identity token"):
        find_credentials("token.example.com", env)
    with pytest.raises(BadInput, match="'docker-credential-gcr', which is not on PATH"):
        find_credentials("registry.example.com", configure({"credsStore": "gcr"}))
    with pytest.raises(BadInput, match="not a plain program name"):
        find_credentials("registry.example.com", configure({"credsStore": "../../bin/sh"}))


def test_environment_credentials_still_come_first(docker_env):
    configure, _ = docker_env
    env = configure({"credsStore": "desktop"}) | {"TRITONSHIP_REGISTRY_USER": "u", "TRITONSHIP_REGISTRY_PASSWORD": "p"}
    assert find_credentials("registry.example.com", env).source == "env"

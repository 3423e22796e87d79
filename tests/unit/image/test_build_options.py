"""The build options step: TRITONSHIP_REGISTRY, then --registry, then image.registry (from the ProcessEnv)."""

from __future__ import annotations

import pytest
from tests.conftest import EXAMPLE_REPO

from tritonship.errors import BadInput
from tritonship.image.options import build_options
from tritonship.process_env import ProcessEnv

FLAGS = {"repository": str(EXAMPLE_REPO), "builder": "docker", "name": "demo"}


@pytest.mark.parametrize(("variables", "flag", "expected"), [
    ({"TRITONSHIP_REGISTRY": "env.io/ml"}, "flag.io/ml", "env.io/ml"),
    ({"TRITONSHIP_REGISTRY": ""}, "flag.io/ml", "flag.io/ml"),
    ({}, None, None),
])
def test_registry_precedence(variables, flag, expected):
    options = build_options(None, FLAGS | {"registry": flag}, ProcessEnv(variables), dry_run=True)
    assert options.registry == expected


def test_without_a_spec_the_repository_flag_is_required():
    with pytest.raises(BadInput, match="no model repository given"):
        build_options(None, {"builder": "docker"}, ProcessEnv(), dry_run=True)


def test_kaniko_is_render_only_not_a_local_builder():
    from tritonship.image.builders.factory import make_builder

    with pytest.raises(BadInput, match="runs in a Jenkins Kubernetes pod") as info:
        make_builder("kaniko", {})
    assert "--builder kaniko" in info.value.hint


@pytest.mark.parametrize("registry", ["127.0.0.1:5000/ml", "localhost:5000", "[::1]:5000/ml", "127.0.0.2/ml"])
def test_insecure_registry_is_allowed_on_loopback(registry):
    options = build_options(None, FLAGS | {"registry": registry, "insecure_registry": True}, ProcessEnv(),
                            dry_run=True)
    assert options.insecure


@pytest.mark.parametrize("registry", ["registry.example.com/ml", "10.0.0.5:5000/ml", "localhost.evil.io/ml"])
def test_insecure_registry_is_refused_beyond_loopback_as_its_help_says(registry):
    with pytest.raises(BadInput, match="--insecure-registry is for loopback registries only"):
        build_options(None, FLAGS | {"registry": registry, "insecure_registry": True}, ProcessEnv(), dry_run=True)
    assert not build_options(None, FLAGS | {"registry": registry}, ProcessEnv(), dry_run=True).insecure

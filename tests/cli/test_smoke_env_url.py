"""TRITONSHIP_SMOKE_URL names the server only when no --repository / --image is given (README: smoke)."""

from __future__ import annotations

from tests.conftest import EXAMPLE_REPO


def test_env_url_is_used_without_a_target_flag(run_cli, tmp_path):
    result = run_cli("--json", "smoke", "--timeout", "0.5", env={"TRITONSHIP_SMOKE_URL": "127.0.0.1:1"})
    assert result.exit_code == 3
    assert "127.0.0.1:1" in result.json()["error"]["message"]


def test_repository_flag_wins_over_env_url(run_cli, tmp_path):
    missing = tmp_path / "no-tritonserver"
    result = run_cli("--json", "smoke", "--repository", str(EXAMPLE_REPO), "--tritonserver", str(missing),
                     env={"TRITONSHIP_SMOKE_URL": "127.0.0.1:1"})
    assert result.exit_code == 2
    message = result.json()["error"]["message"]
    assert "give only one of" not in message
    assert "no-tritonserver" in message


def test_model_image_flag_wins_over_env_url(run_cli):
    image = "127.0.0.1:1/ml/models@sha256:" + "d" * 64  # nothing listens: the registry is what fails, not the target
    result = run_cli("--json", "smoke", "--model-image", image, "--insecure-registry",
                     env={"TRITONSHIP_SMOKE_URL": "127.0.0.1:2"})
    assert result.exit_code == 3
    message = result.json()["error"]["message"]
    assert "give no --url" not in message and "registry http://127.0.0.1:1" in message

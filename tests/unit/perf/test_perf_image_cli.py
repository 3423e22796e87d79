"""`perf --image` opens its server the way `smoke --image` does: the same target rules and messages."""

from __future__ import annotations


def test_image_and_url_together_is_bad_input(run_cli):
    result = run_cli("perf", "--image", "reg.example/m:1", "--url", "127.0.0.1:8000", "--model", "m")
    assert result.exit_code == 2
    assert "only one of --repository, --url and --image" in result.stderr


def test_launch_without_an_image_is_bad_input(run_cli, tmp_path):
    result = run_cli("perf", "--repository", str(tmp_path), "--launch", "docker", "--model", "m")
    assert result.exit_code == 2
    assert "--launch docker starts an image" in result.stderr


def test_image_without_a_docker_daemon_is_an_infrastructure_error(run_cli, tmp_path):
    result = run_cli("perf", "--image", "reg.example/m:1", "--model", "m", "--timeout", "5",
                     env={"DOCKER_HOST": f"unix://{tmp_path}/no-docker.sock"})
    assert result.exit_code == 3
    assert "cannot reach the docker daemon" in result.stderr
    assert "Traceback" not in result.stderr


def test_nothing_to_measure_names_every_way_to_get_a_server(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("perf", "--model", "m")
    assert result.exit_code == 2
    assert "--image REF" in result.stderr

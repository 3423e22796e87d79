"""What ships to Jenkins is consistent: agent images (versioned, hash-pinned, the tested Python), pod templates,
the library version, the plugin list. Containers cannot run here, so the Dockerfiles are checked as text and
the image build script with a stand-in `buildah` that records what it is asked to do."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib

import pytest
import yaml
from tests.conftest import ROOT

import tritonship

DOCKERFILES = [ROOT / "docker/agent/Dockerfile", ROOT / "docker/agent-gpu/Dockerfile"]
LOCKS = sorted((ROOT / "docker/requirements").glob("*.lock"))
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PIPELINE = (ROOT / "vars/modelPipeline.groovy").read_text()
CHECKS = (ROOT / "src/io/tritonship/PipelineChecks.groovy").read_text()


def _instructions(path) -> list[str]:
    """Dockerfile instructions with continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", path.read_text())
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.parent.name)
def test_every_pip_install_is_hash_pinned_or_offline(dockerfile):
    installs = [cmd for line in _instructions(dockerfile) for cmd in line.split("&&") if "pip install" in cmd]
    assert installs
    for cmd in installs:
        assert "--require-hashes" in cmd or "--no-index" in cmd, cmd


@pytest.mark.parametrize("lock", LOCKS, ids=lambda p: p.name)
def test_every_locked_requirement_is_pinned_with_a_hash(lock):
    entries = re.split(r"\n(?=\S)", lock.read_text().strip())
    pins = [e for e in entries if not e.startswith("#")]
    assert pins
    for entry in pins:
        assert re.match(r"[A-Za-z0-9_.\-\[\],]+==\S+ \\", entry), entry.splitlines()[0]
        assert "--hash=sha256:" in entry, entry.splitlines()[0]


def test_the_agent_runs_on_the_python_these_tests_run_on():
    """Both images run the agent on Python 3.11 (the GPU image installs it beside Triton's 3.10), the locks are
    compiled for 3.11, requires-python admits it, and this test suite runs on it."""
    agent, gpu = (p.read_text() for p in DOCKERFILES)
    assert "python:3.11-slim-bookworm" in agent
    assert "python3.11 python3.11-venv" in gpu and "python3.11 -m venv /opt/tritonship" in gpu
    assert "--python-version 3.11" in (ROOT / "docker/requirements/compile.sh").read_text()
    assert PYPROJECT["project"]["requires-python"] == ">=3.11"
    assert sys.version_info[:2] == (3, 11)


def test_the_test_image_has_every_debian_package_the_makefile_needs():
    apt = re.search(r"^APT_PACKAGES := (.*)$", (ROOT / "Makefile").read_text(), re.M).group(1).split()
    test_stage = (ROOT / "docker/agent/Dockerfile").read_text().split("AS test", 1)[1]
    assert [p for p in apt if p not in test_stage.split()] == []


def test_library_version_is_one_number_everywhere():
    groovy = re.search(r"LIBRARY_VERSION = '([^']+)'", PIPELINE).group(1)
    assert groovy == PYPROJECT["project"]["version"] == tritonship.__version__


TEMPLATES = sorted((ROOT / "resources/io/tritonship/pods").glob("*.yaml"))


def _fill(text: str) -> str:
    """A pod template as modelPipeline fills it (modelcar values from the real plan's serve section)."""
    import json

    from tritonship.spec.plan import ServePlan

    serve = ServePlan("modelcar", "nvcr.io/nvidia/tritonserver:24.10-py3").to_dict()
    values = {"AGENT_IMAGE": "ghcr.io/tritonship/agent:0.1.0", "GPU_AGENT_IMAGE": "ghcr.io/tritonship/agent-gpu:0.1.0",
              "MODEL_IMAGE": "reg/m@sha256:" + "a" * 64, "PULL_SECRETS": "[]",
              "TRITON_IMAGE": "nvcr.io/nvidia/tritonserver@sha256:" + "b" * 64,
              "INIT_COMMAND": json.dumps(serve["init_command"]), "TRITON_ARGS": json.dumps(serve["triton_args"]),
              "TRITON_COMMAND": json.dumps(serve["triton_command"]),
              "SHARED_MOUNT": serve["shared_mount"], "MODELS_PATH": serve["models_path"]}
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    return text


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_pod_templates_name_the_versioned_images(template):
    text = template.read_text()
    filled = _fill(text)
    assert "@" not in filled.replace("@sha256:", "")
    pod = yaml.safe_load(filled)
    images = [c["image"] for c in pod["spec"]["containers"]]
    if template.name == "image-build.yaml":  # the bootstrap pod that builds the agent images: pinned upstream
        assert images == ["quay.io/buildah/stable:v1.37.5"]
        return
    assert "@AGENT_IMAGE@" in text or "@GPU_AGENT_IMAGE@" in text
    assert images[0] in ("ghcr.io/tritonship/agent:0.1.0", "ghcr.io/tritonship/agent-gpu:0.1.0")


@pytest.mark.parametrize("template", [t for t in TEMPLATES if t.name.startswith("serve")], ids=lambda p: p.name)
def test_serve_pods_are_valid_kubernetes_pods(template):
    import kubernetes_validate

    pod = yaml.safe_load(_fill(template.read_text()))
    kubernetes_validate.validate(pod, "1.30.0", strict=True)


def test_the_modelcar_pod_copies_the_model_image_into_the_volume_triton_serves():
    pod = yaml.safe_load(_fill((ROOT / "resources/io/tritonship/pods/serve-modelcar.yaml").read_text()))["spec"]
    (init,) = pod["initContainers"]
    triton = next(c for c in pod["containers"] if c["name"] == "model")
    assert init["image"].endswith("@sha256:" + "a" * 64) and init["command"][0] == "/tritonship/bin/busybox"
    assert init["command"][-1] == init["volumeMounts"][0]["mountPath"] == "/mnt/tritonship-models"
    assert triton["image"].startswith("nvcr.io/nvidia/tritonserver@sha256:") and triton["command"] == ["tritonserver"]
    assert "--model-repository=/models" in triton["args"]
    shared = next(m for m in triton["volumeMounts"] if m["name"] == init["volumeMounts"][0]["name"])
    assert shared == {"name": "models", "mountPath": "/models", "readOnly": True}
    assert {"name": "models", "emptyDir": {}} in pod["volumes"]


def test_plugins_txt_lists_every_plugin_the_pipeline_checks_for():
    listed = {line.split("#")[0].strip().split(":")[0] for line in (ROOT / "plugins.txt").read_text().splitlines()}
    required = set(re.findall(r"\w+: '([a-z-]+)'", CHECKS.split("REQUIRED_STEPS = [", 1)[1].split("]", 1)[0]))
    assert required and required <= listed
    assert {"basic-branch-build-strategies", "job-dsl", "configuration-as-code", "htmlpublisher"} <= listed


@pytest.fixture
def fake_buildah(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "buildah.log"
    script = bin_dir / "buildah"
    script.write_text(f"""#!/bin/bash
echo "$*" >> {log}
if [ "$1" = push ]; then printf 'sha256:%064d' "$(grep -c push {log})" > "$3"; fi
if [ "$1" = login ]; then cat > /dev/null; fi
""")
    script.chmod(0o755)
    return bin_dir, log


def _build(fake_buildah, tmp_path, **env):
    bin_dir, log = fake_buildah
    run_env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path), **env}
    proc = subprocess.run(["bash", str(ROOT / "docker/build-agent-images.sh")], cwd=ROOT, env=run_env,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    out = json.loads((ROOT / "agent-images.json").read_text())
    (ROOT / "agent-images.json").unlink()
    return out, log.read_text().splitlines()


def test_branch_builds_are_tagged_with_the_commit_and_pushed_by_digest(fake_buildah, tmp_path):
    commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout.strip()
    out, calls = _build(fake_buildah, tmp_path, PUSH="1", REGISTRY="reg.example.com/tools",
                        TRITONSHIP_REGISTRY_USER="robot", TRITONSHIP_REGISTRY_PASSWORD="s3cret")
    assert out["tag"] == f"0.1.0-{commit}"
    assert out["agent"] == "reg.example.com/tools/agent@sha256:" + "1".zfill(64)
    assert out["agent_gpu"].startswith("reg.example.com/tools/agent-gpu@sha256:")
    builds = [c for c in calls if c.startswith("bud")]
    reg = "reg.example.com/tools"
    assert builds == [f"bud --layers -f docker/agent/Dockerfile --target agent -t {reg}/agent:0.1.0-{commit} .",
                      f"bud --layers -f docker/agent/Dockerfile --target test -t {reg}/agent-test:0.1.0-{commit} .",
                      f"bud --layers -f docker/agent-gpu/Dockerfile --build-arg AGENT_IMAGE={out['agent']} "
                      f"-t {reg}/agent-gpu:0.1.0-{commit} ."]
    assert "login --username robot --password-stdin reg.example.com" in calls
    assert not any("s3cret" in c for c in calls)


def test_a_release_tag_gets_the_library_version_and_no_push_without_push(fake_buildah, tmp_path):
    out, calls = _build(fake_buildah, tmp_path, TAG_NAME="v0.1.0")
    assert out["agent"] == "ghcr.io/tritonship/agent:0.1.0"
    assert not any(c.startswith(("push", "login")) for c in calls)


def _pins(lock) -> dict[str, str]:
    return dict(re.findall(r"^([A-Za-z0-9_.\-]+)==(\S+) ", lock.read_text(), re.M))


def test_the_agent_image_ships_the_versions_the_test_image_tests():
    agent, test = _pins(ROOT / "docker/requirements/agent.lock"), _pins(ROOT / "docker/requirements/test.lock")
    differ = {name: (version, test.get(name)) for name, version in agent.items() if test.get(name) != version}
    assert agent and differ == {}

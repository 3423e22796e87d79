"""The promote tests' world: the Kubernetes API simulator (in-process), a tritonship.yaml with short
deadlines, and helpers to run the CLI in-process or as a killable subprocess."""

from __future__ import annotations

import functools
import io
import json
import os
import queue
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.conftest import ROOT

GOOD = "127.0.0.1:5999/ml/example-models@sha256:" + "a" * 64
GOOD2 = "127.0.0.1:5999/ml/example-models@sha256:" + "c" * 64
BAD = "127.0.0.1:5999/ml/broken-models@sha256:" + "b" * 64

SPEC = """\
version: 1
project: demo-app
model_repository: models
environments:
  dev:
    namespace: models-dev
    replicas: {replicas}
    resources: {{ cpu: "{cpu}", memory: 1Gi, gpus: {gpus} }}
    strategy:
      rolling: {{ max_surge: 1, max_unavailable: 0, progress_deadline: {deadline} }}
  staging:
    from: dev
    namespace: models-staging
    replicas: 2
    resources: {{ cpu: "500m", memory: 1Gi }}
    strategy:
      rolling: {{ progress_deadline: {deadline} }}
"""


@dataclass
class Project:
    spec: Path
    kubeconfig: Path

    def env(self) -> dict[str, str]:
        return {"KUBECONFIG": str(self.kubeconfig), "BUILD_URL": ""}


@pytest.fixture
def sim():
    from tritonship_standins.kube import KubeSimulator

    with KubeSimulator(nodes=2, ready_delay=0.2, crashloop_image="broken-models",
                       namespaces=("models-dev", "models-staging")) as simulator:
        yield simulator


def write_spec(path: Path, *, replicas: int = 2, cpu: str = "500m", gpus: int = 0, deadline: str = "1.5s") -> Path:
    path.write_text(SPEC.format(replicas=replicas, cpu=cpu, gpus=gpus, deadline=deadline))
    return path


@pytest.fixture
def project(sim, tmp_path) -> Project:
    return Project(write_spec(tmp_path / "tritonship.yaml"), sim.write_kubeconfig(tmp_path / "kubeconfig"))


@pytest.fixture
def tship(run_cli, project):
    """Run `tritonship VERB --spec … ARGS --json` in-process against the simulator."""

    def run(verb: str, *args: str):
        return run_cli(verb, "--spec", str(project.spec), *args, "--json", env=project.env())

    return run


def promote_args(image: str, env: str = "dev") -> list[str]:
    return ["--env", env, "--image", image, "--skip-preflight", "image"]


def spawn(project: Project, *args: str) -> subprocess.Popen:
    """`tritonship ARGS` as a separate process (to kill it, or to race it)."""
    env = {**os.environ, **project.env(), "PYTHONPATH": str(ROOT / "agent")}
    return subprocess.Popen([sys.executable, "-m", "tritonship", *args, "--spec", str(project.spec), "--json"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)


class ForkedCli:
    """A `tritonship` process forked by CliForks: poll(), kill(), wait() and stderr, as Popen's."""

    def __init__(self, forks: CliForks, pid: int, stderr: Path) -> None:
        self.forks, self.pid, self.stderr_path = forks, pid, stderr

    def poll(self) -> int | None:
        return self.forks.codes.get(self.pid)

    def kill(self) -> None:
        self.forks.send({"kill": self.pid})

    def wait(self, timeout: float) -> int:
        if not self.forks.ended(self.pid).wait(timeout):
            raise subprocess.TimeoutExpired(f"tritonship (pid {self.pid})", timeout)
        return self.forks.codes[self.pid]

    @property
    def stderr(self) -> io.StringIO:
        return io.StringIO(self.stderr_path.read_text(errors="replace"))


class CliForks:
    """The client of cli_forkserver.py: `spawn(project, ARGS)` like `spawn`, from a process that has
    imported the agent once (see there); its children are real processes, killed with SIGKILL."""

    def __init__(self, workdir: Path) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT / "agent")}
        self.workdir, self.count = workdir, 0
        self.proc = subprocess.Popen([sys.executable, str(Path(__file__).with_name("cli_forkserver.py"))],
                                     env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        self.codes: dict[int, int] = {}
        self.started: queue.Queue[int] = queue.Queue()
        self._ended: dict[int, threading.Event] = {}
        self._lock = threading.Lock()
        assert self.proc.stdout.readline() == "ready\n", "the CLI fork server did not start"
        threading.Thread(target=self._read, name="cli-forks", daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            word, pid, *code = line.split()
            if word == "started":
                self.started.put(int(pid))
            else:
                self.codes[int(pid)] = int(code[0])
                self.ended(int(pid)).set()

    def ended(self, pid: int) -> threading.Event:
        with self._lock:
            return self._ended.setdefault(pid, threading.Event())

    def send(self, request: dict) -> None:
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()

    def spawn(self, project: Project, *args: str) -> ForkedCli:
        self.count += 1
        out, err = self.workdir / f"cli-{self.count}.out", self.workdir / f"cli-{self.count}.err"
        env = {**os.environ, **project.env(), "PYTHONPATH": str(ROOT / "agent")}
        self.send({"run": {"argv": [*args, "--spec", str(project.spec), "--json"], "env": env, "cwd": str(ROOT),
                           "stdout": str(out), "stderr": str(err)}})
        return ForkedCli(self, self.started.get(timeout=30), err)

    def close(self) -> None:
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture(scope="module")
def cli_forks(tmp_path_factory):
    forks = CliForks(tmp_path_factory.mktemp("cli-forks"))
    yield forks
    forks.close()


def ledger(sim, env: str = "dev", app: str = "demo-app") -> list[dict]:
    cm = sim.get("ConfigMap", f"tritonship-{app}-{env}-ledger", f"models-{env}")
    return json.loads(cm["data"]["releases.json"]) if cm else []


def wait_for(predicate, timeout: float = 30.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def deployment_image(sim, env: str = "dev", name: str = "demo-app") -> str:
    dep = sim.get("Deployment", name, f"models-{env}")
    return dep["spec"]["template"]["spec"]["containers"][0]["image"]


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    """A real Debian `docker-registry` on a free loopback port; yields its host:port."""
    from tritonship_standins.registry import local_registry

    with local_registry(tmp_path_factory.mktemp("promote-registry")) as reg:
        yield reg.host


def push_tiny_image(host: str, repository: str) -> str:
    """Push a config blob and a manifest; returns REPO@sha256:… as the registry names it."""
    import hashlib

    from tritonship.image.registry import RegistryClient

    client = RegistryClient(host, insecure=True)
    config = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []}})
    config_digest = "sha256:" + hashlib.sha256(config.encode()).hexdigest()
    client.upload_blob(repository, config_digest, config.encode())
    media = "application/vnd.oci.image.manifest.v1+json"
    manifest = json.dumps({"schemaVersion": 2, "mediaType": media, "layers": [],
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                      "digest": config_digest, "size": len(config)}}).encode()
    digest = client.put_manifest(repository, "v1", manifest, media)
    return f"{host}/{repository}@{digest}"


class Killed(BaseException):
    """Stands for the agent's process dying at this point (not an error the engine could catch)."""


class SkippingClock:
    """The agent's clock in engine tests: real time plus whatever the agent chose to wait, so a
    600 s pause or progress deadline costs almost no real time, while the simulator (which runs in
    real time) still gets a short moment on every poll. `kill_after` (agent seconds waited) raises
    Killed from a wait, as if the process had been killed there."""

    def __init__(self, offset: float = 0.0) -> None:
        self.offset = offset
        self.waited = 0.0
        self.kill_after: float | None = None

    def now(self) -> float:
        return time.time() + self.offset

    def sleep(self, seconds: float) -> None:
        seconds = max(0.0, seconds)
        self.waited += seconds
        if self.kill_after is not None and self.waited >= self.kill_after:
            self.kill_after = None
            raise Killed
        real = min(seconds, 0.02)
        self.offset += seconds - real
        time.sleep(real)


@dataclass
class Engine:
    """The promotion engine in-process on the simulator: each call is a fresh agent (own client)."""

    project: Project
    clock: SkippingClock

    def world(self):
        from tritonship.deploy.kube import Kube, load_api_client
        from tritonship.deploy.world import World

        kube = Kube(load_api_client(kubeconfig=str(self.project.kubeconfig)), self.clock, attempts=3, backoff=0.01)
        return World(kube_for=lambda _env: kube, clock=self.clock)

    def promote(self, image: str | None = None, env: str = "dev", **kw):
        from tritonship.deploy.engine import PromoteRequest, promote

        skip = kw.pop("skip_preflight", ("image",))
        req = PromoteRequest(env=env, started_by="tester", image=image, skip_preflight=skip, **kw)
        return promote(self.world(), self.spec(), req)

    def rollback(self, to: int | None = None, env: str = "dev"):
        from tritonship.deploy.rollback import RollbackRequest, rollback

        return rollback(self.world(), self.spec(), RollbackRequest(env, "tester", to=to))

    def spec(self):
        """The project's tritonship.yaml, loaded as the CLI loads it (once per file and content: the
        fault tests run thousands of agents on a few specs, and parsing is not what they test)."""
        return _loaded_spec(str(self.project.spec), self.project.spec.read_text())


@functools.lru_cache(maxsize=64)
def _loaded_spec(path: str, _text: str):
    from tritonship.spec import load_spec

    return load_spec(path)


@pytest.fixture
def engine(project) -> Engine:
    return Engine(project, SkippingClock())


class Outage:
    """A simulator hook: after `after` requests matching `trigger` were served, every request fails
    (HTTP 503) until `stop()`; records every request it saw."""

    def __init__(self, sim, trigger: str, after: int = 1) -> None:
        import re

        self.sim, self.trigger, self.left, self.seen = sim, re.compile(trigger), after, []
        self.down = False
        sim.faults.hook = self

    def __call__(self, request: str) -> str | None:
        self.seen.append(request)
        if self.down:
            return "fail"
        if self.trigger.search(request):
            self.left -= 1
            self.down = self.left <= 0
        return None

    def stop(self) -> None:
        self.sim.faults.hook = None

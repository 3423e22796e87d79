"""A local Kubernetes API simulator for tests and the demo (not a Kubernetes).

`KubeSimulator` serves the REST paths the `kubernetes` python client uses, on 127.0.0.1, and writes
a kubeconfig for it. It keeps Namespaces, Nodes, Pods, Services, ConfigMaps, Secrets, Deployments (with a
rolling-update controller), PodDisruptionBudgets, HPAs (with a minimal controller), ServiceMonitors,
PodMonitors and Leases; tracks server-side apply's managedFields; pages lists; answers
SelfSubjectAccessReviews; and injects faults. Tests drive it in-process:

    with KubeSimulator(nodes=2, ready_delay=0.2, namespaces=["models-dev"]) as sim:
        os.environ["KUBECONFIG"] = str(sim.write_kubeconfig(tmp / "kubeconfig"))
        sim.faults.set(fail_next=3)            # the next 3 API calls answer 503
        sim.behaviour.crashloop_image = "bad"  # pods of matching images never become Ready
        sim.behaviour.pull_fail_image = "typo"  # ... or cannot pull their image (ImagePullBackOff)
        sim.discovery.absent.add("ServiceMonitor")  # a CRD that is not installed
        sim.access.deny.append({"verb": "create", "resource": "deployments"})  # SSAR says no
        sim.access.enforce = True              # ... and such requests get 403 Forbidden
        sim.add_secret("ledger-key", "models-dev", {"key": os.urandom(32)})  # data stored base64-encoded
        sim.access.deny.append({"verb": "get", "resource": "secrets", "name": "ledger-key"})  # resourceNames
        sim.behaviour.hpa_desired["app"] = 5   # what HPA "app"'s metrics would ask for
        KubeSimulator(version="1.31.0", image_volume=True)  # GET /version, and the ImageVolume feature gate

What it does not model is listed in the README (section "promote").
"""

from __future__ import annotations

import itertools
import threading
from pathlib import Path
from typing import Any

from tritonship_standins.kube.controller import Behaviour, Controllers
from tritonship_standins.kube.discovery import Discovery
from tritonship_standins.kube.podspec import Cluster
from tritonship_standins.kube.server import Access, Api, Faults, make_server
from tritonship_standins.kube.store import BY_PATH, Store, now_iso

__all__ = ["KubeSimulator"]

TOKEN = "tritonship-simulator-token"  # noqa: S105 -- not a secret: the simulator only listens on loopback


class KubeSimulator:
    def __init__(self, *, nodes: int = 2, gpus_per_node: int = 0, node_cpu: str = "8", node_memory: str = "32Gi",
                 ready_delay: float = 1.0, crashloop_image: str | None = None, namespaces: tuple[str, ...] = (),
                 port: int = 0, version: str = "1.30.0", image_volume: bool = False) -> None:
        self.store = Store()
        self.cluster = Cluster(version=version, image_volume=image_volume)  # podspec.py: what each version does
        self.behaviour = Behaviour(ready_delay=ready_delay, crashloop_image=crashloop_image)
        self.faults = Faults()
        self.access = Access()
        self.controllers = Controllers(self.store, self.behaviour)
        self.discovery = Discovery()  # discovery.absent: kinds this cluster does not serve (a CRD not installed)
        api = Api(self.store, self.access, self.discovery, self.cluster, self.behaviour)
        self.server = make_server(api, self.faults, TOKEN, self._admin, port)
        self._thread: threading.Thread | None = None
        for name in ("default", "kube-system", *namespaces):
            self.add_namespace(name)
        for i in range(nodes):
            self.add_node(f"sim-node-{i}", cpu=node_cpu, memory=node_memory, gpus=gpus_per_node)

    # -- lifecycle -------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> KubeSimulator:
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="kube-sim-http", daemon=True)
        self._thread.start()
        self.controllers.start()
        return self

    def stop(self) -> None:
        self.controllers.stop()
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> KubeSimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def write_kubeconfig(self, path: Path | str, context: str = "tritonship-sim") -> Path:
        import yaml

        path = Path(path)
        doc = {
            "apiVersion": "v1", "kind": "Config", "current-context": context,
            "clusters": [{"name": context, "cluster": {"server": self.url}}],
            "users": [{"name": context, "user": {"token": TOKEN}}],
            "contexts": [{"name": context, "context": {"cluster": context, "user": context}}],
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(doc, sort_keys=False))
        path.chmod(0o600)
        return path

    # -- snapshots (tests: many simulators that start from one prepared state) ---------------------
    def snapshot(self) -> dict:
        """Everything the cluster holds, at one instant: objects, the next resourceVersion, and what the
        controllers remember (how long each pod has run, each Deployment's progress tracking)."""
        import copy
        import time

        with self.store.lock:  # the controllers reconcile under this lock: nothing moves meanwhile
            rv = next(self.store._rv)
            self.store._rv = itertools.count(rv)
            now = time.monotonic()
            return copy.deepcopy({"objects": self.store.objects, "rv": rv, "tracks": self.controllers._tracks,
                                  "ages": {pod: now - t for pod, t in self.controllers._pods.items()}})

    def restore(self, state: dict) -> KubeSimulator:
        """Make this simulator hold `state` (from `snapshot()`, of any simulator), as if it had lived
        through what that one did: same objects and resourceVersions, pods as old, rollouts as tracked."""
        import copy
        import time

        state = copy.deepcopy(state)
        with self.store.lock:
            self.store.objects = state["objects"]
            self.store._rv = itertools.count(state["rv"])
            self.controllers._tracks = state["tracks"]
            now = time.monotonic()
            self.controllers._pods = {pod: now - age for pod, age in state["ages"].items()}
        return self

    # -- setup helpers ---------------------------------------------------------------------------
    def add_namespace(self, name: str) -> None:
        self.store.create(BY_PATH[("v1", "namespaces")], None,
                          {"metadata": {"name": name, "labels": {"kubernetes.io/metadata.name": name}},
                           "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}})

    def add_node(self, name: str, *, cpu: str = "8", memory: str = "32Gi", gpus: int = 0,
                 labels: dict[str, str] | None = None) -> None:
        alloc = {"cpu": cpu, "memory": memory, "pods": "110"}
        if gpus:
            alloc["nvidia.com/gpu"] = str(gpus)
        self.store.create(BY_PATH[("v1", "nodes")], None, {
            "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
                                                  **(labels or {})}},
            "spec": {},
            "status": {"capacity": dict(alloc), "allocatable": alloc,
                       "conditions": [{"type": "Ready", "status": "True", "lastHeartbeatTime": now_iso()}]},
        })

    def add_secret(self, name: str, namespace: str, data: dict[str, bytes]) -> dict:
        """An Opaque Secret, its values base64-encoded as the API stores `data`."""
        import base64

        return self.store.create(BY_PATH[("v1", "secrets")], namespace, {
            "metadata": {"name": name, "namespace": namespace}, "type": "Opaque",
            "data": {key: base64.b64encode(value).decode() for key, value in data.items()}})

    def get(self, kind: str, name: str, namespace: str | None = None) -> dict | None:
        """Read an object directly (tests); None when absent."""
        from tritonship_standins.kube.store import KINDS, StatusError

        spec = next(k for k in KINDS if k.kind == kind)
        try:
            return self.store.get(spec, namespace, name)
        except StatusError:
            return None

    def list(self, kind: str, namespace: str | None = None, selector: str | None = None) -> list[dict]:
        from tritonship_standins.kube.store import KINDS

        return self.store.list(next(k for k in KINDS if k.kind == kind), namespace, selector)

    # -- admin endpoint (/_sim/...) for out-of-process control -----------------------------------
    def _admin(self, method: str, path: str, body: Any) -> dict:
        body = body or {}
        if path == "/_sim/faults" and method == "POST":
            self.faults.set(**body)
        elif path == "/_sim/behaviour" and method == "POST":
            for key, value in body.items():
                if not hasattr(self.behaviour, key):
                    raise ValueError(f"unknown behaviour {key!r}")
                setattr(self.behaviour, key, value)
        elif path == "/_sim/deny" and method == "POST":
            self.access.deny[:] = list(body.get("rules") or [])
            self.access.enforce = bool(body.get("enforce", False))
        elif path == "/_sim/namespaces" and method == "POST":
            self.add_namespace(body["name"])
        return {"faults": {"served": self.faults.served, "failed": self.faults.failed, "dropped": self.faults.dropped},
                "ready_delay": self.behaviour.ready_delay, "crashloop_image": self.behaviour.crashloop_image,
                "pull_fail_image": self.behaviour.pull_fail_image,
                "deny": self.access.deny}

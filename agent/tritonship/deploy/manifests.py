"""The Kubernetes objects of one Triton release, rendered from Jinja2 templates in templates/k8s/."""

from __future__ import annotations

import functools
import hashlib
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tritonship.deploy.workload import Workload
    from tritonship.spec.environment import Environment
    from tritonship.spec.model import Spec

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "k8s"
GPU = "nvidia.com/gpu"
ALL_KINDS = ("Deployment", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler", "ServiceMonitor",
             "PodMonitor")


# Deployments no HPA targets: their size is tritonship's to set (the HPA scales the stable/colour one).
UNSCALED_TRACKS = ("canary", "baseline")


def hpa_bounds(env: Environment) -> tuple[int, int]:
    """(minReplicas, maxReplicas) of the environment's HPA (defaults: the environment's replicas)."""
    auto = env.autoscaling
    low = (auto.min if auto else None) or max(1, env.replicas)
    return low, (auto.max if auto else None) or max(low, env.replicas)


def monitor_kind(env: Environment) -> str | None:
    """"ServiceMonitor", "PodMonitor" or None: which Prometheus Operator object the environment renders."""
    if env.monitoring is not None:
        return env.monitoring.kind
    return "ServiceMonitor" if env.service_monitor else None


def base_labels(app: str, env_name: str) -> dict[str, str]:
    """The labels every object of the app in this environment carries; the Service selects on them."""
    return {"app.kubernetes.io/name": app, "app.kubernetes.io/instance": f"{app}-{env_name}"}


def spec_hash(spec: Spec, env_name: str) -> str:
    """A short hash of what, besides the image, decides the release (the environment's settings)."""
    env = spec.environments[env_name]
    # how the ledger is signed does not decide the release (and must not turn a resume into a new attempt)
    settings = env.model_dump(mode="json", by_alias=True, exclude={"ledger"})
    doc = {"project": spec.project, "env": env_name, "settings": settings}
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:16]


def render_release(spec: Spec, env_name: str, image: str, revision: int, *, track: str = "stable",
                   name: str | None = None, replicas: int | None = None,
                   service_selector: dict[str, str] | None = None, service_name: str | None = None,
                   kinds: tuple[str, ...] = ALL_KINDS, workload: Workload | None = None) -> list[dict]:
    """Objects for one release. `track`/`name`/`replicas` let blue-green and canary render extra
    Deployments (e.g. track "canary", name "app-canary"); `service_selector` adds to the Service's selector.
    `workload` says what the pods run (deploy/workload.py); None: the baked layout running `image`."""
    from tritonship.deploy.workload import Workload

    work = workload or Workload.baked(image)
    image = work.artifact
    env = spec.environments[env_name]
    app = spec.project
    base = base_labels(app, env_name)
    labels = {**base, "app.kubernetes.io/component": "inference-server", "app.kubernetes.io/part-of": app,
              "app.kubernetes.io/managed-by": "tritonship", "app.kubernetes.io/version": _version(image),
              "tritonship.io/environment": env_name, "tritonship.io/track": track,
              "tritonship.io/revision": str(revision)}
    common = {"namespace": env.namespace, "labels": labels}
    deploy_name = name or (app if track == "stable" else f"{app}-{track}")
    out: list[dict] = []
    if "Deployment" in kinds:
        if env.autoscaling and track not in UNSCALED_TRACKS:
            replicas = None  # the HPA owns spec.replicas: applying it would take the field back (SSA)
        selector = {**base, "tritonship.io/track": track}
        out.append(_render("deployment.yaml.j2", **common, selector=selector,
                           **_deployment_values(env, work, deploy_name, replicas, selector),
                           annotations={"tritonship.io/image": image, **_pair_annotations(work),
                                        "tritonship.io/spec-hash": spec_hash(spec, env_name),
                                        "tritonship.io/revision": str(revision)}))
    service_labels = {k: v for k, v in labels.items() if k not in ("tritonship.io/track", "tritonship.io/revision")}
    svc_common = {"namespace": env.namespace, "labels": service_labels}
    if "Service" in kinds:  # only the main Service is the ServiceMonitor's: one scrape per pod
        main = {METRICS_LABEL: "true"} if service_name in (None, app) else {}
        out.append(_render("service.yaml.j2", namespace=env.namespace, labels={**service_labels, **main},
                           name=service_name or app, selector={**base, **(service_selector or {})}))
    if "PodDisruptionBudget" in kinds and (env.pdb_min_available is not None or env.replicas > 1):
        min_available = env.pdb_min_available if env.pdb_min_available is not None else max(1, env.replicas - 1)
        out.append(_render("pdb.yaml.j2", **svc_common, name=app, min_available=min_available, selector=base))
    if "HorizontalPodAutoscaler" in kinds and env.autoscaling:
        low, high = hpa_bounds(env)
        out.append(_render("hpa.yaml.j2", **svc_common, name=app, target=deploy_name, min_replicas=low,
                           max_replicas=high, cpu_percent=env.autoscaling.cpu_percent,
                           queue_us=env.autoscaling.queue_us))
    kind = monitor_kind(env)
    if kind is not None and kind in kinds:
        out.append(_monitor(env, kind, {**svc_common, "labels": {**service_labels, **_monitor_labels(env)}},
                            app, base))
    return out


METRICS_LABEL = "tritonship.io/metrics"
# What the built-in queries filter on, from the pod's own labels (the operator adds `namespace`
# itself; we set it too so the rule stands alone). Prometheus' Kubernetes SD exposes pod labels as
# __meta_kubernetes_pod_label_<name with every non [a-zA-Z0-9_] character as '_'>.
QUERY_LABELS = {"namespace": "__meta_kubernetes_namespace",
                "app": "__meta_kubernetes_pod_label_app_kubernetes_io_name",
                "track": "__meta_kubernetes_pod_label_tritonship_io_track",
                "environment": "__meta_kubernetes_pod_label_tritonship_io_environment"}


def monitor_relabelings() -> list[dict]:
    """ServiceMonitor/PodMonitor `relabelings` that produce the labels the built-in queries use."""
    return [{"sourceLabels": [source], "targetLabel": target, "action": "replace"}
            for target, source in QUERY_LABELS.items()]


def _monitor_labels(env: Environment) -> dict[str, str]:
    """The Prometheus' selector labels (`service_monitor: true` alone: the `monitoring` defaults)."""
    from tritonship.spec.environment import Monitoring

    return dict((env.monitoring or Monitoring()).labels)


def _monitor(env: Environment, kind: str, common: dict, app: str, base: dict[str, str]) -> dict:
    from tritonship.deploy.analysis.prometheus import window_text

    interval = window_text(env.monitoring.interval if env.monitoring else 15.0)
    if kind == "PodMonitor":
        return _render("podmonitor.yaml.j2", **common, name=app, selector=base, interval=interval,
                       relabelings=monitor_relabelings())
    return _render("servicemonitor.yaml.j2", **common, name=app, selector={**base, METRICS_LABEL: "true"},
                   interval=interval, relabelings=monitor_relabelings())


def _version(image: str) -> str:
    digest = image.rsplit("@", 1)[-1]
    return digest.split(":")[-1][:12] if "@" in image else image.rsplit(":", 1)[-1][:63]


# The Triton container's securityContext; a modelcar init container (the copier) runs with the same.
CONTAINER_SECURITY = {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": False,
                      "capabilities": {"drop": ["ALL"]}}


def _pair_annotations(work: Workload) -> dict[str, str]:
    if work.layout != "modelcar":
        return {}
    return {"tritonship.io/layout": "modelcar", "tritonship.io/triton-image": work.triton_image,
            "tritonship.io/model-image": work.model_image or "", "tritonship.io/model-delivery": work.delivery or ""}


def _deployment_values(env: Environment, work: Workload, name: str, replicas: int | None,
                       selector: dict[str, str]) -> dict[str, Any]:
    from tritonship.deploy.workload import pod_parts

    rolling = env.strategy.rolling
    surge = rolling.max_surge if rolling else "25%"
    unavailable = rolling.max_unavailable if rolling else 0
    deadline = next(s.progress_deadline for s in (env.strategy.rolling, env.strategy.blue_green, env.strategy.canary)
                    if s is not None)
    return {
        "name": name, "image": work.triton_image, "security": CONTAINER_SECURITY,
        **pod_parts(work, env.shm_size, CONTAINER_SECURITY),
        "replicas": None if env.autoscaling and replicas is None else (env.replicas if replicas is None else replicas),
        "max_surge": surge, "max_unavailable": unavailable, "progress_deadline": max(1, math.ceil(deadline)),
        "resources": pod_resources(env), "node_selector": dict(env.node_selector),
        "tolerations": [t.model_dump(exclude_none=True) for t in env.tolerations],
        **_pod_values(env, selector),
    }


def _pod_values(env: Environment, selector: dict[str, str]) -> dict[str, Any]:
    """Production settings of the pod: shared memory, draining, spreading, pull secrets, identity.
    Startup budget: the startup probe (every 10 s) gives Triton this long to load its models."""
    return {
        "termination_grace": math.ceil(env.termination_grace),
        "pre_stop_delay": math.ceil(env.pre_stop_delay),
        "topology_spread": topology_spread(env, selector), "service_account": env.service_account,
        "image_pull_secrets": [{"name": n} for n in env.image_pull_secrets],
        "startup_failures": max(1, math.ceil((env.startup_budget or 300.0) / 10)),
    }


def topology_spread(env: Environment, selector: dict[str, str]) -> list[dict]:
    """Spread a track's pods across nodes and zones (skew 1), as the scheduler's PodTopologySpread
    does it; `matchLabelKeys: [pod-template-hash]` keeps old and new ReplicaSets apart (k8s >= 1.27)."""
    if env.topology_spread == "none":
        return []
    when = "DoNotSchedule" if env.topology_spread == "hard" else "ScheduleAnyway"
    return [{"maxSkew": 1, "topologyKey": key, "whenUnsatisfiable": when, "matchLabelKeys": ["pod-template-hash"],
             "labelSelector": {"matchLabels": dict(selector)}}
            for key in ("kubernetes.io/hostname", "topology.kubernetes.io/zone")]


def pod_resources(env: Environment) -> dict[str, dict[str, str]]:
    res = env.resources
    requests = {"cpu": res.cpu, "memory": res.memory}
    limits = {"memory": res.memory_limit or res.memory}
    if res.cpu_limit:
        limits["cpu"] = res.cpu_limit
    if res.gpus:
        requests[GPU] = str(res.gpus)
        limits[GPU] = str(res.gpus)
    return {"requests": requests, "limits": limits}


def _render(template: str, **values: Any) -> dict:
    import yaml

    text = _templates().get_template(template).render(**values)
    if yaml.__with_libyaml__:  # the same safe loader, parsed by libyaml: a promotion renders dozens of these
        return yaml.load(text, Loader=yaml.CSafeLoader)
    return yaml.safe_load(text)


@functools.cache
def _templates() -> Any:
    """One Jinja2 environment per process, so that each template is compiled once (jinja2.Environment)."""
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), undefined=jinja2.StrictUndefined,
                              autoescape=False, keep_trailing_newline=True)  # noqa: S701 -- YAML, not HTML


def to_yaml(objects: list[dict]) -> str:
    import yaml

    return "".join("---\n" + yaml.safe_dump(o, sort_keys=False) for o in objects)

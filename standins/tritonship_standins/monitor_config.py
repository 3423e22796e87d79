"""What prometheus-operator makes of a ServiceMonitor or PodMonitor: the Prometheus scrape job, for
tests that feed the rendered monitor to a real Prometheus.

Mirrors prometheus-operator's pkg/prometheus/promcfg.go (generateServiceMonitorConfig,
generatePodMonitorConfig): `keep` rules for every matchLabels pair on the Service's (PodMonitor:
the pod's) labels and their `labelpresent` twins, a `keep` on the endpoint's port name, then the
labels the operator always sets (namespace, service, pod, container, job, endpoint), then the
monitor's own `relabelings`, in that order. Service discovery is replaced by static targets that
carry the `__meta_kubernetes_*` labels Prometheus' Kubernetes SD would attach (`sd_labels`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_INVALID = re.compile(r"[^a-zA-Z0-9_]")
_KEYS = {"sourceLabels": "source_labels", "targetLabel": "target_label", "regex": "regex",
         "replacement": "replacement", "separator": "separator", "modulus": "modulus", "action": "action"}


def sanitize(name: str) -> str:
    """Prometheus' label-name sanitising of Kubernetes label keys (every invalid character -> '_')."""
    return _INVALID.sub("_", name)


def _keep(prefix: str, labels: dict[str, str]) -> list[dict]:
    return [{"action": "keep", "regex": f"({re.escape(v)});true",
             "source_labels": [f"{prefix}_label_{sanitize(k)}", f"{prefix}_labelpresent_{sanitize(k)}"]}
            for k, v in sorted(labels.items())]


def _user(relabelings: Sequence[dict]) -> list[dict]:
    out = []
    for rule in relabelings:
        item = {_KEYS[k]: v for k, v in rule.items() if k in _KEYS}
        if "action" in item:
            item["action"] = str(item["action"]).lower()
        out.append(item)
    return out


def scrape_job(monitor: dict, *, targets: Sequence[dict], interval: str = "1s") -> dict:
    """The scrape job for a rendered monitor over static `targets` ({address, labels})."""
    kind, meta, spec = monitor["kind"], monitor["metadata"], monitor["spec"]
    service = kind == "ServiceMonitor"
    [endpoint] = spec["endpoints" if service else "podMetricsEndpoints"]
    selector = spec["selector"]["matchLabels"]
    rules = _keep("__meta_kubernetes_service" if service else "__meta_kubernetes_pod", selector)
    port_label = "__meta_kubernetes_endpoint_port_name" if service else "__meta_kubernetes_pod_container_port_name"
    rules.append({"action": "keep", "source_labels": [port_label], "regex": endpoint["port"]})
    rules += [{"source_labels": ["__meta_kubernetes_namespace"], "target_label": "namespace"}]
    if service:
        rules.append({"source_labels": ["__meta_kubernetes_service_name"], "target_label": "service"})
    rules += [{"source_labels": ["__meta_kubernetes_pod_name"], "target_label": "pod"},
              {"source_labels": ["__meta_kubernetes_pod_container_name"], "target_label": "container"}]
    if service:
        rules.append({"source_labels": ["__meta_kubernetes_service_name"], "target_label": "job"})
    else:
        rules.append({"target_label": "job", "replacement": f"{meta['namespace']}/{meta['name']}"})
    rules.append({"target_label": "endpoint", "replacement": endpoint["port"]})
    rules += _user(endpoint.get("relabelings") or [])
    prefix = "serviceMonitor" if service else "podMonitor"
    return {"job_name": f"{prefix}/{meta['namespace']}/{meta['name']}/0", "honor_labels": False,
            "metrics_path": endpoint.get("path", "/metrics"), "scrape_interval": interval,
            "scrape_timeout": interval,
            "static_configs": [{"targets": [t["address"]], "labels": t["labels"]} for t in targets],
            "relabel_configs": rules}


def sd_labels(pod: dict, service: dict | None, *, port: str = "metrics") -> dict[str, str]:
    """The meta labels Kubernetes SD gives one pod's metrics port: role `endpoints` (through
    `service`) or role `pod` (service None)."""
    meta = pod["metadata"]
    out = {"__meta_kubernetes_namespace": meta["namespace"], "__meta_kubernetes_pod_name": meta["name"],
           "__meta_kubernetes_pod_container_name": "tritonserver",
           "__meta_kubernetes_pod_container_port_name": port}
    for key, value in (meta.get("labels") or {}).items():
        out[f"__meta_kubernetes_pod_label_{sanitize(key)}"] = value
        out[f"__meta_kubernetes_pod_labelpresent_{sanitize(key)}"] = "true"
    if service is not None:
        out.update({"__meta_kubernetes_service_name": service["metadata"]["name"],
                    "__meta_kubernetes_endpoint_port_name": port,
                    "__meta_kubernetes_endpoint_address_target_kind": "Pod",
                    "__meta_kubernetes_endpoint_address_target_name": meta["name"]})
        for key, value in (service["metadata"].get("labels") or {}).items():
            out[f"__meta_kubernetes_service_label_{sanitize(key)}"] = value
            out[f"__meta_kubernetes_service_labelpresent_{sanitize(key)}"] = "true"
    return out


def selects(service: dict, pod: dict) -> bool:
    """Whether the Service's selector picks the pod (so it is one of its endpoints)."""
    labels = pod["metadata"].get("labels") or {}
    return all(labels.get(k) == v for k, v in (service["spec"].get("selector") or {}).items())

"""The rendered ServiceMonitor / PodMonitor, turned into the scrape job prometheus-operator would
generate and loaded into a real Prometheus scraping real tritonservers, yields series the built-in
queries find — with one scrape per pod, though the blue-green preview Service selects a pod too."""

from __future__ import annotations

import time

import pytest

from tritonship.deploy.analysis.builtin import builtin_query
from tritonship.deploy.analysis.prometheus import PrometheusProvider, QueryLabels
from tritonship.deploy.manifests import render_release
from tritonship_standins.monitor_config import scrape_job, sd_labels, selects
from tritonship_standins.prometheus import local_prometheus
from tritonship_standins.traffic import Traffic

from .conftest import APP, metrics_address

pytestmark = pytest.mark.integration

IMAGE = "registry.example.com/ml/app@sha256:" + "e" * 64
SPEC = {"version": 1, "project": APP, "environments": {
    "sm": {"namespace": "wiring-sm", "replicas": 1,
           "monitoring": {"kind": "ServiceMonitor", "labels": {"release": "kube-prometheus-stack"}}},
    "pm": {"namespace": "wiring-pm", "replicas": 1, "monitoring": {"kind": "PodMonitor"}}}}


def _pod(deployment: dict, name: str) -> dict:
    meta = deployment["spec"]["template"]["metadata"]
    return {"metadata": {"name": name, "namespace": deployment["metadata"]["namespace"], "labels": meta["labels"]}}


def wiring(spec, env: str, servers: dict) -> tuple[dict, list[dict]]:
    """-> (the monitor, static targets as Kubernetes SD would find them) for a stable and a canary pod
    and, for a ServiceMonitor, the main Service plus a blue-green style preview Service on the canary."""
    objs = render_release(spec, env, IMAGE, 2)
    monitor = objs[-1]
    pods = [(_pod(render_release(spec, env, IMAGE, 2, track=track, kinds=("Deployment",))[0], f"{APP}-{track}-0"),
             metrics_address(servers[server])) for track, server in (("stable", "healthy_a"), ("canary", "healthy_b"))]
    if monitor["kind"] == "PodMonitor":
        return monitor, [{"address": addr, "labels": sd_labels(pod, None)} for pod, addr in pods]
    services = [o for o in objs if o["kind"] == "Service"]
    services += render_release(spec, env, IMAGE, 2, kinds=("Service",), service_name=f"{APP}-preview",
                               service_selector={"tritonship.io/track": "canary"})
    return monitor, [{"address": addr, "labels": sd_labels(pod, svc)}
                     for svc in services for pod, addr in pods if selects(svc, pod)]


def _value(provider: PrometheusProvider, query: str, deadline: float) -> float | None:
    while True:  # Prometheus needs two scrapes inside the window before rate() has a value
        reading = provider.measure(query)
        if reading.value is not None or time.monotonic() > deadline:
            return reading.value
        time.sleep(0.5)


def test_rendered_monitors_give_the_labels_the_builtin_queries_use(tritons, tmp_path):
    from tritonship.spec.model import Spec

    spec = Spec.model_validate(SPEC)
    sm, sm_targets = wiring(spec, "sm", tritons)
    pm, pm_targets = wiring(spec, "pm", tritons)
    assert sm["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    assert len(sm_targets) == 3  # the canary pod is an endpoint of the main and the preview Service
    jobs = [scrape_job(sm, targets=sm_targets), scrape_job(pm, targets=pm_targets)]
    with local_prometheus(tmp_path, [], jobs=jobs, jobs_targets=4, timeout=60) as prom, \
            Traffic([tritons["healthy_a"].http_url, tritons["healthy_b"].http_url], rate=20):
        provider = PrometheusProvider(prom.url)
        deadline = time.monotonic() + 30
        for namespace in ("wiring-sm", "wiring-pm"):
            for track in ("stable", "canary"):
                labels = QueryLabels(namespace, APP, track, model="add_sub", window="4s")
                value = _value(provider, builtin_query("success_rate", labels), deadline)
                assert value == pytest.approx(1.0), (namespace, track)
        scrapes = provider.measure('count(up{namespace="wiring-sm", service="' + APP + '"})')
        assert scrapes.value == 2  # one scrape per pod: the preview Service's endpoint was dropped
        per_pod = provider.measure('count(count by (pod) (nv_inference_request_success{namespace="wiring-sm"}))')
        assert per_pod.value == 2

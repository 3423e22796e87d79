"""Rendered manifests are valid Kubernetes objects with the labels, probes and security the issue asks for."""

from __future__ import annotations

import pytest
from tests.conftest import EXAMPLES

from tritonship.deploy.manifests import GPU, render_release, to_yaml


def load_spec_text(text: str):
    import yaml

    from tritonship.spec.model import Spec

    return Spec.model_validate(yaml.safe_load(text))


IMAGE = "registry.example.com/ml/app@sha256:" + "e" * 64

FULL = """
version: 1
project: app
environments:
  prod:
    namespace: models-prod
    replicas: 3
    resources: { cpu: "2", memory: 8Gi, gpus: 1, memory_limit: 10Gi }
    node_selector: { nvidia.com/gpu.product: A100 }
    tolerations: [ { key: nvidia.com/gpu, operator: Exists, effect: NoSchedule } ]
    autoscaling: { min: 3, max: 6, cpu_percent: 70 }
    service_monitor: true
    pdb_min_available: 2
"""


@pytest.fixture(scope="module")
def objects():
    return render_release(load_spec_text(FULL), "prod", IMAGE, 7)


def test_every_object_validates_against_the_kubernetes_schema(objects):
    import kubernetes_validate

    kinds = [o["kind"] for o in objects]
    assert kinds == ["Deployment", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler", "ServiceMonitor"]
    for obj in objects:
        if obj["kind"] == "ServiceMonitor":
            continue
        kubernetes_validate.validate(obj, "1.30.0", strict=True)


def test_service_monitor_is_structurally_right(objects):
    sm = objects[-1]
    assert sm["apiVersion"] == "monitoring.coreos.com/v1"
    [endpoint] = sm["spec"]["endpoints"]
    assert (endpoint["port"], endpoint["path"], endpoint["interval"]) == ("metrics", "/metrics", "15s")
    targets = {r["targetLabel"]: r["sourceLabels"] for r in endpoint["relabelings"]}
    assert targets["app"] == ["__meta_kubernetes_pod_label_app_kubernetes_io_name"]
    assert targets["track"] == ["__meta_kubernetes_pod_label_tritonship_io_track"]
    assert targets["namespace"] == ["__meta_kubernetes_namespace"]
    # selects the main Service only (one scrape per pod): the Service carries the metrics label
    selector = sm["spec"]["selector"]["matchLabels"]
    assert selector.pop("tritonship.io/metrics") == "true"
    assert objects[1]["metadata"]["labels"]["tritonship.io/metrics"] == "true"
    assert selector == objects[1]["spec"]["selector"]
    assert sm["spec"]["namespaceSelector"]["matchNames"] == ["models-prod"]


def test_deployment_runs_the_digest_on_gpus_safely(objects):
    dep = objects[0]
    pod = dep["spec"]["template"]["spec"]
    [container] = pod["containers"]
    assert container["image"] == IMAGE
    assert container["resources"]["limits"][GPU] == "1" and container["resources"]["requests"][GPU] == "1"
    assert container["resources"]["limits"]["memory"] == "10Gi"
    assert [p["containerPort"] for p in container["ports"]] == [8000, 8001, 8002]
    assert container["livenessProbe"]["httpGet"]["path"] == "/v2/health/live"
    assert container["readinessProbe"]["httpGet"]["path"] == "/v2/health/ready"
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert pod["nodeSelector"] == {"nvidia.com/gpu.product": "A100"}
    assert pod["tolerations"] == [{"key": GPU, "operator": "Exists", "effect": "NoSchedule"}]
    labels = dep["spec"]["template"]["metadata"]["labels"]
    assert labels["tritonship.io/revision"] == "7"
    assert labels["app.kubernetes.io/name"] == "app" and labels["app.kubernetes.io/managed-by"] == "tritonship"
    assert set(dep["spec"]["selector"]["matchLabels"].items()) <= set(labels.items())


def test_service_selects_every_track_and_pdb_hpa_follow_the_spec(objects):
    _dep, svc, pdb, hpa, _sm = objects
    assert svc["spec"]["selector"] == {"app.kubernetes.io/name": "app", "app.kubernetes.io/instance": "app-prod"}
    assert pdb["spec"]["minAvailable"] == 2
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (3, 6)


def test_canary_track_renders_a_separately_named_deployment():
    spec = load_spec_text(FULL)
    [dep] = render_release(spec, "prod", IMAGE, 8, track="canary", replicas=1, kinds=("Deployment",))
    assert dep["metadata"]["name"] == "app-canary" and dep["spec"]["replicas"] == 1
    assert dep["spec"]["selector"]["matchLabels"]["tritonship.io/track"] == "canary"


def test_hostile_values_cannot_inject_yaml():
    text = FULL.replace("A100", '"A100\\n  evil: true"')
    with pytest.raises(ValueError, match="label value"):  # refused when the spec is loaded
        load_spec_text(text)
    spec = load_spec_text(FULL)  # and were it to get through, the template quotes it
    hostile = {"node_selector": {"nvidia.com/gpu.product": "A100\n  evil: true"}}
    env = spec.environments["prod"].model_copy(update=hostile)
    spec = spec.model_copy(update={"environments": {"prod": env}})
    [dep] = render_release(spec, "prod", IMAGE, 1, kinds=("Deployment",))
    assert dep["spec"]["template"]["spec"]["nodeSelector"] == {"nvidia.com/gpu.product": "A100\n  evil: true"}


def test_render_verb_prints_yaml_for_gitops(run_cli):
    result = run_cli("render", "--spec", str(EXAMPLES / "tritonship.yaml"), "--env", "dev", "--image", IMAGE)
    assert result.exit_code == 0
    assert "kind: Deployment" in result.stdout and IMAGE in result.stdout
    assert to_yaml([{"a": 1}]) == "---\na: 1\n"
    bad = run_cli("render", "--spec", str(EXAMPLES / "tritonship.yaml"), "--env", "nope")
    assert bad.exit_code == 2 and "no environment 'nope'" in bad.stderr


def test_production_pod_settings(objects):
    pod = objects[0]["spec"]["template"]["spec"]
    [container] = pod["containers"]
    assert pod["volumes"] == [{"name": "dshm", "emptyDir": {"medium": "Memory", "sizeLimit": "1Gi"}}]
    assert container["volumeMounts"] == [{"name": "dshm", "mountPath": "/dev/shm"}]
    assert container["lifecycle"]["preStop"]["exec"]["command"] == ["sleep", "15"]
    assert pod["terminationGracePeriodSeconds"] == 60
    keys = [c["topologyKey"] for c in pod["topologySpreadConstraints"]]
    assert keys == ["kubernetes.io/hostname", "topology.kubernetes.io/zone"]
    assert pod["topologySpreadConstraints"][0]["labelSelector"]["matchLabels"] == \
        objects[0]["spec"]["selector"]["matchLabels"]
    # GPUs requested: 20 minutes to start (models load) and to progress (node provisioning + image pull)
    assert container["startupProbe"]["failureThreshold"] * container["startupProbe"]["periodSeconds"] == 1200
    assert objects[0]["spec"]["progressDeadlineSeconds"] == 1200
    assert "replicas" not in objects[0]["spec"]  # the HPA owns it


def test_pull_secrets_service_account_and_cpu_defaults():
    text = FULL.replace("    service_monitor: true\n", "    service_monitor: true\n    image_pull_secrets: [regcred]\n"
                        "    service_account: triton\n    topology_spread: none\n    shm_size: null\n")
    text = text.replace("gpus: 1, ", "").replace("    autoscaling: { min: 3, max: 6, cpu_percent: 70 }\n", "")
    [dep] = render_release(load_spec_text(text), "prod", IMAGE, 1, kinds=("Deployment",))
    pod = dep["spec"]["template"]["spec"]
    assert pod["imagePullSecrets"] == [{"name": "regcred"}] and pod["serviceAccountName"] == "triton"
    assert "topologySpreadConstraints" not in pod and "volumes" not in pod
    assert dep["spec"]["progressDeadlineSeconds"] == 600 and dep["spec"]["replicas"] == 3


@pytest.mark.parametrize(("edit", "words"), [
    (("project: app", "project: 9app"), "DNS label"),
    (("  prod:", "  Prod:"), "environment name 'Prod'"),
    (("  prod:", "  " + "p" * 60 + ":"), "longer than 63"),
    (("    pdb_min_available: 2", "    pdb_min_available: 2\n    monitoring: { labels: { release: '-bad-' } }"),
     "label value '-bad-'"),
    (("    pdb_min_available: 2", "    pdb_min_available: 2\n    termination_grace: 10s\n    pre_stop_delay: 10s"),
     "must be longer than pre_stop_delay"),
])
def test_names_and_labels_are_checked_against_kubernetes_limits_at_load(edit, words):
    with pytest.raises(ValueError, match=words):
        load_spec_text(FULL.replace(*edit))

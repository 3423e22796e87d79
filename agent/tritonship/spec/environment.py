"""`environments:` — where and how each release is promoted."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from tritonship.spec.analysis import AnalysisSpec
from tritonship.spec.types import Duration, Quantity, Strict

DEADLINE_HELP = ("Deployment progressDeadlineSeconds; default 20m when the pods request GPUs (node provisioning "
                 "plus pulling a ~10 GB Triton image), else 10m.")
GPU_DEFAULT_S, CPU_DEFAULT_S = 1200.0, 600.0
STARTUP_GPU_S, STARTUP_CPU_S = 1200.0, 300.0


class Resources(Strict):
    cpu: Quantity = "1"
    memory: Quantity = "2Gi"
    gpus: int = Field(0, ge=0, description="nvidia.com/gpu per pod.")
    cpu_limit: Quantity | None = None
    memory_limit: Quantity | None = None


class RollingStrategy(Strict):
    max_surge: int | str = "25%"
    max_unavailable: int | str = 0
    progress_deadline: Duration | None = Field(None, description=DEADLINE_HELP)


class BlueGreenStrategy(Strict):
    preview_replicas: int | None = Field(None, ge=0, description="Replicas of the new colour before the switch.")
    pre_promotion_smoke: bool = Field(True, description=(
        "Smoke the preview Service before the switch (generated requests, the checks of `smoke --url`)."))
    preview_url: str | None = Field(None, description=(
        "Where the agent reaches the preview's HTTP port; {service} and {namespace} are filled in. "
        "Default: http://{service}.{namespace}.svc:8000 (the agent runs in the cluster)."))
    mirrored_traffic: bool = Field(False, description=(
        "A mesh or gateway mirrors production traffic to the preview: only then can metrics judge it."))
    pre_promotion_analysis: bool = Field(True, description="Metric analysis of the preview (needs mirrored_traffic).")
    post_promotion_analysis: bool = True
    manual_pause: bool = Field(False, description="Wait for a person before switching the active Service.")
    scale_down_delay: Duration = Field(30.0, description="Old colour kept warm this long after the switch.")
    progress_deadline: Duration | None = Field(None, description=DEADLINE_HELP)


class PauseStep(Strict):
    duration: Duration | None = Field(None, description="Omit to wait for a person (--resume / --abort).")


class AnalysisStep(Strict):
    metrics: list[str] = Field(default_factory=list, description="Names from analysis.metrics; empty means all.")
    judge: bool = Field(False, description="Also run the statistical judge (canary vs baseline).")


class CanaryStep(Strict):
    set_weight: int | None = Field(None, ge=0, le=100)
    pause: PauseStep | None = None
    analysis: AnalysisStep | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> CanaryStep:
        given = [k for k in ("set_weight", "pause", "analysis") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("each canary step is exactly one of 'set_weight', 'pause' or 'analysis'")
        return self


class CanaryStrategy(Strict):
    steps: list[CanaryStep] = Field(default_factory=list)
    baseline: bool = Field(False, description="Start a baseline of the old version beside the canary.")
    progress_deadline: Duration | None = Field(None, description=DEADLINE_HELP)


class Strategy(Strict):
    rolling: RollingStrategy | None = None
    blue_green: BlueGreenStrategy | None = None
    canary: CanaryStrategy | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, str):  # `strategy: canary` means the defaults of that strategy
            key = value.replace("-", "_")
            if key not in ("rolling", "blue_green", "canary"):
                raise ValueError(f"unknown strategy {value!r}; use rolling, blue-green or canary")
            return {key: {}}
        return value

    @model_validator(mode="after")
    def _exactly_one(self) -> Strategy:
        given = [k for k in ("rolling", "blue_green", "canary") if getattr(self, k) is not None]
        if len(given) > 1:
            raise ValueError(f"choose one strategy, not {', '.join(given)}")
        if not given:
            object.__setattr__(self, "rolling", RollingStrategy())
        return self

    @property
    def kind(self) -> str:
        if self.canary is not None:
            return "canary"
        if self.blue_green is not None:
            return "blue-green"
        return "rolling"


class Toleration(Strict):
    """core/v1 Toleration, checked as the API server's ValidateTolerations does: operator Exists or Equal,
    effect one of the three taint effects, Exists takes no value, an empty key needs Exists."""

    key: str | None = Field(None, max_length=316,
                            pattern=r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
    operator: Literal["Equal", "Exists"] = "Equal"
    value: str | None = Field(None, pattern=r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$", max_length=63)
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] | None = None

    @model_validator(mode="after")
    def _as_the_api_server_checks(self):
        if self.operator == "Exists" and self.value:
            raise ValueError("a toleration with operator Exists takes no value")
        if not self.key and self.operator != "Exists":
            raise ValueError("a toleration without a key needs operator Exists")
        return self


class Autoscaling(Strict):
    """A HorizontalPodAutoscaler on the serving Deployment. tritonship then leaves `spec.replicas` to it."""

    min: int | None = Field(None, ge=1, description="minReplicas; default: the environment's replicas.")
    max: int | None = Field(None, ge=1, description="maxReplicas; default: min.")
    cpu_percent: int | None = Field(80, ge=1, le=1000, description="Target average CPU utilisation; null: none.")
    queue_us: int | None = Field(None, ge=1, description=(
        "Target average queue time per request in microseconds: the Prometheus adapter's custom metric "
        "`avg_time_queue_us` (from nv_inference_queue_duration_us), as NVIDIA's Triton Helm chart scales."))

    @model_validator(mode="after")
    def _sane(self) -> Autoscaling:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"autoscaling min ({self.min}) is above max ({self.max})")
        if self.cpu_percent is None and self.queue_us is None:
            raise ValueError("autoscaling needs a target: cpu_percent, queue_us or both")
        return self


# kube-prometheus-stack's Prometheus selects monitors and rules labelled `release: <Helm release name>`
# (prometheusSpec.{serviceMonitor,podMonitor,rule}SelectorNilUsesHelmValues: true, the chart's default).
SELECTOR_LABELS = {"release": "kube-prometheus-stack"}


class Monitoring(Strict):
    """How Prometheus (the Prometheus Operator, e.g. kube-prometheus-stack) finds the pods."""

    kind: Literal["ServiceMonitor", "PodMonitor"] = Field(
        "ServiceMonitor", description="PodMonitor also scrapes pods no Service selects (a blue-green preview).")
    labels: dict[str, str] = Field(default_factory=lambda: dict(SELECTOR_LABELS), description=(
        "Labels on the ServiceMonitor/PodMonitor for the Prometheus' serviceMonitorSelector/podMonitorSelector. "
        "Default {release: kube-prometheus-stack}: kube-prometheus-stack selects `release: <its Helm release "
        "name>` (*SelectorNilUsesHelmValues: true); put your release name, or {} when it selects everything."))
    rule_labels: dict[str, str] | None = Field(None, description=(
        "Labels on the PrometheusRule (`render --rules`) for the Prometheus' ruleSelector; default: labels."))
    interval: Duration = Field(15.0, description="Scrape interval.")


class LedgerSettings(Strict):
    """How the release ledger (a ConfigMap in the namespace) is protected beyond its SHA-256 checksum."""

    signing_secret: str = Field(description=(
        "Secret holding the HMAC-SHA256 key that signs the ledger: NAME (in the environment's namespace) or "
        "NAMESPACE/NAME. CI must be able to `get` it; those who may write ConfigMaps in the namespace must not."))
    signing_key: str = Field("key", pattern=r"^[-._a-zA-Z0-9]{1,253}$",
                             description="The key inside the Secret's data (at least 32 random bytes).")

    @field_validator("signing_secret")
    @classmethod
    def _secret_ref(cls, value: str) -> str:
        from tritonship.spec import k8s_names

        namespace, _, name = value.rpartition("/")
        problem = k8s_names.subdomain_problem(name) or (
            None if not namespace or (k8s_names.DNS1123_LABEL.fullmatch(namespace) and len(namespace) <= 63)
            else f"{namespace!r} is not a valid namespace")
        if problem:
            raise ValueError(f"signing_secret {value!r}: {problem}")
        return value


class Environment(Strict):
    context: str | None = Field(None, description="kubeconfig context; default: the current context.")
    namespace: str = "default"
    replicas: int = Field(1, ge=0)
    resources: Resources = Field(default_factory=Resources)
    node_selector: dict[str, str] = Field(default_factory=dict)
    tolerations: list[Toleration] = Field(default_factory=list)
    strategy: Strategy = Field(default_factory=Strategy)
    analysis: AnalysisSpec | None = None
    approval: bool = Field(False, description="Jenkins asks a person before promoting here.")
    promote_from: str | None = Field(None, alias="from", description="Environment whose successful digest is promoted.")
    autoscaling: Autoscaling | None = Field(None, description="{min, max, cpu_percent, queue_us} for an HPA.")
    service_monitor: bool = Field(False, description="Render a Prometheus Operator ServiceMonitor (see monitoring).")
    monitoring: Monitoring | None = Field(None, description="ServiceMonitor/PodMonitor settings; implies a monitor.")
    capacity: Literal["check", "autoscaling"] = Field(
        "check", description="'autoscaling': the cluster grows on demand, so a capacity shortfall only warns.")
    shm_size: Quantity | None = Field("1Gi", description=(
        "Size of /dev/shm, a memory-backed emptyDir: Triton's Python backend moves tensors through shared memory. "
        "It counts against the pod's memory limit. null: the runtime's 64 MB default."))
    termination_grace: Duration = Field(60.0, description="terminationGracePeriodSeconds: time to drain on scale-down.")
    pre_stop_delay: Duration = Field(15.0, description=(
        "preStop sleep before Triton gets SIGTERM, so Services stop sending to the pod first."))
    topology_spread: Literal["none", "soft", "hard"] = Field("soft", description=(
        "Spread pods across nodes and zones: soft (ScheduleAnyway), hard (DoNotSchedule) or none."))
    image_pull_secrets: list[str] = Field(default_factory=list, description="Secrets for a private registry.")
    service_account: str | None = Field(None, description="serviceAccountName (its token is not mounted).")
    startup_budget: Duration | None = Field(None, description=(
        "Time Triton may take to load its models before the startup probe gives up; default 20m with GPUs, else 5m."))
    pdb_min_available: int | str | None = Field(None, description="PodDisruptionBudget minAvailable.")
    ledger: LedgerSettings | None = Field(None, description=(
        "{signing_secret: NAME or NAMESPACE/NAME, signing_key: KEY}: sign the release ledger with an HMAC key "
        "read from that Secret; unsigned or forged ledgers are then refused."))
    unschedulable_grace: Duration = Field(120.0, description="How long a new pod may stay unschedulable before "
                                          "the rollout fails (and rolls back).")

    @field_validator("namespace")
    @classmethod
    def _dns_label(cls, value: str) -> str:
        import re

        if not re.fullmatch(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?", value):
            raise ValueError(f"{value!r} is not a valid namespace (lower-case letters, digits and '-')")
        return value

    @model_validator(mode="after")
    def _gpu_friendly_defaults(self) -> Environment:
        """Deadlines not given get the defaults for what the pods request (frozen model: set once)."""
        gpu = self.resources.gpus > 0
        strategy = self.strategy.rolling or self.strategy.blue_green or self.strategy.canary
        if strategy.progress_deadline is None:
            object.__setattr__(strategy, "progress_deadline", GPU_DEFAULT_S if gpu else CPU_DEFAULT_S)
        if self.startup_budget is None:
            object.__setattr__(self, "startup_budget", STARTUP_GPU_S if gpu else STARTUP_CPU_S)
        return self

    @model_validator(mode="after")
    def _kubernetes_names(self) -> Environment:
        from tritonship.spec import k8s_names

        problem = (k8s_names.labels_problem(self.node_selector)
                   or k8s_names.labels_problem(self.monitoring.labels if self.monitoring else {})
                   or k8s_names.labels_problem((self.monitoring.rule_labels if self.monitoring else None) or {})
                   or next((p for n in [*self.image_pull_secrets, self.service_account or "default"]
                            if (p := k8s_names.subdomain_problem(n))), None))
        if problem:
            raise ValueError(problem)
        if self.termination_grace <= self.pre_stop_delay:
            raise ValueError(f"termination_grace ({self.termination_grace:g}s) must be longer than pre_stop_delay "
                             f"({self.pre_stop_delay:g}s), or Triton is killed before it drains")
        return self

    @model_validator(mode="after")
    def _analysis_steps_have_analysis(self) -> Environment:
        canary = self.strategy.canary
        for i, step in enumerate(canary.steps if canary else (), 1):
            if step.analysis is None:
                continue
            if self.analysis is None:
                raise ValueError(f"canary step {i} is an analysis: add an `analysis:` section to this environment")
            known = {m.name for m in self.analysis.metrics}
            unknown = [n for n in step.analysis.metrics if n not in known]
            if unknown:
                raise ValueError(f"canary step {i} names unknown analysis metrics: {', '.join(unknown)}")
            if step.analysis.judge and (self.analysis.judge is None or not self.analysis.judge.metrics):
                raise ValueError(f"canary step {i} asks for the judge: add analysis.judge.metrics")
        return self

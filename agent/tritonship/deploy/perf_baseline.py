"""The perf result of the digest running in an environment, kept where the next build finds it without
Jenkins plugins: a ConfigMap `tritonship-<app>-<env>-perf` beside the release ledger, written after a
successful promotion (`promote --perf-result FILE`) and read by `perf --baseline-from ENV`.

The stored result names its digest; a reader uses it only when that digest is the one the ledger says
runs there (the newest succeeded release), so a rollback or an unmeasured promotion never serves the
wrong baseline — it says why there is none instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tritonship.errors import BadInput

DATA_KEY, DIGEST_KEY = "result.json", "digest"
LIMIT_BYTES = 900 * 1024  # a ConfigMap holds at most 1 MiB


def configmap_name(app: str, env: str) -> str:
    return f"tritonship-{app}-{env}-perf"


@dataclass(frozen=True)
class Found:
    """A baseline (None when absent), what it is (for result.json `baseline`), and why it is absent."""

    doc: dict[str, Any] | None
    label: str
    reason: str = ""


def compact(doc: dict[str, Any]) -> dict[str, Any]:
    """The result without per-window detail: what a regression check and the report's overlay read."""
    levels = [{k: v for k, v in lv.items() if k != "windows"} for lv in doc.get("levels", []) if isinstance(lv, dict)]
    return doc | {"levels": levels}


def save(kube: Any, namespace: str, app: str, env: str, *, digest: str, doc: dict[str, Any]) -> str:
    """Keep `doc` as the baseline of `digest` in `env`; returns a line for the promotion's events."""
    text = json.dumps(compact(doc), separators=(",", ":"))
    if len(text) > LIMIT_BYTES:
        return f"perf result not kept as {env}'s baseline: {len(text)} bytes exceed a ConfigMap's limit"
    obj = {
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": configmap_name(app, env), "namespace": namespace,
                     "labels": {"app.kubernetes.io/name": app, "app.kubernetes.io/managed-by": "tritonship",
                                "tritonship.io/environment": env, "tritonship.io/perf-baseline": "true"}},
        "data": {DIGEST_KEY: digest, DATA_KEY: text},
    }
    found = kube.find("ConfigMap", configmap_name(app, env), namespace)
    if found is None:  # get, create and update: the ConfigMap verbs the ledger already needs (no patch)
        kube.create(obj)
    else:
        obj["metadata"]["resourceVersion"] = found["metadata"].get("resourceVersion")
        kube.replace(obj)
    return f"perf result kept as the baseline of {digest} in {env} (ConfigMap {configmap_name(app, env)})"


def fetch(kube: Any, namespace: str, app: str, env: str, running_digest: str | None) -> Found:
    """The stored result of the digest running in `env`, or why there is none."""
    name = configmap_name(app, env)
    if running_digest is None:
        return Found(None, f"{env} (nothing running)", f"nothing has been promoted to {env} yet")
    label = f"{env} ({running_digest})"
    obj = kube.find("ConfigMap", name, namespace)
    data = (obj or {}).get("data") or {}
    if obj is None or DATA_KEY not in data:
        return Found(None, label, f"no perf result was kept for {env} (ConfigMap {namespace}/{name}); "
                                  f"promote with --perf-result FILE to keep one")
    if data.get(DIGEST_KEY) != running_digest:
        return Found(None, label, f"the perf result kept in {env} is of {data.get(DIGEST_KEY)}, but "
                                  f"{running_digest} runs there (promoted without --perf-result?)")
    try:
        doc = json.loads(data[DATA_KEY])
    except ValueError as exc:
        raise BadInput(f"ConfigMap {namespace}/{name}: {DATA_KEY} is not JSON ({exc})") from exc
    if not isinstance(doc, dict) or doc.get("verb") != "perf" or not isinstance(doc.get("levels"), list):
        raise BadInput(f"ConfigMap {namespace}/{name}: {DATA_KEY} is not a result.json written by `tritonship perf`")
    return Found(doc, label)


def fetch_running(kube: Any, spec: Any, env_name: str) -> Found:
    """`perf --baseline-from ENV`: the ledger says which digest runs in ENV; its kept result is the baseline."""
    from tritonship.deploy.ledger_signing import ledger_store

    env = spec.environment(env_name)
    running = ledger_store(kube, spec, env_name).read().last_succeeded()
    return fetch(kube, env.namespace, spec.project, env_name, running.digest if running else None)


def cluster_kube(spec: Any, env_name: str) -> Any:
    from tritonship.deploy.kube import Kube, load_api_client

    return Kube(load_api_client(spec.environment(env_name).context))

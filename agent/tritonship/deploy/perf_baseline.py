"""The perf result of the digest running in an environment, kept where the next build finds it without
Jenkins plugins: a ConfigMap `tritonship-<app>-<env>-perf` beside the release ledger, written after a
successful promotion (`promote --perf-result FILE`) and read by `perf --baseline-from ENV`.

Storage rule: results are kept **per digest** (data key `sha256-<hex>.json`, the newest KEEP digests —
as many as the ledger keeps releases — fewer when the ConfigMap would outgrow its 1 MiB), and a reader
looks up the digest the ledger says runs there (the newest succeeded release). A `tritonship rollback`
records the older digest as the newest succeeded release, so the baseline moves back with it; a
digest promoted without `--perf-result` (or rolled back to before one was kept) has no baseline, and
the reader says so instead of serving another digest's numbers.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from tritonship.errors import BadInput

INDEX_KEY = "digests"  # newest first, one digest per line
LEGACY_DATA_KEY, LEGACY_DIGEST_KEY = "result.json", "digest"  # one result per environment (before per-digest)
LIMIT_BYTES = 900 * 1024  # a ConfigMap holds at most 1 MiB
KEEP = 10  # the ledger's KEEP: a rollback can only return to a release it still lists
_DIGEST = re.compile(r"(sha256|sha512):[0-9a-f]{32,128}")


def configmap_name(app: str, env: str) -> str:
    return f"tritonship-{app}-{env}-perf"


def data_key(digest: str) -> str:
    """The ConfigMap data key of a digest's result (keys allow [-._a-zA-Z0-9], not ':')."""
    return digest.replace(":", "-", 1) + ".json"


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


def kept_results(data: dict[str, str]) -> dict[str, str]:
    """digest -> result text, newest first, from a ConfigMap's data (the one-result layout read as one entry)."""
    kept = {d: data[data_key(d)] for d in (data.get(INDEX_KEY) or "").split() if data_key(d) in data}
    legacy = data.get(LEGACY_DIGEST_KEY)
    if legacy and LEGACY_DATA_KEY in data and legacy not in kept:
        kept[legacy] = data[LEGACY_DATA_KEY]
    return kept


def with_result(kept: dict[str, str], digest: str, text: str) -> dict[str, str]:
    """`digest`'s result first, then the others newest first: at most KEEP, fewer when over LIMIT_BYTES. Pure."""
    merged = {digest: text, **{d: t for d, t in kept.items() if d != digest}}
    out: dict[str, str] = {}
    size = 0
    for name, body in list(merged.items())[:KEEP]:
        size += len(body) + len(data_key(name))
        if size > LIMIT_BYTES:
            break
        out[name] = body
    return out


def save(kube: Any, namespace: str, app: str, env: str, *, digest: str, doc: dict[str, Any]) -> str:
    """Keep `doc` as the baseline of `digest` in `env` (beside the results of the digests promoted
    before it, which a rollback returns to); returns a line for the promotion's events."""
    if not _DIGEST.fullmatch(digest):
        raise BadInput(f"cannot keep a perf result for {digest!r}: not an image digest")
    text = json.dumps(compact(doc), separators=(",", ":"))
    if len(text) > LIMIT_BYTES:
        return f"perf result not kept as {env}'s baseline: {len(text)} bytes exceed a ConfigMap's limit"
    found = kube.find("ConfigMap", configmap_name(app, env), namespace)
    kept = with_result(kept_results((found or {}).get("data") or {}), digest, text)
    obj = {
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": configmap_name(app, env), "namespace": namespace,
                     "labels": {"app.kubernetes.io/name": app, "app.kubernetes.io/managed-by": "tritonship",
                                "tritonship.io/environment": env, "tritonship.io/perf-baseline": "true"}},
        "data": {INDEX_KEY: "\n".join(kept), **{data_key(d): t for d, t in kept.items()}},
    }
    if found is None:  # get, create and update: the ConfigMap verbs the ledger already needs (no patch)
        kube.create(obj)
    else:
        obj["metadata"]["resourceVersion"] = found["metadata"].get("resourceVersion")
        kube.replace(obj)
    return (f"perf result kept as the baseline of {digest} in {env} (ConfigMap {configmap_name(app, env)}, "
            f"{len(kept)} digest{'s' if len(kept) != 1 else ''} kept)")


def fetch(kube: Any, namespace: str, app: str, env: str, running_digest: str | None, *,
          rolled_back: bool = False) -> Found:
    """The stored result of the digest running in `env`, or why there is none."""
    name = configmap_name(app, env)
    if running_digest is None:
        return Found(None, f"{env} (nothing running)", f"nothing has been promoted to {env} yet")
    label = f"{env} ({running_digest})"
    obj = kube.find("ConfigMap", name, namespace)
    kept = kept_results((obj or {}).get("data") or {})
    if not kept:
        return Found(None, label, f"no perf result was kept for {env} (ConfigMap {namespace}/{name}); "
                                  f"promote with --perf-result FILE to keep one")
    if running_digest not in kept:
        why = (f"{env} was rolled back to {running_digest}, and no perf result was kept for it" if rolled_back
               else f"{running_digest} runs in {env} but no perf result was kept for it (promoted without "
                    f"--perf-result?)")
        return Found(None, label, f"{why}; results are kept for {', '.join(kept)}")
    try:
        doc = json.loads(kept[running_digest])
    except ValueError as exc:
        raise BadInput(f"ConfigMap {namespace}/{name}: the result of {running_digest} is not JSON ({exc})") from exc
    if not isinstance(doc, dict) or doc.get("verb") != "perf" or not isinstance(doc.get("levels"), list):
        raise BadInput(f"ConfigMap {namespace}/{name}: the result of {running_digest} is not a result.json "
                       f"written by `tritonship perf`")
    return Found(doc, label)


def fetch_running(kube: Any, spec: Any, env_name: str) -> Found:
    """`perf --baseline-from ENV`: the ledger says which digest runs in ENV; its kept result is the baseline."""
    from tritonship.deploy.ledger_signing import ledger_store

    env = spec.environment(env_name)
    running = ledger_store(kube, spec, env_name).read().last_succeeded()
    return fetch(kube, env.namespace, spec.project, env_name, running.digest if running else None,
                 rolled_back=running is not None and running.kind == "rollback")


def cluster_kube(spec: Any, env_name: str) -> Any:
    from tritonship.deploy.kube import Kube, load_api_client

    return Kube(load_api_client(spec.environment(env_name).context))

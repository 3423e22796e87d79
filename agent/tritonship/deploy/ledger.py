"""The release history of one app in one environment, kept in a ConfigMap.

One record per revision: image digest, spec hash, strategy, who started it, start and end, outcome,
the phase (deploy/phases.py: the state machine) and step reached, the exact manifests applied
(rollback re-applies them) and the strategy's resumable state. The newest record may be open (not
in a final phase): that is the state a re-run continues. The ConfigMap carries a checksum
annotation; a ledger that fails validation or whose checksum does not match (edited by hand) is
refused with BadInput and never overwritten. With `ledger.signing_secret` configured it also carries an
HMAC-SHA256 signature (deploy/ledger_signing.py), checked on every read and written on every write.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from tritonship.deploy.ledger_signing import SIGNATURE, SigningKey, sign, unverified, verify
from tritonship.deploy.phases import PHASES
from tritonship.errors import BadInput, InfraError
from tritonship.image.modelcar import LAYOUTS, ImagePair

KEEP = 10
DATA_KEY = "releases.json"
CHECKSUM = "tritonship.io/ledger-sha256"
OUTCOMES = ("in-progress", "paused", "succeeded", "failed", "rolled-back", "aborted", "superseded")
OPEN = ("in-progress", "paused")
KINDS = ("promote", "rollback")


@dataclass(frozen=True)
class Release:
    revision: int
    image: str
    digest: str
    strategy: str
    started_by: str
    started_at: str
    kind: str = "promote"
    spec_hash: str = ""
    outcome: str = "in-progress"
    step: str = ""
    step_index: int = 0
    finished_at: str | None = None
    reason: str | None = None
    from_env: str | None = None
    rollback_to: int | None = None  # rollback records: the target; promote records rolling back: 0 = none
    phase: str = ""  # deploy/phases.py; "" in records written before phases (read from the outcome)
    ending: str | None = None  # while rolling back: rolled-back | aborted | superseded once it worked
    retry_of: int | None = None  # `promote --retry`: the failed revision this attempt retries
    skipped_preflight: list[str] = field(default_factory=list)
    manifests: list[dict] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)
    # the pair the pods run (image/modelcar.py): records written before layouts are baked, triton_image = image
    layout: str = "baked"
    triton_image: str = ""  # "" in old records: read as `image` (see `pair`)
    model_image: str | None = None
    delivery: str | None = None  # modelcar: init-container | image-volume
    model_bytes: int | None = None  # modelcar: the model image's layer bytes (the emptyDir's sizeLimit)

    @property
    def open(self) -> bool:
        return self.outcome in OPEN

    @property
    def pair(self) -> ImagePair:
        """What this release runs: the Triton image and, for modelcar, the model image."""
        return ImagePair(self.layout, self.triton_image or self.image, self.model_image)

    @property
    def current_phase(self) -> str:
        from tritonship.deploy.phases import legacy_phase

        return self.phase or legacy_phase(self.outcome, self.kind)

    def summary(self) -> dict[str, Any]:
        """The record without its manifests (for history output)."""
        out = asdict(self)
        out.pop("manifests")
        out["triton_image"] = self.pair.triton_image
        return out


@dataclass(frozen=True)
class Ledger:
    app: str
    env: str
    releases: tuple[Release, ...] = ()

    @property
    def current(self) -> Release | None:
        """The open (in-progress or paused) promotion, if any."""
        return self.releases[-1] if self.releases and self.releases[-1].open else None

    @property
    def next_revision(self) -> int:
        return max((r.revision for r in self.releases), default=0) + 1

    def find(self, revision: int) -> Release | None:
        return next((r for r in self.releases if r.revision == revision), None)

    def last_succeeded(self, before: int | None = None) -> Release | None:
        done = [r for r in self.releases if r.outcome == "succeeded" and (before is None or r.revision < before)]
        return done[-1] if done else None

    def outcomes_of(self, digest: str) -> list[str]:
        return [r.outcome for r in self.releases if r.digest == digest]

    def with_release(self, release: Release) -> Ledger:
        """Replace the record of the same revision, or append; keep the newest KEEP records, and the
        newest succeeded one even when it is older: it is what runs, and what a rollback returns to."""
        others = [r for r in self.releases if r.revision != release.revision]
        merged = sorted([*others, release], key=lambda r: r.revision)
        kept = merged[-KEEP:]
        running = next((r for r in reversed(merged) if r.outcome == "succeeded"), None)
        if running is not None and running not in kept:
            kept = [running, *merged[-(KEEP - 1):]]
        return replace(self, releases=tuple(kept))


# -- (de)serialisation, validated ----------------------------------------------------------------
_FIELDS = {
    "revision": int, "image": str, "digest": str, "strategy": str, "started_by": str, "started_at": str,
    "kind": str, "spec_hash": str, "outcome": str, "step": str, "step_index": int,
    "finished_at": (str, type(None)), "reason": (str, type(None)), "from_env": (str, type(None)),
    "rollback_to": (int, type(None)), "phase": str, "ending": (str, type(None)),
    "retry_of": (int, type(None)), "skipped_preflight": list, "manifests": list, "state": dict,
    "layout": str, "triton_image": str, "model_image": (str, type(None)), "delivery": (str, type(None)),
    "model_bytes": (int, type(None)),
}
_REQUIRED = ("revision", "image", "digest", "strategy", "started_by", "started_at", "outcome")


def encode(ledger: Ledger) -> tuple[str, str]:
    """-> (releases.json text, its checksum)."""
    text = json.dumps([asdict(r) for r in ledger.releases], sort_keys=True, separators=(",", ":"))
    return text, hashlib.sha256(text.encode()).hexdigest()


def decode(app: str, env: str, text: str, checksum: str | None, where: str) -> Ledger:
    """Validate a stored ledger; any doubt -> BadInput naming what is wrong. Pure."""
    if checksum is not None and hashlib.sha256(text.encode()).hexdigest() != checksum:
        raise BadInput(f"{where}: the release history was edited by hand (checksum mismatch); refusing to use it",
                       hint="restore it from a backup, or delete the ConfigMap to start a new history")
    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise BadInput(f"{where}: {DATA_KEY} is not valid JSON ({exc})") from exc
    if not isinstance(raw, list):
        raise BadInput(f"{where}: {DATA_KEY} must be a list of release records")
    releases = tuple(_release(item, f"{where}: record {i}") for i, item in enumerate(raw))
    revisions = [r.revision for r in releases]
    if revisions != sorted(set(revisions)):
        raise BadInput(f"{where}: revisions are duplicated or out of order: {revisions}")
    if any(r.open for r in releases[:-1]):
        raise BadInput(f"{where}: only the newest record may be in progress")
    return Ledger(app, env, releases)


def _release(item: Any, where: str) -> Release:
    if not isinstance(item, dict):
        raise BadInput(f"{where}: not an object")
    unknown = set(item) - set(_FIELDS)
    if unknown:
        raise BadInput(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    missing = [k for k in _REQUIRED if k not in item]
    if missing:
        raise BadInput(f"{where}: missing field(s) {', '.join(missing)}")
    for key, value in item.items():
        expected = _FIELDS[key]
        if isinstance(value, bool) or not isinstance(value, expected):
            raise BadInput(f"{where}: field {key!r} has the wrong type ({type(value).__name__})")
    if item["outcome"] not in OUTCOMES:
        raise BadInput(f"{where}: outcome {item['outcome']!r} is not one of {', '.join(OUTCOMES)}")
    if item.get("phase", "") not in ("", *PHASES):
        raise BadInput(f"{where}: phase {item['phase']!r} is not one of {', '.join(PHASES)}")
    if item.get("layout", "baked") not in LAYOUTS:
        raise BadInput(f"{where}: layout {item['layout']!r} is not one of {', '.join(LAYOUTS)}")
    if item.get("kind", "promote") not in KINDS:
        raise BadInput(f"{where}: kind {item['kind']!r} is not one of {', '.join(KINDS)}")
    return Release(**item)


# -- storage -------------------------------------------------------------------------------------
def configmap_name(app: str, env: str) -> str:
    return f"tritonship-{app}-{env}-ledger"


class LedgerStore:
    """Reads and writes one ledger ConfigMap with optimistic concurrency (resourceVersion)."""

    def __init__(self, kube: Any, namespace: str, app: str, env: str, *,
                 signer: Callable[[], SigningKey] | None = None) -> None:
        self.kube, self.namespace, self.app, self.env = kube, namespace, app, env
        self.name = configmap_name(app, env)
        self._version: str | None = None
        self._signer = signer  # deploy/ledger_signing.py: reads the HMAC key (once) when signing is configured
        self._key: SigningKey | None = None
        self.signature = "unsigned"  # after read(): unsigned (not configured) | valid | missing | mismatch | new

    def signing_key(self) -> SigningKey | None:
        if self._signer is not None and self._key is None:
            self._key = self._signer()
        return self._key

    @property
    def where(self) -> str:
        return f"ConfigMap {self.namespace}/{self.name}"

    def read(self, *, verify_signature: bool = True) -> Ledger:
        """The validated ledger. With signing configured, a missing or wrong signature is BadInput unless
        `verify_signature` is False (only `history --sign`, which then reports `self.signature`)."""
        key = self.signing_key()
        obj = self.kube.find("ConfigMap", self.name, self.namespace)
        if obj is None:
            self._version = None
            self.signature = "new" if key is not None else "unsigned"
            return Ledger(self.app, self.env)
        self._version = obj["metadata"].get("resourceVersion")
        data = obj.get("data") or {}
        if DATA_KEY not in data:
            raise BadInput(f"{self.where}: has no {DATA_KEY} key; it is not a tritonship ledger or was edited")
        annotations = obj["metadata"].get("annotations") or {}
        checksum = annotations.get(CHECKSUM)
        if checksum is None:
            raise BadInput(f"{self.where}: the checksum annotation {CHECKSUM} is missing (edited by hand?)")
        self.signature = self._signature_state(key, data[DATA_KEY], annotations.get(SIGNATURE))
        if verify_signature and self.signature in ("missing", "mismatch"):
            raise unverified(self.where, self.env, key, self.signature)
        return decode(self.app, self.env, data[DATA_KEY], checksum, self.where)

    def _signature_state(self, key: SigningKey | None, text: str, signature: Any) -> str:
        if key is None:
            return "unsigned"
        if signature is None:
            return "missing"
        return "valid" if verify(key, self.namespace, self.name, text, signature) else "mismatch"

    def write(self, ledger: Ledger) -> None:
        from tritonship.deploy.kube import Conflict

        text, checksum = encode(ledger)
        key = self.signing_key()
        annotations = {CHECKSUM: checksum} if key is None else {
            CHECKSUM: checksum, SIGNATURE: sign(key, self.namespace, self.name, text)}
        obj = {
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {
                "name": self.name, "namespace": self.namespace,
                "labels": {"app.kubernetes.io/name": self.app, "app.kubernetes.io/managed-by": "tritonship",
                           "tritonship.io/environment": self.env, "tritonship.io/ledger": "true"},
                "annotations": annotations,
            },
            "data": {DATA_KEY: text},
        }
        try:
            if self._version is None:
                result = self._create(obj, text)
            else:
                obj["metadata"]["resourceVersion"] = self._version
                result = self.kube.replace(obj)
        except Conflict as exc:
            raise InfraError(f"{self.where} was changed by someone else during this promotion; stopping",
                             hint="check `tritonship history` and re-run") from exc
        self._version = result["metadata"].get("resourceVersion")

    def _create(self, obj: dict, text: str) -> dict:
        """Create; if a retried create finds the ConfigMap already there with exactly our text (the first
        attempt worked but its answer was lost), that is success."""
        from tritonship.deploy.kube import Conflict

        try:
            return self.kube.create(obj)
        except Conflict:
            found = self.kube.find("ConfigMap", self.name, self.namespace)
            if found is None or (found.get("data") or {}).get(DATA_KEY) != text:
                raise
            return found

"""`tritonship history --env E --sign`: the one explicit step that makes an unsigned (or re-keyed) ledger
signed. Nothing else ever trusts an unsigned ledger once `ledger.signing_secret` is configured.

The person running it vouches for the history as it is now, so it is shown first (`--dry-run` changes
nothing) and a history whose recorded objects are not ones tritonship renders (deploy/ledger_guard.py)
is refused (exit 2): a forged record never gets signed by accident. The write happens under the
environment's Lease, so it cannot race a promotion, and with the ConfigMap's resourceVersion.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tritonship.deploy.ledger_guard import problems
from tritonship.deploy.ledger_signing import ledger_store
from tritonship.errors import BadInput

if TYPE_CHECKING:
    from tritonship.deploy.ledger import Ledger, LedgerStore
    from tritonship.deploy.world import World
    from tritonship.spec.model import Spec


@dataclass(frozen=True)
class SignResult:
    ledger: Ledger
    configmap: str  # namespace/name
    secret: str  # the Secret the key came from
    was: str  # the signature before: missing | mismatch | valid | new (no ledger yet)
    written: bool  # the ledger was re-written signed now
    problems: tuple[str, ...] = ()  # --dry-run: what would refuse the signing


def sign_history(world: World, spec: Spec, env_name: str, *, started_by: str, dry_run: bool = False,
                 wait_lock: float = 0.0) -> SignResult:
    env = spec.environment(env_name)
    if env.ledger is None:
        raise BadInput(f"--sign: environment {env_name!r} has no ledger.signing_secret, so there is no key to sign "
                       "its history with", hint=f"add environments.{env_name}.ledger.signing_secret (README: the "
                                                 "ledger's threat model)")
    kube = world.kube_for(env_name)
    store = ledger_store(kube, spec, env_name)
    key = store.signing_key()  # a missing Secret is exit 2, an unreadable one exit 3, before anything else
    if dry_run:
        ledger = store.read(verify_signature=False)
        return _result(store, ledger, key.secret, written=False, found=_forged(ledger, spec, env_name))
    from tritonship.deploy.lock import Holder, Lock, lease_name

    lock = Lock(kube, env.namespace, lease_name(spec.project, env_name), Holder.me(started_by), world.clock,
                duration=world.lease_seconds).acquire(wait_lock)
    try:
        ledger = store.read(verify_signature=False)
        found = _forged(ledger, spec, env_name)
        if found:
            listed = "\n  ".join(found[:5]) + (f"\n  ... and {len(found) - 5} more" if len(found) > 5 else "")
            raise BadInput(f"{store.where}: the history records objects tritonship does not render; refusing to sign "
                           f"it:\n  {listed}", hint="the ledger may have been forged: restore it from a backup, or "
                                                    "delete the ConfigMap to start a new, signed history")
        written = store.signature in ("missing", "mismatch")
        if written:
            store.write(ledger)
        return _result(store, ledger, key.secret, written=written)
    finally:
        lock.release()


def _forged(ledger: Ledger, spec: Spec, env_name: str) -> tuple[str, ...]:
    namespace = spec.environment(env_name).namespace
    return tuple(f"revision {rel.revision}: {text}" for rel in ledger.releases
                 for text in problems(rel.manifests, app=spec.project, env_name=env_name, namespace=namespace,
                                      image=rel.image))


def _result(store: LedgerStore, ledger: Ledger, secret: str, *, written: bool,
            found: tuple[str, ...] = ()) -> SignResult:
    return SignResult(ledger, f"{store.namespace}/{store.name}", secret, store.signature, written, found)

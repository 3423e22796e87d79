"""Optional HMAC-SHA256 signing of the release ledger, with a key from a Kubernetes Secret.

The ledger's SHA-256 checksum catches accidents, not an attacker: anyone who may write ConfigMaps in the
namespace can recompute it. With `environments.<env>.ledger.signing_secret` set, every write also stores
`HMAC-SHA256(key, "tritonship-ledger-v1" NUL namespace NUL configmap NUL releases.json)` in the annotation
SIGNATURE, and every read refuses (BadInput, exit 2; nothing applied, nothing overwritten) a ledger whose
signature is missing or does not match, compared in constant time (`hmac.compare_digest`). The namespace
and ConfigMap name are part of the signed message, so a signed ledger copied from another environment
does not verify. The key lives in a Secret that CI may `get` and ConfigMap writers may not (an RBAC Role
with `resourceNames`, or a Secret in another namespace: `NAMESPACE/NAME`).

What the Secret read answers decides the exit code: 404 (no such Secret) and a Secret without the key,
with a key that is not base64 or shorter than MIN_KEY_BYTES are configuration mistakes, exit 2; 403 (CI
may not read it) and an unreachable cluster are infrastructure, exit 3.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tritonship.errors import BadInput, InfraError

if TYPE_CHECKING:
    from tritonship.deploy.ledger import LedgerStore
    from tritonship.spec.environment import LedgerSettings
    from tritonship.spec.model import Spec

__all__ = ["MIN_KEY_BYTES", "SIGNATURE", "SigningKey", "ledger_store", "read_key", "sign", "unverified", "verify"]

SIGNATURE = "tritonship.io/ledger-hmac-sha256"
CONTEXT = b"tritonship-ledger-v1"
MIN_KEY_BYTES = 32  # 256 bits, the HMAC-SHA256 block-size-independent recommendation (RFC 2104 section 3)
_HEX64 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class SigningKey:
    secret: str  # "namespace/name"
    key_name: str
    key: bytes = field(repr=False)  # never printed

    @property
    def source(self) -> str:
        return f"Secret {self.secret} (key {self.key_name!r})"


def _message(namespace: str, configmap: str, text: str) -> bytes:
    return b"\0".join((CONTEXT, namespace.encode(), configmap.encode(), text.encode()))


def sign(key: SigningKey, namespace: str, configmap: str, text: str) -> str:
    """The signature of one ledger text, as hex. Pure."""
    return hmac.new(key.key, _message(namespace, configmap, text), hashlib.sha256).hexdigest()


def verify(key: SigningKey, namespace: str, configmap: str, text: str, signature: Any) -> bool:
    """True when `signature` is this text's signature; constant-time compare. Pure."""
    if not isinstance(signature, str) or not _HEX64.fullmatch(signature):
        return False
    return hmac.compare_digest(sign(key, namespace, configmap, text), signature)


def unverified(where: str, env_name: str, key: SigningKey, state: str) -> BadInput:
    """The refusal of a ledger whose signature is `missing` or a `mismatch`."""
    if state == "missing":
        return BadInput(f"{where}: the release history is not signed, but environment {env_name!r} requires a "
                        f"signed ledger (key from {key.source}); refusing to use it",
                        hint=f"if you trust its contents (check them with `tritonship history --env {env_name} --sign "
                             "--dry-run`), sign it once: tritonship history --env " + env_name + " --sign")
    return BadInput(f"{where}: the release history's signature does not match the key from {key.source}: it was "
                    "changed by someone without the key (forged?), or the key was rotated; refusing to use it",
                    hint=f"inspect it (`tritonship history --env {env_name} --sign --dry-run`); after a key rotation, "
                         f"or once you trust its contents, re-sign it: tritonship history --env {env_name} --sign")


def secret_ref(settings: LedgerSettings, namespace: str) -> tuple[str, str]:
    """`NAME` or `NAMESPACE/NAME` -> (namespace, name); a bare name is in the environment's namespace."""
    ns, _, name = settings.signing_secret.rpartition("/")
    return ns or namespace, name


def read_key(kube: Any, settings: LedgerSettings, namespace: str, env_name: str) -> SigningKey:
    """The key from the Secret, or the documented error (see the module docstring)."""
    from tritonship.deploy.kube import ApiError, NotFound

    ns, name = secret_ref(settings, namespace)
    where = f"environments.{env_name}.ledger.signing_secret"
    try:
        secret = kube.get("Secret", name, ns)
    except NotFound as exc:
        raise BadInput(f"the ledger signing Secret {ns}/{name} ({where}) does not exist",
                       hint=f"create it: kubectl -n {ns} create secret generic {name} "
                            f"--from-literal={settings.signing_key}=\"$(openssl rand -hex 32)\"") from exc
    except ApiError as exc:
        raise InfraError(f"cannot read the ledger signing Secret {ns}/{name} ({where}): {exc.message}",
                         hint=f"let the CI account `get` secrets/{name} in {ns} (a Role with resourceNames)") from exc
    return SigningKey(f"{ns}/{name}", settings.signing_key, _key_bytes(secret, settings.signing_key, f"{ns}/{name}"))


def _key_bytes(secret: Any, key_name: str, ref: str) -> bytes:
    data = (secret.get("data") if isinstance(secret, dict) else None) or {}
    if key_name not in data:
        keys = ", ".join(sorted(data)) or "none"
        raise BadInput(f"the ledger signing Secret {ref} has no key {key_name!r} (keys: {keys})",
                       hint="set ledger.signing_key to the key that holds the signing key")
    try:
        key = base64.b64decode(str(data[key_name]), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BadInput(f"the ledger signing Secret {ref}: key {key_name!r} is not base64 data") from exc
    if len(key) < MIN_KEY_BYTES:
        raise BadInput(f"the ledger signing Secret {ref}: key {key_name!r} holds {len(key)} bytes; an HMAC-SHA256 key "
                       f"needs at least {MIN_KEY_BYTES} random bytes",
                       hint="e.g. `openssl rand -hex 32` (64 characters)")
    return key


def ledger_store(kube: Any, spec: Spec, env_name: str) -> LedgerStore:
    """The ledger of `env_name`, signed and verified when its spec says so. Every reader and writer of a
    ledger gets its store here, so none can skip the signature."""
    from tritonship.deploy.ledger import LedgerStore

    env = spec.environment(env_name)
    signer: Callable[[], SigningKey] | None = None
    if env.ledger is not None:
        settings = env.ledger

        def signer() -> SigningKey:
            return read_key(kube, settings, env.namespace, env_name)

    return LedgerStore(kube, env.namespace, spec.project, env_name, signer=signer)

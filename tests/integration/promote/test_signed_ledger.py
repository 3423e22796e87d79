"""The signed ledger on the simulator: with `ledger.signing_secret` every write carries an HMAC-SHA256
signature made with the key in a Secret; a ledger whose signature is missing or wrong is refused (exit 2,
nothing applied, nothing overwritten) until `history --sign` vouches for it; a missing Secret is exit 2,
one CI may not read exit 3. Without signing, `history` says the ledger is unsigned."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from tests.integration.promote.conftest import GOOD, GOOD2, promote_args
from tests.integration.promote.test_ledger_forgery_paths import LEDGER, _cluster, _plant, _rewrite

pytestmark = pytest.mark.integration

KEY = b"0123456789abcdef0123456789abcdef-ledger"
SIGNATURE = "tritonship.io/ledger-hmac-sha256"


def _sign(text: str, key: bytes = KEY) -> str:
    message = b"\0".join((b"tritonship-ledger-v1", b"models-dev", LEDGER[1].encode(), text.encode()))
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _signing(spec_path, secret: str = "ledger-key") -> None:
    text = spec_path.read_text().replace("    namespace: models-dev\n",
                                         f"    namespace: models-dev\n    ledger: {{ signing_secret: {secret} }}\n", 1)
    spec_path.write_text(text)


@pytest.fixture
def signed(sim, project):
    sim.add_secret("ledger-key", "models-dev", {"key": KEY})
    _signing(project.spec)
    return project


def _annotations(sim) -> dict:
    return sim.get(*LEDGER)["metadata"]["annotations"]


def _refused(result, *words: str) -> str:
    assert result.exit_code == 2, result.stdout + result.stderr
    message = result.json()["error"]["message"] + " " + result.json()["error"].get("hint", "")
    for word in words:
        assert word in message, message
    return message


def test_every_write_is_signed_with_the_secrets_key(sim, tship, signed):
    assert tship("promote", *promote_args(GOOD)).exit_code == 0
    cm = sim.get(*LEDGER)
    assert cm["metadata"]["annotations"][SIGNATURE] == _sign(cm["data"]["releases.json"])
    history = tship("history", "--env", "dev")
    assert history.exit_code == 0
    assert history.json()["ledger"] == {"configmap": "models-dev/tritonship-demo-app-dev-ledger", "signed": True,
                                        "secret": "models-dev/ledger-key", "signature": "valid"}


def test_a_forgery_with_a_recomputed_checksum_is_refused_everywhere(sim, tship, signed):
    assert tship("promote", *promote_args(GOOD)).exit_code == 0
    assert tship("promote", *promote_args(GOOD2)).exit_code == 0
    _rewrite(sim, lambda records: records[0].update(reason="harmless-looking edit"))
    forged, before = sim.get(*LEDGER), _cluster(sim)
    for verb in (["rollback", "--env", "dev", "--to", "1"], ["promote", *promote_args(GOOD)],
                 ["history", "--env", "dev"], ["status", "--env", "dev"]):
        _refused(tship(*verb), "ConfigMap models-dev/tritonship-demo-app-dev-ledger", "signature does not match",
                 "history --env dev --sign")
    assert _cluster(sim) == before
    assert sim.get(*LEDGER)["metadata"]["resourceVersion"] == forged["metadata"]["resourceVersion"]


def test_an_unsigned_ledger_needs_the_explicit_sign_step(sim, tship, project):
    assert tship("promote", *promote_args(GOOD)).exit_code == 0
    assert SIGNATURE not in _annotations(sim)
    sim.add_secret("ledger-key", "models-dev", {"key": KEY})
    _signing(project.spec)
    _refused(tship("promote", *promote_args(GOOD2)), "is not signed", "tritonship history --env dev --sign")
    unsigned = sim.get(*LEDGER)["metadata"]["resourceVersion"]

    dry = tship("history", "--env", "dev", "--sign", "--dry-run")
    assert dry.exit_code == 0 and dry.json()["signing"]["was"] == "missing"
    assert dry.json()["signing"]["written"] is False
    assert sim.get(*LEDGER)["metadata"]["resourceVersion"] == unsigned

    done = tship("history", "--env", "dev", "--sign")
    assert done.exit_code == 0 and done.json()["signing"]["written"] is True
    assert _annotations(sim)[SIGNATURE] == _sign(sim.get(*LEDGER)["data"]["releases.json"])
    assert tship("promote", *promote_args(GOOD2)).exit_code == 0
    again = tship("history", "--env", "dev", "--sign")
    assert again.exit_code == 0 and again.json()["signing"] | {"problems": []} == again.json()["signing"]
    assert again.json()["signing"]["was"] == "valid" and again.json()["signing"]["written"] is False


def test_sign_refuses_to_vouch_for_a_forged_record(sim, tship, project):
    assert tship("promote", *promote_args(GOOD)).exit_code == 0
    _rewrite(sim, lambda records: _plant(records[0]["manifests"]))
    sim.add_secret("ledger-key", "models-dev", {"key": KEY})
    _signing(project.spec)
    before = sim.get(*LEDGER)["metadata"]["resourceVersion"]
    dry = tship("history", "--env", "dev", "--sign", "--dry-run")
    assert dry.exit_code == 0 and any("pwned" in p for p in dry.json()["signing"]["problems"])
    _refused(tship("history", "--env", "dev", "--sign"), "refusing to sign", "ConfigMap models-staging/pwned")
    assert sim.get(*LEDGER)["metadata"]["resourceVersion"] == before
    assert SIGNATURE not in _annotations(sim)


def test_a_rotated_key_refuses_until_re_signed(sim, tship, signed):
    assert tship("promote", *promote_args(GOOD)).exit_code == 0
    secret = sim.get("Secret", "ledger-key", "models-dev")
    secret["data"]["key"] = base64.b64encode(b"n" * 32).decode()
    from tritonship_standins.kube.store import BY_PATH

    sim.store.update(BY_PATH[("v1", "secrets")], "models-dev", "ledger-key", secret)
    _refused(tship("history", "--env", "dev"), "signature does not match", "rotated")
    done = tship("history", "--env", "dev", "--sign")
    assert done.exit_code == 0 and done.json()["signing"]["was"] == "mismatch"
    assert _annotations(sim)[SIGNATURE] == _sign(sim.get(*LEDGER)["data"]["releases.json"], b"n" * 32)


def test_a_missing_secret_is_bad_input_and_an_unreadable_one_infrastructure(sim, tship, project):
    _signing(project.spec)
    missing = tship("promote", *promote_args(GOOD))
    _refused(missing, "Secret models-dev/ledger-key", "does not exist", "kubectl -n models-dev create secret")
    sim.add_secret("ledger-key", "models-dev", {"key": KEY})
    sim.access.deny.append({"verb": "get", "resource": "secrets", "name": "ledger-key"})
    sim.access.enforce = True
    forbidden = tship("promote", *promote_args(GOOD))
    assert forbidden.exit_code == 3, forbidden.stdout + forbidden.stderr
    assert "cannot read the ledger signing Secret models-dev/ledger-key" in forbidden.json()["error"]["message"]
    assert sim.get(*LEDGER) is None and sim.get("Deployment", "demo-app", "models-dev") is None


def test_a_short_key_is_bad_input(sim, tship, project):
    sim.add_secret("ledger-key", "models-dev", {"key": b"password"})
    _signing(project.spec)
    _refused(tship("promote", *promote_args(GOOD)), "holds 8 bytes", "at least 32")
    assert sim.get(*LEDGER) is None


def test_a_secret_in_another_namespace(sim, tship, project):
    sim.add_secret("dev-ledger-key", "models-staging", {"key": KEY})
    _signing(project.spec, "models-staging/dev-ledger-key")
    assert tship("promote", *promote_args(GOOD)).exit_code == 0
    assert tship("history", "--env", "dev").json()["ledger"]["secret"] == "models-staging/dev-ledger-key"


def test_without_signing_history_says_the_ledger_is_unsigned(sim, tship, run_cli, project):
    assert tship("promote", *promote_args(GOOD)).exit_code == 0
    assert tship("history", "--env", "dev").json()["ledger"]["signed"] is False
    text = run_cli("history", "--spec", str(project.spec), "--env", "dev", env=project.env())
    assert text.exit_code == 0
    assert "unsigned" in text.stdout and "ledger.signing_secret" in text.stdout
    _refused(tship("history", "--env", "dev", "--sign"), "no ledger.signing_secret")


def test_enabling_signing_does_not_change_the_release(sim, tship, project):
    """The spec hash leaves `ledger:` out: the same image promoted before and after signing was enabled is
    the same release (a sticky failure stays sticky, an open attempt is resumed), not a new attempt."""
    assert tship("promote", *promote_args(GOOD)).exit_code == 0
    sim.add_secret("ledger-key", "models-dev", {"key": KEY})
    _signing(project.spec)
    assert tship("history", "--env", "dev", "--sign").exit_code == 0
    assert tship("promote", *promote_args(GOOD2)).exit_code == 0
    first, second = json.loads(sim.get(*LEDGER)["data"]["releases.json"])
    assert first["spec_hash"] == second["spec_hash"]


def test_sign_in_text_mode_says_what_it_did(sim, run_cli, tship, project):
    assert tship("promote", *promote_args(GOOD)).exit_code == 0
    sim.add_secret("ledger-key", "models-dev", {"key": KEY})
    _signing(project.spec)
    args = ("history", "--spec", str(project.spec), "--env", "dev", "--sign")
    dry = run_cli(*args, "--dry-run", env=project.env())
    assert dry.exit_code == 0 and "would sign models-dev/tritonship-demo-app-dev-ledger" in dry.stdout
    assert "it was unsigned; nothing written" in dry.stdout
    done = run_cli(*args, env=project.env())
    assert done.exit_code == 0 and "signed models-dev/tritonship-demo-app-dev-ledger: 1 revision(s)" in done.stdout
    shown = run_cli("history", "--spec", str(project.spec), "--env", "dev", env=project.env())
    assert "signed (HMAC-SHA256, key from Secret models-dev/ledger-key)" in shown.stdout
    assert KEY.decode() not in shown.stdout + done.stdout + dry.stdout
    assert run_cli("history", "--spec", str(project.spec), "--env", "dev", "--dry-run",
                   env=project.env()).exit_code == 2  # --dry-run goes with --sign

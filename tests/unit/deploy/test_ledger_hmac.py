"""ledger_signing: the HMAC over a ledger text binds the key, the namespace and the ConfigMap; the key
read from a Secret is refused with the documented exit code when it is missing, malformed or short."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from tritonship.deploy.ledger_signing import MIN_KEY_BYTES, SigningKey, _key_bytes, sign, verify
from tritonship.errors import BadInput

KEY = SigningKey("models-dev/ledger-key", "key", b"k" * 32)
TEXT = '[{"revision":1}]'


def test_the_signature_is_hmac_sha256_over_context_namespace_configmap_and_text():
    expected = hmac.new(b"k" * 32, b"tritonship-ledger-v1\0models-dev\0cm\0" + TEXT.encode(), hashlib.sha256)
    assert sign(KEY, "models-dev", "cm", TEXT) == expected.hexdigest()
    assert verify(KEY, "models-dev", "cm", TEXT, expected.hexdigest())


@pytest.mark.parametrize(("namespace", "configmap", "text", "key"), [
    ("models-dev", "cm", TEXT + " ", KEY),  # the text changed
    ("models-prod", "cm", TEXT, KEY),  # a signed ledger copied to another namespace
    ("models-dev", "other", TEXT, KEY),  # ... or to another environment's ConfigMap
    ("models-dev", "cm", TEXT, SigningKey("x/y", "key", b"j" * 32)),  # another key (rotated, or guessed)
], ids=["text", "namespace", "configmap", "key"])
def test_a_signature_does_not_verify_anything_else(namespace, configmap, text, key):
    assert not verify(key, namespace, configmap, text, sign(KEY, "models-dev", "cm", TEXT))


@pytest.mark.parametrize("signature", [None, "", 42, "A" * 64, "0" * 63, "é" * 64, ["0" * 64]])
def test_a_malformed_signature_is_simply_wrong(signature):
    assert not verify(KEY, "models-dev", "cm", TEXT, signature)


def test_the_key_is_never_in_its_repr():
    assert "kkkk" not in repr(KEY)


@pytest.mark.parametrize(("secret", "words"), [
    ({"data": {"other": "eA=="}}, ["has no key 'key'", "keys: other"]),
    ({}, ["has no key 'key'", "keys: none"]),
    ({"data": {"key": "not base64!"}}, ["not base64"]),
    ({"data": {"key": base64.b64encode(b"short").decode()}}, ["holds 5 bytes", f"at least {MIN_KEY_BYTES}"]),
], ids=["other-key", "no-data", "not-base64", "too-short"])
def test_an_unusable_secret_is_bad_input(secret, words):
    with pytest.raises(BadInput) as err:
        _key_bytes(secret, "key", "models-dev/ledger-key")
    for word in words:
        assert word in err.value.message


def test_a_good_secret_gives_its_bytes():
    assert _key_bytes({"data": {"key": base64.b64encode(b"x" * 40).decode()}}, "key", "ns/s") == b"x" * 40

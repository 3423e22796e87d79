"""A registry signed by a private CA: the local docker-registry serves TLS with a certificate from a test CA
made by openssl (the `tls_registry` fixture in conftest.py); the registry client trusts it only through
--ca-file / image.ca_file."""

from __future__ import annotations

import pytest

from tritonship.errors import BadInput, InfraError
from tritonship.image.registry import RegistryClient
from tritonship.image.trust import registry_session, resolve_ca_file

pytestmark = pytest.mark.integration


def test_the_private_ca_is_trusted_through_ca_file(tls_registry):
    registry, ca = tls_registry
    client = RegistryClient(registry.host, session=registry_session(resolve_ca_file(str(ca), None)), retries=0)
    client.ping()
    assert client.manifest_digest("ml/none", "latest") is None  # a real answer over verified TLS


def test_without_the_ca_the_certificate_is_refused(tls_registry):
    registry, _ = tls_registry
    with pytest.raises(InfraError):
        RegistryClient(registry.host, retries=0).ping()


def test_a_ca_file_that_is_not_pem_is_bad_input(tmp_path):
    bad = tmp_path / "ca.pem"
    bad.write_text("not a certificate")
    with pytest.raises(BadInput, match="not a PEM certificate bundle"):
        resolve_ca_file(str(bad), None)
    with pytest.raises(BadInput, match="cannot read"):
        resolve_ca_file(str(tmp_path / "missing.pem"), None)

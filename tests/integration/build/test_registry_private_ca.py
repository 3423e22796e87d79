"""A registry signed by a private CA: the local docker-registry serves TLS with a certificate from a test CA
made by openssl; the registry client trusts it only through --ca-file / image.ca_file."""

from __future__ import annotations

import subprocess

import pytest

from tritonship.errors import BadInput, InfraError
from tritonship.image.registry import RegistryClient
from tritonship.image.trust import registry_session, resolve_ca_file
from tritonship_standins.registry import local_registry

pytestmark = pytest.mark.integration


def openssl(*args: str, cwd) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def tls_registry(tmp_path_factory):
    pki = tmp_path_factory.mktemp("pki")
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-subj", "/CN=tritonship test CA", cwd=pki)
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
            "-subj", "/CN=127.0.0.1", cwd=pki)
    (pki / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "server.pem", "-days", "2", "-extfile", "san.ext", cwd=pki)
    tls = f"  tls:\n    certificate: {pki / 'server.pem'}\n    key: {pki / 'server.key'}\n"
    with local_registry(tmp_path_factory.mktemp("tls-registry"), auth_config=tls) as registry:
        yield registry, pki / "ca.pem"


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

"""--ca-file for the builders, decided without a registry: buildah's --cert-dir and the hint on an untrusted pull."""

from __future__ import annotations

from pathlib import Path

from tritonship.image.builders.base import BuildRequest, untrusted_hint
from tritonship.image.builders.buildah import BuildahBuilder

PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"


def request(tmp_path: Path, ca_file: Path | None) -> BuildRequest:
    return BuildRequest(context=tmp_path, dockerfile=tmp_path / "Dockerfile", epoch=0, output=tmp_path,
                        base_image="registry.internal:5000/triton/server:24.10", ca_file=ca_file)


def test_buildah_gets_a_cert_dir_holding_the_ca_as_ca_crt(tmp_path):
    ca = tmp_path / "ca.pem"
    ca.write_text(PEM)
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    flags = BuildahBuilder()._pull_flags(request(tmp_path, ca), secrets)
    assert flags == ["--cert-dir", str(secrets / "certs")]
    assert (secrets / "certs" / "ca.crt").read_text() == PEM
    assert (secrets / "certs").stat().st_mode & 0o777 == 0o700


def test_without_a_ca_file_no_cert_dir(tmp_path):
    assert BuildahBuilder()._pull_flags(request(tmp_path, None), tmp_path) == []


def test_an_untrusted_pull_is_explained_and_other_failures_are_not():
    base = "registry.internal:5000/triton/server:24.10"
    out = "Error: ... tls: failed to verify certificate: x509: certificate signed by unknown authority"
    assert "give its CA with --ca-file / image.ca_file" in untrusted_hint(out, base, given=False)
    assert untrusted_hint(out, base, given=True).startswith("the CA given with --ca-file / image.ca_file does not")
    assert untrusted_hint("Error: manifest unknown", base, given=False) is None

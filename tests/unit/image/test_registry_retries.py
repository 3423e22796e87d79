"""Retries with backoff, against a local HTTP server that fails a given number of times first."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tritonship.errors import InfraError
from tritonship.image.registry import RegistryClient

DIGEST = "sha256:" + "cd" * 32


@contextmanager
def flaky_registry(failures: int, status: int = 503) -> Iterator[tuple[str, list[str]]]:
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_HEAD(self):
            seen.append(self.path)
            if len(seen) <= failures:
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Docker-Content-Digest", DIGEST)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def test_5xx_is_retried_with_exponential_backoff():
    sleeps: list[float] = []
    with flaky_registry(failures=2) as (host, seen):
        client = RegistryClient(host, insecure=True, retries=3, backoff=0.25, sleep=sleeps.append)
        assert client.manifest_digest("ml/m", "v1") == DIGEST
    assert sleeps == [0.25, 0.5]
    assert seen == ["/v2/ml/m/manifests/v1"] * 3


def test_persistent_5xx_is_an_infra_error():
    with flaky_registry(failures=10, status=500) as (host, _seen):
        client = RegistryClient(host, insecure=True, retries=2, backoff=0, sleep=lambda _s: None)
        with pytest.raises(InfraError, match="HTTP 500"):
            client.manifest_digest("ml/m", "v1")


def test_tls_against_a_plain_http_registry_explains_insecure_flag():
    with flaky_registry(failures=0) as (host, _seen):
        client = RegistryClient(host, retries=0)
        with pytest.raises(InfraError) as info:
            client.manifest_digest("ml/m", "v1")
    assert "--insecure-registry" in (info.value.hint or "")

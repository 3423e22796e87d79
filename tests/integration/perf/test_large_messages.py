"""Large requests and responses (1, 8 and 40 MiB each way) over gRPC and HTTP against the real Triton:
every request the client sent is counted by the server and succeeded (the gRPC client splits DATA at the
server's max frame size and waits for its flow-control windows; grpc-status is read from the trailers)."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

MIB = 1 << 20


@pytest.fixture(scope="module")
def inputs_of(tmp_path_factory):
    import numpy as np

    def make(size: int):
        folder = tmp_path_factory.mktemp(f"echo_{size}")
        np.save(folder / "X.npy", np.frombuffer(np.random.default_rng(size).bytes(size), dtype=np.uint8))
        return folder

    return make


@pytest.mark.parametrize("protocol", ["grpc", "http"])
@pytest.mark.parametrize("size", [1 * MIB, 8 * MIB, 40 * MIB])
def test_large_echo_succeeds_and_is_counted_by_the_server(run_cli, perf_server, server_counts, inputs_of,
                                                          protocol, size):
    before = server_counts("echo_large")
    result = run_cli("perf", "--url", perf_server.http_url, "--grpc-url", perf_server.grpc_url,
                     "--model", "echo_large", "--protocol", protocol, "--concurrency", "1",
                     "--input-data", str(inputs_of(size)), "--window", "0.5", "--max-trials", "3",
                     "--stability-pct", "100", "--warmup-requests", "1", "--max-error-rate", "0", "--json")
    assert result.exit_code == 0, result.stdout[-2000:] + result.stderr[-2000:]
    level = result.json()["levels"][0]
    assert level["errors"] == 0 and level["first_error"] is None
    assert level["counts"]["matches"], level["counts"]
    assert level["sent"] == server_counts("echo_large") - before > 0

"""The lean gRPC client against a real grpcio server configured to make HTTP/2 rules bite: a small max
frame size, no BDP window growth (so large requests wait for WINDOW_UPDATE), one concurrent stream, and a
receive limit that refuses a message with RESOURCE_EXHAUSTED."""

from __future__ import annotations

import asyncio
import hashlib
from concurrent import futures
from time import perf_counter_ns

import pytest

from tritonship.perf.grpc_h2 import H2Connection
from tritonship.perf.h2_frames import MAX_CONCURRENT_STREAMS, MAX_FRAME_SIZE

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

LIMIT = 24 << 20  # the server's max_receive_message_length


def _model_infer(request: bytes, context) -> bytes:
    import grpc

    if request.startswith(b"ABORT"):
        context.abort(grpc.StatusCode.INVALID_ARGUMENT, "bad input: 100% wrong\nsecond line")
    return hashlib.sha256(request).digest()


def _start_server(*options: tuple[str, int]):
    import grpc

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4), options=list(options))
    handler = grpc.method_handlers_generic_handler(
        "inference.GRPCInferenceService", {"ModelInfer": grpc.unary_unary_rpc_method_handler(_model_infer)})
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    return server, port


@pytest.fixture(scope="module")
def grpc_port():
    server, port = _start_server(("grpc.max_receive_message_length", LIMIT), ("grpc.http2.max_frame_size", 16_384),
                                 ("grpc.max_concurrent_streams", 1), ("grpc.http2.bdp_probe", 0))
    yield port
    server.stop(grace=None)


async def _calls(port: int, message: bytes, count: int = 1) -> tuple[H2Connection, list]:
    loop = asyncio.get_running_loop()
    _, conn = await loop.create_connection(
        lambda: H2Connection(f"127.0.0.1:{port}", message, lambda _msg: None, capture=True), "127.0.0.1", port)
    await asyncio.wait_for(conn.ready, 10)
    results: list = []
    done = loop.create_future()

    def on_done(_latency_ns: int, error: str | None) -> None:
        results.append(error)
        if len(results) == count:
            done.set_result(None)

    for _ in range(count):
        conn.call(perf_counter_ns(), on_done)
    await asyncio.wait_for(done, 60)
    conn.transport.close()
    return conn, results


def _response(digest: bytes) -> bytes:
    return b"\x00" + len(digest).to_bytes(4, "big") + digest


@pytest.mark.parametrize("size", [4_194_000, 4_194_400, 20 << 20])
def test_large_requests_arrive_whole(grpc_port, size):
    """Past 4 MiB (one DATA frame used to fail) and past 16 MiB (a 24-bit length used to be truncated)."""
    message = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    conn, errors = asyncio.run(_calls(grpc_port, message))
    assert errors == [None]
    assert conn.peer[MAX_FRAME_SIZE] == 16_384
    assert conn.last_response == _response(hashlib.sha256(message).digest())  # the server hashed every byte


def test_calls_queue_behind_max_concurrent_streams(grpc_port):
    conn, errors = asyncio.run(_calls(grpc_port, b"small" * 1000, count=6))
    assert conn.peer[MAX_CONCURRENT_STREAMS] == 1
    assert errors == [None] * 6 and conn.next_stream == 13  # six streams, one after another


def test_over_the_servers_limit_reads_resource_exhausted_from_the_trailers(grpc_port):
    _, errors = asyncio.run(_calls(grpc_port, b"\x00" * (LIMIT + 1)))
    assert errors[0].startswith("RESOURCE_EXHAUSTED:"), errors
    assert str(LIMIT) in errors[0]


def test_an_aborted_call_reports_the_status_and_the_decoded_message(grpc_port):
    _, errors = asyncio.run(_calls(grpc_port, b"ABORT please"))
    assert errors == ["INVALID_ARGUMENT: bad input: 100% wrong\nsecond line"]


def test_a_server_that_goes_away_costs_each_slot_once_and_the_driver_stops_sending():
    """Closed loop on three slots; the server stops after 50 answers. Every slot is dropped through
    on_lost (as a closed HTTP connection is) instead of failing again and again on a dead connection."""
    from tritonship.perf.generators import ClosedLoop
    from tritonship.perf.grpc_target import GrpcTarget
    from tritonship.perf.recorder import Recorder

    server, port = _start_server()

    class Watched(ClosedLoop):
        def on_done(self, slot, latency_ns, error):
            super().on_done(slot, latency_ns, error)
            if self.recorder.total_ok == 50:
                server.stop(grace=None)

        def on_lost(self, slot, message):
            super().on_lost(slot, message)
            if not self.slots and not self.gone.done():
                self.gone.set_result(message)

    async def run() -> tuple[Recorder, str]:
        recorder = Recorder()
        driver = Watched(recorder, 3)
        driver.gone = asyncio.get_running_loop().create_future()
        target = GrpcTarget(f"127.0.0.1:{port}", "m", b"payload" * 10)
        await driver.start(target.slot)
        message = await asyncio.wait_for(driver.gone, 30)
        await driver.stop()
        await target.close()
        return recorder, message

    recorder, message = asyncio.run(run())
    assert recorder.total_ok >= 50 and recorder.total_errors <= 3
    assert recorder.sent == recorder.total_ok + recorder.total_errors
    assert any(word in message for word in ("GOAWAY", "connection lost", "UNAVAILABLE")), message

"""Pure parts of the load generator: arrival schedules, window merging, HTTP/2 encodings."""

from __future__ import annotations

import itertools
import statistics

from tests.unit.perf.builders import window

from tritonship.perf.generators import arrival_times
from tritonship.perf.grpc_h2 import _integer, frame, header_block
from tritonship.perf.windows import combined, merge


def test_constant_arrivals_are_evenly_spaced():
    times = list(itertools.islice(arrival_times(100.0, "constant", 0), 5))
    assert times == [0, 10_000_000, 20_000_000, 30_000_000, 40_000_000]


def test_poisson_arrivals_have_the_right_mean_rate_and_vary():
    times = list(itertools.islice(arrival_times(1000.0, "poisson", 0, seed=1), 20001))
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert abs(statistics.mean(gaps) - 1e6) / 1e6 < 0.03
    assert statistics.pstdev(gaps) > 0.8e6  # exponential: stdev == mean


def test_merge_sums_workers_and_combined_spans_windows():
    a, b = window(0, requests=100, duration_s=1.0), window(0, requests=50, duration_s=1.0)
    merged = merge([a, b])
    assert merged.requests == 150 and merged.throughput() == 150 and merged.workers == 2
    both = combined([window(0, requests=100), window(1, requests=300)])
    assert both.requests == 400 and both.duration_s == 2.0 and both.throughput() == 200


def test_hpack_integer_encoding_rfc7541_examples():
    assert _integer(10, 5, 0) == b"\x0a"
    assert _integer(1337, 5, 0) == b"\x1f\x9a\x0a"
    assert _integer(42, 8, 0) == b"\x2a"


def test_frame_header_layout():
    data = frame(0x1, 0x4, 3, b"abc")
    assert data[:9] == b"\x00\x00\x03\x01\x04\x00\x00\x00\x03" and data[9:] == b"abc"


def test_header_block_names_the_method_and_content_type():
    block = header_block("127.0.0.1:8001")
    assert block.startswith(b"\x83\x86")  # :method POST, :scheme http from the static table
    assert b"/inference.GRPCInferenceService/ModelInfer" in block
    assert b"application/grpc" in block and b"trailers" in block

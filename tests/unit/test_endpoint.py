"""The one HOST:PORT parser (`urls.parse_endpoint`), and perf and smoke giving the same message with it."""

from __future__ import annotations

import pytest

from tritonship.errors import BadInput
from tritonship.urls import Endpoint, parse_endpoint

GOOD = [
    ("127.0.0.1:8000", None, Endpoint("127.0.0.1", 8000)),
    ("http://triton:9000/", None, Endpoint("triton", 9000)),
    ("[::1]:8000", None, Endpoint("[::1]", 8000)),
    ("triton", 8000, Endpoint("triton", 8000)),
    ("http://triton", 8000, Endpoint("triton", 8000)),
    ("h:65534", None, Endpoint("h", 65534)),
]
BAD = [
    ("triton", None, "expected HOST:PORT, with PORT 1-65534"),
    ("h:0", None, "PORT 1-65534"),
    ("h:65535", 8000, "PORT 1-65534"),  # PORT+1 (gRPC) must be a port too
    ("h:99999", 8000, "PORT 1-65534"),
    ("h:abc", 8000, "PORT 1-65534"),
    (":8000", None, "PORT 1-65534"),
    ("https://h:8000", None, "expected HOST:PORT (plain HTTP)"),
    ("", 8000, "PORT 1-65534"),
]


@pytest.mark.parametrize(("text", "default", "expected"), GOOD)
def test_parses_host_and_port(text, default, expected):
    assert parse_endpoint(text, default_port=default) == expected


@pytest.mark.parametrize(("text", "default", "words"), BAD)
def test_a_bad_endpoint_is_bad_input_naming_its_source(text, default, words):
    with pytest.raises(BadInput) as info:
        parse_endpoint(text, "--grpc-url", default_port=default)
    assert words in info.value.message
    assert info.value.message.startswith(f"--grpc-url {text!r}: ")


def test_shifted_is_the_same_host_on_another_port():
    assert str(Endpoint("h", 8000).shifted(1)) == "h:8001"


@pytest.mark.parametrize("port", ["99999", "0", "65535"])
def test_perf_and_smoke_give_the_same_message_for_the_same_bad_port(run_cli, port):
    perf = run_cli("perf", "--url", f"127.0.0.1:{port}", "--model", "m")
    smoke = run_cli("smoke", "--url", f"127.0.0.1:{port}", "--timeout", "1")
    assert perf.exit_code == smoke.exit_code == 2
    expected = f"tritonship: error: --url '127.0.0.1:{port}': expected HOST:PORT, with PORT 1-65534"
    assert perf.stderr.splitlines()[0] == smoke.stderr.splitlines()[0] == expected

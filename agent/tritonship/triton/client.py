"""Thin helpers over tritonclient (HTTP and gRPC): one `TritonClient` per server, closed when done.

Every failure of the server or the connection surfaces as `CallFailed(message)`, which the smoke
checks record as data (a failed case), not as an exception that unwinds the run.
"""

from __future__ import annotations

import contextlib
import threading
import urllib.request
from collections.abc import Mapping, Sequence
from typing import Any

PROTOCOLS = ("http", "grpc")


class CallFailed(Exception):
    """A request to Triton failed; the message is the server's (or the connection's) reason."""


def _module(protocol: str):
    if protocol == "http":
        import tritonclient.http as module
    elif protocol == "grpc":
        import tritonclient.grpc as module
    else:
        raise ValueError(f"unknown protocol {protocol!r}")
    return module


class TritonClient:
    """HTTP control plane (metadata, config, index, stats) plus inference over HTTP or gRPC."""

    def __init__(self, http_url: str, grpc_url: str | None = None, timeout: float = 60.0) -> None:
        self.http_url, self.grpc_url, self.timeout = http_url, grpc_url, timeout
        self._clients: dict[str, Any] = {}

    def __enter__(self) -> TritonClient:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def close(self) -> None:
        for client in self._clients.values():
            with contextlib.suppress(Exception):  # closing a broken connection must not mask the real error
                client.close()
        self._clients.clear()

    def client(self, protocol: str):
        if protocol not in self._clients:
            module = _module(protocol)
            if protocol == "http":
                self._clients[protocol] = module.InferenceServerClient(
                    self.http_url, connection_timeout=self.timeout, network_timeout=self.timeout)
            else:
                if not self.grpc_url:
                    raise CallFailed("no gRPC URL for this server")
                self._clients[protocol] = module.InferenceServerClient(self.grpc_url)
        return self._clients[protocol]

    # control plane (HTTP) -------------------------------------------------------------------------
    def server_metadata(self) -> dict:
        return _call(lambda: self.client("http").get_server_metadata())

    def model_metadata(self, model: str, version: str = "") -> dict:
        return _call(lambda: self.client("http").get_model_metadata(model, version))

    def model_config(self, model: str, version: str = "") -> dict:
        return _call(lambda: self.client("http").get_model_config(model, version))

    def model_stats(self, model: str = "", version: str = "") -> dict:
        return _call(lambda: self.client("http").get_inference_statistics(model, version))

    # inference -------------------------------------------------------------------------------------
    def infer(self, protocol: str, model: str, version: str, inputs: Mapping[str, Any], *,
              dtypes: Mapping[str, str], outputs: Sequence[str]) -> dict[str, Any]:
        """One request; name -> numpy array for each requested output present in the response."""
        module = _module(protocol)
        request = _inputs(module, inputs, dtypes)
        wanted = [_requested(module, protocol, name) for name in outputs]
        kwargs = {"client_timeout": self.timeout} if protocol == "grpc" else {}
        result = _call(lambda: self.client(protocol).infer(model, request, model_version=version,
                                                           outputs=wanted or None, **kwargs))
        return _arrays(result, outputs)

    def stream_infer(self, model: str, version: str, inputs: Mapping[str, Any], *, dtypes: Mapping[str, str],
                     outputs: Sequence[str]) -> list[dict[str, Any]]:
        """A decoupled request over a gRPC stream; every non-empty response until the final flag."""
        module = _module("grpc")
        responses: list[Any] = []
        errors: list[str] = []
        done = threading.Event()

        def callback(result, error) -> None:
            if error is not None:
                errors.append(str(error))
                done.set()
                return
            response = result.get_response()
            if response.outputs:
                responses.append(result)
            final = response.parameters.get("triton_final_response")
            if final is not None and final.bool_param:
                done.set()

        client = _call(lambda: self.client("grpc"))
        _call(lambda: client.start_stream(callback=callback))
        try:
            _call(lambda: client.async_stream_infer(
                model, _inputs(module, inputs, dtypes), model_version=version,
                outputs=[module.InferRequestedOutput(n) for n in outputs] or None,
                enable_empty_final_response=True))
            if not done.wait(self.timeout):
                raise CallFailed(f"no final response from the decoupled model within {self.timeout:g}s")
        finally:
            client.stop_stream()
        if errors:
            raise CallFailed(errors[0])
        return [_arrays(r, outputs) for r in responses]


def _inputs(module, arrays: Mapping[str, Any], dtypes: Mapping[str, str]) -> list:
    request = []
    for name, array in arrays.items():
        tensor = module.InferInput(name, list(array.shape), dtypes[name])
        _call(lambda t=tensor, a=array: t.set_data_from_numpy(a))
        request.append(tensor)
    return request


def _requested(module, protocol: str, name: str):
    if protocol == "http":
        return module.InferRequestedOutput(name, binary_data=True)
    return module.InferRequestedOutput(name)


def _arrays(result, outputs: Sequence[str]) -> dict[str, Any]:
    out = {}
    for name in outputs:
        array = result.as_numpy(name)
        if array is not None:
            out[name] = array
    return out


def _call(func):
    try:
        return func()
    except CallFailed:
        raise
    except Exception as exc:  # tritonclient raises many kinds (server errors, sockets, gevent, grpc)
        message = getattr(exc, "message", None)
        text = message() if callable(message) else str(exc)
        raise CallFailed(text or type(exc).__name__) from exc


def fetch_metrics(metrics_url: str, timeout: float = 5.0) -> str | None:
    """Prometheus text from Triton's metrics endpoint, or None when it cannot be read."""
    try:
        with urllib.request.urlopen(metrics_url, timeout=timeout) as resp:  # noqa: S310 (our own URL)
            return resp.read().decode("utf-8", "replace")
    except (OSError, ValueError):
        return None

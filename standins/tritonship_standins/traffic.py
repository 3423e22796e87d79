"""Stand-ins for a canary's world: a model that misbehaves on purpose, and steady traffic.

`faulty_repository(dest, fail_every=4, sleep_ms=20)` writes a one-model repository (add_sub, the
example's python model) whose model fails every Nth request and/or sleeps, so Triton's own
counters (`nv_inference_request_failure`, `nv_inference_request_duration_us`) show a bad canary.
`Traffic` sends KServe v2 JSON requests to servers at a gentle rate in a background thread.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

MODEL = "add_sub"

CONFIG = """name: "add_sub"
backend: "python"
max_batch_size: 8
input [
  { name: "INPUT0" data_type: TYPE_FP32 dims: [ 4 ] },
  { name: "INPUT1" data_type: TYPE_FP32 dims: [ 4 ] }
]
output [
  { name: "OUTPUT0" data_type: TYPE_FP32 dims: [ 4 ] },
  { name: "OUTPUT1" data_type: TYPE_FP32 dims: [ 4 ] }
]
instance_group [ { count: 1 kind: KIND_CPU } ]
"""

MODEL_PY = '''"""add_sub with injected faults: fails every FAIL_EVERY-th request, sleeps SLEEP_S per request."""

import time

import triton_python_backend_utils as pb_utils

FAIL_EVERY = {fail_every}
SLEEP_S = {sleep_s}


class TritonPythonModel:
    def initialize(self, args):
        self.served = 0

    def execute(self, requests):
        responses = []
        for request in requests:
            self.served += 1
            if SLEEP_S:
                time.sleep(SLEEP_S)
            if FAIL_EVERY and self.served % FAIL_EVERY == 0:
                # Raised, not returned: Triton 2.51 counts error *responses* of python models as successes.
                raise pb_utils.TritonModelException("injected failure")
            a = pb_utils.get_input_tensor_by_name(request, "INPUT0").as_numpy()
            b = pb_utils.get_input_tensor_by_name(request, "INPUT1").as_numpy()
            outputs = [pb_utils.Tensor("OUTPUT0", a + b), pb_utils.Tensor("OUTPUT1", a - b)]
            responses.append(pb_utils.InferenceResponse(output_tensors=outputs))
        return responses
'''


def faulty_repository(dest: Path, *, fail_every: int = 0, sleep_ms: float = 0.0) -> Path:
    """A model repository with add_sub only; fail_every=0 and sleep_ms=0 make a healthy model."""
    model_dir = Path(dest) / MODEL
    (model_dir / "1").mkdir(parents=True, exist_ok=True)
    (model_dir / "config.pbtxt").write_text(CONFIG)
    source = MODEL_PY.format(fail_every=int(fail_every), sleep_s=float(sleep_ms) / 1000.0)
    (model_dir / "1" / "model.py").write_text(source)
    return Path(dest)


REQUEST = {
    "inputs": [
        {"name": "INPUT0", "shape": [1, 4], "datatype": "FP32", "data": [1.0, 2.0, 3.0, 4.0]},
        {"name": "INPUT1", "shape": [1, 4], "datatype": "FP32", "data": [0.5, 0.5, 0.5, 0.5]},
    ]
}


class Traffic:
    """Round-robin requests to each server's add_sub at `rate` requests/s per server until stopped."""

    def __init__(self, http_urls: Sequence[str], rate: float = 20.0) -> None:
        self.urls = [u if "://" in u else f"http://{u}" for u in http_urls]
        self.rate = rate
        self.sent = 0
        self.failed = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="traffic", daemon=True)

    def __enter__(self) -> Traffic:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def _run(self) -> None:
        import requests

        session = requests.Session()
        period = 1.0 / self.rate
        while not self._stop.is_set():
            for url in self.urls:
                self._send(session, url)
            self._stop.wait(period)

    def _send(self, session, url: str) -> None:
        import requests

        try:
            ok = session.post(f"{url}/v2/models/{MODEL}/infer", json=REQUEST, timeout=5).ok
        except requests.RequestException:
            ok = False
        self.sent += 1
        self.failed += 0 if ok else 1

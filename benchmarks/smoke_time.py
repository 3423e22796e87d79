"""Benchmark: wall time of `tritonship smoke` on the bundled example once the server is ready,
and as a ratio to the time Triton took to become ready.

Prints, asserts nothing. Starts one local tritonserver (CPU, python backend) on free loopback
ports, measures launch-to-ready, then runs the full smoke checks (metadata, batch 1 and max batch
over HTTP and gRPC, ensemble) `--runs` times against it and reports the median and best run.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from tritonship.smoke.options import smoke_options
from tritonship.smoke.run import ServerHandle, SmokeOptions, run_smoke
from tritonship.spec import load_spec
from tritonship.triton.client import TritonClient
from tritonship.triton.launcher import launch_local

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    spec = load_spec(ROOT / "examples" / "tritonship.yaml")
    options: SmokeOptions = smoke_options(spec)
    repository = spec.repository_path()

    started = time.perf_counter()
    with launch_local(repository) as server:
        ready_s = time.perf_counter() - started
        handle = ServerHandle(str(repository), server.http_url, server.grpc_url, server.metrics_url,
                              server.log_path, server.repository, ready_s)
        times, checks, passed = [], 0, True
        for _ in range(args.runs):
            t0 = time.perf_counter()
            with TritonClient(server.http_url, server.grpc_url) as client:
                result = run_smoke(client, handle, options)
            times.append(time.perf_counter() - t0)
            checks = sum(1 for m in result.models for c in m.checks if not c.skipped)
            passed = passed and result.passed
    median, best = statistics.median(times), min(times)
    print(f"example repository: {len(result.models)} models, {checks} checks over {'+'.join(options.protocols)}, "
          f"all passed: {passed}")
    print(f"time to ready (launch -> /v2/health/ready): {ready_s:.2f} s")
    print(f"smoke after ready, median of {args.runs}: {median:.3f} s (best {best:.3f} s)")
    print(f"ratio smoke / time-to-ready: {median / ready_s:.3f} (median), {best / ready_s:.3f} (best)")


if __name__ == "__main__":
    main()

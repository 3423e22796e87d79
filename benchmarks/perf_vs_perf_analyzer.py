"""Benchmark: `tritonship perf` against wrk and NVIDIA perf_analyzer on one Triton and one model.

Starts one CPU tritonserver on the bundled example (add_sub, a python-backend model), then per protocol and
concurrency runs the tools alternately (ROUNDS times each, so drift hits all alike) and prints medians and
ratios: throughput and p50/p99 of tritonship / wrk (HTTP; wrk is a C load generator with next to no
per-request cost, the practical limit for a client on the same cores) and tritonship / perf_analyzer (HTTP
and gRPC). Every run's request count is checked against the server's own statistics (success count
before/after): a tool may not claim more requests than the server answered. tritonship's client CPU per
request (result.json `client_cpu_us_per_request`) is printed too.

Targets: HTTP throughput >= 0.9x wrk with p50 <= 1.15x wrk at concurrency 1 and 4; gRPC throughput >= 1.0x
perf_analyzer at every level.

wrk is Debian's `wrk` (installed with apt-get when missing; skipped with a message if that fails).
perf_analyzer comes from the tritonclient 2.34.0 manylinux wheel (downloaded into .work/perf_analyzer/ once);
it needs Debian libb64-0d and a libcudart.so.12, which the nvidia-pytriton wheel carries.

usage: .venv/bin/python benchmarks/perf_vs_perf_analyzer.py [--rounds 3] [--levels 1,4] [--window-ms 1000]
"""

from __future__ import annotations

import argparse
import csv
import glob
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".work" / "perf_analyzer"


def site_packages() -> Path:
    import pytriton

    return Path(pytriton.__file__).resolve().parent.parent


def perf_analyzer() -> tuple[Path, dict[str, str]]:
    """The perf_analyzer binary (downloaded on first use) and the environment it runs in."""
    binary = CACHE / "perf_analyzer"
    if not binary.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "tritonclient==2.34.0",
                        "--platform", "manylinux1_x86_64", "--only-binary=:all:", "-d", str(CACHE)], check=True)
        wheel = next(CACHE.glob("tritonclient-2.34.0-*manylinux*.whl"))
        with zipfile.ZipFile(wheel) as zf:
            member = next(n for n in zf.namelist() if n.endswith("/bin/perf_analyzer"))
            binary.write_bytes(zf.read(member))
        binary.chmod(0o755)
    libs = site_packages() / "nvidia_pytriton.libs"
    cudart_dir = CACHE / "cudart"
    cudart_dir.mkdir(exist_ok=True)
    link = cudart_dir / "libcudart.so.12"
    if not link.exists():
        link.symlink_to(next(iter(sorted(glob.glob(str(libs / "libcudart-*.so.12*"))))))
    env = dict(os.environ, LD_LIBRARY_PATH=f"{cudart_dir}:{libs}:{os.environ.get('LD_LIBRARY_PATH', '')}")
    return binary, env


def run_perf_analyzer(binary: Path, env: dict, url: str, protocol: str, model: str, concurrency: int,
                      window_ms: int) -> dict[str, float] | None:
    """perf_analyzer gives up when its windows never agree within 10% (a busy machine): try again, then
    leave this round out (None)."""
    for attempt in range(3):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "pa.csv"
            proc = subprocess.run([str(binary), "-m", model, "-u", url, "-i", protocol, "--concurrency-range",
                                   str(concurrency), "-p", str(window_ms), "-s", "10", "--max-trials", "10",
                                   "-f", str(out)], env=env, check=False, capture_output=True, text=True)
            if out.exists():
                row = next(csv.DictReader(out.open()))
                throughput = float(row["Inferences/Second"])
                return {"throughput": throughput, "p50": float(row["p50 latency"]) / 1000,
                        "p99": float(row["p99 latency"]) / 1000,
                        "claimed": int(throughput * 3 * window_ms / 1000 * 0.99)}  # its 3 stable windows
        print(f"  (perf_analyzer found no stable measurement at {protocol} c={concurrency}, try {attempt + 1})",
              flush=True)
    print(f"  (perf_analyzer failed {proc.returncode}: this round has no perf_analyzer sample)", flush=True)
    return None


def wrk_binary() -> str | None:
    """Debian's wrk, installed with apt-get when missing; None (and a message) when that is not possible."""
    if shutil.which("wrk") is None and os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, capture_output=True)
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install wrk): the wrk comparison is skipped", flush=True)
    return shutil.which("wrk")


_WRK_SCRIPT = """
local f = io.open("{body}", "rb")
wrk.method = "POST"
wrk.body = f:read("*all")
f:close()
wrk.headers["Content-Type"] = "application/octet-stream"
wrk.headers["Inference-Header-Content-Length"] = "{header_length}"
"""


def run_wrk(wrk: str, http_url: str, model: str, concurrency: int, seconds: float, tmp: Path) -> dict[str, float]:
    """wrk posting tritonship's own request bytes (the same KServe v2 binary request) for `seconds`."""
    request = _http_request(http_url, model)
    head, _, body = request.partition(b"\r\n\r\n")
    header_length = re.search(rb"Inference-Header-Content-Length: (\d+)", head).group(1).decode()
    (tmp / "body.bin").write_bytes(body)
    (tmp / "post.lua").write_text(_WRK_SCRIPT.format(body=tmp / "body.bin", header_length=header_length))
    proc = subprocess.run([wrk, "-t1", f"-c{concurrency}", f"-d{max(1, round(seconds))}s", "--latency",
                           "-s", str(tmp / "post.lua"), f"http://{http_url}/v2/models/{model}/infer"],
                          check=True, capture_output=True, text=True)
    out = proc.stdout
    total = int(re.search(r"(\d+) requests in", out).group(1))
    if "Non-2xx" in out:
        raise SystemExit(f"wrk got errors from the server:\n{out}")
    return {"throughput": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50": _wrk_ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),
            "p99": _wrk_ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)), "claimed": total}


def _wrk_ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]


def _http_request(http_url: str, model: str) -> bytes:
    from tritonship.perf.payload import http_request
    from tritonship.perf.runner import PerfConfig, _arrays, _model_config, _outputs

    config = _model_config(http_url, model)
    arrays = _arrays(config, PerfConfig(model=model, levels=()))
    return http_request(model, http_url, arrays, [spec.name for spec in _outputs(config)])


def server_count(http_url: str, model: str) -> int:
    import requests

    stats = requests.get(f"http://{http_url}/v2/models/{model}/stats", timeout=10).json()["model_stats"]
    return sum(int(s["inference_stats"]["success"]["count"]) + int(s["inference_stats"]["fail"]["count"])
               for s in stats)


def run_tritonship(http_url: str, grpc_url: str, protocol: str, model: str, concurrency: int,
                   window_ms: int) -> dict[str, float]:
    cmd = [sys.executable, "-m", "tritonship", "perf", "--url", http_url, "--grpc-url", grpc_url,
           "--model", model, "--protocol", protocol, "--concurrency", str(concurrency),
           "--window", str(window_ms / 1000), "--stability-pct", "10", "--max-trials", "10", "--json"]
    proc = subprocess.run(cmd, check=False, capture_output=True, text=True, cwd=tempfile.gettempdir())
    if proc.returncode not in (0, 1):
        raise SystemExit(f"tritonship perf failed ({proc.returncode}): {proc.stderr[-2000:]}")
    level = json.loads(proc.stdout)["levels"][0]
    return {"throughput": level["throughput"], "p50": level["latency_ms"]["p50"], "p99": level["latency_ms"]["p99"],
            "claimed": level["sent"], "us_per_req": level["client_cpu_us_per_request"]}


def measured(tool, http_url: str, model: str) -> dict[str, float]:
    """Run a tool; add the server's count of the requests it answered meanwhile."""
    before = server_count(http_url, model)
    result = tool()
    if result is not None:
        result["server"] = server_count(http_url, model) - before
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="add_sub")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--levels", default="1,4")
    parser.add_argument("--window-ms", type=int, default=1000)
    parser.add_argument("--protocols", default="http,grpc")
    args = parser.parse_args()
    from tritonship.triton.launcher import launch_local

    binary, env = perf_analyzer()
    wrk = wrk_binary()
    rows, started = [], time.monotonic()
    with launch_local(ROOT / "examples" / "model_repository") as server, \
            tempfile.TemporaryDirectory() as tmp:
        for protocol in args.protocols.split(","):
            for concurrency in [int(v) for v in args.levels.split(",")]:
                tools = {
                    "tritonship": lambda p=protocol, c=concurrency: run_tritonship(
                        server.http_url, server.grpc_url, p, args.model, c, args.window_ms),
                    "perf_analyzer": lambda p=protocol, c=concurrency: run_perf_analyzer(
                        binary, env, server.http_url if p == "http" else server.grpc_url, p, args.model, c,
                        args.window_ms),
                }
                if protocol == "http" and wrk:
                    tools["wrk"] = lambda c=concurrency: run_wrk(wrk, server.http_url, args.model, c,
                                                                 3 * args.window_ms / 1000, Path(tmp))
                runs = alternate(tools, args.rounds, server.http_url, args.model, f"{protocol} c={concurrency}")
                rows.append((protocol, concurrency, runs))
    print(f"\nmedians over {args.rounds} alternating rounds ({time.monotonic() - started:.0f} s in all; latencies "
          f"in ms; x = tritonship / reference)")
    for protocol, concurrency, runs in rows:
        print_level(protocol, concurrency, runs)
    return 0


def alternate(tools: dict, rounds: int, http_url: str, model: str, label: str) -> dict[str, list]:
    """Each tool once per round, in turn, so drift hits them alike."""
    runs: dict[str, list] = {name: [] for name in tools}
    for round_no in range(rounds):
        for name, tool in tools.items():
            result = measured(tool, http_url, model)
            if result is not None:
                runs[name].append(result)
        print(f"  round {round_no + 1}: {label} " + " | ".join(
            f"{name} {r[-1]['throughput']:.0f}/s p50 {r[-1]['p50']:.3f}" for name, r in runs.items() if r), flush=True)
    return runs


def _med(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def print_level(protocol: str, concurrency: int, runs: dict[str, list]) -> None:
    ts = runs["tritonship"]
    confirmed = all(r["claimed"] <= r["server"] for rs in runs.values() for r in rs)
    print(f"{protocol} c={concurrency}: tritonship {_med(ts, 'throughput'):.0f} infer/s, p50 {_med(ts, 'p50'):.3f}, "
          f"p99 {_med(ts, 'p99'):.3f}, client CPU {_med(ts, 'us_per_req'):.0f} us/request; "
          f"counts confirmed by the server: {'yes' if confirmed else 'NO'}")
    for ref in ("wrk", "perf_analyzer"):
        if not runs.get(ref):
            continue
        r = runs[ref]
        thr, p50, p99 = (_med(ts, k) / _med(r, k) for k in ("throughput", "p50", "p99"))
        target = (thr >= 0.9 and p50 <= 1.15) if ref == "wrk" else (thr >= 1.0 if protocol == "grpc" else None)
        verdict = "" if target is None else (" target met" if target else " target MISSED")
        print(f"  vs {ref:13} {_med(r, 'throughput'):>7.0f} infer/s p50 {_med(r, 'p50'):.3f} p99 {_med(r, 'p99'):.3f}"
              f"  -> throughput {thr:.2f}x, p50 {p50:.2f}x, p99 {p99:.2f}x{verdict}", flush=True)


if __name__ == "__main__":
    sys.exit(main())

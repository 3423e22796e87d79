"""Benchmark: tritonship's push against `buildah push` and `skopeo copy` for the same model image.

Builds (once, untimed) a Triton-like base image with a large layer and pushes it to the registry, then a
model image on top of it with a large layer of random (incompressible) weights, exported as the `dir:`
layout tritonship's builders produce. Each round then pushes that image with every tool, in turn, each into
a fresh Debian docker-registry that holds only the base (so no tool finds earlier uploads); it prints the
median seconds, the ratio tritonship / each tool, and the bytes tritonship sent, then pushes a second model
project on the same base and prints how many base-layer bytes it sent (target: 0).

Tools: `buildah push` (default settings: gzip), `buildah push --disable-compression`, `skopeo copy dir:`
(apt-get install skopeo when missing, skipped with a message otherwise). Target: tritonship no slower than
`buildah push`. Everything lives in a temp directory on loopback ports and is removed afterwards.

usage: .venv/bin/python benchmarks/push_vs_buildah.py [--base-mb 100] [--model-mb 200] [--rounds 2]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from tritonship_standins.registry import local_registry


def sh(*argv: str) -> str:
    return subprocess.run(list(argv), check=True, capture_output=True, text=True).stdout.strip()


def random_file(path: Path, megabytes: int) -> Path:
    with path.open("wb") as handle:
        for _ in range(megabytes):
            handle.write(os.urandom(1 << 20))
    return path


def build_images(buildah: list[str], work: Path, base_mb: int, model_mb: int) -> None:
    """localhost/bench-base (one big layer) and localhost/bench-model-{a,b} on top of it."""
    ctr = sh(*buildah, "from", "scratch")
    sh(*buildah, "copy", ctr, str(random_file(work / "libs.bin", base_mb)), "/opt/tritonserver/libs.bin")
    sh(*buildah, "commit", "-q", "--timestamp", "0", ctr, "localhost/bench-base")
    sh(*buildah, "rm", ctr)
    for name in ("a", "b"):
        ctr = sh(*buildah, "from", "localhost/bench-base")
        sh(*buildah, "copy", ctr, str(random_file(work / f"w-{name}.bin", model_mb)), "/models/m/1/model.onnx")
        sh(*buildah, "commit", "-q", "--timestamp", "0", ctr, f"localhost/bench-model-{name}")
        sh(*buildah, "rm", ctr)
        sh(*buildah, "push", "-q", "--disable-compression", "--format", "oci", f"localhost/bench-model-{name}",
           f"dir:{work / f'dir-{name}'}")


def fresh_registry(stack, work: Path, buildah: list[str], index: int):
    """A registry holding only the base image (pushed with buildah's defaults, as a team's base would be)."""
    registry = stack.enter_context(local_registry(work / f"registry-{index}"))
    sh(*buildah, "push", "-q", "--tls-verify=false", "localhost/bench-base", f"docker://{registry.host}/bench/base:1")
    return registry


def push_tritonship(host: str, layout: Path, repository: str):
    from tritonship.image.builders.base import read_dir_layout
    from tritonship.image.push import PushOptions, push_image
    from tritonship.image.reference import parse_reference
    from tritonship.image.registry import RegistryClient

    client = RegistryClient(host, insecure=True)
    options = PushOptions(base=parse_reference(f"{host}/bench/base:1"))
    return push_image(client, repository, read_dir_layout(layout), ["v1"], options=options)


def timed(tool, *args) -> float:
    start = time.perf_counter()
    tool(*args)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-mb", type=int, default=100)
    parser.add_argument("--model-mb", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=2)
    opts = parser.parse_args()
    if shutil.which("skopeo") is None and os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-qq", "skopeo"], check=False, capture_output=True)
    skopeo = shutil.which("skopeo")
    if skopeo is None:
        print("skopeo is not installed (apt-get install skopeo): the skopeo comparison is skipped")
    with tempfile.TemporaryDirectory(prefix="tritonship-bench-push-") as tmp:
        work = Path(tmp)
        buildah = ["buildah", "--storage-driver", "vfs", "--root", str(work / "bs"), "--runroot", str(work / "br")]
        try:
            started = time.perf_counter()
            build_images(buildah, work, opts.base_mb, opts.model_mb)
            print(f"images built in {time.perf_counter() - started:.0f} s: base {opts.base_mb} MB, "
                  f"model {opts.model_mb} MB of random weights on top", flush=True)
            report(run_rounds(buildah, work, skopeo, opts.rounds), opts)
        finally:
            subprocess.run(["rm", "-rf", str(work / "bs"), str(work / "br")], check=False)


def run_rounds(buildah: list[str], work: Path, skopeo: str | None, rounds: int) -> dict:
    import contextlib

    tools = {
        "tritonship": lambda host: push_tritonship(host, work / "dir-a", "bench/model"),
        "buildah push": lambda host: sh(*buildah, "push", "-q", "--tls-verify=false", "localhost/bench-model-a",
                                        f"docker://{host}/bench/model:v1"),
        "buildah push --disable-compression": lambda host: sh(
            *buildah, "push", "-q", "--tls-verify=false", "--disable-compression", "localhost/bench-model-a",
            f"docker://{host}/bench/model:v1"),
    }
    if skopeo:
        tools["skopeo copy"] = lambda host: sh(skopeo, "copy", "-q", "--dest-tls-verify=false",
                                               f"dir:{work / 'dir-a'}", f"docker://{host}/bench/model:v1")
    seconds: dict[str, list[float]] = {name: [] for name in tools}
    results: dict = {}
    index = 0
    for round_no in range(rounds):
        for name, tool in tools.items():
            index += 1
            with contextlib.ExitStack() as stack:
                host = fresh_registry(stack, work, buildah, index).host
                start = time.perf_counter()
                outcome = tool(host)
                seconds[name].append(time.perf_counter() - start)
                if name == "tritonship":
                    results["first"] = outcome
                    results["second"] = push_tritonship(host, work / "dir-b", "bench/model-b")
            shutil.rmtree(work / f"registry-{index}", ignore_errors=True)
        print(f"  round {round_no + 1}: " + ", ".join(f"{n} {s[-1]:.2f} s" for n, s in seconds.items()), flush=True)
    results["seconds"] = seconds
    return results


def report(results: dict, opts) -> None:
    seconds = results["seconds"]
    ours = statistics.median(seconds["tritonship"])
    first, second = results["first"], results["second"]
    print(f"\nmedians over {opts.rounds} alternating rounds (each push into a fresh registry holding the base):")
    print(f"  tritonship push: {ours:.2f} s ({first.bytes_uploaded / 1e6:.0f} MB sent, "
          f"{first.blobs_mounted} base layer(s) mounted, {first.blobs_uploaded} blobs uploaded)")
    for name, runs in seconds.items():
        if name != "tritonship":
            theirs = statistics.median(runs)
            target = " (target: <= 1.0x)" if name == "buildah push" else ""
            print(f"  vs {name:36} {theirs:6.2f} s -> tritonship takes {ours / theirs:.2f}x the time{target}")
    shared = second.base_layers_shared and second.blobs_mounted >= second.base_layers_shared
    print(f"  second project on the same base: {second.blobs_mounted} base layer(s) mounted, "
          f"{second.bytes_uploaded / 1e6:.0f} MB sent in all (its own layer and config); base-layer bytes sent: "
          f"{'0' if shared else 'all of them (target: 0)'}")

if __name__ == "__main__":
    main()

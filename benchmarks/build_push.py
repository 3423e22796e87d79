"""Benchmark: `tritonship build` (buildah + push) of a generated 500 MB repository, and a cache hit.

Prints, asserts nothing. Reports the build+push wall time as a ratio to `tar c REPO | sha256sum` over
the same files (the least work any content-addressed build must do: read and hash every byte), the
time of a --force rebuild (every blob already in the registry), and the wall time of a cache-hit call
(the whole CLI run, as Jenkins runs it). Everything (registry, buildah storage, data) lives in a temp
directory, on a free loopback port, and is removed afterwards. `--megabytes N` changes the size.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tritonship_standins.registry import local_registry

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ('name: "NAME"\nbackend: "onnxruntime"\nmax_batch_size: 8\n'
          'input [ { name: "X" data_type: TYPE_FP32 dims: [ 4 ] } ]\n'
          'output [ { name: "Y" data_type: TYPE_FP32 dims: [ 4 ] } ]\n')


def generate(root: Path, megabytes: int, models: int = 5) -> None:
    """`models` models whose weights (random, so incompressible like real ones) add up to `megabytes`."""
    per_model = megabytes * (1 << 20) // models
    for i in range(models):
        model = root / f"model_{i}"
        (model / "1").mkdir(parents=True)
        (model / "config.pbtxt").write_text(CONFIG.replace("NAME", f"model_{i}"))
        with (model / "1" / "model.onnx").open("wb") as handle:
            left = per_model
            while left:
                chunk = min(left, 8 << 20)
                handle.write(os.urandom(chunk))
                left -= chunk


def push_base(buildah: list[str], work: Path, destination: str) -> None:
    (work / "base-release").write_text("benchmark base\n")
    ctr = subprocess.run([*buildah, "from", "scratch"], capture_output=True, text=True, check=True).stdout.strip()
    subprocess.run([*buildah, "copy", ctr, str(work / "base-release"), "/etc/base-release"], check=True,
                   capture_output=True)
    subprocess.run([*buildah, "commit", "-q", "--timestamp", "0", ctr, "localhost/bench-base"], check=True,
                   capture_output=True)
    subprocess.run([*buildah, "rm", ctr], check=True, capture_output=True)
    subprocess.run([*buildah, "push", "-q", "--tls-verify=false", "localhost/bench-base", f"docker://{destination}"],
                   check=True, capture_output=True)


def time_tar_sha256(repo: Path) -> float:
    start = time.perf_counter()
    tar = subprocess.Popen(["tar", "c", "-C", str(repo), "."], stdout=subprocess.PIPE)
    subprocess.run(["sha256sum"], stdin=tar.stdout, stdout=subprocess.DEVNULL, check=True)
    tar.stdout.close()
    tar.wait()
    return time.perf_counter() - start


def time_build(args: list[str], env: dict[str, str]) -> tuple[float, dict]:
    cli = [sys.executable, "-m", "tritonship", "build", *args, "--json"]
    start = time.perf_counter()
    proc = subprocess.run(cli, capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"build failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return wall, json.loads(proc.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=500)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tritonship-bench-build-") as tmp:
        work = Path(tmp)
        repo = work / "repo"
        generate(repo, opts.megabytes)
        buildah = ["buildah", "--storage-driver", "vfs", "--root", str(work / "bs"), "--runroot", str(work / "br")]
        try:
            with local_registry(work / "registry") as registry:
                host = registry.host
                push_base(buildah, work, f"{host}/bench/base:1")
                env = dict(os.environ, TRITONSHIP_BUILDAH_ROOT=str(work / "bs"),
                           TRITONSHIP_BUILDAH_RUNROOT=str(work / "br"), SOURCE_DATE_EPOCH="1700000000")
                args = ["--repository", str(repo), "--registry", f"{host}/bench", "--name", "big",
                        "--base-image", f"{host}/bench/base:1", "--builder", "buildah", "--insecure-registry"]
                reference = min(time_tar_sha256(repo) for _ in range(2))
                built, doc = time_build(args, env)
                rebuilt, again = time_build([*args, "--force"], env)
                cached, hit = time_build(args, env)
        finally:
            subprocess.run(["rm", "-rf", str(work / "bs"), str(work / "br")], check=False)
    mb = opts.megabytes
    print(f"repository: {mb} MB in 5 models (random weights)")
    print(f"tar c | sha256sum (reference): {reference:.2f} s ({mb / reference:.0f} MB/s)")
    print(f"tritonship build + push:       {built:.2f} s  ratio {built / reference:.2f}x reference "
          f"({doc['push']['bytes_uploaded'] / 1e6:.0f} MB uploaded)")
    print(f"--force rebuild (blobs there): {rebuilt:.2f} s  ratio {rebuilt / reference:.2f}x; same digest: "
          f"{again['digest'] == doc['digest']}")
    print(f"cache hit (whole CLI call):    {cached:.2f} s  cached: {hit['cached']}")


if __name__ == "__main__":
    main()

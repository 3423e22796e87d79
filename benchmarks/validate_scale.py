"""Benchmark: `tritonship validate` on 1,000 generated models, and digest throughput vs `sha256sum`.

Prints, asserts nothing. Targets (issue 2): validate of 1,000 models < 3 s (the whole CLI run, as Jenkins
runs it); digest throughput >= 0.7 x `sha256sum` over the same files. Generated data lives in a temp
directory that is deleted afterwards. `--models N` and `--gigabytes G` change the sizes.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY_MODEL = "class TritonPythonModel:\n    def execute(self, requests):\n        return []\n"


def python_config(name: str) -> str:
    return (f'name: "{name}"\nbackend: "python"\nmax_batch_size: 8\n'
            'input [ { name: "X" data_type: TYPE_FP32 dims: [ 4 ] } ]\n'
            'output [ { name: "Y" data_type: TYPE_FP32 dims: [ 4 ] } ]\n'
            "dynamic_batching { max_queue_delay_microseconds: 100 }\n"
            "instance_group [ { count: 1 kind: KIND_CPU } ]\n")


def ensemble_config(name: str, first: str, second: str) -> str:
    return (f'name: "{name}"\nplatform: "ensemble"\nmax_batch_size: 8\n'
            'input [ { name: "IN" data_type: TYPE_FP32 dims: [ 4 ] } ]\n'
            'output [ { name: "OUT" data_type: TYPE_FP32 dims: [ 4 ] } ]\n'
            "ensemble_scheduling { step [\n"
            f'  {{ model_name: "{first}" model_version: -1 input_map {{ key: "X" value: "IN" }} '
            'output_map { key: "Y" value: "mid" } },\n'
            f'  {{ model_name: "{second}" model_version: -1 input_map {{ key: "X" value: "mid" }} '
            'output_map { key: "Y" value: "OUT" } }\n] }\n')


def generate_models(root: Path, count: int) -> None:
    """count models: every tenth an ensemble of the two python models before it."""
    for i in range(count):
        name = f"model_{i:04d}"
        (root / name / "1").mkdir(parents=True)
        if i % 10 == 9:
            text = ensemble_config(name, f"model_{i - 2:04d}", f"model_{i - 1:04d}")
        else:
            text = python_config(name)
            (root / name / "1" / "model.py").write_text(PY_MODEL)
        (root / name / "config.pbtxt").write_text(text)


def time_validate(root: Path) -> tuple[float, float, int]:
    cli = [sys.executable, "-m", "tritonship", "validate", str(root), "--json"]
    start = time.perf_counter()
    proc = subprocess.run(cli, capture_output=True, text=True, cwd=ROOT, check=False)
    wall = time.perf_counter() - start
    sys.path.insert(0, str(ROOT / "agent"))
    from tritonship.repository.lint import lint_repository

    start = time.perf_counter()
    lint_repository(root, digest=False)
    core = time.perf_counter() - start
    return wall, core, proc.returncode


def generate_bytes(root: Path, gigabytes: float) -> int:
    """Files of 1-64 MiB (plus small configs), like weights of a few models; returns bytes written."""
    total, target, i = 0, int(gigabytes * (1 << 30)), 0
    block = os.urandom(1 << 20)
    while total < target:
        size_mib = min(1 + (i * 7) % 64, max(1, (target - total) >> 20))
        model = root / f"model_{i % 16:02d}" / "1"
        model.mkdir(parents=True, exist_ok=True)
        with open(model / f"part_{i:04d}.bin", "wb") as handle:
            for _ in range(size_mib):
                handle.write(block)
        (model.parent / "config.pbtxt").write_text(python_config(model.parent.name))
        total += size_mib << 20
        i += 1
    return total


def time_digest(root: Path) -> tuple[float, float, str]:
    sys.path.insert(0, str(ROOT / "agent"))
    from tritonship.repository.digest import digest_repository, list_files

    files = [str(root / e.relpath) for e in list_files(root)]
    subprocess.run(["cat", *files], stdout=subprocess.DEVNULL, check=True)  # warm the page cache for both
    start = time.perf_counter()
    subprocess.run(["sha256sum", *files], stdout=subprocess.DEVNULL, check=True)
    reference = time.perf_counter() - start
    start = time.perf_counter()
    digest = digest_repository(root)
    ours = time.perf_counter() - start
    return reference, ours, digest.short


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", type=int, default=1000)
    parser.add_argument("--gigabytes", type=float, default=1.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tritonship-bench-") as tmp:
        repo = Path(tmp) / "models"
        generate_models(repo, args.models)
        wall, core, code = time_validate(repo)
        print(f"validate {args.models} models: CLI {wall:.2f} s (exit {code}), lint core {core:.2f} s; "
              f"target < 3 s -> {'met' if wall < 3 else 'MISSED'}")
    with tempfile.TemporaryDirectory(prefix="tritonship-bench-") as tmp:
        data = Path(tmp) / "weights"
        size = generate_bytes(data, args.gigabytes)
        reference, ours, short = time_digest(data)
        mib = size / (1 << 20)
        ratio = reference / ours if ours else float("inf")
        verdict = "met" if ratio >= 0.7 else "MISSED"
        print(f"digest {mib:.0f} MiB: sha256sum {mib / reference:.0f} MiB/s, tritonship {mib / ours:.0f} MiB/s "
              f"(sha256:{short}); throughput ratio {ratio:.2f} (target >= 0.7 -> {verdict})")


if __name__ == "__main__":
    main()

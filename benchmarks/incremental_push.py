"""Benchmark: what a rebuild after a one-model change uploads, against the first push and `buildah push`.

Generates a model repository of `--models` models of `--model-mb` MB each plus one small model of
`--small-mb` MB (random bytes: compression cannot help), builds the baked image (buildah for the base
part, tritonship's model layers; timed apart) and pushes it into a fresh Debian docker-registry holding only
the base: the first, full push. Then it rewrites the small model's weights, rebuilds and pushes again
into the same repository: the incremental push. It prints

* the incremental push's bytes and seconds against the changed model's layer plus the config layer
  (target: at most 1.05x; the rest is the image config and nothing else);
* the first push's seconds against `buildah push` (default settings: gzip) and `buildah push
  --disable-compression` of the same image, each into a fresh registry holding the base (target: the
  first push takes at most 1.0x the time of `buildah push`).

Everything lives in a temp directory on loopback ports and is removed afterwards.

usage: .venv/bin/python benchmarks/incremental_push.py [--models 4] [--model-mb 200] [--small-mb 10]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import tempfile
import time
from pathlib import Path

from tritonship_standins.registry import local_registry

CONFIG = 'name: "NAME"\nbackend: "onnxruntime"\nmax_batch_size: 8\n'
EPOCH_ENV = {"SOURCE_DATE_EPOCH": "1700000000"}


def sh(*argv: str) -> str:
    return subprocess.run(list(argv), check=True, capture_output=True, text=True).stdout.strip()


def write_model(repo: Path, name: str, megabytes: int) -> None:
    (repo / name / "1").mkdir(parents=True, exist_ok=True)
    (repo / name / "config.pbtxt").write_text(CONFIG.replace("NAME", name))
    with (repo / name / "1" / "model.onnx").open("wb") as handle:
        for _ in range(megabytes):
            handle.write(os.urandom(1 << 20))


def push_base(buildah: list[str], work: Path) -> None:
    (work / "base-release").write_text("benchmark base\n")
    ctr = sh(*buildah, "from", "scratch")
    sh(*buildah, "copy", ctr, str(work / "base-release"), "/etc/base-release")
    sh(*buildah, "commit", "-q", "--timestamp", "0", ctr, "localhost/bench-base")
    sh(*buildah, "rm", ctr)


def fresh_registry(stack: contextlib.ExitStack, work: Path, buildah: list[str], name: str):
    registry = stack.enter_context(local_registry(work / f"registry-{name}"))
    sh(*buildah, "push", "-q", "--tls-verify=false", "localhost/bench-base", f"docker://{registry.host}/bench/base:1")
    return registry


def build_image(repo: Path, host: str, work: Path, buildah_dirs: tuple[Path, Path]):
    """(plan, written model layers, LocalImage) of the baked image; nothing pushed."""
    from tritonship.image.builders.buildah import BuildahBuilder
    from tritonship.image.layered import baked_image, write_model_layers
    from tritonship.image.plan import BuildOptions, plan_build

    options = BuildOptions(repo, f"{host}/bench", "models", f"{host}/bench/base:1", "buildah", version="1",
                           insecure=True)
    plan = plan_build(options, env=EPOCH_ENV)
    work.mkdir()
    layers = write_model_layers(plan, work / "layers", lambda _msg: None)
    builder = BuildahBuilder(root=str(buildah_dirs[0]), runroot=str(buildah_dirs[1]))
    return plan, layers, baked_image(plan, builder, layers, work, credentials={}, progress=lambda _msg: None)


def timed_push(host: str, plan, image):
    from tritonship.image.build import with_base
    from tritonship.image.push import push_image
    from tritonship.image.registry import RegistryClient

    client = RegistryClient(host, insecure=True)
    start = time.perf_counter()
    result = push_image(client, plan.repository_path, image, plan.tags, options=with_base(plan, None))
    return time.perf_counter() - start, result


def dir_layout(image, directory: Path) -> Path:
    """The image as a containers `dir:` directory (hard links to the blobs), for `buildah pull dir:`."""
    directory.mkdir()
    (directory / "manifest.json").write_bytes(image.manifest)
    (directory / "version").write_text("Directory Transport Version: 1.1\n")
    for digest, path in image.blobs.items():
        os.link(path, directory / digest.split(":", 1)[1])
    return directory


def timed_buildah_push(buildah: list[str], host: str, *flags: str) -> float:
    start = time.perf_counter()
    sh(*buildah, "push", "-q", "--tls-verify=false", *flags, "localhost/bench-models", f"docker://{host}/bench/m:1")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=4)
    parser.add_argument("--model-mb", type=int, default=200)
    parser.add_argument("--small-mb", type=int, default=10)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tritonship-bench-incremental-") as tmp:
        work = Path(tmp)
        buildah_dirs = (work / "bs", work / "br")
        buildah = ["buildah", "--storage-driver", "vfs", "--root", str(buildah_dirs[0]),
                   "--runroot", str(buildah_dirs[1])]
        try:
            report(run(work, buildah, buildah_dirs, opts), opts)
        finally:
            subprocess.run(["rm", "-rf", str(buildah_dirs[0]), str(buildah_dirs[1])], check=False)


def run(work: Path, buildah: list[str], buildah_dirs: tuple[Path, Path], opts) -> dict:
    repo = work / "repo"
    for i in range(opts.models):
        write_model(repo, f"model_{i}", opts.model_mb)
    write_model(repo, "small", opts.small_mb)
    push_base(buildah, work)
    out: dict = {}
    with contextlib.ExitStack() as stack:
        host = fresh_registry(stack, work, buildah, "ours").host
        start = time.perf_counter()
        plan, layers, image = build_image(repo, host, work / "build-1", buildah_dirs)
        out["build-1"] = time.perf_counter() - start
        out["first"] = timed_push(host, plan, image)
        pulled = sh(*buildah, "pull", "-q", f"dir:{dir_layout(image, work / 'dir-1')}").split()[-1]
        sh(*buildah, "tag", pulled, "localhost/bench-models")
        for name, flags in (("buildah push", ()), ("buildah push --disable-compression", ("--disable-compression",))):
            other = fresh_registry(stack, work, buildah, name.replace(" ", "-").replace("--", "")).host
            out[name] = timed_buildah_push(buildah, other, *flags)
        write_model(repo, "small", opts.small_mb)  # retrained: new random weights, same size
        start = time.perf_counter()
        plan2, layers2, image2 = build_image(repo, host, work / "build-2", buildah_dirs)
        out["build-2"] = time.perf_counter() - start
        out["incremental"] = timed_push(host, plan2, image2)
    changed = [new for new, old in zip(layers2, layers, strict=True) if new.digest != old.digest]
    out["changed"] = changed
    return out


def report(out: dict, opts) -> None:
    first_s, first = out["first"]
    inc_s, inc = out["incremental"]
    changed = out["changed"]
    expected = sum(layer.size for layer in changed)
    names = ", ".join(f"{layer.name} ({layer.size / 1e6:.1f} MB)" for layer in changed)
    total = opts.models * opts.model_mb + opts.small_mb
    print(f"repository: {opts.models} x {opts.model_mb} MB + small {opts.small_mb} MB = {total} MB (random bytes)")
    print(f"builds (layers written + buildah base part, untimed above): first {out['build-1']:.2f} s, "
          f"rebuild {out['build-2']:.2f} s")
    print(f"first push (full):   {first_s:6.2f} s, {first.bytes_uploaded / 1e6:8.1f} MB uploaded, "
          f"{first.blobs_uploaded} blobs")
    for name in ("buildah push", "buildah push --disable-compression"):
        target = " (target: <= 1.0x)" if name == "buildah push" else ""
        print(f"  vs {name:35} {out[name]:6.2f} s -> first push takes {first_s / out[name]:.2f}x the time{target}")
    print(f"changed layers: {names}")
    print(f"incremental push:    {inc_s:6.2f} s, {inc.bytes_uploaded / 1e6:8.3f} MB uploaded "
          f"({inc.blobs_uploaded} blobs uploaded, {inc.blobs_present} already there)")
    print(f"  vs changed layers  {expected / 1e6:8.3f} MB -> {inc.bytes_uploaded / expected:.3f}x (target: <= 1.05x); "
          f"{inc.bytes_uploaded / first.bytes_uploaded:.4f}x the first push's bytes, "
          f"{inc_s / first_s:.3f}x its time")


if __name__ == "__main__":
    main()

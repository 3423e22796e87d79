#!/usr/bin/env bash
# Stage 2: build the example's Triton image with buildah and push it, by digest, to a local registry.
# The registry stays up for the later stages (its address is in $DEMO_DIR/registry.env); 99-stop.sh
# stops it, and a watchdog stops it anyway when the demo (this script's parent) ends.
set -euo pipefail
mkdir -p "$DEMO_DIR/pids" "$DEMO_DIR/registry" "$DEMO_DIR/reports"
registry_pid_file="$DEMO_DIR/pids/registry.pid"

start_registry() {
  local port
  port="$(python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  cat > "$DEMO_DIR/registry/config.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $DEMO_DIR/registry/data
http:
  addr: 127.0.0.1:$port
YAML
  docker-registry serve "$DEMO_DIR/registry/config.yml" > "$DEMO_DIR/registry/registry.log" 2>&1 &
  local pid=$!
  echo "$pid" > "$registry_pid_file"
  # Stop the registry when the demo that started it ends, even if a later stage fails.
  nohup bash -c 'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 2; done; kill "$2" 2>/dev/null' \
    _ "${DEMO_OWNER_PID:-$PPID}" "$pid" > /dev/null 2>&1 &
  echo $! > "$DEMO_DIR/pids/registry-watchdog.pid"
  python - "$port" <<'PY'
import sys, time, urllib.request
for _ in range(100):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/v2/", timeout=1)
        break
    except OSError:
        time.sleep(0.1)
PY
  printf 'REGISTRY_HOST=127.0.0.1:%s\nTRITONSHIP_REGISTRY=127.0.0.1:%s/ml\n' "$port" "$port" > "$DEMO_DIR/registry.env"
}

if [[ -f "$registry_pid_file" && -f "$DEMO_DIR/registry.env" ]] && kill -0 "$(cat "$registry_pid_file")" 2>/dev/null; then
  echo "reusing the demo registry"
else
  start_registry
fi
set -a
# shellcheck disable=SC1091
source "$DEMO_DIR/registry.env"
set +a
echo "local registry: http://$REGISTRY_HOST (stopped by examples/demo/99-stop.sh)"

# buildah keeps its vfs storage under the demo directory, not in the machine's image store.
export TRITONSHIP_BUILDAH_ROOT="$DEMO_DIR/buildah/root" TRITONSHIP_BUILDAH_RUNROOT="$DEMO_DIR/buildah/run"
bud=(buildah --storage-driver vfs --root "$TRITONSHIP_BUILDAH_ROOT" --runroot "$TRITONSHIP_BUILDAH_RUNROOT")

# No network here, so no nvcr.io/nvidia/tritonserver: a tiny stand-in base image is built and pushed
# first. In Jenkins the spec's base_image (the real Triton image) is used.
base="$REGISTRY_HOST/demo/triton-base:stand-in"
ctr="$("${bud[@]}" from scratch)"
printf 'stand-in for nvcr.io/nvidia/tritonserver\n' > "$DEMO_DIR/base-release"
"${bud[@]}" copy "$ctr" "$DEMO_DIR/base-release" /etc/base-release > /dev/null
"${bud[@]}" commit -q --timestamp 0 "$ctr" localhost/demo-triton-base > /dev/null
"${bud[@]}" rm "$ctr" > /dev/null
"${bud[@]}" push -q --tls-verify=false localhost/demo-triton-base "docker://$base"

echo "--- dry run: the Dockerfile and the plan"
tritonship build --spec "$EXAMPLE_DIR/tritonship.yaml" --base-image "$base" --builder buildah --dry-run
echo "--- build and push"
tritonship build --spec "$EXAMPLE_DIR/tritonship.yaml" --base-image "$base" --builder buildah \
  --insecure-registry --force --report-dir "$DEMO_DIR/reports/build"
echo "--- again: the tag exists, so nothing is built"
tritonship build --spec "$EXAMPLE_DIR/tritonship.yaml" --base-image "$base" --builder buildah \
  --insecure-registry --report-dir "$DEMO_DIR/reports/build-cached"

python - "$DEMO_DIR" <<'PY'
import json, sys
from pathlib import Path
demo = Path(sys.argv[1])
built = json.loads((demo / "reports/build/result.json").read_text())
cached = json.loads((demo / "reports/build-cached/result.json").read_text())
assert cached["cached"] and cached["digest"] == built["digest"], "the second build should be a cache hit"
(demo / "image.env").write_text(f"IMAGE={built['image']}\nIMAGE_DIGEST={built['digest']}\n")
print(f"image for the next stages: {built['image']} (in {demo / 'image.env'})")
PY

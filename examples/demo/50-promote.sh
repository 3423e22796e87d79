#!/usr/bin/env bash
# Stage 5: promote the built image to dev (rolling), then the same digest to staging (`from: dev`),
# on the local Kubernetes API simulator (a stand-in for a cluster: see the README's promote section).
# The simulator stays up for the later stages (KUBECONFIG in $DEMO_DIR/kube.env); 99-stop.sh stops
# it, and a watchdog stops it anyway when the demo (this script's parent) ends.
set -euo pipefail
mkdir -p "$DEMO_DIR/pids" "$DEMO_DIR/kube" "$DEMO_DIR/reports"
sim_pid_file="$DEMO_DIR/pids/kube-simulator.pid"
kubeconfig="$DEMO_DIR/kube/kubeconfig"

start_simulator() {
  rm -f "$kubeconfig"
  python -m tritonship_standins.kube serve --kubeconfig "$kubeconfig" --nodes 3 --ready-delay 0.5 \
    --namespace models-dev --namespace models-staging --namespace models-prod \
    > "$DEMO_DIR/kube/simulator.log" 2>&1 &
  local pid=$!
  echo "$pid" > "$sim_pid_file"
  nohup bash -c 'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 2; done; kill "$2" 2>/dev/null' \
    _ "${DEMO_OWNER_PID:-$PPID}" "$pid" > /dev/null 2>&1 &
  echo $! > "$DEMO_DIR/pids/kube-simulator-watchdog.pid"
  for _ in $(seq 100); do [[ -s "$kubeconfig" ]] && break; sleep 0.1; done
  [[ -s "$kubeconfig" ]] || { echo "the Kubernetes simulator did not start:"; cat "$DEMO_DIR/kube/simulator.log"; exit 3; }
  printf 'KUBECONFIG=%s\n' "$kubeconfig" > "$DEMO_DIR/kube.env"
}

if [[ -f "$sim_pid_file" && -s "$kubeconfig" ]] && kill -0 "$(cat "$sim_pid_file")" 2>/dev/null; then
  echo "reusing the Kubernetes simulator"
else
  start_simulator
fi
export KUBECONFIG="$kubeconfig"
echo "Kubernetes API simulator: $(head -1 "$DEMO_DIR/kube/simulator.log")"

# The image the build stage pushed (checked in the registry by preflight), else a fixed example digest.
skip=()
if [[ -f "$DEMO_DIR/reports/build/result.json" ]]; then
  image="$(python -c 'import json, sys; print(json.load(open(sys.argv[1]))["image"])' \
    "$DEMO_DIR/reports/build/result.json")"
  registry_pid="$(cat "$DEMO_DIR/pids/registry.pid" 2>/dev/null || true)"
  if [[ -z "$registry_pid" ]] || ! kill -0 "$registry_pid" 2>/dev/null; then
    skip=(--skip-preflight image)  # the demo registry is gone: nothing to check the digest against
  fi
else
  image="127.0.0.1:5000/ml/example-models@sha256:4d1f6c0fbc1b1a3e7f2c5a0e9d8b7c6a5f4e3d2c1b0a99887766554433221100"
  skip=(--skip-preflight image)
  echo "no build result: promoting a fixed example digest (image preflight skipped)"
fi
spec=(--spec "$EXAMPLE_DIR/tritonship.yaml")

echo "--- render dev's manifests (what GitOps users would commit)"
tritonship render "${spec[@]}" --env dev --image "$image" --report-dir "$DEMO_DIR/reports/render-dev" > /dev/null
head -20 "$DEMO_DIR/reports/render-dev/manifests.yaml"
echo "... (all of it in $DEMO_DIR/reports/render-dev/manifests.yaml)"
echo "--- promote to dev (rolling)"
tritonship promote "${spec[@]}" --env dev --image "$image" "${skip[@]}" --report-dir "$DEMO_DIR/reports/promote-dev"
echo "--- promote the digest that succeeded in dev to staging"
tritonship promote "${spec[@]}" --env staging --from dev "${skip[@]}" --report-dir "$DEMO_DIR/reports/promote-staging"
echo "--- history and status"
tritonship history "${spec[@]}" --env dev
tritonship status "${spec[@]}" --env staging

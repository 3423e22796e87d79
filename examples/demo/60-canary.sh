#!/usr/bin/env bash
# Stage 6: promote the digest that succeeded in staging to prod with a canary analysed on real metrics.
# Kubernetes is the API simulator from stage 5; the metrics are real: two local tritonservers serving
# the example repository play prod's stable (and baseline) and canary pods, a local Prometheus scrapes
# them with the namespace/app/track labels the analysis queries, steady traffic flows, and a local
# webhook receiver shows the notifications. Everything this stage starts, it stops.
set -euo pipefail
mkdir -p "$DEMO_DIR/pids" "$DEMO_DIR/canary" "$DEMO_DIR/reports"
[[ -f "$DEMO_DIR/kube.env" ]] || { echo "no Kubernetes simulator: run 50-promote.sh first"; exit 3; }
source "$DEMO_DIR/kube.env"
export KUBECONFIG

env_file="$DEMO_DIR/canary/stack.env"
pid_file="$DEMO_DIR/pids/canary-stack.pid"
rm -f "$env_file"  # a previous run's file would be read before this stack has written its own
python -m tritonship_standins.canary_stack --workdir "$DEMO_DIR/canary" --env-file "$env_file" \
  --repository "$EXAMPLE_DIR/model_repository" --namespace models-prod --app example-models \
  > "$DEMO_DIR/canary/stack.log" 2>&1 &
stack_pid=$!
echo "$stack_pid" > "$pid_file"
stop_stack() {
  kill "$stack_pid" 2>/dev/null || true
  wait "$stack_pid" 2>/dev/null || true
  rm -f "$pid_file"
}
trap stop_stack EXIT
echo "starting two tritonservers (stable, canary), Prometheus and traffic ..."
for _ in $(seq 240); do
  [[ -s "$env_file" ]] && break
  kill -0 "$stack_pid" 2>/dev/null || { echo "the metrics stack failed:"; tail -20 "$DEMO_DIR/canary/stack.log"; exit 3; }
  sleep 0.5
done
[[ -s "$env_file" ]] || { echo "the metrics stack did not start in time:"; tail -20 "$DEMO_DIR/canary/stack.log"; exit 3; }
set -a; source "$env_file"; set +a
tail -1 "$DEMO_DIR/canary/stack.log"
sleep 10  # let Prometheus collect a few rate windows of traffic

skip=()
registry_pid="$(cat "$DEMO_DIR/pids/registry.pid" 2>/dev/null || true)"
if [[ -z "$registry_pid" ]] || ! kill -0 "$registry_pid" 2>/dev/null; then
  skip=(--skip-preflight image)  # no demo registry to check digests against
fi
spec=(--spec "$EXAMPLE_DIR/tritonship.yaml")

echo "--- prod before: the release running there until now (an earlier digest; first prod release rolls out)"
previous="127.0.0.1:5000/ml/example-models@sha256:1111111111111111111111111111111111111111111111111111111111111111"
tritonship promote "${spec[@]}" --env prod --image "$previous" --skip-preflight image --skip-preflight origin \
  --report-dir "$DEMO_DIR/reports/promote-prod-before"
echo "--- canary: staging's digest to prod (steps, weights by replica ratio, analysis and judge on Prometheus)"
tritonship promote "${spec[@]}" --env prod --from staging "${skip[@]}" --report-dir "$DEMO_DIR/reports/promote-prod"
echo "--- notifications the webhook received"
python - "$DEMO_DIR/canary/notifications.log" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    body = json.loads(line)
    print(f"  {body['received']}  {body['text'].splitlines()[0]}")
PY
tritonship status "${spec[@]}" --env prod

#!/usr/bin/env bash
# `make demo`: the main job on the bundled example. Each numbered script is one pipeline stage;
# they share DEMO_DIR (scratch space, servers' state) and stop whatever they start.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export EXAMPLE_DIR="$(cd "$here/.." && pwd)"
export DEMO_DIR="${DEMO_DIR:-$(cd "$here/../.." && pwd)/.demo}"
mkdir -p "$DEMO_DIR"
# whatever happens, stop the servers the stages started (registry, Triton, Prometheus, simulator)
trap 'bash "$here/99-stop.sh" >/dev/null' EXIT
for stage in "$here"/[0-9][0-9]-*.sh; do
  echo
  echo "=== $(basename "$stage" .sh)"
  bash "$stage"
done
echo
echo "demo finished: reports under $DEMO_DIR/reports"

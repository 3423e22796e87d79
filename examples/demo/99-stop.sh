#!/usr/bin/env bash
# Last stage (and safe to run any time): stop every server the demo started, as listed in $DEMO_DIR/pids/.
set -uo pipefail
DEMO_DIR="${DEMO_DIR:-$(cd "$(dirname "$0")/../.." && pwd)/.demo}"
shopt -s nullglob
for pid_file in "$DEMO_DIR"/pids/*.pid; do
  pid="$(cat "$pid_file")"
  if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
    echo "stopped $(basename "$pid_file" .pid) (pid $pid)"
  fi
  rm -f "$pid_file"
done
exit 0

#!/usr/bin/env bash
# Stage 1: lint the example model repository (the gate), then show the linter on a broken one.
set -euo pipefail
tritonship validate --spec "$EXAMPLE_DIR/tritonship.yaml" --report-dir "$DEMO_DIR/reports/validate"

echo
echo "--- the same linter on a repository with classic load failures (this one is expected to fail):"
broken="$(cd "$EXAMPLE_DIR/.." && pwd)/tests/fixtures/lint/broken_repository"
rc=0
tritonship validate "$broken" --report-dir "$DEMO_DIR/reports/validate-broken" || rc=$?
if [ "$rc" -ne 1 ]; then
  echo "expected exit 1 from the broken repository, got $rc" >&2
  exit 1
fi
echo "--- broken repository rejected (exit 1), as it should be"

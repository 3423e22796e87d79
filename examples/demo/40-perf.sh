#!/usr/bin/env bash
# Stage 4: measure add_sub like perf_analyzer does (closed loop, concurrency 1 and 4 over HTTP) on a Triton
# that tritonship starts, against the budget in examples/tritonship.yaml (p99 <= 250 ms, no errors).
# The first run's result.json becomes the baseline of the second: the regression gate (Mann-Whitney U
# plus a maximum rise of p50/p99) passes because nothing changed between the two "releases".
set -euo pipefail
reports="$DEMO_DIR/reports"
tritonship perf --spec "$EXAMPLE_DIR/tritonship.yaml" --window 1 --report-dir "$reports/perf-baseline"
tritonship perf --spec "$EXAMPLE_DIR/tritonship.yaml" --window 1 --baseline "$reports/perf-baseline/result.json" \
  --report-dir "$reports/perf"
echo "perf reports: $reports/perf/{result.json,junit.xml,perf.csv,report.html}"

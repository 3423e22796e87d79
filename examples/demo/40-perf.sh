#!/usr/bin/env bash
# Stage 4: measure add_sub like perf_analyzer does (closed loop, concurrency 1 and 4 over HTTP) on a Triton
# that tritonship starts, against the budget in examples/tritonship.yaml (p99 <= 250 ms, no errors).
# The first run's result.json becomes the baseline of the second: the regression gate (Mann-Whitney U
# plus a maximum rise of p50/p99) passes because nothing changed between the two "releases".
# add_sub answers in well under a millisecond, and on a busy 2-core machine its p99 jitters by a few
# milliseconds between runs, so rises below 5 ms count as jitter here (--min-increase-ms).
set -euo pipefail
reports="$DEMO_DIR/reports"
tritonship perf --spec "$EXAMPLE_DIR/tritonship.yaml" --window 1 --report-dir "$reports/perf-baseline"
tritonship perf --spec "$EXAMPLE_DIR/tritonship.yaml" --window 1 --baseline "$reports/perf-baseline/result.json" \
  --min-increase-ms 5 --report-dir "$reports/perf"
echo "perf reports: $reports/perf/{result.json,junit.xml,perf.csv,report.html}"

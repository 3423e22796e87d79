#!/usr/bin/env bash
# Stage 3: start a real Triton on the example repository and prove every model loads and answers,
# over HTTP and gRPC, including one golden case (known inputs -> expected outputs).
set -euo pipefail
golden="$DEMO_DIR/golden"
mkdir -p "$golden/add_sub"
cat > "$golden/add_sub/small.json" <<'JSON'
{"inputs":   {"INPUT0": [[1, 2, 3, 4]], "INPUT1": [[1, 1, 1, 1]]},
 "expected": {"OUTPUT0": [[2, 3, 4, 5]], "OUTPUT1": [[0, 1, 2, 3]]}}
JSON
tritonship smoke --spec "$EXAMPLE_DIR/tritonship.yaml" --golden "$golden" --report-dir "$DEMO_DIR/reports/smoke"

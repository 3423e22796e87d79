#!/usr/bin/env bash
# Stage 1: lint the example model repository.
set -euo pipefail
tritonship validate "$EXAMPLE_DIR/model_repository" --report-dir "$DEMO_DIR/reports/validate"

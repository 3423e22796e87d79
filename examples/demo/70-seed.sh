#!/usr/bin/env bash
# Stage 7: seed Jenkins jobs for the model projects in pipelines/models.yaml — against the local Jenkins
# stand-in (a real Jenkins cannot run here). The second run shows seeding is idempotent: no writes.
set -euo pipefail
mkdir -p "$DEMO_DIR/pids" "$DEMO_DIR/jenkins" "$DEMO_DIR/reports"
url_file="$DEMO_DIR/jenkins/url"
rm -f "$url_file"
# a demo-only token for the stand-in; real pipelines pass it with withCredentials
export TRITONSHIP_JENKINS_TOKEN="demo-token-$RANDOM$RANDOM"
python -m tritonship_standins.jenkins --user admin --url-file "$url_file" > "$DEMO_DIR/jenkins/stand-in.log" 2>&1 &
echo $! > "$DEMO_DIR/pids/jenkins-stand-in.pid"
for _ in $(seq 100); do [[ -s "$url_file" ]] && break; sleep 0.1; done
[[ -s "$url_file" ]] || { echo "the Jenkins stand-in did not start"; cat "$DEMO_DIR/jenkins/stand-in.log"; exit 3; }
models="$EXAMPLE_DIR/../pipelines/models.yaml"
tritonship seed --config "$models" --jenkins "$(cat "$url_file")" --user admin --report-dir "$DEMO_DIR/reports/seed"
echo "--- second run (nothing changed, so nothing is written):"
tritonship seed --config "$models" --jenkins "$(cat "$url_file")" --user admin

#!/bin/bash
# Regenerates the hash-pinned requirement files the agent images install from (pip --require-hashes), for the
# Python both images run (3.11) on linux x86_64 with glibc >= 2.35 (Debian bookworm, Ubuntu 22.04 of Triton 24.10).
# test.lock (agent + test extras) is resolved first and constrains agent.lock, so the agent image ships exactly the
# versions the test image tests. Needs `uv` and the package index you build from.
# usage: docker/requirements/compile.sh        (run from the repository root; commit the changed .lock files)
set -euo pipefail
cd "$(dirname "$0")/../.."
common=(--python-version 3.11 --python-platform x86_64-manylinux_2_35 --generate-hashes --no-header --quiet)
uv pip compile pyproject.toml --extra test "${common[@]}" -o docker/requirements/test.lock
pins="$(mktemp)"
trap 'rm -f "$pins"' EXIT
sed -n 's/^\([A-Za-z0-9_.-]*==[^ ]*\) .*$/\1/p' docker/requirements/test.lock > "$pins"
uv pip compile pyproject.toml --constraint "$pins" "${common[@]}" -o docker/requirements/agent.lock
echo 'setuptools>=68' | uv pip compile - "${common[@]}" -o docker/requirements/build.lock

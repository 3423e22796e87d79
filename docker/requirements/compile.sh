#!/bin/bash
# Regenerates the hash-pinned requirement files the agent images install from (pip --require-hashes), for the
# Python both images run (3.11) on linux x86_64. Needs `uv` and the package index you build from.
# usage: docker/requirements/compile.sh        (run from the repository root; commit the changed .lock files)
set -euo pipefail
cd "$(dirname "$0")/../.."
common=(--python-version 3.11 --python-platform x86_64-manylinux_2_35 --generate-hashes --no-header --quiet)
uv pip compile pyproject.toml "${common[@]}" -o docker/requirements/agent.lock
uv pip compile pyproject.toml --extra test "${common[@]}" -o docker/requirements/test.lock
echo 'setuptools>=68' | uv pip compile - "${common[@]}" -o docker/requirements/build.lock

#!/bin/bash
# Builds the agent images from this checkout with buildah and (with PUSH=1) pushes them; writes
# agent-images.json: {"version": ..., "agent": "repo@sha256:...", "agent_test": ..., "agent_gpu": ...}.
# The tag is the library version (pyproject.toml) on a release tag v<version>, else <version>-<short commit>,
# so a branch build never overwrites a released image.
# env: REGISTRY (default ghcr.io/tritonship), PUSH (1 to push), TAG_NAME (set by Jenkins on tag builds),
#      TRITONSHIP_REGISTRY_USER / TRITONSHIP_REGISTRY_PASSWORD (push credentials, from withCredentials).
set -euo pipefail
registry="${REGISTRY:-ghcr.io/tritonship}"
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' pyproject.toml | head -1)"
if [ "${TAG_NAME:-}" = "v$version" ]; then tag="$version"; else tag="$version-$(git rev-parse --short=12 HEAD)"; fi
export STORAGE_DRIVER="${STORAGE_DRIVER:-vfs}" BUILDAH_ISOLATION="${BUILDAH_ISOLATION:-chroot}"
if [ "${PUSH:-0}" = 1 ] && [ -n "${TRITONSHIP_REGISTRY_USER:-}" ]; then
  printf '%s' "$TRITONSHIP_REGISTRY_PASSWORD" | buildah login --username "$TRITONSHIP_REGISTRY_USER" --password-stdin "${registry%%/*}"
fi
build() {  # name dockerfile target|"" [build-arg]
  local ref="$registry/$1:$tag" digestfile
  digestfile="$(mktemp)"
  buildah bud --layers -f "$2" ${3:+--target "$3"} ${4:+--build-arg "$4"} -t "$ref" . >&2
  if [ "${PUSH:-0}" = 1 ]; then
    buildah push --digestfile "$digestfile" "$ref" >&2
    printf '%s@%s' "$registry/$1" "$(cat "$digestfile")"
  else
    printf '%s' "$ref"
  fi
  rm -f "$digestfile"
}
agent="$(build agent docker/agent/Dockerfile agent)"
agent_test="$(build agent-test docker/agent/Dockerfile test)"
agent_gpu="$(build agent-gpu docker/agent-gpu/Dockerfile "" "AGENT_IMAGE=$agent")"  # the same wheel
printf '{"version": "%s", "tag": "%s", "agent": "%s", "agent_test": "%s", "agent_gpu": "%s"}\n' \
  "$version" "$tag" "$agent" "$agent_test" "$agent_gpu" > agent-images.json
cat agent-images.json

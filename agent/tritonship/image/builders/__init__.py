"""Image builders behind one small protocol: buildah, the docker SDK, kaniko (arguments only)."""

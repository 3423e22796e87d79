"""Image builders behind one small protocol: buildah and the docker SDK (kaniko is render-only: `image.kaniko`)."""

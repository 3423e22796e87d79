"""Container images: Dockerfile rendering, build context, builders, tags and the registry client."""

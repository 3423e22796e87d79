"""A Triton model repository on disk: parse configs, lint, digest."""

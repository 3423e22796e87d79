"""Launching and talking to Triton Inference Server: local process, docker container, or a URL."""

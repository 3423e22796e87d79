"""Smoke checks: a real Triton loads the repository and every model answers sanely."""

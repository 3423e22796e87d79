"""Local stand-ins and helpers used by the tests and the demo: Kubernetes API simulator, Jenkins stand-in,
Prometheus and traffic helpers. Not for production use."""

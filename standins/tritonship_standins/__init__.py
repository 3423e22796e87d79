"""Local stand-ins and helpers used by the tests and the demo: Kubernetes API simulator, Jenkins stand-in,
canary stack, registry, Prometheus, webhook and traffic helpers. Not for production use.

A separate distribution (`tritonship-standins`, folder `standins/`) so that the agent's wheel does not
contain it; it imports the agent, the agent never imports it."""

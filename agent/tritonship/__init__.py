"""tritonship: take a Triton model repository from git to production on Kubernetes."""

__version__ = "0.1.0"

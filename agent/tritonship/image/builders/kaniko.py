"""kaniko: runs inside a Jenkins Kubernetes pod, not here; tritonship renders its executor arguments."""

from __future__ import annotations

from collections.abc import Sequence

from tritonship.errors import BadInput
from tritonship.image.builders.base import BuildRequest, LocalImage

DIGEST_FILE = "/kaniko/tritonship-digest"


def executor_args(context_dir: str, destinations: Sequence[str], *, insecure: bool = False) -> list[str]:
    """Arguments for `/kaniko/executor` building the rendered context and pushing every tag."""
    args = [f"--context=dir://{context_dir}", f"--dockerfile={context_dir}/Dockerfile",
            "--reproducible", "--single-snapshot", f"--digest-file={DIGEST_FILE}"]
    args += [f"--destination={d}" for d in destinations]
    if insecure:
        args += ["--insecure", "--insecure-pull"]
    return args


class KanikoBuilder:
    name = "kaniko"

    def build(self, request: BuildRequest) -> LocalImage:
        raise BadInput("the kaniko builder runs in a Jenkins Kubernetes pod; here tritonship only renders its "
                       "arguments", hint="run `tritonship build --builder kaniko --dry-run`, or use buildah/docker")

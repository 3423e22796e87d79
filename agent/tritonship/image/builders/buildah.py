"""buildah: daemonless, vfs storage, chroot isolation, fixed timestamps -> reproducible layers."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Mapping
from pathlib import Path

from tritonship.errors import InfraError
from tritonship.image.builders.base import BuildRequest, LocalImage, read_dir_layout, run_tool, untrusted_hint
from tritonship.image.credentials import Credentials
from tritonship.image.reference import parse_reference


class BuildahBuilder:
    name = "buildah"

    def __init__(self, *, root: str | None = None, runroot: str | None = None, executable: str = "buildah") -> None:
        self.global_args = [executable, "--storage-driver", "vfs"]
        if root:
            self.global_args += ["--root", root]
        if runroot:
            self.global_args += ["--runroot", runroot]

    def build(self, request: BuildRequest) -> LocalImage:
        tag = f"localhost/tritonship-build:{uuid.uuid4().hex[:16]}"
        with tempfile.TemporaryDirectory(prefix="tritonship-auth-") as secrets:
            argv = [*self.global_args, "bud", "--isolation", "chroot", "--format", "oci",
                    "--timestamp", str(request.epoch), "--identity-label=false", "--layers=false",
                    "-f", str(request.dockerfile), "-t", tag]
            argv += self._pull_flags(request, Path(secrets))
            try:
                run_tool([*argv, str(request.context)], "build the image", env=_env())
            except InfraError as exc:
                hint = untrusted_hint(exc.message, request.base_image, request.ca_file is not None)
                raise InfraError(exc.message, hint=hint or exc.hint) from exc
        try:
            # dir: keeps layers uncompressed (model weights hardly compress; gzip would dominate the time)
            layout = request.output / "image"
            run_tool([*self.global_args, "push", "--quiet", "--disable-compression", "--format", "oci",
                      tag, f"dir:{layout}"], "export the built image", env=_env())
            return read_dir_layout(layout)
        finally:
            run_tool([*self.global_args, "rmi", "--force", tag], "remove the build image", env=_env())

    def _pull_flags(self, request: BuildRequest, secrets: Path) -> list[str]:
        host = parse_reference(request.base_image).registry
        flags = ["--tls-verify=false"] if host in request.insecure_hosts else []
        if request.credentials:
            flags += ["--authfile", str(write_authfile(secrets / "auth.json", request.credentials))]
        if request.ca_file is not None:
            flags += ["--cert-dir", str(cert_dir(secrets / "certs", request.ca_file))]
        return flags


def cert_dir(directory: Path, ca_file: Path) -> Path:
    """A `--cert-dir` for containers/image: it reads every `*.crt` in it as a CA (containers-certs.d(5)),
    added to the system roots, so the base image's pull trusts --ca-file as the registry client does."""
    directory.mkdir(mode=0o700)
    shutil.copyfile(ca_file, directory / "ca.crt")
    return directory


def write_authfile(path: Path, credentials: Mapping[str, Credentials]) -> Path:
    """A containers-auth.json readable only by us: credentials never go on a command line."""
    doc = {"auths": {host: {"auth": c.basic().removeprefix("Basic ")} for host, c in credentials.items()}}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(doc, handle)
    return path


def _env() -> dict[str, str]:
    from tritonship.process_env import child_environment

    env = child_environment(os.environ)  # the registry password travels in the authfile, never the environment
    env.setdefault("BUILDAH_ISOLATION", "chroot")
    return env

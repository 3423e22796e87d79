"""Find a `tritonserver` binary: --tritonserver PATH, $TRITONSERVER, PATH, or the nvidia-pytriton wheel.

The wheel ships a CPU-capable tritonserver with its python backend and one python stub per Python
version; such a server needs a prepared backend directory (see backend_dir.py) and the wheel's
`nvidia_pytriton.libs/` on LD_LIBRARY_PATH.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tritonship.errors import BadInput, InfraError


@dataclass(frozen=True)
class TritonInstall:
    """A tritonserver binary and, for the pytriton wheel, where its backends and libraries are."""

    binary: Path
    source: str  # flag | env | path | nvidia-pytriton
    wheel_root: Path | None = None  # .../site-packages/pytriton/tritonserver
    libs_dir: Path | None = None  # .../site-packages/nvidia_pytriton.libs

    @property
    def from_wheel(self) -> bool:
        return self.wheel_root is not None


def locate_tritonserver(explicit: str | None = None, environ: Mapping[str, str] | None = None) -> TritonInstall:
    """The first tritonserver found, in the documented order; BadInput for a bad explicit path."""
    environ = os.environ if environ is None else environ
    for source, value in (("flag", explicit), ("env", environ.get("TRITONSERVER"))):
        if value:
            return _explicit(Path(value), source)
    found = shutil.which("tritonserver", path=environ.get("PATH"))
    if found:
        return _with_wheel_layout(Path(found), "path")
    root = pytriton_root()
    if root is not None and (root / "bin" / "tritonserver").is_file():
        return _with_wheel_layout(root / "bin" / "tritonserver", "nvidia-pytriton")
    raise InfraError(
        "no tritonserver found",
        hint="pass --tritonserver PATH, set $TRITONSERVER, put tritonserver on PATH or pip install nvidia-pytriton",
    )


def _explicit(path: Path, source: str) -> TritonInstall:
    what = "--tritonserver" if source == "flag" else "$TRITONSERVER"
    if not path.is_file():
        raise BadInput(f"{what}: {path} is not a file")
    if not os.access(path, os.X_OK):
        raise BadInput(f"{what}: {path} is not executable")
    return _with_wheel_layout(path, source)


def _with_wheel_layout(binary: Path, source: str) -> TritonInstall:
    """Recognise a binary that sits inside the pytriton wheel (bin/ beside backends/ and python_backend_stubs/)."""
    root = binary.resolve().parent.parent
    if (root / "python_backend_stubs").is_dir() and (root / "backends").is_dir():
        libs = root.parent.parent / "nvidia_pytriton.libs"
        return TritonInstall(binary, source, root, libs if libs.is_dir() else None)
    return TritonInstall(binary, source)


def pytriton_root() -> Path | None:
    """`pytriton/tritonserver` of the installed nvidia-pytriton, found without importing pytriton."""
    spec = importlib.util.find_spec("pytriton")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        root = Path(location) / "tritonserver"
        if root.is_dir():
            return root
    return None

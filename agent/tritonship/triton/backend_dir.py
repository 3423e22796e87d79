"""Prepare the backend directory a wheel-installed tritonserver needs.

The python backend looks for `triton_python_backend_stub` beside `libtriton_python.so`; the wheel keeps
the stubs apart, one per Python version. We copy the backend plus the stub matching the Python that will
run models into a cache directory (built once, atomically, shared by concurrent runs).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

from tritonship.errors import InfraError
from tritonship.triton.locate import TritonInstall

STUB = "triton_python_backend_stub"


def python_version_tag(version_info=sys.version_info) -> str:
    return f"{version_info[0]}.{version_info[1]}"


def prepare_backend_dir(install: TritonInstall, *, python: str | None = None, cache: Path | None = None) -> Path | None:
    """A ready backend directory for `install`, or None when the binary brings its own layout."""
    if install.wheel_root is None:
        return None
    tag = python or python_version_tag()
    stub = install.wheel_root / "python_backend_stubs" / tag / STUB
    if not stub.is_file():
        raise InfraError(f"nvidia-pytriton has no python backend stub for Python {tag} ({stub})")
    target = (cache or default_cache()) / _key(install.wheel_root, tag)
    if (target / "python" / STUB).is_file():
        return target
    return _build(install.wheel_root / "backends", stub, target)


def default_cache() -> Path:
    return Path(tempfile.gettempdir()) / f"tritonship-backends-{os.getuid()}"


def _key(wheel_root: Path, tag: str) -> str:
    lib = wheel_root / "backends" / "python" / "libtriton_python.so"
    stamp = f"{wheel_root.resolve()}|{tag}|{lib.stat().st_mtime_ns if lib.exists() else 0}"
    return hashlib.sha256(stamp.encode()).hexdigest()[:16]


def _build(backends: Path, stub: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=target.parent))
    try:
        shutil.copytree(backends, staging, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy2(stub, staging / "python" / STUB)
        try:
            staging.rename(target)
        except OSError:  # another run built it first
            if not (target / "python" / STUB).is_file():
                raise
    except OSError as exc:
        raise InfraError(f"cannot prepare the python backend directory under {target.parent}: {exc}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target

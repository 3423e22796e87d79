"""The input boundary: bounded reads of the files tritonship parses, and ONE classification of the OS and
parser failures that reach the CLI.

`read_text_input(path, what)` reads a file the user gave us (a spec, models.yaml, a config.pbtxt, a golden
case, a baseline) only if it is a regular file under its size limit (`LIMITS`, documented in the README),
so a 60 MB spec or a FIFO posing as one is refused before any parser sees it.

`parsing(path)` wraps a parser: `RecursionError` (nesting deeper than the interpreter allows), `MemoryError`
and CPython's integer-string limit (`int()` of more than 4,300 digits, PEP 651/CVE-2020-10735) become
`BadInput` naming the file.

`classify(exc)` is what `cli.main` calls on an exception no verb turned into a `TritonshipError`: an
`OSError` naming a file (symlink loop, permission, name too long, ...) or an encoding error is bad input
(exit 2, the file and the reason); a network `OSError` is infrastructure (exit 3); anything else stays
an internal error.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tritonship.errors import BadInput, InfraError, TritonshipError

__all__ = ["LIMITS", "MAX_DEPTH", "check_depth", "classify", "parsing", "read_text_input"]

MIB = 1024 * 1024
# Largest file of each kind tritonship reads; a real one is far smaller (the example spec is 3 KiB).
LIMITS: dict[str, int] = {
    "spec": 1 * MIB,
    "models.yaml": 1 * MIB,
    "config.pbtxt": 1 * MIB,
    "golden case": 64 * MIB,
    "perf baseline": 16 * MIB,
}
MAX_INT = 2**53  # largest integer in a spec: exact in JSON and in every consumer's float
MAX_DEPTH = 64  # nesting of mappings/lists in a spec or models.yaml (real ones stay under 10)

_REASONS = {
    errno.ELOOP: "a symbolic link loop (or too many links)",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ENAMETOOLONG: "the file name is too long for the file system",
    errno.ENOENT: "no such file or directory",
    errno.ENOTDIR: "a part of the path is not a directory",
    errno.EISDIR: "is a directory",
    errno.ENXIO: "not a regular file (no such device or address)",
    errno.EROFS: "read-only file system",
    errno.ENOSPC: "no space left on the device",
    errno.EMFILE: "too many open files (raise `ulimit -n`)",
}


def read_text_input(path: str | Path, what: str) -> str:
    """The UTF-8 text of a regular file no larger than LIMITS[what]; BadInput naming the file otherwise."""
    path = Path(path)
    limit = LIMITS[what]
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise BadInput(f"{path}: the {what} is not a regular file")
        if info.st_size > limit:
            raise BadInput(f"{path}: the {what} is {info.st_size} bytes; the limit is {limit} bytes")
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise BadInput(f"{path}: cannot read the {what}: {reason(exc)}") from None
    if len(data) > limit:
        raise BadInput(f"{path}: the {what} is larger than the limit of {limit} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput(f"{path}: the {what} is not UTF-8 text (byte {exc.start})") from None


@contextmanager
def parsing(path: str | Path, what: str) -> Iterator[None]:
    """Turn a parser's resource failures on hostile input into BadInput naming the file."""
    try:
        yield
    except RecursionError:
        raise BadInput(f"{path}: the {what} is nested too deeply to parse") from None
    except MemoryError:
        raise BadInput(f"{path}: the {what} is too large to parse in memory") from None
    except ValueError as exc:
        if "integer string conversion" in str(exc) or "Exceeds the limit" in str(exc):
            raise BadInput(f"{path}: the {what} holds an integer with too many digits") from None
        raise


def check_depth(node: object, path: str | Path, what: str, limit: int = MAX_DEPTH) -> None:
    """Refuse a parsed tree nested deeper than `limit` (iterative: hostile depth cannot recurse us out), or
    holding an integer beyond +-MAX_INT (no field of a spec or models.yaml means anything that large)."""
    stack = [(node, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            raise BadInput(f"{path}: the {what} is nested deeper than {limit} levels")
        if isinstance(item, int) and not isinstance(item, bool) and abs(item) > MAX_INT:
            raise BadInput(f"{path}: the {what} holds an integer beyond +-{MAX_INT} (2**53)")
        if isinstance(item, dict):
            stack.extend((value, depth + 1) for value in item.values())
        elif isinstance(item, list | tuple):
            stack.extend((value, depth + 1) for value in item)


def reason(exc: OSError) -> str:
    """A short, stable reason for an OS error (no Python class names)."""
    return _REASONS.get(exc.errno or -1) or exc.strerror or type(exc).__name__


def classify(exc: BaseException) -> TritonshipError | None:
    """The documented error for an exception that escaped a verb, or None for a bug of ours."""
    if isinstance(exc, ConnectionError | TimeoutError):
        return InfraError(f"network failure: {reason(exc)}", hint="check the server address and the network")
    if isinstance(exc, OSError):
        return _classify_os(exc)
    if isinstance(exc, UnicodeError):
        return BadInput(f"text that is not valid in its encoding: {exc}",
                        hint="save files as UTF-8; set PYTHONIOENCODING=utf-8 if the terminal cannot show the text")
    simple = {RecursionError: "the input is nested too deeply to process",
              MemoryError: "the input is too large to process in memory"}
    return next((BadInput(text) for kind, text in simple.items() if isinstance(exc, kind)), None)


def _classify_os(exc: OSError) -> TritonshipError | None:
    if exc.filename is not None:
        return BadInput(f"{os.fsdecode(exc.filename)}: {reason(exc)}")
    if exc.errno in (errno.EMFILE, errno.ENFILE, errno.ENOSPC):
        return InfraError(reason(exc))
    return None

"""Resource limits checked before perf starts anything: load generator processes and open files.

`--workers` is at most WORKERS_PER_CPU times the machine's cores (more processes only contend for the same
cores and, unbounded, `--workers 100000` forks until the machine stops). Every in-flight request holds one
socket, so the largest concurrency level plus a margin for the agent's own files must fit the soft
`RLIMIT_NOFILE` (`ulimit -n`); otherwise connections fail mid-measurement with EMFILE.
"""

from __future__ import annotations

from collections.abc import Sequence

from tritonship.errors import BadInput

__all__ = ["FD_MARGIN", "WORKERS_PER_CPU", "check_resources", "machine_limits"]

WORKERS_PER_CPU = 4
FD_MARGIN = 64  # the agent's own files: logs, pipes to workers, the server's ports


def check_resources(levels: Sequence, workers: int | None, cpus: int, open_files: int | None) -> None:
    """BadInput when the requested load cannot run on this machine. Pure: limits are passed in."""
    if workers is not None and workers > WORKERS_PER_CPU * cpus:
        raise BadInput(f"--workers {workers}: at most {WORKERS_PER_CPU * cpus} on this machine "
                       f"({WORKERS_PER_CPU} per core, {cpus} cores)")
    peak = max((int(level.value) for level in levels if level.mode == "concurrency"), default=0)
    if open_files is not None and peak + FD_MARGIN > open_files:
        raise BadInput(f"concurrency {peak} needs about {peak + FD_MARGIN} open files; the limit is {open_files}",
                       hint="lower the concurrency or raise the limit (`ulimit -n`)")


def machine_limits() -> tuple[int, int | None]:
    """(cores available to this process, soft RLIMIT_NOFILE or None when unlimited/unknown)."""
    import os

    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    try:
        import resource

        soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (ImportError, OSError, ValueError):
        return cpus, None
    return cpus, (None if soft == resource.RLIM_INFINITY else soft)

"""perf.limits: the load must fit the machine (cores, open files) before anything starts."""

from __future__ import annotations

import pytest

from tritonship.errors import BadInput
from tritonship.perf.limits import FD_MARGIN, check_resources, machine_limits
from tritonship.perf.loadgen import Level


def test_workers_are_bounded_by_the_cores():
    check_resources([Level("concurrency", 1)], 8, cpus=2, open_files=None)
    with pytest.raises(BadInput, match="at most 8"):
        check_resources([Level("concurrency", 1)], 9, cpus=2, open_files=None)


def test_the_largest_concurrency_must_fit_the_open_files_limit():
    levels = [Level("concurrency", 10), Level("concurrency", 1000), Level("rate", 1e6)]
    check_resources(levels, None, cpus=1, open_files=1000 + FD_MARGIN)
    with pytest.raises(BadInput, match="the limit is 1063"):
        check_resources(levels, None, cpus=1, open_files=1000 + FD_MARGIN - 1)


def test_machine_limits_reads_this_process():
    cpus, open_files = machine_limits()
    assert cpus >= 1 and (open_files is None or open_files > 0)

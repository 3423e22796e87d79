"""Load levels from flags and from tritonship.yaml."""

from __future__ import annotations

import pytest

from tritonship.errors import BadInput
from tritonship.perf.levels import choose_levels, parse_values
from tritonship.perf.loadgen import Level, split


def test_list_and_range():
    assert parse_values("1,4,16", "--concurrency", True) == [1, 4, 16]
    assert parse_values("1:16:4", "--concurrency", True) == [1, 5, 9, 13]
    assert parse_values("2:4", "--concurrency", True) == [2, 3, 4]
    assert parse_values("100,250.5", "--rate", False) == [100.0, 250.5]


@pytest.mark.parametrize("text", ["", "a,b", "4:1", "1:2:0", "0,4", "1:2:3:4", "-1"])
def test_bad_levels_are_bad_input(text):
    with pytest.raises(BadInput, match="--concurrency"):
        parse_values(text, "--concurrency", True)


def test_flags_replace_the_spec_levels():
    assert choose_levels("2", None, [1, 4], [100.0], "constant") == (Level("concurrency", 2),)
    assert choose_levels(None, "50", [1, 4], [], "poisson") == (Level("rate", 50.0, "poisson"),)


def test_spec_levels_without_flags():
    levels = choose_levels(None, None, [1, 4], [100.0], "constant")
    assert [lv.label for lv in levels] == ["c1", "c4", "r100"]


def test_no_levels_at_all():
    with pytest.raises(BadInput, match="no load levels"):
        choose_levels(None, None, [], [], "constant")


def test_load_is_shared_over_workers():
    assert split(16, 3) == [6, 5, 5]
    assert split(1, 2) == [1, 0]
    assert split(100.5, 2) == [50.25, 50.25]

"""Every registered strategy satisfies the engine's `Strategy` contract and is found by its name."""

from __future__ import annotations

import pytest

from tritonship.deploy.strategies import STRATEGIES, Strategy, get_strategy
from tritonship.errors import BadInput


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_each_strategy_satisfies_the_protocol(name):
    strategy = get_strategy(name)
    assert isinstance(strategy, Strategy)
    assert strategy.name == name


def test_an_unknown_strategy_is_bad_input():
    with pytest.raises(BadInput, match="unknown strategy 'linear'; known: rolling, blue-green, canary"):
        get_strategy("linear")

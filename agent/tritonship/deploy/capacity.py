"""Will the new pods fit? First-fit decreasing of requested cpu, memory and GPUs onto nodes' free capacity.

Pure: quantities in, a verdict out. Free capacity = allocatable minus what pods already request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

RESOURCES = ("cpu", "memory", "nvidia.com/gpu")
_SUFFIX = {"": 1, "m": 0.001, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18,
           "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_QTY = re.compile(r"^([+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)([a-zA-Z]*)$")


def quantity(text: str | int | float) -> float:
    """'500m' -> 0.5, '2Gi' -> 2147483648, 3 -> 3."""
    if isinstance(text, int | float):
        return float(text)
    match = _QTY.match(str(text).strip())
    if not match or match.group(2) not in _SUFFIX:
        raise ValueError(f"not a Kubernetes quantity: {text!r}")
    return float(match.group(1)) * _SUFFIX[match.group(2)]


def show(resource: str, value: float) -> str:
    if resource == "cpu":
        return f"{value * 1000:.0f}m" if value < 10 else f"{value:g}"
    if resource == "memory":
        return f"{value / 2**20:.0f}Mi" if value < 2**30 else f"{value / 2**30:.2f}Gi"
    return f"{value:g}"


Amounts = dict[str, float]


@dataclass(frozen=True)
class NodeRoom:
    name: str
    free: Amounts


@dataclass(frozen=True)
class Fit:
    fits: bool
    placed: dict[str, int]  # node -> new pods placed
    unplaced: int
    short: dict[str, float]  # resource -> how much more is needed (0 when only fragmentation)
    message: str


def parse_amounts(values: dict[str, str]) -> Amounts:
    return {r: quantity(values[r]) for r in RESOURCES if r in values}


def first_fit_decreasing(pods: list[Amounts], nodes: list[NodeRoom]) -> Fit:
    """Place the pods, biggest first, each on the first node where every resource fits."""
    free = {n.name: dict(n.free) for n in nodes}
    placed: dict[str, int] = {}
    left: list[Amounts] = []
    for pod in sorted(pods, key=lambda p: tuple(p.get(r, 0.0) for r in ("nvidia.com/gpu", "cpu", "memory")),
                      reverse=True):
        node = next((n for n, room in free.items() if all(room.get(r, 0.0) >= v for r, v in pod.items() if v)), None)
        if node is None:
            left.append(pod)
            continue
        for r, v in pod.items():
            free[node][r] = free[node].get(r, 0.0) - v
        placed[node] = placed.get(node, 0) + 1
    if not left:
        return Fit(True, placed, 0, {}, f"{len(pods)} pod(s) fit on {len(placed)} node(s)")
    return _shortfall(pods, left, free, placed)


def _shortfall(pods: list[Amounts], left: list[Amounts], free: dict[str, Amounts], placed: dict[str, int]) -> Fit:
    short: dict[str, float] = {}
    for r in RESOURCES:
        need = sum(p.get(r, 0.0) for p in left)
        have = sum(max(0.0, room.get(r, 0.0)) for room in free.values())
        if need > have + 1e-9:
            short[r] = need - have
    head = f"{len(left)} of {len(pods)} new pod(s) do not fit"
    if short:
        detail = ", ".join(f"{r} short by {show(r, v)}" for r, v in short.items())
    else:
        per_pod = ", ".join(f"{r} {show(r, v)}" for r, v in left[0].items() if v)
        detail = f"enough in total but no single node has room for a pod ({per_pod})"
    return Fit(False, placed, len(left), short, f"{head}: {detail}")

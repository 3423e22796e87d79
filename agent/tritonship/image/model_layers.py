"""Which files of the model repository go into which image layer. Pure.

One layer per model version (``<model>/<version>/``, the directory Triton loads), in the order
(model name, numeric version), then one small ``config`` layer holding everything else: each
``config.pbtxt``, labels files, model-level files and files at the repository root. A change in one
version directory therefore changes one layer; a change in a ``config.pbtxt`` changes only the config
layer.

Runtimes cap the layers of an image (overlayfs stacks at most ~128 lower directories on one mount;
Docker refuses more than 127 layers), and the Triton base image brings dozens of its own. So at most
``MAX_MODEL_LAYERS`` layers hold model versions; past that the versions are grouped, deterministically:

1. one layer per model (all its versions together), when the models fit under the cap;
2. else each model goes to bucket ``sha256(name) mod MAX_MODEL_LAYERS`` — adding or changing a model
   touches only its bucket's layer, never the assignment of the others.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tritonship.repository.digest import FileEntry

MAX_MODEL_LAYERS = 100
CONFIG_LAYER = "config"


@dataclass(frozen=True)
class LayerPlan:
    """One layer: its name (``model/version``, ``model``, ``group-NN`` or ``config``) and its files."""

    name: str
    kind: str  # version | model | group | config
    entries: tuple[FileEntry, ...]

    @property
    def bytes(self) -> int:
        return sum(e.size for e in self.entries if e.link_target is None)

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "kind": self.kind, "files": len(self.entries), "bytes": self.bytes}


def version_key(entry: FileEntry) -> tuple[str, str] | None:
    """(model, version) for a file inside a numeric version directory, else None (a config-layer file)."""
    parts = entry.relpath.split("/")
    if len(parts) >= 3 and parts[1].isdigit():
        return parts[0], parts[1]
    return None


def plan_layers(entries: Iterable[FileEntry], cap: int = MAX_MODEL_LAYERS) -> tuple[LayerPlan, ...]:
    """The model layers (at most `cap`) followed by the config layer (when there are config files)."""
    if cap < 1:
        raise ValueError("the layer cap must be at least 1")
    versions: dict[tuple[str, str], list[FileEntry]] = {}
    config: list[FileEntry] = []
    for entry in sorted(entries, key=lambda e: e.relpath):
        key = version_key(entry)
        (versions.setdefault(key, []) if key else config).append(entry)
    ordered = sorted(versions, key=lambda k: (k[0], int(k[1]), k[1]))
    layers = _group(ordered, versions, cap)
    if config:
        layers.append(LayerPlan(CONFIG_LAYER, "config", tuple(config)))
    return tuple(layers)


def _group(ordered: Sequence[tuple[str, str]], files: dict[tuple[str, str], list[FileEntry]],
           cap: int) -> list[LayerPlan]:
    if len(ordered) <= cap:
        return [LayerPlan(f"{m}/{v}", "version", tuple(files[(m, v)])) for m, v in ordered]
    models = list(dict.fromkeys(m for m, _ in ordered))
    if len(models) <= cap:
        return [LayerPlan(m, "model", _files_of(ordered, files, {m})) for m in models]
    buckets: dict[int, set[str]] = {}
    for model in models:
        buckets.setdefault(bucket(model, cap), set()).add(model)
    width = len(str(cap - 1))
    return [LayerPlan(f"group-{index:0{width}d}", "group", _files_of(ordered, files, buckets[index]))
            for index in sorted(buckets)]


def bucket(model: str, cap: int) -> int:
    """The group a model falls into past the cap: a stable hash, independent of the other models."""
    return int.from_bytes(hashlib.sha256(model.encode()).digest()[:8], "big") % cap


def _files_of(ordered: Sequence[tuple[str, str]], files: dict[tuple[str, str], list[FileEntry]],
              models: set[str]) -> tuple[FileEntry, ...]:
    return tuple(e for key in ordered if key[0] in models for e in files[key])


def parent_directories(entries: Iterable[FileEntry]) -> list[str]:
    """Every directory above the entries (``a``, ``a/1``, ...), parents before children."""
    found: set[str] = set()
    for entry in entries:
        parts = entry.relpath.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            found.add("/".join(parts[:i]))
    return sorted(found)

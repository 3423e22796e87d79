"""Rules across ensembles: circular dependencies (self-reference included), decoupled branches, and
ensembles whose composing model will not load.

Mirrors triton-inference-server/core: `DependencyGraph::CircularDependencyCheck` (model_repository_manager.cc,
"circular dependency between ensembles: a -> ... -> b -> a"), `ValidateEnsembleConfig`
(ensemble_scheduler/ensemble_utils.cc: the decouple-label walk, "step of model '...' receives inputs
originated from different decoupled models"; an ensemble with a decoupled step is itself decoupled), and
the repository manager's rule that an ensemble loads only once every model it depends on is READY.
"""

from __future__ import annotations

from tritonship.repository.locate import field_pattern, value_pattern
from tritonship.repository.scan import ModelEntry


def check_ensemble_graph(models: list[ModelEntry]) -> None:
    by_name = {m.name: m for m in models}
    ensembles = {m.name: m for m in models if m.config is not None and m.config.HasField("ensemble_scheduling")}
    cyclic = _check_circular(ensembles)
    labels = DecoupledLabels(by_name, ensembles)
    for name, model in ensembles.items():
        if name not in cyclic:
            labels.check(model)
    _check_failing_steps(models, ensembles)


def _upstream(model: ModelEntry) -> list[str]:
    return list(dict.fromkeys(step.model_name for step in model.config.ensemble_scheduling.step if step.model_name))


def _check_circular(ensembles: dict[str, ModelEntry]) -> set[str]:
    """Every ensemble that reaches itself through step models; reported once each, like the server."""
    cyclic: set[str] = set()
    for start, model in ensembles.items():
        path = _path_back(start, ensembles)
        if path is None:
            continue
        cyclic.add(start)
        chain = f"{start} -> ... -> {path[-1]} -> {start}"
        model.report("ensemble/circular-dependency", "error", f"circular dependency between ensembles: {chain}",
                     "an ensemble may not use itself, directly or through other ensembles: break the loop",
                     model.where(value_pattern("model_name", path[0] if len(path) > 1 else start)))
    return cyclic


def _path_back(start: str, ensembles: dict[str, ModelEntry]) -> list[str] | None:
    """Ensembles start -> x1 -> ... -> xn with xn listing start as a step (depth-first), or None."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        name, path = stack.pop()
        for upstream in _upstream(ensembles[name]):
            if upstream == start:
                return [*path[1:], name] if len(path) > 1 else [start]
            if upstream in ensembles and upstream not in seen:
                seen.add(upstream)
                stack.append((upstream, [*path, upstream]))
    return None


class DecoupledLabels:
    """The decouple-label walk of ValidateEnsembleConfig: ensemble inputs carry label 0; a step's outputs
    take a new label when its model is decoupled, else its inputs' label; a step (or the ensemble's
    outputs) whose inputs carry different labels is refused."""

    def __init__(self, by_name: dict[str, ModelEntry], ensembles: dict[str, ModelEntry]) -> None:
        self.by_name, self.ensembles = by_name, ensembles
        self.memo: dict[str, bool] = {}

    def decoupled(self, name: str, visiting: frozenset[str] = frozenset()) -> bool:
        model = self.by_name.get(name)
        if model is None or model.config is None:
            return False
        if name not in self.ensembles:
            return bool(model.config.model_transaction_policy.decoupled)
        if name not in self.memo:
            self.memo[name] = False if name in visiting else self.walk(model, visiting | {name})[1]
        return self.memo[name]

    def walk(self, model: ModelEntry, visiting: frozenset[str]) -> tuple[str | None, bool]:
        """(the model whose step mixes labels, or None; whether any step is decoupled)."""
        config = model.config
        labels = {t.name: 0 for t in config.input}
        pending, counter = list(config.ensemble_scheduling.step), 0
        progress = True
        while progress:
            progress = False
            for step in list(pending):
                reads = list(step.input_map.values())
                if not all(v in labels for v in reads):
                    continue
                pending.remove(step)
                progress = True
                first = labels[reads[0]] if reads else 0
                if any(labels[v] != first for v in reads):
                    return step.model_name, counter != 0
                if self.decoupled(step.model_name, visiting):
                    counter += 1
                    first = counter
                for value in step.output_map.values():
                    labels.setdefault(value, first)
        outs = [labels[t.name] for t in config.output if t.name in labels]
        if outs and any(label != outs[0] for label in outs):
            return model.name, True
        return None, counter != 0

    def check(self, model: ModelEntry) -> None:
        culprit, _ = self.walk(model, frozenset({model.name}))
        if culprit is None:
            return
        model.report("ensemble/decoupled-branching", "error",
                     f"in ensemble {model.name}, step of model '{culprit}' receives inputs originated from "
                     "different decoupled models",
                     "a step may combine tensors from one decoupled model only (or none): its responses cannot be "
                     "matched with another decoupled model's; restructure so one decoupled step feeds it",
                     model.where(value_pattern("model_name", culprit)) if culprit != model.name
                     else model.where(field_pattern("output")))


def _check_failing_steps(models: list[ModelEntry], ensembles: dict[str, ModelEntry]) -> None:
    """An ensemble loads only after every composing model loaded; a model with errors will not."""
    failing = {m.name for m in models if any(f.severity == "error" for f in m.findings)}
    changed = True
    while changed:
        changed = False
        for name, model in ensembles.items():
            if name in failing:
                continue
            bad = [step for step in _upstream(model) if step in failing and step != name]
            if bad:
                model.report("ensemble/step-model-fails", "error",
                             f"step model {bad[0]!r} has errors, so Triton will not load this ensemble either",
                             f"fix the errors reported for {bad[0]}", model.where(value_pattern("model_name", bad[0])))
                failing.add(name)
                changed = True

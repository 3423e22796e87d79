"""Ensemble rules, checked as a graph over the composing models' configs.

Every step names an existing model and feeds each of its inputs exactly once; every ensemble tensor
is produced once; every ensemble output is written; no cycles; data type and shape agree on every
edge; the ensemble's max_batch_size fits every composing model; model_version is not left at 0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tritonship.repository.locate import NOWHERE, Position, block_spans, field_pattern, value_pattern
from tritonship.repository.scan import ModelEntry
from tritonship.spec.suggest import did_you_mean


@dataclass(frozen=True)
class Port:
    """A tensor as one model declares it: data type, dims, and full shape (-1 leads when the model batches)."""

    owner: str
    tensor: str
    dtype: int
    dims: tuple[int, ...]
    shape: tuple[int, ...]


def port(model: ModelEntry, tensor, *, own: bool = False) -> Port | None:
    """A composing model's tensor; `own=True` for the ensemble's inputs/outputs, where reshape applies.
    None when config leaves data_type or dims to the server's auto-complete (nothing to compare yet)."""
    if tensor.data_type == 0 or (not tensor.dims and not (own and tensor.HasField("reshape"))):
        return None
    source = tensor.reshape.shape if own and tensor.HasField("reshape") else tensor.dims
    dims = tuple(int(d) for d in source)
    full = (-1, *dims) if model.config.max_batch_size > 0 else dims
    return Port(model.name, tensor.name, tensor.data_type, dims, full)


class EnsembleCheck:
    def __init__(self, model: ModelEntry, models: dict[str, ModelEntry]) -> None:
        self.model, self.models = model, models
        self.steps = list(model.config.ensemble_scheduling.step)
        spans = block_spans(model.text.code, "ensemble_scheduling") if model.text else []
        self.spans = spans if len(spans) == len(self.steps) else []
        self.producers: dict[str, list[int | None]] = {t.name: [None] for t in model.config.input}  # None: input
        self.ports: dict[tuple[int | None, str], Port | None] = {
            (None, t.name): port(model, t, own=True) for t in model.config.input
        }

    def at(self, step: int, pattern: str | None = None) -> Position:
        if not self.spans:
            return self.model.where(field_pattern("ensemble_scheduling"))
        start, end = self.spans[step]
        text = self.model.text
        if pattern is not None:
            match = re.compile(pattern).search(text.code, start, end)
            if match:
                return text.position(match.start())
        return text.position(start)

    def report(self, rule: str, message: str, hint: str, at: Position = NOWHERE, severity: str = "error") -> None:
        self.model.report(rule, severity, message, hint, at)  # type: ignore[arg-type]

    def run(self) -> None:
        if not self.steps:
            self.report("ensemble/no-steps", "the ensemble has no steps",
                        "add ensemble_scheduling { step [ { model_name: ... input_map ... output_map ... } ] }",
                        self.model.where(field_pattern("platform")))
            return
        composing = [self.check_step(i, step) for i, step in enumerate(self.steps)]
        self.collect_outputs(composing)
        self.check_inputs_fed(composing)
        self.check_outputs()
        self.check_unused()
        self.check_cycles()

    def check_step(self, i: int, step) -> ModelEntry | None:
        name = step.model_name
        for value in step.output_map.values():
            self.producers.setdefault(value, []).append(i)
        if not name:
            self.report("ensemble/step-model", f"step {i + 1} names no model", 'set model_name: "..."', self.at(i))
            return None
        for field in ("input_map", "output_map"):
            if not getattr(step, field):
                self.report("ensemble/empty-map", f"step {i + 1} ({name}) has an empty {field}",
                            f"map the {field.split('_')[0]}s of {name} to ensemble tensors", self.at(i))
        self.check_duplicate_keys(i, name)
        composing = self.models.get(name)
        if composing is None:
            self.report("ensemble/unknown-model", f"step {i + 1} uses model {name!r}, which is not in the repository",
                        f"add {name}/ to the repository{did_you_mean(name, self.models)}",
                        self.at(i, value_pattern("model_name", name)))
            return None
        self.check_version(i, step, composing)
        if composing.config is None:
            return None
        self.check_keys(i, step, composing)
        self.check_batch(i, composing)
        return composing

    def check_duplicate_keys(self, i: int, name: str) -> None:
        if not self.spans:
            return
        start, end = self.spans[i]
        keys = re.findall(r'input_map\s*:?\s*\{\s*key\s*:\s*"([^"]*)"', self.model.text.code[start:end])
        for key in sorted({k for k in keys if keys.count(k) > 1}):
            self.report("ensemble/input-fed-twice", f"step {i + 1} feeds {name}'s input {key!r} more than once",
                        "map each composing input exactly once (the last mapping silently wins)",
                        self.at(i, r'key\s*:\s*"' + re.escape(key) + '"'))

    def step_code(self, i: int) -> str:
        return self.model.text.code[slice(*self.spans[i])] if self.spans else ""

    def check_version(self, i: int, step, composing: ModelEntry) -> None:
        """The repository manager loads the ensemble only when each step's required version is among the
        versions the composing model's version_policy loads ("ensemble 'e' depends on 'm' whose required
        version 0 is not loaded"); -1 means the latest loaded one."""
        version = step.model_version
        served = served_versions(composing)
        if version < 0 or version in served:
            if version == 0:
                self.report("ensemble/model-version", f"step {i + 1} asks for version 0 of {composing.name}",
                            "version 0 works here, but -1 (the latest) is what you usually mean",
                            self.at(i), severity="warning")
            return
        omitted = version == 0 and not re.search(field_pattern("model_version"), self.step_code(i))
        what = "omits model_version (that means version 0)" if omitted else f"asks for version {version}"
        where = "does not have" if str(version) not in composing.versions else "does not load (version_policy)"
        loaded, on_disk = ", ".join(map(str, served)) or "none", ", ".join(composing.versions) or "none"
        self.report("ensemble/model-version", f"step {i + 1} {what}, which {composing.name} {where}",
                    f"set model_version: -1 (the latest version) or a version it loads (loaded: {loaded}; "
                    f"on disk: {on_disk})",
                    self.at(i) if omitted else self.at(i, field_pattern("model_version")))

    def check_keys(self, i: int, step, composing: ModelEntry) -> None:
        """core ValidateTensorMapping, on the composing model's *completed* config: when config.pbtxt
        declares no inputs (or outputs) and the backend completes them, or a python model's
        auto_complete_config may add some, the names are unknown here."""
        from tritonship.repository.autocomplete import completer

        inputs = {t.name: t for t in composing.config.input}
        outputs = {t.name: t for t in composing.config.output}
        completes = completer(composing) is not None
        adds = completes and composing.backend == "python"  # auto_complete_config may add tensors to declared ones
        for field, known, kind in (("input_map", inputs, "input"), ("output_map", outputs, "output")):
            if (completes and not known) or adds:
                continue
            for key in sorted(getattr(step, field)):
                if key not in known:
                    self.report("ensemble/unknown-tensor",
                                f"step {i + 1}: {composing.name} has no {kind} {key!r}",
                                f"map keys are {composing.name}'s {kind} names: "
                                f"{', '.join(known) or 'none'}{did_you_mean(key, known)}",
                                self.at(i, r'key\s*:\s*"' + re.escape(key) + '"'))
        for key, value in sorted(step.output_map.items()):
            if key in outputs:
                self.ports[(i, value)] = port(composing, outputs[key])
        for key, tensor in inputs.items():
            if key not in step.input_map and not tensor.optional:
                self.report("ensemble/input-not-fed", f"step {i + 1}: input {key!r} of {composing.name} is not fed",
                            f'add input_map {{ key: "{key}" value: "<ensemble tensor>" }}', self.at(i))

    def check_batch(self, i: int, composing: ModelEntry) -> None:
        mine, theirs = self.model.config.max_batch_size, composing.config.max_batch_size
        if theirs != 0 and mine > theirs:  # Triton lets a batching ensemble call a non-batching model
            self.report("ensemble/max-batch-size",
                        f"ensemble max_batch_size {mine} exceeds {composing.name}'s max_batch_size {theirs}",
                        f"set the ensemble's max_batch_size to at most {theirs}",
                        self.model.where(field_pattern("max_batch_size")))

    def collect_outputs(self, composing: list[ModelEntry | None]) -> None:
        for tensor, producers in sorted(self.producers.items()):
            if len(producers) > 1:
                who = ", ".join("the ensemble input" if p is None else f"step {p + 1}" for p in producers)
                self.report("ensemble/tensor-produced-twice", f"ensemble tensor {tensor!r} is produced by {who}",
                            "every ensemble tensor is written by exactly one step: rename one of them",
                            self.at(producers[-1], r'output_map\s*:?\s*\{[^}]*"' + re.escape(tensor) + '"'))

    def source(self, tensor: str) -> Port | None:
        producers = self.producers.get(tensor) or []
        return self.ports.get((producers[0], tensor)) if producers else None

    def check_inputs_fed(self, composing: list[ModelEntry | None]) -> None:
        """Every tensor a step reads is an ensemble input or some step's output — also for a step whose
        model is missing (core ValidateEnsembleSchedulingConfig runs on the ensemble's config alone:
        such a tensor is never ready, "ensemble tensor '...' is unused" / "output ... is not written")."""
        for i, step in enumerate(self.steps):
            model = composing[i]
            inputs = {t.name: t for t in model.config.input} if model is not None else {}
            for key, value in sorted(step.input_map.items()):
                if value not in self.producers:
                    self.report("ensemble/tensor-not-produced",
                                f"step {i + 1} reads {value!r}, which no step produces and is not an ensemble input",
                                "map it from an ensemble input or a step's output_map"
                                + did_you_mean(value, self.producers),
                                self.at(i, r'value\s*:\s*"' + re.escape(value) + '"'))
                elif key in inputs:
                    self.check_edge(self.source(value), port(model, inputs[key]), value, self.at(i))

    def check_outputs(self) -> None:
        for tensor in self.model.config.output:
            where = self.model.text.tensor("output", tensor.name)
            if tensor.name not in self.producers:
                self.report("ensemble/output-not-produced", f"ensemble output {tensor.name!r} is never written",
                            f'map a step output to it: output_map {{ key: "<output>" value: "{tensor.name}" }}'
                            + did_you_mean(tensor.name, self.producers), where)
            else:
                self.check_edge(self.source(tensor.name), port(self.model, tensor, own=True), tensor.name, where)

    def check_edge(self, src: Port | None, dst: Port | None, tensor: str, at: Position) -> None:
        if src is None or dst is None:
            return
        from tritonclient.grpc import model_config_pb2 as pb

        if src.dtype != dst.dtype:
            name = pb.DataType.Name
            self.report("ensemble/dtype-mismatch",
                        f"{tensor!r}: {src.owner}.{src.tensor} is {name(src.dtype)} but "
                        f"{dst.owner}.{dst.tensor} expects {name(dst.dtype)}",
                        "make the data types agree on both ends of the edge", at)
        elif not (shapes_compatible(src.dims, dst.dims) or shapes_compatible(src.shape, dst.shape)):
            self.report("ensemble/shape-mismatch",
                        f"{tensor!r}: {src.owner}.{src.tensor} has shape {list(src.shape)} but "
                        f"{dst.owner}.{dst.tensor} expects {list(dst.shape)} (-1 = any, batch included)",
                        "make the dims agree (or use -1 for a variable dimension)", at)

    def check_unused(self) -> None:
        """Triton refuses an ensemble input no step reads, and an intermediate tensor nothing reads."""
        used = {v for step in self.steps for v in step.input_map.values()}
        for tensor in self.model.config.input:
            if tensor.name not in used:
                self.report("ensemble/unused-input", f"ensemble input {tensor.name!r} is not used by any step",
                            "Triton refuses unused ensemble inputs: map it into a step or remove it",
                            self.model.text.tensor("input", tensor.name))
        outputs = {t.name for t in self.model.config.output}
        for i, step in enumerate(self.steps):
            for key, value in sorted(step.output_map.items()):
                if value not in used and value not in outputs:
                    self.report("ensemble/unused-tensor",
                                f"step {i + 1} writes {step.model_name}'s {key!r} to {value!r}, which nothing reads",
                                f'Triton refuses unused ensemble tensors: drop output_map {{ key: "{key}" ... }} '
                                "(a composing output need not be mapped) or read it in a later step",
                                self.at(i, r'value\s*:\s*"' + re.escape(value) + '"'))

    def check_cycles(self) -> None:
        cycle = find_cycle(self.dependencies())
        if cycle:
            names = " -> ".join(f"step {i + 1} ({self.steps[i].model_name})" for i in cycle)
            self.report("ensemble/cycle", f"the steps form a cycle: {names}",
                        "an ensemble is a DAG: no step may (indirectly) read its own output", self.at(cycle[0]))

    def dependencies(self) -> dict[int, set[int]]:
        deps: dict[int, set[int]] = {}
        for i, step in enumerate(self.steps):
            deps[i] = {p for v in step.input_map.values() for p in self.producers.get(v, []) if p is not None}
        return deps


def served_versions(model: ModelEntry) -> list[int]:
    """The versions Triton loads for `model`: version_policy latest N (default 1), all, or specific."""
    on_disk = sorted(int(v) for v in model.versions)
    policy = model.config.version_policy if model.config is not None else None
    choice = policy.WhichOneof("policy_choice") if policy is not None else None
    if choice == "all":
        return on_disk
    if choice == "specific":
        return [v for v in on_disk if v in set(policy.specific.versions)]
    count = policy.latest.num_versions if choice == "latest" else 1
    return on_disk[-count:] if count > 0 else []


def shapes_compatible(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    return len(a) == len(b) and all(x == y or -1 in (x, y) for x, y in zip(a, b, strict=True))


def find_cycle(deps: dict[int, set[int]]) -> list[int]:
    """One cycle of the dependency graph (node -> nodes it reads from), or []."""
    state: dict[int, int] = {}  # 1 visiting, 2 done
    stack: list[int] = []

    def visit(node: int) -> list[int]:
        state[node] = 1
        stack.append(node)
        for dep in sorted(deps.get(node, ())):
            if state.get(dep) == 1:
                return [*stack[stack.index(dep):], dep]
            if dep not in state and (found := visit(dep)):
                return found
        stack.pop()
        state[node] = 2
        return []

    for node in sorted(deps):
        if node not in state and (found := visit(node)):
            return found
    return []


def check_ensemble(model: ModelEntry, models: dict[str, ModelEntry]) -> None:
    EnsembleCheck(model, models).run()

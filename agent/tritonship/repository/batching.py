"""Scheduler rules, as Triton's ValidateModelConfig applies them: dynamic batching (preferred sizes,
priority levels, preserve_ordering), sequence batching (controls, strategies), batch inputs/outputs."""

from __future__ import annotations

from tritonship.repository.locate import field_pattern, value_pattern
from tritonship.repository.scan import ModelEntry

CORRID_TYPES = ("TYPE_UINT64", "TYPE_INT64", "TYPE_UINT32", "TYPE_INT32", "TYPE_STRING")  # ValidateModelConfig


def check_batching(model: ModelEntry) -> None:
    config = model.config
    if config.HasField("dynamic_batching"):
        _check_dynamic(model, config.dynamic_batching, config.max_batch_size)
    if config.HasField("sequence_batching"):
        _check_sequence(model, config.sequence_batching, config.max_batch_size)
    _check_batch_io(model)


def _check_dynamic(model: ModelEntry, batching, mbs: int) -> None:
    at = model.where(field_pattern("dynamic_batching"))
    if mbs == 0:
        model.report("config/dynamic-batching", "warning", "dynamic_batching is set but max_batch_size is 0",
                     "set max_batch_size > 0 for the batcher to form batches, or remove dynamic_batching", at)
    for size in batching.preferred_batch_size:
        if size <= 0 or size > mbs:
            model.report(
                "config/preferred-batch-size", "error",
                f"preferred_batch_size {size} is outside 1..max_batch_size ({mbs})",
                "every preferred batch size must be > 0 and <= max_batch_size",
                model.where(field_pattern("dynamic_batching"), field_pattern("preferred_batch_size")),
            )
    _check_priorities(model, batching, at)
    if batching.preserve_ordering:
        _check_ordering(model, batching)


def _check_priorities(model: ModelEntry, batching, at) -> None:
    levels = batching.priority_levels
    if levels == 0:
        if batching.default_priority_level or batching.priority_queue_policy:
            model.report("config/priority-levels", "warning", "priority settings have no effect: priority_levels is 0",
                         "set priority_levels (>= 1) or remove default_priority_level/priority_queue_policy", at)
        return
    if not 1 <= batching.default_priority_level <= levels:
        model.report(
            "config/priority-levels", "error",
            f"default_priority_level {batching.default_priority_level} is outside 1..priority_levels ({levels})",
            "set default_priority_level between 1 and priority_levels",
            model.where(field_pattern("priority_levels")),
        )
    for level in sorted(batching.priority_queue_policy):
        if not 1 <= level <= levels:
            model.report("config/priority-levels", "error",
                         f"priority_queue_policy for level {level} is outside 1..priority_levels ({levels})",
                         "use levels between 1 and priority_levels",
                         model.where(field_pattern("priority_queue_policy")))


def _check_ordering(model: ModelEntry, batching) -> None:
    at = model.where(field_pattern("preserve_ordering"))
    if batching.priority_levels > 1:
        model.report("config/preserve-ordering", "error", "preserve_ordering allows only one priority level",
                     "set priority_levels: 1 or drop preserve_ordering", at)
    policies = [batching.default_queue_policy, *batching.priority_queue_policy.values()]
    if any(p.default_timeout_microseconds and p.timeout_action == 1 for p in policies):  # 1 = DELAY
        model.report("config/preserve-ordering", "error", "a queue policy DELAYs timed-out requests, "
                     "which preserve_ordering forbids", "use timeout_action: REJECT or drop preserve_ordering", at)


def _check_sequence(model: ModelEntry, batching, mbs: int) -> None:
    at = model.where(field_pattern("sequence_batching"))
    strategy = batching.WhichOneof("strategy_choice")
    if strategy == "oldest":
        for size in batching.oldest.preferred_batch_size:
            if size <= 0 or size > mbs:
                model.report("config/preferred-batch-size", "error",
                             f"sequence_batching oldest preferred_batch_size {size} is outside 1..{mbs}",
                             "every preferred batch size must be > 0 and <= max_batch_size", at)
    if strategy == "direct" and not 0.0 <= batching.direct.minimum_slot_utilization <= 1.0:
        model.report("config/sequence-batching", "error", "direct.minimum_slot_utilization is outside 0..1",
                     "use a fraction between 0 and 1", at)
    _check_controls(model, batching, at)


def _check_controls(model: ModelEntry, batching, at) -> None:
    from tritonclient.grpc import model_config_pb2 as pb

    seen_tensors: set[str] = set()
    seen_kinds: set[int] = set()
    for control_input in batching.control_input:
        name = control_input.name
        where = model.where(field_pattern("control_input"), value_pattern("name", name)) if name else at
        problems = [] if name else ["has no name"]
        if name in seen_tensors:
            problems.append("is used for more than one control")
        seen_tensors.add(name)
        for control in control_input.control:
            kind = pb.ModelSequenceBatching.Control.Kind.Name(control.kind)
            if control.kind in seen_kinds:
                problems.append(f"repeats {kind}")
            seen_kinds.add(control.kind)
            problems += _control_problems(control, kind, pb)
        for problem in problems:
            model.report("config/sequence-control", "error", f"sequence control tensor {name!r} {problem}",
                         "each control_input has a unique name; START/END/READY give exactly two "
                         "int32_false_true or fp32_false_true values; CORRID an integer data_type", where)


def _control_problems(control, kind: str, pb) -> list[str]:
    if kind == "CONTROL_SEQUENCE_CORRID":
        dtype = pb.DataType.Name(control.data_type)
        return [] if dtype in CORRID_TYPES else [f"has CORRID data_type {dtype} (use {', '.join(CORRID_TYPES)})"]
    counts = {"int32_false_true": len(control.int32_false_true), "fp32_false_true": len(control.fp32_false_true),
              "bool_false_true": len(control.bool_false_true)}
    given = [name for name, n in counts.items() if n]
    if not given:
        return [f"gives no false/true values for {kind}"]
    if len(given) > 1:
        return [f"gives more than one of {', '.join(given)} for {kind}"]
    if counts[given[0]] != 2:
        return [f"needs exactly 2 {given[0]} values for {kind}"]
    return []


def _check_batch_io(model: ModelEntry) -> None:
    from tritonclient.grpc import model_config_pb2 as pb

    inputs = {t.name for t in model.config.input}
    outputs = {t.name for t in model.config.output}
    for item in model.config.batch_input:
        kind = pb.BatchInput.Kind.Name(item.kind)
        problems = [f"source input {s!r} is not an input" for s in item.source_input if s not in inputs]
        if len(item.source_input) != 1:  # ValidateBatchIO: every batch input kind expects 1 source input
            problems.append(f"{kind} needs exactly 1 source_input, got {len(item.source_input)}")
        if pb.DataType.Name(item.data_type) not in ("TYPE_INT32", "TYPE_FP32"):
            problems.append("data_type must be TYPE_INT32 or TYPE_FP32")
        _report_batch_io(model, "batch_input", problems)
    for item in model.config.batch_output:
        problems = [f"source input {s!r} is not an input" for s in item.source_input if s not in inputs]
        problems += [] if len(item.source_input) == 1 else ["BATCH_SCATTER_WITH_INPUT_SHAPE needs 1 source_input"]
        problems += [f"target {t!r} is not an output" for t in item.target_name if t not in outputs]
        if len(set(item.target_name)) != len(item.target_name):
            problems.append("names a target output twice")
        _report_batch_io(model, "batch_output", problems)


def _report_batch_io(model: ModelEntry, field: str, problems: list[str]) -> None:
    for problem in problems:
        model.report("config/batch-io", "error", f"{field}: {problem}",
                     f"fix {field} so it names the model's own inputs/outputs", model.where(field_pattern(field)))

"""Run the smoke checks against a live server (local, container or URL) and return a SmokeResult.

The server is passed in (a TritonClient plus a ServerHandle); starting and stopping it is the caller's
job (commands/smoke.py), so these steps run the same against every kind of server.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tritonship.repository.config import ConfigParseError, config_from_dict, load_config, tensor_specs
from tritonship.smoke import golden as golden_cases
from tritonship.smoke.gpu import gpu_verdict, uses_gpu
from tritonship.smoke.logs import config_unparsable, load_failure_reason, read_log, relevant_lines
from tritonship.smoke.metadata import compare_metadata
from tritonship.smoke.outputs import check_outputs
from tritonship.smoke.result import Check, ModelReport, SmokeResult
from tritonship.triton import probe
from tritonship.triton.client import CallFailed, TritonClient, fetch_metrics
from tritonship.triton.inputs import generate_inputs

Progress = Callable[[str], None]
DECOUPLED_HTTP = "decoupled models answer over gRPC streaming only"


@dataclass(frozen=True)
class SmokeOptions:
    models: tuple[str, ...] = ()
    protocols: tuple[str, ...] = ("http", "grpc")
    shapes: Mapping[str, Mapping[str, Sequence[int]]] = field(default_factory=dict)
    default_dim: int = 4
    golden: Path | None = None
    rtol: float = 1e-5
    atol: float = 1e-6
    require_gpu: bool = False
    seed: int = 0


@dataclass(frozen=True)
class ServerHandle:
    """The server under test: where it answers and, when we launched it, its log and repository."""

    target: str
    http_url: str
    grpc_url: str | None = None
    metrics_url: str | None = None
    log_path: Path | None = None
    repository: Path | None = None
    ready_s: float | None = None
    model_image: str | None = None  # the modelcar model image the server runs (REPO@sha256:...)


@dataclass(frozen=True)
class _Model:
    """A loaded model version as the checks need it."""

    name: str
    version: str
    config: Any  # ModelConfig message
    kind: str


def run_smoke(client: TritonClient, server: ServerHandle, options: SmokeOptions,
              progress: Progress | None = None) -> SmokeResult:
    started = time.perf_counter()
    say = progress or (lambda _msg: None)
    index = probe.repository_index(server.http_url)
    rows, problems = select_rows(index, options.models)
    if options.golden is not None and not options.models:
        problems += unknown_golden_models(options.golden, {row.name for row in index})
    log_text = read_log(server.log_path)
    reports, configs = [], {}
    for row in rows:
        report, config = _check_row(client, server, options, row, log_text)
        reports.append(report)
        if config is not None:
            configs[row.name] = config
        say(f"  {row.name} v{row.version or '-'}: {'ok' if report.passed else 'FAILED'}")
    gpu = _gpu(client, server, options, reports, configs)
    reports = [_with_memory(r, gpu.model_memory_bytes) for r in reports]
    return SmokeResult(
        target=server.target, server_version=_server_version(client), protocols=options.protocols,
        models=tuple(reports), gpu=gpu, problems=tuple(problems),
        log_path=str(server.log_path) if server.log_path else None, ready_s=server.ready_s,
        checks_s=time.perf_counter() - started, model_image=server.model_image,
    )


def select_rows(index: Sequence[probe.IndexEntry], wanted: Sequence[str]) -> tuple[list[probe.IndexEntry], list[str]]:
    """Index rows to check (all, or those of --models) and run-level problems."""
    if not wanted:
        return list(index), ([] if index else ["the server's repository index lists no models"])
    known = {row.name for row in index}
    rows = [row for row in index if row.name in wanted]
    missing = [probe.IndexEntry(name, "", "MISSING", "not in the server's repository index")
               for name in wanted if name not in known]
    return rows + missing, []


def unknown_golden_models(golden: Path, served: set[str]) -> list[str]:
    """A golden folder for a model the server does not have is a typo that would skip its checks."""
    names = sorted(p.name for p in golden.iterdir() if p.is_dir() and p.name not in served)
    return [f"golden folder {golden / name} names no model of the repository" for name in names]


def _check_row(client: TritonClient, server: ServerHandle, options: SmokeOptions, row: probe.IndexEntry,
               log_text: str) -> tuple[ModelReport, dict | None]:
    if row.state != "READY":
        lines = tuple(relevant_lines(log_text, row.name)) if log_text else ()
        reason = row.reason or load_failure_reason(log_text, row.name) or ""  # the server log, quoted
        if config_unparsable(reason):
            reason += f" (run `tritonship validate` for the file and line in {row.name}/config.pbtxt)"
        return ModelReport(row.name, row.version, row.state or "UNAVAILABLE", reason, log_lines=lines), None
    try:
        config_json = client.model_config(row.name, row.version)
    except CallFailed as exc:
        check = Check("config", "-", (f"cannot read the served config: {exc}",))
        return ModelReport(row.name, row.version, row.state, checks=(check,)), None
    model = _Model(row.name, row.version, config_from_dict(config_json), _kind(config_json))
    checks = [*_metadata_checks(client, server.repository, model), *_protocol_checks(client, options, model)]
    failed = any(not c.passed for c in checks)
    lines = tuple(relevant_lines(log_text, row.name)) if failed and log_text else ()
    return ModelReport(row.name, row.version, row.state, kind=model.kind, checks=tuple(checks), log_lines=lines), \
        config_json


def _kind(config: Mapping) -> str:
    if config.get("platform") == "ensemble":
        return "ensemble"
    if (config.get("model_transaction_policy") or {}).get("decoupled"):
        return "decoupled"
    return "model"


def _metadata_checks(client: TritonClient, repository: Path | None, model: _Model) -> list[Check]:
    """Served metadata vs the repository's config.pbtxt (only when we know the repository)."""
    if repository is None:
        return []
    path = repository / model.name / "config.pbtxt"
    if not path.is_file():
        return [Check("metadata", "-", skipped="no config.pbtxt in the repository (auto-completed)")]
    try:
        config = load_config(path)
        metadata = client.model_metadata(model.name, model.version)
    except (ConfigParseError, CallFailed) as exc:
        return [Check("metadata", "-", (str(exc),))]
    problems = compare_metadata(tensor_specs(config, "input"), tensor_specs(config, "output"),
                                int(config.max_batch_size), metadata)
    return [Check("metadata", "-", tuple(problems))]


def batch_sizes(max_batch_size: int) -> list[int | None]:
    """Batch 1 and max_batch_size for batching models; None (no batch dimension) otherwise."""
    if max_batch_size <= 0:
        return [None]
    return [1] if max_batch_size == 1 else [1, max_batch_size]


def _protocol_checks(client: TritonClient, options: SmokeOptions, model: _Model) -> list[Check]:
    cases = []
    if options.golden is not None:
        dtypes = {t.name: t.dtype for t in tensor_specs(model.config, "input")}
        cases = golden_cases.load_cases(options.golden, model.name, dtypes)
    checks = []
    for protocol in options.protocols:
        checks += [_infer_check(client, options, model, protocol, b) for b in batch_sizes(model.config.max_batch_size)]
        checks += [_golden_check(client, options, model, protocol, case) for case in cases]
    return checks


def _request(client: TritonClient, model: _Model, protocol: str, inputs: Mapping[str, Any]) -> list[dict]:
    """Responses for one request: one for ordinary models, all streamed ones for decoupled models."""
    dtypes = {t.name: t.dtype for t in tensor_specs(model.config, "input")}
    outputs = [t.name for t in tensor_specs(model.config, "output")]
    if model.kind == "decoupled":
        responses = client.stream_infer(model.name, model.version, inputs, dtypes=dtypes, outputs=outputs)
        if not responses:
            raise CallFailed("the decoupled model sent no response")
        return responses
    return [client.infer(protocol, model.name, model.version, inputs, dtypes=dtypes, outputs=outputs)]


def _infer_check(client: TritonClient, options: SmokeOptions, model: _Model, protocol: str,
                 batch: int | None) -> Check:
    verb = "stream" if model.kind == "decoupled" else "infer"
    name = f"{verb} batch={batch}" if batch is not None else f"{verb} unbatched"
    if model.kind == "decoupled" and protocol == "http":
        return Check(name, protocol, skipped=DECOUPLED_HTTP)
    inputs = generate_inputs(model.config, batch or 1, options.shapes.get(model.name), options.default_dim,
                             options.seed)
    started = time.perf_counter()
    try:
        responses = _request(client, model, protocol, inputs)
    except CallFailed as exc:
        return Check(name, protocol, (f"inference failed: {exc}",), time.perf_counter() - started)
    specs = tensor_specs(model.config, "output")
    problems = [p for arrays in responses for p in check_outputs(specs, arrays, batch)]
    return Check(name, protocol, tuple(dict.fromkeys(problems)), time.perf_counter() - started)


def _golden_check(client: TritonClient, options: SmokeOptions, model: _Model, protocol: str,
                  case: golden_cases.GoldenCase) -> Check:
    name = f"golden {case.name}"
    if model.kind == "decoupled" and protocol == "http":
        return Check(name, protocol, skipped=DECOUPLED_HTTP)
    started = time.perf_counter()
    try:
        actual = _request(client, model, protocol, case.inputs)[0]
    except CallFailed as exc:
        return Check(name, protocol, (f"inference failed: {exc}",), time.perf_counter() - started)
    rtol = options.rtol if case.rtol is None else case.rtol
    atol = options.atol if case.atol is None else case.atol
    problems = [golden_cases.compare(out, want, actual.get(out), rtol, atol) for out, want in case.expected.items()]
    return Check(name, protocol, tuple(p for p in problems if p), time.perf_counter() - started)


def _gpu(client: TritonClient, server: ServerHandle, options: SmokeOptions, reports: Sequence[ModelReport],
         configs: Mapping[str, dict]):
    wants_gpu = {name: True for name, config in configs.items() if uses_gpu(config)}
    for report in reports:
        if report.state != "READY" and _repository_uses_gpu(server.repository, report.name):
            wants_gpu[report.name] = False
    metrics = fetch_metrics(server.metrics_url) if server.metrics_url else None
    try:
        stats = client.model_stats()
    except CallFailed:
        stats = {}
    return gpu_verdict(options.require_gpu, metrics, wants_gpu, stats)


def _repository_uses_gpu(repository: Path | None, model: str) -> bool:
    if repository is None or not (repository / model / "config.pbtxt").is_file():
        return False
    try:
        config = load_config(repository / model / "config.pbtxt")
    except ConfigParseError:
        return False
    from tritonclient.grpc import model_config_pb2

    gpu = model_config_pb2.ModelInstanceGroup.Kind.Value("KIND_GPU")
    return any(group.kind == gpu for group in config.instance_group)


def _with_memory(report: ModelReport, memory: Mapping[str, int]) -> ModelReport:
    if report.name not in memory:
        return report
    from dataclasses import replace

    return replace(report, gpu_memory_bytes=memory[report.name])


def _server_version(client: TritonClient) -> str:
    try:
        return str(client.server_metadata().get("version", ""))
    except CallFailed:
        return ""


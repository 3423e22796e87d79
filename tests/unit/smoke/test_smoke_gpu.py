"""--require-gpu decisions on recorded metric text (a real CPU-only server's, and a GPU host's)."""

from __future__ import annotations

from pathlib import Path

from tritonship.smoke.gpu import gpu_verdict, parse_metrics, uses_gpu

DATA = Path(__file__).parent / "data"
CPU_ONLY = (DATA / "metrics_cpu_only.txt").read_text()
GPU_HOST = (DATA / "metrics_gpu.txt").read_text()


def test_parses_prometheus_text_with_labels():
    samples = parse_metrics('# HELP x\nm{model="a\\"b",version="1"} 2.5 1700000000\nbad line\nn 3\n')
    assert [(s.name, s.labels, s.value) for s in samples] == [("m", {"model": 'a"b', "version": "1"}, 2.5),
                                                              ("n", {}, 3.0)]


def test_cpu_only_server_fails_require_gpu():
    verdict = gpu_verdict(True, CPU_ONLY, {})
    assert not verdict.passed and verdict.gpus == ()
    assert "no GPU metrics" in verdict.problems[0]


def test_not_required_always_passes_and_still_records():
    verdict = gpu_verdict(False, CPU_ONLY, {"m": False})
    assert verdict.passed and verdict.problems == ()
    assert len(gpu_verdict(False, GPU_HOST, {}).gpus) == 2


def test_gpu_host_with_every_kind_gpu_model_loaded_passes():
    verdict = gpu_verdict(True, GPU_HOST, {"resnet": True})
    assert verdict.passed
    first = verdict.gpus[0]
    assert first.uuid.startswith("GPU-0b2c") and first.memory_used_bytes == 1895825408
    assert first.memory_total_bytes == 85520809984


def test_a_kind_gpu_model_that_did_not_load_fails():
    verdict = gpu_verdict(True, GPU_HOST, {"resnet": True, "bert": False})
    assert not verdict.passed and verdict.problems == ("model bert has KIND_GPU instances but did not load",)


def test_unreadable_metrics_fail_only_when_required():
    assert not gpu_verdict(True, None, {}).passed
    assert gpu_verdict(False, None, {}).passed


def test_per_model_gpu_memory_from_stats_and_metrics():
    stats = {"model_stats": [{"name": "resnet", "memory_usage": [{"type": "GPU", "id": 0, "byte_size": 1000},
                                                                 {"type": "CPU", "id": 0, "byte_size": 7},
                                                                 {"type": "GPU", "id": 1, "byte_size": 24}]},
                             {"name": "add_sub", "memory_usage": []}]}
    text = GPU_HOST + 'nv_model_gpu_memory_bytes{model="bert",version="1"} 4096\n'
    verdict = gpu_verdict(False, text, {}, stats)
    assert verdict.model_memory_bytes == {"resnet": 1024, "bert": 4096}


def test_uses_gpu_reads_instance_groups():
    assert uses_gpu({"instance_group": [{"kind": "KIND_CPU"}, {"kind": "KIND_GPU", "gpus": [0]}]})
    assert not uses_gpu({"instance_group": [{"kind": "KIND_CPU"}]}) and not uses_gpu({})

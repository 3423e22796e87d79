"""Statistics-extension deltas, the server-side split and the sent-versus-counted check."""

from __future__ import annotations

from tritonship.perf.server_stats import count_check, delta, parse


def stats_doc(success: int, fail: int = 0, queue_ns: int = 0, infer_ns: int = 0) -> dict:
    return {"model_stats": [{
        "name": "m", "version": "1", "inference_count": success, "execution_count": success,
        "inference_stats": {
            "success": {"count": success, "ns": 0}, "fail": {"count": fail, "ns": 0},
            "queue": {"count": success, "ns": queue_ns}, "compute_input": {"count": success, "ns": 0},
            "compute_infer": {"count": success, "ns": infer_ns}, "compute_output": {"count": success, "ns": 0},
        },
    }]}


def test_delta_gives_average_per_request_in_ms():
    split = delta(parse(stats_doc(100, queue_ns=1_000_000)), parse(stats_doc(600, fail=2, queue_ns=51_000_000,
                                                                             infer_ns=100_000_000)))
    assert split.success == 500 and split.failure == 2
    assert split.queue_ms == 0.1
    assert split.compute_infer_ms == 0.2
    assert split.total_ms == 0.30000000000000004 or abs(split.total_ms - 0.3) < 1e-9


def test_versions_are_summed():
    doc = stats_doc(10)
    doc["model_stats"].append(stats_doc(5)["model_stats"][0])
    assert parse(doc).success == (15, 0)


def test_counts_match():
    split = delta(parse(stats_doc(0)), parse(stats_doc(98, fail=2)))
    check = count_check(100, split)
    assert check.matches and check.server == 100


def test_counts_say_why_not():
    assert "another client" in count_check(100, delta(parse(stats_doc(0)), parse(stats_doc(120)))).reason
    assert "fewer" in count_check(100, delta(parse(stats_doc(0)), parse(stats_doc(90)))).reason
    unreadable = count_check(100, None)
    assert not unreadable.matches and "statistics" in unreadable.reason


def test_settled_snapshot_rereads_until_the_server_counted_every_answered_request():
    from tritonship.perf.measure import settled_snapshot
    from tritonship.perf.server_stats import StatsSnapshot

    class Lagging:
        """Statistics that catch up one read later, as Triton's do when a request is released late."""

        def __init__(self) -> None:
            self.reads = [StatsSnapshot(success=(9, 0)), StatsSnapshot(success=(10, 0))]

        def snapshot(self):
            return self.reads.pop(0) if len(self.reads) > 1 else self.reads[0]

    pauses: list[float] = []
    after = settled_snapshot(Lagging(), StatsSnapshot(), 10, sleep=pauses.append)
    assert after.success == (10, 0) and pauses == [0.05]
    stuck: list[float] = []
    settled_snapshot(Lagging(), StatsSnapshot(), 11, attempts=3, sleep=stuck.append)
    assert stuck == [0.05] * 3  # bounded: a real shortfall is reported after a moment

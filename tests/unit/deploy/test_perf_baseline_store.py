"""The perf baseline's storage rule (deploy/perf_baseline.py): one result per digest, newest first, at most
KEEP and under a ConfigMap's size; the one-result layout written before is read as one entry."""

from __future__ import annotations

import pytest

from tritonship.deploy.perf_baseline import (
    INDEX_KEY,
    KEEP,
    LIMIT_BYTES,
    data_key,
    fetch,
    kept_results,
    with_result,
)

A, B = "sha256:" + "a" * 64, "sha256:" + "b" * 64


def digest(i: int) -> str:
    return f"sha256:{i:064x}"


def test_data_keys_are_valid_configmap_keys():
    assert data_key(A) == "sha256-" + "a" * 64 + ".json"


def test_a_new_result_goes_first_and_replaces_the_same_digest():
    kept = with_result({A: "a1", B: "b1"}, B, "b2")
    assert list(kept.items()) == [(B, "b2"), (A, "a1")]


def test_only_the_newest_keep_digests_stay():
    kept: dict[str, str] = {}
    for i in range(KEEP + 3):
        kept = with_result(kept, digest(i), "{}")
    assert list(kept) == [digest(i) for i in range(KEEP + 2, 2, -1)]


def test_the_oldest_results_give_way_when_the_configmap_would_overflow():
    big = "x" * (LIMIT_BYTES // 2)
    kept = with_result({A: big}, B, big)
    assert list(kept) == [B]  # A would push the ConfigMap over its limit


def test_the_one_result_layout_is_read_as_one_entry():
    assert kept_results({"digest": A, "result.json": "{}"}) == {A: "{}"}
    data = {INDEX_KEY: f"{B}\n{A}", data_key(B): "b", data_key(A): "a"}
    assert list(kept_results(data).items()) == [(B, "b"), (A, "a")]
    assert kept_results({INDEX_KEY: f"{B}\n{A}", data_key(B): "b"}) == {B: "b"}  # a key removed by hand


class OneConfigMap:
    def __init__(self, data):
        self.data = data

    def find(self, kind, name, namespace):
        return {"metadata": {"name": name}, "data": self.data}


def test_a_kept_result_that_is_not_a_perf_result_is_bad_input():
    from tritonship.errors import BadInput

    kube = OneConfigMap({INDEX_KEY: A, data_key(A): '{"verb": "smoke"}'})
    with pytest.raises(BadInput, match=r"not a result\.json written by `tritonship perf`"):
        fetch(kube, "ns", "app", "prod", A)
    kube = OneConfigMap({INDEX_KEY: A, data_key(A): "{"})
    with pytest.raises(BadInput, match="is not JSON"):
        fetch(kube, "ns", "app", "prod", A)


def test_an_unkept_running_digest_names_what_is_kept():
    kube = OneConfigMap({INDEX_KEY: A, data_key(A): "{}"})
    found = fetch(kube, "ns", "app", "prod", B)
    assert found.doc is None and found.reason == (
        f"{B} runs in prod but no perf result was kept for it (promoted without --perf-result?); "
        f"results are kept for {A}")

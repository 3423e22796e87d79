"""The server log line that explains a load failure, without Triton's header and quotes."""

from __future__ import annotations

from tritonship.smoke.logs import config_unparsable, load_failure_reason

LOG = "\n".join([
    'I1201 18:43:55.960000 17359 server.cc:100] "starting"',
    "E1201 18:43:55.964932 17359 model_repository_manager.cc:1415] \"failed to poll model 'sum_varlen'\"",
    'E1201 18:43:55.965136 17359 model_repository_manager.cc:703] "Invalid argument: ensemble add_sub_sum broken"',
    "E1201 18:43:57.519809 17359 tritonserver.cc:2607] "
    "\"Invalid argument: load failed for model 'add_sub_sum': missing sum_varlen\\n\"",
    "E1201 18:43:57.600000 17359 model_repository_manager.cc:1300] "
    "\"Poll failed for model directory 'garbled': failed to read text proto from /r/garbled/config.pbtxt\"",
])


def test_prefers_tritons_load_failed_summary_without_header_and_quotes():
    assert load_failure_reason(LOG, "add_sub_sum") == (
        "Invalid argument: load failed for model 'add_sub_sum': missing sum_varlen")


def test_a_model_the_log_does_not_name_has_no_reason():
    assert load_failure_reason(LOG, "add_sub") is None
    assert load_failure_reason("", "x") is None


def test_a_config_that_does_not_parse_is_recognised():
    reason = load_failure_reason(LOG, "garbled")
    assert reason.startswith("Poll failed for model directory 'garbled'") and config_unparsable(reason)
    assert not config_unparsable(load_failure_reason(LOG, "add_sub_sum"))

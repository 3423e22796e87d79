"""boundary: bounded reads and the one classification of OS and parser failures (exit codes per DESIGN.md)."""

from __future__ import annotations

import errno

import pytest

from tritonship.boundary import LIMITS, check_depth, classify, parsing, read_text_input
from tritonship.errors import BadInput, ProtocolError, not_protocol


@pytest.mark.parametrize(("error", "words"), [
    (PermissionError(errno.EACCES, "Permission denied", "/m/add_sub/config.pbtxt"), ["config.pbtxt", "permission"]),
    (OSError(errno.ELOOP, "Too many levels", "/m/loop"), ["/m/loop", "symbolic link loop"]),
    (OSError(errno.ENAMETOOLONG, "File name too long", "/m/" + "x" * 300), ["too long"]),
    (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"), ["encoding"]),
    (RecursionError("maximum recursion depth exceeded"), ["nested too deeply"]),
    (MemoryError(), ["too large"]),
])
def test_os_and_parser_failures_on_input_are_bad_input_naming_the_reason(error, words):
    err = classify(error)
    assert err is not None and err.exit_code == 2
    for word in words:
        assert word in err.message


def test_network_failures_are_infrastructure_and_bugs_stay_unclassified():
    assert classify(ConnectionRefusedError(errno.ECONNREFUSED, "refused")).exit_code == 3
    assert classify(KeyError("x")) is None
    assert classify(OSError(errno.EIO, "I/O error")) is None


def test_reads_are_bounded_and_regular_files_only(tmp_path):
    big = tmp_path / "spec.yaml"
    big.write_bytes(b"#" * (LIMITS["spec"] + 1))
    with pytest.raises(BadInput, match="the limit is"):
        read_text_input(big, "spec")
    with pytest.raises(BadInput, match="not a regular file"):
        read_text_input(tmp_path, "spec")
    (tmp_path / "ok.yaml").write_text("project: x\n")
    assert read_text_input(tmp_path / "ok.yaml", "spec") == "project: x\n"


def test_parser_resource_failures_name_the_file():
    with pytest.raises(BadInput, match=r"s\.yaml: the spec is nested too deeply"), parsing("s.yaml", "spec"):
        raise RecursionError
    with pytest.raises(BadInput, match="too many digits"), parsing("s.yaml", "spec"):
        int("9" * 5000)
    with pytest.raises(ValueError, match="other"), parsing("s.yaml", "spec"):
        raise ValueError("other")


def test_depth_check_is_iterative_and_refuses_deep_trees():
    node: list = []
    for _ in range(10_000):  # deeper than the interpreter's recursion limit
        node = [node]
    with pytest.raises(BadInput, match="nested deeper than 64"):
        check_depth(node, "x.yaml", "spec")
    check_depth({"a": [1, {"b": 2}]}, "x.yaml", "spec")


def test_an_html_answer_names_the_endpoint_and_what_it_answered():
    err = not_protocol("the Kubernetes API at https://k:6443", "a Kubernetes API", b"<!DOCTYPE html><html>\x1b[31m")
    assert isinstance(err, ProtocolError) and err.exit_code == 3
    assert "https://k:6443" in err.message and "an HTML page" in err.message and "\x1b" not in err.message


def test_debug_adds_a_traceback_and_keeps_the_exit_code(run_cli, tmp_path):
    (tmp_path / "deep.yaml").write_text("project: " + "[" * 500 + "]" * 500 + "\n")
    plain = run_cli("render", "--env", "dev", "--spec", str(tmp_path / "deep.yaml"))
    debug = run_cli("--debug", "render", "--env", "dev", "--spec", str(tmp_path / "deep.yaml"))
    assert plain.exit_code == debug.exit_code == 2
    assert "Traceback" in debug.stderr and "Traceback" not in plain.stderr

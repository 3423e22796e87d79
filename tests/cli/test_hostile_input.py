"""The hostile-input corpus: malformed and hostile inputs through the real CLI, every verb.

Oracle for every case: it terminates within its limit (pytest-timeout), exits with the documented code
(2 bad input, 3 infrastructure), prints no traceback and no "internal error", names what is wrong, and
changes nothing on disk (the project copy is snapshotted before and compared after).

Table columns: (case id, argv with placeholders, extra environment, exit code, words the message contains).
Placeholders: {tmp} the case folder, {spec} a copy of the example spec, {repo} a copy of the example model
repository, {junk} the URL of a local HTTP server that answers every request with an HTML login page,
{kc_junk} a kubeconfig pointing at it, {models} a copy of pipelines/models.yaml.
"""

from __future__ import annotations

import json
import os
import shutil

import pytest
from tests.conftest import EXAMPLES, ROOT
from tests.junk_http import junk_server

DIGEST = "sha256:" + "a" * 64
IMAGE = f"127.0.0.1:1/ml/x@{DIGEST}"
NOWHERE = "http://127.0.0.1:1"
BUILD = ["build", "--dry-run", "--registry", "127.0.0.1:1/ml", "--name", "x", "--repository"]
RENDER = ["render", "--env", "dev", "--spec"]
PERF = ["perf", "--url", "127.0.0.1:1", "--model", "m"]
SMOKE = ["smoke", "--url", "127.0.0.1:1"]

CASES = [
    # -- 1. OS failures at the boundary: exit 2 naming the file and the reason --------------------------------
    ("symlink-loop-validate", ["validate", "{tmp}/repo_loop"], {}, 2, ["symbolic link loop", "loop1"]),
    ("symlink-loop-build", [*BUILD, "{tmp}/repo_loop"], {}, 2, ["symbolic link loop"]),
    ("fifo-model-file-validate", ["validate", "{tmp}/repo_fifo"], {}, 2, ["not a regular file", "a FIFO"]),
    ("fifo-model-file-build", [*BUILD, "{tmp}/repo_fifo"], {}, 2, ["not a regular file"]),
    ("spec-name-too-long", ["validate", "--spec", "{tmp}/" + "s" * 300 + ".yaml"], {}, 2, ["name is too long"]),
    ("spec-is-a-fifo", [*RENDER, "{tmp}/fifo.yaml"], {}, 2, ["fifo.yaml"]),
    ("spec-symlink-loop", [*RENDER, "{tmp}/spec_loop.yaml"], {}, 2, ["spec_loop.yaml"]),
    ("models-yaml-is-a-directory", ["seed", "--jenkins", NOWHERE, "--config", "{tmp}/adir"], {}, 2, ["adir"]),
    ("validate-name-too-long", ["validate", "{tmp}/" + "r" * 300], {}, 2, ["r" * 20]),
    # -- 1. endpoints that do not speak their protocol: exit 3 naming the endpoint and what it answered ---------
    ("kube-api-answers-html-status", ["status", "--env", "dev", "--spec", "{spec}"], {"KUBECONFIG": "{kc_junk}"}, 3,
     ["is not a Kubernetes API", "HTML page", "127.0.0.1"]),
    ("kube-api-answers-html-history", ["history", "--env", "dev", "--spec", "{spec}"], {"KUBECONFIG": "{kc_junk}"},
     3, ["is not a Kubernetes API"]),
    ("kube-api-answers-html-rollback", ["rollback", "--env", "dev", "--spec", "{spec}"],
     {"KUBECONFIG": "{kc_junk}"}, 3, ["is not a Kubernetes API"]),
    ("kube-api-answers-html-promote", ["promote", "--env", "dev", "--image", IMAGE, "--spec", "{spec}",
                                       "--skip-preflight", "image"], {"KUBECONFIG": "{kc_junk}"}, 3,
     ["is not a Kubernetes API"]),
    ("jenkins-answers-html", ["seed", "--jenkins", "{junk}", "--config", "{models}"], {}, 3,
     ["is not a Jenkins API", "not JSON"]),
    ("jenkins-answers-html-json", ["--json", "seed", "--jenkins", "{junk}", "--config", "{models}"], {}, 3,
     ["is not a Jenkins API"]),
    # -- 2. bounded parsing: size, depth, aliases, digits -------------------------------------------------------
    ("spec-billion-laughs-render", [*RENDER, "{tmp}/laughs.yaml"], {}, 2, ["aliases", "not allowed"]),
    ("spec-billion-laughs-validate", ["validate", "--spec", "{tmp}/laughs.yaml"], {}, 2, ["aliases"]),
    ("spec-billion-laughs-plan", ["plan", "--spec", "{tmp}/laughs.yaml"], {}, 2, ["aliases"]),
    ("spec-deep-flow", [*RENDER, "{tmp}/deep_flow.yaml"], {}, 2, ["nested deeper than 64"]),
    ("spec-deep-block", [*RENDER, "{tmp}/deep_block.yaml"], {}, 2, ["nested deeper than 64"]),
    ("spec-deep-validate", ["validate", "--spec", "{tmp}/deep_flow.yaml"], {}, 2, ["nested deeper"]),
    ("spec-too-large", [*RENDER, "{tmp}/big.yaml"], {}, 2, ["the limit is 1048576 bytes"]),
    ("spec-huge-integer", [*RENDER, "{tmp}/bigint.yaml"], {}, 2, ["too many digits"]),
    ("spec-not-utf8", [*RENDER, "{tmp}/latin1.yaml"], {}, 2, ["not UTF-8"]),
    ("models-yaml-aliases", ["seed", "--jenkins", NOWHERE, "--config", "{tmp}/models_laughs.yaml"], {}, 2,
     ["aliases", "models.yaml"]),
    ("models-yaml-deep", ["seed", "--jenkins", NOWHERE, "--config", "{tmp}/deep_flow.yaml"], {}, 2,
     ["nested deeper"]),
    ("models-yaml-too-large", ["seed", "--jenkins", NOWHERE, "--config", "{tmp}/big.yaml"], {}, 2, ["limit"]),
    ("config-pbtxt-deep", ["validate", "{tmp}/repo_deep_pbtxt"], {}, 1, ["does not parse"]),
    ("config-pbtxt-too-large", ["validate", "{tmp}/repo_big_pbtxt"], {}, 1, ["limit"]),
    ("config-pbtxt-huge-integer", ["validate", "{tmp}/repo_bigint_pbtxt"], {}, 1, ["config.pbtxt"]),
    # -- 2. numeric options: NaN and infinity refused, every range bounded --------------------------------------
    ("perf--window-nan", [*PERF, "--window", "nan"], {}, 2, ["--window"]),
    ("perf--window-inf", [*PERF, "--window", "inf"], {}, 2, ["--window"]),
    ("perf--window--inf", [*PERF, "--window", "-inf"], {}, 2, ["--window"]),
    ("perf--window-1e309", [*PERF, "--window", "1e309"], {}, 2, ["--window"]),
    ("perf--window-0.01", [*PERF, "--window", "0.01"], {}, 2, ["--window"]),
    ("perf--window-3601", [*PERF, "--window", "3601"], {}, 2, ["--window"]),
    ("perf--timeout-nan", [*PERF, "--timeout", "nan"], {}, 2, ["--timeout"]),
    ("perf--timeout-inf", [*PERF, "--timeout", "inf"], {}, 2, ["--timeout"]),
    ("perf--timeout-0", [*PERF, "--timeout", "0"], {}, 2, ["--timeout"]),
    ("perf--timeout-86401", [*PERF, "--timeout", "86401"], {}, 2, ["--timeout"]),
    ("perf--stability-pct-nan", [*PERF, "--stability-pct", "nan"], {}, 2, ["--stability-pct"]),
    ("perf--stability-pct-101", [*PERF, "--stability-pct", "101"], {}, 2, ["--stability-pct"]),
    ("perf--p99-ms-nan", [*PERF, "--p99-ms", "nan"], {}, 2, ["--p99-ms"]),
    ("perf--p99-ms-inf", [*PERF, "--p99-ms", "inf"], {}, 2, ["--p99-ms"]),
    ("perf--p99-ms-0", [*PERF, "--p99-ms", "0"], {}, 2, ["--p99-ms"]),
    ("perf--p50-ms--inf", [*PERF, "--p50-ms", "-inf"], {}, 2, ["--p50-ms"]),
    ("perf--min-throughput-nan", [*PERF, "--min-throughput", "nan"], {}, 2, ["--min-throughput"]),
    ("perf--min-throughput-1e10", [*PERF, "--min-throughput", "1e10"], {}, 2, ["--min-throughput"]),
    ("perf--max-error-rate-nan", [*PERF, "--max-error-rate", "nan"], {}, 2, ["--max-error-rate"]),
    ("perf--max-error-rate-1.5", [*PERF, "--max-error-rate", "1.5"], {}, 2, ["--max-error-rate"]),
    ("perf--max-increase-pct-inf", [*PERF, "--max-increase-pct", "inf"], {}, 2, ["--max-increase-pct"]),
    ("perf--min-increase-ms-nan", [*PERF, "--min-increase-ms", "nan"], {}, 2, ["--min-increase-ms"]),
    ("perf--max-trials-2", [*PERF, "--max-trials", "2"], {}, 2, ["--max-trials"]),
    ("perf--max-trials-x", [*PERF, "--max-trials", "x"], {}, 2, ["--max-trials"]),
    ("perf--warmup-requests--1", [*PERF, "--warmup-requests", "-1"], {}, 2, ["--warmup-requests"]),
    ("perf--batch-nan", [*PERF, "--batch", "nan"], {}, 2, ["--batch"]),
    ("perf--rate-nan", [*PERF, "--rate", "nan"], {}, 2, ["finite"]),
    ("perf--rate-1e400", [*PERF, "--rate", "1e400"], {}, 2, ["finite"]),
    ("perf--rate-inf", [*PERF, "--rate", "inf"], {}, 2, ["finite"]),
    ("perf--rate--1", [*PERF, "--rate", "-1"], {}, 2, ["positive"]),
    ("perf--rate-0", [*PERF, "--rate", "0"], {}, 2, ["positive"]),
    ("perf--rate-2000000", [*PERF, "--rate", "2000000"], {}, 2, ["at most"]),
    ("perf--concurrency-nan", [*PERF, "--concurrency", "nan"], {}, 2, ["integers"]),
    ("perf--concurrency-100000", [*PERF, "--concurrency", "100000"], {}, 2, ["at most"]),
    ("perf--concurrency-1:2:0", [*PERF, "--concurrency", "1:2:0"], {}, 2, ["positive step"]),
    ("perf--concurrency-0", [*PERF, "--concurrency", "0"], {}, 2, ["positive"]),
    ("perf--concurrency-1.5", [*PERF, "--concurrency", "1.5"], {}, 2, ["integers"]),
    ("perf--workers-100000", [*PERF, "--workers", "100000"], {}, 2, ["--workers 100000", "per core"]),
    ("perf--workers-0", [*PERF, "--workers", "0"], {}, 2, ["--workers"]),
    ("smoke--timeout-nan", [*SMOKE, "--timeout", "nan"], {}, 2, ["--timeout"]),
    ("smoke--timeout-inf", [*SMOKE, "--timeout", "inf"], {}, 2, ["--timeout"]),
    ("smoke--timeout--1", [*SMOKE, "--timeout", "-1"], {}, 2, ["--timeout"]),
    ("smoke--timeout-0", [*SMOKE, "--timeout", "0"], {}, 2, ["--timeout"]),
    ("smoke--timeout-1e309", [*SMOKE, "--timeout", "1e309"], {}, 2, ["--timeout"]),
    ("smoke--timeout-86401", [*SMOKE, "--timeout", "86401"], {}, 2, ["--timeout"]),
    ("smoke--timeout-2d", [*SMOKE, "--timeout", "2d"], {}, 2, ["--timeout"]),
    ("smoke--timeout-abc", [*SMOKE, "--timeout", "abc"], {}, 2, ["--timeout"]),
    ("render--revision-0", [*RENDER, "{spec}", "--revision", "0"], {}, 2, ["--revision"]),
    ("rollback--to-0", ["rollback", "--env", "dev", "--spec", "{spec}", "--to", "0"], {}, 2, ["--to"]),
    ("render--revision--1", [*RENDER, "{spec}", "--revision", "-1"], {}, 2, ["--revision"]),
    ("rollback--to--1", ["rollback", "--env", "dev", "--spec", "{spec}", "--to", "-1"], {}, 2, ["--to"]),
    ("render--revision-x", [*RENDER, "{spec}", "--revision", "x"], {}, 2, ["--revision"]),
    ("rollback--to-x", ["rollback", "--env", "dev", "--spec", "{spec}", "--to", "x"], {}, 2, ["--to"]),
    ("build--push-jobs-0", [*BUILD, "{repo}", "--push-jobs", "0"], {}, 2, ["--push-jobs"]),
    ("build--push-jobs-33", [*BUILD, "{repo}", "--push-jobs", "33"], {}, 2, ["--push-jobs"]),
    ("spec-integer-beyond-2-53", [*RENDER, "{tmp}/int54.yaml"], {}, 2, ["beyond"]),
    ("spec-duration-nan", [*RENDER, "{tmp}/smoke_nan.yaml"], {}, 2, ["finite"]),
    # -- 7. output safety: rendered objects must be valid Kubernetes objects
    ("toleration-operator-injection", [*RENDER, "{tmp}/tol_inject.yaml"], {}, 2, ["operator"]),
    ("toleration-bad-effect", [*RENDER, "{tmp}/tol_effect.yaml"], {}, 2, ["effect"]),
    ("toleration-exists-with-value", [*RENDER, "{tmp}/tol_exists.yaml"], {}, 2, ["takes no value"]),
    ("toleration-injection-promote", ["promote", "--env", "dev", "--image", IMAGE, "--spec", "{tmp}/tol_inject.yaml"],
     {}, 2, ["operator"]),
    ("node-selector-not-strings", [*RENDER, "{tmp}/nodesel.yaml"], {}, 2, ["node_selector"]),
    # -- 7. output safety: characters XML cannot carry are refused at their YAML file:line
    ("models-description-control-char", ["seed", "--jenkins", NOWHERE, "--config", "{tmp}/models_ctl.yaml"], {}, 2,
     ["models_ctl.yaml:14", "U+0001", "description"]),
    ("models-description-escape", ["seed", "--jenkins", NOWHERE, "--config", "{tmp}/models_esc.yaml"], {}, 2,
     ["models_esc.yaml:14", "U+001B"]),
    ("models-name-nul", ["seed", "--jenkins", NOWHERE, "--config", "{tmp}/models_nul.yaml"], {}, 2, ["U+0000"]),
    ("models-catalog-json-control-char", ["seed", "--catalog-json", "--config", "{tmp}/models_ctl.yaml"], {}, 2,
     ["U+0001"]),
    # -- 7. ignore rules cannot hide what a model needs (validate's gate: exit 1)
    ("ignore-hides-config", ["validate", "{tmp}/repo_ign_config"], {}, 1, ["layout/ignored-required-file",
                                                                          "add_sub/config.pbtxt"]),
    ("ignore-hides-model-py", ["validate", "{tmp}/repo_ign_py"], {}, 1, ["add_sub/1/model.py is needed"]),
    ("ignore-hides-version-dir", ["validate", "{tmp}/repo_ign_dir"], {}, 1, ["scale_fp16", "validate failed"]),
    ("ignore-hides-config-json", ["--json", "validate", "{tmp}/repo_ign_config"], {}, 1, ["ignored-required-file"]),
    # -- 7. init --force never replaces what is not a regular file
    ("init-force-over-a-fifo", ["init", "{repo}", "-o", "{tmp}/fifo.yaml", "--force"], {}, 2, ["not a regular file"]),
    ("init-force-over-a-directory", ["init", "{repo}", "-o", "{tmp}/adir", "--force"], {}, 2, ["is a directory"]),
    ("init-force-over-a-device", ["init", "{repo}", "-o", "/dev/null", "--force"], {}, 2, ["not a regular file"]),
    ("init-force-over-a-symlink", ["init", "{repo}", "-o", "{tmp}/spec_loop.yaml", "--force"], {}, 2,
     ["not a regular file"]),
    # -- 2. registries and image names a registry could never hold
    ("build-registry-colons", ["build", "--dry-run", "--repository", "{repo}", "--registry", "::::", "--name", "x"],
     {}, 2, ["invalid registry"]),
    ("build-registry-port-range", ["build", "--dry-run", "--repository", "{repo}", "--registry", "h.example:99999",
                                   "--name", "x"], {}, 2, ["invalid registry"]),
    ("build-registry-port-word", [*BUILD[:3], "h:port/ml", *BUILD[4:], "{repo}"], {}, 2, ["invalid registry"]),
    ("build-name-300-chars", ["build", "--dry-run", "--repository", "{repo}", "--registry", "127.0.0.1:1/ml",
                              "--name", "a" * 300], {}, 2, ["at most 255"]),
    ("build-name-100k-chars", ["build", "--dry-run", "--repository", "{repo}", "--registry", "127.0.0.1:1/ml",
                               "--name", "a" * 100_000], {}, 2, ["at most 255"]),
    ("smoke-metrics-url-not-a-url", [*SMOKE, "--metrics-url", "junk"], {}, 2, ["--metrics-url", "http(s)://"]),
    ("smoke-metrics-url-bad-port", [*SMOKE, "--metrics-url", "http://127.0.0.1:99999/metrics"], {}, 2,
     ["--metrics-url"]),
    ("smoke-metrics-url-ftp", [*SMOKE, "--metrics-url", "ftp://h/metrics"], {}, 2, ["--metrics-url"]),
    # -- 3. set but malformed environment -----------------------------------------------------------------------
    ("source-date-epoch-letters", [*BUILD, "{repo}"], {"SOURCE_DATE_EPOCH": "abc"}, 2, ["SOURCE_DATE_EPOCH"]),
    ("source-date-epoch-huge", [*BUILD, "{repo}"], {"SOURCE_DATE_EPOCH": "9" * 20}, 2, ["SOURCE_DATE_EPOCH"]),
    ("source-date-epoch-negative", [*BUILD, "{repo}"], {"SOURCE_DATE_EPOCH": "-5"}, 2, ["SOURCE_DATE_EPOCH"]),
    ("source-date-epoch-float", [*BUILD, "{repo}"], {"SOURCE_DATE_EPOCH": "1.5"}, 2, ["SOURCE_DATE_EPOCH"]),
    # -- 7. output safety: ESC sequences and credentials never reach the terminal raw (the oracle checks both)
    ("smoke-url-userinfo", ["smoke", "--url", "http://ci:s3cr3t@127.0.0.1:1"], {}, 2, ["credentials", "***@"]),
    ("smoke-url-userinfo-json", ["--json", "smoke", "--url", "http://ci:s3cr3t@127.0.0.1:1"], {}, 2, ["***@"]),
    ("smoke-url-userinfo-no-scheme", ["smoke", "--url", "ci:s3cr3t@127.0.0.1:1"], {}, 2, ["credentials"]),
    ("smoke-grpc-url-userinfo", [*SMOKE, "--grpc-url", "ci:s3cr3t@127.0.0.1:2"], {}, 2, ["--grpc-url", "***@"]),
    ("perf-grpc-url-userinfo", [*PERF, "--grpc-url", "ci:s3cr3t@127.0.0.1:2"], {}, 2, ["--grpc-url"]),
    ("perf-url-userinfo", ["perf", "--url", "ci:s3cr3t@127.0.0.1:1", "--model", "m"], {}, 2, ["credentials"]),
    ("perf-url-userinfo-json", ["--json", "perf", "--url", "http://ci:s3cr3t@127.0.0.1:1", "--model", "m"], {}, 2,
     ["credentials"]),
    ("smoke-metrics-url-token-unreachable", [*SMOKE, "--timeout", "1", "--metrics-url",
                                             "http://ci:s3cr3t@127.0.0.1:1/metrics?token=s3cr3t"], {}, 3,
     ["127.0.0.1:1"]),
    ("usage-error-option-escape", ["smoke", "--x\x1b[2J"], {}, 2, ["No such option"]),
    ("usage-error-option-escape-json", ["--json", "smoke", "--x\x1b[2J"], {}, 2, ["No such option"]),
    ("usage-error-choice-escape", [*SMOKE, "--protocol", "\x1b[2Jx"], {}, 2, ["--protocol", "\\x1b[2Jx"]),
    ("usage-error-verb-escape", ["sm\x1b]0;title\x07oke"], {}, 2, ["no such command"]),
    ("validate-model-name-escape", ["validate", "{tmp}/repo_esc"], {}, 1, ["add\\x1b[2Jsub", "name-mismatch"]),
    ("validate-model-name-escape-json", ["--json", "validate", "{tmp}/repo_esc"], {}, 1, ["add\\u001b[2Jsub"]),
    ("build-repository-escape", [*BUILD, "{tmp}/repo_esc"], {}, 0, ["\\x1b[2J"]),
    ("seed-jenkins-userinfo-json", ["--json", "seed", "--jenkins", "http://ci:s3cr3t@127.0.0.1:1", "--config",
                                    "{models}", "--timeout", "1"], {}, 3, ["***@127.0.0.1"]),
]

WAIT = {"promote": ["promote", "--env", "dev", "--image", IMAGE, "--spec", "{spec}"],
        "rollback": ["rollback", "--env", "dev", "--spec", "{spec}"]}
CASES += [(f"{verb}--wait-lock-{value}", [*argv, "--wait-lock", value], {}, 2, ["--wait-lock"])
          for verb, argv in WAIT.items() for value in ("nan", "inf", "-1", "86401")]
CASES += [(f"seed--timeout-{value}", ["seed", "--jenkins", NOWHERE, "--config", "{models}", "--timeout", value], {}, 2,
           ["--timeout"]) for value in ("nan", "0", "3601")]

# -- 3. empty means empty: every text option and argument given as '' is a usage error (exit 2) -----------------
EMPTY = [
    ["validate", ""], ["validate", "--spec", ""], ["validate", "{repo}", "--report-dir", ""],
    ["--report-dir", "", "validate", "{repo}"], ["init", "", "-o", "{tmp}/out.yaml"], ["init", "{repo}", "-o", ""],
    [*BUILD, ""], ["build", "--dry-run", "--repository", "{repo}", "--registry", "", "--name", "x"],
    ["build", "--dry-run", "--repository", "{repo}", "--registry", "127.0.0.1:1/ml", "--name", ""],
    ["smoke", "--url", ""], ["smoke", "--repository", ""], ["smoke", "--image", ""],
    [*SMOKE, "--golden", ""], [*SMOKE, "--server-log", ""], ["smoke", "--spec", "", "--url", "127.0.0.1:1"],
    ["perf", "--url", "", "--model", "m"], [*PERF, "--concurrency", ""], [*PERF, "--rate", ""],
    ["perf", "--url", "127.0.0.1:1", "--model", ""], [*PERF, "--baseline", ""],
    ["plan", "--spec", ""], ["render", "--env", "", "--spec", "{spec}"], [*RENDER, ""],
    ["promote", "--env", "dev", "--image", "", "--spec", "{spec}"], ["promote", "--env", "", "--image", IMAGE],
    ["promote", "--env", "dev", "--from", "", "--spec", "{spec}"], ["rollback", "--env", "", "--spec", "{spec}"],
    ["history", "--env", "", "--spec", "{spec}"], ["status", "--env", "", "--spec", "{spec}"],
    ["seed", "--jenkins", "", "--config", "{models}"], ["seed", "--jenkins", NOWHERE, "--config", ""],
    ["seed", "--jenkins", NOWHERE, "--config", "{models}", "--user", ""],
    ["validate", "   "], [*SMOKE, "--models", " "],
]
CASES += [(f"empty-{i:02d}-{'-'.join(a for a in argv if a.startswith('-') or a.isalpha())}", argv, {}, 2, ["empty"])
          for i, argv in enumerate(EMPTY)]
CASES += [("perf-input-data-empty", [*PERF, "--input-data", ""], {}, 2, ["--input-data", "''"])]
CASES += [("smoke-models-only-commas", [*SMOKE, "--models", ",,,"], {}, 2, ["no model name"])]


@pytest.fixture(scope="module")
def junk_url():
    with junk_server() as url:
        yield url


def _repo_with(tmp, name: str, edit) -> None:
    shutil.copytree(EXAMPLES / "model_repository", tmp / name, symlinks=True)
    edit(tmp / name)


def _deep_pbtxt(repo) -> None:
    config = repo / "add_sub" / "config.pbtxt"
    config.write_text(config.read_text() + "\nparameters { key: \"k\" value " + "{ " * 5000 + "}" * 5000 + "}\n")


def _write_yaml_files(tmp) -> None:
    laughs = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    laughs += [f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]" for i in range(8)]
    (tmp / "laughs.yaml").write_text("\n".join(laughs) + "\n")
    (tmp / "models_laughs.yaml").write_text("projects:\n  - &p {name: a}\n  - *p\n")
    (tmp / "deep_flow.yaml").write_text("project: " + "[" * 5000 + "]" * 5000 + "\n")
    (tmp / "deep_block.yaml").write_text("".join("  " * i + f"k{i}:\n" for i in range(200)) + "  " * 200 + "x\n")
    (tmp / "big.yaml").write_text("project: x\n" + "#" * (2 * 1024 * 1024) + "\n")
    (tmp / "bigint.yaml").write_text("project: " + "9" * 5000 + "\n")
    (tmp / "int54.yaml").write_text("project: x\nimage: {registry: r.example/ml, name: " + str(2**60) + "}\n")
    (tmp / "smoke_nan.yaml").write_text("project: x\nsmoke: {timeout: .nan}\n")
    models = (ROOT / "pipelines" / "models.yaml").read_text()
    described = "    description: The bundled example (five python-backend models).\n"
    (tmp / "models_ctl.yaml").write_text(models.replace(described, '    description: "bad \\x01 text"\n'))
    (tmp / "models_esc.yaml").write_text(models.replace(described, '    description: "\\e[31mred"\n'))
    (tmp / "models_nul.yaml").write_text(models.replace("  - name: ranking", '  - name: "rank\\0ing"'))
    base = (EXAMPLES / "tritonship.yaml").read_text()
    for name, tol in (("tol_inject", '{key: k, operator: "Exists\\nprivileged: true"}'),
                      ("tol_effect", "{key: k, value: v, effect: Sometimes}"),
                      ("tol_exists", "{key: k, operator: Exists, value: v}")):
        (tmp / f"{name}.yaml").write_text(base.replace("    namespace: models-dev\n",
                                                       f"    namespace: models-dev\n    tolerations: [{tol}]\n", 1))
    (tmp / "nodesel.yaml").write_text(base.replace("    namespace: models-dev\n",
                                                   "    namespace: models-dev\n    node_selector: {a: [1]}\n", 1))
    (tmp / "latin1.yaml").write_bytes("project: caf\xe9\n".encode("latin-1"))


@pytest.fixture
def hostile(tmp_path, junk_url):
    (tmp_path / "adir").mkdir()
    shutil.copy(EXAMPLES / "tritonship.yaml", tmp_path / "spec.yaml")
    spec = (tmp_path / "spec.yaml").read_text()
    (tmp_path / "spec.yaml").write_text(spec.replace("model_repository: model_repository",
                                                     f"model_repository: {tmp_path / 'repo'}"))
    shutil.copy(ROOT / "pipelines" / "models.yaml", tmp_path / "models.yaml")
    shutil.copytree(EXAMPLES / "model_repository", tmp_path / "repo")
    _repo_with(tmp_path, "repo_loop", lambda r: (os.symlink("loop2", r / "add_sub" / "loop1"),
                                                  os.symlink("loop1", r / "add_sub" / "loop2")))
    _repo_with(tmp_path, "repo_fifo", lambda r: os.mkfifo(r / "add_sub" / "1" / "helper.py"))
    _repo_with(tmp_path, "repo_deep_pbtxt", _deep_pbtxt)
    _repo_with(tmp_path, "repo_big_pbtxt", lambda r: (r / "add_sub" / "config.pbtxt").write_text(
        "# padding\n" * 200_000))
    _repo_with(tmp_path, "repo_bigint_pbtxt", lambda r: (r / "add_sub" / "config.pbtxt").write_text(
        (r / "add_sub" / "config.pbtxt").read_text().replace("max_batch_size: 8", "max_batch_size: " + "9" * 5000)))
    for name, pattern in (("repo_ign_config", "add_sub/config.pbtxt"), ("repo_ign_py", "*.py"),
                          ("repo_ign_dir", "scale_fp16/1/")):
        _repo_with(tmp_path, name, lambda r, p=pattern: (r / ".tritonshipignore").write_text(p + "\n"))
    _repo_with(tmp_path, "repo_esc", lambda r: (r / "add_sub").rename(r / "add\x1b[2Jsub"))
    os.mkfifo(tmp_path / "fifo.yaml")
    os.symlink("spec_loop.yaml", tmp_path / "spec_loop.yaml")
    _write_yaml_files(tmp_path)
    (tmp_path / "kc_junk.yaml").write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: x\n"
        f"clusters: [{{name: c, cluster: {{server: '{junk_url}'}}}}]\n"
        "users: [{name: u, user: {token: abc}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\n")
    return tmp_path


def snapshot(root) -> dict[str, tuple]:
    """Every path under `root` with its kind, size and modification time (symlinks not followed)."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            info = os.lstat(os.path.join(dirpath, name))
            out[os.path.relpath(os.path.join(dirpath, name), root)] = (info.st_mode, info.st_size, info.st_mtime_ns)
    return out


def fill(value: str, tmp, junk: str) -> str:
    return value.format(tmp=tmp, spec=tmp / "spec.yaml", repo=tmp / "repo", junk=junk,
                        kc_junk=tmp / "kc_junk.yaml", models=tmp / "models.yaml")


def run_hostile(run_cli, tmp, junk, argv, env, code, words) -> None:
    """Run one case under the corpus oracle."""
    before = snapshot(tmp)
    env = {"KUBERNETES_SERVICE_HOST": "", "KUBECONFIG": str(tmp / "no-kubeconfig")} | {
        k: fill(v, tmp, junk) for k, v in env.items()}
    result = run_cli(*[fill(a, tmp, junk) for a in argv], env=env)
    output = result.stdout + result.stderr
    assert result.exit_code == code, output[-3000:]
    assert "Traceback" not in output
    assert "internal error" not in output
    assert "\x1b" not in output and "\x07" not in output, "a control character reached the terminal raw"
    assert "s3cr3t" not in output, "a credential was printed"
    for word in words:
        assert word in output, output[-3000:]
    if "--json" in argv:
        doc = json.loads(result.stdout)
        assert doc["exit_code"] == code
    assert snapshot(tmp) == before, "the case changed files on disk"


@pytest.mark.timeout(120)
@pytest.mark.parametrize(("argv", "env", "code", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_hostile_input_terminates_with_the_documented_exit_code(run_cli, hostile, junk_url, argv, env, code, words):
    run_hostile(run_cli, hostile, junk_url, argv, env, code, words)


def test_the_corpus_has_distinct_case_ids():
    ids = [case[0] for case in CASES]
    assert len(ids) == len(set(ids))

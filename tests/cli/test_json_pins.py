"""Pins of the JSON documents Groovy and users read: the envelope's exact text, and each verb's keys in
order (the documents are printed unsorted, so the order is part of what a reader sees).

Values are pinned by each verb's own tests; these pins make a move of the presentation layer (or any
refactor) that reorders, renames or drops a key fail here.
"""

from __future__ import annotations

import pytest
from tests.conftest import EXAMPLE_REPO, EXAMPLES

from tritonship import __version__

ENVELOPE = ["tritonship", "verb", "status", "exit_code"]
# verb argv (run in examples/) -> the document's keys after the envelope, in order
DOCUMENTS = {
    "validate": (["validate", str(EXAMPLE_REPO)],
                 ["repository", "spec", "strict", "digest", "models", "findings", "counts"]),
    "build": (["build", "--dry-run", "--registry", "127.0.0.1:5000/ml"],  # examples/ sets insecure_registry
              ["image", "tags", "cached", "digest", "repository_digest", "builder", "layout", "plan",
               "dockerfile"]),
    "plan": (["plan"], ["project", "dry_run", "environments", "serve", "model_repository"]),
    "render": (["render", "--env", "dev"], ["app", "env", "image", "manifests", "layout", "triton_image", "model_image",
                                            "delivery", "note"]),
    "promote": (["promote"], ["error"]),  # a usage error: the error document
    "history": (["history", "--env", "nope"], ["error"]),  # bad input: the error document
}
NESTED = {
    ("validate", "digest"): ["sha256", "short", "files", "bytes"],
    ("validate", "models"): ["name", "platform", "backend", "max_batch_size", "versions", "inputs", "outputs",
                             "status", "errors", "warnings"],
    ("validate", "counts"): ["error", "warning", "note"],
    ("build", "plan"): ["repository", "repository_digest", "files", "bytes", "name", "tags", "base_image", "builder",
                        "insecure_registry", "source_date_epoch", "version", "models", "labels", "requirements",
                        "layout", "layers"],
    ("plan", "environments"): ["name", "approval", "from", "strategy", "lock", "namespace", "manual_pauses"],
    ("plan", "serve"): ["layout"],
    ("promote", "error"): ["kind", "message", "hint"],
    ("history", "error"): ["kind", "message", "hint"],
}


@pytest.fixture
def in_examples(monkeypatch):
    monkeypatch.chdir(EXAMPLES)


@pytest.mark.parametrize("verb", list(DOCUMENTS))
def test_each_document_keeps_its_keys_in_order(run_cli, in_examples, verb):
    argv, keys = DOCUMENTS[verb]
    result = run_cli("--json", *argv)
    doc = result.json()
    assert list(doc) == ENVELOPE + keys
    assert (doc["tritonship"], doc["verb"]) == (__version__, verb)
    for (pinned_verb, key), nested in NESTED.items():
        if pinned_verb == verb:
            value = doc[key][0] if isinstance(doc[key], list) else doc[key]
            assert list(value) == nested, key


def test_the_envelope_text_is_two_space_indented_and_unsorted(run_cli, in_examples):
    result = run_cli("--json", "plan")
    assert result.stdout.startswith(
        "{\n"
        f'  "tritonship": "{__version__}",\n'
        '  "verb": "plan",\n'
        '  "status": "passed",\n'
        '  "exit_code": 0,\n'
        '  "project": '
    )


def test_result_json_is_the_printed_document(run_cli, in_examples, tmp_path):
    result = run_cli("--json", "--report-dir", str(tmp_path), "plan")
    assert (tmp_path / "result.json").read_text() == result.stdout

"""Look up and word the `validate --explain RULE` paragraph (pure: text in, text out)."""

from __future__ import annotations

from tritonship.errors import BadInput
from tritonship.repository.rule_docs import LAYOUT_AND_CONFIG, RuleDoc
from tritonship.repository.rule_docs_graph import GRAPH_AND_FILES, TENSORS_AND_SCHEDULERS

RULES: dict[str, RuleDoc] = {doc.rule: doc for doc in (*LAYOUT_AND_CONFIG, *TENSORS_AND_SCHEDULERS,
                                                        *GRAPH_AND_FILES)}

STRICT = {
    "error": "--strict does not change it: it is always an error.",
    "warning": "It is a warning: the gate passes, except with --strict, where warnings fail it.",
    "note": "It is a note: it never fails the gate, not even with --strict.",
}


def find_rule(rule: str) -> RuleDoc:
    from tritonship.spec.suggest import did_you_mean

    doc = RULES.get(rule.strip())
    if doc is None:
        raise BadInput(f"unknown rule {rule!r}{did_you_mean(rule, RULES)}",
                       hint="rule ids look like config/tensor-dims; every finding names its rule")
    return doc


def explain(rule: str) -> str:
    """One paragraph: what, why, how to fix, which Triton behaviour, and what --strict does."""
    doc = find_rule(rule)
    if doc.severity == "varies":
        strict = (f"Severity: {doc.severity_note} With --strict, warnings fail the gate too; notes never do.")
    else:
        strict = STRICT[doc.severity]
    return (f"{doc.rule} ({doc.severity}): {_cap(doc.what)} Why: {doc.why} Fix: {_cap(doc.fix)} "
            f"Triton: {doc.triton}. {strict}")


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]

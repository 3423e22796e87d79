"""What the linter reports: one `Finding` per problem, with where it is and how to fix it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Severity = Literal["error", "warning", "note"]  # a note never fails the gate, not even with --strict


@dataclass(frozen=True)
class Finding:
    """One problem. `path` is relative to the repository root (posix); line/column are 1-based."""

    rule: str  # e.g. "config/batch-dim-repeated"
    severity: Severity
    model: str | None  # None for repository-wide findings
    path: str
    message: str
    hint: str
    line: int | None = None
    column: int | None = None

    @property
    def where(self) -> str:
        if self.line is None:
            return self.path
        return f"{self.path}:{self.line}" + (f":{self.column}" if self.column else "")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def sort_key(finding: Finding) -> tuple:
    return (finding.model or "", finding.path, finding.line or 0, finding.column or 0, finding.rule)


def counts(findings: list[Finding]) -> dict[str, int]:
    by = [f.severity for f in findings]
    return {"error": by.count("error"), "warning": by.count("warning"), "note": by.count("note")}

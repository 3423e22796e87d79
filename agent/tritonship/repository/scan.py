"""Read a model repository once: each model directory, its versions and its parsed config.pbtxt.

Every later check works on these `ModelEntry` objects, so each config is read and parsed once.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tritonship.errors import BadInput
from tritonship.repository.backends import NOT_VERSIONS
from tritonship.repository.findings import Finding, Severity
from tritonship.repository.ignore import IgnoreRules
from tritonship.repository.locate import NOWHERE, ConfigText, Position
from tritonship.repository.normalize import Normalized, first_subdir_listing, normalize

CONFIG = "config.pbtxt"
_VERSION = re.compile(r"^[0-9]+$")
PLACEHOLDER = re.compile(r"\{\{[^}]*\}\}|\$\{[^}]*\}|\{%[^%]*%\}")


@dataclass
class ModelEntry:
    """One model directory. `config` is the parsed ModelConfig, or None when missing or unparsable."""

    name: str
    path: Path
    versions: list[str] = field(default_factory=list)  # numeric directory names, oldest first
    other_dirs: list[str] = field(default_factory=list)
    has_config: bool = False
    text: ConfigText | None = None
    config: Any = None
    findings: list[Finding] = field(default_factory=list)
    normalized: Normalized = field(default_factory=lambda: Normalized("", "", ""))  # as the server completes it

    @property
    def default_model_filename(self) -> str:
        return self.normalized.default_model_filename

    @property
    def config_path(self) -> str:
        return f"{self.name}/{CONFIG}"

    @property
    def platform(self) -> str:
        """The platform after Triton's normalisation (inferred from the files when config omits it)."""
        return self.normalized.platform

    @property
    def backend(self) -> str:
        return self.normalized.backend

    @property
    def is_ensemble(self) -> bool:
        return self.platform == "ensemble" or (self.config is not None and self.config.HasField("ensemble_scheduling"))

    def where(self, *patterns: str, nth: int = 0) -> Position:
        return self.text.locate(*patterns, nth=nth) if self.text is not None else NOWHERE

    def report(
        self, rule: str, severity: Severity, message: str, hint: str, at: Position = NOWHERE, *, path: str | None = None
    ) -> None:
        line, column = at
        self.findings.append(
            Finding(rule, severity, self.name, path or self.config_path, message, hint, line, column)
        )


def model_dirs(root: Path, rules: IgnoreRules) -> list[str]:
    try:
        names = sorted(os.listdir(root))
    except OSError as exc:
        raise BadInput(f"{root}: cannot list the model repository: {exc.strerror}") from exc
    return [n for n in names if not n.startswith(".") and not rules.ignored(n, is_dir=True) and (root / n).is_dir()]


def scan_model(root: Path, name: str, rules: IgnoreRules) -> ModelEntry:
    entry = ModelEntry(name=name, path=root / name)
    try:
        children = sorted(os.listdir(entry.path))
    except OSError as exc:
        entry.report("layout/unreadable", "error", f"cannot list {name}/: {exc.strerror}", "fix the permissions")
        return entry
    subdirs: list[str] = []
    for child in children:
        if rules.ignored(f"{name}/{child}", is_dir=True) or not (entry.path / child).is_dir():
            continue
        subdirs.append(child)
        if _VERSION.match(child):
            entry.versions.append(child)
        elif child not in NOT_VERSIONS and not child.startswith("."):
            entry.other_dirs.append(child)
    entry.versions.sort(key=int)
    entry.has_config = CONFIG in children and (entry.path / CONFIG).is_file()
    if entry.has_config:
        _parse(entry)
    if entry.config is not None or not entry.has_config:
        config = entry.config
        listing = first_subdir_listing(entry.path, subdirs)
        entry.normalized = normalize(name, config.platform if config is not None else "",
                                     config.backend if config is not None else "",
                                     config.default_model_filename if config is not None else "", listing)
    return entry


def _parse(entry: ModelEntry) -> None:
    from tritonship.boundary import read_text_input
    from tritonship.errors import BadInput
    from tritonship.repository.config import ConfigParseError, parse_config_text

    try:
        text = read_text_input(entry.path / CONFIG, "config.pbtxt")
    except BadInput as exc:  # too large, not UTF-8, unreadable, not a regular file: a finding, not a crash
        entry.report("config/parse-error", "error", exc.message.split(": ", 1)[-1],
                     "save it as a regular UTF-8 file the agent can read")
        return
    entry.text = ConfigText(text)
    try:
        entry.config = parse_config_text(text, entry.path / CONFIG)
    except ConfigParseError as exc:
        message, hint = explain_parse_error(exc.reason, text, exc.line)
        entry.report("config/parse-error", "error", message, hint, (exc.line, exc.column))


def explain_parse_error(reason: str, text: str, line: int | None) -> tuple[str, str]:
    """The parser's reason, and a hint that says what the usual cause is."""
    message = f"config.pbtxt does not parse: {reason}"
    placeholder = PLACEHOLDER.search(text)
    if placeholder:
        at = text.count("\n", 0, placeholder.start()) + 1
        return message, (
            f"line {at} still holds the template placeholder {placeholder.group(0)!r}: "
            "render the template (or replace it with a value) before validating"
        )
    if "another member of oneof" in reason:
        return message, (
            "dynamic_batching, sequence_batching and ensemble_scheduling are mutually exclusive: keep one"
        )
    enum = re.search(r'Enum type "([\w.]+)" has no value named (\w+)', reason)
    if enum:
        return message, f"{enum.group(2)} is not a valid value; use one of: {_enum_values(enum.group(1))}"
    unknown = re.search(r'has no field named "(\w+)"', reason)
    if unknown:
        return message, _unknown_field_hint(unknown.group(1), reason)
    return message, "fix the syntax at this position (text-format protobuf: `field: value`, `block { ... }`)"


def _enum_values(full_name: str) -> str:
    from tritonship.repository.config import model_config_class

    pool = model_config_class().DESCRIPTOR.file.pool
    try:
        enum = pool.FindEnumTypeByName(full_name)
    except KeyError:
        return "see model_config.proto"
    return ", ".join(v.name for v in enum.values)


def _unknown_field_hint(name: str, reason: str) -> str:
    from tritonship.repository.config import model_config_class
    from tritonship.spec.suggest import did_you_mean

    msg = re.search(r'Message type "([\w.]+)"', reason)
    pool = model_config_class().DESCRIPTOR.file.pool
    try:
        fields = [f.name for f in pool.FindMessageTypeByName(msg.group(1)).fields] if msg else []
    except KeyError:
        fields = []
    suggestion = did_you_mean(name, fields)
    return f"{name!r} is not a field here{suggestion or ''}; see model_config.proto for the fields"

"""The direction of dependencies: domain packages never import the command or presentation layers.

cli -> commands -> (options, present) -> domain packages; never the other way. A domain module that
imported `tritonship.present` (or `commands`, `cli`) would tie the engine to one way of showing it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import tritonship

PACKAGE = Path(tritonship.__file__).parent
DOMAIN = ("deploy", "image", "jenkins", "perf", "repository", "smoke", "spec", "triton")
UPPER = ("tritonship.present", "tritonship.commands", "tritonship.cli", "tritonship.global_options")


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names += [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def _upward(path: Path, forbidden: tuple[str, ...]) -> list[str]:
    return [name for name in _imports(path) if any(name == f or name.startswith(f + ".") for f in forbidden)]


def test_domain_packages_never_import_the_command_or_presentation_layer():
    offenders = {
        str(path.relative_to(PACKAGE)): bad
        for package in DOMAIN
        for path in sorted((PACKAGE / package).rglob("*.py"))
        if (bad := _upward(path, UPPER))
    }
    assert offenders == {}


def test_the_presentation_layer_never_imports_commands_or_cli():
    offenders = {
        path.name: bad
        for path in sorted((PACKAGE / "present").glob("*.py"))
        if (bad := _upward(path, ("tritonship.commands", "tritonship.cli")))
    }
    assert offenders == {}


def test_the_scan_sees_an_upward_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("from tritonship.present.common import Outcome\nimport tritonship.cli\n")
    assert _upward(module, UPPER) == [
        "tritonship.present.common", "tritonship.present.common.Outcome", "tritonship.cli"]


def test_global_options_do_not_import_the_command_group():
    assert _upward(PACKAGE / "global_options.py", ("tritonship.cli", "tritonship.commands")) == []
    assert _upward(PACKAGE / "commands" / "options.py", ("tritonship.cli",)) == []

"""The stand-ins (Kubernetes simulator, Jenkins stand-in, local servers) live in `standins/` as their own
distribution: nothing the agent ships may import them, and the agent's wheel must not contain them."""

from __future__ import annotations

import ast
from pathlib import Path

AGENT = Path(__file__).resolve().parents[3] / "agent"
FORBIDDEN = ("tritonship_standins", "tritonship.testing")


def _absolute(module: str | None, level: int, path: Path) -> str:
    """The absolute module an import names; relative imports resolve against the file's package."""
    if not level:
        return module or ""
    package = list(path.relative_to(AGENT).parts[:-1])  # a module's or an __init__'s own package
    base = package[: len(package) - (level - 1)]
    return ".".join([*base, module] if module else base)


def _imports(path: Path) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(node.module, node.level, path)
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def _forbidden(name: str) -> bool:
    return any(name == f or name.startswith(f + ".") for f in FORBIDDEN)


def test_relative_imports_resolve_against_the_package() -> None:
    module = AGENT / "tritonship" / "deploy" / "engine.py"
    package_init = AGENT / "tritonship" / "deploy" / "__init__.py"
    assert _absolute("testing", 2, module) == "tritonship.testing"
    assert _absolute(None, 1, module) == "tritonship.deploy"
    assert _absolute("testing", 2, package_init) == "tritonship.testing"
    assert _absolute("kube", 1, package_init) == "tritonship.deploy.kube"
    assert _forbidden("tritonship.testing.kube") and _forbidden("tritonship_standins")
    assert not _forbidden("tritonship.testing_helpers") and not _forbidden("tritonship.deploy")


def test_no_module_of_the_agent_imports_the_stand_ins() -> None:
    modules = sorted((AGENT / "tritonship").rglob("*.py"))
    assert len(modules) > 50  # the scan really sees the agent
    offenders = [
        f"{path.relative_to(AGENT)}:{line}: {name}"
        for path in modules
        for line, name in _imports(path)
        if _forbidden(name)
    ]
    assert offenders == []
    assert not (AGENT / "tritonship" / "testing").exists()

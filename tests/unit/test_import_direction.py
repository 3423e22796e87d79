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


# Modules that still touch os.environ, and why. Everything else gets the `ProcessEnv` that cli.main read.
ENVIRON_READERS = {
    "process_env.py": "the one snapshot (cli.main)",
    "image/builders/buildah.py": "the environment of the buildah child process",
    "image/builders/base.py": "the environment of builder child processes (secrets removed)",
    "triton/launcher.py": "the environment of the tritonserver child process",
    # `env=None` defaults for direct (non-CLI) callers; the CLI passes its ProcessEnv:
    "image/builders/factory.py": "default for direct callers",
    "image/credentials.py": "default for direct callers",
    "image/plan.py": "default for direct callers",
    "image/provenance.py": "default for direct callers",
    "triton/locate.py": "default for direct callers",
    # kubeconfig discovery and the lease holder's pod name (called from the engine's entry points):
    "deploy/kube.py": "KUBECONFIG, KUBERNETES_SERVICE_HOST as client-go reads them",
    "deploy/lock.py": "POD_NAME/HOSTNAME of the lease holder",
}


def _reads_environ(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv") \
                and isinstance(node.value, ast.Name) and node.value.id == "os":
            return True
    return False


def test_only_the_listed_modules_touch_os_environ():
    readers = {
        str(path.relative_to(PACKAGE))
        for path in sorted(PACKAGE.rglob("*.py"))
        if "testing" not in path.relative_to(PACKAGE).parts and _reads_environ(path)
    }
    assert readers <= set(ENVIRON_READERS), sorted(readers - set(ENVIRON_READERS))
    assert "deploy/notify.py" not in readers and "deploy/analysis/__init__.py" not in readers

"""Python-backend models: model.py must compile and define TritonPythonModel (checked, never executed)."""

from __future__ import annotations

import ast

from tritonship.repository.scan import ModelEntry

MODEL_CLASS = "TritonPythonModel"


def check_python_model(model: ModelEntry) -> None:
    if model.backend != "python" or (model.has_config and model.config is None):
        return
    filename = model.default_model_filename or "model.py"
    for version in model.versions:
        path = model.path / version / filename
        if path.is_file():
            _check_source(model, f"{model.name}/{version}/{filename}", path.read_bytes())


def _check_source(model: ModelEntry, rel: str, source: bytes) -> None:
    try:
        tree = ast.parse(source, filename=rel)
        compile(tree, rel, "exec", dont_inherit=True)
    except SyntaxError as exc:
        model.report(
            "python/syntax-error", "error", f"{rel} does not compile: {exc.msg}",
            "fix the syntax; Triton imports this file when it loads the model",
            (exc.lineno, exc.offset), path=rel,
        )
        return
    except ValueError as exc:  # null bytes
        model.report("python/syntax-error", "error", f"{rel} does not compile: {exc}", "save it as Python source",
                     path=rel)
        return
    if not defines(tree, MODEL_CLASS):
        model.report(
            "python/no-model-class", "error", f"{rel} defines no class {MODEL_CLASS}",
            f"the python backend instantiates {MODEL_CLASS} from model.py: define (or import) it at top level",
            path=rel,
        )


def defines(tree: ast.Module, name: str) -> bool:
    """True when the module binds `name` at top level (class, assignment or import)."""
    for node in tree.body:
        if isinstance(node, ast.ClassDef | ast.FunctionDef) and node.name == name:
            return True
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return True
        if isinstance(node, ast.ImportFrom | ast.Import) and any(
            (alias.asname or alias.name) == name or alias.name == "*" for alias in node.names
        ):
            return True
        if isinstance(node, ast.If | ast.Try) and defines(ast.Module(body=_branches(node), type_ignores=[]), name):
            return True
    return False


def _branches(node: ast.If | ast.Try) -> list[ast.stmt]:
    body = [*node.body, *node.orelse]
    if isinstance(node, ast.Try):
        body += [stmt for handler in node.handlers for stmt in handler.body] + node.finalbody
    return body

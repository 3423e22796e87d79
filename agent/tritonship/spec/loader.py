"""Load tritonship.yaml with line numbers, so every error names file, line and key path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tritonship.errors import BadInput


def load_spec(path: str | Path, *, required: bool = True):
    from tritonship.spec.model import Spec

    path = Path(path)
    if not path.is_file():
        if not required:
            return None
        raise BadInput(f"{path}: no such spec file", hint="create one with `tritonship init`")
    tree = read_yaml(path)
    _check_keys(tree, path)
    if not isinstance(tree, dict):
        raise BadInput(f"{path}:1: the spec must be a mapping of keys (project, image, environments, ...)")
    spec = validate_tree(Spec, tree, path)
    spec._path = path.resolve()
    return spec


def read_yaml(path: Path, what: str = "spec") -> Any:
    """Parse a YAML input file: bounded in size (boundary.LIMITS) and depth, aliases refused, errors at file:line."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    from tritonship.boundary import check_depth, parsing, read_text_input

    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    text = read_text_input(path, what)
    try:
        with parsing(path, what):
            _prescan(yaml, text, path, what)
            tree = yaml.load(text)
            check_depth(tree, path, what)
            return tree
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise BadInput(f"{where}: invalid YAML: {exc.problem or exc.context}") from exc
    except YAMLError as exc:
        raise BadInput(f"{path}: invalid YAML: {exc}") from exc


def _prescan(yaml: Any, text: str, path: Path, what: str) -> None:
    """Walk the parser's events before building anything: anchors and aliases (`*name`) are refused (one
    alias per level expands exponentially, "billion laughs"; no tritonship file needs them), and nesting
    deeper than boundary.MAX_DEPTH stops the parse at once (the composer would recurse per level)."""
    from ruamel.yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent

    from tritonship.boundary import MAX_DEPTH

    depth = 0
    for event in yaml.parse(text):
        mark = event.start_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}"
        if isinstance(event, AliasEvent):
            raise BadInput(f"{where}: YAML aliases (*{event.anchor}) are not allowed in the {what}",
                           hint="write the value out in full")
        depth += isinstance(event, CollectionStartEvent) - isinstance(event, CollectionEndEvent)
        if depth > MAX_DEPTH:
            raise BadInput(f"{where}: the {what} is nested deeper than {MAX_DEPTH} levels")


def _check_keys(node: Any, path: Path) -> None:
    """Mapping keys must be plain scalars: `{{ a: 1 }}` (a mapping used as a key) is a common slip."""
    if isinstance(node, dict):
        for key, value in node.items():
            if not isinstance(key, str | int | float | bool):
                line, col = _key_position(node, key)
                where = f"{path}:{line}:{col}" if line else str(path)
                raise BadInput(
                    f"{where}: a mapping or list is used as a key",
                    hint="write `key: {a: 1}` with single braces; `{{ ... }}` makes a mapping inside a mapping's key",
                )
            _check_keys(value, path)
    elif isinstance(node, list):
        for item in node:
            _check_keys(item, path)


def _key_position(node: Any, key: Any) -> tuple[int | None, int | None]:
    lc = getattr(node, "lc", None)
    if lc is None:
        return None, None
    try:
        line, col = lc.key(key)
    except (KeyError, TypeError):
        return lc.line + 1, lc.col + 1
    return line + 1, col + 1


def validate_tree(model: type, tree: Any, path: Path, what: str = "spec"):
    """Validate a parsed YAML tree against a pydantic model; map the first errors to file:line."""
    from pydantic import ValidationError

    try:
        return model.model_validate(tree)
    except ValidationError as exc:
        lines = [_describe(err, tree, path, model) for err in exc.errors()[:10]]
        more = len(exc.errors()) - 10
        if more > 0:
            lines.append(f"... and {more} more")
        raise BadInput(f"invalid {what}:\n  " + "\n  ".join(lines)) from exc


def _describe(err: dict, tree: Any, path: Path, model: type) -> str:
    loc = [part for part in err["loc"] if not _is_validator_tag(part)]
    line, col = position(tree, loc)
    key_path = ".".join(str(p) for p in loc) or "(top level)"
    where = f"{path}:{line}:{col}" if line else str(path)
    if err["type"] == "extra_forbidden":
        parent = _model_at(model, loc[:-1])
        hint = ""
        if parent is not None:
            from tritonship.spec.suggest import did_you_mean

            hint = did_you_mean(str(loc[-1]), _field_names(parent)) if loc else ""
        return f"{where}: {key_path}: unknown key{hint}"
    message = err["msg"].removeprefix("Value error, ")
    return f"{where}: {key_path}: {message}"


def _is_validator_tag(part: Any) -> bool:
    """pydantic's own loc entries (`function-after[...]`, `list[int]`), not keys the user wrote."""
    import re

    return isinstance(part, str) and bool(re.fullmatch(r"[a-z][\w-]*\[.*\]", part) or part.startswith("function-"))


def position(tree: Any, loc: list) -> tuple[int | None, int | None]:
    """1-based (line, column) of the deepest node of `loc` that exists in the ruamel tree."""
    node, best = tree, (None, None)
    for part in loc:
        lc = getattr(node, "lc", None)
        try:
            if isinstance(node, dict) and part in node:
                if lc is not None:
                    line, col = lc.key(part)
                    best = (line + 1, col + 1)
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                if lc is not None:
                    line, col = lc.item(part)
                    best = (line + 1, col + 1)
                node = node[part]
            else:
                break
        except (KeyError, TypeError, AttributeError):
            break
    if best == (None, None) and getattr(tree, "lc", None) is not None:
        best = (tree.lc.line + 1, tree.lc.col + 1)
    return best


def _field_names(model: type) -> list[str]:
    names = []
    for name, field in model.model_fields.items():
        names.append(field.alias or name)
    return names


def _model_at(model: type, loc: list) -> type | None:
    """Walk the pydantic model classes along a key path (through dicts, lists and optionals)."""
    import typing

    current: Any = model
    for part in loc:
        current = _strip_optional(current, typing)
        fields = getattr(current, "model_fields", None)
        if fields is not None:
            by_alias = {(f.alias or n): f for n, f in fields.items()}
            field = by_alias.get(part) or fields.get(part)
            if field is None:
                return None
            current = field.annotation
        else:  # a list index or a dict key: step into the element type
            args = typing.get_args(current)
            if not args:
                return None
            current = args[-1]
    current = _strip_optional(current, typing)
    return current if hasattr(current, "model_fields") else None


def _strip_optional(tp: Any, typing) -> Any:
    """X | None -> X (the first pydantic model among the union's members, if any)."""
    args = typing.get_args(tp)
    if type(None) in args:
        rest = [a for a in args if a is not type(None)]
        models = [a for a in rest if hasattr(a, "model_fields")]
        return models[0] if models else rest[0]
    return tp

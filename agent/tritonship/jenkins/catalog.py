"""pipelines/models.yaml: the model projects to seed as Jenkins jobs (the same file seed.groovy reads)."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import Field, field_validator, model_validator

from tritonship.spec.types import Strict

_ITEM_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}")


def _check_folder(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    parts = value.split("/")
    bad = [p for p in parts if not _ITEM_NAME.fullmatch(p)]
    if bad:
        raise ValueError(f"{value!r}: folder names are letters, digits, '.', '_' and '-', separated by '/'")
    return value


class Project(Strict):
    name: str = Field(..., description="Job name: letters, digits, '.', '_', '-'.")
    git: str = Field(..., description="Git remote URL of the model project.")
    credentials_id: str | None = Field(None, description="Jenkins credentials ID for the git remote.")
    folder: str | None = Field(None, description="Folder path (a/b); default: the file's `folder`.")
    branches: str = Field("main release/* v*", description="Branches and tags to build (wildcards, space separated).")
    exclude: str = Field("", description="Branches never built (wildcards).")
    tags: bool = Field(True, description="Also discover tags (promotion runs on tags).")
    build_tags: bool | None = Field(None, description="Build discovered tags automatically (default: as `tags`); "
                                    "multibranch jobs never build tags by themselves (basic-branch-build-strategies).")
    tag_max_age_days: int = Field(7, ge=0, description="Tags older than this are not built automatically (so seeding "
                                  "a project does not rebuild and re-promote its old releases).")
    script_path: str = Field("Jenkinsfile", description="Path of the Jenkinsfile in the project.")
    description: str = Field("", description="Shown on the job page.")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _ITEM_NAME.fullmatch(value):
            raise ValueError(f"{value!r} is not a job name (letters, digits, '.', '_', '-'; at most 80)")
        return value

    @field_validator("folder")
    @classmethod
    def _folder(cls, value: str | None) -> str | None:
        return _check_folder(value)

    @model_validator(mode="after")
    def _tags_to_build_are_discovered(self) -> Project:
        if self.build_tags and not self.tags:
            raise ValueError("build_tags: true needs tags: true (a tag that is not discovered cannot be built)")
        return self

    @property
    def builds_tags(self) -> bool:
        return self.tags if self.build_tags is None else self.build_tags


class Catalog(Strict):
    folder: str | None = Field("models", description="Default folder of every project ('' for the top level).")
    folder_description: str = Field("Triton model pipelines.", description="Description of the folders created.")
    projects: list[Project] = Field(default_factory=list)

    @field_validator("folder")
    @classmethod
    def _folder(cls, value: str | None) -> str | None:
        return _check_folder(value)

    def folder_of(self, project: Project) -> str | None:
        return project.folder if project.folder is not None else self.folder


def load_catalog(path: str | Path) -> Catalog:
    from tritonship.errors import BadInput
    from tritonship.spec.loader import read_yaml, validate_tree

    path = Path(path)
    if not path.is_file():
        raise BadInput(f"{path}: no such file", hint="list model projects in pipelines/models.yaml")
    tree = read_yaml(path, "models.yaml")
    _refuse_xml_invalid(tree, path)
    if not isinstance(tree, dict):
        raise BadInput(f"{path}:1: expected a mapping with `projects:`")
    catalog = validate_tree(Catalog, tree, path, "list of model projects")
    names = [f"{catalog.folder_of(p) or ''}/{p.name}" for p in catalog.projects]
    duplicates = sorted({n.lstrip("/") for n in names if names.count(n) > 1})
    if duplicates:
        raise BadInput(f"{path}: project listed twice: {', '.join(duplicates)}")
    return catalog


# XML 1.0 Char production: what a config.xml may hold. Control characters (other than tab, LF, CR),
# U+FFFE/U+FFFF and lone surrogates make a document Jenkins refuses as not well-formed.
_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _refuse_xml_invalid(tree, path: Path) -> None:
    """BadInput at file:line for the first string (key or value) holding a character XML cannot carry."""
    from tritonship.errors import BadInput
    from tritonship.spec.loader import position

    stack: list[tuple[object, list]] = [(tree, [])]
    while stack:
        node, loc = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, value in items:
            for text in (key, value):
                bad = _XML_INVALID.search(text) if isinstance(text, str) else None
                if bad:
                    line, _col = position(tree, [*loc, key])
                    raise BadInput(f"{path}:{line or 1}: {'.'.join(map(str, [*loc, key]))}: the character "
                                   f"U+{ord(bad.group()):04X} cannot appear in a Jenkins job's XML",
                                   hint="remove control characters from the text")
            stack.append((value, [*loc, key]))

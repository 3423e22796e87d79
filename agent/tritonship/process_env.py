"""`ProcessEnv`: the process environment, read in ONE place (the CLI) and passed down.

Like httpie's `Environment`: `cli.main` takes one snapshot of `os.environ` into the global `Settings`,
and every verb hands it (or values resolved from it) to the code that needs a variable, so a test or an
embedding program can run a verb against any environment without patching `os.environ`. Named
`ProcessEnv` because an "environment" in tritonship is a deployment target (dev, prod) of the spec.

`first_given` holds the precedence rule every verb's options step uses: the first source that was
given wins, in the order the verb lists them (for example TRITONSHIP_REGISTRY, then --registry, then
image.registry). "Given" means not None and not empty: an empty variable (`FOO=`) counts as unset,
as it does for the shell's `${FOO:-default}`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Given", "ProcessEnv", "child_environment", "first_given", "is_secret_name"]


@dataclass(frozen=True)
class ProcessEnv(Mapping[str, str]):
    """A read-only snapshot of environment variables (empty unless built `from_process`)."""

    variables: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_process(cls) -> ProcessEnv:
        """The one read of the process environment (done by `cli.main`)."""
        import os

        return cls(dict(os.environ))

    def value(self, name: str) -> str | None:
        """The variable, with an empty one read as unset."""
        return self.variables.get(name) or None

    def __getitem__(self, name: str) -> str:
        return self.variables[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.variables)

    def __len__(self) -> int:
        return len(self.variables)

    def __repr__(self) -> str:  # values may be secrets (tokens, passwords): never print them
        return f"ProcessEnv({len(self.variables)} variables)"


@dataclass(frozen=True)
class Given:
    """One candidate value of an option and where it came from (a flag, a variable, a spec key)."""

    source: str
    value: Any


def first_given(*candidates: Given, default: Any = None) -> Given:
    """The first candidate given (not None, not ""), else `Given("default", default)`."""
    for candidate in candidates:
        if candidate.value is not None and candidate.value != "":
            return candidate
    return Given("default", default)


_SECRET_NAME = re.compile(r"PASSWORD|PASSWD|TOKEN|SECRET|API_?KEY|PRIVATE_KEY|CREDENTIAL|AUTH", re.IGNORECASE)


def is_secret_name(name: str) -> bool:
    """A variable a child must not inherit: the tool's own settings (`TRITONSHIP_*`, which hold registry
    passwords, the Jenkins token and webhook URLs) and anything named like a credential."""
    return name.startswith("TRITONSHIP_") or bool(_SECRET_NAME.search(name))


def child_environment(base: Mapping[str, str], keep: tuple[str, ...] = ()) -> dict[str, str]:
    """The environment for a child process (tritonserver, buildah, podman, docker): `base` without the
    tool's secrets, so model code run during smoke or perf cannot read TRITONSHIP_REGISTRY_PASSWORD.
    `keep` names the few variables a child really needs; secrets otherwise travel by file or stdin."""
    return {name: value for name, value in base.items() if name in keep or not is_secret_name(name)}

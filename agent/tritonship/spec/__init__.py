"""tritonship.yaml: the one place a project's settings, defaults and help are declared.

`load_spec(path)` returns a validated, frozen `Spec`; errors name file, line and key path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tritonship.spec.model import Spec


def load_spec(path, *, required: bool = True) -> Spec | None:
    from tritonship.spec.loader import load_spec as _load

    return _load(path, required=required)

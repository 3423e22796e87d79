"""What `tritonship rollback` shows: a rollback is recorded and reported like a promotion (`present.promote`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tritonship.present.promote import to_outcome as _promotion_outcome

if TYPE_CHECKING:
    from tritonship.deploy.engine import PromoteResult
    from tritonship.present.common import Outcome


def to_outcome(app: str, result: PromoteResult) -> Outcome:
    return _promotion_outcome(app, result, verb="rollback")

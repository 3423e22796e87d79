"""Which image a promotion deploys: an explicit digest, or the one that succeeded in another environment."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tritonship.errors import BadInput, GateFailed

if TYPE_CHECKING:
    from tritonship.deploy.ledger import Ledger, Release

_BY_DIGEST = re.compile(r"^[^@\s]+@sha256:[0-9a-f]{64}$")


def digest_of(image: str) -> str:
    """'repo@sha256:…' -> 'sha256:…'; tags are refused: promotion is by digest only."""
    if not _BY_DIGEST.match(image):
        raise BadInput(f"{image!r} is not an image reference by digest (REPOSITORY@sha256:<64 hex>)",
                       hint="promote the exact digest `tritonship build` printed, or use --from ENV")
    return image.split("@", 1)[1]


def choose_from(source: Ledger, image: str | None) -> str:
    """The image to promote from the source environment's history. Pure (see choose_release)."""
    return choose_release(source, image).image


def choose_release(source: Ledger, image: str | None) -> Release:
    """The release to promote from the source environment's history: its built image and the pair it ran
    (Triton image, model image: image/modelcar.ImagePair). Pure.

    With `image`: it must have succeeded there (the newest such record gives the pair). Without: the
    newest release that succeeded there."""
    where = f"environment {source.env!r}"
    if image is not None:
        digest = digest_of(image)
        outcomes = source.outcomes_of(digest)
        if "succeeded" in outcomes:
            return next(r for r in reversed(source.releases) if r.digest == digest and r.outcome == "succeeded")
        if not outcomes:
            raise GateFailed(f"{digest} was never promoted to {where}; refusing to skip it",
                             hint=f"promote it to {source.env} first")
        raise GateFailed(f"{digest} did not succeed in {where} (outcomes: {', '.join(outcomes)}); refusing it",
                         hint=f"see `tritonship history --env {source.env}`")
    release = source.last_succeeded()
    if release is None:
        raise GateFailed(f"{where} has no succeeded release to promote",
                         hint=f"see `tritonship history --env {source.env}`")
    return release

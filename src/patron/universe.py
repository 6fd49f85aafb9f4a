"""The order in which the admitted universe is coded: a seeded random draw.

Why a draw at all: the first 21 episodes beyond Korea were chosen by hand,
and they lean towards much-studied, well-documented cases. A referee cannot
tell whether the typology's record depends on that choice. From version 0.5
on, every admitted candidate that was not already coded gets a place in a
random order, and new episodes are coded in that order, skipping a candidate
only with a stated reason. The draw was committed before any episode it
orders was coded (see ``data/README.md``).

Why a hash rather than :mod:`random`: the order must be the same on every
machine and every Python version, forever. Sorting candidates by the SHA-256
of ``seed:candidate_id`` needs nothing but the standard library and cannot
drift when a library changes its generator.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

# Fixed on 2026-12-04, before any candidate it orders was coded. Never change it.
DRAW_SEED = "when-clients-arm/universe/2026-12-04"

# The SHA-256 of the admitted candidate ids, sorted and comma-joined, when the draw was fixed (commit cc449eb):
# the draw ranks exactly these 58 candidates. Admitting or dropping one later would silently re-draw the rest.
DRAWN_OVER = "d610f4e0946cb1e7ca98e71b22e9e4a0ca5ea6e093a95865e840cfa6ea0ff271"


def admitted_digest(candidate_ids: Iterable[str]) -> str:
    """The fingerprint of the set of candidates a draw ranks."""
    return hashlib.sha256(",".join(sorted(candidate_ids)).encode("utf-8")).hexdigest()


# The statuses of candidates the universe rule admits (the others are merged or left out).
ADMITTED = ("coded", "admitted; not yet coded", "admitted; no US response documented", "admitted; skipped")


def draw_key(candidate_id: str, seed: str = DRAW_SEED) -> str:
    """The hex digest that places one candidate in the draw."""
    return hashlib.sha256(f"{seed}:{candidate_id}".encode("utf-8")).hexdigest()


def draw_order(candidate_ids: Iterable[str], seed: str = DRAW_SEED) -> dict[str, int]:
    """Each candidate's place (1, 2, ...) in the seeded order."""
    ranked = sorted(candidate_ids, key=lambda cid: (draw_key(cid, seed), cid))
    return {cid: place for place, cid in enumerate(ranked, start=1)}

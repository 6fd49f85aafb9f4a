"""Contribution three's evidence: does US burden-sharing pressure change the response?

Burden-sharing theory expects a patron that is pressing its allies to do more
to accept their arming more readily: more bystanding where pressure is strong.
The typology expects no direct effect: pressure matters only through the
perceived threats to entrapment and control. So the comparison holds the
measured perceptions fixed: episodes are grouped by their entrapment and
control codings (a measured level, a tie or unmeasured, each its own
stratum), and within each stratum the responses are counted by pressure level.

The test asks whether bystanding is more common under more pressure within
strata: the statistic is the sum over episodes of (pressure rank x
bystanding), and its p-value the share of 10,000 seeded shuffles of the
pressure levels within strata that give at least the observed sum
(one-sided, in burden sharing's direction).
"""

from __future__ import annotations

import random
from fractions import Fraction

import pandas as pd

LEVELS: tuple[str, ...] = ("none", "moderate", "strong")
RESPONSES: tuple[str, ...] = ("bystanding", "negotiation", "restraint")


def stratum(entrapment: str, control: str) -> str:
    """The perceptions an episode's responses are compared within."""
    return f"entrapment {entrapment}, control {control}"


def burden_table(episodes: pd.DataFrame, response: str = "observed_response") -> pd.DataFrame:
    """The rows of ``data/derived/burden.csv``: responses by pressure level within each stratum."""
    frame = episodes.assign(stratum=[stratum(e, c) for e, c in zip(episodes.entrapment, episodes.control)])
    rows = []
    for (name, level), group in frame.groupby(["stratum", "burden_pressure"], sort=True):
        counts = group[response].value_counts()
        rows.append({"stratum": name, "pressure": level, "n": len(group),
                     **{r: int(counts.get(r, 0)) for r in RESPONSES},
                     "share_bystanding": round(float(Fraction(int(counts.get("bystanding", 0)), len(group))), 3)})
    return pd.DataFrame(rows)


def pressure_test(episodes: pd.DataFrame, response: str = "observed_response", draws: int = 10000,
                  seed: int = 1969) -> dict[str, float]:
    """Within-stratum permutation test of more bystanding under more pressure (one-sided)."""
    frame = episodes.assign(stratum=[stratum(e, c) for e, c in zip(episodes.entrapment, episodes.control)])
    ranks = frame.burden_pressure.map({level: i for i, level in enumerate(LEVELS)})
    by = (frame[response] == "bystanding").astype(int)
    observed = int((ranks * by).sum())
    groups = [list(g.index) for _, g in frame.groupby("stratum")]
    rng, at_least = random.Random(seed), 0
    for _ in range(draws):
        total = 0
        for index in groups:
            shuffled = list(ranks.loc[index])
            rng.shuffle(shuffled)
            total += sum(r * b for r, b in zip(shuffled, by.loc[index]))
        at_least += total >= observed
    return {"statistic": observed, "p_value": round(float(Fraction(at_least, draws)), 4), "n": len(frame)}

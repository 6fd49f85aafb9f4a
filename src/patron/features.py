"""Contribution two: which features of an armament go with which perceived threat?

The theory chapter states, before the test is run, which features should
raise each perception:

- **entrapment** should be perceived as high more often when the armament can
  reach the adversary's capital, can reach a great power, is nuclear (a weapon
  or a step toward one), or sits outside US or allied command, because each
  gives the client a way to start or widen a war the patron could be drawn into;
- **control** should be perceived as threatened more often when the armament
  does not depend on US supply, sits outside US or allied command, or is
  nuclear, because each gives the client a capability the patron cannot veto.

The test reads only measured perceptions (high or low, never a tie or an
unmeasured dimension) and the features coded from technical sources. For each
feature and dimension it compares the share coded high among episodes with the
feature and without it, with a one-sided Fisher exact test in the expected
direction (computed with exact fractions). With so few measured episodes most
tests cannot detect anything; the table says how many episodes each rests on.
"""

from __future__ import annotations

from fractions import Fraction
from math import comb

import pandas as pd

from patron.coding import MEASURED

# (feature, the values expected to raise the perception, dimensions it should raise)
EXPECTATIONS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("reach_capital", ("yes",), ("entrapment",)),
    ("reach_great_power", ("yes",), ("entrapment",)),
    ("nuclear", ("weapon", "latent"), ("entrapment", "control")),
    ("integration", ("low",), ("entrapment", "control")),
    ("supply", ("third-party", "indigenous"), ("control",)),
)


def fisher_one_sided(high_with: int, n_with: int, high_without: int, n_without: int) -> Fraction:
    """P(at least ``high_with`` highs among the ``n_with`` episodes with the feature), given the margins.

    >>> float(fisher_one_sided(3, 3, 0, 3))
    0.05
    """
    total_high, n = high_with + high_without, n_with + n_without
    denominator = comb(n, total_high)
    upper = min(total_high, n_with)
    return Fraction(sum(comb(n_with, k) * comb(n_without, total_high - k) for k in range(high_with, upper + 1)),
                    denominator)


def features_table(episodes: pd.DataFrame, armaments: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``data/derived/features.csv``."""
    joined = episodes.merge(armaments, on="episode_id", how="inner", validate="one_to_one")
    rows = []
    for feature, raising, dimensions in EXPECTATIONS:
        for dimension in dimensions:
            measured = joined[joined[dimension].isin(MEASURED)]
            applies = measured[measured[feature] != "n/a"]
            has = applies[feature].isin(raising)
            high = applies[dimension] == "high"
            n_with, n_without = int(has.sum()), int((~has).sum())
            high_with, high_without = int((high & has).sum()), int((high & ~has).sum())
            p = fisher_one_sided(high_with, n_with, high_without, n_without) if n_with and n_without else None
            rows.append({"feature": feature, "raising_values": "|".join(raising), "dimension": dimension,
                         "n_measured": len(applies), "n_with": n_with, "high_with": high_with,
                         "n_without": n_without, "high_without": high_without,
                         "p_value": None if p is None else round(float(p), 4)})
    return pd.DataFrame(rows)

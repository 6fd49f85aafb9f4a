"""Could the typology's record against a baseline be chance? The tests the book reports, in one table.

Every test compares two rules on the episodes where both make one determined
prediction from measured inputs (``patron.measured``): only there can either
be right. Three tests are reported, each answering a different worry:

- **exact McNemar** (two-sided): of the episodes where exactly one rule is
  right, is the split more lopsided than fair coins would make it? It treats
  episodes as independent.
- **client sign-flip** (two-sided, exact): episodes cluster by client (Taiwan
  and South Korea have several each), so one client's peculiarity can count
  several times. The test sums each client's advantage (episodes the first
  rule alone gets right, minus those the second alone does) and asks how often
  flipping the sign of whole clients gives a total at least as far from zero.
  Every one of the 2^k sign patterns is enumerated, so the result is exact.
- **permutation** (one-sided): would the rule score as many hits if the
  responses were shuffled across the episodes where it predicts? A seeded
  shuffle, so the number is the same on every run.

All p-values are computed with exact fractions where the test allows it and
rounded to four places, so they do not depend on float summation order.
"""

from __future__ import annotations

import random
from fractions import Fraction
from itertools import product

import pandas as pd

from patron.measured import episode_rows
from patron.scoring import SCOPES

PAIRS: tuple[tuple[str, str], ...] = (("H_TYP", "BASE_MODAL"), ("H_TYP", "BASE_LOO_MODAL"), ("H_TYP", "H_REG"))


def _round(p: Fraction | float) -> float:
    return round(float(p), 4)


def mcnemar_two_sided(a_only: int, b_only: int) -> float:
    """Exact two-sided McNemar p-value; 1.0 when no episode separates the rules (the pairwise table's test).

    >>> mcnemar_two_sided(5, 0)
    0.0625
    """
    from patron.pairwise import exact_two_sided

    return exact_two_sided(a_only, b_only)


def sign_flip(advantages: list[int]) -> float:
    """Exact two-sided p-value of a client-level sign-flip test on per-client advantages.

    >>> sign_flip([1, 1, 1])
    0.25
    >>> sign_flip([])
    1.0
    """
    nonzero = [a for a in advantages if a != 0]
    if not nonzero:
        return 1.0
    observed = abs(sum(nonzero))
    extreme = sum(1 for signs in product((1, -1), repeat=len(nonzero))
                  if abs(sum(s * a for s, a in zip(signs, nonzero))) >= observed)
    return _round(Fraction(extreme, 2 ** len(nonzero)))


def shuffled_hits(predicted: list[str], observed: list[str], draws: int = 10000, seed: int = 1979) -> float:
    """Share of seeded shuffles of the responses in which the rule scores at least its actual hits."""
    actual = sum(p == o for p, o in zip(predicted, observed))
    rng, shuffled, at_least = random.Random(seed), list(observed), 0
    for _ in range(draws):
        rng.shuffle(shuffled)
        at_least += sum(p == o for p, o in zip(predicted, shuffled)) >= actual
    return _round(Fraction(at_least, draws))


def _determined(frame: pd.DataFrame, rule: str) -> pd.DataFrame:
    """A rule's rows where it makes one prediction from measured inputs."""
    mine = frame[(frame.rule == rule) & frame.measured & (frame.allowed != "") & ~frame.allowed.str.contains(";")]
    return mine.set_index("episode_id")


def tests_table(episodes: pd.DataFrame, predictions: pd.DataFrame, response: str = "settled") -> pd.DataFrame:
    """Every test the book reports, in every scope, for one response definition (``response`` labels the rows;
    pass the episodes and predictions of that definition, from :mod:`patron.definitions`)."""
    frame = episode_rows(episodes, predictions)
    client = episodes.set_index("episode_id").client
    rows = []
    for scope in SCOPES:
        mine = frame[frame.scope == scope]
        if mine.empty:
            continue
        for a, b in PAIRS:
            ra, rb = _determined(mine, a), _determined(mine, b)
            both = ra.index.intersection(rb.index)
            ha, hb = ra.loc[both, "hit"].astype(bool), rb.loc[both, "hit"].astype(bool)
            a_only, b_only = int((ha & ~hb).sum()), int((hb & ~ha).sum())
            per_client = (ha.astype(int) - hb.astype(int)).groupby(client.loc[both]).sum()
            clients = int(client.loc[both].nunique())
            note = (f"{len(both)} episodes where both predict from measured inputs; {a} alone right in {a_only}, "
                    f"{b} alone in {b_only}")
            rows.append({"name": f"{a} vs {b}: exact McNemar", "response": response, "scope": scope, "n": len(both),
                         "statistic": a_only - b_only, "p_value": mcnemar_two_sided(a_only, b_only), "note": note})
            rows.append({"name": f"{a} vs {b}: client sign-flip", "response": response, "scope": scope, "n": len(both),
                         "statistic": a_only - b_only, "p_value": sign_flip([int(v) for v in per_client]),
                         "note": f"{note}; {clients} clients, whose advantages are flipped as wholes"})
        typ = _determined(mine, "H_TYP")
        rows.append({"name": "H_TYP vs shuffled responses: permutation", "response": response, "scope": scope, "n": len(typ),
                     "statistic": int(typ.hit.astype(bool).sum()),
                     "p_value": shuffled_hits(list(typ.allowed), list(typ.observed)) if len(typ) else 1.0,
                     "note": "share of 10,000 seeded shuffles of the responses giving at least the typology's hits"})
    return pd.DataFrame(rows)


def all_tests(episodes: pd.DataFrame, evidence: pd.DataFrame, predictions: pd.DataFrame, armaments: pd.DataFrame,
              inputs: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``data/derived/tests.csv``: every test under every response definition."""
    from patron.definitions import DEFINITIONS, episodes_as, predictions_as

    frames = []
    for definition in DEFINITIONS:
        mine = episodes_as(definition, episodes, evidence)
        frames.append(tests_table(mine, predictions_as(definition, mine, predictions, armaments, inputs), definition))
    return pd.concat(frames, ignore_index=True)

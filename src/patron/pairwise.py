"""Which rule beats which, episode by episode.

Two rules that predict the same response in an episode cannot be told apart
there: only the episodes where they differ carry information about which is
better. For every pair of rules this module counts those episodes, how many
each alone got right, and an exact two-sided (McNemar) p-value: under the null
that the two are equally good, each episode that one alone gets right is a fair
coin. It replaces the old count of episodes where the typology "differs from
every baseline", which was zero by construction.

Two sets of episodes are compared: ``all`` (every episode where both rules make
a determined prediction) and ``measured`` (the episodes where both of the
typology's dimensions are measured).
"""

from __future__ import annotations

from fractions import Fraction
from itertools import combinations
from math import comb

import pandas as pd

from patron.coding import MEASURED
from patron.measured import episode_rows
from patron.scoring import SCOPES


def exact_two_sided(a_only: int, b_only: int) -> float:
    """The exact two-sided McNemar p-value (1.0 when no episode separates the two).

    >>> exact_two_sided(5, 0)
    0.0625
    """
    n = a_only + b_only
    if n == 0:
        return 1.0
    k = min(a_only, b_only)
    tail = Fraction(sum(comb(n, i) for i in range(k + 1)), 2 ** n)
    return round(float(min(Fraction(1), 2 * tail)), 4)


def pairwise_table(episodes: pd.DataFrame, predictions: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``data/derived/pairwise.csv``."""
    frame = episode_rows(episodes, predictions)
    rules = list(dict.fromkeys(frame.rule))  # the order of episode_rows: the typology first
    frame = frame[frame.allowed.str.count(";") == 0]  # a determined prediction: one response
    both = set(episodes.episode_id[episodes.entrapment.isin(MEASURED) & episodes.control.isin(MEASURED)])
    rows = []
    for scope in SCOPES:
        mine = frame[frame.scope == scope]
        if mine.empty:
            continue
        wide_pred = mine.pivot(index="episode_id", columns="rule", values="allowed")
        wide_hit = mine.pivot(index="episode_id", columns="rule", values="hit")
        for which in ("all", "measured"):
            index = [e for e in wide_pred.index if which == "all" or e in both]
            for a, b in combinations(rules, 2):
                if a not in wide_pred or b not in wide_pred:
                    continue
                pa, pb = wide_pred.loc[index, a], wide_pred.loc[index, b]
                ok = pa.notna() & pb.notna()
                differ = ok & (pa != pb)
                ha = wide_hit.loc[index, a].where(ok, False).astype(bool)
                hb = wide_hit.loc[index, b].where(ok, False).astype(bool)
                a_only, b_only = int((ha & ~hb).sum()), int((hb & ~ha).sum())
                rows.append({"rule_a": a, "rule_b": b, "scope": scope, "episodes": which,
                             "n": int(ok.sum()), "n_differ": int(differ.sum()),
                             "a_only_hits": a_only, "b_only_hits": b_only,
                             "p_value": exact_two_sided(a_only, b_only)})
    return pd.DataFrame(rows)

"""How far two blind coders agree, and how their disagreements are settled.

Every evidence item is tagged twice, independently, by coders who see only the
stripped item and the codebook (``data/tagging/``). Their agreement is
Krippendorff's alpha for nominal data, computed per field; their tags become
the ``adjudicated`` row by a rule fixed in advance, so that no one who knows
the responses settles a disagreement by judgement:

- ``perceiver``: the value both gave; if both named a US perceiver, the earlier
  of the two in the codebook's order (which US office does not change any
  coding); otherwise ``unknown``, which never counts;
- ``secondhand``: the value both gave, or else the more distant of the two;
- ``bears_on``: the value both gave, or else ``disputed``, which never counts;
- ``indicates``: the value both gave, or else ``unclear``; empty unless the
  adjudicated ``bears_on`` is entrapment or control.

So a disagreement can only take an item out of a coding, never put one in or
turn its direction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from fractions import Fraction

import pandas as pd

from patron.coding import DIMENSIONS, SECONDHAND, US_SIDE

PERCEIVERS: tuple[str, ...] = ("us-executive", "us-military", "us-intelligence", "us-congress", "client",
                               "adversary", "third-party", "press", "scholar", "unknown")
BEARS_ON: tuple[str, ...] = ("entrapment", "control", "regime", "threat", "response", "other")
INDICATES: tuple[str, ...] = ("high", "low", "unclear")
# What a coder may write in each field; the adjudicated row may also hold "disputed" in bears_on.
CODEBOOK: dict[str, tuple[str, ...]] = {"perceiver": PERCEIVERS, "secondhand": SECONDHAND, "bears_on": BEARS_ON,
                                        "indicates": ("", *INDICATES)}
TAG_FIELDS: tuple[str, ...] = tuple(CODEBOOK)
ADJUDICATED = "adjudicated"
DISPUTED = "disputed"


def adjudicate(a: dict[str, str], b: dict[str, str]) -> dict[str, str]:
    """The adjudicated tags of one item from its two codings, by the rule above.

    >>> adjudicate({"perceiver": "us-military", "secondhand": "direct", "bears_on": "control", "indicates": "high"},
    ...            {"perceiver": "us-executive", "secondhand": "summary", "bears_on": "control", "indicates": "low"})
    {'perceiver': 'us-executive', 'secondhand': 'summary', 'bears_on': 'control', 'indicates': 'unclear'}
    """
    if a["perceiver"] == b["perceiver"]:
        perceiver = a["perceiver"]
    elif a["perceiver"] in US_SIDE and b["perceiver"] in US_SIDE:
        perceiver = min(a["perceiver"], b["perceiver"], key=PERCEIVERS.index)
    else:
        perceiver = "unknown"
    secondhand = max(a["secondhand"], b["secondhand"], key=SECONDHAND.index)
    bears_on = a["bears_on"] if a["bears_on"] == b["bears_on"] else DISPUTED
    if bears_on in DIMENSIONS:
        indicates = a["indicates"] if a["indicates"] == b["indicates"] else "unclear"
    else:
        indicates = ""
    return {"perceiver": perceiver, "secondhand": secondhand, "bears_on": bears_on, "indicates": indicates}


def adjudicated_rows(tags: pd.DataFrame) -> pd.DataFrame:
    """The adjudicated row of every item that two coders tagged, in the order items first appear."""
    coders = tags[tags.coder != ADJUDICATED]
    rows = []
    for evidence_id, mine in coders.groupby("evidence_id", sort=False):
        if len(mine) != 2:
            raise ValueError(f"item {evidence_id} has {len(mine)} codings; the rule needs exactly two")
        a, b = (dict(zip(TAG_FIELDS, r)) for r in mine[list(TAG_FIELDS)].itertuples(index=False))
        rows.append({"evidence_id": evidence_id, "coder": ADJUDICATED, "round": mine["round"].iloc[0],
                     **adjudicate(a, b)})
    return pd.DataFrame(rows, columns=["evidence_id", "coder", "round", *TAG_FIELDS])


def alpha_nominal(units: Sequence[Sequence[str]]) -> Fraction:
    """Krippendorff's alpha for nominal data, exactly (as a fraction, so it cannot drift with float order).

    ``units`` holds, for each unit, the values its coders gave. Units with fewer
    than two values carry no information and are skipped. Alpha is
    1 - D_o / D_e: observed disagreement within units against the disagreement
    expected if the same values were paired at random.

    >>> alpha_nominal([["a", "a"], ["b", "b"], ["a", "b"]])
    Fraction(4, 9)
    """
    pairable = [list(u) for u in units if len(u) >= 2]
    coincidence: Counter[tuple[str, str]] = Counter()
    for values in pairable:
        m = len(values)
        for i, c in enumerate(values):
            for j, k in enumerate(values):
                if i != j:
                    coincidence[(c, k)] += Fraction(1, m - 1)
    n_c: Counter[str] = Counter()
    for (c, _), weight in coincidence.items():
        n_c[c] += weight
    n = sum(n_c.values())
    if n <= 1:
        raise ValueError("alpha needs at least one unit with two values")
    observed = sum(w for (c, k), w in coincidence.items() if c != k)
    expected = Fraction(sum(n_c[c] * n_c[k] for c in n_c for k in n_c if c != k), n - 1)
    if expected == 0:
        return Fraction(1)  # every value the same: no disagreement is possible, and none was seen
    return 1 - observed / expected


def reliability_table(tags: pd.DataFrame) -> pd.DataFrame:
    """Alpha per field over the two blind codings: the rows of ``data/derived/reliability.csv``.

    ``indicates`` is assessed on the items both coders put on the same dimension
    (elsewhere it is empty by rule), and ``perceiver_us`` on whether the view is a
    US one at all, the only distinction the coding rule draws.
    """
    coders = tags[tags.coder != ADJUDICATED]
    rows = []
    for round_no in sorted(coders["round"].unique(), key=int):
        mine = coders[coders["round"] == round_no]
        grouped = {e: g for e, g in mine.groupby("evidence_id", sort=False)}
        fields = {
            "perceiver": lambda g: list(g.perceiver),
            "perceiver_us": lambda g: ["us" if p in US_SIDE else "not-us" for p in g.perceiver],
            "secondhand": lambda g: list(g.secondhand),
            "bears_on": lambda g: list(g.bears_on),
            "indicates": lambda g: list(g.indicates) if g.bears_on.nunique() == 1 and
            g.bears_on.iloc[0] in DIMENSIONS else [],
        }
        for field, values in fields.items():
            units = [values(g) for g in grouped.values()]
            units = [u for u in units if len(u) >= 2]
            a = alpha_nominal(units)
            agree = sum(len(set(u)) == 1 for u in units)
            rows.append({"coding": "perception tags", "round": int(round_no), "field": field, "alpha": round(float(a), 3), "n": len(units),
                         "agreement": round(agree / len(units), 3)})
    return pd.DataFrame(rows)

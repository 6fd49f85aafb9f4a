"""What the United States did: three definitions of the response, coded blind by two coders.

The theory predicts the patron's *settled* response, but a patron often opens
with one response and ends with another, and the strongest pressure it applied
may differ from both. Each episode therefore carries three responses:

- **first**: the category of the first documented US act toward the armament;
- **strongest**: the most opposed category the United States took at any point
  (restraint over negotiation over bystanding);
- **settled**: the US position that held at the end of the episode.

The headline is the settled response, because it is what the typology's
proposition is about (the theory chapter's proposition 1.1): a reaction to
perceived threats once the patron has weighed them, not an opening move. The
first and strongest responses are sensitivities. The episode's ``decided_on``
is the settled response's date, so that the perceptions the rule counts are
those recorded before the decision the headline scores.

Two coders, who saw only the response codebook and each episode's response
record (``data/tagging/responses/``), coded every episode. Their codings become
the ``adjudicated`` row by a rule fixed before either returned:

- a category both gave stands; where they differ, a third coder, briefed
  identically, codes the episode blind and the majority stands; if all three
  differ the field is ``disputed`` and the episode is left out of that
  definition's scores;
- a date is the earlier of the dates given by the coders whose category stands
  (compared by the first day each could denote), so that no perception stated
  after the decision could count; if none gave a date, the episode's end.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import pandas as pd

from patron.coding import earliest
from patron.reliability import alpha_nominal

RESPONSE_FIELDS: tuple[str, ...] = ("first_response", "strongest_response", "settled_response")
DATE_FIELDS: dict[str, str] = {"first_response": "first_date", "settled_response": "settled_date"}
CATEGORIES: tuple[str, ...] = ("bystanding", "negotiation", "restraint")
ADJUDICATED, DISPUTED, THIRD = "adjudicated", "disputed", "C"
HEADLINE = "settled_response"


def precision_of(date: str) -> str:
    """The precision a partial date states: year, month or day."""
    return {1: "year", 2: "month", 3: "day"}[len(date.split("-"))]


def earlier(dates: Sequence[str]) -> str:
    """The earliest of partial dates, by the first day each could denote (ties: the more precise)."""
    given = [d for d in dates if isinstance(d, str) and d]
    if not given:
        return ""
    return min(given, key=lambda d: (earliest(d, precision_of(d)), -len(d)))


def adjudicate_episode(codings: pd.DataFrame, end: str) -> dict[str, str]:
    """The adjudicated row of one episode from its blind codings (two, or three where the two differ)."""
    row: dict[str, str] = {}
    two = codings[codings.coder != THIRD]
    for field in RESPONSE_FIELDS:
        values = list(two[field])
        if len(set(values)) == 1:
            value = values[0]
        else:
            counts = Counter(codings[field])
            top, n = counts.most_common(1)[0]
            value = top if n >= 2 else DISPUTED
        row[field] = value
        if field in DATE_FIELDS:
            stood = codings[codings[field] == value] if value != DISPUTED else codings
            row[DATE_FIELDS[field]] = earlier(list(stood[DATE_FIELDS[field]])) or str(end)
    return row


def needs_third(codings: pd.DataFrame) -> list[str]:
    """Episodes on which the two coders differ in any response field (a third coder settles them)."""
    two = codings[codings.coder.isin(["A", "B"])]
    differ = two.groupby("episode_id")[list(RESPONSE_FIELDS)].nunique().max(axis=1) > 1
    return sorted(differ[differ].index)


def adjudicated_rows(codings: pd.DataFrame, episodes: pd.DataFrame) -> pd.DataFrame:
    """The adjudicated row of every episode, in the order of ``episodes``."""
    ends = dict(zip(episodes.episode_id, episodes.end.astype(str)))
    rows = []
    for episode_id in episodes.episode_id:
        mine = codings[(codings.episode_id == episode_id) & (codings.coder != ADJUDICATED)]
        if mine.empty:
            continue
        rows.append({"episode_id": episode_id, "coder": ADJUDICATED, "round": mine["round"].iloc[0],
                     **adjudicate_episode(mine, ends[episode_id]),
                     "note": "By the stated rule from the blind codings."})
    return pd.DataFrame(rows)


def reliability_rows(codings: pd.DataFrame) -> pd.DataFrame:
    """Alpha per round and response field over the two first coders (a third, where used, is not counted)."""
    two = codings[codings.coder.isin(["A", "B"])]
    rows = []
    for round_no, mine in two.groupby(two["round"].astype(int), sort=True):
        for field in RESPONSE_FIELDS:
            units = [list(g[field]) for _, g in mine.groupby("episode_id")]
            units = [u for u in units if len(u) == 2]
            agree = sum(u[0] == u[1] for u in units)
            rows.append({"coding": "responses", "round": int(round_no), "field": field,
                         "alpha": round(float(alpha_nominal(units)), 3), "n": len(units),
                         "agreement": round(agree / len(units), 3)})
    return pd.DataFrame(rows)


def response_basis(codings: pd.DataFrame) -> str:
    """'absence' where both first coders found no dated US act and settled on bystanding (the no-act rule),
    'record' otherwise."""
    two = codings[codings.coder.isin(["A", "B"])]
    no_act = (two.settled_response == "bystanding") & (two.settled_date.fillna("") == "")
    return "absence" if len(two) == 2 and bool(no_act.all()) else "record"

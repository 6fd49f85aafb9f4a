"""Where the book looked for what US officials perceived, and what it found.

An absence is a finding only when the search that failed to find something is
on the record. ``data/searches.csv`` logs every search for an episode's
entrapment or control statements: the kind of collection, the query, and
whether it found an item, found nothing in a collection it could read
(``none``), or could not read the collection at all (``unreachable``).

From the log each episode's dimension gets one of four states, which the book
keeps apart:

- **found**: at least one search entered an item;
- **searched and absent**: no item was entered, and at least one collection
  that could be read held nothing;
- **unreachable**: every collection searched could not be read;
- **not searched**: the log has no search for it.

"Found" is about the search, not the coding: an item found may still be
ineligible (stated after the decision, or not a US view), and the coding is
then unmeasured all the same.
"""

from __future__ import annotations

import pandas as pd

from patron.coding import DIMENSIONS, MEASURED
from patron.scoring import SCOPES, in_scope

STATES: tuple[str, ...] = ("found", "searched and absent", "unreachable", "not searched")
PROTOCOL_KINDS = 4  # the protocol asks for at least four kinds of collection per episode and dimension


def state(results: pd.Series) -> str:
    """The state of one episode's dimension from its searches' results."""
    if results.empty:
        return "not searched"
    if (results == "found").any():
        return "found"
    if (results == "none").any():
        return "searched and absent"
    return "unreachable"


def status_table(episodes: pd.DataFrame, searches: pd.DataFrame) -> pd.DataFrame:
    """One row per episode and dimension: kinds of collection searched, results, state, and the coding."""
    rows = []
    for ep in episodes.itertuples():
        for dimension in DIMENSIONS:
            mine = searches[(searches.episode_id == ep.episode_id) & (searches.dimension == dimension)]
            rows.append({"episode_id": ep.episode_id, "dimension": dimension,
                         "kinds": mine.collection.nunique(), "searches": len(mine),
                         "found": int((mine.result == "found").sum()), "none": int((mine.result == "none").sum()),
                         "unreachable": int((mine.result == "unreachable").sum()),
                         "state": state(mine.result), "coding": getattr(ep, dimension)})
    return pd.DataFrame(rows)


def state_counts(episodes: pd.DataFrame, searches: pd.DataFrame) -> pd.DataFrame:
    """How many episode-dimensions are in each state, per scope, and how many of each are measured."""
    table = status_table(episodes, searches)
    rows = []
    for scope in SCOPES:
        mine = table[in_scope(table, scope)]
        for name in STATES:
            these = mine[mine.state == name]
            rows.append({"scope": scope, "state": name, "n": len(these),
                         "measured": int(these.coding.isin(MEASURED).sum())})
    return pd.DataFrame(rows)


def below_protocol(episodes: pd.DataFrame, searches: pd.DataFrame) -> pd.DataFrame:
    """Episode-dimensions searched in fewer kinds of collection than the protocol asks."""
    table = status_table(episodes, searches)
    return table[table.kinds < PROTOCOL_KINDS]

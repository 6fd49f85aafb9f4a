"""The coding rule: entrapment and control read from the evidence, blind to the response.

A coding that the analyst argues from all the evidence can lean, knowingly or
not, on what Washington went on to do. The rule below cannot. It counts only
*eligible* items, those that record what US officials perceived before they
decided. The tags it reads (perceiver, second-hand class, what an item bears on
and which way it points) are the adjudicated tags of two blind coders
(:mod:`patron.reliability`); the rule itself is:

1. the item records a US view (``perceiver`` is the executive, Congress, the
   military or intelligence), not the client's, an adversary's, a third
   party's, the press's or a scholar's;
2. the view reaches us in the perceiver's own words, or as a named official
   quoted, or as unnamed officials paraphrased by the press at the time
   (``secondhand``); the client's account of US views and a scholar's or
   archivist's summary do not count;
3. it bears on the dimension being coded (``bears_on`` is ``entrapment`` or
   ``control``): regime, threat and response items never count;
4. it was certainly stated on or before the episode's ``decided_on``: the
   latest day its ``stated_on`` could denote is no later than the earliest day
   ``decided_on`` could denote.

The level is the majority of the eligible items' ``indicates``: **high** if more
indicate high than low, **low** if more indicate low than high, a **tie** if
they balance, and **unmeasured** if no eligible item points either way (none
exists, or all are ``unclear``). A tie and an unmeasured dimension are not
levels: the typology makes no prediction from them (:func:`allowed`).

Version 0.4 of the book read a tie or an empty record as low. That reading is
kept only as a labelled sensitivity (``default_low``).

The ``margin`` says how fragile a coding is: the number of eligible items that
would have to indicate the other level to change it.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

US_SIDE: frozenset[str] = frozenset({"us-executive", "us-congress", "us-military", "us-intelligence"})
DIMENSIONS: tuple[str, str] = ("entrapment", "control")
# How a US view may reach us and still count; the order runs from nearest to farthest.
SECONDHAND: tuple[str, ...] = ("direct", "named-quoted", "unnamed-paraphrase", "client-account", "summary")
COUNTED_SECONDHAND: frozenset[str] = frozenset({"direct", "named-quoted", "unnamed-paraphrase"})
MEASURED: frozenset[str] = frozenset({"high", "low"})
UNMEASURED, TIE = "unmeasured", "tie"


def earliest(date: str, precision: str) -> dt.date:
    """The first day a partial date (YYYY, YYYY-MM or YYYY-MM-DD) could denote."""
    parts = [int(p) for p in date.split("-")]
    if precision == "year":
        return dt.date(parts[0], 1, 1)
    if precision == "month":
        return dt.date(parts[0], parts[1], 1)
    return dt.date(parts[0], parts[1], parts[2])


def latest(date: str, precision: str) -> dt.date:
    """The last day a partial date could denote."""
    parts = [int(p) for p in date.split("-")]
    if precision == "year":
        return dt.date(parts[0], 12, 31)
    if precision == "month":
        return dt.date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1])
    return dt.date(parts[0], parts[1], parts[2])


def stated_in_time(stated_on: str, stated_precision: str, decided_on: str, decided_precision: str,
                   strict: bool = False) -> bool:
    """Was the statement certainly made on or before the decision?

    Partial dates are read conservatively: an item stated "October 2012" does
    not count toward a decision of 5 October 2012, because it may have come after.
    With ``strict``, a statement made on the day of the decision does not count
    either, since it may belong to the decision record itself (a sensitivity
    analysis; the rule as published counts it).
    """
    last, first = latest(stated_on, stated_precision), earliest(decided_on, decided_precision)
    return last < first if strict else last <= first


# The forecast register was coded, and frozen, under version 0.4 of the rule: no second-hand
# condition, ties and empty records read as low. Registered rows are never recoded.
REGISTERED_VERSION = "0.4"
# Forecasts registered from this day on are coded by the current rule (version 0.5), from blind tags.
CURRENT_RULE_FROM = "2026-12-04"


def rule_version(registered_on: str) -> str:
    """The rule a forecast was registered under: 0.4 before the blind tags, 0.5 from then on."""
    return REGISTERED_VERSION if str(registered_on) < CURRENT_RULE_FROM else "0.5"


def ineligibility(item: Mapping[str, object], dimension: str, decided_on: str, decided_precision: str,
                  strict: bool = False, version: str = "0.5") -> str | None:
    """Why an item cannot count toward a coding of ``dimension``, or None if it can.

    The reasons are the rule's three conditions, checked in order, so a chapter
    can say of each context item why it does not count.
    """
    if item["bears_on"] != dimension:
        return f"bears on {item['bears_on']}"
    if item["perceiver"] not in US_SIDE:
        return f"not a US view ({item['perceiver']})"
    if version != REGISTERED_VERSION and item.get("secondhand") not in COUNTED_SECONDHAND:
        return f"second-hand ({item.get('secondhand')})"
    if not item.get("stated_on") or not isinstance(item["stated_on"], str):
        return "undated"
    if not stated_in_time(str(item["stated_on"]), str(item["stated_precision"]), decided_on, decided_precision,
                          strict):
        return "stated after the decision"
    return None


@dataclass(frozen=True)
class Coding:
    """The rule's result on one dimension of one episode."""

    level: str
    n_high: int
    n_low: int
    margin: int
    flag: str | None


def majority(indications: Iterable[str]) -> Coding:
    """Code a dimension from the eligible items' indications.

    >>> majority(["high", "high", "low"])
    Coding(level='high', n_high=2, n_low=1, margin=1, flag=None)
    >>> majority(["high", "low"]).level, majority([]).level, majority([]).flag
    ('tie', 'unmeasured', 'no eligible items')
    """
    values = list(indications)
    unknown = sorted(set(values) - {"high", "low", "unclear"})
    if unknown:
        raise ValueError(f"an eligible item must indicate 'high', 'low' or 'unclear', not {unknown[0]!r}")
    n_high, n_low = values.count("high"), values.count("low")
    if not values:
        return Coding(UNMEASURED, 0, 0, 1, "no eligible items")
    if n_high + n_low == 0:
        return Coding(UNMEASURED, 0, 0, 1, "only unclear items")
    if n_high == n_low:
        return Coding(TIE, n_high, n_low, 1, "tie")
    # flipping k items of the majority gives a tie or the other level: ceil(difference / 2)
    return Coding("high" if n_high > n_low else "low", n_high, n_low, -(-abs(n_high - n_low) // 2), None)


def default_low(level: str) -> str:
    """Version 0.4's reading, kept as a labelled sensitivity: a tie or an empty record is low."""
    return level if level in MEASURED else "low"


def allowed(entrapment: str, control: str) -> tuple[str, ...]:
    """The responses the typology allows given what is measured, in the order of the responses.

    A measured pair gives one response; an unmeasured or tied dimension could be
    either level, so the typology allows every response either filling gives.

    >>> allowed("high", "low"), allowed("high", "unmeasured")
    (('negotiation',), ('negotiation', 'restraint'))
    """
    from patron.typology import Response, classify

    fillings = [(e, c) for e in (("high", "low") if entrapment not in MEASURED else (entrapment,))
                for c in (("high", "low") if control not in MEASURED else (control,))]
    found = {classify(e, c).value for e, c in fillings}
    return tuple(r.value for r in Response if r.value in found)


def eligible_items(evidence: pd.DataFrame, dimension: str, decided_on: str, decided_precision: str,
                   strict: bool = False, version: str = "0.5") -> pd.DataFrame:
    """The items that may count toward a coding of ``dimension``, in file order."""
    keep = [ineligibility(row, dimension, decided_on, decided_precision, strict, version) is None
            for row in evidence.to_dict("records")]
    return evidence[pd.Series(keep, index=evidence.index, dtype=bool)]  # a plain [] would select no columns


def code_items(evidence: pd.DataFrame, decided_on: str, decided_precision: str,
               strict: bool = False, version: str = "0.5") -> dict[str, tuple[Coding, list[str]]]:
    """Both dimensions coded from a set of items: each Coding with its eligible ids.

    ``version="0.4"`` applies the rule the forecast register was frozen under.
    """
    result = {}
    for dimension in DIMENSIONS:
        eligible = eligible_items(evidence, dimension, decided_on, decided_precision, strict, version)
        coding = majority(eligible.indicates)
        if version == REGISTERED_VERSION and coding.level not in MEASURED:
            coding = Coding("low", coding.n_high, coding.n_low, coding.margin, coding.flag)
        result[dimension] = (coding, list(eligible.evidence_id))
    return result


def coding_table(episodes: pd.DataFrame, evidence: pd.DataFrame, strict: bool = False) -> pd.DataFrame:
    """The rule applied to every episode: the content of ``data/derived/codings.csv``
    (with ``strict``, the sensitivity that drops statements made on the decision day)."""
    rows = []
    for ep in episodes.itertuples():
        mine = evidence[evidence.episode_id == ep.episode_id]
        for dimension, (coding, ids) in code_items(mine, ep.decided_on, ep.decided_precision, strict).items():
            rows.append({"episode_id": ep.episode_id, "dimension": dimension, "level": coding.level,
                         "n_high": coding.n_high, "n_low": coding.n_low, "eligible_ids": ";".join(ids) or None,
                         "margin": coding.margin, "flag": coding.flag})
    return pd.DataFrame(rows)


def context_items(evidence: pd.DataFrame, decided_on: str, decided_precision: str) -> pd.DataFrame:
    """Entrapment and control items that do not count, each with the reason:
    what a chapter may show as context, marked as such."""
    rows = []
    for row in evidence.to_dict("records"):
        if row["bears_on"] not in DIMENSIONS:
            continue
        reason = ineligibility(row, row["bears_on"], decided_on, decided_precision)
        if reason is not None:
            rows.append({**row, "reason": reason})
    return pd.DataFrame(rows, columns=[*evidence.columns, "reason"])

"""Forecasts: registered before the event, scored after it.

A forecast says what the typology (and each rival and baseline) predicts for
an ally arming now, with a probability that the predicted response is the one
observed by a stated date. This module holds the two pieces of arithmetic:

- **the scheme** that turns a rule's record into a probability at registration:
  the rule's hit rate over every scored episode, with Laplace's correction,
  ``(hits + 1) / (n + 2)``; where the rule's prediction rests on the coding
  rule's default (no usable signal on a dimension, only unclear ones, or a tie,
  all of which the rule codes low by default), the probability is moved
  halfway toward 1/3, the chance of naming one of three responses blindly;
- **the scores** once forecasts resolve: the hit rate, the Brier score
  ``(p - o)^2`` and the logarithmic score ``ln p`` if the predicted response was
  observed, ``ln (1 - p)`` if not (higher is better), averaged over the
  resolved forecasts that are not void.

A void forecast (the client did not take the trajectory) is scored for no one.
"""

from __future__ import annotations

import math
from math import fsum
from collections.abc import Mapping

import pandas as pd

from patron.coding import code_items, rule_version

BLIND = 1 / 3
DEFAULT_FLAGS = ("no eligible items", "only unclear items", "tie")  # codings that are the rule's default


# Columns a forecast may gain after registration; every other column is frozen.
RESOLUTION_FIELDS = ("outcome", "resolved_on", "resolution_source")


def register_digest(forecast: dict[str, str], predictions: list[dict[str, str]]) -> str:
    """A fingerprint of a forecast as registered: its frozen columns and its rules' predictions.

    Stored in ``forecast_digests.csv`` when the forecast is registered; the validator
    recomputes it, so an edited registered row is caught. Corrections go in
    ``forecast_amendments.csv`` instead.
    """
    import hashlib
    import json

    frozen = {k: (v or "") for k, v in forecast.items() if k not in RESOLUTION_FIELDS}
    rows = sorted(({k: (v or "") for k, v in r.items()} for r in predictions), key=lambda r: r["rule"])
    text = json.dumps({"forecast": frozen, "predictions": rows}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def laplace(hits: int, n: int) -> float:
    """A hit rate with Laplace's correction: never 0 or 1, and 1/2 with no record."""
    if not 0 <= hits <= n:
        raise ValueError(f"hits must be between 0 and n, not {hits} of {n}")
    return (hits + 1) / (n + 2)


def scheme_probability(hits: int, n: int, defaulted: bool) -> float:
    """The probability the scheme gives a rule's prediction, rounded to three places."""
    p = laplace(hits, n)
    return round((p + BLIND) / 2 if defaulted else p, 3)


def brier(p: float, hit: bool) -> float:
    """The Brier score of one forecast: 0 is perfect, 1 the worst possible."""
    return (p - (1.0 if hit else 0.0)) ** 2


def log_score(p: float, hit: bool) -> float:
    """The logarithmic score of one forecast (natural log; 0 is perfect)."""
    return math.log(p if hit else 1 - p)


def forecast_codings(forecasts: pd.DataFrame, signals: pd.DataFrame) -> pd.DataFrame:
    """The coding rule applied to each forecast's signals, with the registration date
    as the decision date: the same function that codes every episode."""
    rows = []
    items = signals.rename(columns={"signal_id": "evidence_id"})
    for f in forecasts.itertuples():
        coded = code_items(items[items.forecast_id == f.forecast_id], f.registered_on, "day",
                           version=rule_version(f.registered_on))
        for dimension, (coding, ids) in coded.items():
            rows.append({"forecast_id": f.forecast_id, "dimension": dimension, "level": coding.level,
                         "n_high": coding.n_high, "n_low": coding.n_low, "eligible_ids": ";".join(ids) or None,
                         "margin": coding.margin, "flag": coding.flag})
    return pd.DataFrame(rows)


def score_forecasts(forecasts: pd.DataFrame, predictions: pd.DataFrame,
                    outcomes: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Hit rate, mean Brier and mean log score of every rule over the resolved forecasts.

    ``outcomes`` (forecast id -> observed response or 'void') overrides the register's
    own ``outcome`` column: this is how the tests score made-up resolutions.
    """
    observed = dict(zip(forecasts.forecast_id, forecasts.outcome))
    if outcomes is not None:
        observed.update(outcomes)
    scored = {f: o for f, o in observed.items() if isinstance(o, str) and o and o != "void"}
    rows = []
    for rule, mine in predictions.groupby("rule", sort=False):
        mine = mine[mine.forecast_id.isin(scored)]
        hits = [p == scored[f] for f, p in zip(mine.forecast_id, mine.predicted_response)]
        probs = list(mine.probability.astype(float))
        n = len(hits)
        rows.append({"rule": rule, "resolved": n, "hits": sum(hits),
                     "hit_rate": sum(hits) / n if n else None,
                     "brier": fsum(brier(p, h) for p, h in zip(probs, hits)) / n if n else None,
                     "log_score": fsum(log_score(p, h) for p, h in zip(probs, hits)) / n if n else None})
    return pd.DataFrame(rows)


def status(forecasts: pd.DataFrame, today: str) -> pd.Series:
    """Each forecast's status on a given day: resolved (with its outcome), open, or overdue."""
    day = pd.Timestamp(today)
    out = []
    for f in forecasts.itertuples():
        if isinstance(f.outcome, str) and f.outcome:
            out.append(f"resolved: {f.outcome}")
        elif pd.Timestamp(f.resolve_by) < day:
            out.append("overdue: to be resolved")
        else:
            out.append(f"open until {f.resolve_by}")
    return pd.Series(out, index=forecasts.index)


# --- Version 0.5: case-specific prices -------------------------------------------------------------------
#
# From 2026-12-04 a forecast's price is specific to the case. A rule that reads the perceptions (the typology,
# the one-dimensional rivals and baselines) is priced over every filling of the dimensions the signals leave
# unmeasured, each filling weighted by how often that dimension is coded high where it is measured in the
# book's episodes; within a filling, the rule's prediction comes true with its hit rate where its inputs were
# measured (Laplace-corrected) and each other response shares the rest. The forecast's prediction is the most
# probable response, and its price that probability. A rule that reads no perception is priced by its hit rate
# over the episodes where it predicted. The record read is stored with the registration (forecast_basis.csv).

READS_PERCEPTIONS: dict[str, tuple[str, ...]] = {"H_TYP": ("entrapment", "control"), "H_CTL": ("control",),
                                                 "H_ASDW": ("entrapment",), "BASE_E_ONLY": ("entrapment",),
                                                 "BASE_C_ONLY": ("control",)}
RESPONSE_ORDER = ("bystanding", "negotiation", "restraint")


def _predict(rule: str, entrapment: str, control: str) -> str:
    from patron.typology import classify

    if rule == "H_TYP":
        return classify(entrapment, control).value
    level = control if READS_PERCEPTIONS[rule] == ("control",) else entrapment
    return {"high": "restraint", "low": "bystanding"}[level]


def case_distribution(rule: str, entrapment: str, control: str, prior_high: Mapping[str, float],
                      p_hit: float) -> dict[str, float]:
    """P(each response) for a rule that reads the perceptions, marginalised over the unmeasured ones."""
    options = {}
    for dimension, level in (("entrapment", entrapment), ("control", control)):
        if level in ("high", "low"):
            options[dimension] = [(level, 1.0)]
        else:
            q = prior_high[dimension]
            options[dimension] = [("high", q), ("low", 1 - q)]
    out = {r: 0.0 for r in RESPONSE_ORDER}
    for e, we in options["entrapment"]:
        for c, wc in options["control"]:
            predicted = _predict(rule, e, c)
            for r in RESPONSE_ORDER:
                out[r] += we * wc * (p_hit if r == predicted else (1 - p_hit) / 2)
    return out


def case_price(rule: str, entrapment: str, control: str, prior_high: Mapping[str, float],
               hits: int, n: int) -> tuple[str, float]:
    """The most probable response and its probability, rounded to three places (ties: the earlier response)."""
    dist = case_distribution(rule, entrapment, control, prior_high, laplace(hits, n))
    best = max(RESPONSE_ORDER, key=lambda r: (round(dist[r], 9), -RESPONSE_ORDER.index(r)))
    return best, round(dist[best], 3)

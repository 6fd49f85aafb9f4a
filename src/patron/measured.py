"""How the rules score once an unmeasured perception is treated as missing.

The typology reads two perceptions. Where the record holds no eligible US
statement on a dimension, that dimension is *unmeasured*, and the typology's
prediction there is not a prediction: it is the set of responses that the
measured inputs allow (:func:`patron.coding.allowed`). So each rule is scored
four ways, all on the same footing as its baselines:

- **coverage**: in how many episodes both, one or no dimension was measured;
- **hits where measured**: on the episodes where every input the rule reads is
  measured, beside every baseline on those same episodes, including the
  commonest response of the *other* episodes (leave-one-out), which does not
  see the episode it predicts;
- **proper scores**: the Brier score and the log score of a probability over
  the three responses. A rule spreads its probability evenly over the
  responses it allows, mixed with a small even share (``EPSILON``) for the
  others, so that a confident miss costs a finite amount. The leave-one-out base
  rate (the other episodes' responses, plus one of each) is the yardstick;
- **bounds**: the fewest and the most hits over every way of filling the
  unmeasured codings.

Rules that read no perception (the commonest response, the regime, threat,
burden-sharing and strong security-dilemma rivals, whose predictions come from
``predictions.csv``) are measured everywhere. Rules that read one perception
are computed from the codings, so a rival that reads only control *is* the
control-only baseline, and is reported as such.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from fractions import Fraction

import pandas as pd

from patron.coding import MEASURED, allowed
from patron.scoring import RESPONSES, SCOPES, in_scope, modal_response, one_dimension

EPSILON = Fraction(1, 10)  # the even share a rule keeps for responses it rules out
# Which codings each rule reads. Rules not listed read none of them.
READS: dict[str, tuple[str, ...]] = {"H_TYP": ("entrapment", "control"), "H_CTL": ("control",),
                                     "H_ASDW": ("entrapment",), "BASE_E_ONLY": ("entrapment",),
                                     "BASE_C_ONLY": ("control",)}
# A rival defined as a one-dimensional rule over the codings is that baseline.
SAME_AS: dict[str, str] = {"H_CTL": "BASE_C_ONLY", "H_ASDW": "BASE_E_ONLY"}
LOO_MODAL = "BASE_LOO_MODAL"
LOO_RATE = "BASE_LOO_RATE"


def coded_allowed(rule: str, entrapment: str, control: str, fixed: str | None) -> tuple[str, ...]:
    """The responses a rule allows in one episode.

    ``fixed`` is the prediction recorded in ``predictions.csv`` (for rules that read no coding).
    """
    if rule in ("H_TYP",):
        return allowed(entrapment, control)
    if rule in ("BASE_E_ONLY", "H_ASDW", "BASE_C_ONLY", "H_CTL"):
        level = entrapment if READS[rule] == ("entrapment",) else control
        if level in MEASURED:
            return (one_dimension(level),)
        return ("bystanding", "restraint")
    if fixed is None:
        raise KeyError(f"no recorded prediction for {rule}")
    if not isinstance(fixed, str) or not fixed:
        return RESPONSES  # a rival whose rule makes no prediction here (outside its scope) allows anything
    return (fixed,)


def measured_for(rule: str, entrapment: str, control: str) -> bool:
    """Is every coding the rule reads measured in this episode?"""
    levels = {"entrapment": entrapment, "control": control}
    return all(levels[d] in MEASURED for d in READS.get(rule, ()))


def probabilities(allowed_set: Sequence[str], epsilon: Fraction = EPSILON) -> dict[str, Fraction]:
    """Even over the allowed responses, with ``epsilon`` spread evenly over all three."""
    share = (1 - epsilon) / len(allowed_set)
    return {r: epsilon / len(RESPONSES) + (share if r in allowed_set else 0) for r in RESPONSES}


def brier(p: Mapping[str, Fraction], observed: str) -> Fraction:
    """The multi-category Brier score: squared distance to the observed response (0 is perfect, 2 the worst)."""
    return sum(((p[r] - (1 if r == observed else 0)) ** 2 for r in RESPONSES), Fraction(0))


def loo_rate(observed: Sequence[str], i: int) -> dict[str, Fraction]:
    """The other episodes' responses as a probability, each response counted once more (so none is zero)."""
    counts = Counter(o for j, o in enumerate(observed) if j != i)
    total = sum(counts.values()) + len(RESPONSES)
    return {r: Fraction(counts[r] + 1, total) for r in RESPONSES}


def loo_modal(observed: Sequence[str], i: int) -> str:
    """The commonest response of the other episodes (ties to the earlier response)."""
    return modal_response([o for j, o in enumerate(observed) if j != i])


def episode_rows(episodes: pd.DataFrame, predictions: pd.DataFrame) -> pd.DataFrame:
    """One row per episode and rule: what it allows, whether its inputs are measured, its probability
    for the observed response, its Brier score and whether it hits (only where measured)."""
    fixed = predictions.set_index(["episode_id", "hypothesis_id"]).predicted_response
    rules = list(dict.fromkeys([*predictions.hypothesis_id, "H_TYP", "H_CTL", "H_ASDW", "BASE_MODAL",
                                "BASE_E_ONLY", "BASE_C_ONLY", LOO_MODAL, LOO_RATE]))
    rows = []
    for scope in SCOPES:
        mine = episodes[in_scope(episodes, scope)].reset_index(drop=True)
        if mine.empty:
            continue
        observed = list(mine.observed_response)
        mode = modal_response(observed)
        for i, ep in enumerate(mine.itertuples()):
            for rule in rules:
                if rule == LOO_RATE:
                    p = loo_rate(observed, i)
                    allowed_set: tuple[str, ...] = tuple(r for r in RESPONSES if p[r] == max(p.values()))
                    measured = True
                else:
                    if rule == "BASE_MODAL":
                        allowed_set = (mode,)
                    elif rule == LOO_MODAL:
                        allowed_set = (loo_modal(observed, i),)
                    else:
                        allowed_set = coded_allowed(rule, ep.entrapment, ep.control,
                                                    fixed.get((ep.episode_id, rule)))
                    measured = measured_for(rule, ep.entrapment, ep.control) and len(allowed_set) < len(RESPONSES)
                    p = probabilities(allowed_set)
                rows.append({"scope": scope, "episode_id": ep.episode_id, "rule": rule,
                             "allowed": ";".join(allowed_set), "measured": measured,
                             "observed": ep.observed_response, "p_observed": p[ep.observed_response],
                             "brier": brier(p, ep.observed_response),
                             "hit": measured and len(allowed_set) == 1 and allowed_set[0] == ep.observed_response,
                             "can_hit": ep.observed_response in allowed_set})
    return pd.DataFrame(rows)


def _mean(values: Sequence[Fraction]) -> Fraction:
    return sum(values, Fraction(0)) / len(values)


def score_rows(episodes: pd.DataFrame, predictions: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``data/derived/scores.csv``: every rule in every scope.

    ``hits`` counts episodes where the rule's prediction is determined and right;
    ``measured_n`` and ``measured_hits`` restrict to episodes where its inputs are measured
    (for a rule that reads no coding, every episode); ``hits_min`` and ``hits_max`` are the
    bounds over every filling of the unmeasured codings; ``brier`` and ``log_score`` are means
    over all episodes (lower Brier and higher log score are better). Scores are rounded to
    three decimals from exact fractions, so they do not depend on summation order.
    """
    frame = episode_rows(episodes, predictions)
    rows = []
    for (scope, rule), mine in frame.groupby(["scope", "rule"], sort=False):
        measured = mine[mine.measured]
        unmeasured = mine[~mine.measured]
        log = math.fsum(math.log(float(p)) for p in mine.p_observed) / len(mine)
        rows.append({"rule": rule, "scope": scope, "hits": int(mine.hit.sum()), "n": len(mine),
                     "measured_n": len(measured), "measured_hits": int(measured.hit.sum()),
                     "hits_min": int(measured.hit.sum()) if rule != LOO_RATE else None,
                     "hits_max": int(measured.hit.sum() + unmeasured.can_hit.sum()) if rule != LOO_RATE else None,
                     "brier": round(float(_mean(list(mine.brier))), 3), "log_score": round(log, 3),
                     "same_as": SAME_AS.get(rule)})
    out = pd.DataFrame(rows)
    out["hits_min"] = out["hits_min"].astype("Int64")
    out["hits_max"] = out["hits_max"].astype("Int64")
    return out


def coverage(episodes: pd.DataFrame) -> pd.DataFrame:
    """Episodes per scope with both, one or no dimension measured, and how many measure each dimension."""
    rows = []
    for scope in SCOPES:
        mine = episodes[in_scope(episodes, scope)]
        if mine.empty:
            continue
        e = mine.entrapment.isin(MEASURED)
        c = mine.control.isin(MEASURED)
        rows.append({"scope": scope, "n": len(mine), "both": int((e & c).sum()), "one": int((e ^ c).sum()),
                     "none": int((~e & ~c).sum()), "entrapment": int(e.sum()), "control": int(c.sum())})
    return pd.DataFrame(rows)


def on_measured(episodes: pd.DataFrame, predictions: pd.DataFrame, rule: str = "H_TYP",
                scope: str = "all") -> pd.DataFrame:
    """Every rule's hits on the episodes where ``rule``'s inputs are measured (the same episodes for all)."""
    frame = episode_rows(episodes, predictions)
    frame = frame[frame.scope == scope]
    chosen = frame[(frame.rule == rule) & frame.measured].episode_id
    same = frame[frame.episode_id.isin(chosen)]
    return (same.groupby("rule", sort=False)
            .agg(n=("hit", "size"), hits=("hit", "sum"))
            .reset_index().astype({"hits": int}))


def default_low_scores(episodes: pd.DataFrame) -> pd.DataFrame:
    """Version 0.4's scoring, as a labelled sensitivity: ties and empty records read as low."""
    from patron.coding import default_low
    from patron.typology import classify

    rows = []
    for scope in SCOPES:
        mine = episodes[in_scope(episodes, scope)]
        if mine.empty:
            continue
        hits = sum(classify(default_low(e), default_low(c)).value == o
                   for e, c, o in zip(mine.entrapment, mine.control, mine.observed_response))
        rows.append({"scope": scope, "n": len(mine), "hits": int(hits)})
    return pd.DataFrame(rows)

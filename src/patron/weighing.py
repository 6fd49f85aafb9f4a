"""Weighing evidence between rival hypotheses, in decibans (explicit Bayesian
process tracing in the manner of Fairfield and Charman).

The analyst judges, for each evidence item E and hypothesis H, how probable E
would be if H were true: P(E | H), conditioned on the items weighed before it.
Everything else is arithmetic, done here so that a reader can recompute it:

- the weight of evidence of E for H against a rival R is
  ``10 * log10(P(E | H) / P(E | R))`` decibans (positive favours H);
- weights add: posterior log-odds = prior log-odds + the sum of the weights;
- posteriors follow by normalising over the (mutually exclusive) hypotheses.

Only ratios of likelihoods matter. Posteriors are conditional on the set of
hypotheses considered.
"""

from __future__ import annotations

import math
from math import fsum
from collections.abc import Mapping, Sequence
from enum import StrEnum

import pandas as pd

Likelihoods = Mapping[str, float]  # hypothesis -> P(E | H) for one item

# A display convention, not a finding: how large a weight counts as "large"
# when naming Van Evera's tests. Change it and the names change; the numbers don't.
LARGE_DB = 10.0


def db(ratio: float) -> float:
    """A ratio in decibans: 10·log10(ratio). A factor of 2 is about 3 dB, 10 is 10 dB."""
    if ratio <= 0:
        raise ValueError(f"a ratio must be positive to be expressed in decibans, not {ratio}")
    return 10.0 * math.log10(ratio)


def _check_probability(p: float, what: str) -> None:
    if not 0 < p <= 1:
        raise ValueError(f"{what} must be a probability in (0, 1], not {p}")


def weight_db(p_e_given_h: float, p_e_given_rival: float) -> float:
    """Weight of evidence for H against a rival, in decibans."""
    _check_probability(p_e_given_h, "P(E | H)")
    _check_probability(p_e_given_rival, "P(E | rival)")
    return db(p_e_given_h / p_e_given_rival)


def log_odds(priors: Mapping[str, float], items: Sequence[Likelihoods], reference: str,
             scale: float = 1.0) -> dict[str, float]:
    """Posterior log-odds of each hypothesis against ``reference``, in decibans.

    ``scale`` multiplies every item's weight (1 = as judged; 0.5 = every
    likelihood ratio pulled halfway to 1 on the log scale; 2 = squared).
    """
    for h, p in priors.items():
        _check_probability(p, f"the prior of {h}")
    totals = {h: db(priors[h] / priors[reference]) for h in priors}
    for item in items:
        for h in totals:
            totals[h] += scale * weight_db(item[h], item[reference])
    return totals


def posteriors(priors: Mapping[str, float], items: Sequence[Likelihoods], scale: float = 1.0) -> dict[str, float]:
    """Posterior probability of each hypothesis, given the items weighed in turn."""
    reference = next(iter(priors))
    totals = log_odds(priors, items, reference, scale)
    peak = max(totals.values())
    unnormalised = {h: 10 ** ((v - peak) / 10) for h, v in totals.items()}
    z = fsum(unnormalised.values())
    return {h: u / z for h, u in unnormalised.items()}


def cumulative_log_odds(priors: Mapping[str, float], items: Sequence[Likelihoods],
                        reference: str) -> list[dict[str, float]]:
    """Log-odds against ``reference`` after the prior and after each item in turn."""
    return [log_odds(priors, items[:n], reference) for n in range(len(items) + 1)]


class VanEvera(StrEnum):
    """Van Evera's four tests, read off the weights of finding and of not finding E."""

    STRAW_IN_THE_WIND = "straw in the wind"
    HOOP = "hoop"
    SMOKING_GUN = "smoking gun"
    DOUBLY_DECISIVE = "doubly decisive"


def van_evera(p_e_given_h: float, p_e_given_rival: float, large_db: float = LARGE_DB) -> VanEvera:
    """Name the test an item sets H against a rival, as ranges of likelihood ratios.

    - found-weight = weight of finding E; absent-weight = weight of not finding it.
    - hoop: not finding E would be large evidence against H (absent ≤ −large), finding it is not large;
    - smoking gun: finding E is large evidence for H (found ≥ +large), its absence is not large;
    - doubly decisive: both; straw in the wind: neither.
    """
    found = weight_db(p_e_given_h, p_e_given_rival)
    absent_h, absent_r = 1 - p_e_given_h, 1 - p_e_given_rival
    if absent_h == 0:
        absent = -math.inf  # H makes E certain: not finding it rules H out
    elif absent_r == 0:
        absent = math.inf
    else:
        absent = db(absent_h / absent_r)
    passes_hoop = absent <= -large_db
    smoking = found >= large_db
    if passes_hoop and smoking:
        return VanEvera.DOUBLY_DECISIVE
    if passes_hoop:
        return VanEvera.HOOP
    if smoking:
        return VanEvera.SMOKING_GUN
    return VanEvera.STRAW_IN_THE_WIND


# --- Sensitivity ------------------------------------------------------------------------


def prior_sensitivity(prior_sets: Mapping[str, Mapping[str, float]],
                      items: Sequence[Likelihoods]) -> dict[str, dict[str, float]]:
    """Posteriors under each named set of priors."""
    return {name: posteriors(priors, items) for name, priors in prior_sets.items()}


def scale_sensitivity(priors: Mapping[str, float], items: Sequence[Likelihoods],
                      scales: Sequence[float]) -> dict[float, dict[str, float]]:
    """Posteriors when every likelihood ratio is scaled (on the log scale) by each factor."""
    return {s: posteriors(priors, items, scale=s) for s in scales}


def leave_one_out(priors: Mapping[str, float], items: Sequence[Likelihoods]) -> list[dict[str, float]]:
    """Posteriors with each item left out in turn (entry i omits item i)."""
    return [posteriors(priors, [it for j, it in enumerate(items) if j != i]) for i in range(len(items))]


def most_influential(priors: Mapping[str, float], items: Sequence[Likelihoods], hypothesis: str,
                     n: int = 3) -> list[int]:
    """Indices of the ``n`` items whose omission moves ``hypothesis``'s posterior most."""
    full = posteriors(priors, items)[hypothesis]
    shifts = [abs(p[hypothesis] - full) for p in leave_one_out(priors, items)]
    return sorted(range(len(items)), key=lambda i: -shifts[i])[:n]


# --- From the data files ----------------------------------------------------------------
# The functions below read the validated frames of priors.csv, likelihoods.csv,
# evidence.csv and hypotheses.csv, and apply the arithmetic above episode by episode,
# weighing items in the order evidence.csv lists them.


def weighed(hypotheses: Sequence[str], likelihoods: pd.DataFrame) -> list[str]:
    """The hypotheses, in order, that have judged likelihoods: the rivals added after the judgements
    (``weighed`` no in hypotheses.csv) are scored on their predictions but not weighed. The weighing
    functions likewise read only the items that have judged likelihoods: those of the episodes coded
    before the draw (the drawn episodes are scored, not weighed)."""
    have = set(likelihoods.hypothesis_id)
    return [h for h in hypotheses if h in have]


def episode_priors(priors: pd.DataFrame, episode_id: str, order: Sequence[str]) -> dict[str, float]:
    """The priors of one episode, in hypothesis order."""
    mine = priors[priors.episode_id == episode_id].set_index("hypothesis_id")["prior"]
    return {h: float(mine[h]) for h in order}


def episode_items(likelihoods: pd.DataFrame, evidence: pd.DataFrame, episode_id: str,
                  order: Sequence[str]) -> tuple[list[str], list[dict[str, float]]]:
    """The evidence ids of an episode and, for each, P(E | H) by hypothesis."""
    ids = list(evidence.loc[evidence.episode_id == episode_id, "evidence_id"])
    table = likelihoods.pivot(index="evidence_id", columns="hypothesis_id", values="likelihood")
    return ids, [{h: float(table.loc[i, h]) for h in order} for i in ids]


def posterior_table(priors: pd.DataFrame, likelihoods: pd.DataFrame, evidence: pd.DataFrame,
                    hypotheses: Sequence[str]) -> pd.DataFrame:
    """Prior, posterior and weight of evidence against the strongest rival,
    for every episode and hypothesis (the content of data/derived/posteriors.csv)."""
    hypotheses = weighed(hypotheses, likelihoods)
    evidence = evidence[evidence.evidence_id.isin(set(likelihoods.evidence_id))]
    rows = []
    for episode_id in dict.fromkeys(evidence.episode_id):
        prior = episode_priors(priors, episode_id, hypotheses)
        _, items = episode_items(likelihoods, evidence, episode_id, hypotheses)
        post = posteriors(prior, items)
        for h in hypotheses:
            rival = max((r for r in hypotheses if r != h), key=lambda r: post[r])
            weight = fsum(weight_db(it[h], it[rival]) for it in items)
            rows.append({"episode_id": episode_id, "hypothesis_id": h, "prior": round(prior[h], 6),
                         "posterior": round(post[h], 6), "weight_db": round(weight, 3)})
    return pd.DataFrame(rows, columns=["episode_id", "hypothesis_id", "prior", "posterior", "weight_db"])


def item_weights(likelihoods: pd.DataFrame, evidence: pd.DataFrame, hypotheses: Sequence[str],
                 reference: str) -> pd.DataFrame:
    """The weight of every item for ``reference`` against each rival, in decibans,
    with the item's running total within its episode."""
    hypotheses = weighed(hypotheses, likelihoods)
    evidence = evidence[evidence.evidence_id.isin(set(likelihoods.evidence_id))]
    table = likelihoods.pivot(index="evidence_id", columns="hypothesis_id", values="likelihood")
    rows = []
    for episode_id, items in evidence.groupby("episode_id", sort=False):
        running = {r: 0.0 for r in hypotheses if r != reference}
        for position, item in enumerate(items.itertuples(), start=1):
            for rival in running:
                w = weight_db(table.loc[item.evidence_id, reference], table.loc[item.evidence_id, rival])
                running[rival] += w
                rows.append({"episode_id": episode_id, "evidence_id": item.evidence_id, "position": position,
                             "rival": rival, "weight_db": round(w, 3), "cumulative_db": round(running[rival], 3),
                             "claim": item.claim, "test": van_evera(table.loc[item.evidence_id, reference],
                                                                    table.loc[item.evidence_id, rival]).value})
    return pd.DataFrame(rows)


def sensitivity_table(priors: pd.DataFrame, likelihoods: pd.DataFrame, evidence: pd.DataFrame,
                      hypotheses: Sequence[str], focus: str,
                      prior_sets: Mapping[str, Mapping[str, float]], scales: Sequence[float],
                      n_influential: int = 3) -> pd.DataFrame:
    """The posterior of ``focus`` in every episode under varied judgements:
    each named set of priors, each likelihood-ratio scale, and with each of the
    ``n_influential`` most influential items left out in turn."""
    hypotheses = weighed(hypotheses, likelihoods)
    evidence = evidence[evidence.evidence_id.isin(set(likelihoods.evidence_id))]
    rows = []
    for episode_id in dict.fromkeys(evidence.episode_id):
        prior = episode_priors(priors, episode_id, hypotheses)
        ids, items = episode_items(likelihoods, evidence, episode_id, hypotheses)
        rows.append({"episode_id": episode_id, "analysis": "as judged", "variant": "as judged",
                     "posterior": posteriors(prior, items)[focus]})
        for name, alt_prior in prior_sets.items():
            rows.append({"episode_id": episode_id, "analysis": "priors", "variant": name,
                         "posterior": posteriors(dict(alt_prior), items)[focus]})
        for s in scales:
            rows.append({"episode_id": episode_id, "analysis": "ratio scale", "variant": f"×{s:g}",
                         "posterior": posteriors(prior, items, scale=s)[focus]})
        for i in most_influential(prior, items, focus, n=n_influential):
            rest = [it for j, it in enumerate(items) if j != i]
            rows.append({"episode_id": episode_id, "analysis": "leave one out", "variant": f"without {ids[i]}",
                         "posterior": posteriors(prior, rest)[focus]})
    frame = pd.DataFrame(rows)
    frame["posterior"] = frame["posterior"].round(4)
    return frame


def total_weights(likelihoods: pd.DataFrame, evidence: pd.DataFrame, hypotheses: Sequence[str],
                  reference: str) -> pd.DataFrame:
    """Per episode and hypothesis, the summed weight of the episode's evidence for that
    hypothesis against ``reference`` (0 for the reference itself), unrounded: the data
    the in-page explorer recomputes posteriors from."""
    hypotheses = weighed(hypotheses, likelihoods)
    evidence = evidence[evidence.evidence_id.isin(set(likelihoods.evidence_id))]
    rows = []
    for episode_id in dict.fromkeys(evidence.episode_id):
        _, items = episode_items(likelihoods, evidence, episode_id, hypotheses)
        for h in hypotheses:
            rows.append({"episode_id": episode_id, "hypothesis_id": h,
                         "weight_db": fsum(weight_db(it[h], it[reference]) for it in items)})
    return pd.DataFrame(rows)


# --- Evidence groups and the whole case --------------------------------------------------
# Which evidence a result rests on matters. The perception items are the ones the coding
# rule reads to set the typology's prediction, so weighing them again as evidence for the
# typology counts them twice; the response items test the prediction against what
# Washington did. The groups below let every result be reported on each.

EVIDENCE_GROUPS: dict[str, str] = {
    "all items": "every evidence item of the episode",
    "response items": "items recording what the US did, demanded, offered or agreed",
    "perception items": "items on perceived entrapment or control, whoever the perceiver",
    "US-perceiver items": "items recording the view of a US official or office, whatever they bear on",
}


def in_group(evidence: pd.DataFrame, group: str) -> pd.Series:
    """Which rows of ``evidence`` belong to an evidence group (see EVIDENCE_GROUPS)."""
    from patron.coding import US_SIDE

    if group == "all items":
        return pd.Series(True, index=evidence.index)
    if group == "response items":
        return evidence.bears_on == "response"
    if group == "perception items":
        return evidence.bears_on.isin(["entrapment", "control"])
    if group == "US-perceiver items":
        return evidence.perceiver.isin(sorted(US_SIDE))
    raise KeyError(f"no evidence group {group!r}; choose from {list(EVIDENCE_GROUPS)}")


def group_posterior_table(priors: pd.DataFrame, likelihoods: pd.DataFrame, evidence: pd.DataFrame,
                          hypotheses: Sequence[str], groups: Sequence[str] = tuple(EVIDENCE_GROUPS)) -> pd.DataFrame:
    """Posteriors per episode and hypothesis from each evidence group in turn.

    An episode with no item in a group keeps its prior for that group.
    """
    hypotheses = weighed(hypotheses, likelihoods)
    evidence = evidence[evidence.evidence_id.isin(set(likelihoods.evidence_id))]
    frames = []
    for group in groups:
        table = posterior_table(priors, likelihoods, evidence[in_group(evidence, group)], hypotheses)
        missing = [e for e in dict.fromkeys(evidence.episode_id) if e not in set(table.episode_id)]
        for episode_id in missing:
            prior = episode_priors(priors, episode_id, hypotheses)
            table = pd.concat([table, pd.DataFrame([{"episode_id": episode_id, "hypothesis_id": h,
                                                      "prior": round(prior[h], 6), "posterior": round(prior[h], 6),
                                                      "weight_db": 0.0} for h in hypotheses])])
        order = {e: i for i, e in enumerate(dict.fromkeys(evidence.episode_id))}
        table = table.sort_values("episode_id", key=lambda s: s.map(order), kind="stable")
        frames.append(table.assign(group=group))
    return pd.concat(frames, ignore_index=True)


def whole_case(likelihoods: pd.DataFrame, evidence: pd.DataFrame, hypotheses: Sequence[str],
               groups: Sequence[str] = tuple(EVIDENCE_GROUPS)) -> pd.DataFrame:
    """Each hypothesis as one claim about the whole case: equal priors, then every item of
    every episode in the group. This assumes the items are independent given the hypothesis,
    across episodes as within them (dependent items were judged given earlier ones)."""
    hypotheses = weighed(hypotheses, likelihoods)
    evidence = evidence[evidence.evidence_id.isin(set(likelihoods.evidence_id))]
    table = likelihoods.pivot(index="evidence_id", columns="hypothesis_id", values="likelihood")
    prior = {h: 1 / len(hypotheses) for h in hypotheses}
    rows = []
    for group in groups:
        ids = evidence.loc[in_group(evidence, group), "evidence_id"]
        items = [{h: float(table.loc[i, h]) for h in hypotheses} for i in ids]
        post = posteriors(prior, items)
        odds = log_odds(prior, items, reference=hypotheses[0])
        for h in hypotheses:
            rows.append({"group": group, "hypothesis_id": h, "n_items": len(items),
                         "log_odds_vs_first_db": round(odds[h], 3), "posterior": round(post[h], 6)})
    return pd.DataFrame(rows)


def group_total_weights(likelihoods: pd.DataFrame, evidence: pd.DataFrame, hypotheses: Sequence[str],
                        reference: str, groups: Sequence[str] = tuple(EVIDENCE_GROUPS)) -> pd.DataFrame:
    """:func:`total_weights` for each evidence group, with a ``group`` column: what the
    in-page explorer switches between. An episode with no item in a group weighs 0."""
    hypotheses = weighed(hypotheses, likelihoods)
    evidence = evidence[evidence.evidence_id.isin(set(likelihoods.evidence_id))]
    frames = []
    for group in groups:
        mine = total_weights(likelihoods, evidence[in_group(evidence, group)], hypotheses, reference)
        full = pd.MultiIndex.from_product([list(dict.fromkeys(evidence.episode_id)), list(hypotheses)],
                                          names=["episode_id", "hypothesis_id"])
        mine = mine.set_index(["episode_id", "hypothesis_id"]).reindex(full, fill_value=0.0).reset_index()
        frames.append(mine.assign(group=group))
    return pd.concat(frames, ignore_index=True)


def episode_group_table(priors: pd.DataFrame, likelihoods: pd.DataFrame, evidence: pd.DataFrame,
                        hypotheses: Sequence[str], episode_id: str) -> pd.DataFrame:
    """One episode's posteriors, a row per hypothesis and a column per evidence group,
    with the number of items in each group: what a period chapter's weighing shows."""
    hypotheses = weighed(hypotheses, likelihoods)
    evidence = evidence[evidence.evidence_id.isin(set(likelihoods.evidence_id))]
    mine = evidence[evidence.episode_id == episode_id]
    table = group_posterior_table(priors, likelihoods, mine, hypotheses)
    wide = table.pivot(index="hypothesis_id", columns="group", values="posterior")
    wide = wide.reindex(index=list(hypotheses), columns=list(EVIDENCE_GROUPS))
    counts = {g: int(in_group(mine, g).sum()) for g in EVIDENCE_GROUPS}
    wide.columns = [f"{g} ({counts[g]})" for g in wide.columns]
    return wide


def leaders(table: pd.DataFrame, by: Sequence[str] = ("episode_id",), tolerance: float = 1e-9) -> pd.DataFrame:
    """The hypothesis with the highest posterior in each group of ``table``.

    Where two or more share the highest posterior (hypotheses that predict the same
    response are often judged alike), the leader is written as a tie, for instance
    'tie: H_TYP, H_ASDW', so that no hypothesis is credited with a lead because it
    happens to come first in the list.
    """
    rows = []
    for key, group in table.groupby(list(by), sort=False):
        top = group.posterior.max()
        best = list(group.loc[(top - group.posterior) <= tolerance, "hypothesis_id"])
        key = key if isinstance(key, tuple) else (key,)
        rows.append({**dict(zip(by, key)), "hypothesis_id": best[0] if len(best) == 1 else "tie: " + ", ".join(best),
                     "posterior": top})
    return pd.DataFrame(rows)


# --- The likelihoods the book weighs ---------------------------------------------------------
# Two adjustments to the judged likelihoods (data/likelihoods.csv), both stated in the weighing
# chapter. Where a rule's coding is unmeasured, its likelihood is a mixture over the responses the
# measured codings allow, never the likelihood judged for a defaulted prediction. And items from
# one document share one weight: each of a document's k items in an episode counts 1/k.

def mixed_likelihoods(likelihoods: pd.DataFrame, evidence: pd.DataFrame, episodes: pd.DataFrame,
                      predictions: pd.DataFrame, judged: pd.DataFrame | None = None) -> pd.DataFrame:
    """The judged likelihoods, with every likelihood whose judgement no longer fits its prediction
    replaced by a mixture read from the judgements that still fit.

    A judged P(E | H) assumes H predicts a response. Two cases break that assumption:

    - a rule that makes no prediction in an episode (the typology or a one-dimensional rival, where a
      coding it reads is unmeasured or tied; a rule-derived rival outside its scope);
    - a rival whose rule now predicts something other than the prediction its likelihoods were judged
      against (``judged``: ``data/judged_predictions.csv``).

    There P(E | rule) is the even mixture, over the responses the rule allows (its one prediction, or
    every response its measured inputs allow), of P(E | response r). P(E | r) is read from the
    judgements that still fit in that episode: the mean of the judged likelihoods of the hypotheses
    that predict r there and whose judgements fit, or, if none does, the mean over every such
    hypothesis (no information about r).
    """
    from patron.measured import coded_allowed
    from patron.scoring import RESPONSES

    table = likelihoods.pivot(index="evidence_id", columns="hypothesis_id", values="likelihood")
    predicted = predictions.pivot(index="episode_id", columns="hypothesis_id", values="predicted_response")
    predicted = predicted[predicted.index.isin(set(evidence.episode_id[evidence.evidence_id.isin(table.index)]))]
    predicted = predicted.astype(object).where(predicted.notna(), "")  # a rule outside its scope predicts ""
    stale_against = ({} if judged is None else
                     {(r.episode_id, r.hypothesis_id): ("" if not isinstance(r.judged_against, str)
                                                        else r.judged_against) for r in judged.itertuples()})
    levels = episodes.set_index("episode_id")
    out = table.copy()
    episode_of = evidence.set_index("evidence_id").episode_id
    for episode_id in predicted.index:
        row = predicted.loc[episode_id]

        def fits(h: str) -> bool:
            """Does h's judgement match what it predicts now?"""
            if h in ("H_TYP", "H_CTL", "H_ASDW"):
                return row[h] != ""
            against = stale_against.get((episode_id, h))
            return row[h] != "" and (against is None or against == row[h])

        rules = [h for h in table.columns if h in row.index and not fits(h)]
        if not rules:
            continue
        backers_all = [h for h in table.columns if h in row.index and fits(h)]
        items = [i for i in episode_of.index[episode_of == episode_id] if i in table.index]
        for rule in rules:
            if rule in ("H_TYP", "H_CTL", "H_ASDW"):
                allowed = coded_allowed(rule, levels.loc[episode_id, "entrapment"],
                                        levels.loc[episode_id, "control"], None)
            else:
                allowed = (row[rule],) if row[rule] else RESPONSES
            for item in items:
                per_response = []
                for response in allowed:
                    backers = [h for h in backers_all if row[h] == response] or backers_all or list(table.columns)
                    per_response.append(fsum(float(table.loc[item, h]) for h in backers) / len(backers))
                out.loc[item, rule] = fsum(per_response) / len(per_response)
    long = out.reset_index().melt(id_vars="evidence_id", var_name="hypothesis_id", value_name="likelihood")
    order = {(e, h): i for i, (e, h) in enumerate(zip(likelihoods.evidence_id, likelihoods.hypothesis_id))}
    long["_o"] = [order[(e, h)] for e, h in zip(long.evidence_id, long.hypothesis_id)]
    return long.sort_values("_o").drop(columns="_o").reset_index(drop=True)


def per_document(likelihoods: pd.DataFrame, evidence: pd.DataFrame) -> pd.DataFrame:
    """Temper each item by the number of items its document gives in its episode: a document's k
    items each count 1/k (their likelihood ratios raised to the power 1/k), so that a document
    weighs as much as its average item, however finely it was cut into claims."""
    documents = evidence.assign(document=evidence.source_keys.fillna(""))
    k = documents.groupby(["episode_id", "document"]).evidence_id.transform("count")
    power = dict(zip(documents.evidence_id, 1 / k))
    return likelihoods.assign(likelihood=[float(p) ** power[e] for e, p in
                                          zip(likelihoods.evidence_id, likelihoods.likelihood)])


def book_likelihoods() -> pd.DataFrame:
    """The likelihoods the book weighs: judged, mixed where a prediction is undetermined, and
    tempered per document (see :func:`mixed_likelihoods` and :func:`per_document`)."""
    from patron.data import load_episodes, load_evidence, load_judged_predictions, load_likelihoods, load_predictions

    evidence = load_evidence()
    mixed = mixed_likelihoods(load_likelihoods(), evidence, load_episodes(), load_predictions(),
                              load_judged_predictions())
    return per_document(mixed, evidence)

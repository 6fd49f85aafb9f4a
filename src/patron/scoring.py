"""Scoring predictions against observed responses, beside naive baselines.

Counting hits means little on its own. Nine episodes, six of them ending in
negotiation, let a rule that always says "negotiation" score six. So every rule
is scored beside three baselines that need no theory at all:

- ``BASE_MODAL``: always the commonest observed response in the scope;
- ``BASE_E_ONLY``: entrapment alone, high → restraint, low → bystanding;
- ``BASE_C_ONLY``: control alone, the same mapping.

The one-dimensional baselines use the rule's codings, so they ask whether the
second dimension adds anything. Where a coding is unmeasured or tied, a rule
that reads it makes no prediction (an empty string), which is never a hit;
comparisons between two rules use only the episodes where both predict
(:mod:`patron.pairwise`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

import pandas as pd

from patron.typology import classify

RESPONSES: tuple[str, ...] = ("bystanding", "negotiation", "restraint")  # tie-break order for the mode
BASELINES: tuple[str, ...] = ("BASE_MODAL", "BASE_E_ONLY", "BASE_C_ONLY")
BASELINE_NAMES: dict[str, str] = {
    "BASE_MODAL": "Baseline: commonest response",
    "BASE_E_ONLY": "Baseline: entrapment only",
    "BASE_C_ONLY": "Baseline: control only",
}


def one_dimension(level: str) -> str:
    """A one-dimensional rule: a threatened dimension means restraint, an unthreatened one bystanding,
    and an unmeasured or tied one no prediction (an empty string)."""
    return {"high": "restraint", "low": "bystanding"}.get(level, "")


def typology(entrapment: str, control: str) -> str:
    """The typology's prediction, or an empty string where a dimension is unmeasured or tied."""
    if {entrapment, control} <= {"high", "low"}:
        return classify(entrapment, control).value
    return ""


def modal_response(observed: Sequence[str]) -> str:
    """The commonest observed response; ties go to the earliest in RESPONSES."""
    counts = Counter(observed)
    return max(RESPONSES, key=lambda r: (counts[r], -RESPONSES.index(r)))


def baseline_predictions(episodes: pd.DataFrame) -> pd.DataFrame:
    """Each baseline's prediction in each episode (long form, like predictions.csv)."""
    mode = modal_response(list(episodes.observed_response))
    rows = []
    for ep in episodes.itertuples():
        rows += [{"episode_id": ep.episode_id, "hypothesis_id": "BASE_MODAL", "predicted_response": mode},
                 {"episode_id": ep.episode_id, "hypothesis_id": "BASE_E_ONLY",
                  "predicted_response": one_dimension(ep.entrapment)},
                 {"episode_id": ep.episode_id, "hypothesis_id": "BASE_C_ONLY",
                  "predicted_response": one_dimension(ep.control)}]
    return pd.DataFrame(rows)


def all_predictions(episodes: pd.DataFrame, predictions: pd.DataFrame) -> pd.DataFrame:
    """Hypotheses' predictions followed by the baselines', with observed response and hit."""
    frame = pd.concat([predictions[["episode_id", "hypothesis_id", "predicted_response"]],
                       baseline_predictions(episodes)], ignore_index=True)
    observed = episodes.set_index("episode_id").observed_response
    frame["observed_response"] = frame.episode_id.map(observed).astype(str)
    frame["predicted_response"] = frame.predicted_response.fillna("").astype(str)
    frame["hit"] = frame.predicted_response == frame.observed_response
    return frame


def score_table(episodes: pd.DataFrame, predictions: pd.DataFrame, scope: str,
                focus: str = "H_TYP") -> pd.DataFrame:
    """Hits of every hypothesis and baseline in one scope, and on how many episodes each made a
    determined prediction (``predicted``): the compact table of a chapter or a sensitivity.
    The book's full scores, with unmeasured codings treated as missing, are :mod:`patron.measured`'s."""
    frame = all_predictions(episodes, predictions)
    rows = []
    for rule, mine in frame.groupby("hypothesis_id", sort=False):
        rows.append({"rule": rule, "scope": scope, "hits": int(mine.hit.sum()), "n": len(mine),
                     "predicted": int((mine.predicted_response != "").sum())})
    return pd.DataFrame(rows)


def head_to_head(frame: pd.DataFrame, focus: str = "H_TYP") -> pd.DataFrame:
    """For each other rule, the episodes where both predict and they disagree, and who was right."""
    wide = frame.pivot(index="episode_id", columns="hypothesis_id", values="predicted_response")
    observed = frame.drop_duplicates("episode_id").set_index("episode_id").observed_response
    rows = []
    for rule in dict.fromkeys(frame.hypothesis_id):
        if rule == focus:
            continue
        differ = [e for e in wide.index if wide.loc[e, rule] and wide.loc[e, focus]
                  and wide.loc[e, rule] != wide.loc[e, focus]]
        rows.append({"rule": rule, "disagree": len(differ),
                     "focus_right": sum(wide.loc[e, focus] == observed[e] for e in differ),
                     "rule_right": sum(wide.loc[e, rule] == observed[e] for e in differ)})
    return pd.DataFrame(rows)


def flipped_codings(episodes: pd.DataFrame) -> pd.DataFrame:
    """The typology's hits when each episode's entrapment or control coding is flipped in turn."""
    flip = {"high": "low", "low": "high"}
    base = sum(typology(e.entrapment, e.control) == e.observed_response for e in episodes.itertuples())
    rows = []
    for ep in episodes.itertuples():
        for dimension in ("entrapment", "control"):
            levels: Mapping[str, str] = {"entrapment": ep.entrapment, "control": ep.control}
            if levels[dimension] not in flip:
                continue  # an unmeasured coding has nothing to flip
            changed = {**levels, dimension: flip[levels[dimension]]}
            before = typology(ep.entrapment, ep.control)
            after = typology(changed["entrapment"], changed["control"])
            delta = int(after == ep.observed_response) - int(before == ep.observed_response)
            rows.append({"episode_id": ep.episode_id, "dimension": dimension,
                         "coded": levels[dimension], "flipped_to": changed[dimension],
                         "prediction": after, "observed": ep.observed_response,
                         "hits": base + delta, "change": delta})
    return pd.DataFrame(rows)


def resegment(episodes: pd.DataFrame, evidence: pd.DataFrame, segmentations: pd.DataFrame,
              name: str) -> pd.DataFrame:
    """The episodes as one alternative segmentation cuts them, each segment coded by the
    same rule from the items it covers. Episodes the segmentation does not touch stay as
    they are. Returns the columns scoring needs: episode_id, entrapment, control,
    predicted_response, observed_response."""
    from patron.coding import code_items

    segments = segmentations[segmentations.segmentation == name]
    if segments.empty:
        raise KeyError(f"no segmentation named {name!r} in data/segmentations.csv")
    covered = {e for ids in segments.episode_ids for e in ids.split(";")}
    rows = []
    for ep in episodes.itertuples():
        if ep.episode_id not in covered:
            rows.append({"episode_id": ep.episode_id, "entrapment": ep.entrapment, "control": ep.control,
                         "observed_response": ep.observed_response})
    for seg in segments.itertuples():
        items = evidence[evidence.episode_id.isin(seg.episode_ids.split(";"))]
        if isinstance(seg.strand, str) and seg.strand:
            items = items[items.strand == seg.strand]
        # An item stated after its own episode's decision carries no `indicates` (it was
        # context there). If a later cut makes it eligible, its direction was never
        # recorded, so it counts as unclear rather than being guessed.
        perception = items.bears_on.isin(["entrapment", "control"])
        items = items.assign(indicates=items.indicates.where(~perception | items.indicates.notna(), "unclear"))
        coded = code_items(items, seg.decided_on, seg.decided_precision)
        rows.append({"episode_id": seg.segment_id, "entrapment": coded["entrapment"][0].level,
                     "control": coded["control"][0].level, "observed_response": seg.observed_response})
    frame = pd.DataFrame(rows)
    frame["predicted_response"] = [typology(e, c) for e, c in zip(frame.entrapment, frame.control)]
    return frame


def typology_predictions(episodes: pd.DataFrame) -> pd.DataFrame:
    """The typology's prediction in each episode, in the long form of predictions.csv."""
    return pd.DataFrame({"episode_id": episodes.episode_id, "hypothesis_id": "H_TYP",
                         "predicted_response": [typology(e, c)
                                                for e, c in zip(episodes.entrapment, episodes.control)]})


def segmentation_scores(episodes: pd.DataFrame, evidence: pd.DataFrame,
                        segmentations: pd.DataFrame) -> pd.DataFrame:
    """The typology and the baselines scored on the case as cut and under each alternative cut."""
    frames = [score_table(episodes, typology_predictions(episodes), "as cut")]
    for name in dict.fromkeys(segmentations.segmentation):
        cut = resegment(episodes, evidence, segmentations, name)
        frames.append(score_table(cut, typology_predictions(cut), name))
    return pd.concat(frames, ignore_index=True)


# --- Scopes, confusion and tests against the modal baseline ------------------------------

SCOPES: tuple[str, ...] = ("korea", "beyond-korea", "all")


def scope_of(episode_id: str) -> str:
    """Korean episodes are numbered p1, p2, ...; episodes beyond Korea start with x-."""
    return "korea" if episode_id.startswith("p") else "beyond-korea"


def in_scope(episodes: pd.DataFrame, scope: str) -> pd.Series:
    """Which episodes a scope covers."""
    if scope == "all":
        return pd.Series(True, index=episodes.index)
    if scope not in SCOPES:
        raise KeyError(f"no scope {scope!r}; choose from {SCOPES}")
    return episodes.episode_id.map(scope_of) == scope


def scores_by_scope(episodes: pd.DataFrame, predictions: pd.DataFrame) -> pd.DataFrame:
    """The rows of data/derived/scores.csv: every rule in every scope that has episodes.
    The commonest response is recomputed within each scope."""
    frames = []
    for scope in SCOPES:
        mine = episodes[in_scope(episodes, scope)]
        if mine.empty:
            continue
        frames.append(score_table(mine, predictions[predictions.episode_id.isin(mine.episode_id)], scope))
    return pd.concat(frames, ignore_index=True)


def confusion(frame: pd.DataFrame, rule: str = "H_TYP") -> pd.DataFrame:
    """Predicted (rows) against observed (columns) responses for one rule: episode counts."""
    mine = frame[frame.hypothesis_id == rule]
    table = pd.crosstab(mine.predicted_response, mine.observed_response)
    return table.reindex(index=list(RESPONSES), columns=list(RESPONSES), fill_value=0)


def exact_test(frame: pd.DataFrame, rule: str = "H_TYP", against: str = "BASE_MODAL") -> dict[str, float]:
    """An exact (McNemar) test of ``rule`` against ``against`` on the episodes where both predict.

    Only the episodes where exactly one of the two is right carry information. Under the
    null that both are equally good, each such episode is a fair coin, so the one-sided
    p-value is P(X >= rule_only) for X ~ Binomial(rule_only + against_only, 1/2).
    """
    from math import comb

    wide = frame.pivot(index="episode_id", columns="hypothesis_id", values="hit")
    if "predicted_response" in frame:
        made = frame.pivot(index="episode_id", columns="hypothesis_id", values="predicted_response")
        wide = wide[(made[rule] != "") & (made[against] != "")]  # only episodes where both rules predict
    rule_only = int((wide[rule] & ~wide[against]).sum())
    against_only = int((~wide[rule] & wide[against]).sum())
    n = rule_only + against_only
    p = sum(comb(n, k) for k in range(rule_only, n + 1)) / 2 ** n if n else 1.0
    return {"rule_only": rule_only, "against_only": against_only, "p_one_sided": p}


def permutation_test(frame: pd.DataFrame, rule: str = "H_TYP", draws: int = 10000, seed: int = 1979) -> dict[str, float]:
    """How often a rule would score as many hits if the observed responses were shuffled
    across the episodes where it predicts: the share of ``draws`` random permutations (fixed seed, so the
    result is reproducible) with at least the rule's actual hits."""
    import random

    mine = frame[(frame.hypothesis_id == rule) & (frame.predicted_response != "")]
    predicted, observed = list(mine.predicted_response), list(mine.observed_response)
    actual = sum(p == o for p, o in zip(predicted, observed))
    rng = random.Random(seed)
    at_least = 0
    for _ in range(draws):
        rng.shuffle(observed)
        at_least += sum(p == o for p, o in zip(predicted, observed)) >= actual
    return {"hits": actual, "draws": draws, "p_value": at_least / draws}


# --- Armament features against the codings --------------------------------------------------

FEATURES: tuple[str, ...] = ("armament_class", "nuclear_capable", "supply_dependence", "integration")


def feature_table(episodes: pd.DataFrame, armaments: pd.DataFrame) -> pd.DataFrame:
    """For each value of each feature: how many episodes have it, and in how many the rule
    coded entrapment high and control high. Empty feature cells are counted as 'not recorded'."""
    joined = episodes.merge(armaments, on="episode_id", how="left")
    rows = []
    for feature in FEATURES:
        values = joined[feature].astype(object).where(joined[feature].notna(), "not recorded")
        for value, group in joined.groupby(values, sort=True):
            rows.append({"feature": feature, "value": value, "episodes": len(group),
                         "entrapment_high": int((group.entrapment == "high").sum()),
                         "control_high": int((group.control == "high").sum())})
    return pd.DataFrame(rows)


def _hits_under(episodes: pd.DataFrame, codings: pd.DataFrame, label: str) -> pd.DataFrame:
    """The typology's prediction and hit in each episode under other ``codings``, beside its hit
    under the rule as published."""
    levels = codings.pivot(index="episode_id", columns="dimension", values="level")
    rows = []
    for ep in episodes.itertuples():
        predicted = typology(levels.loc[ep.episode_id, "entrapment"], levels.loc[ep.episode_id, "control"])
        rows.append({"episode_id": ep.episode_id, "scope": scope_of(ep.episode_id),
                     "rule_hit": ep.predicted_response == ep.observed_response,
                     f"{label}_prediction": predicted, f"{label}_hit": predicted == ep.observed_response})
    return pd.DataFrame(rows)


def strict_dates_hits(episodes: pd.DataFrame, evidence: pd.DataFrame) -> pd.DataFrame:
    """The typology's hits when statements made on the decision day itself do not count
    (they may belong to the decision record), beside its hits under the rule as published."""
    from patron.coding import coding_table

    return _hits_under(episodes, coding_table(episodes, evidence, strict=True), "strict")


def firsthand(evidence: pd.DataFrame) -> pd.DataFrame:
    """The items that give a view in the perceiver's own words (``secondhand`` direct): a named
    official quoted by others and unnamed officials paraphrased by the press, which the rule as
    published counts, are left out."""
    return evidence[evidence.secondhand == "direct"]


def firsthand_hits(episodes: pd.DataFrame, evidence: pd.DataFrame) -> pd.DataFrame:
    """The typology's hits when the rule reads only :func:`firsthand` items, beside its hits
    under the rule as published: how far the result rests on reported US views."""
    from patron.coding import coding_table

    return _hits_under(episodes, coding_table(episodes, firsthand(evidence)), "firsthand")

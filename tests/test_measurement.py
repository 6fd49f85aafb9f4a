"""Missing is missing: the rule's unmeasured codings, the scores that respect them, the blind coders'
agreement and its adjudication, and the search log, each checked by hand and on the data."""

from __future__ import annotations

from fractions import Fraction

import pandas as pd
import pytest

from patron.coding import allowed, default_low, majority
from patron.data import load_episodes, load_predictions, load_response_tags, load_searches, load_tags
from patron.measured import EPSILON, brier, coverage, loo_modal, loo_rate, on_measured, probabilities, score_rows
from patron.pairwise import exact_two_sided, pairwise_table
from patron.paths import DATA_DIR
from patron.reliability import adjudicate, adjudicated_rows, alpha_nominal, reliability_table
from patron.responses import reliability_rows
from patron.search_log import state, status_table


# --- The rule ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("values, level", [
    ([], "unmeasured"), (["unclear"], "unmeasured"), (["high", "low"], "tie"), (["high"], "high"),
    (["low", "low", "high"], "low"), (["high", "unclear", "low", "high"], "high")])
def test_the_rule_never_reads_missing_as_low(values: list[str], level: str) -> None:
    assert majority(values).level == level


def test_what_the_typology_allows() -> None:
    assert allowed("low", "low") == ("bystanding",)
    assert allowed("high", "unmeasured") == ("negotiation", "restraint")
    assert allowed("tie", "low") == ("bystanding", "negotiation")
    assert allowed("unmeasured", "unmeasured") == ("bystanding", "negotiation", "restraint")
    assert [default_low(x) for x in ("high", "low", "tie", "unmeasured")] == ["high", "low", "low", "low"]


# --- Scores ---------------------------------------------------------------------------------------

def made_up() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Four episodes. a: both measured, low/low (bystanding), observed bystanding.
    b: entrapment high, control unmeasured (negotiation or restraint), observed negotiation.
    c: nothing measured, observed negotiation. d: low/high (negotiation), observed restraint."""
    episodes = pd.DataFrame({"episode_id": ["pa", "pb", "pc", "pd"],
                             "entrapment": ["low", "high", "unmeasured", "low"],
                             "control": ["low", "unmeasured", "unmeasured", "high"],
                             "observed_response": ["bystanding", "negotiation", "negotiation", "restraint"]})
    predictions = pd.DataFrame({"episode_id": ["pa", "pb", "pc", "pd"], "hypothesis_id": ["H_X"] * 4,
                                "predicted_response": ["negotiation"] * 4})
    return episodes, predictions


def test_scores_by_hand() -> None:
    episodes, predictions = made_up()
    scores = score_rows(episodes, predictions).set_index(["scope", "rule"]).loc["korea"]
    typ = scores.loc["H_TYP"]
    # determined and right only in pa; d is determined and wrong; b and c are not determined
    assert (typ.hits, typ.measured_n, typ.measured_hits) == (1, 2, 1)
    # b could be a hit (negotiation is allowed), c too; d and a are fixed
    assert (typ.hits_min, typ.hits_max) == (1, 3)
    assert scores.loc["H_X", "hits"] == 2 and scores.loc["BASE_MODAL", "hits"] == 2  # mode: negotiation
    # leave-one-out mode: pa sees n, n, r -> negotiation (miss); pb sees b, n, r -> bystanding (miss);
    # pc sees b, n, r -> bystanding (miss); pd sees b, n, n -> negotiation (miss)
    assert scores.loc["BASE_LOO_MODAL", "hits"] == 0
    assert scores.loc["H_CTL", "same_as"] == "BASE_C_ONLY"


def test_probabilities_and_proper_scores_by_hand() -> None:
    p = probabilities(("negotiation", "restraint"))
    assert sum(p.values()) == 1 and p["bystanding"] == EPSILON / 3
    assert p["negotiation"] == EPSILON / 3 + (1 - EPSILON) / 2
    certain = {"bystanding": Fraction(1), "negotiation": Fraction(0), "restraint": Fraction(0)}
    assert brier(certain, "bystanding") == 0 and brier(certain, "restraint") == 2
    assert loo_rate(["bystanding", "negotiation", "negotiation"], 0) == {
        "bystanding": Fraction(1, 5), "negotiation": Fraction(3, 5), "restraint": Fraction(1, 5)}
    assert loo_modal(["bystanding", "negotiation", "negotiation"], 1) == "bystanding"  # tie goes first


def test_same_episodes_and_coverage_by_hand() -> None:
    episodes, predictions = made_up()
    same = on_measured(episodes, predictions, "H_TYP", "korea").set_index("rule")
    assert same.loc["H_TYP"].tolist() == [2, 1] and same.loc["BASE_MODAL"].tolist() == [2, 0]
    cover = coverage(episodes).set_index("scope").loc["korea"]
    assert (cover.both, cover.one, cover.none, cover.entrapment, cover.control) == (2, 1, 1, 3, 2)


def test_pairwise_by_hand() -> None:
    assert exact_two_sided(0, 0) == 1.0 and exact_two_sided(5, 0) == 0.0625 and exact_two_sided(1, 1) == 1.0
    episodes, predictions = made_up()
    pairs = pairwise_table(episodes, predictions).set_index(["rule_a", "rule_b", "scope", "episodes"])
    row = pairs.loc[("H_X", "H_TYP", "korea", "all")]
    # both predict in pa and pd; they differ in pa (typology right), agree in pd (both wrong)
    assert (row.n, row.n_differ, row.a_only_hits, row.b_only_hits) == (2, 1, 0, 1)


def test_committed_derived_files_follow_from_the_data() -> None:
    episodes, predictions = load_episodes(), load_predictions()
    committed = pd.read_csv(DATA_DIR / "derived" / "pairwise.csv")
    pd.testing.assert_frame_equal(committed, pairwise_table(episodes, predictions), check_dtype=False)
    committed = pd.read_csv(DATA_DIR / "derived" / "reliability.csv")
    expected = pd.concat([reliability_table(load_tags()), reliability_rows(load_response_tags())], ignore_index=True)
    pd.testing.assert_frame_equal(committed, expected, check_dtype=False)


def test_no_rule_that_reads_a_coding_predicts_where_it_is_unmeasured() -> None:
    episodes, predictions = load_episodes(), load_predictions()
    levels = episodes.set_index("episode_id")
    for row in predictions[predictions.hypothesis_id.isin(["H_TYP", "H_CTL", "H_ASDW"])].itertuples():
        reads = {"H_TYP": ["entrapment", "control"], "H_CTL": ["control"], "H_ASDW": ["entrapment"]}
        measured = all(levels.loc[row.episode_id, d] in ("high", "low") for d in reads[row.hypothesis_id])
        assert isinstance(row.predicted_response, str) == measured, (row.episode_id, row.hypothesis_id)


# --- Reliability and adjudication -------------------------------------------------------------------

def test_alpha_by_hand() -> None:
    """Krippendorff's worked nominal example reduces to this: two coders, four units."""
    assert alpha_nominal([["a", "a"], ["b", "b"], ["a", "b"]]) == Fraction(4, 9)
    assert alpha_nominal([["a", "a"], ["b", "b"]]) == 1
    assert alpha_nominal([["a", "b"], ["b", "a"]]) < 0  # systematic disagreement is worse than chance
    with pytest.raises(ValueError):
        alpha_nominal([["a"]])


def test_a_disagreement_can_only_take_an_item_out() -> None:
    us = {"perceiver": "us-executive", "secondhand": "direct", "bears_on": "control", "indicates": "high"}
    press = {**us, "perceiver": "press"}
    assert adjudicate(us, press)["perceiver"] == "unknown"
    assert adjudicate(us, {**us, "bears_on": "regime", "indicates": ""})["bears_on"] == "disputed"
    assert adjudicate(us, {**us, "indicates": "low"})["indicates"] == "unclear"
    assert adjudicate(us, {**us, "secondhand": "named-quoted"})["secondhand"] == "named-quoted"
    assert adjudicate(us, us) == us


def test_adjudication_needs_two_codings() -> None:
    one = pd.DataFrame([{"evidence_id": "V1", "coder": "A", "round": "1", "perceiver": "client",
                         "secondhand": "direct", "bears_on": "other", "indicates": ""}])
    with pytest.raises(ValueError, match="exactly two"):
        adjudicated_rows(one)


def test_every_item_is_tagged_by_two_coders() -> None:
    tags = load_tags()
    per_item = tags[tags.coder != "adjudicated"].groupby("evidence_id").coder.apply(sorted)
    assert all(c == ["A", "B"] for c in per_item)


# --- The search log ---------------------------------------------------------------------------------

def test_search_states_by_hand() -> None:
    assert state(pd.Series([], dtype=str)) == "not searched"
    assert state(pd.Series(["unreachable", "unreachable"])) == "unreachable"
    assert state(pd.Series(["unreachable", "none"])) == "searched and absent"
    assert state(pd.Series(["none", "found"])) == "found"


def test_every_episode_and_dimension_is_in_the_log() -> None:
    table = status_table(load_episodes(), load_searches())
    assert (table.state != "not searched").all(), table[table.state == "not searched"]

"""Outcomes and cases: blind response codings and their adjudication, the seeded draw, the rivals' rules,
the tests that respect clustering, the features test and the burden-sharing comparison, each checked by
hand and on the committed data."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from patron.burden import burden_table, pressure_test
from patron.data import (load_armaments, load_episodes, load_evidence, load_predictions, load_response_tags,
                         load_rival_inputs, load_universe)
from patron.definitions import episodes_as
from patron.features import features_table, fisher_one_sided
from patron.paths import DATA_DIR
from patron.responses import adjudicate_episode, earlier, response_basis
from patron.rivals import alliance_coercion, bomb_form, burden_sharing, regime, rival_predictions, security_dilemma, threat
from patron.significance import all_tests, mcnemar_two_sided, sign_flip
from patron.universe import DRAW_SEED, draw_order


# --- Responses ----------------------------------------------------------------------------------------

def codings(*rows: tuple[str, str, str, str, str, str]) -> pd.DataFrame:
    cols = ["coder", "first_response", "first_date", "strongest_response", "settled_response", "settled_date"]
    return pd.DataFrame([dict(zip(cols, r)) for r in rows])


def test_agreement_stands_and_the_earlier_date_wins() -> None:
    got = adjudicate_episode(codings(("A", "negotiation", "1979", "restraint", "negotiation", "1979-10"),
                                     ("B", "negotiation", "1979-03", "restraint", "negotiation", "1979-10-02")),
                             "1980")
    assert got == {"first_response": "negotiation", "first_date": "1979", "strongest_response": "restraint",
                   "settled_response": "negotiation", "settled_date": "1979-10"}


def test_a_third_coder_breaks_a_disagreement_and_three_ways_is_disputed() -> None:
    two_one = codings(("A", "bystanding", "2019", "bystanding", "bystanding", "2020"),
                      ("B", "negotiation", "2019-10", "negotiation", "negotiation", "2020-07"),
                      ("C", "negotiation", "2019-11", "negotiation", "negotiation", "2020-07-28"))
    got = adjudicate_episode(two_one, "2020")
    assert (got["settled_response"], got["settled_date"], got["first_date"]) == ("negotiation", "2020-07", "2019-10")
    three = codings(("A", "bystanding", "", "bystanding", "bystanding", ""),
                    ("B", "negotiation", "", "negotiation", "negotiation", ""),
                    ("C", "restraint", "", "restraint", "restraint", ""))
    assert adjudicate_episode(three, "1990")["settled_response"] == "disputed"


def test_no_date_falls_back_to_the_episode_end() -> None:
    assert adjudicate_episode(codings(("A", "restraint", "", "restraint", "restraint", ""),
                                      ("B", "restraint", "", "restraint", "restraint", "")), "1981")["settled_date"] \
        == "1981"
    assert earlier(["1976-02-05", "1976", "1975-12"]) == "1975-12"


def test_absence_only_where_neither_coder_found_a_dated_act() -> None:
    assert response_basis(codings(("A", "bystanding", "", "bystanding", "bystanding", ""),
                                  ("B", "bystanding", "", "bystanding", "bystanding", ""))) == "absence"
    assert response_basis(codings(("A", "bystanding", "", "bystanding", "bystanding", "2022-12-12"),
                                  ("B", "bystanding", "", "bystanding", "bystanding", ""))) == "record"


def test_episodes_carry_the_adjudicated_responses() -> None:
    tags = load_response_tags()
    settled = tags[tags.coder == "adjudicated"].set_index("episode_id")
    episodes = load_episodes().set_index("episode_id")
    assert set(settled.index) == set(episodes.index)
    for e, row in settled.iterrows():
        assert episodes.loc[e, "observed_response"] == row.settled_response
        assert episodes.loc[e, "first_response"] == row.first_response
        assert episodes.loc[e, "strongest_response"] == row.strongest_response
        assert episodes.loc[e, "decided_on"] == row.settled_date
        assert episodes.loc[e, "first_on"] == row.first_date


def test_the_first_definition_recodes_from_the_earlier_date() -> None:
    first = episodes_as("first", load_episodes(), load_evidence())
    assert (first.observed_response == first.first_response).all()
    assert (first.decided_on == first.first_on).all()


# --- The draw -------------------------------------------------------------------------------------------

def test_the_draw_is_the_committed_seed_and_order() -> None:
    assert DRAW_SEED == "when-clients-arm/universe/2026-12-04"
    universe = load_universe()
    placed = universe[universe.draw_order.notna()]
    assert dict(zip(placed.candidate_id, placed.draw_order.astype(int))) == draw_order(placed.candidate_id)


def test_the_draw_does_not_depend_on_input_order() -> None:
    ids = [f"U{i:02d}" for i in range(1, 30)]
    assert draw_order(ids) == draw_order(reversed(ids))


def test_at_least_forty_episodes_beyond_korea() -> None:
    assert load_episodes().episode_id.str.startswith("x-").sum() >= 40


# --- The rivals' rules --------------------------------------------------------------------------------

def arms(**kw: str) -> pd.Series:
    base = {"armament_class": "ballistic-missile", "range_km": "800", "payload_kg": "500", "nuclear": "none",
            "reach_capital": "yes", "reach_great_power": "no", "integration": "high"}
    return pd.Series({**base, **kw})


def test_the_regime_rule_by_hand() -> None:
    after, before = dt.date(2000, 1, 1), dt.date(1980, 1, 1)
    assert regime(arms(), "South Korea", after) == "negotiation"
    assert regime(arms(range_km="180"), "South Korea", after) == "bystanding"
    assert regime(arms(), "South Korea", before) == ""  # no missile threshold before the MTCR
    assert regime(arms(), "France", before) == "bystanding"  # a state that had tested a weapon
    assert regime(arms(armament_class="nuclear-weapons", nuclear="weapon"), "Taiwan", before) == "restraint"
    assert regime(arms(armament_class="fuel-cycle", nuclear="latent"), "Japan", before) == "negotiation"


def test_the_other_rules_by_hand() -> None:
    inputs = pd.Series({"shared_adversary": "yes", "threat_trend": "falling", "stage": "early", "dependence": "high"})
    assert burden_sharing(inputs) == "bystanding"
    assert threat(inputs) == "negotiation"
    assert bomb_form(inputs) == "restraint"
    assert alliance_coercion(inputs) == "restraint"
    assert alliance_coercion(inputs.replace({"high": "low"})) == ""
    assert security_dilemma(arms(integration="low")) == "restraint"
    assert security_dilemma(arms(reach_capital="no")) == "bystanding"


def test_the_threat_rule_cannot_yield_restraint() -> None:
    for trend in ("rising", "steady", "falling"):
        assert threat(pd.Series({"threat_trend": trend})) != "restraint"


def test_every_committed_prediction_is_what_its_rule_gives() -> None:
    expected = rival_predictions(load_episodes(), load_armaments(), load_rival_inputs())
    committed = load_predictions().merge(expected, on=["episode_id", "hypothesis_id"], suffixes=("", "_rule"))
    assert len(committed) == len(expected)
    assert (committed.predicted_response.fillna("") == committed.predicted_response_rule).all()


# --- Tests that respect clustering -----------------------------------------------------------------------

def test_sign_flip_and_mcnemar_by_hand() -> None:
    assert sign_flip([2, 1]) == 0.5  # of four sign patterns, the observed one and its mirror are as extreme
    assert sign_flip([1, -1]) == 1.0
    assert mcnemar_two_sided(3, 0) == 0.25


def test_committed_tests_features_and_burden_follow_from_the_data() -> None:
    episodes, evidence = load_episodes(), load_evidence()
    derived = DATA_DIR / "derived"
    tests = all_tests(episodes, evidence, load_predictions(), load_armaments(), load_rival_inputs())
    pd.testing.assert_frame_equal(pd.read_csv(derived / "tests.csv"), tests, check_dtype=False)
    pd.testing.assert_frame_equal(pd.read_csv(derived / "features.csv"), features_table(episodes, load_armaments()),
                                  check_dtype=False)
    pd.testing.assert_frame_equal(pd.read_csv(derived / "burden.csv"), burden_table(episodes), check_dtype=False)


def test_every_test_is_reported_in_every_definition() -> None:
    tests = pd.read_csv(DATA_DIR / "derived" / "tests.csv")
    assert set(tests.response) == {"settled", "first", "strongest"}
    assert tests.name.str.contains("client sign-flip").any()


# --- Features and burden ------------------------------------------------------------------------------

def test_fisher_by_hand() -> None:
    assert float(fisher_one_sided(3, 3, 0, 3)) == pytest.approx(0.05)
    assert fisher_one_sided(0, 3, 3, 3) == 1


def test_the_features_test_reads_measured_perceptions_only() -> None:
    episodes = pd.DataFrame({"episode_id": ["a", "b", "c"], "entrapment": ["high", "unmeasured", "low"],
                             "control": ["tie", "high", "low"]})
    armaments = pd.DataFrame({"episode_id": ["a", "b", "c"], "reach_capital": ["yes", "yes", "no"],
                              "reach_great_power": ["no", "no", "no"], "nuclear": ["none"] * 3,
                              "integration": ["low"] * 3, "supply": ["us"] * 3})
    row = features_table(episodes, armaments).set_index(["feature", "dimension"]).loc[("reach_capital", "entrapment")]
    assert (row.n_measured, row.n_with, row.high_with, row.n_without) == (2, 1, 1, 1)


def test_pressure_has_no_effect_in_made_up_data_without_one() -> None:
    episodes = pd.DataFrame({"episode_id": list("abcd"), "entrapment": ["unmeasured"] * 4,
                             "control": ["unmeasured"] * 4, "burden_pressure": ["none", "strong", "none", "strong"],
                             "observed_response": ["bystanding", "bystanding", "restraint", "restraint"]})
    assert pressure_test(episodes)["p_value"] > 0.5

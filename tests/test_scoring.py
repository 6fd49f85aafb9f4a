"""Scores against baselines: checked by hand on a made-up case, then recomputed on the data."""

from __future__ import annotations

import pandas as pd

from patron.data import load_episodes, load_evidence, load_predictions, load_segmentations
from patron.paths import DATA_DIR
from patron.scoring import (all_predictions, baseline_predictions, flipped_codings, head_to_head, modal_response,
                            resegment, score_table)


def made_up() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Four episodes, one per cell of the grid, plus a second negotiation.

    e1 low/low -> bystanding, observed bystanding
    e2 high/low -> negotiation, observed negotiation
    e3 low/high -> negotiation, observed restraint
    e4 high/high -> restraint, observed negotiation
    e5 high/low -> negotiation, observed negotiation
    """
    episodes = pd.DataFrame({
        "episode_id": ["e1", "e2", "e3", "e4", "e5"],
        "entrapment": ["low", "high", "low", "high", "high"],
        "control": ["low", "low", "high", "high", "low"],
        "observed_response": ["bystanding", "negotiation", "restraint", "negotiation", "negotiation"],
    })
    predictions = pd.DataFrame({
        "episode_id": ["e1", "e2", "e3", "e4", "e5"] * 2,
        "hypothesis_id": ["H_TYP"] * 5 + ["H_X"] * 5,
        "predicted_response": ["bystanding", "negotiation", "negotiation", "restraint", "negotiation",
                               "restraint", "restraint", "restraint", "restraint", "restraint"],
    })
    return episodes, predictions


def test_the_mode_and_its_tie_break() -> None:
    assert modal_response(["negotiation", "bystanding", "negotiation"]) == "negotiation"
    assert modal_response(["restraint", "bystanding"]) == "bystanding"  # ties: bystanding, negotiation, restraint


def test_baselines_by_hand() -> None:
    episodes, _ = made_up()
    wide = baseline_predictions(episodes).pivot(index="episode_id", columns="hypothesis_id",
                                                values="predicted_response")
    assert list(wide.BASE_MODAL) == ["negotiation"] * 5
    assert list(wide.BASE_E_ONLY) == ["bystanding", "restraint", "bystanding", "restraint", "restraint"]
    assert list(wide.BASE_C_ONLY) == ["bystanding", "bystanding", "restraint", "restraint", "bystanding"]


def test_scores_by_hand() -> None:
    """Hits: H_TYP e1, e2, e5 = 3; H_X e3 = 1; modal (negotiation) e2, e4, e5 = 3; E-only e1 = 1;
    C-only e1, e3 = 2."""
    episodes, predictions = made_up()
    scores = score_table(episodes, predictions, "test").set_index("rule")
    assert scores.hits.to_dict() == {"H_TYP": 3, "H_X": 1, "BASE_MODAL": 3, "BASE_E_ONLY": 1, "BASE_C_ONLY": 2}
    assert (scores.n == 5).all() and (scores.predicted == 5).all()


def test_an_unmeasured_coding_makes_no_prediction() -> None:
    """With e1's entrapment unmeasured, entrapment alone predicts nothing there, and nothing is never a hit."""
    episodes, predictions = made_up()
    episodes.loc[0, "entrapment"] = "unmeasured"
    predictions.loc[0, "predicted_response"] = ""
    scores = score_table(episodes, predictions, "test").set_index("rule")
    assert scores.loc["BASE_E_ONLY", ["hits", "predicted"]].tolist() == [0, 4]
    assert scores.loc["H_TYP", ["hits", "predicted"]].tolist() == [2, 4]
    h2h = head_to_head(all_predictions(episodes, predictions)).set_index("rule")
    assert h2h.loc["H_X"].tolist() == [3, 2, 1]  # e1 drops out: the typology predicts nothing there


def test_head_to_head_by_hand() -> None:
    episodes, predictions = made_up()
    h2h = head_to_head(all_predictions(episodes, predictions)).set_index("rule")
    # H_X disagrees with H_TYP in e1, e2, e3, e5: H_TYP right in e1, e2, e5; H_X right in e3
    assert h2h.loc["H_X"].tolist() == [4, 3, 1]


def test_flipping_codings_by_hand() -> None:
    episodes, _ = made_up()
    flips = flipped_codings(episodes).set_index(["episode_id", "dimension"])
    # e3 low/high predicts negotiation (miss); flipping control gives low/low bystanding (still a miss)
    assert flips.loc[("e3", "control"), ["prediction", "change"]].tolist() == ["bystanding", 0]
    # e4 high/high predicts restraint (miss); flipping either gives negotiation (a hit)
    assert flips.loc[("e4", "entrapment"), ["prediction", "hits", "change"]].tolist() == ["negotiation", 4, 1]
    # e2 high/low, a hit; flipping entrapment gives bystanding, a miss
    assert flips.loc[("e2", "entrapment"), ["hits", "change"]].tolist() == [2, -1]


def test_committed_scores_follow_from_the_data() -> None:
    """data/derived/scores.csv is what patron.measured gives from the data, in every scope."""
    from patron.measured import score_rows

    committed = pd.read_csv(DATA_DIR / "derived" / "scores.csv", dtype={"same_as": str})
    recomputed = score_rows(load_episodes(), load_predictions())
    pd.testing.assert_frame_equal(committed, recomputed, check_dtype=False)


def test_resegmenting_codes_each_segment_by_the_rule() -> None:
    episodes, evidence, segmentations = load_episodes(), load_evidence(), load_segmentations()
    for name in dict.fromkeys(segmentations.segmentation):
        cut = resegment(episodes, evidence, segmentations, name)
        mine = segmentations[segmentations.segmentation == name]
        covered = {e for ids in mine.episode_ids for e in ids.split(";")}
        assert set(cut.episode_id) == (set(episodes.episode_id) - covered) | set(mine.segment_id)


def test_the_exact_test_by_hand() -> None:
    """Six episodes: the typology alone is right in a, b, e; the baseline alone in f; both in c.
    Discordant pairs 3 vs 1: P(X >= 3 | n = 4, 1/2) = (4 + 1) / 16."""
    from patron.scoring import exact_test

    frame = pd.DataFrame({"episode_id": [e for e in "abcdef" for _ in (0, 1)],
                          "hypothesis_id": ["H_TYP", "BASE_MODAL"] * 6,
                          "hit": [True, False, True, False, True, True, False, False, True, False, False, True]})
    assert exact_test(frame) == {"rule_only": 3, "against_only": 1, "p_one_sided": 5 / 16}


def test_the_permutation_test_is_reproducible_and_sane() -> None:
    from patron.scoring import permutation_test

    episodes, predictions = made_up()
    frame = all_predictions(episodes, predictions)
    first = permutation_test(frame, draws=2000)
    assert first == permutation_test(frame, draws=2000)  # fixed seed
    assert first["hits"] == 3 and 0 < first["p_value"] <= 1
    # a rule that is right everywhere is rarely matched by chance
    perfect = frame.assign(predicted_response=frame.observed_response)
    assert permutation_test(perfect, draws=2000)["p_value"] < 0.2


def test_confusion_by_hand() -> None:
    from patron.scoring import confusion

    episodes, predictions = made_up()
    table = confusion(all_predictions(episodes, predictions))
    assert table.loc["negotiation", "negotiation"] == 2  # e2, e5
    assert table.loc["negotiation", "restraint"] == 1    # e3
    assert table.loc["restraint", "negotiation"] == 1    # e4
    assert table.loc["bystanding", "bystanding"] == 1    # e1
    assert int(table.values.sum()) == 5


def test_scores_by_scope_recompute_the_mode_within_each_scope() -> None:
    from patron.scoring import scores_by_scope

    episodes, predictions = made_up()
    episodes["episode_id"] = ["p1-a", "p2-b", "x-aa-c", "x-aa-d", "x-bb-e"]
    predictions["episode_id"] = list(episodes.episode_id) * 2
    scores = scores_by_scope(episodes, predictions).set_index(["scope", "rule"])
    assert scores.loc[("korea", "H_TYP"), "n"] == 2 and scores.loc[("beyond-korea", "H_TYP"), "n"] == 3
    assert scores.loc[("all", "H_TYP"), "hits"] == 3
    # beyond Korea the observed responses are restraint, negotiation, negotiation: the mode is negotiation
    assert scores.loc[("beyond-korea", "BASE_MODAL"), "hits"] == 2


def test_feature_table_by_hand() -> None:
    from patron.scoring import feature_table

    episodes, _ = made_up()
    armaments = pd.DataFrame({"episode_id": ["e1", "e2", "e3", "e4"],
                              "armament_class": ["space-launcher", "ballistic-missile", "fuel-cycle", "fuel-cycle"],
                              "nuclear_capable": ["no", "no", "latent", "latent"],
                              "supply_dependence": ["high", None, "low", "low"],
                              "integration": [None, None, None, "low"]})
    table = feature_table(episodes, armaments).set_index(["feature", "value"])
    assert table.loc[("armament_class", "fuel-cycle")].tolist() == [2, 1, 2]  # e3 low/high, e4 high/high
    assert table.loc[("supply_dependence", "not recorded")].tolist() == [2, 2, 0]  # e2 and e5


def test_the_firsthand_sensitivity_reads_only_the_perceivers_own_words() -> None:
    """Reported views (named officials quoted, unnamed officials paraphrased) leave; own words stay."""
    from patron.scoring import firsthand, firsthand_hits

    evidence = load_evidence()
    kept = firsthand(evidence)
    assert set(kept.secondhand) == {"direct"}
    gone = evidence[~evidence.evidence_id.isin(kept.evidence_id)]
    assert "direct" not in set(gone.secondhand)
    from patron.coding import coding_table

    counted = {i for ids in coding_table(load_episodes(), kept).eligible_ids.dropna() for i in ids.split(";")}
    assert counted and set(evidence.set_index("evidence_id").loc[sorted(counted), "secondhand"]) == {"direct"}
    assert len(firsthand_hits(load_episodes(), evidence)) == len(load_episodes())


def test_an_episode_with_no_items_is_unmeasured() -> None:
    """An episode left with no items is unmeasured on both dimensions, flagged (and does not crash)."""
    from patron.coding import coding_table

    episodes = load_episodes().head(1)
    none = load_evidence().head(0)
    table = coding_table(episodes, none)
    assert list(table.level) == ["unmeasured", "unmeasured"] and set(table.flag) == {"no eligible items"}

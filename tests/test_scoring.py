"""Scores against baselines: checked by hand on a made-up case, then recomputed on the data."""

from __future__ import annotations

import pandas as pd

from patron.data import load_episodes, load_evidence, load_predictions, load_segmentations
from patron.paths import DATA_DIR
from patron.scoring import (all_predictions, baseline_predictions, discriminating, flipped_codings,
                            head_to_head, modal_response, resegment, score_table)


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
    C-only e1, e3 = 2. No episode discriminates: the typology's bystanding (e1) and restraint (e4)
    are what entrapment alone predicts, and its negotiation (e2, e3, e5) is the mode."""
    episodes, predictions = made_up()
    scores = score_table(episodes, predictions, "test").set_index("rule")
    assert scores.hits.to_dict() == {"H_TYP": 3, "H_X": 1, "BASE_MODAL": 3, "BASE_E_ONLY": 1, "BASE_C_ONLY": 2}
    assert (scores.n == 5).all() and (scores.discriminating_n == 0).all()


def test_a_discriminating_episode_by_hand() -> None:
    """Make bystanding the mode: then e2 and e5 (typology: negotiation) discriminate."""
    episodes, predictions = made_up()
    episodes["observed_response"] = ["bystanding", "negotiation", "bystanding", "bystanding", "negotiation"]
    frame = all_predictions(episodes, predictions)
    assert discriminating(frame) == ["e2", "e3", "e5"]
    scores = score_table(episodes, predictions, "test").set_index("rule")
    assert scores.loc["H_TYP", ["discriminating_hits", "discriminating_n"]].tolist() == [2, 3]
    assert scores.loc["BASE_MODAL", ["discriminating_hits", "discriminating_n"]].tolist() == [1, 3]


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
    """data/derived/scores.csv is what patron.scoring gives from the data (the Korea scope)."""
    committed = pd.read_csv(DATA_DIR / "derived" / "scores.csv")
    recomputed = score_table(load_episodes(), load_predictions(), "korea")
    pd.testing.assert_frame_equal(committed, recomputed, check_dtype=False)


def test_resegmenting_codes_each_segment_by_the_rule() -> None:
    episodes, evidence, segmentations = load_episodes(), load_evidence(), load_segmentations()
    for name in dict.fromkeys(segmentations.segmentation):
        cut = resegment(episodes, evidence, segmentations, name)
        mine = segmentations[segmentations.segmentation == name]
        covered = {e for ids in mine.episode_ids for e in ids.split(";")}
        assert set(cut.episode_id) == (set(episodes.episode_id) - covered) | set(mine.segment_id)

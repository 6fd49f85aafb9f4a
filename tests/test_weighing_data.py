"""The weighing data: hypotheses, priors, predictions and likelihoods, and the
posteriors derived from them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from patron import classify
from patron.data import load_episodes, load_evidence, load_hypotheses, load_likelihoods, load_predictions, load_priors
from patron.paths import DATA_DIR
from patron.weighing import book_likelihoods, mixed_likelihoods, per_document, posterior_table
from test_case_data import line_of
from test_validate import assert_rejected, set_cell


def test_at_least_four_rivals_in_every_weighed_episode() -> None:
    """Every episode coded before the draw is weighed against every weighed hypothesis; the drawn
    episodes and the rivals added with them are scored on their predictions, not weighed."""
    from patron.data import load_universe

    table = load_hypotheses()
    hypotheses = list(table.hypothesis_id[table.weighed == "yes"])
    assert len(hypotheses) >= 4 and hypotheses[0] == "H_TYP"
    universe = load_universe()
    drawn = set(universe.episode_id[universe.coded_before_draw == "no"].dropna())
    priors = load_priors()
    for episode_id in load_episodes().episode_id:
        mine = set(priors[priors.episode_id == episode_id].hypothesis_id)
        assert mine == (set() if episode_id in drawn else set(hypotheses)), episode_id


def test_the_typology_predicts_what_classify_gives() -> None:
    episodes = load_episodes().set_index("episode_id")
    for row in load_predictions().query("hypothesis_id == 'H_TYP'").itertuples():
        ep = episodes.loc[row.episode_id]
        if {ep.entrapment, ep.control} <= {"high", "low"}:
            assert row.predicted_response == classify(ep.entrapment, ep.control)
        else:
            assert not isinstance(row.predicted_response, str)  # nothing from an unmeasured or tied coding


def test_an_undetermined_prediction_is_weighed_as_a_mixture_by_hand() -> None:
    """e1: the typology allows negotiation or restraint (entrapment high, control unmeasured).
    H_A predicts negotiation (0.8), H_B restraint (0.2), H_C bystanding (0.5): the typology's
    likelihood is the mean of 0.8 and 0.2, whatever was judged for it under a default."""
    evidence = pd.DataFrame({"evidence_id": ["V1", "V2"], "episode_id": ["e1", "e1"],
                             "source_keys": ["doc", "doc"]})
    episodes = pd.DataFrame({"episode_id": ["e1"], "entrapment": ["high"], "control": ["unmeasured"]})
    predictions = pd.DataFrame({"episode_id": ["e1"] * 4, "hypothesis_id": ["H_TYP", "H_A", "H_B", "H_C"],
                                "predicted_response": ["", "negotiation", "restraint", "bystanding"]})
    likelihoods = pd.DataFrame({"evidence_id": ["V1"] * 4 + ["V2"] * 4,
                                "hypothesis_id": ["H_TYP", "H_A", "H_B", "H_C"] * 2,
                                "likelihood": [0.9, 0.8, 0.2, 0.5, 0.9, 0.64, 0.16, 0.25]})
    mixed = mixed_likelihoods(likelihoods, evidence, episodes, predictions).set_index(["evidence_id", "hypothesis_id"])
    assert mixed.loc[("V1", "H_TYP"), "likelihood"] == pytest.approx(0.5)
    assert mixed.loc[("V1", "H_A"), "likelihood"] == 0.8
    # two items from one document each count half: their likelihoods are square-rooted
    tempered = per_document(likelihoods, evidence).set_index(["evidence_id", "hypothesis_id"])
    assert tempered.loc[("V2", "H_A"), "likelihood"] == pytest.approx(0.8)


def test_committed_posteriors_follow_from_the_inputs() -> None:
    """data/derived/posteriors.csv is exactly what the priors and likelihoods give."""
    order = list(load_hypotheses().hypothesis_id)
    recomputed = posterior_table(load_priors(), book_likelihoods(), load_evidence(), order)
    committed = pd.read_csv(DATA_DIR / "derived" / "posteriors.csv")
    pd.testing.assert_frame_equal(committed, recomputed, check_dtype=False, atol=1e-9, rtol=0)
    assert committed.groupby("episode_id").posterior.sum().round(4).eq(1).all()


def _priors_not_summing(d: Path) -> str:
    set_cell(d / "priors.csv", 2, "prior", "0.3")
    return "data/priors.csv:2:prior: the priors of 'p1-nuclear-1970-76' sum to 1.157, not 1"


def _missing_likelihood(d: Path) -> str:
    lines = (d / "likelihoods.csv").read_text(encoding="utf-8").split("\n")
    (d / "likelihoods.csv").write_text("\n".join(lines[:2] + lines[3:]), encoding="utf-8")
    return "data/likelihoods.csv:1:evidence_id: no row for evidence_id 'V001' and H_BS"


def _zero_likelihood(d: Path) -> str:
    set_cell(d / "likelihoods.csv", 3, "likelihood", "0")
    return "data/likelihoods.csv:3:likelihood: 0 is below the minimum 0.001"


def _likelihood_above_one(d: Path) -> str:
    set_cell(d / "likelihoods.csv", 4, "likelihood", "1.2")
    return "data/likelihoods.csv:4:likelihood: 1.2 is above the maximum 1"


def _typology_prediction_wrong(d: Path) -> str:
    line = line_of(d / "predictions.csv", "p1-nuclear-1970-76")
    set_cell(d / "predictions.csv", line, "predicted_response", "bystanding")
    return (f"data/predictions.csv:{line}:predicted_response: 'bystanding' but episodes.csv predicts nothing "
            "(a dimension is unmeasured or tied)")


def _unknown_hypothesis(d: Path) -> str:
    set_cell(d / "priors.csv", 3, "hypothesis_id", "H_XYZ")
    return "data/priors.csv:3:hypothesis_id: 'H_XYZ' not found in hypotheses.hypothesis_id"


CASES = {f.__name__.strip("_"): f for f in (_priors_not_summing, _missing_likelihood, _zero_likelihood,
                                            _likelihood_above_one, _typology_prediction_wrong, _unknown_hypothesis)}


@pytest.mark.parametrize("case", sorted(CASES))
def test_weighing_rules_are_enforced(case: str, data_copy: Path) -> None:
    assert_rejected(data_copy, CASES[case](data_copy / "data"), case)


def explorer_bars(group: str, prior_focus: float, ratio_scale: float) -> dict[tuple[str, str], float]:
    """Render the in-page explorer with Vega (via vl-convert) at the given menu and
    slider values, and read each bar's posterior back from its accessible label."""
    import re

    import vl_convert

    from patron.charts import posterior_explorer
    from patron.weighing import group_total_weights

    order = list(load_hypotheses().hypothesis_id)
    totals = group_total_weights(book_likelihoods(), load_evidence(), order, reference="H_TYP")
    spec = posterior_explorer(totals, "H_TYP").to_dict()
    inputs = {"evidence_group": group, "prior_focus": prior_focus, "ratio_scale": ratio_scale}
    for param in spec["params"]:
        param["value"] = inputs.get(param["name"], param["value"])  # the theme's colours stay as they are
    assert {p["name"] for p in spec["params"]} >= set(inputs)
    svg = vl_convert.vegalite_to_svg(spec, vl_version="v6_4")
    bars = {}
    for label in re.findall(r'aria-label="(Posterior probability: [^"]*)"', svg):
        fields = dict(part.split(": ", 1) for part in label.split("; "))
        bars[(fields["episode_id"], fields["hypothesis_id"])] = float(fields["Posterior probability"])
    return bars


@pytest.mark.parametrize(("group", "prior_focus", "ratio_scale"),
                         [("all items", 0.2, 1.0), ("response items", 0.5, 0.5),
                          ("US-perceiver items", 0.05, 2.0), ("perception items", 0.3, 1.0)])
def test_the_explorer_computes_what_the_analysis_computes(group: str, prior_focus: float,
                                                          ratio_scale: float) -> None:
    """Choosing the evidence and moving the sliders moves the posteriors exactly as
    patron.weighing says it should."""
    from patron.weighing import episode_items, in_group, posteriors

    evidence, likelihoods = load_evidence(), book_likelihoods()
    evidence = evidence[evidence.evidence_id.isin(set(likelihoods.evidence_id))]  # the weighed episodes
    table = load_hypotheses()
    order = list(table.hypothesis_id[table.weighed == "yes"])
    bars = explorer_bars(group, prior_focus, ratio_scale)
    prior = {h: (prior_focus if h == "H_TYP" else (1 - prior_focus) / (len(order) - 1)) for h in order}
    chosen = evidence[in_group(evidence, group)]
    for episode_id in dict.fromkeys(evidence.episode_id):
        _, items = episode_items(likelihoods, chosen, episode_id, order)
        expected = posteriors(prior, items, scale=ratio_scale)
        for h in order:
            assert bars[(episode_id, h)] == pytest.approx(expected[h], abs=1e-6), (episode_id, group, h)

"""The weighing arithmetic, against examples computed by hand."""

import itertools
import math

import pytest

from patron.weighing import (VanEvera, cumulative_log_odds, db, leave_one_out, log_odds, most_influential,
                             posteriors, prior_sensitivity, scale_sensitivity, van_evera, weight_db)

# Worked example: hypotheses T, R, D with priors 0.4, 0.3, 0.3 and three items.
PRIORS = {"T": 0.4, "R": 0.3, "D": 0.3}
ITEMS = [
    {"T": 0.6, "R": 0.15, "D": 0.3},
    {"T": 0.5, "R": 0.5, "D": 0.1},
    {"T": 0.3, "R": 0.6, "D": 0.3},
]


def by_hand(priors, items):
    """Direct multiplication of priors and likelihoods, normalised."""
    raw = {h: priors[h] * math.prod(it[h] for it in items) for h in priors}
    z = sum(raw.values())
    return {h: v / z for h, v in raw.items()}


def test_decibans_of_familiar_ratios() -> None:
    assert db(10) == pytest.approx(10)
    assert db(100) == pytest.approx(20)
    assert db(2) == pytest.approx(3.0103, abs=1e-4)
    assert weight_db(0.6, 0.15) == pytest.approx(6.0206, abs=1e-4)
    with pytest.raises(ValueError):
        weight_db(0, 0.5)
    with pytest.raises(ValueError):
        weight_db(0.5, 1.2)


def test_worked_example_posteriors() -> None:
    post = posteriors(PRIORS, ITEMS)
    assert post["T"] == pytest.approx(0.690, abs=5e-4)
    assert post["R"] == pytest.approx(0.259, abs=5e-4)
    assert post["D"] == pytest.approx(0.052, abs=5e-4)
    assert sum(post.values()) == pytest.approx(1)


def test_worked_example_log_odds() -> None:
    totals = log_odds(PRIORS, ITEMS, reference="T")
    assert totals["T"] == 0
    assert totals["R"] == pytest.approx(-4.26, abs=0.01)
    assert totals["D"] == pytest.approx(-11.25, abs=0.01)


def test_summation_equals_multiplication() -> None:
    assert posteriors(PRIORS, ITEMS) == pytest.approx(by_hand(PRIORS, ITEMS))


def test_order_does_not_matter() -> None:
    for order in itertools.permutations(ITEMS):
        assert posteriors(PRIORS, list(order)) == pytest.approx(posteriors(PRIORS, ITEMS))


def test_an_item_that_cannot_discriminate_changes_nothing() -> None:
    flat = {"T": 0.4, "R": 0.4, "D": 0.4}
    assert posteriors(PRIORS, ITEMS + [flat]) == pytest.approx(posteriors(PRIORS, ITEMS))


def test_cumulative_trace_starts_at_prior_and_ends_at_posterior() -> None:
    trace = cumulative_log_odds(PRIORS, ITEMS, reference="T")
    assert len(trace) == len(ITEMS) + 1
    assert trace[0]["R"] == pytest.approx(db(0.3 / 0.4))
    assert trace[-1] == pytest.approx(log_odds(PRIORS, ITEMS, "T"))


def test_van_evera_tests() -> None:
    assert van_evera(0.99, 0.5) is VanEvera.HOOP  # found +3 dB, absent -17 dB
    assert van_evera(0.3, 0.01) is VanEvera.SMOKING_GUN  # found +14.8 dB, absent -1.5 dB
    assert van_evera(0.99, 0.01) is VanEvera.DOUBLY_DECISIVE
    assert van_evera(0.6, 0.4) is VanEvera.STRAW_IN_THE_WIND
    assert van_evera(1.0, 0.5) is VanEvera.HOOP  # certain under H: absence rules H out


def test_scaling_the_ratios() -> None:
    post = scale_sensitivity(PRIORS, ITEMS, [0, 1])
    assert post[0] == pytest.approx(PRIORS)  # no weight at all: the priors come back
    assert post[1] == pytest.approx(posteriors(PRIORS, ITEMS))


def test_prior_sensitivity_and_leave_one_out() -> None:
    equal = {"T": 1 / 3, "R": 1 / 3, "D": 1 / 3}
    runs = prior_sensitivity({"default": PRIORS, "equal": equal}, ITEMS)
    assert runs["equal"] == pytest.approx(by_hand(equal, ITEMS))
    loo = leave_one_out(PRIORS, ITEMS)
    assert loo[0] == pytest.approx(by_hand(PRIORS, ITEMS[1:]))
    # E1 favours T over R by 6 dB: leaving it out moves T's posterior most
    assert most_influential(PRIORS, ITEMS, "T", n=1) == [0]


def test_a_stale_judgement_is_replaced_by_the_judgements_that_still_fit() -> None:
    """A rival whose rule now predicts otherwise than its likelihoods assumed borrows P(E | r) from the
    hypotheses that predict r and still fit; one that makes no prediction mixes over all three."""
    import pandas as pd

    from patron.weighing import mixed_likelihoods

    likelihoods = pd.DataFrame({"evidence_id": ["V1"] * 4, "hypothesis_id": ["H_TYP", "H_BS", "H_REG", "H_THR"],
                                "likelihood": [0.8, 0.2, 0.6, 0.4]})
    evidence = pd.DataFrame({"evidence_id": ["V1"], "episode_id": ["e"]})
    episodes = pd.DataFrame({"episode_id": ["e"], "entrapment": ["high"], "control": ["low"]})
    predictions = pd.DataFrame({"episode_id": ["e"] * 4, "hypothesis_id": ["H_TYP", "H_BS", "H_REG", "H_THR"],
                                "predicted_response": ["negotiation", "restraint", "negotiation", ""]})
    judged = pd.DataFrame({"episode_id": ["e"] * 3, "hypothesis_id": ["H_BS", "H_REG", "H_THR"],
                           "judged_against": ["bystanding", "negotiation", "negotiation"]})
    got = mixed_likelihoods(likelihoods, evidence, episodes, predictions, judged).set_index("hypothesis_id")
    assert got.loc["H_REG", "likelihood"] == 0.6  # still fits: kept
    # H_BS now predicts restraint, which no fitting hypothesis predicts: the mean of those that fit
    assert got.loc["H_BS", "likelihood"] == pytest.approx((0.8 + 0.6) / 2)
    # H_THR predicts nothing: an even mixture over the three responses
    assert got.loc["H_THR", "likelihood"] == pytest.approx(((0.8 + 0.6) / 2 + 0.7 + 0.7) / 3)

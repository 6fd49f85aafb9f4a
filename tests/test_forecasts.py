"""The forecast register: its scheme, its scores (on made-up resolutions, checked by
hand) and the validator's rules for it."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from patron.forecasts import brier, laplace, log_score, scheme_probability, score_forecasts, status
from test_case_data import line_of
from test_validate import assert_rejected, set_cell


def test_the_scheme_by_hand() -> None:
    assert laplace(11, 30) == 12 / 32
    assert scheme_probability(11, 30, defaulted=False) == 0.375
    assert scheme_probability(11, 30, defaulted=True) == round((0.375 + 1 / 3) / 2, 3)  # 0.354
    assert laplace(0, 0) == 0.5
    with pytest.raises(ValueError):
        laplace(5, 4)


def test_brier_and_log_scores_by_hand() -> None:
    assert brier(0.8, True) == pytest.approx(0.04)
    assert brier(0.8, False) == pytest.approx(0.64)
    assert log_score(0.8, True) == pytest.approx(math.log(0.8))
    assert log_score(0.8, False) == pytest.approx(math.log(0.2))


def made_up() -> tuple[pd.DataFrame, pd.DataFrame]:
    forecasts = pd.DataFrame({"forecast_id": ["F01", "F02", "F03", "F04"], "outcome": [None] * 4,
                              "resolve_by": ["2027-01-01", "2027-06-01", "2028-01-01", "2026-01-01"]})
    predictions = pd.DataFrame({
        "forecast_id": ["F01", "F02", "F03", "F04"] * 2,
        "rule": ["H_TYP"] * 4 + ["BASE_MODAL"] * 4,
        "predicted_response": ["negotiation", "restraint", "bystanding", "negotiation"] + ["negotiation"] * 4,
        "probability": [0.4, 0.5, 0.3, 0.4] + [0.6] * 4})
    return forecasts, predictions


def test_scores_on_made_up_resolutions_by_hand() -> None:
    """F01 negotiation, F02 negotiation, F03 void, F04 restraint.
    Typology: hit (0.4), miss (0.5), miss (0.4) -> hit rate 1/3;
    Brier ((0.6)^2 + 0.5^2 + 0.4^2) / 3 = (0.36 + 0.25 + 0.16) / 3;
    log (ln 0.4 + ln 0.5 + ln 0.6) / 3.
    Modal: hit, hit, miss at 0.6 -> 2/3; Brier (0.16 + 0.16 + 0.36) / 3."""
    forecasts, predictions = made_up()
    scores = score_forecasts(forecasts, predictions, {"F01": "negotiation", "F02": "negotiation",
                                                      "F03": "void", "F04": "restraint"}).set_index("rule")
    assert scores.loc["H_TYP", "resolved"] == 3 and scores.loc["H_TYP", "hits"] == 1
    assert scores.loc["H_TYP", "brier"] == pytest.approx((0.36 + 0.25 + 0.16) / 3)
    assert scores.loc["H_TYP", "log_score"] == pytest.approx((math.log(0.4) + math.log(0.5) + math.log(0.6)) / 3)
    assert scores.loc["BASE_MODAL", "hit_rate"] == pytest.approx(2 / 3)
    assert scores.loc["BASE_MODAL", "brier"] == pytest.approx((0.16 + 0.16 + 0.36) / 3)


def test_nothing_resolved_scores_nothing() -> None:
    forecasts, predictions = made_up()
    scores = score_forecasts(forecasts, predictions)
    assert (scores.resolved == 0).all() and scores.brier.isna().all()


def test_status_by_hand() -> None:
    forecasts, _ = made_up()
    forecasts.loc[0, "outcome"] = "negotiation"
    assert list(status(forecasts, "2026-11-29")) == [
        "resolved: negotiation", "open until 2027-06-01", "open until 2028-01-01", "overdue: to be resolved"]


def _resolve_by_before_registration(d: Path) -> str:
    set_cell(d / "forecasts.csv", 2, "resolve_by", "2026-01-01")
    return "data/forecasts.csv:2:resolve_by: 2026-01-01 is not after registered_on"


def _prediction_not_classify(d: Path) -> str:
    line = 2
    import csv

    row = list(csv.DictReader(open(d / "forecasts.csv", encoding="utf-8")))[0]
    other = {"bystanding": "restraint", "negotiation": "restraint", "restraint": "bystanding"}[row["predicted_response"]]
    set_cell(d / "forecasts.csv", line, "predicted_response", other)
    return f"data/forecasts.csv:{line}:predicted_response: '{other}' but classify("


def _resolved_without_source(d: Path) -> str:
    set_cell(d / "forecasts.csv", 3, "outcome", "negotiation")
    set_cell(d / "forecasts.csv", 3, "resolved_on", "2027-03-01")
    return "data/forecasts.csv:3:resolution_source: a resolved forecast needs its outcome"


def _probability_of_one(d: Path) -> str:
    set_cell(d / "forecasts.csv", 4, "probability", "1")
    return "data/forecasts.csv:4:probability: 1 is not a probability strictly between 0 and 1"


def _probability_of_zero_for_a_rival(d: Path) -> str:
    set_cell(d / "forecast_predictions.csv", 5, "probability", "0")
    return "data/forecast_predictions.csv:5:probability: 0 is not a probability strictly between 0 and 1"


def _coding_not_the_rule(d: Path) -> str:
    import csv

    row = list(csv.DictReader(open(d / "forecasts.csv", encoding="utf-8")))[0]
    flipped = {"low": "high", "high": "low"}[row["control"]]
    from patron import classify

    set_cell(d / "forecasts.csv", 2, "control", flipped)
    set_cell(d / "forecasts.csv", 2, "predicted_response", classify(row["entrapment"], flipped).value)
    return f"data/forecasts.csv:2:control: '{flipped}' but the coding rule gives '{row['control']}'"


def _signal_stated_after_registration(d: Path) -> str:
    import csv

    rows = list(csv.DictReader(open(d / "forecast_signals.csv", encoding="utf-8")))
    target = next(r for r in rows if r["indicates"])
    line = line_of(d / "forecast_signals.csv", target["signal_id"])
    set_cell(d / "forecast_signals.csv", line, "stated_on", "2026-12-15")
    set_cell(d / "forecast_signals.csv", line, "stated_precision", "day")
    return f"data/forecast_signals.csv:{line}:indicates: a coding item must be stated on or before its forecast's registered_on"


CASES = {f.__name__.strip("_").replace("_", " "): f for f in (
    _resolve_by_before_registration, _prediction_not_classify, _resolved_without_source, _probability_of_one,
    _probability_of_zero_for_a_rival, _coding_not_the_rule, _signal_stated_after_registration)}


@pytest.mark.parametrize("case", sorted(CASES))
def test_forecast_rules_are_enforced(case: str, data_copy: Path) -> None:
    assert_rejected(data_copy, CASES[case](data_copy / "data"), case)


def test_the_register_meets_its_scope() -> None:
    """At least 10 forecasts across at least 6 clients; two clients with two trajectories the
    typology answers differently; some forecasts resolve within two years of registration."""
    from patron.data import load_forecasts

    register = load_forecasts()
    assert len(register) >= 10 and register.client.nunique() >= 6
    differing = register.groupby("client").predicted_response.nunique()
    assert (differing >= 2).sum() >= 2, differing
    soon = pd.to_datetime(register.resolve_by) <= pd.to_datetime(register.registered_on) + pd.DateOffset(years=2)
    assert soon.sum() >= 3


def test_every_signal_is_shown_in_the_forecasts_chapter() -> None:
    import re

    from patron.data import load_forecast_signals
    from patron.paths import BOOK_DIR

    text = (BOOK_DIR / "forecasts.md").read_text(encoding="utf-8")
    shown = set(re.findall(r"'(S\d{3})'", text))
    missing = sorted(set(load_forecast_signals().signal_id) - shown)
    assert not missing, f"signals not shown: {missing}"


def test_registered_probabilities_follow_the_stated_scheme_at_registration() -> None:
    """Every probability is one the scheme can give: (h + 1) / (n + 2) for some record of n
    episodes, or that moved halfway to 1/3. (Frozen values are never recomputed from today's
    record; this only checks that each is of the scheme's form.)"""
    from patron.data import load_forecast_predictions, load_forecasts
    from patron.forecasts import scheme_probability

    from patron.coding import REGISTERED_VERSION, rule_version

    possible = {scheme_probability(h, 30, d) for h in range(31) for d in (False, True)}
    forecasts = load_forecasts()
    old = set(forecasts.forecast_id[[rule_version(d) == REGISTERED_VERSION for d in forecasts.registered_on]])
    predictions = load_forecast_predictions()
    for p in list(forecasts.probability[forecasts.forecast_id.isin(old)]) + \
            list(predictions.probability[predictions.forecast_id.isin(old)]):
        assert round(float(p), 3) in possible, p


def test_every_price_follows_the_scheme_at_the_registration_record() -> None:
    """Each rule's price, as amended where an amendment exists, is what the stated scheme gives from the
    record at the registration commit (data/forecast_basis.csv) and the coding rule's defaults."""
    from patron.data import load_forecast_amendments, load_forecast_basis, load_forecast_predictions, load_forecasts
    from patron.data import load_forecast_signals
    from patron.forecasts import DEFAULT_FLAGS, forecast_codings

    basis = load_forecast_basis()
    basis = basis[basis.registered_on.astype(str) == "2026-11-29"].set_index("rule")
    amended = load_forecast_amendments()
    amended = amended[amended.field == "probability"].set_index(["forecast_id", "rule"]).amended_value
    codings = forecast_codings(load_forecasts(), load_forecast_signals())
    defaulted = codings.assign(d=codings.flag.isin(DEFAULT_FLAGS)).groupby(["forecast_id", "dimension"]).d.any()
    reads = {"H_TYP": ("entrapment", "control"), "H_CTL": ("control",), "H_ASDW": ("entrapment",),
             "BASE_E_ONLY": ("entrapment",), "BASE_C_ONLY": ("control",)}
    from patron.coding import REGISTERED_VERSION, rule_version

    registered = dict(zip(load_forecasts().forecast_id, load_forecasts().registered_on))
    for row in load_forecast_predictions().itertuples():
        if rule_version(registered[row.forecast_id]) != REGISTERED_VERSION:
            continue  # priced by the case-specific scheme: see the next test
        d = any(defaulted[(row.forecast_id, dim)] for dim in reads.get(row.rule, ()))
        expected = scheme_probability(int(basis.loc[row.rule, "hits"]), int(basis.loc[row.rule, "n"]), d)
        price = float(amended.get((row.forecast_id, row.rule), row.probability))
        assert price == expected, (row.forecast_id, row.rule, row.probability, expected)


def test_case_specific_prices_follow_from_the_record_at_registration() -> None:
    """Every price of a forecast registered under version 0.5 is what the case-specific scheme gives from the
    record stored with the registration and the forecast's own codings."""
    from patron.coding import REGISTERED_VERSION, rule_version
    from patron.data import load_forecast_basis, load_forecast_predictions, load_forecasts
    from patron.forecasts import READS_PERCEPTIONS, case_price

    forecasts = load_forecasts().set_index("forecast_id")
    checked = 0
    for day, mine in load_forecast_basis().groupby("registered_on"):
        if rule_version(str(day)) == REGISTERED_VERSION:
            continue
        record = mine.set_index("rule")
        prior = {d: record.loc[f"PRIOR_{d}", "hits"] / record.loc[f"PRIOR_{d}", "n"] for d in ("entrapment", "control")}
        for row in load_forecast_predictions().itertuples():
            f = forecasts.loc[row.forecast_id]
            if str(f.registered_on) != str(day) or not isinstance(row.predicted_response, str):
                continue
            hits, n = int(record.loc[row.rule, "hits"]), int(record.loc[row.rule, "n"])
            if row.rule in READS_PERCEPTIONS:
                assert (row.predicted_response, float(row.probability)) == case_price(
                    row.rule, f.entrapment, f.control, prior, hits, n), (row.forecast_id, row.rule)
            else:
                assert float(row.probability) == round(laplace(hits, n), 3), (row.forecast_id, row.rule)
            checked += 1
    assert checked >= 10 * 5  # at least ten forecasts, each priced by several rules


def test_case_prices_by_hand() -> None:
    from patron.forecasts import case_distribution, case_price

    # both measured: the prediction gets the hit rate, each other response half the rest
    dist = case_distribution("H_TYP", "high", "low", {"entrapment": 0.5, "control": 0.5}, 0.5)
    assert dist == {"bystanding": 0.25, "negotiation": 0.5, "restraint": 0.25}
    # control unmeasured, P(high) = 0.25: negotiation with weight 0.75, restraint 0.25, each spread by the hit rate
    assert case_price("H_TYP", "high", "unmeasured", {"entrapment": 0.5, "control": 0.25}, 3, 4) == (
        "negotiation", round(0.75 * 4 / 6 + 0.25 * 1 / 6, 3))


def test_enough_new_forecasts_resolve_by_the_end_of_2027() -> None:
    """At least ten forecasts registered from 2026-12-04, at least eight of them resolving by the end of 2027,
    so that the register will have outcomes to score soon (whether the revisit test can be met depends on how
    many of them separate the typology from the modal rule and the regime rival; the chapter says how many)."""
    from patron.data import load_forecasts

    forecasts = load_forecasts()
    new = forecasts[forecasts.registered_on.astype(str) >= "2026-12-04"]
    assert len(new) >= 10 and len(forecasts) >= 24
    assert (new.resolve_by.astype(str) <= "2027-12-31").sum() >= 8

"""The coding rule: entrapment and control from eligible items only, blind to the response.

The guard below (`eligibility_violations`) checks each counted item against the
rule's three conditions independently of `patron.coding`. It runs on the
committed data and on a made-up episode full of traps, and a final test proves
it can fail: with any one condition switched off in the code, it goes red.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from patron.coding import (COUNTED_SECONDHAND, US_SIDE, Coding, coding_table, context_items, earliest, latest,
                           majority, stated_in_time)
from patron.scoring import typology
from patron.data import load_episodes, load_evidence
from patron.paths import DATA_DIR
from test_case_data import line_of
from test_validate import assert_rejected, set_cell

# --- The arithmetic of the rule ----------------------------------------------------------


@pytest.mark.parametrize(("values", "expected"), [
    (["high", "high", "low"], Coding("high", 2, 1, 1, None)),       # one flip makes a tie, which is not high
    (["high", "high", "high"], Coding("high", 3, 0, 2, None)),      # 3-0 -> 2-1 is still high; 1-2 is low
    (["low"], Coding("low", 0, 1, 1, None)),                         # one flip: 1-0, high
    (["low", "low"], Coding("low", 0, 2, 1, None)),                  # one flip makes a tie
    (["high", "low"], Coding("tie", 1, 1, 1, "tie")),                # a tie is a tie, never low
    (["high", "unclear", "low", "low"], Coding("low", 1, 2, 1, None)),  # unclear counts on neither side
    ([], Coding("unmeasured", 0, 0, 1, "no eligible items")),        # missing is missing
    (["unclear"], Coding("unmeasured", 0, 0, 1, "only unclear items")),
])
def test_majority_and_margin_by_hand(values: list[str], expected: Coding) -> None:
    assert majority(values) == expected


def test_margin_is_the_number_of_flips_that_change_the_level() -> None:
    """Brute force: flipping `margin` items changes the level; flipping fewer never does."""
    flip = {"high": "low", "low": "high"}
    for n_high in range(6):
        for n_low in range(6):
            values = ["high"] * n_high + ["low"] * n_low
            coding = majority(values)
            if not values:
                continue
            source = "high" if coding.level == "high" else "low"
            for k in range(coding.margin + 1):
                moved = [flip[v] if v == source and i < k else v
                         for i, v in enumerate(sorted(values, key=lambda v: v != source))]
                assert (majority(moved).level != coding.level) == (k == coding.margin), (n_high, n_low, k)


def test_a_non_level_is_refused() -> None:
    with pytest.raises(ValueError, match="'medium'"):
        majority(["high", "medium"])


def test_partial_dates_are_read_conservatively() -> None:
    assert earliest("2012-10", "month") == pd.Timestamp("2012-10-01").date()
    assert latest("2012-02", "month") == pd.Timestamp("2012-02-29").date()
    assert latest("1982", "year") == pd.Timestamp("1982-12-31").date()
    assert stated_in_time("2012-10-05", "day", "2012-10-05", "day")  # on the day counts
    assert not stated_in_time("2012-10", "month", "2012-10-05", "day")  # may have come after
    assert stated_in_time("2012-09", "month", "2012-10-05", "day")
    assert not stated_in_time("1979-10-02", "day", "1979-10", "month")  # the month may have begun with it


# --- The guard: nothing ineligible ever counts ------------------------------------------


def eligibility_violations(codings: pd.DataFrame, evidence: pd.DataFrame, episodes: pd.DataFrame) -> list[str]:
    """Every counted item that breaks one of the rule's conditions, checked from scratch."""
    items = evidence.set_index("evidence_id")
    decided = episodes.set_index("episode_id")
    found = []
    for row in codings.itertuples():
        for item_id in (row.eligible_ids or "").split(";"):
            if not item_id:
                continue
            item = items.loc[item_id]
            on, precision = decided.loc[row.episode_id, ["decided_on", "decided_precision"]]
            if item.bears_on != row.dimension:
                found.append(f"{item_id} bears on {item.bears_on} but counts toward {row.dimension}")
            if item.perceiver not in {"us-executive", "us-congress", "us-military", "us-intelligence"}:
                found.append(f"{item_id} records a {item.perceiver} view but counts")
            if item.secondhand not in {"direct", "named-quoted", "unnamed-paraphrase"}:
                found.append(f"{item_id} reaches us as {item.secondhand} but counts")
            if not isinstance(item.stated_on, str) or latest(item.stated_on, item.stated_precision) > \
                    earliest(on, precision):
                found.append(f"{item_id} was stated {item.stated_on}, not before {on}, but counts")
    return found


def trap_episode() -> tuple[pd.DataFrame, pd.DataFrame]:
    """One made-up episode: a single eligible item says low; five traps say high."""
    episodes = pd.DataFrame([{"episode_id": "p0-test", "decided_on": "2000-06-15", "decided_precision": "day",
                              "entrapment": "low", "control": "low"}])

    def item(i: str, bears_on: str, perceiver: str, stated_on: str | None, indicates: str,
             secondhand: str = "direct") -> dict:
        return {"evidence_id": i, "episode_id": "p0-test", "bears_on": bears_on, "perceiver": perceiver,
                "secondhand": secondhand, "stated_on": stated_on, "stated_precision": "day" if stated_on else None,
                "indicates": indicates}

    evidence = pd.DataFrame([
        item("V901", "entrapment", "us-executive", "2000-01-10", "low"),     # eligible
        item("V902", "response", "us-executive", "2000-01-10", "high"),      # a response item
        item("V903", "entrapment", "client", "2000-01-10", "high"),          # not a US view
        item("V904", "entrapment", "us-military", "2000-06-16", "high"),     # the day after the decision
        item("V905", "entrapment", "press", "2000-01-11", "high"),           # the press
        item("V906", "control", "us-intelligence", "2000-06-15", "low"),     # on the day: eligible
        item("V907", "entrapment", "us-executive", "2000-01-12", "high", "summary"),  # a scholar's summary
    ])
    return episodes, evidence


def test_only_eligible_items_count_in_a_made_up_episode() -> None:
    episodes, evidence = trap_episode()
    table = coding_table(episodes, evidence).set_index("dimension")
    assert table.loc["entrapment", "eligible_ids"] == "V901"
    assert table.loc["entrapment", "level"] == "low"  # four traps say high; none may count
    assert table.loc["control", "eligible_ids"] == "V906"
    assert eligibility_violations(table.reset_index(), evidence, episodes) == []
    reasons = context_items(evidence, "2000-06-15", "day").set_index("evidence_id").reason
    assert reasons.to_dict() == {"V903": "not a US view (client)", "V904": "stated after the decision",
                                 "V905": "not a US view (press)", "V907": "second-hand (summary)"}


def test_no_ineligible_item_counts_in_the_committed_data() -> None:
    codings = pd.read_csv(DATA_DIR / "derived" / "codings.csv", dtype=str, keep_default_na=False)
    assert eligibility_violations(codings.replace({"": None}), load_evidence(), load_episodes()) == []


@pytest.mark.parametrize("loosen", ["count response items", "count non-US views", "count late items",
                                    "count summaries"])
def test_the_guard_goes_red_when_the_rule_is_loosened(loosen: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Proof that the guard can fail: switch off one condition in the code and it must object."""
    import patron.coding as coding

    original = coding.ineligibility
    if loosen == "count response items":
        monkeypatch.setattr(coding, "ineligibility", lambda item, dimension, *a: None
                            if item["bears_on"] == "response" and item["perceiver"] in US_SIDE
                            else original(item, dimension, *a))
    elif loosen == "count non-US views":
        monkeypatch.setattr(coding, "US_SIDE", US_SIDE | {"client", "press"})
    elif loosen == "count summaries":
        monkeypatch.setattr(coding, "COUNTED_SECONDHAND", COUNTED_SECONDHAND | {"summary"})
    else:
        monkeypatch.setattr(coding, "stated_in_time", lambda *a: True)
    episodes, evidence = trap_episode()
    assert eligibility_violations(coding.coding_table(episodes, evidence), evidence, episodes) != []


# --- The committed data follow the rule ---------------------------------------------------


def test_committed_codings_follow_from_the_evidence() -> None:
    """data/derived/codings.csv is exactly what the rule gives from evidence.csv and episodes.csv."""
    committed = (DATA_DIR / "derived" / "codings.csv").read_text(encoding="utf-8")
    recomputed = coding_table(load_episodes(), load_evidence()).to_csv(index=False, lineterminator="\n")
    assert committed == recomputed, "run the case chapter (make notebooks) to rewrite data/derived/codings.csv"


def test_episode_codings_equal_the_rule() -> None:
    codings = coding_table(load_episodes(), load_evidence()).set_index(["episode_id", "dimension"]).level
    for ep in load_episodes().itertuples():
        assert ep.entrapment == codings[(ep.episode_id, "entrapment")], ep.episode_id
        assert ep.control == codings[(ep.episode_id, "control")], ep.episode_id
        expected = typology(ep.entrapment, ep.control)
        assert (ep.predicted_response if isinstance(ep.predicted_response, str) else "") == expected, ep.episode_id


# --- The validator enforces the provenance columns ----------------------------------------


def _unknown_perceiver(d: Path) -> str:
    line = line_of(d / "evidence.csv", "V001")
    set_cell(d / "evidence.csv", line, "perceiver", "us-navy")
    return f"data/evidence.csv:{line}:perceiver: 'us-navy' is not an allowed value"


def _first(d: Path, **match: str) -> tuple[int, dict[str, str]]:
    """The line and cells of the first evidence row whose cells equal ``match``."""
    from test_validate import _rows

    for line, row in enumerate(_rows(d / "evidence.csv"), start=2):
        if all(row[k] == v for k, v in match.items()):
            return line, row
    raise LookupError(match)


def _indicates_on_a_response_item(d: Path) -> str:
    line, _ = _first(d, bears_on="response")
    set_cell(d / "evidence.csv", line, "indicates", "high")
    return f"data/evidence.csv:{line}:indicates: only an entrapment or control item indicates a level"


def _read_via_not_in_the_bibliography(d: Path) -> str:
    line = line_of(d / "evidence.csv", "V001")
    set_cell(d / "evidence.csv", line, "read_via", "nosuchcopy2099")
    return f"data/evidence.csv:{line}:read_via: unknown citation key 'nosuchcopy2099'"


def _perception_item_without_indicates(d: Path) -> str:
    line, _ = _first(d, bears_on="control")
    set_cell(d / "evidence.csv", line, "indicates", "")
    return f"data/evidence.csv:{line}:indicates: required for a control item"


def _undated_us_item(d: Path) -> str:
    line, _ = _first(d, perceiver="us-executive", secondhand="direct", bears_on="control")
    set_cell(d / "evidence.csv", line, "stated_on", "")
    set_cell(d / "evidence.csv", line, "stated_precision", "")
    return f"data/evidence.csv:{line}:stated_on: required for a US-side item"


def _episode_coding_not_the_rule(d: Path) -> str:
    from test_validate import _line_of, _rows

    line = _line_of(d / "episodes.csv", episode_id="x-fr-force-1958-68")
    actual = _rows(d / "episodes.csv")[line - 2]["control"]
    wrong = "low" if actual != "low" else "high"
    set_cell(d / "episodes.csv", line, "control", wrong)
    return f"data/episodes.csv:{line}:control: '{wrong}' but the coding rule gives '{actual}'"


def _unmeasured_read_as_a_prediction(d: Path) -> str:
    from test_validate import _line_of

    line = _line_of(d / "episodes.csv", episode_id="p3-chun-1980-90")
    set_cell(d / "episodes.csv", line, "predicted_response", "bystanding")
    return f"data/episodes.csv:{line}:predicted_response: 'bystanding' but the typology predicts nothing"


def _decided_on_not_a_date(d: Path) -> str:
    line = line_of(d / "episodes.csv", "p4-revision-1995-2001")
    set_cell(d / "episodes.csv", line, "decided_on", "2000-13-01")
    return f"data/episodes.csv:{line}:decided_on: '2000-13-01' is not a real calendar date"


CASES = {f.__name__.strip("_").replace("_", " "): f for f in (
    _unknown_perceiver, _indicates_on_a_response_item, _read_via_not_in_the_bibliography,
    _perception_item_without_indicates, _undated_us_item, _episode_coding_not_the_rule,
    _unmeasured_read_as_a_prediction, _decided_on_not_a_date)}


@pytest.mark.parametrize("case", sorted(CASES))
def test_provenance_rules_are_enforced(case: str, data_copy: Path) -> None:
    assert_rejected(data_copy, CASES[case](data_copy / "data"), case)

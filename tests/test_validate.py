"""`python -m patron validate`: the committed data passes, and each kind of bad
input is rejected with the right file, line and column."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from patron.data import load_table
from patron.validate import DataValidationError, validate_package


def run_cli(root: Path | None = None) -> subprocess.CompletedProcess:
    args = [sys.executable, "-m", "patron", "validate"]
    if root is not None:
        args += ["--data-dir", str(root / "data"), "--bib", str(root / "references.bib")]
    return subprocess.run(args, capture_output=True, text=True, cwd="/")


def test_committed_data_passes() -> None:
    done = run_cli()
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("OK: ") and done.stdout.count("\n") == 1


def assert_rejected(root: Path, expected: str, case: str = "") -> None:
    """The validator must exit 1 and report ``expected`` (file:line:column: message)."""
    done = run_cli(root)
    assert done.returncode == 1, f"{case}: accepted\n{done.stdout}"
    assert expected in done.stdout, f"{case}: expected {expected!r} in\n{done.stdout}"
    assert "OK:" not in done.stdout


def replace_line(path: Path, line: int, old: str, new: str) -> None:
    """Change the first `old` on a given physical line (1 = header) of a CSV."""
    lines = path.read_bytes().split(b"\n")
    assert old.encode() in lines[line - 1], f"{old!r} not on line {line} of {path.name}"
    lines[line - 1] = lines[line - 1].replace(old.encode(), new.encode(), 1)
    path.write_bytes(b"\n".join(lines))


def set_cell(path: Path, line: int, column: str, value: str) -> None:
    """Set one cell of a CSV (line 1 is the header), keeping everything else."""
    import csv
    import io

    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    rows[line - 1][rows[0].index(column)] = value
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def _rows(path: Path) -> list[dict[str, str]]:
    import csv

    return list(csv.DictReader(path.open(encoding="utf-8", newline="")))


def _line_of(path: Path, **match: str) -> int:
    """The physical line (1 = header) of the first row whose cells equal ``match``."""
    for i, row in enumerate(_rows(path), start=2):
        if all(row[k] == v for k, v in match.items()):
            return i
    raise LookupError(f"no row {match} in {path.name}")


def _other_episode_item(d: Path) -> None:
    """Point a found search at an item of another episode."""
    searches = d / "searches.csv"
    line = _line_of(searches, result="found")
    episode = _rows(searches)[line - 2]["episode_id"]
    stranger = next(r["evidence_id"] for r in _rows(d / "evidence.csv") if r["episode_id"] != episode)
    set_cell(searches, line, "evidence_ids", stranger)


def _adjudicated_disagrees(d: Path) -> None:
    """Change the adjudicated row of the first item so that the rule no longer gives it."""
    tags = d / "tags.csv"
    line = _line_of(tags, coder="adjudicated")
    current = _rows(tags)[line - 2]["secondhand"]
    set_cell(tags, line, "secondhand", "direct" if current != "direct" else "summary")


def _evidence_differs(d: Path) -> None:
    evidence = d / "evidence.csv"
    current = _rows(evidence)[0]["secondhand"]
    set_cell(evidence, 2, "secondhand", "direct" if current != "direct" else "summary")


# Each case breaks one thing in a copy of the data and names where it must be reported.
def _coded_out_of_order(d: Path) -> None:
    """Mark the last candidate in the draw as coded while earlier ones are still waiting."""
    universe = d / "universe.csv"
    waiting = [r for r in _rows(universe) if r["coded_before_draw"] == "no" and r["status"] != "coded"]
    last = max(waiting, key=lambda r: int(r["draw_order"]))
    set_cell(universe, _line_of(universe, candidate_id=last["candidate_id"]), "status", "coded")


def _duplicate_draw(d: Path) -> None:
    universe = d / "universe.csv"
    rows = [r for r in _rows(universe) if r["draw_order"]]
    set_cell(universe, _line_of(universe, candidate_id=rows[1]["candidate_id"]), "draw_order", rows[0]["draw_order"])


def _rival_edited(d: Path) -> None:
    predictions = d / "predictions.csv"
    rows = _rows(predictions)
    line = next(i for i, r in enumerate(rows, start=2) if r["hypothesis_id"] == "H_REG" and r["predicted_response"])
    other = {"bystanding": "restraint", "negotiation": "restraint", "restraint": "bystanding"}
    set_cell(predictions, line, "predicted_response", other[rows[line - 2]["predicted_response"]])


CASES = {
    "amendment naming an unknown forecast": (
        lambda d: set_cell(d / "forecast_amendments.csv", 2, "forecast_id", "F99"),
        "data/forecast_amendments.csv:2:forecast_id: 'F99' not found in forecasts.forecast_id"),
    "amendment naming an unknown field": (
        lambda d: set_cell(d / "forecast_amendments.csv", 2, "field", "predicted_response"),
        "data/forecast_amendments.csv:2:field: 'predicted_response' is not an allowed value"),
    "edited registered row": (lambda d: set_cell(d / "forecasts.csv", 2, "probability", "0.500"),
                              "data/forecasts.csv:2:(row): 'F01' was edited after registration"),
    "response outside the three categories": (
        lambda d: set_cell(d / "response_tags.csv", 2, "settled_response", "acquiescence"),
        "data/response_tags.csv:2:settled_response: 'acquiescence' is not an allowed value"),
    "response_tags row for an unknown episode": (
        lambda d: set_cell(d / "response_tags.csv", 2, "episode_id", "x-zz-nothing-1999"),
        "data/response_tags.csv:2:episode_id: 'x-zz-nothing-1999' not found in episodes.episode_id"),
    "rival prediction its rule does not produce": (_rival_edited, "but the rule of H_REG gives"),
    "feature value outside its domain": (lambda d: set_cell(d / "armaments.csv", 2, "propellant", "nuclear"),
                                         "data/armaments.csv:2:propellant: 'nuclear' is not an allowed value"),
    "blank feature": (lambda d: set_cell(d / "armaments.csv", 3, "mobility", ""),
                      "data/armaments.csv:3:mobility: required value is empty"),
    "pressure level outside its scale": (lambda d: set_cell(d / "episodes.csv", 2, "burden_pressure", "severe"),
                                         "data/episodes.csv:2:burden_pressure: 'severe' is not an allowed value"),
    "duplicated draw_order": (_duplicate_draw, ":draw_order: duplicate value"),
    "candidate dropped after the draw": (
        lambda d: set_cell(d / "universe.csv", _line_of(d / "universe.csv", candidate_id="U23"), "status",
                           "left out"),
        "data/universe.csv:1:status: the admitted candidates are not the 58 the draw was fixed over"),
    "skip without a reason": (
        lambda d: set_cell(d / "universe.csv", _line_of(d / "universe.csv", candidate_id="U40"), "reason", ""),
        ":reason: a skipped candidate needs its stated reason"),
    "episode coded out of draw order": (_coded_out_of_order, "is coded out of draw order"),
    "tag outside the codebook": (lambda d: set_cell(d / "tags.csv", 2, "bears_on", "entrapement"),
                                 "data/tags.csv:2:bears_on: 'entrapement' is not in the codebook"),
    "tags row for an unknown item": (lambda d: set_cell(d / "tags.csv", 2, "evidence_id", "V9999"),
                                     "data/tags.csv:2:evidence_id: 'V9999' not found in evidence.evidence_id"),
    "adjudicated tag the rule does not give": (_adjudicated_disagrees,
                                                "but the adjudication rule gives"),
    "evidence differs from its adjudicated tag": (_evidence_differs,
                                                  "data/evidence.csv:2:secondhand:"),
    "search naming another episode's item": (_other_episode_item, "evidence_ids: 'V"),
    "found search with no items": (lambda d: set_cell(d / "searches.csv", _line_of(d / "searches.csv", result="none"),
                                                      "result", "found"),
                                   "evidence_ids: a 'found' search must name the items it found"),
    "malformed date": (lambda d: set_cell(d / "guidelines.csv", 3, "effective_date", "17/01/2001"),
                       "data/guidelines.csv:3:effective_date:"),
    "impossible calendar date": (lambda d: set_cell(d / "guidelines.csv", 3, "effective_date", "2001-02-30"),
                                 "data/guidelines.csv:3:effective_date:"),
    "date disagrees with precision": (lambda d: set_cell(d / "guidelines.csv", 4, "date_precision", "month"),
                                      "data/guidelines.csv:4:effective_date:"),
    "unknown category": (lambda d: set_cell(d / "guidelines.csv", 2, "date_precision", "week"),
                         "data/guidelines.csv:2:date_precision:"),
    "negative number": (lambda d: set_cell(d / "guidelines.csv", 5, "max_range_km", "-800"),
                        "data/guidelines.csv:5:max_range_km:"),
    "not a number": (lambda d: set_cell(d / "guidelines.csv", 5, "max_payload_kg", "500kg"),
                     "data/guidelines.csv:5:max_payload_kg:"),
    "duplicate id": (lambda d: set_cell(d / "guidelines.csv", 4, "regime_id", "2001-revision"),
                     "data/guidelines.csv:4:regime_id:"),
    "missing source key": (lambda d: set_cell(d / "guidelines.csv", 6, "source_keys", ""),
                           "data/guidelines.csv:6:source_keys:"),
    "unknown source key": (lambda d: set_cell(d / "guidelines.csv", 6, "source_keys", "nosuchwork2099"),
                           "data/guidelines.csv:6:source_keys: unknown citation key 'nosuchwork2099'"),
    "malformed key list": (lambda d: set_cell(d / "guidelines.csv", 6, "source_keys", "a; b"),
                           "data/guidelines.csv:6:source_keys:"),
    "empty required text": (lambda d: set_cell(d / "guidelines.csv", 7, "note", ""),
                            "data/guidelines.csv:7:note: required value is empty"),
    "stray spaces": (lambda d: set_cell(d / "guidelines.csv", 7, "label", " 2021 termination"),
                     "data/guidelines.csv:7:label: leading or trailing spaces"),
    "empty file": (lambda d: (d / "tradeoffs.csv").write_text(""),
                   "data/tradeoffs.csv:1:(header): file is empty"),
    "wrong header": (lambda d: replace_line(d / "guidelines.csv", 1, "max_range_km", "range_km"),
                     "data/guidelines.csv:1:range_km: unexpected column"),
    "missing column": (lambda d: replace_line(d / "guidelines.csv", 1, "max_range_km", "range_km"),
                       "data/guidelines.csv:1:max_range_km: missing column"),
    "extra column": (lambda d: replace_line(d / "tradeoffs.csv", 1, ",note", ",note,extra"),
                     "data/tradeoffs.csv:1:extra: unexpected column 'extra'"),
    "columns out of order": (lambda d: replace_line(d / "tradeoffs.csv", 1, "range_km,payload_kg", "payload_kg,range_km"),
                             "data/tradeoffs.csv:1:payload_kg: column 2 should be 'range_km'"),
    "row too short": (lambda d: (d / "tradeoffs.csv").write_text(
        (d / "tradeoffs.csv").read_text(encoding="utf-8") + "2012-revision,100\n", encoding="utf-8"),
        "(row): row has 2 fields"),
    "unknown foreign key": (lambda d: set_cell(d / "tradeoffs.csv", 2, "regime_id", "1999-revision"),
                            "data/tradeoffs.csv:2:regime_id: '1999-revision' not found in guidelines.regime_id"),
    "missing file": (lambda d: (d / "tradeoffs.csv").unlink(), "data/tradeoffs.csv:1:(file): file not found"),
    "at sign in a bibliography comment": (
        lambda d: (d.parent / "references.bib").write_text(
            "% checked: a tweet by @someone\n" + (d.parent / "references.bib").read_text(encoding="utf-8"),
            encoding="utf-8"),
        "references.bib:1:(file): not valid BibTeX"),
    "dead dispute id": (lambda d: set_cell(d / "evidence.csv", _line_of(d / "evidence.csv", evidence_id="V034"), "note",
                                           "Settles the order of the written exchange (see dispute A-D01)."),
                        "data/evidence.csv:35:note: names dispute 'A-D01', which data/disputes.csv does not hold"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_rejected_with_file_line_and_column(case: str, data_copy: Path) -> None:
    breaker, expected = CASES[case]
    breaker(data_copy / "data")
    assert_rejected(data_copy, expected, case)


def test_bad_encoding_names_line_and_column(data_copy: Path) -> None:
    path = data_copy / "data" / "guidelines.csv"
    lines = path.read_bytes().split(b"\n")
    lines[3] = lines[3].replace(b"2012", b"2012\xe9", 1)  # a Latin-1 byte in line 4
    path.write_bytes(b"\n".join(lines))
    done = run_cli(data_copy)
    assert done.returncode == 1
    assert "data/guidelines.csv:4:regime_id: not valid UTF-8 (byte 0xe9)" in done.stdout


def test_byte_order_mark_is_rejected(data_copy: Path) -> None:
    path = data_copy / "data" / "tradeoffs.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    done = run_cli(data_copy)
    assert "data/tradeoffs.csv:1:(file): file starts with a byte-order mark" in done.stdout


def test_every_problem_is_reported_not_only_the_first(data_copy: Path) -> None:
    set_cell(data_copy / "data" / "guidelines.csv", 3, "max_range_km", "-1")
    set_cell(data_copy / "data" / "guidelines.csv", 5, "date_precision", "week")
    report = validate_package(data_copy / "data", data_copy / "references.bib")
    assert [str(p).split(": ")[0] for p in report.problems] == [
        "data/guidelines.csv:3:max_range_km", "data/guidelines.csv:5:date_precision"]


def test_loaders_refuse_invalid_data(data_copy: Path) -> None:
    set_cell(data_copy / "data" / "guidelines.csv", 3, "max_range_km", "three hundred")
    with pytest.raises(DataValidationError, match="data/guidelines.csv:3:max_range_km"):
        load_table("guidelines", data_copy / "data", data_copy / "references.bib")


def test_loaders_type_values_and_keep_empty_as_no_limit() -> None:
    frame = load_table("guidelines")
    assert str(frame["max_range_km"].dtype) == "Int64"
    assert frame["max_range_km"].isna().sum() >= 1  # the 2021 termination: no limit
    assert frame["regime_id"].is_unique

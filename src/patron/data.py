"""Loaders for the compendium's data, as the notebooks call them.

Every loader validates the whole data package first (the same checks as
``python -m patron validate``), so a chapter can never be built from a file
that the validator would reject. Values are typed from the schema: whole
numbers become nullable integers, where an empty cell means "no limit".
"""

from __future__ import annotations

import os

from functools import lru_cache
from pathlib import Path

import pandas as pd

from patron.paths import BIBLIOGRAPHY, DATA_DIR
from patron.validate import DataValidationError, Report, Table, validate_package

_PANDAS_TYPES = {"integer": "Int64", "number": "Float64", "string": "string", "date": "object"}


def load_table(name: str, data_dir: Path = DATA_DIR, bib_path: Path = BIBLIOGRAPHY) -> pd.DataFrame:
    """Validate the data package and return one resource as a DataFrame.

    Raises :class:`DataValidationError`, listing every problem with its file,
    line and column, if anything in the package is invalid.
    """
    report = _validated(data_dir, bib_path, _signature(data_dir, bib_path))
    if not report.ok:
        raise DataValidationError(report.problems)
    if name not in report.tables:
        raise KeyError(f"no resource named {name!r} in {data_dir / 'datapackage.json'}")
    return _to_frame(report.tables[name])


def _signature(data_dir: Path, bib_path: Path) -> tuple:
    """What the validation depends on: every data file's and the bibliography's size and
    modification time. A changed file changes the signature, so nothing stale is served."""
    files = sorted(p for p in data_dir.rglob("*") if p.is_file()) + [bib_path]
    return tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in files if p.exists())


@lru_cache(maxsize=4)
def _validated(data_dir: Path, bib_path: Path, signature: tuple) -> Report:
    """Validate the package once per state of its files: a chapter calls several loaders,
    and each would otherwise check every file again."""
    return validate_package(data_dir, bib_path)


def _to_frame(table: Table) -> pd.DataFrame:
    columns = {}
    for field in table.fields:
        values = [row[field["name"]] for row in table.rows]
        dtype = _PANDAS_TYPES.get(field.get("type", "string"), "object")
        columns[field["name"]] = pd.Series(values, dtype=dtype)
    return pd.DataFrame(columns)


def load_guidelines() -> pd.DataFrame:
    """The guideline regimes, 1979–2021, one row each (``data/guidelines.csv``)."""
    return load_table("guidelines")


def load_tradeoffs() -> pd.DataFrame:
    """Reported range–payload combinations within a regime (``data/tradeoffs.csv``)."""
    return load_table("tradeoffs")


def load_episodes() -> pd.DataFrame:
    """The episodes of the case with their codings (``data/episodes.csv``)."""
    return load_table("episodes")


def load_events() -> pd.DataFrame:
    """The dated chronology (``data/events.csv``)."""
    return load_table("events")


def load_evidence() -> pd.DataFrame:
    """Claim-level evidence items (``data/evidence.csv``)."""
    return load_table("evidence")


def load_disputes() -> pd.DataFrame:
    """Points on which the sources disagree (``data/disputes.csv``)."""
    return load_table("disputes")


def load_hypotheses() -> pd.DataFrame:
    """The rival hypotheses weighed in every episode (``data/hypotheses.csv``)."""
    return load_table("hypotheses")


def load_priors() -> pd.DataFrame:
    """Prior probability of each hypothesis in each episode (``data/priors.csv``)."""
    return load_table("priors")


def load_predictions() -> pd.DataFrame:
    """The response each hypothesis predicts in each episode (``data/predictions.csv``)."""
    return load_table("predictions")


def load_likelihoods() -> pd.DataFrame:
    """P(E | H) for every evidence item and hypothesis (``data/likelihoods.csv``)."""
    return load_table("likelihoods")


def write_posteriors(frame: pd.DataFrame, data_dir: Path = DATA_DIR) -> Path:
    """Write ``data/derived/posteriors.csv`` (see :func:`write_derived`)."""
    return write_derived(frame, "posteriors", data_dir)


def source_keys(cell: str | None) -> list[str]:
    """Split a ``source_keys`` cell into its citation keys."""
    return cell.split(";") if cell else []


MONTHS = ["January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December"]


def format_date(iso: str, precision: str) -> str:
    """Write a partial ISO date as prose, no more precisely than the sources allow.

    >>> format_date("1979-09-10", "day")
    '10 September 1979'
    >>> format_date("1979-10", "month")
    'October 1979'
    """
    parts = iso.split("-")
    if precision == "year":
        return parts[0]
    if precision == "month":
        return f"{MONTHS[int(parts[1]) - 1]} {parts[0]}"
    return f"{int(parts[2])} {MONTHS[int(parts[1]) - 1]} {parts[0]}"


def format_limit(value: object, unit: str) -> str:
    """A ceiling as prose: '1,000 kg', or 'no limit' where the cell is empty."""
    if value is None or pd.isna(value):
        return "no limit"
    return f"{int(value):,} {unit}"


def codebook(name: str, data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """The schema of one data file as a table: the codebook a reader consults.

    It is generated from ``datapackage.json``, so the codebook page and the
    validator can never describe different rules.
    """
    import json

    descriptor = json.loads((data_dir / "datapackage.json").read_text(encoding="utf-8"))
    resource = next(r for r in descriptor["resources"] if r["name"] == name)
    rows = []
    for field in resource["schema"]["fields"]:
        c = field.get("constraints", {})
        rules = []
        if c.get("required"):
            rules.append("required")
        if "enum" in c:
            rules.append("one of: " + ", ".join(c["enum"]))
        if "minimum" in c:
            rules.append(f"at least {c['minimum']}")
        if "pattern" in c:
            rules.append(f"matches {c['pattern']}")
        if "minLength" in c:
            rules.append(f"at least {c['minLength']} characters")
        if "maxLength" in c:
            rules.append(f"at most {c['maxLength']} characters")
        if field["name"] == "source_keys":
            rules.append("every key in references.bib")
        rows.append({"Column": field["name"], "Type": field.get("type", "string"),
                     "Meaning": field.get("description", ""), "Rules": "; ".join(rules) or "—"})
    return pd.DataFrame(rows)


def resources(data_dir: Path = DATA_DIR) -> list[dict]:
    """Name, file, title and description of each data file in the package."""
    import json

    descriptor = json.loads((data_dir / "datapackage.json").read_text(encoding="utf-8"))
    return [{k: r.get(k, "") for k in ("name", "path", "title", "description")} for r in descriptor["resources"]]


def load_segmentations() -> pd.DataFrame:
    """Alternative cuts of the case for the segmentation sensitivity (``data/segmentations.csv``)."""
    return load_table("segmentations")


def write_derived(frame: pd.DataFrame, name: str, data_dir: Path = DATA_DIR) -> Path:
    """Write ``data/derived/<name>.csv``; unchanged content leaves the file untouched.

    Derived files are written by the chapter that computes them and recomputed by a
    test, so a reader can trust that the file and the analysis agree.
    """
    path = data_dir / "derived" / f"{name}.csv"
    path.parent.mkdir(exist_ok=True)
    text = frame.to_csv(index=False, lineterminator="\n")
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        # Written beside, then moved into place, so that a chapter running at the same
        # time (make notebooks runs two) reads the old file or the new one, never half.
        partial = path.with_suffix(f".csv.{os.getpid()}.partial")
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    return path


def load_armaments() -> pd.DataFrame:
    """The features of each episode's armament (``data/armaments.csv``)."""
    return load_table("armaments")


def load_universe() -> pd.DataFrame:
    """Every candidate episode the universe rule admits (``data/universe.csv``)."""
    return load_table("universe")


def load_forecasts() -> pd.DataFrame:
    """The forecast register (``data/forecasts.csv``)."""
    return load_table("forecasts")


def load_forecast_signals() -> pd.DataFrame:
    """Dated signals behind each forecast's codings (``data/forecast_signals.csv``)."""
    return load_table("forecast_signals")


def load_forecast_predictions() -> pd.DataFrame:
    """Every rule's forecast and its probability (``data/forecast_predictions.csv``)."""
    return load_table("forecast_predictions")


def load_tags() -> pd.DataFrame:
    """Two blind codings of every evidence item and the adjudicated row (``data/tags.csv``)."""
    return load_table("tags")


def load_searches() -> pd.DataFrame:
    """The logged search for US pre-decision records (``data/searches.csv``)."""
    return load_table("searches")


def load_response_tags() -> pd.DataFrame:
    """Two blind codings of every episode's US response, a third where they differ, and the adjudicated
    row (``data/response_tags.csv``)."""
    return load_table("response_tags")


def load_rival_inputs() -> pd.DataFrame:
    """What the rule-derived rivals read besides the armament (``data/rival_inputs.csv``)."""
    return load_table("rival_inputs")


def load_forecast_amendments() -> pd.DataFrame:
    """Dated corrections to the forecast register (``data/forecast_amendments.csv``)."""
    return load_table("forecast_amendments")


def load_forecast_basis() -> pd.DataFrame:
    """The record the registered prices were computed from (``data/forecast_basis.csv``)."""
    return load_table("forecast_basis")


def load_judged_predictions() -> pd.DataFrame:
    """What each rule-derived rival's likelihoods were judged against (``data/judged_predictions.csv``)."""
    return load_table("judged_predictions")

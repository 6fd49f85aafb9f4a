"""Check every data file against its schema in ``data/datapackage.json``.

The schema is a Frictionless Tabular Data Package, so other tools can read it
too. This module implements the part of that standard the compendium uses
(field types, ``constraints``, ``primaryKey``, ``foreignKeys``) and adds three
checks the standard cannot express:

- a partial date (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) must be a real
  calendar date and agree with the row's ``date_precision``;
- every key in a ``source_keys`` (or ``sources_a`` / ``sources_b``) field must
  exist in ``references.bib``;
- every id in an ``evidence_ids`` list must exist in ``evidence.csv``, and
  belong to the same episode;
- an ``excerpt`` may quote at most 40 words, and an episode's ``rationale``
  must argue in at least 25;
- an episode's ``predicted_response`` must be what :func:`patron.classify`
  returns for its ``entrapment`` and ``control`` codings, and so must the
  typology's row in ``predictions.csv``;
- an episode's ``entrapment`` and ``control`` must be what the coding rule
  (:mod:`patron.coding`) gives from its eligible evidence items;
- an evidence item carries ``indicates`` exactly when it bears on entrapment
  or control and was stated on or before its episode's ``decided_on``: a
  response or threat item never does, and an item stated after the decision
  is context and cannot be a coding item;
- a ``read_via`` key must exist in ``references.bib``, like a source key;
- the priors of an episode must sum to 1, and there must be a prior and a
  prediction for every episode and hypothesis, and a likelihood for every
  evidence item and hypothesis;
- no value may carry leading or trailing spaces.

Why hand-written rather than a library call: a reader who mistypes a date
should be told exactly where, as ``data/FILE.csv:LINE:COLUMN: message``, and
nothing may be dropped or coerced on the way. Every problem found is reported,
not only the first.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from patron.bib import bib_keys
from patron.paths import BIBLIOGRAPHY, DATA_DIR

# Fields whose values are partial dates, checked against the row's date_precision.
PARTIAL_DATE = re.compile(r"^(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2}))?)?$")
PRECISION_PARTS = {"year": 1, "month": 2, "day": 3}
# Fields that list citation keys, separated by semicolons.
SOURCE_KEY_FIELDS = {"source_keys", "sources_a", "sources_b", "read_via", "compilation_keys", "burden_sources"}
# Fields that list ids of another resource: field -> (resource, its id field).
ID_LIST_FIELDS = {"evidence_ids": ("evidence", "evidence_id"), "episode_ids": ("episodes", "episode_id")}
# Partial-date fields with a precision field of their own (others use date_precision).
OWN_PRECISION = {"stated_on": "stated_precision", "decided_on": "decided_precision"}
# What `indicates` may be set on.
CODED_DIMENSIONS = {"entrapment", "control"}
# Full dates (YYYY-MM-DD) of the forecast register.
FULL_DATES = {"registered_on", "resolve_by", "resolved_on"}
# Item files the coding rule reads, with the file of their owners: (items, owners, key, date, precision).
CODED_ITEMS = (("evidence", "episodes", "episode_id", "decided_on", "decided_precision"),
               ("forecast_signals", "forecasts", "forecast_id", "registered_on", None))
# Word count rules: "resource.field" or "field" (any resource) -> (at least, at most).
WORD_LIMITS = {"excerpt": (None, 40), "episodes.rationale": (25, None)}
KEY_LIST = re.compile(r"^[A-Za-z0-9_:\-]+(;[A-Za-z0-9_:\-]+)*$")


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one cell (or header, or file)."""

    path: str  # as shown to the reader, e.g. "data/guidelines.csv"
    line: int  # physical line in the file; the header is line 1
    column: str  # field name, or "(file)", "(header)", "(row)"
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


class DataValidationError(ValueError):
    """Raised by the loaders when any data file fails validation."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(str(p) for p in problems)
        super().__init__(f"{len(problems)} problem(s) in the data:\n{lines}")


class MalformedCSV(Exception):
    """A record the csv module cannot parse (e.g. an unclosed quote)."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class Table:
    """A validated resource: its typed rows and the line each row came from."""

    name: str
    path: Path
    fields: list[dict[str, Any]]
    rows: list[dict[str, Any]]
    lines: list[int]


@dataclass
class Report:
    """What validation found: the tables it could read, and every problem."""

    tables: dict[str, Table]
    problems: list[Problem]
    keys_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        rows = sum(len(t.rows) for t in self.tables.values())
        return (
            f"OK: {len(self.tables)} data files, {rows} rows, "
            f"{self.keys_checked} citation keys resolved in references.bib"
        )


def validate_package(data_dir: Path = DATA_DIR, bib_path: Path = BIBLIOGRAPHY) -> Report:
    """Validate every resource of ``data_dir/datapackage.json``."""
    descriptor_path = data_dir / "datapackage.json"
    shown = _shown_path(descriptor_path, data_dir)
    try:
        descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Report({}, [Problem(shown, 1, "(file)", "file not found")])
    except json.JSONDecodeError as err:
        return Report({}, [Problem(shown, err.lineno, "(file)", f"invalid JSON: {err.msg}")])

    try:
        known_keys = set(bib_keys(bib_path))
    except FileNotFoundError:
        return Report({}, [Problem(bib_path.name, 1, "(file)", "bibliography not found")])
    unreadable = _bibliography_syntax(bib_path)
    if unreadable is not None:
        return Report({}, [unreadable])

    tables: dict[str, Table] = {}
    problems: list[Problem] = []
    keys_checked = 0
    for resource in descriptor.get("resources", []):
        table, found, n_keys = _validate_resource(resource, data_dir, known_keys)
        problems += found
        keys_checked += n_keys
        if table is not None:
            tables[table.name] = table
    for resource in descriptor.get("resources", []):
        problems += _check_foreign_keys(resource, tables, data_dir)
        problems += _check_id_lists(resource, tables, data_dir)
    problems += _check_weighing(tables, data_dir)
    problems += _check_codings(tables, data_dir)
    problems += _check_tags(tables, data_dir)
    problems += _check_searches(tables, data_dir)
    problems += _check_dispute_mentions(tables, data_dir)
    problems += _check_universe(tables, data_dir)
    # The rivals' rules read dates and features; they can only be recomputed from valid cells.
    problems += [] if problems else _check_rivals(tables, data_dir)
    problems += _check_register(tables, data_dir)
    return Report(tables, sorted(problems), keys_checked)


def _bibliography_syntax(bib_path: Path) -> Problem | None:
    """The bibliography must parse as BibTeX, as the book's build reads it: an '@' in a comment line,
    for one, starts an entry that does not exist and stops the build."""
    import pybtex.database
    from pybtex.scanner import PybtexSyntaxError

    try:
        pybtex.database.parse_file(str(bib_path), bib_format="bibtex")
    except PybtexSyntaxError as err:
        # pybtex names the line where it gave up; the cause is usually the '@' that opened the entry.
        lines = bib_path.read_text(encoding="utf-8").splitlines()
        line = next((i for i in range(min(err.lineno, len(lines)), 0, -1) if "@" in lines[i - 1]), err.lineno)
        return Problem(bib_path.name, line, "(file)", f"not valid BibTeX ({err.error_type}; an entry "
                       f"opened at line {line}: an '@' outside an entry starts one)")
    return None


def _shown_path(path: Path, data_dir: Path) -> str:
    """The path as a reader sees it: relative to the project, e.g. data/x.csv."""
    return f"{data_dir.name}/{path.relative_to(data_dir).as_posix()}"


def _validate_resource(
    resource: dict[str, Any], data_dir: Path, known_keys: set[str]
) -> tuple[Table | None, list[Problem], int]:
    path = data_dir / resource["path"]
    shown = _shown_path(path, data_dir)
    schema = resource["schema"]
    fields: list[dict[str, Any]] = schema["fields"]
    names = [f["name"] for f in fields]

    text, problems = _read_text(path, shown, names)
    if text is None:
        return None, problems, 0

    try:
        records = list(_records(text))
    except MalformedCSV as err:
        return None, problems + [Problem(shown, err.line, "(row)", err.message)], 0
    if not records:
        return None, [Problem(shown, 1, "(header)", "file is empty: expected a header row")], 0

    header_line, header = records[0]
    problems += _check_header(header, names, shown, header_line)
    if problems:
        return None, problems, 0  # cells cannot be matched to fields; stop here

    rows: list[dict[str, Any]] = []
    lines: list[int] = []
    keys_checked = 0
    for line, values in records[1:]:
        if values == []:
            problems.append(Problem(shown, line, "(row)", "blank line"))
            continue
        if len(values) != len(names):
            problems.append(
                Problem(shown, line, "(row)", f"row has {len(values)} fields, header has {len(names)}")
            )
            continue
        row: dict[str, Any] = {}
        for field, raw in zip(fields, values):
            value, cell_problems = _check_cell(field, raw, resource["name"])
            problems += [Problem(shown, line, field["name"], m) for m in cell_problems]
            if field["name"] in SOURCE_KEY_FIELDS and raw and not cell_problems:
                for key in raw.split(";"):
                    keys_checked += 1
                    if key not in known_keys:
                        problems.append(
                            Problem(shown, line, field["name"], f"unknown citation key '{key}': not in references.bib")
                        )
            row[field["name"]] = value
        problems += [Problem(shown, line, col, m) for col, m in _check_row(row)]
        rows.append(row)
        lines.append(line)

    problems += _check_unique(schema, fields, rows, lines, shown)
    if not rows and not problems:
        problems.append(Problem(shown, header_line, "(row)", "no data rows"))
    return Table(resource["name"], path, fields, rows, lines), problems, keys_checked


def _read_text(path: Path, shown: str, names: list[str]) -> tuple[str | None, list[Problem]]:
    """Read a file as strict UTF-8; report the line and column of any bad byte."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, [Problem(shown, 1, "(file)", "file not found")]
    if raw.startswith(b"\xef\xbb\xbf"):
        return None, [Problem(shown, 1, "(file)", "file starts with a byte-order mark; save as UTF-8 without BOM")]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        bad_line = raw.split(b"\n")[line - 1].decode("utf-8", errors="replace")
        column = "(row)"
        cells = next(csv.reader([bad_line]), [])
        for i, cell in enumerate(cells):
            if "\ufffd" in cell:
                column = names[i] if i < len(names) else f"(field {i + 1})"
                break
        message = f"not valid UTF-8 (byte 0x{raw[err.start]:02x}); save the file as UTF-8"
        return None, [Problem(shown, line, column, message)]


def _records(text: str):
    """Yield (first physical line, values) for each CSV record.

    Quoted values may span lines, so the line of a record is where it starts.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            raise MalformedCSV(start, f"malformed CSV: {err}") from err
        yield start, values
        start = reader.line_num + 1


def _check_header(header: list[str], names: list[str], shown: str, line: int) -> list[Problem]:
    problems: list[Problem] = []
    for name in header:
        if name not in names:
            problems.append(Problem(shown, line, name or "(header)", f"unexpected column '{name}': not in the schema"))
    for name in names:
        if name not in header:
            problems.append(Problem(shown, line, name, f"missing column '{name}'"))
    if not problems and header != names:
        for i, (got, want) in enumerate(zip(header, names)):
            if got != want:
                problems.append(Problem(shown, line, got, f"column {i + 1} should be '{want}', found '{got}'"))
                break
    if len(set(header)) != len(header):
        problems.append(Problem(shown, line, "(header)", "duplicated column name"))
    return problems


def _check_cell(field: dict[str, Any], raw: str, resource: str = "") -> tuple[Any, list[str]]:
    """Parse one value by its field's type and check its constraints."""
    constraints = field.get("constraints", {})
    if raw != raw.strip():
        return raw, ["leading or trailing spaces"]
    if raw == "":
        if constraints.get("required"):
            return None, ["required value is empty"]
        return None, []

    kind = field.get("type", "string")
    value: Any = raw
    if kind == "integer":
        if not re.fullmatch(r"-?\d+", raw):
            return raw, [f"'{raw}' is not a whole number"]
        value = int(raw)
    elif kind == "number":
        try:
            value = float(raw)
        except ValueError:
            return raw, [f"'{raw}' is not a number"]
    elif kind == "date":
        try:
            value = dt.date.fromisoformat(raw)
        except ValueError:
            return raw, [f"'{raw}' is not a date (YYYY-MM-DD)"]

    messages: list[str] = []
    if "enum" in constraints and raw not in constraints["enum"]:
        allowed = ", ".join(constraints["enum"])
        messages.append(f"'{raw}' is not an allowed value ({allowed})")
    if "pattern" in constraints and not re.fullmatch(constraints["pattern"], raw):
        messages.append(f"'{raw}' does not match the pattern {constraints['pattern']}")
    if "minimum" in constraints and value < constraints["minimum"]:
        messages.append(f"{raw} is below the minimum {constraints['minimum']}")
    if "maximum" in constraints and value > constraints["maximum"]:
        messages.append(f"{raw} is above the maximum {constraints['maximum']}")
    if "minLength" in constraints and len(raw) < constraints["minLength"]:
        messages.append(f"too short: {len(raw)} characters, at least {constraints['minLength']}")
    if "maxLength" in constraints and len(raw) > constraints["maxLength"]:
        messages.append(f"too long: {len(raw)} characters, at most {constraints['maxLength']}")
    limits = WORD_LIMITS.get(f"{resource}.{field['name']}") or WORD_LIMITS.get(field["name"])
    if limits:
        least, most = limits
        words = len(raw.split())
        if least is not None and words < least:
            messages.append(f"{words} words: at least {least} are needed")
        if most is not None and words > most:
            messages.append(f"{words} words: at most {most} are allowed")
    if field["name"] in SOURCE_KEY_FIELDS and not KEY_LIST.fullmatch(raw):
        messages.append("citation keys must be separated by ';' with no spaces or empty items")
    return value, messages


def _check_row(row: dict[str, Any]) -> list[tuple[str, str]]:
    """Checks across the fields of one row: partial dates against their
    precision, and a predicted response against the typology."""
    found: list[tuple[str, str]] = []
    if {"entrapment", "control", "predicted_response"} <= row.keys():
        from patron.typology import classify

        measured = {row["entrapment"], row["control"]} <= {"high", "low"}
        undetermined = {row["entrapment"], row["control"]} & {"unmeasured", "tie"}
        try:
            expected = classify(row["entrapment"], row["control"]).value if measured else None
        except ValueError:
            expected = None  # the enum check has already reported the bad level
        # A forecast registered under version 0.5 names its most probable response even where a dimension is
        # unmeasured (patron.forecasts.case_price); an episode, and a version-0.4 forecast, name none there.
        forecast_v05 = "registered_on" in row and str(row["registered_on"]) >= "2026-12-04"
        if undetermined and row["predicted_response"] and not forecast_v05:
            found.append(("predicted_response",
                          f"'{row['predicted_response']}' but the typology predicts nothing when a dimension is "
                          f"{' or '.join(sorted(undetermined))}: leave it empty"))
        if expected and not row["predicted_response"]:
            found.append(("predicted_response", f"required: classify({row['entrapment']!r}, "
                                                f"{row['control']!r}) gives '{expected}'"))
        if expected and row["predicted_response"] and row["predicted_response"] != expected:
            found.append(("predicted_response",
                          f"'{row['predicted_response']}' but classify({row['entrapment']!r}, "
                          f"{row['control']!r}) gives '{expected}'"))
    if "probability" in row and isinstance(row["probability"], float) and not 0 < row["probability"] < 1:
        found.append(("probability", f"{row['probability']:g} is not a probability strictly between 0 and 1"))
    for name in FULL_DATES & row.keys():
        if isinstance(row[name], str) and _real_day(row[name]) is None:
            found.append((name, f"'{row[name]}' is not a real calendar date"))
    if {"registered_on", "resolve_by"} <= row.keys():
        registered, due = _real_day(row["registered_on"] or ""), _real_day(row["resolve_by"] or "")
        if registered and due and due <= registered:
            found.append(("resolve_by", f"{row['resolve_by']} is not after registered_on {row['registered_on']}"))
        resolved = {k: row.get(k) for k in ("outcome", "resolved_on", "resolution_source")}
        if any(resolved.values()) and not all(resolved.values()):
            missing = ", ".join(k for k, v in resolved.items() if not v)
            found.append((next(k for k, v in resolved.items() if not v),
                          f"a resolved forecast needs its outcome, resolved_on and resolution_source; missing: {missing}"))
        resolved_on = _real_day(row.get("resolved_on") or "")
        if registered and resolved_on and resolved_on <= registered:
            found.append(("resolved_on", f"{row['resolved_on']} is not after registered_on {row['registered_on']}"))
    if "indicates" in row and row.get("indicates") and row.get("bears_on") not in CODED_DIMENSIONS | {None}:
        found.append(("indicates", f"'{row['indicates']}' is set on a {row['bears_on']} item: only entrapment "
                                   "and control items indicate a level"))
    for name, value in row.items():
        if not isinstance(value, str) or name in {"date_precision", *OWN_PRECISION.values()}:
            continue
        precision = row.get(OWN_PRECISION.get(name, "date_precision"))
        match = PARTIAL_DATE.fullmatch(value)
        if match is None or not _is_date_field(name):
            continue
        y, m, d = (int(g) if g else 1 for g in match.group("y", "m", "d"))
        try:
            dt.date(y, m, d)
        except ValueError:
            found.append((name, f"'{value}' is not a real calendar date"))
            continue
        parts = sum(1 for g in match.group("y", "m", "d") if g)
        if precision in PRECISION_PARTS and PRECISION_PARTS[precision] != parts:
            found.append((name, f"'{value}' does not match date_precision '{precision}'"))
    return found


def _real_day(value: str) -> dt.date | None:
    """A full YYYY-MM-DD date, or None if it is not one."""
    try:
        return dt.date.fromisoformat(value) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else None
    except ValueError:
        return None


def _is_date_field(name: str) -> bool:
    return name in {"date", "start", "end", *OWN_PRECISION} or name.endswith("_date")


def _check_unique(
    schema: dict[str, Any], fields: list[dict[str, Any]], rows: list[dict[str, Any]], lines: list[int], shown: str
) -> list[Problem]:
    problems: list[Problem] = []
    key_sets: list[list[str]] = []
    primary = schema.get("primaryKey")
    if primary:
        key_sets.append([primary] if isinstance(primary, str) else list(primary))
    key_sets += [[f["name"]] for f in fields if f.get("constraints", {}).get("unique")]
    for key in key_sets:
        seen: dict[tuple, int] = {}
        for row, line in zip(rows, lines):
            value = tuple(row[k] for k in key)
            if None in value:
                continue
            if value in seen:
                shown_value = ", ".join(str(v) for v in value)
                problems.append(
                    Problem(shown, line, key[0], f"duplicate value '{shown_value}' (first on line {seen[value]})")
                )
            else:
                seen[value] = line
    return sorted(set(problems))


def _check_foreign_keys(resource: dict[str, Any], tables: dict[str, Table], data_dir: Path) -> list[Problem]:
    table = tables.get(resource["name"])
    if table is None:
        return []
    shown = _shown_path(table.path, data_dir)
    problems: list[Problem] = []
    for fk in resource["schema"].get("foreignKeys", []):
        fields = [fk["fields"]] if isinstance(fk["fields"], str) else fk["fields"]
        ref = fk["reference"]
        ref_fields = [ref["fields"]] if isinstance(ref["fields"], str) else ref["fields"]
        target = tables.get(ref["resource"])
        if target is None:
            continue  # the referenced file has its own problems, already reported
        allowed = {tuple(r[f] for f in ref_fields) for r in target.rows}
        for row, line in zip(table.rows, table.lines):
            value = tuple(row[f] for f in fields)
            if None not in value and value not in allowed:
                shown_value = ", ".join(str(v) for v in value)
                problems.append(
                    Problem(shown, line, fields[0], f"'{shown_value}' not found in {ref['resource']}.{ref_fields[0]}")
                )
    return problems


def _check_id_lists(resource: dict[str, Any], tables: dict[str, Table], data_dir: Path) -> list[Problem]:
    """Each id in a list field (e.g. evidence_ids) must exist, in the same episode."""
    table = tables.get(resource["name"])
    if table is None:
        return []
    shown = _shown_path(table.path, data_dir)
    problems: list[Problem] = []
    for field, (target_name, target_id) in ID_LIST_FIELDS.items():
        target = tables.get(target_name)
        if target is None or field not in {f["name"] for f in table.fields}:
            continue
        by_id = {r[target_id]: r for r in target.rows}
        for row, line in zip(table.rows, table.lines):
            for item in (row.get(field) or "").split(";"):
                if not item:
                    continue
                if item not in by_id:
                    problems.append(Problem(shown, line, field, f"'{item}' not found in {target_name}.{target_id}"))
                elif "episode_id" in row and "episode_id" in by_id[item] and \
                        by_id[item].get("episode_id") != row["episode_id"]:
                    problems.append(Problem(shown, line, field,
                                            f"'{item}' belongs to episode '{by_id[item].get('episode_id')}', "
                                            f"not '{row['episode_id']}'"))
    return problems


def _check_weighing(tables: dict[str, Table], data_dir: Path) -> list[Problem]:
    """Rules across the weighing files: complete grids, priors summing to 1,
    and the typology's predictions agreeing with the episode codings."""
    problems: list[Problem] = []
    hypotheses = tables.get("hypotheses")
    if hypotheses is None:
        return problems
    names = [r["hypothesis_id"] for r in hypotheses.rows]
    weighed_names = [r["hypothesis_id"] for r in hypotheses.rows if r.get("weighed", "yes") == "yes"]
    universe = tables.get("universe")
    drawn = {r["episode_id"] for r in universe.rows if r.get("coded_before_draw") == "no"} if universe else set()
    evidence = tables.get("evidence")
    drawn_items = {r["evidence_id"] for r in evidence.rows if r["episode_id"] in drawn} if evidence else set()
    # Every rival predicts in every episode; only the hypotheses and episodes weighed document by document
    # (those coded before the draw) need priors and likelihoods.
    grids = (("priors", "episodes", "episode_id", weighed_names, drawn),
             ("predictions", "episodes", "episode_id", names, set()),
             ("likelihoods", "evidence", "evidence_id", weighed_names, drawn_items))
    for resource, owner, key, needed, exempt in grids:
        table, owners = tables.get(resource), tables.get(owner)
        if table is None or owners is None:
            continue
        shown = _shown_path(table.path, data_dir)
        have = {(r[key], r["hypothesis_id"]) for r in table.rows}
        for row in owners.rows:
            if row[key] in exempt:
                continue
            missing = [h for h in needed if (row[key], h) not in have]
            if missing:
                problems.append(Problem(shown, 1, key, f"no row for {key} '{row[key]}' and {', '.join(missing)}"))
    priors = tables.get("priors")
    if priors is not None:
        shown = _shown_path(priors.path, data_dir)
        totals: dict[str, tuple[float, int]] = {}
        for row, line in zip(priors.rows, priors.lines):
            total, first = totals.get(row["episode_id"], (0.0, line))
            totals[row["episode_id"]] = (total + (row["prior"] or 0), first)
        for episode, (total, line) in totals.items():
            if abs(total - 1) > 1e-6:
                problems.append(Problem(shown, line, "prior", f"the priors of '{episode}' sum to {total:.4g}, not 1"))
    predictions, episodes = tables.get("predictions"), tables.get("episodes")
    if predictions is not None and episodes is not None:
        shown = _shown_path(predictions.path, data_dir)
        coded = {r["episode_id"]: r["predicted_response"] for r in episodes.rows}
        for row, line in zip(predictions.rows, predictions.lines):
            if row["hypothesis_id"] == "H_TYP" and row["episode_id"] in coded and \
                    row["predicted_response"] != coded[row["episode_id"]]:
                said = coded[row["episode_id"]]
                problems.append(Problem(shown, line, "predicted_response",
                                        f"'{row['predicted_response'] or ''}' but episodes.csv predicts "
                                        + (f"'{said}'" if said else "nothing (a dimension is unmeasured or tied)")
                                        + f" for '{row['episode_id']}'"))
    return problems


def _check_codings(tables: dict[str, Table], data_dir: Path) -> list[Problem]:
    """Rules across each item file and its owners (evidence and episodes; forecast
    signals and forecasts): which items may carry ``indicates``, and codings equal to
    the coding rule's output."""
    problems: list[Problem] = []
    for items, owners, key, date_field, precision_field in CODED_ITEMS:
        problems += _check_coded(tables, data_dir, items, owners, key, date_field, precision_field)
    return problems


def _check_coded(tables: dict[str, Table], data_dir: Path, items_name: str, owners_name: str, key: str,
                 date_field: str, precision_field: str | None) -> list[Problem]:
    from patron.coding import COUNTED_SECONDHAND, REGISTERED_VERSION, US_SIDE, code_items, stated_in_time

    from patron.coding import rule_version

    # The forecast register's signals keep the rule they were registered under.
    registered = {r["forecast_id"]: str(r["registered_on"]) for r in tables["forecasts"].rows} \
        if items_name == "forecast_signals" and tables.get("forecasts") else {}
    legacy_ids = {f for f, day in registered.items() if rule_version(day) == REGISTERED_VERSION}
    version = "0.5"
    evidence, episodes = tables.get(items_name), tables.get(owners_name)
    if evidence is None or episodes is None or "indicates" not in {f["name"] for f in evidence.fields}:
        return []
    problems: list[Problem] = []
    precision_of = (lambda r: r[precision_field]) if precision_field else (lambda r: "day")
    decided = {r[key]: (r[date_field], precision_of(r)) for r in episodes.rows
               if _partial_date_ok(r[date_field], precision_of(r))}
    shown = _shown_path(evidence.path, data_dir)
    dated_ok = {}
    id_field = evidence.fields[0]["name"]
    for row, line in zip(evidence.rows, evidence.lines):
        legacy = items_name == "forecast_signals" and row[key] in legacy_ids
        undated = not row["stated_on"] and not row["stated_precision"]
        if (row["stated_on"] is None) != (row["stated_precision"] is None):
            problems.append(Problem(shown, line, "stated_precision" if row["stated_on"] else "stated_on",
                                    "stated_on and stated_precision are given together or not at all"))
            continue
        could_count = legacy or (row.get("secondhand") in COUNTED_SECONDHAND and row["bears_on"] in CODED_DIMENSIONS)
        # An undated US view cannot be shown to precede the decision, so it never counts; the note must say
        # that the date was looked for and not seen, or the item must be dated.
        date_not_seen = "date not seen" in (row.get("note") or "").lower()
        if undated and row["perceiver"] in US_SIDE and could_count and not date_not_seen:
            problems.append(Problem(shown, line, "stated_on",
                                    f"required for a US-side item ({row['perceiver']}): when was it stated?"))
            continue
        if row[key] not in decided or \
                not (undated or _partial_date_ok(row["stated_on"], row["stated_precision"])):
            continue  # reported elsewhere
        on, precision = decided[row[key]]
        in_time = not undated and stated_in_time(row["stated_on"], row["stated_precision"], on, precision)
        dated_ok[row[id_field]] = True
        if not legacy:
            # Blind tagging gives every entrapment or control item a direction, whenever it was stated.
            if row["bears_on"] in CODED_DIMENSIONS and not row["indicates"]:
                problems.append(Problem(shown, line, "indicates",
                                        f"required for a {row['bears_on']} item: 'high', 'low' or 'unclear'"))
            if row["bears_on"] not in CODED_DIMENSIONS and row["indicates"]:
                problems.append(Problem(shown, line, "indicates",
                                        f"only an entrapment or control item indicates a level; this one bears "
                                        f"on {row['bears_on']}"))
            continue
        if row["bears_on"] in CODED_DIMENSIONS:
            if in_time and not row["indicates"]:
                problems.append(Problem(shown, line, "indicates",
                                        f"required for a {row['bears_on']} item stated on or before the "
                                        f"decision ({on}): 'high', 'low' or 'unclear'"))
            if not in_time and row["indicates"]:
                when = f"stated {row['stated_on']}" if not undated else "undated"
                problems.append(Problem(shown, line, "indicates",
                                        f"a coding item must be stated on or before its {owners_name[:-1]}'s "
                                        f"{date_field} ({on}), but this one is {when}: leave indicates empty "
                                        "to keep it as context"))
    if problems:
        return problems
    shown_ep = _shown_path(episodes.path, data_dir)
    import pandas as pd

    frame = pd.DataFrame(evidence.rows, columns=[f["name"] for f in evidence.fields])
    for row, line in zip(episodes.rows, episodes.lines):
        mine = frame[frame[key] == row[key]]
        if row[key] not in decided or not all(dated_ok.get(i) for i in mine[id_field]):
            continue
        on, precision = decided[row[key]]
        which = REGISTERED_VERSION if row[key] in legacy_ids else version
        coded = code_items(mine.rename(columns={id_field: "evidence_id"}), on, precision, version=which)
        for dimension, (coding, ids) in coded.items():
            if row[dimension] != coding.level:
                basis = f"{coding.n_high} high, {coding.n_low} low among eligible items {', '.join(ids) or '(none)'}"
                problems.append(Problem(shown_ep, line, dimension,
                                        f"'{row[dimension]}' but the coding rule gives '{coding.level}' ({basis})"))
    return problems


def _check_tags(tables: dict[str, Table], data_dir: Path) -> list[Problem]:
    """Blind tags: coders use only the codebook's values, every tagged item has two codings and an
    adjudicated row that the stated rule gives, and evidence.csv carries the adjudicated values."""
    from patron.reliability import ADJUDICATED, CODEBOOK, DISPUTED, TAG_FIELDS, adjudicate

    tags, evidence = tables.get("tags"), tables.get("evidence")
    if tags is None:
        return []
    shown = _shown_path(tags.path, data_dir)
    problems: list[Problem] = []
    coders: dict[str, list[dict[str, str]]] = {}
    adjudicated: dict[str, tuple[dict[str, str], int]] = {}
    for row, line in zip(tags.rows, tags.lines):
        values = {f: row[f] or "" for f in TAG_FIELDS}
        for field in TAG_FIELDS:
            allowed = CODEBOOK[field] + ((DISPUTED,) if field == "bears_on" and row["coder"] == ADJUDICATED else ())
            if values[field] not in allowed:
                problems.append(Problem(shown, line, field, f"'{values[field]}' is not in the codebook "
                                                            f"({', '.join(v or '(empty)' for v in allowed)})"))
        if row["coder"] == ADJUDICATED:
            adjudicated[row["evidence_id"]] = (values, line)
        else:
            coders.setdefault(row["evidence_id"], []).append(values)
    known = set() if evidence is None else {r["evidence_id"] for r in evidence.rows}
    signals = tables.get("forecast_signals")
    known |= set() if signals is None else {r["signal_id"] for r in signals.rows}
    for row, line in zip(tags.rows, tags.lines):
        if row["evidence_id"] not in known:
            problems.append(Problem(shown, line, "evidence_id", f"'{row['evidence_id']}' not found in "
                                                                "evidence.evidence_id (nor forecast_signals.signal_id)"))
    if problems:
        return problems
    for evidence_id, (values, line) in adjudicated.items():
        mine = coders.get(evidence_id, [])
        if len(mine) != 2:
            problems.append(Problem(shown, line, "evidence_id",
                                    f"'{evidence_id}' has {len(mine)} blind codings; adjudication needs two"))
            continue
        expected = adjudicate(*mine)
        for field in TAG_FIELDS:
            if values[field] != expected[field]:
                problems.append(Problem(shown, line, field, f"'{values[field]}' but the adjudication rule gives "
                                                            f"'{expected[field]}' from the two codings"))
    for evidence_id in sorted(set(coders) - set(adjudicated)):
        problems.append(Problem(shown, 1, "evidence_id", f"'{evidence_id}' has codings but no adjudicated row"))
    if signals is not None:
        shown_sig = _shown_path(signals.path, data_dir)
        for row, line in zip(signals.rows, signals.lines):
            found = adjudicated.get(row["signal_id"])
            if found is None:
                continue  # a signal registered under version 0.4 was not tagged blind
            for field in TAG_FIELDS:
                if (row.get(field) or "") != found[0][field]:
                    problems.append(Problem(shown_sig, line, field, f"'{row.get(field) or ''}' but the adjudicated "
                                                                    f"tag in tags.csv is '{found[0][field]}'"))
    if evidence is None:
        return problems
    shown_ev = _shown_path(evidence.path, data_dir)
    for row, line in zip(evidence.rows, evidence.lines):
        found = adjudicated.get(row["evidence_id"])
        if found is None:
            problems.append(Problem(shown_ev, line, "evidence_id",
                                    f"'{row['evidence_id']}' has no adjudicated row in tags.csv: tag it blind"))
            continue
        for field in TAG_FIELDS:
            if (row.get(field) or "") != found[0][field]:
                problems.append(Problem(shown_ev, line, field,
                                        f"'{row.get(field) or ''}' but the adjudicated tag in tags.csv is "
                                        f"'{found[0][field]}'"))
    return problems


def _check_searches(tables: dict[str, Table], data_dir: Path) -> list[Problem]:
    """A search found something only if it names the items it found, and named nothing otherwise.
    (That its items belong to its episode is checked with every evidence_ids list.)"""
    searches = tables.get("searches")
    if searches is None:
        return []
    shown = _shown_path(searches.path, data_dir)
    problems = []
    for row, line in zip(searches.rows, searches.lines):
        if row["result"] == "found" and not row["evidence_ids"]:
            problems.append(Problem(shown, line, "evidence_ids", "a 'found' search must name the items it found"))
        if row["result"] != "found" and row["evidence_ids"]:
            problems.append(Problem(shown, line, "evidence_ids",
                                    f"a '{row['result']}' search found no item, so it names none"))
    return problems


DISPUTE_MENTION = re.compile(r"\bdisputes?\s+((?:[A-Z]+-)?D\d+)\b")


def _check_dispute_mentions(tables: dict[str, Table], data_dir: Path) -> list[Problem]:
    """A text that sends the reader to "dispute D04" must name a dispute that exists: ids such as
    "A-D04", left from an earlier numbering, once pointed nowhere."""
    disputes = tables.get("disputes")
    if disputes is None:
        return []
    known = {row["dispute_id"] for row in disputes.rows}
    problems = []
    for table in tables.values():
        shown = _shown_path(table.path, data_dir)
        for row, line in zip(table.rows, table.lines):
            for column, value in row.items():
                if not isinstance(value, str):
                    continue
                for named in DISPUTE_MENTION.findall(value):
                    if named not in known:
                        problems.append(Problem(shown, line, column,
                                                f"names dispute {named!r}, which data/disputes.csv does not hold"))
    return problems


def _check_rivals(tables: dict[str, Table], data_dir: Path) -> list[Problem]:
    """A rival's prediction in predictions.csv must be what its rule gives from its inputs (patron.rivals)."""
    import pandas as pd

    from patron.rivals import PERCEPTION_RULES, RULE_DERIVED, rival_predictions

    needed = ("episodes", "armaments", "rival_inputs", "predictions")
    if any(tables.get(n) is None for n in needed):
        return []
    frames = {n: pd.DataFrame([{k: ("" if v is None else str(v)) for k, v in r.items()} for r in tables[n].rows])
              for n in needed}
    try:
        expected = rival_predictions(frames["episodes"], frames["armaments"], frames["rival_inputs"])
    except KeyError as err:
        return [Problem(_shown_path(tables["rival_inputs"].path, data_dir), 1, "episode_id",
                        f"no inputs for episode {err}: every episode needs its rivals' inputs")]
    said = {(r.episode_id, r.hypothesis_id): r.predicted_response for r in expected.itertuples()}
    predictions = tables["predictions"]
    shown = _shown_path(predictions.path, data_dir)
    problems = []
    for row, line in zip(predictions.rows, predictions.lines):
        rule = row["hypothesis_id"]
        if rule not in RULE_DERIVED and rule not in PERCEPTION_RULES:
            continue
        want = said.get((row["episode_id"], rule))
        if want is not None and (row["predicted_response"] or "") != want:
            problems.append(Problem(shown, line, "predicted_response",
                                    f"'{row['predicted_response'] or ''}' but the rule of {rule} gives "
                                    f"'{want}' for '{row['episode_id']}' from its inputs"))
    return problems


def _check_register(tables: dict[str, Table], data_dir: Path) -> list[Problem]:
    """A registered forecast is never edited (its fingerprint must hold), and an amendment names a rule the
    forecast registered and, for a price, the price it registered."""
    from patron.forecasts import register_digest

    forecasts, predictions = tables.get("forecasts"), tables.get("forecast_predictions")
    digests, amendments = tables.get("forecast_digests"), tables.get("forecast_amendments")
    if forecasts is None or predictions is None:
        return []
    text = lambda v: "" if v is None else (f"{v:.3f}" if isinstance(v, float) else str(v))  # noqa: E731
    registered = {r["forecast_id"]: r for r in predictions.rows}
    by_forecast: dict[str, list[dict[str, str]]] = {}
    prices: dict[tuple[str, str], str] = {}
    for r in predictions.rows:
        by_forecast.setdefault(r["forecast_id"], []).append({k: text(v) for k, v in r.items()})
        prices[(r["forecast_id"], r["rule"])] = text(r["probability"])
    problems: list[Problem] = []
    if digests is not None:
        stored = {r["forecast_id"]: r["digest"] for r in digests.rows}
        shown = _shown_path(forecasts.path, data_dir)
        for row, line in zip(forecasts.rows, forecasts.lines):
            fid = row["forecast_id"]
            if fid not in stored:
                problems.append(Problem(shown, line, "forecast_id", f"'{fid}' has no fingerprint in forecast_digests.csv"))
            elif register_digest({k: text(v) for k, v in row.items()}, by_forecast.get(fid, [])) != stored[fid]:
                problems.append(Problem(shown, line, "(row)", f"'{fid}' was edited after registration: record the "
                                                              "correction in forecast_amendments.csv instead"))
    if amendments is not None:
        shown = _shown_path(amendments.path, data_dir)
        for row, line in zip(amendments.rows, amendments.lines):
            if row["rule"] and (row["forecast_id"], row["rule"]) not in prices:
                problems.append(Problem(shown, line, "rule",
                                        f"'{row['rule']}' registered no prediction for '{row['forecast_id']}'"))
            elif row["field"] == "probability":
                if not row["rule"]:
                    problems.append(Problem(shown, line, "rule", "a price amendment names the rule it re-prices"))
                elif prices[(row["forecast_id"], row["rule"])] != row["registered_value"]:
                    problems.append(Problem(shown, line, "registered_value",
                                            f"'{row['registered_value']}' but the register holds "
                                            f"'{prices[(row['forecast_id'], row['rule'])]}'"))
    del registered
    return problems


def _check_universe(tables: dict[str, Table], data_dir: Path) -> list[Problem]:
    """The draw: every admitted candidate holds the place the seeded rule gives it, and no candidate
    drawn after the draw was fixed is coded while an earlier one is neither coded nor skipped."""
    from patron.universe import ADMITTED, DRAWN_OVER, admitted_digest, draw_order

    universe = tables.get("universe")
    if universe is None:
        return []
    shown = _shown_path(universe.path, data_dir)
    problems: list[Problem] = []
    admitted = [(row, line) for row, line in zip(universe.rows, universe.lines) if row["status"] in ADMITTED]
    if admitted_digest(row["candidate_id"] for row, _ in admitted) != DRAWN_OVER:
        return [Problem(shown, 1, "status", "the admitted candidates are not the 58 the draw was fixed over: "
                        "admitting or dropping one after the draw would re-draw the others, which is not allowed")]
    expected = draw_order(row["candidate_id"] for row, _ in admitted)
    for row, line in zip(universe.rows, universe.lines):
        place = expected.get(row["candidate_id"])
        if place is None:
            if row["draw_order"] is not None or row["coded_before_draw"]:
                problems.append(Problem(shown, line, "draw_order",
                                        f"a '{row['status']}' candidate is not admitted, so it has no place in the draw"))
        elif row["draw_order"] != place:
            problems.append(Problem(shown, line, "draw_order",
                                    f"'{row['draw_order']}' but the seeded draw gives {place}"))
        elif not row["coded_before_draw"]:
            problems.append(Problem(shown, line, "coded_before_draw", "an admitted candidate must say yes or no"))
        elif row["status"] == "admitted; skipped" and not (row["reason"] or "").startswith("Skipped"):
            problems.append(Problem(shown, line, "reason", "a skipped candidate needs its stated reason ('Skipped ...')"))
        elif row["coded_before_draw"] == "yes" and row["status"] != "coded":
            problems.append(Problem(shown, line, "coded_before_draw",
                                    "only a coded candidate can have been coded before the draw"))
    if problems:
        return problems
    drawn = sorted(((row, line) for row, line in admitted if row["coded_before_draw"] == "no"),
                   key=lambda pair: pair[0]["draw_order"])
    for index, (row, line) in enumerate(drawn):
        if row["status"] != "coded":
            continue
        for earlier, _ in drawn[:index]:
            if earlier["status"] not in ("coded", "admitted; skipped"):
                problems.append(Problem(shown, line, "draw_order",
                                        f"{row['candidate_id']} (draw {row['draw_order']}) is coded out of draw order: "
                                        f"{earlier['candidate_id']} (draw {earlier['draw_order']}) comes first and is "
                                        f"'{earlier['status']}'; code it or skip it with a reason"))
                break
    return problems


def _partial_date_ok(value: str | None, precision: str | None) -> bool:
    """True when a partial date is well formed, real, and matches its precision."""
    match = PARTIAL_DATE.fullmatch(value or "")
    if match is None or precision not in PRECISION_PARTS:
        return False
    if sum(1 for g in match.group("y", "m", "d") if g) != PRECISION_PARTS[precision]:
        return False
    from patron.coding import earliest, latest

    try:
        earliest(value, precision)
        latest(value, precision)
    except ValueError:
        return False
    return True

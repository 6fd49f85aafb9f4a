"""The blind tagging's machinery: the stripped files the coders read, and their returns.

A coder who tags an item must not see which episode it belongs to, what the
United States went on to do, the other items or any prediction. So each
coder receives a *stripped* file: the excerpt, a description of its source
(``speaker``), the date of the view and the source type, under an arbitrary
key, in a seeded random order that mixes every episode. The key-to-item map is
kept apart (``keys.csv``) and joins the coders' returns back to
``evidence.csv``.

Usage::

    python -m patron.workflow.tagging strip ROUND [EVIDENCE_ID ...]   # write data/tagging/round-ROUND/
    python -m patron.workflow.tagging collect ROUND CODER FILE...    # add a coder's returns to tags.csv
    python -m patron.workflow.tagging apply                           # adjudicate; recode evidence and episodes

With no ids, ``strip`` takes every item not yet tagged. ``apply`` writes the
adjudicated rows into ``tags.csv``, the adjudicated values into ``evidence.csv``,
and the rule's codings and the typology's predictions into ``episodes.csv`` and
``predictions.csv``; the validator then holds all four to one another.
"""

from __future__ import annotations

import csv
import random
import re
import sys
from pathlib import Path

import pandas as pd

from patron.paths import BIBLIOGRAPHY, DATA_DIR

TAGGING_DIR = DATA_DIR / "tagging"
SEED = 20261204  # the day the first round was stripped
# FRUS-style headings: a document's form, then who wrote it to whom.
FORM_HEADING = re.compile(r"^(Memorandum|Telegram|Letter|Minutes|Notes?|Paper|Record|Airgram|Message|Summary|"
                          r"Editorial Note|Intelligence|Special National|National Intelligence|Draft)\b[^:]*\b(From|of|to|by)\b",
                          re.IGNORECASE)
TAG_FIELDS: tuple[str, ...] = ("perceiver", "secondhand", "bears_on", "indicates")


def _clean(text: str) -> str:
    """A BibTeX field as plain text: braces and doubled dashes undone, spaces folded."""
    text = text.replace("{", "").replace("}", "").replace("--", "–").replace("\\&", "&")
    return re.sub(r"\s+", " ", text).strip()


def bib_fields(path: Path = BIBLIOGRAPHY) -> dict[str, dict[str, str]]:
    """Each entry's fields, lower-cased names, plain-text values."""
    from pybtex.database import parse_file

    data = parse_file(str(path), bib_format="bibtex")
    out: dict[str, dict[str, str]] = {}
    for key, entry in data.entries.items():
        fields = {name.lower(): _clean(str(value)) for name, value in entry.fields.items()}
        people = entry.persons.get("author", [])
        if people:
            fields["author"] = _clean("; ".join(str(p) for p in people))
        out[key] = fields
    return out


def speaker(fields: dict[str, str], source_type: str) -> str:
    """What a coder is told of an item's source.

    A heading that names only a document's form and correspondents ("Telegram
    From the Embassy in Korea to the Department of State") is kept. Any other
    title (a cable's subject line, a headline, a book's title) can announce the
    outcome, so it is withheld and only the issuer, outlet or byline is given.
    """
    author = fields.get("author", "")
    outlet = fields.get("journal") or fields.get("publisher") or fields.get("organization") \
        or fields.get("institution") or fields.get("howpublished", "")
    if source_type == "news":
        parts = ["news report", outlet, f"by {author}" if author and author != outlet else ""]
    elif source_type == "scholarly":
        parts = ["scholarly work", f"by {author}" if author else outlet]
    else:
        title = fields.get("title", "")
        parts = [author, title if FORM_HEADING.match(title) else "", outlet if outlet != author else ""]
    return "; ".join(p for p in parts if p)


def _date(stated_on: object, precision: object) -> str:
    return "" if not isinstance(stated_on, str) else f"{stated_on} ({precision})"


def strip(evidence: pd.DataFrame, ids: list[str], round_no: int,
          bib: dict[str, dict[str, str]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The stripped file for ``ids`` and its key map, in a seeded order that mixes episodes."""
    rows = evidence.set_index("evidence_id").loc[sorted(ids)]
    order = sorted(ids)
    random.Random(SEED + round_no).shuffle(order)
    items, keys = [], []
    for i, evidence_id in enumerate(order, start=1):
        row = rows.loc[evidence_id]
        key = f"R{round_no}-{i:03d}"
        first = str(row.source_keys).split(";")[0]
        items.append({"key": key, "excerpt": row.excerpt,
                      "speaker": speaker(bib.get(first, {}), str(row.source_type)),
                      "date": _date(row.stated_on, row.stated_precision), "source_type": row.source_type})
        keys.append({"key": key, "evidence_id": evidence_id})
    return pd.DataFrame(items), pd.DataFrame(keys)


def write_round(round_no: int, ids: list[str] | None = None) -> Path:
    """Write ``data/tagging/round-N/items.csv`` (what coders see) and ``keys.csv``."""
    evidence = pd.read_csv(DATA_DIR / "evidence.csv", dtype=str, keep_default_na=False)
    if not ids:
        tags_path = DATA_DIR / "tags.csv"
        done = set(pd.read_csv(tags_path, dtype=str).evidence_id) if tags_path.exists() else set()
        ids = [e for e in evidence.evidence_id if e not in done]
    items, keys = strip(evidence, ids, round_no, bib_fields())
    folder = TAGGING_DIR / f"round-{round_no}"
    folder.mkdir(parents=True, exist_ok=True)
    items.to_csv(folder / "items.csv", index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    keys.to_csv(folder / "keys.csv", index=False, lineterminator="\n")
    return folder


def collect(round_no: int, coder: str, path: Path) -> pd.DataFrame:
    """A coder's return joined to the evidence ids, in the long form of ``tags.csv``.

    Every key of the round must be tagged once; a missing or unknown key stops here.
    """
    keys = pd.read_csv(TAGGING_DIR / f"round-{round_no}" / "keys.csv", dtype=str)
    returned = pd.read_csv(path, dtype=str, keep_default_na=False)
    returned.columns = [c.strip() for c in returned.columns]
    missing = sorted(set(keys.key) - set(returned.key))
    extra = sorted(set(returned.key) - set(keys.key))
    dupes = sorted(returned.key[returned.key.duplicated()])
    if missing or extra or dupes:
        raise ValueError(f"{path}: missing keys {missing[:5]}, unknown keys {extra[:5]}, repeated {dupes[:5]}")
    merged = keys.merge(returned, on="key")
    merged = merged.assign(coder=coder, round=str(round_no))
    for field in TAG_FIELDS:
        merged[field] = merged[field].fillna("").str.strip()
    return merged[["evidence_id", "coder", "round", *TAG_FIELDS]]


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA_DIR / name, dtype=str, keep_default_na=False)


def _write(frame: pd.DataFrame, name: str) -> None:
    frame.to_csv(DATA_DIR / name, index=False, lineterminator="\n")


def add_returns(round_no: int, coder: str, paths: list[Path]) -> None:
    """Add a coder's returns for one round to ``tags.csv`` (replacing any earlier rows of that coder and round)."""
    frames = []
    keys = pd.read_csv(TAGGING_DIR / f"round-{round_no}" / "keys.csv", dtype=str)
    returned = pd.concat([pd.read_csv(p, dtype=str, keep_default_na=False) for p in paths], ignore_index=True)
    combined = TAGGING_DIR / f"round-{round_no}" / f"coder-{coder}.csv"
    returned.to_csv(combined, index=False, lineterminator="\n")
    frames.append(collect(round_no, coder, combined))
    new = pd.concat(frames, ignore_index=True)
    path = DATA_DIR / "tags.csv"
    old = _read("tags.csv") if path.exists() else new.iloc[0:0]
    old = old[~((old.coder == coder) & (old["round"] == str(round_no))) & (old.coder != "adjudicated")]
    order = {e: i for i, e in enumerate(keys.evidence_id)}
    merged = pd.concat([old, new], ignore_index=True)
    _write(merged, "tags.csv")


def apply() -> None:
    """Adjudicate every item with two codings and carry the result into the data."""
    from patron.coding import coding_table
    from patron.reliability import ADJUDICATED, TAG_FIELDS, adjudicated_rows
    from patron.typology import classify

    tags = _read("tags.csv")
    coders = tags[tags.coder != ADJUDICATED]
    adjudicated = adjudicated_rows(coders)
    ordered = pd.concat([coders, adjudicated], ignore_index=True)
    ordered["_n"] = ordered.evidence_id.str[1:].astype(int)
    ordered["_c"] = ordered.coder.map({"A": 0, "B": 1, ADJUDICATED: 2})
    ordered = ordered.sort_values(["_n", "_c"], kind="stable").drop(columns=["_n", "_c"])
    _write(ordered, "tags.csv")

    evidence = _read("evidence.csv")
    if "secondhand" not in evidence.columns:
        evidence.insert(list(evidence.columns).index("perceiver") + 1, "secondhand", "")
    settled = adjudicated.set_index("evidence_id")
    for field in TAG_FIELDS:
        evidence[field] = evidence.evidence_id.map(settled[field]).fillna(evidence[field])
    _write(evidence, "evidence.csv")

    episodes = _read("episodes.csv")
    codings = coding_table(episodes, evidence).pivot(index="episode_id", columns="dimension", values="level")
    episodes["entrapment"] = episodes.episode_id.map(codings.entrapment)
    episodes["control"] = episodes.episode_id.map(codings.control)
    episodes["predicted_response"] = [classify(e, c).value if {e, c} <= {"high", "low"} else ""
                                      for e, c in zip(episodes.entrapment, episodes.control)]
    _write(episodes, "episodes.csv")
    predictions = _read("predictions.csv")
    typology = predictions.hypothesis_id == "H_TYP"
    predictions.loc[typology, "predicted_response"] = predictions.loc[typology, "episode_id"].map(
        episodes.set_index("episode_id").predicted_response)
    # The one-dimensional rivals read one coding each (patron.measured.SAME_AS).
    from patron.scoring import one_dimension

    levels = episodes.set_index("episode_id")
    for rule, dimension in (("H_CTL", "control"), ("H_ASDW", "entrapment")):
        mine = predictions.hypothesis_id == rule
        predictions.loc[mine, "predicted_response"] = [one_dimension(levels.loc[e, dimension])
                                                       for e in predictions.loc[mine, "episode_id"]]
    # These three rules are mechanical, so their rationales are written from the codings.
    for i in predictions.index[predictions.hypothesis_id.isin(["H_TYP", "H_CTL", "H_ASDW"])]:
        row = predictions.loc[i]
        predictions.loc[i, "rationale"] = _mechanical_rationale(row.hypothesis_id, levels.loc[row.episode_id],
                                                                row.predicted_response)
    _write(predictions, "predictions.csv")


def _mechanical_rationale(rule: str, episode: pd.Series, predicted: str) -> str:
    """Why a rule that reads the codings predicts what it does, in words."""
    def said(dimension: str) -> str:
        level = episode[dimension]
        return {"tie": f"{dimension} is a tie (as many eligible items point each way)",
                "unmeasured": f"{dimension} is unmeasured (no eligible item points either way)"}.get(
                    level, f"{dimension} is measured {level}")
    reads = {"H_TYP": ["entrapment", "control"], "H_CTL": ["control"], "H_ASDW": ["entrapment"]}[rule]
    basis = " and ".join(said(d) for d in reads)
    outcome = f"so it predicts {predicted}" if predicted else "so it makes no prediction here"
    name = {"H_TYP": "The typology", "H_CTL": "The control account reads control alone", 
            "H_ASDW": "The one-dimensional security dilemma reads entrapment alone"}[rule]
    if rule == "H_TYP":
        return f"{name} reads both dimensions: by the coding rule, {basis}, {outcome}."
    return f"{name}: by the coding rule, {basis}, {outcome} (it is the one-dimensional baseline)."


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "strip":
        print(write_round(int(argv[1]), argv[2:] or None))
        return 0
    if len(argv) >= 4 and argv[0] == "collect":
        add_returns(int(argv[1]), argv[2], [Path(a) for a in argv[3:]])
        return 0
    if argv == ["apply"]:
        apply()
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

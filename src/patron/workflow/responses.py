"""The blind response coding's machinery: what the response coders read, and their returns.

A response coder must see what the United States did, and nothing of how the
book reads its perceptions: no perception item, no coding, no prediction, no
episode title (titles name the outcome, e.g. "the first missile
understanding"). So each coder receives ``data/tagging/responses/episodes.csv``
(an arbitrary key, the client, a neutral description of the armament and the
episode's years) and ``items.csv`` (the *response record*: each item's key, the
episode key, the date, the source type, the one-line description and the
quotation), with ``response-codebook.md``. The key maps stay in ``keys.csv``.

The response record of an episode is every item the blind taggers classed as
bearing on the US response, with every item the earlier response argument
cites (one coder's choice of record, widened, never narrowed).

Usage::

    python -m patron.workflow.responses strip              # write data/tagging/responses/
    python -m patron.workflow.responses collect CODER FILE [FOLDER]  # add returns to response_tags.csv
    python -m patron.workflow.responses apply               # adjudicate; carry into episodes.csv

``apply`` writes the adjudicated rows into ``response_tags.csv`` and carries
them into ``episodes.csv``: the three responses, the headline (settled)
response as ``observed_response``, and its date as ``decided_on``; then it
recodes the perceptions, which depend on ``decided_on``
(:func:`patron.workflow.tagging.apply`).
"""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

import pandas as pd

from patron.paths import DATA_DIR

RESPONSE_DIR = DATA_DIR / "tagging" / "responses"
SEED = 202612041  # fixed on the day the response file was stripped
CITED = re.compile(r"V\d{3}")
# The analyst's labels that open some descriptions ("First response: ...") would give the coding away.
LABEL = re.compile(r"^(First|Settled|Strongest) response:\s*", re.IGNORECASE)
# The post-2021 Korean episode's three decisions, each coded as an episode of its own.
P9_STRANDS = {"missiles": "p9-missiles-2021", "nuclear-option": "p9-nuclear-2023",
              "submarine": "p9-submarine-2025"}


def response_record(episodes: pd.DataFrame, evidence: pd.DataFrame) -> dict[str, list[str]]:
    """Each episode's response items: tagged as bearing on the response, or cited by the old argument."""
    record: dict[str, list[str]] = {}
    for row in episodes.itertuples():
        argument = str(row.rationale).split("Response argument:")[-1]
        mine = evidence[evidence.episode_id == row.episode_id]
        ids = set(CITED.findall(argument)) | set(mine[mine.bears_on == "response"].evidence_id)
        record[row.episode_id] = sorted(i for i in ids if i in set(mine.evidence_id))
    return record


def strip(episodes: pd.DataFrame, evidence: pd.DataFrame, segmentations: pd.DataFrame) -> None:
    """Write the three files the coders and the analyst need."""
    record = response_record(episodes, evidence)
    split = segmentations[segmentations.segmentation == "split-p9"]
    units: list[tuple[str, str, str, str, str, list[str]]] = []  # unit id, client, armament, start, end, items
    for row in episodes.itertuples():
        if row.episode_id == "p9-after-2021":
            for seg in split.itertuples():
                cited = set(CITED.findall(seg.rationale))
                mine = evidence[(evidence.episode_id == row.episode_id) & (evidence.strand == seg.strand)]
                ids = cited | set(mine[mine.bears_on == "response"].evidence_id) | set(
                    i for i in record[row.episode_id] if i in set(mine.evidence_id))
                units.append((P9_STRANDS[seg.strand], row.client, _p9_armament(seg.strand), seg.decided_on[:4],
                              str(row.end), sorted(ids)))
            continue
        units.append((row.episode_id, row.client, NEUTRAL.get(row.episode_id, row.armament), str(row.start),
                      str(row.end), record[row.episode_id]))
    write_units(units, RESPONSE_DIR, evidence, SEED)


def write_units(units: list[tuple[str, str, str, str, str, list[str]]], folder: Path, evidence: pd.DataFrame,
                seed: int) -> None:
    """Write episodes.csv, items.csv (what the coders see) and keys.csv (kept from them) for ``units``:
    (episode id, client, armament, start, end, response item ids), shuffled by ``seed``."""
    units = list(units)
    random.Random(seed).shuffle(units)
    folder.mkdir(parents=True, exist_ok=True)
    ep_rows, item_rows, key_rows = [], [], []
    n = 0
    for k, (unit, client, armament, start, end, ids) in enumerate(units, start=1):
        key = f"E{k:02d}"
        ep_rows.append({"key": key, "client": client, "armament": armament, "years": f"{start} to {end}"})
        key_rows.append({"key": key, "episode_id": unit, "evidence_ids": ";".join(ids)})
        items = evidence.set_index("evidence_id").loc[ids].reset_index() if ids else evidence.iloc[0:0]
        items = items.sort_values(["stated_on", "evidence_id"])
        for item in items.itertuples():
            n += 1
            item_rows.append({"item": f"R{n:03d}", "key": key, "date": item.stated_on,
                              "source_type": item.source_type, "description": LABEL.sub("", item.claim),
                              "quotation": "" if pd.isna(item.excerpt) else item.excerpt})
            key_rows.append({"key": f"R{n:03d}", "episode_id": unit, "evidence_ids": item.evidence_id})
    columns = ["item", "key", "date", "source_type", "description", "quotation"]
    pd.DataFrame(ep_rows).to_csv(folder / "episodes.csv", index=False, lineterminator="\n")
    pd.DataFrame(item_rows, columns=columns).to_csv(folder / "items.csv", index=False, lineterminator="\n")
    pd.DataFrame(key_rows).to_csv(folder / "keys.csv", index=False, lineterminator="\n")


def strip_drawn(evidence: pd.DataFrame, universe: pd.DataFrame, drawn: pd.DataFrame, acts: set[str],
                folder: str = "responses-2", seed: int = SEED + 1) -> None:
    """The second response file: the episodes coded from the draw. Their response record is every item the
    blind taggers classed as bearing on the response, with every item the researcher who entered it marked as
    a US act (``acts``); the armament is given as the universe lists the capability, nothing more."""
    capability = dict(zip(universe.episode_id, universe.capability))
    units = []
    for row in drawn.itertuples():
        mine = evidence[evidence.episode_id == row.episode_id]
        ids = sorted(set(mine.evidence_id[mine.bears_on == "response"]) | (acts & set(mine.evidence_id)))
        units.append((row.episode_id, row.client, capability[row.episode_id], str(row.start), str(row.end), ids))
    write_units(units, DATA_DIR / "tagging" / folder, evidence, seed)


# Korean armament texts in episodes.csv describe what was agreed (a cap, a removal); the coders get what
# Seoul sought instead, so that the description does not give the response away.
NEUTRAL = {
    "p3-chun-1980-90": "South Korea's ballistic missile programme of the 1980s: follow-ons to the Baekgom "
                       "(K2, K3, K5) and a Nike Hercules-derived surface-to-surface missile (Hyunmoo, about "
                       "180 km), with plans for commercial rockets.",
    "p5-revision-2009-12": "Longer-range South Korean ballistic missiles, sought at 1,000 km or more with heavier "
                           "warheads, and heavy drones, meant to reach all of North Korea including rear "
                           "missile bases.",
    "p6-payload-2017": "Heavier warheads for South Korean ballistic missiles, beyond 500 kg, such as a warhead "
                       "of about two tons for hardened North Korean targets.",
    "p7-space-2019-20": "Solid-propellant and hybrid space launch vehicles, intended to put ROK-built "
                        "reconnaissance satellites into low-earth orbit; the missile guidelines then in force "
                        "limited the impulse of solid rocket motors.",
    "p8-termination-2021": "South Korean ballistic missiles beyond the 800 km range then permitted, unrestricted "
                           "in range, payload and propulsion, sought as 'missile sovereignty'.",
}


def _p9_armament(strand: str) -> str:
    """Neutral descriptions of the three post-2021 decisions (the joint episode's text covers all three)."""
    return {
        "missiles": "South Korea's conventional strategic missiles after the 2021 end of the guidelines: "
                    "a submarine-launched ballistic missile tested in September 2021 and the heavy "
                    "Hyunmoo-4 and Hyunmoo-5 ballistic missiles.",
        "nuclear-option": "A South Korean nuclear weapons option, raised publicly by President Yoon in "
                          "January 2023 amid a domestic debate on an indigenous deterrent.",
        "submarine": "South Korean nuclear-powered attack submarines, with the fuel they need and a "
                     "domestic enrichment and reprocessing capability, sought in 2025.",
    }[strand]


COLUMNS = ["episode_id", "coder", "round", "first_response", "first_date", "strongest_response", "settled_response",
           "settled_date", "note"]


def collect(coder: str, path: Path, folder: Path = RESPONSE_DIR) -> None:
    """Keep a coder's return as received and add it, keyed by episode, to ``data/response_tags.csv``
    (replacing that coder's earlier rows for the same episodes)."""
    returned = pd.read_csv(path, dtype=str, keep_default_na=False)
    returned.to_csv(folder / f"coder-{coder}.csv", index=False, lineterminator="\n")
    keys = pd.read_csv(folder / "keys.csv", dtype=str)
    keys = keys[keys.key.str.startswith("E")][["key", "episode_id"]]
    rows = returned.merge(keys, on="key", how="left", validate="one_to_one")
    if rows.episode_id.isna().any():
        raise ValueError(f"{path}: keys not in keys.csv: {', '.join(rows.key[rows.episode_id.isna()])}")
    rows["coder"] = coder
    rows["round"] = folder.name.split("-")[1] if "-" in folder.name else "1"
    target = DATA_DIR / "response_tags.csv"
    old = pd.read_csv(target, dtype=str, keep_default_na=False) if target.exists() else pd.DataFrame(columns=COLUMNS)
    old = old[~((old.coder == coder) & old.episode_id.isin(rows.episode_id))]
    pd.concat([old, rows[COLUMNS]]).to_csv(target, index=False, lineterminator="\n")


def apply() -> None:
    """Adjudicate the response codings and carry the result into ``episodes.csv``."""
    from patron.responses import ADJUDICATED, adjudicated_rows, precision_of, response_basis
    from patron.workflow import tagging

    target = DATA_DIR / "response_tags.csv"
    tags = pd.read_csv(target, dtype=str, keep_default_na=False)
    episodes = pd.read_csv(DATA_DIR / "episodes.csv", dtype=str, keep_default_na=False)
    coders = tags[tags.coder != ADJUDICATED]
    settled = adjudicated_rows(coders, episodes)
    order = {"A": 0, "B": 1, "C": 2, ADJUDICATED: 3}
    both = pd.concat([coders, settled[COLUMNS]], ignore_index=True)
    both["_e"] = both.episode_id.map({e: i for i, e in enumerate(episodes.episode_id)})
    both["_c"] = both.coder.map(order)
    both.sort_values(["_e", "_c"]).drop(columns=["_e", "_c"]).to_csv(target, index=False, lineterminator="\n")
    by = settled.set_index("episode_id")
    for i, row in episodes.iterrows():
        if row.episode_id not in by.index:
            continue
        got = by.loc[row.episode_id]
        episodes.loc[i, "first_response"] = got.first_response
        episodes.loc[i, "first_on"] = got.first_date
        episodes.loc[i, "first_precision"] = precision_of(got.first_date)
        episodes.loc[i, "strongest_response"] = got.strongest_response
        episodes.loc[i, "response_basis"] = response_basis(coders[coders.episode_id == row.episode_id])
        episodes.loc[i, "observed_response"] = got.settled_response
        episodes.loc[i, "decided_on"] = got.settled_date
        episodes.loc[i, "decided_precision"] = precision_of(got.settled_date)
    episodes.to_csv(DATA_DIR / "episodes.csv", index=False, lineterminator="\n")
    tagging.apply()


def main(argv: list[str]) -> int:
    from patron.data import load_table

    if argv[:1] == ["strip"]:
        strip(load_table("episodes"), load_table("evidence"), load_table("segmentations"))
        return 0
    if len(argv) in (3, 4) and argv[0] == "collect":
        collect(argv[1], Path(argv[2]), DATA_DIR / "tagging" / argv[3] if len(argv) == 4 else RESPONSE_DIR)
        return 0
    if argv == ["apply"]:
        apply()
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

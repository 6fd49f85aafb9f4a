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
    python -m patron.workflow.responses collect CODER FILE  # add a coder's returns to response_tags.csv
"""

from __future__ import annotations

import random
import re
import sys

import pandas as pd

from patron.paths import DATA_DIR

RESPONSE_DIR = DATA_DIR / "tagging" / "responses"
SEED = 202612041  # fixed on the day the response file was stripped
CITED = re.compile(r"V\d{3}")
# The analyst's labels that open some descriptions ("First response: ...") would give the coding away.
LABEL = re.compile(r"^(First|Settled|Strongest) response:\s*", re.IGNORECASE)
# The post-2021 Korean episode's three decisions, each coded as an episode of its own.
P9_STRANDS = {"missiles": "p9a-missiles-2021", "nuclear-option": "p9b-nuclear-2023",
              "submarine": "p9c-submarine-2025"}


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
    rng = random.Random(SEED)
    rng.shuffle(units)
    RESPONSE_DIR.mkdir(parents=True, exist_ok=True)
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
    pd.DataFrame(ep_rows).to_csv(RESPONSE_DIR / "episodes.csv", index=False, lineterminator="\n")
    pd.DataFrame(item_rows).to_csv(RESPONSE_DIR / "items.csv", index=False, lineterminator="\n")
    pd.DataFrame(key_rows).to_csv(RESPONSE_DIR / "keys.csv", index=False, lineterminator="\n")


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


def main(argv: list[str]) -> int:
    from patron.data import load_table

    if argv[:1] == ["strip"]:
        strip(load_table("episodes"), load_table("evidence"), load_table("segmentations"))
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

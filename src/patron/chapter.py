"""What chapters need from the data beyond charts and notes: glued values and tables.

A period chapter states its episode's dates, codings, prediction and response
in prose, and each of those values must come from the data, not be typed in.
:func:`episode_context` glues every such value under one set of names, so that
a chapter opens with one line, and a value changed in ``data/`` changes every
sentence that states it. It returns an :class:`EpisodeContext`: the episode,
its evidence items, the rule's codings, and ``notes()`` for its evidence notes.

:func:`table` gives pandas tables an HTML form with fixed ids. pandas' Styler
gives every table a random element id, and its plain-text form is a memory
address, so a re-executed notebook would otherwise never match its stored
output.

:func:`download_table` lists the data package's files as links into the built
site (see :mod:`patron.site.downloads`), for the codebook page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

# The names glued for every episode, for readers of a chapter's source.
GLUED = ("start", "end", "decided", "entrapment", "control", "observed", "predicted", "typology_says", "judged_entrapment",
         "judged_control", "judged_predicted", "n_items", "n_primary", "eligible_phrase",
         "{dimension}_eligible", "{dimension}_high", "{dimension}_low", "{dimension}_margin",
         "range_{year}", "payload_{year}", "E### (each event named)")


@dataclass(frozen=True)
class Table:
    """A table with a reproducible HTML and plain-text form."""

    frame: pd.DataFrame
    name: str

    def _repr_html_(self) -> str:
        return self.frame.style.set_uuid(self.name).hide(axis="index").to_html()

    def __repr__(self) -> str:
        return self.frame.to_string(index=False)


def table(frame: pd.DataFrame, name: str) -> Table:
    """A reproducible table: stable ids, no index column, and an empty cell where the data hold nothing
    (a reader should never meet 'nan' or 'None')."""
    shown = frame.astype(object).where(frame.notna(), "")
    return Table(shown, name)


def _typology_says(entrapment: str, control: str) -> str:
    """What the typology says of an episode, as prose: a prediction, or the responses it still allows."""
    from patron.coding import allowed

    said = allowed(entrapment, control)
    if len(said) == 1:
        return f"predicts {said[0]}"
    if len(said) == 3:
        return "allows any response, and so makes no prediction"
    return f"allows {' or '.join(said)}, and so makes no prediction"


def _text(value: object, missing: str) -> str:
    """A cell as prose: its string, or ``missing`` where the data leave it empty."""
    return value if isinstance(value, str) and value else missing


def _count(n: int, noun: str) -> str:
    """'no eligible item', 'one eligible item', 'three eligible items'."""
    from patron.verdict import words

    if n == 0:
        return f"no {noun}"
    return f"{words(n)} {noun}" + ("" if n == 1 else "s")


def _ids(cell: object) -> set[str]:
    return set(cell.split(";")) if isinstance(cell, str) and cell else set()


@dataclass(frozen=True)
class EpisodeContext:
    """One episode and the tables its chapter reads, after its values are glued."""

    episode: pd.Series
    items: pd.DataFrame
    episodes: pd.DataFrame
    evidence: pd.DataFrame
    codings: pd.DataFrame
    values: dict[str, object]

    def notes(self, ids: Iterable[str]):
        """The evidence items ``ids`` as expandable notes, in the order given."""
        from patron.notes import evidence_notes

        return evidence_notes(self.evidence, ids)


def episode_values(episode_id: str, events: Iterable[str] = ()) -> EpisodeContext:
    """Every value a period chapter states about its episode, computed from the data.

    The rule's codings are recomputed here and must equal those recorded in
    ``episodes.csv`` (validation already insists on it); a chapter whose prose
    rests on a coding can then trust the glued value.
    """
    from patron import classify
    from patron.coding import DIMENSIONS, coding_table
    from patron.data import format_date, format_limit, load_episodes, load_events, load_evidence, load_guidelines

    episodes, evidence = load_episodes(), load_evidence()
    by_id = episodes.set_index("episode_id")
    if episode_id not in by_id.index:
        raise KeyError(f"data/episodes.csv has no episode {episode_id!r}")
    ep = by_id.loc[episode_id]
    items = evidence[evidence.episode_id == episode_id]
    codings = coding_table(episodes[episodes.episode_id == episode_id], items).set_index("dimension")
    for dimension in DIMENSIONS:
        if codings.loc[dimension, "level"] != ep[dimension]:
            raise ValueError(f"data/episodes.csv: {episode_id} records {dimension} {ep[dimension]!r}, "
                             f"but the rule codes {codings.loc[dimension, 'level']!r}")

    from patron.verdict import words

    eligible = set().union(*(_ids(codings.loc[d, "eligible_ids"]) for d in DIMENSIONS))
    values: dict[str, object] = {
        "start": ep.start, "end": ep.end, "decided": format_date(ep.decided_on, ep.decided_precision),
        "entrapment": ep.entrapment, "control": ep.control, "observed": ep.observed_response,
        "first": ep.first_response, "first_on": format_date(ep.first_on, ep.first_precision),
        "strongest": ep.strongest_response,
        "predicted": _text(ep.predicted_response, "no prediction"), "judged_entrapment": ep.judged_entrapment,
        "judged_control": ep.judged_control,
        "judged_predicted": classify(ep.judged_entrapment, ep.judged_control).value,
        "n_items": len(items), "n_primary": int((items.source_type == "primary").sum()),
        "eligible_phrase": _count(len(eligible), "eligible item"),
        "typology_says": _typology_says(ep.entrapment, ep.control),
    }
    for dimension in DIMENSIONS:
        row = codings.loc[dimension]
        values[f"{dimension}_eligible"] = _count(len(_ids(row.eligible_ids)), "eligible item")
        values[f"{dimension}_high"] = words(int(row.n_high))
        values[f"{dimension}_low"] = words(int(row.n_low))
        values[f"{dimension}_margin"] = int(row.margin)
    for regime in load_guidelines().itertuples():
        values[f"range_{regime.regime_id[:4]}"] = format_limit(regime.max_range_km, "km")
        values[f"payload_{regime.regime_id[:4]}"] = format_limit(regime.max_payload_kg, "kg")
    all_events = load_events().set_index("event_id")
    for event_id in events:
        if event_id not in all_events.index:
            raise KeyError(f"data/events.csv has no event {event_id!r} (asked for by {episode_id})")
        row = all_events.loc[event_id]
        values[event_id] = format_date(row.date, row.date_precision)
    return EpisodeContext(ep, items, episodes, evidence, codings, values)


def episode_context(episode_id: str, events: Iterable[str] = (), prefix: str = "") -> EpisodeContext:
    """Set up a period chapter: the offline chart renderer, and every value its prose glues.

    ``events`` names the rows of ``events.csv`` whose dates the prose states;
    each is glued under its id (``{glue:text}`E039```). A chapter that treats
    several episodes sets a ``prefix`` for each, so that their values do not
    collide (``{glue:text}`nuc_decided```).
    """
    from myst_nb import glue

    from patron.charts import use_book_renderer

    use_book_renderer()
    context = episode_values(episode_id, events)
    for name, value in context.values.items():
        glue(f"{prefix}{name}", value, display=False)
    return context


def download_table(page_depth: int = 1) -> Table:
    """The data package's files as a table of links into the built site.

    The site carries each file under its repository path, and the whole
    package as one archive (:mod:`patron.site.downloads`). Chapters live one
    folder down (``book/``), so links climb ``page_depth`` folders first.
    """
    import csv
    import html
    import tempfile
    from pathlib import Path

    from patron.data import resources
    from patron.paths import BIBLIOGRAPHY, DATA_DIR
    from patron.site.downloads import ARCHIVE, package_files, write_archive

    up = "../" * page_depth

    def link(path: str, label: str | None = None) -> str:
        return f'<a href="{up}{html.escape(path)}" download>{html.escape(label or path)}</a>'

    def kb(path) -> str:
        return f"{path.stat().st_size / 1000:,.0f} kB" if path.stat().st_size >= 1000 else "<1 kB"

    rows = []
    for resource in resources():
        path = DATA_DIR / resource["path"]
        with path.open(encoding="utf-8", newline="") as handle:
            n_rows = sum(1 for _ in csv.reader(handle)) - 1
        rows.append({"File": link(f"data/{resource['path']}", resource["path"]), "Holds": resource["title"],
                     "Rows": f"{n_rows:,}", "Size": kb(path)})
    for name, what in (("datapackage.json", "The schema: every column, its type and its rules"),
                       ("README.md", "How the data were made, and the conventions"),
                       ("LICENSE.md", "The data licence (CC BY 4.0)")):
        rows.append({"File": link(f"data/{name}", name), "Holds": what, "Rows": "—", "Size": kb(DATA_DIR / name)})
    rows.append({"File": link("references.bib"), "Holds": "The bibliography that every source key resolves in",
                 "Rows": "—", "Size": kb(BIBLIOGRAPHY)})
    with tempfile.TemporaryDirectory() as scratch:
        archive = write_archive(package_files(), Path(scratch) / ARCHIVE)
        archive_size = kb(archive)
    rows.insert(0, {"File": link(f"data/{ARCHIVE}", ARCHIVE), "Holds": "All of the files below, as one zip archive",
                    "Rows": "—", "Size": archive_size})
    return Table(pd.DataFrame(rows), "downloads")


def episode_finding(episode_id: str) -> "Markdown":
    """The episode's own finding, from the data: what was searched, what was measured, what each rule
    predicted, and what happened. Every period chapter ends with it, so the reader weighs the episode
    before the book weighs the whole."""
    from IPython.display import Markdown

    from patron.coding import DIMENSIONS, MEASURED, allowed
    from patron.data import load_episodes, load_hypotheses, load_predictions, load_searches
    from patron.search_log import status_table
    from patron.verdict import words

    from patron.coding import coding_table
    from patron.data import load_evidence

    episodes = load_episodes()
    ep = episodes.set_index("episode_id").loc[episode_id]
    mine = episodes[episodes.episode_id == episode_id]
    evidence = load_evidence()
    items = evidence[evidence.episode_id == episode_id].set_index("evidence_id")
    codings = coding_table(mine, items.reset_index()).set_index("dimension")
    status = status_table(mine, load_searches()).set_index("dimension")
    lines = []
    for dimension in DIMENSIONS:
        row = status.loc[dimension]
        level = row.coding
        ids = _ids(codings.loc[dimension, "eligible_ids"])
        counted = ", ".join(f"{i} ({items.loc[i, 'indicates']})" for i in sorted(ids))
        basis = f" from {counted}" if ids else ", with no eligible item"
        measured = (f"measured **{level}**" if level in MEASURED else (
            "a **tie** (as many eligible items point each way)" if level == "tie" else "**unmeasured**")) + basis
        kinds = int(row.kinds)
        lines.append(f"- **{dimension.capitalize()}**: {_count(int(row.searches), 'logged search').replace('searchs', 'searches')} in "
                     f"{words(kinds) if kinds else 'no'} {'kind' if kinds == 1 else 'kinds'} of collection: {words(int(row.found))} found an item, "
                     f"{words(int(row.none))} found nothing in a collection that could be read, and "
                     f"{words(int(row.unreachable))} met a collection that could not be read; {measured}.")
    typology = allowed(ep.entrapment, ep.control)
    said = typology[0] if len(typology) == 1 else (" or ".join(typology) if len(typology) < 3 else "any response")
    lines.append(f"- **The typology** {'predicts' if len(typology) == 1 else 'allows'} {said}"
                 + ("." if len(typology) == 1 else ": it makes no prediction here."))
    names = dict(zip(load_hypotheses().hypothesis_id, load_hypotheses().name))
    predictions = load_predictions()
    mine = predictions[(predictions.episode_id == episode_id) & (predictions.hypothesis_id != "H_TYP")]
    rivals = "; ".join(f"{names[r.hypothesis_id]}, {_text(r.predicted_response, 'no prediction (coding unmeasured)')}"
                       for r in mine.itertuples())
    lines.append(f"- **The rivals**: {rivals}.")
    lines.append(f"- **What happened**: {ep.observed_response}.")
    return Markdown("\n".join(lines) + "\n")


def coding_account(episode_id: str) -> "Markdown":
    """How the rule codes an episode, item by item: which perception items count and which way they
    point, and why each other entrapment or control item is context. Generated, so it cannot drift
    from the blind tags."""
    from IPython.display import Markdown

    from patron.coding import DIMENSIONS, MEASURED, coding_table, context_items
    from patron.data import load_episodes, load_evidence
    from patron.verdict import words

    episodes = load_episodes()
    ep = episodes.set_index("episode_id").loc[episode_id]
    items = load_evidence()
    items = items[items.episode_id == episode_id]
    codings = coding_table(episodes[episodes.episode_id == episode_id], items).set_index("dimension")
    context = context_items(items, ep.decided_on, ep.decided_precision)
    lines = []
    for dimension in DIMENSIONS:
        row = codings.loc[dimension]
        ids = sorted(_ids(row.eligible_ids))
        by_id = items.set_index("evidence_id")
        counted = "; ".join(f"{i} ({by_id.loc[i, 'indicates']})" for i in ids)
        level = row.level if row.level in MEASURED else ("a tie" if row.level == "tie" else "unmeasured")
        text = f"- **{dimension.capitalize()}: {level}.** "
        text += (f"Eligible: {counted}." if ids else "No item is eligible.")
        mine = context[context.bears_on == dimension]
        if not mine.empty:
            text += " Context only: " + "; ".join(f"{r.evidence_id} ({r.reason.replace(' (', ': ').rstrip(')')})" for r in mine.itertuples()) + "."
        lines.append(text)
    others = items[~items.bears_on.isin(DIMENSIONS)].bears_on.value_counts()
    if len(others):
        lines.append("- **The other items** bear on " + ", ".join(f"{k} ({words(int(n))})"
                                                                  for k, n in others.items()) + ".")
    return Markdown("\n".join(lines) + "\n")


def prediction_table(episode_id: str) -> Table:
    """One compact table for a period chapter: every rule's prediction in this episode beside the settled
    response, so a reader sees the episode's test at a glance before any walk-through.

    The commonest response is taken over the Korean episodes, the scope a period chapter belongs to; a
    rule whose input is unmeasured shows no prediction, never a default.
    """
    from patron.data import load_episodes, load_hypotheses, load_predictions
    from patron.scoring import modal_response

    episodes = load_episodes()
    if episode_id not in set(episodes.episode_id):
        raise KeyError(f"data/episodes.csv has no episode {episode_id!r}")
    ep = episodes.set_index("episode_id").loc[episode_id]
    korea = episodes[~episodes.episode_id.str.startswith("x-")]
    hypotheses = load_hypotheses()
    predictions = load_predictions()
    said = predictions[predictions.episode_id == episode_id].set_index("hypothesis_id").predicted_response
    rows = []
    for h in hypotheses.itertuples():
        value = said.get(h.hypothesis_id)
        value = value if isinstance(value, str) and value else ""
        rows.append({"Rule": h.name, "Predicts": value or "no prediction",
                     "Matches the response": ("yes" if value == ep.observed_response else "no") if value else ""})
    mode = modal_response(list(korea.observed_response))
    rows.append({"Rule": "Baseline: commonest Korean response", "Predicts": mode,
                 "Matches the response": "yes" if mode == ep.observed_response else "no"})
    frame = pd.DataFrame(rows)
    frame.loc[len(frame)] = {"Rule": "Settled US response (blind coders)", "Predicts": ep.observed_response,
                             "Matches the response": ""}
    return table(frame, f"{episode_id}-predictions")

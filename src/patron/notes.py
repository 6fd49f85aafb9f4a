"""Evidence items and disputed facts, rendered as expandable notes.

A chapter states a claim in its prose, then shows the evidence items behind it
with :func:`evidence_notes`. Each item becomes a collapsed note: the claim, the
exact excerpt (if any), where to find it in the source, the citation, and what
the item shows. This follows the Annotation for Transparent Inquiry: a reader
can check every claim against a source they can open.

Notes in the data may name a source by its citation key, e.g. "(fp2021quiet)"
or "as maeil2001missile reports". :func:`link_keys` renders such keys as real
citations, so a reader sees the author and year and can follow the link.

The functions return MyST markdown (``IPython.display.Markdown``); the book
renders notebook markdown output as MyST (``nb_render_markdown_format``), so
citations inside the notes resolve like any other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import pandas as pd
from IPython.display import Markdown

from patron.bib import bib_keys

SOURCE_TYPE_LABELS = {"primary": "primary source", "scholarly": "scholarship", "news": "news report", "other": "other"}


@lru_cache(maxsize=1)
def _key_pattern() -> re.Pattern[str]:
    keys = sorted(bib_keys(), key=len, reverse=True)
    return re.compile(r"(?<![\w`])(" + "|".join(map(re.escape, keys)) + r")(?![\w`])")


def link_keys(text: str) -> str:
    """Turn citation keys written in a note into citations.

    A parenthesised list of keys, "(a; b)", becomes a parenthetical citation;
    any other key becomes a textual one ("Smith (2001)").
    """
    key = _key_pattern()
    group = re.compile(r"\((\s*(?:%s)(?:\s*[;,]\s*(?:%s))*\s*)\)" % (key.pattern, key.pattern))
    text = group.sub(lambda m: "{cite:p}`" + ",".join(k.strip() for k in re.split(r"[;,]", m.group(1))) + "`", text)
    # Link the remaining bare keys, but never inside a role already written.
    pieces = re.split(r"(\{[a-z:]+\}`[^`]*`)", text)
    text = "".join(p if p.startswith("{") else key.sub(lambda m: "{cite:t}`" + m.group(1) + "`", p) for p in pieces)
    # "see dispute D04" leads to that dispute on the disputes page.
    return DISPUTE.sub(lambda m: f"{m.group(1)} {{ref}}`{m.group(2)} <{dispute_label(m.group(2))}>`", text)


DISPUTE = re.compile(r"\b(disputes?)\s+(D\d+)\b")


def dispute_label(dispute_id: str) -> str:
    """The target of one dispute on the disputes page."""
    return f"dispute-{dispute_id.lower()}"


def _cite(keys: str) -> str:
    return "{cite:p}`" + ",".join(keys.split(";")) + "`"


def _fence(text: str) -> str:
    """A fence longer than any backtick run inside the text."""
    return "`" * max(4, max((len(r) for r in text.split() if set(r) == {"`"}), default=0) + 1)


PERCEIVER_LABELS = {
    "us-executive": "US executive", "us-congress": "US Congress", "us-military": "US military",
    "us-intelligence": "US intelligence", "client": "the client", "adversary": "the adversary",
    "third-party": "a third government", "press": "the press", "scholar": "a scholar",
    "unknown": "a perceiver the coders could not tell or agree on",
}
SECONDHAND_LABELS = {
    "direct": "in the perceiver's own words", "named-quoted": "a named person quoted by others",
    "unnamed-paraphrase": "unnamed officials as the press reports them",
    "client-account": "another government's account of the view", "summary": "a summary, not the words",
}


@lru_cache(maxsize=1)
def _decisions() -> dict[str, tuple[str, str]]:
    """Each episode's decision date, which decides whether an item can count toward a coding."""
    from patron.data import load_episodes

    episodes = load_episodes()
    return {e.episode_id: (e.decided_on, e.decided_precision) for e in episodes.itertuples()}


def coding_status(item: pd.Series) -> str:
    """How the coding rule treats an item: counts toward a coding, or context and why."""
    from patron.coding import REGISTERED_VERSION, ineligibility, rule_version

    if item.bears_on not in ("entrapment", "control"):
        return item.bears_on
    on, precision = _decisions()[item.episode_id]
    reason = ineligibility(item.to_dict(), item.bears_on, on, precision)
    if reason is None:
        return f"{item.bears_on}, counts ({item.indicates})"
    return f"{item.bears_on}, context only: {reason.replace(' (', ', ').rstrip(')')}"


@lru_cache(maxsize=1)
def _clients() -> dict[str, str]:
    """Each episode's client, so that a note says whose view 'the client' is."""
    from patron.data import load_episodes

    episodes = load_episodes()
    return dict(zip(episodes.episode_id, episodes.client))


def perceiver_label(item: pd.Series, client: str | None = None) -> str:
    """Who perceived what an item records, in words; the client is named (France, not "the client"),
    from the item's episode unless ``client`` is given (a forecast's signal)."""
    label = PERCEIVER_LABELS[item.perceiver]
    client = client or _clients().get(item.get("episode_id"))
    if item.perceiver == "client" and client:
        label += f" ({client})"
    return label


def evidence_note(item: pd.Series, status: str | None = None, client: str | None = None) -> str:
    """One evidence item as a collapsed MyST admonition.

    Its title says how the coding rule treats it, so a reader sees at a glance
    which items count toward a coding and which are context.
    """
    body = [f"**Claim.** {link_keys(item.claim)} {_cite(item.source_keys)}", ""]
    if isinstance(item.excerpt, str) and item.excerpt:
        body += [f"> {item.excerpt}", ""]
    stated = f"stated {item.stated_on}" if isinstance(item.stated_on, str) and item.stated_on else "undated"
    via = f" Read via {{cite:t}}`{item.read_via}`." if isinstance(item.read_via, str) and item.read_via else ""
    secondhand = item.get("secondhand")
    how = f", {SECONDHAND_LABELS[secondhand]}" if isinstance(secondhand, str) and secondhand else ""
    points = f", indicates {item.indicates}" if isinstance(item.indicates, str) and item.indicates else ""
    body += [
        f"**Where.** {item.locator} ({SOURCE_TYPE_LABELS[item.source_type]}, {stated}).{via}",
        "",
        f"**Blind tags.** The view of {perceiver_label(item, client)}{how}; bears on {item.bears_on}{points}.",
        "",
        f"**Analyst's note** (written with the episode in view; no coding reads it). {link_keys(item.note)}",
    ]
    text = "\n".join(body)
    fence = _fence(text)
    return (f"{fence}{{admonition}} Evidence {item.evidence_id}: {status or coding_status(item)}\n"
            f":class: dropdown evidence-note\n\n{text}\n{fence}\n")


def evidence_notes(evidence: pd.DataFrame, ids: Iterable[str]) -> Markdown:
    """The named evidence items, in the order given, as collapsed notes."""
    wanted = list(ids)
    indexed = evidence.set_index("evidence_id", drop=False)
    missing = [i for i in wanted if i not in indexed.index]
    if missing:
        raise KeyError(f"no evidence items {missing} in data/evidence.csv")
    return Markdown("\n".join(evidence_note(indexed.loc[i]) for i in wanted))


def dispute_note(row: pd.Series) -> str:
    """One disputed fact, with both positions and their sources."""
    return (
        f"({dispute_label(row.dispute_id)})=\n**{row.dispute_id}. {row.topic}**\n\n"
        f"- One position: {link_keys(row.position_a)} {_cite(row.sources_a)}\n"
        f"- The other: {link_keys(row.position_b)} {_cite(row.sources_b)}\n\n"
        f"*How the book handles it.* {link_keys(row.note)}\n"
    )


def dispute_notes(disputes: pd.DataFrame, episodes: pd.DataFrame) -> Markdown:
    """Every dispute, grouped under the episode it belongs to, in episode order."""
    titles = dict(zip(episodes.episode_id, episodes.title))
    parts = []
    for episode_id in episodes.episode_id:
        mine = disputes[disputes.episode_id == episode_id]
        if mine.empty:
            continue
        parts.append(f"*Episode:* **{titles[episode_id]}** (see {{ref}}`{episode_id}`)\n")
        parts += [dispute_note(r) for r in mine.itertuples()]
    return Markdown("\n".join(parts))


def signal_notes(signals: pd.DataFrame, forecasts: pd.DataFrame, ids: Iterable[str]) -> Markdown:
    """The named forecast signals, as collapsed notes: the same form as evidence notes,
    with the forecast's registration date standing for the decision date."""
    from patron.coding import REGISTERED_VERSION, ineligibility, rule_version

    registered = dict(zip(forecasts.forecast_id, forecasts.registered_on))
    clients = dict(zip(forecasts.forecast_id, forecasts.client))
    wanted = list(ids)
    indexed = signals.set_index("signal_id", drop=False)
    missing = [i for i in wanted if i not in indexed.index]
    if missing:
        raise KeyError(f"no signals {missing} in data/forecast_signals.csv")
    parts = []
    for i in wanted:
        item = indexed.loc[i]
        as_item = item.rename({"signal_id": "evidence_id", "forecast_id": "episode_id"})
        if item.bears_on in ("entrapment", "control"):
            reason = ineligibility(as_item.to_dict(), item.bears_on, registered[item.forecast_id], "day",
                                   version=rule_version(registered[item.forecast_id]))
            status = (f"{item.bears_on}, counts ({item.indicates})" if reason is None
                      else f"{item.bears_on}, context only: {reason.replace(' (', ', ').rstrip(')')}")
        else:
            status = item.bears_on
        note = evidence_note(as_item, status, clients[item.forecast_id])
        if rule_version(registered[item.forecast_id]) == REGISTERED_VERSION:
            note = note.replace("**Blind tags.**", "**Tags** (the analyst's, at registration).")
        parts.append(note.replace(f"{{admonition}} Evidence {i}:", f"{{admonition}} Signal {i}:", 1))
    return Markdown("\n".join(parts))

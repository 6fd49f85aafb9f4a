"""What a period chapter's first cell gives it: every glued value, from the data."""

from __future__ import annotations

import re

import pytest

from patron.chapter import episode_values
from patron.data import load_episodes, load_events
from patron.paths import BOOK_DIR

PERIODS = sorted(BOOK_DIR.glob("p[1-9]-*.md"))


def test_the_values_are_the_episode_rows() -> None:
    ctx = episode_values("p4-revision-1995-2001", events=["E039"])
    ep = load_episodes().set_index("episode_id").loc["p4-revision-1995-2001"]
    v = ctx.values
    predicted = ep.predicted_response if isinstance(ep.predicted_response, str) else "no prediction"
    assert (v["entrapment"], v["control"], v["observed"], v["predicted"]) == (
        ep.entrapment, ep.control, ep.observed_response, predicted)
    assert (v["start"], v["end"]) == (ep.start, ep.end)
    assert v["n_items"] == len(ctx.items) and set(ctx.items.episode_id) == {"p4-revision-1995-2001"}
    assert v["E039"] and "E040" not in v
    assert v["range_1979"] == "180 km"


def test_counts_read_as_prose() -> None:
    ctx = episode_values("p5-revision-2009-12")
    eligible = {i for d in ("entrapment", "control") for i in ctx.codings.loc[d, "eligible_ids"].split(";")}
    words = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}
    assert ctx.values["eligible_phrase"] == f"{words[len(eligible)]} eligible items"
    n_entrapment = len(ctx.codings.loc["entrapment", "eligible_ids"].split(";"))
    assert ctx.values["entrapment_eligible"] == f"{words[n_entrapment]} eligible item" + ("s" if n_entrapment > 1 else "")
    assert episode_values("p3-chun-1980-90").values["eligible_phrase"] == "no eligible item"


def test_unknown_ids_are_named() -> None:
    with pytest.raises(KeyError, match="episodes.csv has no episode 'p0-none'"):
        episode_values("p0-none")
    with pytest.raises(KeyError, match="events.csv has no event 'E999'"):
        episode_values("p1-nuclear-1970-76", events=["E999"])


@pytest.mark.parametrize("md", PERIODS, ids=[p.stem for p in PERIODS])
def test_a_period_chapter_opens_with_one_call(md) -> None:
    """The glue boilerplate lives in one helper: the first cell imports it and calls it."""
    text = md.read_text(encoding="utf-8")
    first = re.search(r"```\{code-cell\} ipython3\n(.*?)\n```", text, re.S).group(1)
    statements = [l for l in first.splitlines() if l.strip() and not l.startswith((":tags:", "from ", "import "))]
    if md.stem == "p9-after-2021":  # one chapter, three decisions: one context each, with a prefix
        opened = [s for s in statements if re.match(r'ctx_\w+ = episode_context\("p9-[a-z]+-\d{4}"', s)]
        assert len(opened) == 3, statements
    else:
        assert statements == [f'ctx = episode_context("{md.stem}"' + statements[0].split(f'"{md.stem}"', 1)[1]], statements
    named = re.findall(r"E\d{3}", first)
    known = set(load_events().event_id)
    assert set(named) <= known
    used = set(re.findall(r"\{glue:text\}`(?:[a-z]_)?(E\d{3})`", text))
    assert used <= set(named), f"events stated but not glued: {sorted(used - set(named))}"


def test_reading_time_counts_prose_only() -> None:
    from patron.reading import minutes, prose_words

    md = "---\nkernelspec: x\n---\n(label)=\n# Title here\n\n```{code-cell} ipython3\nprint('not counted')\n```\n" \
         "Five words of {glue:text}`g_n` prose.\n"
    assert prose_words(md) == 7  # "Title here" and "Five words of n prose", n standing for the glued value
    assert minutes(0) == 1 and minutes(460) == 2

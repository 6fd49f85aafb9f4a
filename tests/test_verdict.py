"""One verdict, stated the same way everywhere, with its numbers from the data."""

from __future__ import annotations

import re

import nbformat
import pytest

from patron.paths import BOOK_DIR, ROOT
from patron.verdict import Verdict, book_verdict, words

# The verdict stands only where a reader weighs the whole: at most five chapters.
PAGES = ["intro", "measurement", "weighing", "beyond-korea", "conclusion"]


def stated_verdicts(name: str) -> list[str]:
    """The verdict boxes in a chapter's stored outputs."""
    nb = nbformat.read(BOOK_DIR / f"{name}.ipynb", as_version=4)
    found = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            text = output.get("data", {}).get("text/markdown", "")
            if "{admonition} The verdict" in text:
                found.append(text.split("\n\n", 1)[1].rsplit("\n```", 1)[0].strip())
    return found


@pytest.mark.parametrize("name", PAGES)
def test_every_page_states_the_one_verdict(name: str) -> None:
    assert stated_verdicts(name) == [book_verdict().text()], f"{name}: run `make notebooks`"


def test_no_other_page_states_it() -> None:
    others = sorted(p.stem for p in BOOK_DIR.glob("*.md") if p.stem not in PAGES)
    assert [name for name in others if stated_verdicts(name)] == []


def test_the_readme_states_the_same_verdict() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quoted = " ".join(line[2:] for line in readme.splitlines() if line.startswith("> "))
    assert re.sub(r"\s+", " ", quoted) == book_verdict().text()


def test_the_verdict_follows_its_numbers() -> None:
    """The wording changes with the numbers; it is never typed."""
    v = Verdict(n=30, n_korea=9, both=20, both_korea=5, one=4, typology_hits=14, modal_hits=9, loo_hits=8,
                best_rivals=("the nonproliferation regime rival",), best_rival_hits=12, hits_min=14, hits_max=20,
                modal_hits_all=17, brier_typology=0.5, brier_rate=0.6, default_low_hits=11)
    text = v.text()
    assert "on the record in 20 of the 30 episodes (five of the nine in Korea)" in text
    assert "the typology does better than a naive baseline where it can be tested" in text
    assert "the missing record, not the typology, decides" in text and "mostly untested" not in text
    few = Verdict(n=30, n_korea=9, both=1, both_korea=0, one=20, typology_hits=0, modal_hits=1, loo_hits=1,
                  best_rivals=("the a rival", "the b rival"), best_rival_hits=1, hits_min=0, hits_max=25,
                  modal_hits_all=17, brier_typology=0.7, brier_rate=0.6, default_low_hits=11)
    text = few.text()
    assert "in one of the 30 episodes" in text and "On that episode it is right in none" in text
    assert "worse than a naive baseline" in text and "mostly untested, not refuted" in text
    assert "the best rivals, the a rival and the b rival, in one" in text
    assert words(12) == "12"

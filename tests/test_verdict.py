"""One verdict, stated the same way everywhere, with its numbers from the data."""

from __future__ import annotations

import re

import nbformat
import pytest

from patron.paths import BOOK_DIR, ROOT
from patron.verdict import Verdict, book_verdict, words

PAGES = ["intro", "theory", "case", "weighing", "beyond-korea", "conclusion"] + sorted(p.stem for p in BOOK_DIR.glob("p[0-9]-*.md"))


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


def test_the_readme_states_the_same_verdict() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quoted = " ".join(line[2:] for line in readme.splitlines() if line.startswith("> "))
    assert re.sub(r"\s+", " ", quoted) == book_verdict().text()


def test_the_verdict_follows_its_numbers() -> None:
    """The wording changes with the numbers; it is never typed."""
    v = Verdict(n=9, typology_hits=7, modal_response="negotiation", modal_hits=6,
                best_rivals=("the nonproliferation regime",), best_rival_hits=6, discriminating=2,
                undetermined=1, judged_hits=6, response_leads=4, response_leader="the typology",
                response_leader_leads=4, case_leader="the nonproliferation regime rival")
    text = v.text()
    assert text.startswith("Tested blind to the outcome, the typology beats a naive baseline")
    assert "predicts seven of the nine" in text and "In two of nine episodes" in text
    assert "The main reason is the record" not in text and "supports the typology" in text
    assert "while the nonproliferation regime rival leads in the case as a whole" in text
    assert words(12) == "12"

"""What particular pages of the built site say."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.site


def test_the_colophon_names_the_commit_the_site_was_built_from(site) -> None:
    text = BeautifulSoup((site.html / "book" / "colophon.html").read_text(encoding="utf-8"), "html.parser").get_text(" ")
    text = " ".join(text.split())
    assert "{{" not in text and "build_commit" not in text, "the substitution was not applied"
    assert re.search(r"built from commit (?:[0-9a-f]{12}(?: \+ local changes)?|unknown \(not a git checkout\)) of", text)

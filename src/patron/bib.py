"""The citation keys of ``references.bib``.

Data files cite sources by BibTeX key, and the book cites them with
``{cite:p}``. Both must point at an entry that exists, so both are checked
against the keys read here.
"""

from __future__ import annotations

import re
from pathlib import Path

from patron.paths import BIBLIOGRAPHY

# An entry opens with @type{key, ; @comment, @string and @preamble are not entries.
_ENTRY = re.compile(r"^\s*@(?P<type>\w+)\s*\{\s*(?P<key>[^,\s]+)\s*,", re.MULTILINE)
_NOT_ENTRIES = {"comment", "string", "preamble"}


def bib_keys(path: Path = BIBLIOGRAPHY) -> list[str]:
    """Return the entry keys of a BibTeX file, in file order.

    Duplicated keys are returned twice, so a caller can report them.
    """
    text = path.read_text(encoding="utf-8")
    return [
        m.group("key")
        for m in _ENTRY.finditer(text)
        if m.group("type").lower() not in _NOT_ENTRIES
    ]

"""Tables as the book shows them.

pandas' Styler gives every table a random element id, and its plain-text form
is a memory address, so a re-executed notebook would never match its stored
output. :func:`table` returns a small object whose HTML has ids fixed from the
table's name (and no index column, which means nothing to a reader), and whose
plain text is the table itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


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
    """A reproducible table: stable ids, no index column."""
    return Table(frame, name)

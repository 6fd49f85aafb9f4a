"""Author-year labels that point to one work each: "Kim, 2021a" and "Kim, 2021b".

sphinxcontrib-bibtex's ``author_year`` style writes "Kim, 2021" for every work
whose label reads that way, so a reader cannot tell Bong-su Kim's 2021 article
from Brian Kim's, and the bibliography numbers its entries [1], [2], ... which no
citation in the text shows. This Sphinx extension does what an author-year
manual prescribes instead:

- works that would share a label get a letter after the year (a, b, c, ...,
  then aa, ab, ...), in the order of their titles; a work with no year reads
  "n.d.-a", "n.d.-b";
- citations in the text (``author_year_suffixed``) and the bibliography's
  labels (the ``patron`` formatting style, ``patron_author_year`` labels) use
  the same letters, so the label in the text is the label in the list.

The letters are computed once from the whole of ``references.bib``, not from
the works a page happens to cite, so a work's label is the same on every page.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pybtex.database
import pybtex.plugin
from pybtex.richtext import Text
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.template import node
from sphinxcontrib.bibtex.plugin import register_plugin
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle
from sphinxcontrib.bibtex.style.referencing.basic_author_year import (
    BasicAuthorYearParentheticalReferenceStyle,
    BasicAuthorYearTextualReferenceStyle,
)
from sphinxcontrib.bibtex.style.referencing.extra_year import ExtraYearReferenceStyle
from sphinxcontrib.bibtex.style.template import join, join2, post_text, pre_text, reference

REFERENCE_STYLE = "author_year_suffixed"
FORMATTING_STYLE = "patron"
LABEL_STYLE = "patron_author_year"
NO_YEAR = "n.d."


def letters(n: int) -> str:
    """The n-th suffix, counting from 0: a ... z, then aa, ab, ..."""
    out = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        out = chr(ord("a") + rest) + out
    return out


def author_text(entry: pybtex.database.Entry) -> str:
    """The author part of an entry's label, exactly as the author-year style writes it."""
    style = AuthorYearReferenceStyle()
    return style.person.author_or_editor_or_title(full=False).format_data(
        {"entry": entry, "style": style}).render_as("text")


def year_of(entry: pybtex.database.Entry) -> str:
    return entry.fields.get("year", NO_YEAR)


def _plain(title: str) -> str:
    """A title as it sorts: braces (BibTeX's case protection) dropped, case folded."""
    return title.replace("{", "").replace("}", "").casefold()


def suffixes(entries: dict[str, pybtex.database.Entry]) -> dict[str, str]:
    """Each entry's suffix: empty where its author-year label is unique, else a letter by title order."""
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for key, entry in entries.items():
        groups[(author_text(entry), year_of(entry))].append(key)
    out = {key: "" for key in entries}
    for (_, year), keys in groups.items():
        if len(keys) < 2:
            continue
        ordered = sorted(keys, key=lambda k: (_plain(entries[k].fields.get("title", "")), k))
        for i, key in enumerate(ordered):
            out[key] = ("-" if year == NO_YEAR else "") + letters(i)
    return out


@lru_cache(maxsize=4)
def suffixes_for(bibfile: str) -> dict[str, str]:
    """The suffixes of every entry of one bibliography file (cached: parsed once per build)."""
    return suffixes(dict(pybtex.database.parse_file(bibfile).entries))


_BIBFILES: list[str] = []


def suffix_of(key: str) -> str:
    """An entry's suffix, read from the bibliography files the build uses."""
    for bibfile in _BIBFILES:
        table = suffixes_for(bibfile)
        if key in table:
            return table[key]
    return ""


def label_of(entry: pybtex.database.Entry) -> str:
    """The full label, as text and bibliography show it: "Kim, 2021a"."""
    return f"{author_text(entry)}, {year_of(entry)}{suffix_of(entry.key)}"


@node
def suffixed_year(children: list, data: dict[str, Any]) -> Text:
    """The year and its letter, where the label would otherwise stand for two works."""
    assert not children
    entry = data["entry"]
    return Text(year_of(entry) + suffix_of(entry.key))


@dataclass
class _Parenthetical(BasicAuthorYearParentheticalReferenceStyle):
    def inner(self, role_name: str):
        return join2(sep1=self.pre_text_sep, sep2=self.post_text_sep)[
            pre_text,
            reference[join(sep=self.author_year_sep)[
                self.person.author_or_editor_or_title(full="s" in role_name), suffixed_year]],
            post_text,
        ]


@dataclass
class _Textual(BasicAuthorYearTextualReferenceStyle):
    def inner(self, role_name: str):
        return join(sep=self.text_reference_sep)[
            self.person.author_or_editor_or_title(full="s" in role_name),
            join[self.bracket.left,
                 join2(sep1=self.pre_text_sep, sep2=self.post_text_sep)[pre_text, reference[suffixed_year], post_text],
                 self.bracket.right],
        ]


@dataclass
class _YearOnly(ExtraYearReferenceStyle):
    def inner(self, role_name: str):
        return reference[suffixed_year]


@dataclass
class SuffixedAuthorYearReferenceStyle(AuthorYearReferenceStyle):
    """The author-year style with the year (and year-only citations) carrying the letter."""

    def __post_init__(self) -> None:
        super().__post_init__()
        swap = {BasicAuthorYearParentheticalReferenceStyle: _Parenthetical,
                BasicAuthorYearTextualReferenceStyle: _Textual, ExtraYearReferenceStyle: _YearOnly}
        for i, style in enumerate(self.styles):
            replacement = swap.get(type(style))
            if replacement is not None:
                self.styles[i] = replacement(**{f: getattr(style, f) for f in style.__dataclass_fields__})
        self.role_style.clear()  # the group maps each role to a style when it is made: map it again
        self.role_style.update((role, style) for style in self.styles for role in style.role_names())


class AuthorYearLabelStyle(BaseLabelStyle):
    """Bibliography labels that match the citations: "Kim, 2021a" instead of a number."""

    def format_labels(self, sorted_entries):
        for entry in sorted_entries:
            yield label_of(entry)


class BookStyle(PlainStyle):
    """pybtex's plain style, labelled by author and year."""

    default_label_style = LABEL_STYLE


def register() -> None:
    """Make the three styles findable by name (idempotent)."""
    register_plugin("sphinxcontrib.bibtex.style.referencing", REFERENCE_STYLE, SuffixedAuthorYearReferenceStyle,
                    force=True)
    pybtex.plugin.register_plugin("pybtex.style.labels", LABEL_STYLE, AuthorYearLabelStyle, force=True)
    pybtex.plugin.register_plugin("pybtex.style.formatting", FORMATTING_STYLE, BookStyle, force=True)


def _remember_bibfiles(app: Any) -> None:
    root = Path(app.srcdir)
    _BIBFILES[:] = [str((root / name).resolve()) for name in app.config.bibtex_bibfiles]


def setup(app: Any) -> dict[str, Any]:
    register()
    app.connect("builder-inited", _remember_bibfiles)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

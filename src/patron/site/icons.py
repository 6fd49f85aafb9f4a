"""Subset the Font Awesome fonts to the icons the site draws, and read CSS enough to know which.

The theme ships three Font Awesome 6 fonts (solid 156 kB, brands 118 kB,
regular 25 kB as WOFF2) for the fifteen or so icons this book shows. A reader's
browser fetches every face a page draws with, whole, so the solid font alone
was a third of a text page. :func:`subset_fontawesome` rewrites each font file
in place (WOFF2 and its TrueType fallback; the stylesheet keeps pointing at
them) with only the glyphs that some page can draw:

1. the icons named by ``fa-*`` classes anywhere in the built pages or in the
   scripts the site ships (the theme's scripts add icons such as ``fa-xmark``
   at run time), mapped to code points through Font Awesome's own CSS rules
   (``.fa-bars:before{content:"\\f0c9"}``);
2. every code point that any *other* stylesheet rule places with ``content:``,
   following ``var(--…)`` through the custom properties that define it. This
   is how pydata-sphinx-theme draws the admonition, dropdown, external-link
   and download icons (``--pst-icon-admonition-note`` and so on), and
   sphinx-book-theme the "on this page" chevron.

Each font keeps those of these code points that it has, plus ``.notdef``
(the regular and brands faces keep the few they share with the solid one;
a browser fetches a face only if a page draws with it). The fonts' naming
records, which carry the SIL Open Font License notice, are kept whole.
Subsetting is deterministic: fontTools keeps the original timestamps and the
code points are given in sorted order, so two builds give identical files.

The CSS reading here (:func:`css_blocks`, :func:`style_rules`,
:func:`declarations`) is the little that these two jobs and the stylesheet
trim in :mod:`patron.site.trim` need: rules, selectors, declarations, strings
and escapes of a minified stylesheet. It is not a general CSS parser.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

FONT_AWESOME = "Font Awesome"
# Grouping at-rules whose body holds ordinary rules.
GROUPING_AT_RULES = ("@media", "@supports", "@layer", "@container", "@document")
ICON_SELECTOR = re.compile(r"^\.(fa-[\w-]+)::?(?:before|after)$")
CSS_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"|\'((?:[^\'\\]|\\.)*)\'', re.DOTALL)
CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})\s?|(.))", re.DOTALL)
VAR_REFERENCE = re.compile(r"var\(\s*(--[\w-]+)")
URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")
NAME_TOKEN = re.compile(r"[A-Za-z_][\w-]*")


# --- Reading CSS -------------------------------------------------------------


@dataclass
class Block:
    """One top-level piece of a stylesheet, with the exact text it came from.

    ``prelude`` is a selector list or an at-rule's head, with any comments
    before it; ``body`` is the text between the braces, or None for a
    statement such as ``@import …;``. ``text`` is the piece verbatim.
    """

    prelude: str
    body: str | None
    text: str


def _skip_string_or_comment(text: str, i: int) -> int:
    """If a string or comment starts at ``i``, return the index just past it; else ``i``."""
    if text[i] in "\"'":
        quote, j = text[i], i + 1
        while j < len(text) and text[j] != quote:
            j += 2 if text[j] == "\\" else 1
        return j + 1
    if text.startswith("/*", i):
        end = text.find("*/", i + 2)
        return len(text) if end < 0 else end + 2
    return i


def css_blocks(text: str) -> tuple[list[Block], str]:
    """Split a stylesheet into its top-level blocks, and the text after the last one."""
    blocks: list[Block] = []
    depth, start, open_at, i = 0, 0, 0, 0
    while i < len(text):
        skipped = _skip_string_or_comment(text, i)
        if skipped != i:
            i = skipped
            continue
        char = text[i]
        if char == "{":
            if depth == 0:
                open_at = i
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                blocks.append(Block(text[start:open_at], text[open_at + 1:i], text[start:i + 1]))
                start = i + 1
        elif char == ";" and depth == 0:
            blocks.append(Block(text[start:i], None, text[start:i + 1]))
            start = i + 1
        i += 1
    return blocks, text[start:]


def strip_comments(text: str) -> str:
    return re.sub(r"/\*.*?\*/", "", text, flags=re.DOTALL)


def split_top_level(text: str, separator: str) -> list[str]:
    """Split on ``separator`` outside strings, comments, parentheses and brackets."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(text):
        skipped = _skip_string_or_comment(text, i)
        if skipped != i:
            i = skipped
            continue
        if text[i] in "([":
            depth += 1
        elif text[i] in ")]":
            depth -= 1
        elif text[i] == separator and depth == 0:
            parts.append(text[start:i])
            start = i + 1
        i += 1
    parts.append(text[start:])
    return parts


def style_rules(text: str) -> Iterator[tuple[str, str]]:
    """Every ordinary rule, as (selector list, declarations), also inside @media and the like."""
    blocks, _ = css_blocks(text)
    for block in blocks:
        head = strip_comments(block.prelude).strip()
        if block.body is None:
            continue
        if head.startswith(GROUPING_AT_RULES):
            yield from style_rules(block.body)
        elif not head.startswith("@"):
            yield head, block.body


def declarations(body: str) -> list[tuple[str, str]]:
    """The (property, value) pairs of a rule body."""
    pairs = []
    for part in split_top_level(strip_comments(body), ";"):
        name, colon, value = part.partition(":")
        name = name.strip()
        if colon:
            pairs.append((name if name.startswith("--") else name.lower(), value.strip()))
    return pairs


def font_faces(text: str) -> Iterator[dict[str, str]]:
    """The descriptors of each @font-face rule, lower-case names."""
    blocks, _ = css_blocks(text)
    for block in blocks:
        head = strip_comments(block.prelude).strip().lower()
        if block.body is not None and head.startswith(GROUPING_AT_RULES):
            yield from font_faces(block.body)
        elif block.body is not None and head == "@font-face":
            yield dict(declarations(block.body))


def unescape(css_string: str) -> str:
    """A CSS string's characters, with ``\\f0c9``-style escapes decoded."""
    def decode(match: re.Match[str]) -> str:
        if match.group(1):
            code = int(match.group(1), 16)
            return chr(code) if 0 < code <= 0x10FFFF else "\ufffd"
        return "" if match.group(2) == "\n" else match.group(2)

    return CSS_ESCAPE.sub(decode, css_string)


def string_codepoints(value: str) -> set[int]:
    """Code points of the CSS strings in a declaration value (not whitespace)."""
    points: set[int] = set()
    for match in CSS_STRING.finditer(value):
        text = unescape(match.group(1) if match.group(1) is not None else match.group(2))
        points |= {ord(c) for c in text if not c.isspace()}
    return points


# --- Which icons the site uses ------------------------------------------------------


def stylesheets(outdir: Path) -> list[Path]:
    """The site's stylesheets, in a fixed order."""
    return sorted((outdir / "_static").rglob("*.css"))


def icon_classes(rules: Iterable[tuple[str, str]]) -> dict[str, set[int]]:
    """Font Awesome's class → code points map, from its ``.fa-NAME:before{content:…}`` rules."""
    icons: dict[str, set[int]] = {}
    for selectors, body in rules:
        names = [ICON_SELECTOR.match(s.strip()) for s in split_top_level(selectors, ",")]
        if not names or not all(names):
            continue
        points = set().union(*(string_codepoints(v) for p, v in declarations(body) if p == "content"))
        for name in names:
            icons.setdefault(name.group(1), set()).update(points)
    return icons


def custom_properties(rules: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """Every value given to each custom property (``--name``), anywhere."""
    values: dict[str, list[str]] = {}
    for _, body in rules:
        for name, value in declarations(body):
            if name.startswith("--"):
                values.setdefault(name, []).append(value)
    return values


def resolve(value: str, variables: dict[str, list[str]], seen: frozenset[str] = frozenset()) -> set[int]:
    """Code points a value can produce, following ``var(--…)`` through every definition."""
    points = string_codepoints(VAR_REFERENCE.sub("", value))
    for name in VAR_REFERENCE.findall(value):
        if name not in seen:
            for definition in variables.get(name, []):
                points |= resolve(definition, variables, seen | {name})
    return points


def css_placed_codepoints(rules: list[tuple[str, str]], variables: dict[str, list[str]]) -> set[int]:
    """Code points placed with ``content:`` by rules other than Font Awesome's icon classes."""
    points: set[int] = set()
    for selectors, body in rules:
        if all(ICON_SELECTOR.match(s.strip()) for s in split_top_level(selectors, ",")):
            continue
        for name, value in declarations(body):
            if name == "content":
                points |= resolve(value, variables)
    return points


def corpus_tokens(outdir: Path) -> set[str]:
    """Every name-like token in the built pages, the theme's HTML templates and all scripts.

    A class that occurs nowhere here cannot be on any element: pages are
    static, and a script can only add a class whose name it contains.
    """
    tokens: set[str] = set()
    for path in sorted([*outdir.rglob("*.html"), *outdir.rglob("*.js")]):
        tokens.update(NAME_TOKEN.findall(path.read_text(encoding="utf-8", errors="replace")))
    return tokens


def used_codepoints(outdir: Path, tokens: set[str]) -> set[int]:
    """The code points any page can draw with an icon font (see the module docstring)."""
    rules = [rule for css in stylesheets(outdir) for rule in style_rules(css.read_text(encoding="utf-8"))]
    icons = icon_classes(rules)
    points = set().union(*(icons[name] for name in sorted(icons) if name in tokens))
    return points | css_placed_codepoints(rules, custom_properties(rules))


# --- Subsetting ------------------------------------------------------------------------


def fontawesome_files(outdir: Path) -> list[Path]:
    """The font files that Font Awesome's @font-face rules point at."""
    files: set[Path] = set()
    for css in stylesheets(outdir):
        for face in font_faces(css.read_text(encoding="utf-8")):
            if FONT_AWESOME in face.get("font-family", "").replace("\\", ""):
                for url in URL.findall(face.get("src", "")):
                    target = (css.parent / url.split("?")[0].split("#")[0]).resolve()
                    if target.is_file():
                        files.add(target)
    return sorted(files)


def subset_font(path: Path, codepoints: set[int]) -> None:
    """Rewrite the font at ``path`` with only the glyphs of ``codepoints`` that it has."""
    options = subset.Options()
    options.flavor = "woff2" if path.suffix == ".woff2" else None
    options.name_IDs = ["*"]  # keep the copyright and licence records
    options.name_languages = ["*"]
    options.recalc_timestamp = False
    font = subset.load_font(str(path), options)
    keep = sorted(codepoints & set(font.getBestCmap() or {}))
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=keep)
    subsetter.subset(font)
    subset.save_font(font, str(path), options)
    font.close()


def font_codepoints(path: Path) -> set[int]:
    """The code points a font file maps (for reports and tests)."""
    with TTFont(str(path)) as font:
        return set(font.getBestCmap() or {})


def subset_fontawesome(outdir: Path, tokens: set[str]) -> None:
    """Subset every Font Awesome font of the site to the code points it can draw."""
    points = used_codepoints(outdir, tokens)
    for path in fontawesome_files(outdir):
        subset_font(path, points)

"""Remove from the built site what readers never load, after the build.

A stock Jupyter Book 1 site carries weight that no reader of this book needs:

- ``fontawesome.js`` (about 1.5 MB) on every page. The theme's stylesheet
  already contains Font Awesome's web-font rules and ships the fonts, so the
  icons draw without the script; we drop the script tag and the file.
- Source maps (``*.map``, about 3.5 MB), which only a developer's browser tools
  fetch.
- sphinx-design's stylesheet and tab script on pages that use no sphinx-design
  component, and sphinx-thebe's script and stylesheet on every page: live
  code (thebe) is switched off in ``_config.yml``, so nothing calls them.
  Their inline configuration goes too: Jupyter Book 1 writes it twice, which
  is a JavaScript error (``THEBE_JS_URL`` declared twice) on every page.
- The search index and search tools on every page but the search page. The
  theme loads them everywhere only for search-as-you-type, which is off here
  (its script returns before using them); the search page keeps them.
- sphinx-copybutton's script, stylesheet and clipboard library (7 kB gzip)
  on pages with no ``<pre>``: it adds buttons only to code blocks.
- Font Awesome's glyphs that no page draws (:mod:`patron.site.icons`): the
  fonts are subset in place, 299 kB of WOFF2 down to about 6 kB; the solid
  face, which every page fetches, from 156 kB to 3 kB.
- Rules of the theme's stylesheet (``pydata-sphinx-theme.css``, 397 kB, which
  bundles all of Bootstrap 5 and one rule for each of Font Awesome's 2,000
  icons) that can match no element of this site: a selector that requires a
  class found in no page, no theme template and no script cannot match,
  since a script can only add a class whose name it contains. Classes that
  scripts build from a prefix (Bootstrap's ``bs-${name}-auto``) are kept by
  that prefix. Licence comments stay. 65 kB gzip down to about 19 kB on every
  page. The browser test checks that every element of several pages, in light
  and dark mode, has the same computed style with the whole stylesheet.

The site test checks that every local file a page refers to still exists, and
the browser test that every chart still draws, that no page raises a
JavaScript error, that every icon's code point is in the font the page loaded,
and that the trimmed stylesheet styles pages as the whole one did, so a trim
that broke a page would fail ``make test``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from patron.site import icons

FONTAWESOME_TAG = re.compile(r'\s*<script[^>]*src="[^"]*_static/scripts/fontawesome\.js[^"]*"[^>]*></script>')
DESIGN_TAGS = re.compile(
    r'\s*<(?:link[^>]*href="[^"]*_static/sphinx-design\.min\.css[^"]*"[^>]*/?>'
    r'|script[^>]*src="[^"]*_static/design-tabs\.js[^"]*"[^>]*></script>)')
USES_DESIGN = re.compile(r'class="[^"]*\bsd-')
THEBE_TAGS = re.compile(
    r'\s*<(?:link[^>]*href="[^"]*_static/sphinx-thebe\.css[^"]*"[^>]*/?>'
    r'|script[^>]*src="[^"]*_static/sphinx-thebe\.js[^"]*"[^>]*></script>'
    r'|script>const THEBE_JS_URL[^<]*</script>'
    r'|script type="text/x-thebe-config">.*?</script>)', re.DOTALL)
SEARCH_TAGS = re.compile(
    r'\s*<script[^>]*src="[^"]*(?:_static/searchtools\.js|_static/language_data\.js|searchindex\.js)[^"]*"[^>]*></script>')
COPYBUTTON_TAGS = re.compile(
    r'\s*<(?:link[^>]*href="[^"]*_static/copybutton\.css[^"]*"[^>]*/?>'
    r'|script[^>]*src="[^"]*_static/(?:copybutton|clipboard\.min)\.js[^"]*"[^>]*></script>)')
PURGED_STYLESHEETS = ("styles/pydata-sphinx-theme.css",)
# A name a script builds at run time: "mark-"+type, `bs-${name}-auto`.
BUILT_CLASS_PREFIX = re.compile(r"([A-Za-z_][\w-]*[-_])(?:\$\{|[\"'`]\s*\+)")
SELECTOR_CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")


def _trim_page(text: str, is_search_page: bool = False, search_as_you_type: bool = False) -> str:
    """Remove the script and style tags this page never needs."""
    text = FONTAWESOME_TAG.sub("", text)
    if not is_search_page and not search_as_you_type:
        text = SEARCH_TAGS.sub("", text)
    text = THEBE_TAGS.sub("", text)
    if not USES_DESIGN.search(text):
        text = DESIGN_TAGS.sub("", text)
    if "<pre" not in text:
        text = COPYBUTTON_TAGS.sub("", text)
    return text


def _trim_pages(outdir: Path, search_as_you_type: bool) -> None:
    for page in outdir.rglob("*.html"):
        if "_static" in page.relative_to(outdir).parts:
            continue  # theme template fragments, not pages
        text = page.read_text(encoding="utf-8")
        trimmed = _trim_page(text, page.relative_to(outdir).as_posix() == "search.html", search_as_you_type)
        if trimmed != text:
            page.write_text(trimmed, encoding="utf-8")


def _drop_fontawesome(outdir: Path) -> None:
    for name in ("fontawesome.js", "fontawesome.js.map"):
        (outdir / "_static" / "scripts" / name).unlink(missing_ok=True)


def _drop_source_maps(outdir: Path) -> None:
    for path in (outdir / "_static").rglob("*.map"):
        path.unlink()


def _built_class_prefixes(outdir: Path) -> tuple[str, ...]:
    """Prefixes from which the site's scripts build class names at run time."""
    prefixes: set[str] = set()
    for path in sorted([*outdir.rglob("*.js"), *outdir.rglob("*.html")]):
        prefixes.update(BUILT_CLASS_PREFIX.findall(path.read_text(encoding="utf-8", errors="replace")))
    return tuple(sorted(prefixes))


def _required_classes(selector: str) -> list[str] | None:
    """Classes an element must have for ``selector`` to match it; None if unsure.

    Classes inside parentheses (``:not(.x)``, ``:is(.a, .b)``), strings and
    attribute tests are not required; a selector with escapes is never judged.
    """
    if "\\" in selector:
        return None
    plain, depth = [], 0
    for char in re.sub(r'"[^"]*"|\'[^\']*\'', "", selector):
        depth += char in "(["
        if depth == 0:
            plain.append(char)
        depth -= char in ")]"
    return SELECTOR_CLASS.findall("".join(plain))


def _can_match(selector: str, tokens: set[str], prefixes: tuple[str, ...]) -> bool:
    required = _required_classes(selector)
    return required is None or all(name in tokens or name.startswith(prefixes) for name in required)


def _comments(text: str) -> str:
    return "".join(re.findall(r"/\*.*?\*/", text, flags=re.DOTALL))


def _purge_rules(css: str, tokens: set[str], prefixes: tuple[str, ...]) -> str:
    """``css`` without the selectors that can match nothing, and without rules left empty."""
    blocks, tail = icons.css_blocks(css)
    kept: list[str] = []
    for block in blocks:
        head = icons.strip_comments(block.prelude).strip()
        if block.body is None or (head.startswith("@") and not head.startswith(icons.GROUPING_AT_RULES)):
            kept.append(block.text)  # @font-face, @keyframes, @import…: kept whole
        elif head.startswith("@"):
            inner = _purge_rules(block.body, tokens, prefixes)
            has_rules = icons.strip_comments(inner).strip()
            kept.append(f"{block.prelude}{{{inner}}}" if has_rules else _comments(block.prelude))
        else:
            selectors = icons.split_top_level(head, ",")
            matching = [s for s in selectors if _can_match(s, tokens, prefixes)]
            if len(matching) == len(selectors):
                kept.append(block.text)
            elif matching:
                kept.append(_comments(block.prelude) + ",".join(s.strip() for s in matching) + "{" + block.body + "}")
            else:
                kept.append(_comments(block.prelude))
    return "".join(kept) + tail


def _purge_stylesheets(outdir: Path, tokens: set[str]) -> None:
    prefixes = _built_class_prefixes(outdir)
    for name in PURGED_STYLESHEETS:
        path = outdir / "_static" / name
        if path.is_file():
            path.write_text(_purge_rules(path.read_text(encoding="utf-8"), tokens, prefixes), encoding="utf-8")


def trim(app: Any, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    options = app.config.html_theme_options or {}
    _trim_pages(outdir, bool(options.get("search_as_you_type", False)))
    _drop_fontawesome(outdir)
    _drop_source_maps(outdir)
    tokens = icons.corpus_tokens(outdir)
    icons.subset_fontawesome(outdir, tokens)  # reads Font Awesome's rules, so before the purge
    _purge_stylesheets(outdir, tokens)


def setup(app: Any) -> dict[str, Any]:
    # After every other extension has written its files (default priority 500).
    app.connect("build-finished", trim, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}

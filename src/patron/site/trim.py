"""Remove from the built site what readers never load, after the build.

A stock Jupyter Book 1 site carries weight that no reader of this book needs:

- ``fontawesome.js`` (about 1.5 MB) on every page. The theme's stylesheet
  already contains Font Awesome's web-font rules and ships the fonts, so the
  icons draw without the script; we drop the script tag and the file.
- Source maps (``*.map``, about 3.5 MB), which only a developer's browser tools
  fetch.
- MathJax (24 MB as ``sphinx-mathjax-offline`` copies it). Pages load only
  ``tex-chtml.js``, which fetches its fonts and, on a reader's request from the
  math menu, the accessibility and speech components. We keep exactly those and
  delete the other builds (SVG output, MathML input, combined bundles).

- sphinx-design's stylesheet and tab script on pages that use no sphinx-design
  component, and sphinx-thebe's script and stylesheet on every page: live
  code (thebe) is switched off in ``_config.yml``, so nothing calls them.
  Their inline configuration goes too: Jupyter Book 1 writes it twice, which
  is a JavaScript error (``THEBE_JS_URL`` declared twice) on every page.
- The search index and search tools on every page but the search page. The
  theme loads them everywhere only for search-as-you-type, which is off here
  (its script returns before using them); the search page keeps them.

The site test checks that every local file a page refers to still exists, and
the browser test that every chart still draws and that no page raises a
JavaScript error, so a trim that broke a page would fail ``make test``.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

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
MATHJAX_KEEP = {
    "tex-chtml.js",  # what mathjax_path points at
    "input/tex",  # TeX extensions that tex-chtml autoloads
    "output/chtml",  # the CHTML fonts
    "a11y", "sre", "ui", "adaptors",  # menu, accessibility and speech, loaded on request
}


def _trim_page(text: str, is_search_page: bool = False, search_as_you_type: bool = False) -> str:
    """Remove the script and style tags this page never needs."""
    text = FONTAWESOME_TAG.sub("", text)
    if not is_search_page and not search_as_you_type:
        text = SEARCH_TAGS.sub("", text)
    text = THEBE_TAGS.sub("", text)
    if not USES_DESIGN.search(text):
        text = DESIGN_TAGS.sub("", text)
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


def _kept(relative: str) -> bool:
    return any(relative == keep or relative.startswith(keep + "/") or keep.startswith(relative + "/")
               for keep in MATHJAX_KEEP)


def _trim_mathjax(outdir: Path) -> None:
    root = outdir / "_static" / "mathjax"
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        relative = path.relative_to(root).as_posix()
        if _kept(relative):
            continue
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def trim(app: Any, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    options = app.config.html_theme_options or {}
    _trim_pages(outdir, bool(options.get("search_as_you_type", False)))
    _drop_fontawesome(outdir)
    _drop_source_maps(outdir)
    _trim_mathjax(outdir)


def setup(app: Any) -> dict[str, Any]:
    # After sphinx-mathjax-offline copies MathJax (default priority 500).
    app.connect("build-finished", trim, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}

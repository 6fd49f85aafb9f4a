"""``make pdf``: the whole book as one PDF, printed by the Debian Chromium.

No typesetting tool is added: the PDF is the site itself, printed. The steps,
each a function below:

1. :func:`build_single_page` runs Jupyter Book's ``singlehtml`` builder with
   the strict flags of ``make book``, so every chapter lands in one page, in
   ``_toc.yml`` order, in a work folder beside the PDF.
2. :func:`find_chapters` reads each chapter's title from its first heading in
   that page, so the table of contents says exactly what the chapters say.
3. :func:`prepare_for_print` adds a title page (title and author from
   ``_config.yml``, the commit and the commit's date), a table of contents and
   print CSS (no sidebars, navbar or buttons; font stacks that fall back to
   Noto CJK KR for the Korean in quotations and titles), and writes the page
   as ``print.html`` at the top of the build, where its links to ``_static/``
   resolve.
4. :func:`print_to_pdf` opens ``print.html`` in Chromium through Playwright,
   refusing any request to another host; waits until every chart has drawn
   and the math and fonts are ready; opens every collapsed note; and prints
   A4, backgrounds included, with "page N of M" in the footer.

The title page is dated by the commit, not by the clock, so the same commit
always prints the same title page. :func:`build_pdf` runs the four steps;
``make pdf`` and ``tests/test_pdf.py`` both call it, with different outputs.
"""

from __future__ import annotations

import argparse
import datetime
import html
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from bs4 import BeautifulSoup, Tag

from patron.paths import PDF_NAME, ROOT
from patron.site.buildinfo import current_commit

DEFAULT_OUTPUT = ROOT / "_build" / "pdf" / PDF_NAME
CHROMIUM = Path("/usr/bin/chromium")  # Debian's: nothing here may download a browser
BIN = Path(sys.executable).parent
CHART_SELECTOR = "div.patron-vega"  # the chart containers of patron.site.vega
PRINT_PAGE = "print.html"

# Korean appears in quotations from the evidence and in bibliography titles.
# The theme's font stacks name no font with Hangul, so Chromium would take
# whatever CJK face it finds first (often a Japanese or Chinese one). Naming
# the Korean Noto faces (Debian's fonts-noto-cjk) before the generic family
# makes Korean print in a Korean face, while Latin text keeps the first font
# of each stack that is installed.
SERIF = '"Noto Serif", "Liberation Serif", "DejaVu Serif", "Noto Serif CJK KR", serif'
SANS = 'system-ui, "Noto Sans", "Liberation Sans", "DejaVu Sans", "Noto Sans CJK KR", sans-serif'
MONO = '"DejaVu Sans Mono", "Liberation Mono", "Noto Sans Mono CJK KR", monospace'

PRINT_CSS = f"""
@page {{ size: A4; }}
:root {{
  --pst-font-family-base: {SERIF};
  --pst-font-family-heading: {SANS};
  --pst-font-family-monospace: {MONO};
}}
html {{ font-size: 10.5pt; }}
body {{ font-family: {SERIF}; line-height: 1.45; }}
h1, h2, h3, h4, h5, h6, .admonition-title, caption, figcaption, table,
.patron-pdf-title, .patron-pdf-toc {{ font-family: {SANS}; }}
pre, code, kbd, samp {{ font-family: {MONO}; }}

/* The site's chrome: navigation, sidebars, buttons, and the theme's own print
   contents page (this file adds a fuller one). Code cells that the site hides
   behind "Show code cell source" stay hidden: a printed page cannot be clicked
   open, and the prose states what each call finds. */
.bd-header, .bd-header-article, .header-article, .bd-sidebar-primary, .bd-sidebar-secondary,
.bd-footer, .bd-footer-article, .bd-footer-content, .prev-next-area, .prev-next-footer,
#pst-back-to-top, .skip-link, #pst-skip-link, #pst-search-dialog, .pst-async-banner-revealer,
#jb-print-docs-body, .headerlink, button.toggle-button, button.copybtn, .copybtn,
details.hide > summary, details.hide.above-input {{ display: none !important; }}
.bd-main .bd-content {{ margin-left: 0 !important; }}

/* The theme hides the first <h1> in print (its own title block, hidden above,
   replaces it); here that is the title page's and the Introduction's. */
.bd-main .bd-content .bd-article h1:first-of-type {{ display: block !important; }}

/* Chromium prints every box shadow as a bitmap mask the width of the page: a
   book of 400 shadowed notes would weigh 15 MB more. The theme draws all its
   shadows in one colour, some with !important; a transparent colour removes them. */
html[data-theme] {{ --pst-color-shadow: transparent !important; }}
html body * {{ box-shadow: none !important; text-shadow: none !important; }}

/* Collapsed notes print open (print_to_pdf opens them as well). */
.admonition.toggle-hidden .admonition-title ~ * {{ height: auto !important; opacity: 1 !important;
  visibility: visible !important; }}

/* Each chapter starts a page, under a larger heading (in the single page a
   chapter's title is an <h2>, like the Introduction's sections). */
span[id^="document-"] + section, article.bd-article > section {{ break-before: page; }}
span[id^="document-"] + section > h2 {{ font-size: 2.2em; margin-top: 0; }}
h1, h2, h3, h4 {{ break-after: avoid; }}
figure, table, .admonition {{ break-inside: avoid-page; }}
.patron-vega {{ overflow: visible !important; break-inside: avoid; }}
.patron-vega svg {{ max-width: 100%; height: auto; }}
pre {{ white-space: pre-wrap !important; overflow-wrap: anywhere; }}
div.output table {{ font-size: 0.85em; }}

.patron-pdf-title {{ height: 240mm; display: flex; flex-direction: column; justify-content: center;
  text-align: center; break-after: page; }}
.patron-pdf-title h1 {{ font-size: 28pt; margin: 0 0 8mm; }}
.patron-pdf-title .subtitle {{ font-size: 16pt; margin: 0 0 24mm; }}
.patron-pdf-title .author {{ font-size: 13pt; margin: 0 0 36mm; }}
.patron-pdf-title .build {{ font-size: 9.5pt; color: #444; }}
.patron-pdf-toc {{ break-after: page; }}
.patron-pdf-toc h2 {{ font-size: 18pt; }}
.patron-pdf-toc .part {{ font-weight: bold; margin: 1em 0 0.2em; }}
.patron-pdf-toc ol {{ list-style: none; margin: 0; padding-left: 1.2em; }}
.patron-pdf-toc li {{ margin: 0.15em 0; }}
.patron-pdf-toc a {{ color: inherit; text-decoration: none; }}
"""

FOOTER = (
    '<div style="width: 100%; font-size: 8pt; font-family: sans-serif; color: #555; padding: 0 18mm;'
    ' display: flex; justify-content: space-between;">'
    "<span>{short_title}</span>"
    '<span>page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>'
)
MARGINS = {"top": "16mm", "bottom": "18mm", "left": "18mm", "right": "18mm"}
# A viewport as wide as the printed text (A4 less the margins: 174 mm), so that
# charts and tables are laid out at the size they print.
VIEWPORT = {"width": 658, "height": 960}
LAUNCH_FLAGS = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 120_000

# The scripts below run in the page.
#
# Is every chart drawn? Vega's SVG renderer adds the <svg> as soon as the view
# exists, and its groups only once the scene is drawn: a chart counts as drawn
# when its <svg> holds a group (or it is a <canvas>), or as settled on an error.
CHARTS_SETTLED = """selector => [...document.querySelectorAll(selector)].every(
  el => el.querySelector('svg g, canvas') || el.querySelector('.patron-vega-error'))"""
CHART_COUNTS = """selector => {
  const all = [...document.querySelectorAll(selector)];
  return {total: all.length,
          drawn: all.filter(el => el.querySelector('svg g, canvas')).length,
          errors: all.map(el => el.querySelector('.patron-vega-error')).filter(e => e).map(e => e.textContent)};
}"""
FONTS_READY = """async () => { await document.fonts.ready; }"""  # math is MathML: no typesetting to wait for
# <details> (chart descriptions, hidden code) open with an attribute; the
# evidence notes are sphinx-togglebutton dropdowns, collapsed with a class.
OPEN_EVERYTHING = """() => {
  const details = [...document.querySelectorAll('details')];
  details.forEach(d => { d.open = true; });
  const toggles = [...document.querySelectorAll('.toggle-hidden')];
  toggles.forEach(el => el.classList.remove('toggle-hidden'));
  return {opened: details.length + toggles.length,
          still_closed: document.querySelectorAll('details:not([open]), .toggle-hidden').length};
}"""
# A table wider than the page would be cut at its right edge (the site lets it
# scroll sideways instead): shrink each such block until it fits.
FIT_WIDE_BLOCKS = """() => {
  let shrunk = 0;
  for (const el of document.querySelectorAll('article div.output, article .pst-scrollable-table-container')) {
    if (el.scrollWidth > el.clientWidth + 1) {
      el.style.zoom = (el.clientWidth / el.scrollWidth).toFixed(3);
      shrunk += 1;
    }
  }
  return shrunk;
}"""
# Mark every visible element whose own text has Hangul, for hangul_fonts().
MARK_HANGUL = """() => {
  const walker = document.createTreeWalker(document.querySelector('article'), NodeFilter.SHOW_TEXT);
  let marked = 0;
  while (walker.nextNode()) {
    const parent = walker.currentNode.parentElement;
    if (/[\\uac00-\\ud7a3]/.test(walker.currentNode.data) && parent.getClientRects().length) {
      parent.setAttribute('data-patron-hangul', '');
      marked += 1;
    }
  }
  return marked;
}"""


@dataclass(frozen=True)
class Chapter:
    """One entry of ``_toc.yml`` as it appears in the single page."""

    part: str | None  # its part's caption in _toc.yml (None for the landing page)
    docname: str  # "book/theory"
    anchor: str  # the id that marks its start in the single page
    title: str  # its heading as printed, number included: "1. Theory"


@dataclass(frozen=True)
class TitlePage:
    title: str
    subtitle: str
    author: str
    commit: str
    date: str


@dataclass
class Printed:
    """What :func:`build_pdf` made, and what it saw in the page when it printed."""

    pdf: Path
    html: Path  # the page that was printed
    chapters: list[Chapter]
    charts: int = 0  # chart containers in the page
    charts_drawn: int = 0  # of which drawn when printed
    notes_opened: int = 0  # <details> and collapsed dropdowns opened
    blocked: list[str] = field(default_factory=list)  # requests to other hosts, refused
    hangul_fonts: dict[str, int] = field(default_factory=dict)  # font -> glyphs, in text with Korean
    seconds: float = 0.0


def read_yaml(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def build_single_page(workdir: Path, root: Path = ROOT) -> Path:
    """Build the book as one HTML page with Jupyter Book's singlehtml builder.

    The flags are ``make book``'s (-W -n --keep-going), so a warning fails
    ``make pdf`` just as it fails the site. Returns the page's path.
    """
    command = [str(BIN / "jupyter-book"), "build", str(root), "--builder", "singlehtml",
               "--path-output", str(workdir), "-W", "-n", "--keep-going"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=root)
    if done.returncode != 0:
        raise RuntimeError(f"the singlehtml build failed:\n{(done.stdout + done.stderr)[-4000:]}")
    return workdir / "_build" / "singlehtml" / f"{read_yaml(root / '_toc.yml')['root']}.html"


def toc_entries(toc: dict[str, Any]) -> list[tuple[str | None, str]]:
    """(part caption, docname) for the landing page and every chapter, in ``_toc.yml`` order."""
    entries: list[tuple[str | None, str]] = [(None, toc["root"])]
    for part in toc.get("parts", []):
        entries += [(part.get("caption"), chapter["file"]) for chapter in part.get("chapters", [])]
    entries += [(None, chapter["file"]) for chapter in toc.get("chapters", [])]
    return entries


def heading_text(heading: Tag) -> str:
    """A heading's text as printed: its number and title, without the '#' link."""
    words = [s for s in heading.find_all(string=True) if not s.find_parent("a", class_="headerlink")]
    return " ".join("".join(words).split())


def find_chapters(page: BeautifulSoup, toc: dict[str, Any]) -> list[Chapter]:
    """Each ``_toc.yml`` entry's title, read from its first heading in the single page.

    Sphinx marks where each included document starts with an empty
    ``<span id="document-NAME">``, and the chapter is the section after it;
    the landing page is the article's first section. A chapter missing from
    the page is an error, not a PDF that silently lacks it.
    """
    article = page.select_one("article.bd-article")
    chapters = []
    for part, docname in toc_entries(toc):
        if docname == toc["root"]:
            section = article.find("section")
            anchor = section.get("id", "") if section else ""
        else:
            anchor = f"document-{docname}"
            marker = article.find(id=anchor)
            section = marker.find_next_sibling("section") if marker else None
        heading = section.find(re.compile(r"^h[1-6]$")) if section else None
        if heading is None:
            raise RuntimeError(f"{docname} is listed in _toc.yml but has no heading in the single page")
        chapters.append(Chapter(part, docname, anchor, heading_text(heading)))
    return chapters


def commit_date(root: Path = ROOT) -> str:
    """The date of the checked-out commit, as '29 November 2026'.

    The commit's date, not today's: the same commit prints the same title page.
    """
    try:
        stamp = subprocess.run(["git", "log", "-1", "--format=%cs", "HEAD"], cwd=root,
                               capture_output=True, text=True, check=True).stdout.strip()
        day = datetime.date.fromisoformat(stamp)
    except (OSError, subprocess.CalledProcessError, ValueError):
        return "date unknown (not a git checkout)"
    return f"{day.day} {day:%B %Y}"


def title_page(config: dict[str, Any], root: Path = ROOT) -> TitlePage:
    """Title and author from ``_config.yml``; the commit and its date from git."""
    title, _, subtitle = str(config["title"]).partition(": ")
    return TitlePage(title, subtitle, str(config.get("author", "")), current_commit(), commit_date(root))


def title_page_html(cover: TitlePage) -> str:
    e = html.escape
    return (f'<div class="patron-pdf-title" id="patron-pdf-title">'
            f'<h1>{e(cover.title)}</h1><p class="subtitle">{e(cover.subtitle)}</p>'
            f'<p class="author">{e(cover.author)}</p>'
            f'<p class="build">Printed from commit {e(cover.commit)}<br>{e(cover.date)}</p></div>')


def contents_html(chapters: list[Chapter]) -> str:
    """The table of contents: every chapter, linked, under its part's caption."""
    lines = ['<nav class="patron-pdf-toc" id="patron-pdf-toc"><h2>Contents</h2><ol>']
    part = None
    for chapter in chapters:
        if chapter.part != part:
            part = chapter.part
            lines.append(f'</ol><p class="part">{html.escape(part or "")}</p><ol>')
        lines.append(f'<li><a href="#{html.escape(chapter.anchor)}">{html.escape(chapter.title)}</a></li>')
    lines.append("</ol></nav>")
    return "\n".join(lines)


def keep_links_inside(page: BeautifulSoup, page_path: str) -> None:
    """Make links into the page itself plain fragments ('#x'), so they stay inside the PDF,
    and links to the site's other files plain text.

    Sphinx writes the first as 'book/intro.html#x', and the second (the data
    downloads) are relative paths; Chromium would print both as links to files
    on the machine that built the PDF. Links to other hosts are kept.
    """
    for link in page.find_all("a", href=True):
        target, hash_, fragment = link["href"].partition("#")
        if hash_ and target == page_path:
            link["href"] = f"#{fragment}"
        elif target and not re.match(r"^[a-z][a-z0-9+.-]*:", target):
            # A link to a file of the site (a data download, say) would print as a
            # file:// link to the machine that built the PDF: keep its words, drop the link.
            del link["href"]
            link.attrs.pop("download", None)


def prepare_for_print(page: BeautifulSoup, page_path: str, chapters: list[Chapter], cover: TitlePage,
                      site_root: Path) -> Path:
    """Write the page that Chromium prints: the single page with a title page, contents and print CSS.

    ``page_path`` is the single page's path in the build ('book/intro.html').
    The result is written at the top of the build, as ``print.html``: the
    single page's links to ``_static/`` are relative to the top, although the
    page itself sits in ``book/``.
    """
    keep_links_inside(page, page_path)
    if page.title is not None:
        page.title.string = f"{cover.title}: {cover.subtitle}" if cover.subtitle else cover.title
    style = page.new_tag("style", attrs={"id": "patron-pdf-css"})
    style.string = PRINT_CSS
    page.head.append(style)
    article = page.select_one("article.bd-article")
    article.insert(0, BeautifulSoup(contents_html(chapters), "html.parser"))
    article.insert(0, BeautifulSoup(title_page_html(cover), "html.parser"))
    target = site_root / PRINT_PAGE
    target.write_text(str(page), encoding="utf-8")
    return target


def hangul_fonts(page: Any) -> dict[str, int]:
    """The fonts Chromium draws the Korean text with, and how many glyphs each drew.

    Read through Chromium's DevTools protocol, which reports the installed font
    actually used for each element. The PDF cannot tell us: Chromium embeds
    the Noto CJK faces as unnamed Type 3 fonts, and a missing glyph (a box)
    would still extract as Hangul text.
    """
    page.evaluate(MARK_HANGUL)
    devtools = page.context.new_cdp_session(page)
    devtools.send("DOM.enable")
    devtools.send("CSS.enable")
    root = devtools.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    nodes = devtools.send("DOM.querySelectorAll", {"nodeId": root, "selector": "[data-patron-hangul]"})["nodeIds"]
    fonts: Counter[str] = Counter()
    for node in nodes:
        for font in devtools.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]:
            fonts[font["familyName"]] += font["glyphCount"]
    return dict(fonts)


def print_to_pdf(page_file: Path, output: Path, printed: Printed, short_title: str) -> None:
    """Print ``page_file`` to ``output`` with the Debian Chromium; record what it saw in ``printed``.

    Before printing: take the light theme, refuse every request to another host
    (the site needs none), wait until every chart has drawn and the fonts are
    ready, and open every collapsed note so that its text prints. Raises if a
    chart shows an error or a note stays closed.
    """
    from playwright.sync_api import Route, sync_playwright

    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} not found: `apt-get install chromium fonts-noto-cjk` to print the book")

    def only_local(route: Route) -> None:
        if route.request.url.startswith(("file:", "data:", "blob:")):
            route.continue_()
        else:
            printed.blocked.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_FLAGS)
        try:
            # The light theme, whatever the machine prefers: the site follows prefers-color-scheme
            # until a reader chooses, and the charts follow the site (patron.site.vega).
            page = browser.new_page(viewport=VIEWPORT, color_scheme="light")
            page.route("**/*", only_local)
            page.emulate_media(media="print")
            page.goto(page_file.as_uri(), wait_until="load", timeout=TIMEOUT_MS)
            page.wait_for_function(CHARTS_SETTLED, arg=CHART_SELECTOR, timeout=TIMEOUT_MS)
            charts = page.evaluate(CHART_COUNTS, CHART_SELECTOR)
            if charts["errors"]:
                raise RuntimeError(f"charts failed to draw: {charts['errors']}")
            printed.charts, printed.charts_drawn = charts["total"], charts["drawn"]
            page.evaluate(FONTS_READY)
            opened = page.evaluate(OPEN_EVERYTHING)
            if opened["still_closed"]:
                raise RuntimeError(f"{opened['still_closed']} notes stayed closed")
            printed.notes_opened = opened["opened"]
            page.evaluate(FIT_WIDE_BLOCKS)
            # tagged=True is what makes Chromium write the outline (bookmarks),
            # and it makes the PDF readable by screen readers.
            page.pdf(path=str(output), format="A4", print_background=True, margin=MARGINS,
                     display_header_footer=True, header_template="<span></span>",
                     footer_template=FOOTER.format(short_title=html.escape(short_title)),
                     outline=True, tagged=True)
            printed.hangul_fonts = hangul_fonts(page)
        finally:
            browser.close()


def build_pdf(output: Path = DEFAULT_OUTPUT, root: Path = ROOT) -> Printed:
    """Print the whole book as one PDF at ``output``: the one code path of ``make pdf`` and its test.

    The single-page build goes into ``singlehtml/`` beside the PDF, so
    ``make pdf`` writes nothing outside ``_build/pdf`` and never touches
    ``make book``'s output. An old PDF is removed first: a failed run must
    not leave a stale book for the site to link to.
    """
    start = time.perf_counter()
    output.unlink(missing_ok=True)
    output.parent.mkdir(parents=True, exist_ok=True)
    single_page = build_single_page(output.parent / "singlehtml", root)
    site_root = output.parent / "singlehtml" / "_build" / "singlehtml"
    page = BeautifulSoup(single_page.read_text(encoding="utf-8"), "html.parser")
    chapters = find_chapters(page, read_yaml(root / "_toc.yml"))
    cover = title_page(read_yaml(root / "_config.yml"), root)
    page_file = prepare_for_print(page, single_page.relative_to(site_root).as_posix(), chapters, cover, site_root)
    printed = Printed(output, page_file, chapters)
    print_to_pdf(page_file, output, printed, cover.title)
    printed.seconds = time.perf_counter() - start
    return printed


def page_count(pdf: Path) -> int | None:
    """Pages in ``pdf``, read by poppler's ``pdfinfo`` (None if poppler-utils is not installed)."""
    if shutil.which("pdfinfo") is None:
        return None
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    match = re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)
    return int(match.group(1)) if match else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print the whole book as one PDF.")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help=f"default: {DEFAULT_OUTPUT}")
    printed = build_pdf(parser.parse_args(argv).output.resolve())
    pages = page_count(printed.pdf)
    korean = ", ".join(name for name in printed.hangul_fonts if "CJK" in name) or "no CJK font"
    print(f"{printed.pdf}: {pages if pages is not None else '?'} pages, "
          f"{printed.pdf.stat().st_size / 1_000_000:.1f} MB, {len(printed.chapters)} chapters, "
          f"{printed.charts_drawn} of {printed.charts} charts drawn, {printed.notes_opened} notes opened, "
          f"Korean in {korean}; {printed.seconds:.0f} s")
    if printed.blocked:
        print(f"refused {len(printed.blocked)} requests to other hosts: {printed.blocked[:5]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The built site: strict, self-contained, and every chart captioned and described."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from bs4 import BeautifulSoup

from patron.paths import ROOT

pytestmark = pytest.mark.site

# Elements whose attribute makes the browser fetch something when the page loads.
LOADED = [("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"), ("source", "src"),
          ("video", "src"), ("audio", "src"), ("embed", "src"), ("object", "data"), ("image", "href")]
FETCHING_LINK_RELS = {"stylesheet", "preload", "modulepreload", "icon", "shortcut", "apple-touch-icon", "prefetch"}


def pages(html: Path) -> list[Path]:
    """The site's pages (not the theme's template fragments under _static/)."""
    return sorted(p for p in html.rglob("*.html") if "_static" not in p.relative_to(html).parts)


def soup(page: Path) -> BeautifulSoup:
    return BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")


def loaded_urls(doc: BeautifulSoup) -> list[str]:
    urls = []
    for tag, attr in LOADED:
        for el in doc.find_all(tag):
            if tag == "link" and not FETCHING_LINK_RELS & set(el.get("rel", [])):
                continue  # navigation links (next, prev, index) are not loaded
            if el.get(attr):
                urls.append(el[attr])
    for el in doc.find_all(style=True):
        urls += re.findall(r"url\(['\"]?([^'\")]+)", el["style"])
    return urls


def test_strict_build_passes_with_no_warnings(site) -> None:
    assert site.returncode == 0, site.log[-3000:]
    assert "WARNING" not in site.log, [l for l in site.log.splitlines() if "WARNING" in l]
    assert "build succeeded" in site.log


def test_no_page_loads_anything_from_another_host(site) -> None:
    offenders = []
    for page in pages(site.html):
        for url in loaded_urls(soup(page)):
            if urlparse(url).scheme in {"http", "https"} or url.startswith("//"):
                offenders.append(f"{page.relative_to(site.html)}: {url}")
    assert offenders == []


def test_no_stylesheet_loads_from_another_host(site) -> None:
    offenders = []
    for css in (site.html / "_static").rglob("*.css"):
        text = css.read_text(encoding="utf-8", errors="replace")
        for url in re.findall(r"(?:url\(|@import\s+)['\"]?((?:https?:)?//[^'\")\s;]+)", text):
            offenders.append(f"{css.relative_to(site.html)}: {url}")
    assert offenders == []


def test_every_local_file_a_page_loads_exists(site) -> None:
    missing = []
    for page in pages(site.html):
        for url in loaded_urls(soup(page)):
            parsed = urlparse(url)
            if parsed.scheme or url.startswith(("//", "data:", "#")):
                continue
            target = (page.parent / parsed.path).resolve()
            if not target.exists():
                missing.append(f"{page.relative_to(site.html)}: {url}")
    assert missing == []


def test_trimmed_assets_are_gone(site) -> None:
    static = site.html / "_static"
    assert not list(static.rglob("*.map")), "source maps should be removed"
    assert not (static / "scripts" / "fontawesome.js").exists()
    assert not (static / "mathjax").exists(), "math is MathML written at build time: no MathJax on the site"


def fontawesome_fonts(html: Path) -> list[Path]:
    return sorted((html / "_static" / "vendor" / "fontawesome" / "webfonts").glob("fa-*"))


def test_icon_fonts_hold_only_the_icons_the_site_uses(site) -> None:
    from patron.site.icons import font_codepoints

    fonts = {path.name: font_codepoints(path) for path in fontawesome_fonts(site.html)}
    assert len(fonts) == 6, sorted(fonts)
    solid = fonts["fa-solid-900.woff2"]
    # bars, magnifying glass, sun, moon, half circle (theme switch), bell (admonitions)
    assert {0xF0C9, 0xF002, 0xF185, 0xF186, 0xF042, 0xF0F3} <= solid
    assert 0xF1B9 not in solid, "the car icon, which no page draws, is still in the solid font"
    for name, points in fonts.items():
        assert len(points) < 60, f"{name} keeps {len(points)} code points"
        assert points == fonts[name.rsplit(".", 1)[0] + ".ttf"], f"{name} and its fallback differ"
    for path in fontawesome_fonts(site.html):
        assert path.stat().st_size < 12_000, f"{path.name} is {path.stat().st_size} bytes"


def test_theme_stylesheet_keeps_only_rules_that_can_match(site) -> None:
    css = (site.html / "_static" / "styles" / "pydata-sphinx-theme.css").read_text(encoding="utf-8")
    assert len(css) < 150_000, f"the theme stylesheet is {len(css)} bytes"
    assert ".fa-bars:before" in css and ".fa-car:before" not in css
    assert ".accordion" not in css and ".col-md-7" not in css, "Bootstrap parts used by no page are still there"
    assert ".bs-tooltip-auto" in css, "Bootstrap builds this class at run time; it must stay"
    assert "Bootstrap  v5.3.3" in css and "Font Awesome Free 6.5.2" in css, "licence comments must stay"
    assert "@font-face" in css and "fa-solid-900.woff2" in css


def test_purge_drops_only_rules_that_need_an_absent_class() -> None:
    from patron.site.trim import _purge_rules

    css = ('/*! licence */.used{a:1}.gone{b:2}/* kept */.gone,.used .x{c:3}@media (min-width:1px){.gone{d:4}}'
           '@media print{.used{g:7}}a[href$=".pdf"]{e:5}.used:not(.gone){f:6}.bs-tooltip-auto{h:8}'
           '@keyframes gone{0%{i:9}}.md\\:gone{j:10}')
    kept = _purge_rules(css, tokens={"used", "x"}, prefixes=("bs-",))
    assert kept == ('/*! licence */.used{a:1}/* kept */.used .x{c:3}@media print{.used{g:7}}a[href$=".pdf"]{e:5}'
                    '.used:not(.gone){f:6}.bs-tooltip-auto{h:8}@keyframes gone{0%{i:9}}.md\\:gone{j:10}')


def test_icon_code_points_come_from_classes_and_from_css_content() -> None:
    from patron.site import icons

    rules = [(":root", '--pst-icon-bell:"\\f0f3";--pst-icon-note:var(--pst-icon-bell)'),
             (".admonition-title:after", "content:var(--pst-icon-note);font:var(--fa-font-solid)"),
             (".fa-car:before", 'content:"\\f1b9"'), (".fa-bars:before,.fa-navicon:before", 'content:"\\f0c9"')]
    assert icons.icon_classes(rules) == {"fa-car": {0xF1B9}, "fa-bars": {0xF0C9}, "fa-navicon": {0xF0C9}}
    assert icons.css_placed_codepoints(rules, icons.custom_properties(rules)) == {0xF0F3}


def test_font_subsetting_is_deterministic(tmp_path: Path) -> None:
    import pydata_sphinx_theme

    from patron.site.icons import font_codepoints, subset_font

    original = (Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / "static" / "vendor"
                / "fontawesome" / "webfonts" / "fa-solid-900.woff2")
    copies = [tmp_path / "a.woff2", tmp_path / "b.woff2"]
    for copy in copies:
        copy.write_bytes(original.read_bytes())
        subset_font(copy, {0xF0C9, 0xF002, 0x10FFFF})
    assert copies[0].read_bytes() == copies[1].read_bytes()
    assert font_codepoints(copies[0]) == {0xF0C9, 0xF002}


def chart_pages(html: Path) -> list[Path]:
    return [p for p in pages(html) if soup(p).select("div.patron-vega")]


def test_chart_script_is_served_only_to_chart_pages(site) -> None:
    with_charts = set(chart_pages(site.html))
    assert {p.stem for p in with_charts} >= {"guidelines", "typology"}
    for page in pages(site.html):
        scripts = [s.get("src", "") for s in soup(page).find_all("script")]
        has_bundle = any("patron-vega.js" in s for s in scripts)
        assert has_bundle == (page in with_charts), page.name
    bundle = (site.html / "_static" / "patron-vega.js").read_text(encoding="utf-8")
    assert bundle.startswith("(function (define, exports, module) {")
    assert "vega.github.io/editor" not in bundle, "vega-embed and its editor action must not be shipped"


def test_charts_are_stored_as_compiled_vega(site) -> None:
    import json

    for page in chart_pages(site.html):
        for chart in soup(page).select("div.patron-vega"):
            spec = json.loads(soup(page).select_one(f"#{chart['id']}-spec").get_text())
            assert "/vega/v" in spec["$schema"], f"{page.name}: spec is not compiled Vega"
            assert spec.get("description"), f"{page.name}: compiled spec lost its description"


def test_grid_marks_link_to_their_rows_in_the_table(site) -> None:
    """A crowded cell of a grid shows marks without labels, and a click on a mark goes to its row
    of a table on the same page (patron.charts.episodes_grid): every such link must land on the
    first cell of the row for the same episode or forecast."""
    import json

    linked = 0
    for page in chart_pages(site.html):
        page_soup = soup(page)
        for chart in page_soup.select("div.patron-vega"):
            spec = json.loads(page_soup.select_one(f"#{chart['id']}-spec").get_text())
            for data in spec.get("data", []):
                for row in data.get("values", []) if isinstance(data.get("values"), list) else []:
                    if not isinstance(row, dict) or "href" not in row:
                        continue
                    target = page_soup.find(id=row["href"].removeprefix("#"))
                    assert target is not None, f"{page.name}: {row['href']} leads nowhere"
                    name = row.get("episode_id") or row.get("forecast_id")
                    assert target.get_text(strip=True) == name, f"{page.name}: {row['href']} is not {name}'s row"
                    linked += 1
    assert linked >= 11 + 25, f"only {linked} marks link to a table row"


def test_unused_theme_assets_are_not_loaded(site) -> None:
    for page in pages(site.html):
        srcs = " ".join(loaded_urls(soup(page)))
        assert "sphinx-thebe" not in srcs, page.name
        assert "fontawesome.js" not in srcs, page.name
        if page.name != "search.html":
            assert "searchindex.js" not in srcs, page.name
        text = page.read_text(encoding="utf-8")
        if 'class="sd-' not in text:
            assert "sphinx-design.min.css" not in srcs and "design-tabs.js" not in srcs, page.name
        if "<pre" not in text:
            assert "copybutton.js" not in srcs and "clipboard.min.js" not in srcs, page.name
        assert "mathjax" not in srcs.lower(), f"{page.name} loads MathJax"


def test_math_is_written_as_mathml(site) -> None:
    """The theory chapter's formulas reach the page as MathML, not as TeX for a script to typeset."""
    theory = soup(site.html / "book" / "theory.html")
    formulas = theory.find_all("math")
    assert len(formulas) >= 5, "the typology's E and C should be MathML"
    assert {m.get_text() for m in formulas} == {"E", "C"}
    article = theory.select_one("article").get_text(" ")
    assert "$E$" not in article and "\\(" not in article, "raw TeX left on the page"


def test_a_formula_mathml_cannot_write_stops_the_build() -> None:
    import pytest

    from patron.site.mathml import to_mathml

    from types import SimpleNamespace

    from docutils import nodes

    from patron.site.mathml import visit_block, visit_inline

    assert 'display="block"' in to_mathml(r"\frac{a}{b}", "block")
    translator = SimpleNamespace(body=[])
    good = nodes.math(r"E", r"E")
    with pytest.raises(nodes.SkipNode):  # written, and docutils told the node is done
        visit_inline(translator, good)
    assert translator.body == [to_mathml("E")]
    for visit, node_type in ((visit_inline, nodes.math), (visit_block, nodes.math_block)):
        bad = node_type(r"\left( x", r"\left( x")
        bad.source, bad.line = "book/theory.md", 110
        with pytest.raises(ValueError, match=r"book/theory\.md:110: cannot write"):
            visit(translator, bad)


def test_every_chart_has_caption_number_and_text_alternative(site) -> None:
    for page in chart_pages(site.html):
        for chart in soup(page).select("div.patron-vega"):
            figure = chart.find_parent("figure")
            assert figure is not None, f"{page.name}: chart outside a figure"
            caption = figure.find("figcaption")
            assert caption and caption.get_text(strip=True), f"{page.name}: chart without caption"
            assert caption.select_one(".caption-number"), f"{page.name}: caption without figure number"
            assert figure.get("id"), f"{page.name}: figure without a name to cross-reference"
            alt = figure.select_one(f"#{chart['id']}-alt")
            assert alt is not None and len(alt.get_text(strip=True)) > 40, f"{page.name}: no text alternative"
            assert chart.get("aria-describedby") == f"{chart['id']}-alt"


def test_glued_numbers_reach_the_page(site) -> None:
    text = soup(site.html / "book" / "guidelines.html").get_text(" ", strip=True)
    assert "10 September 1979" in text
    assert "{glue" not in text and "glue:text" not in text


def test_bibliography_and_citations_render(site) -> None:
    page = soup(site.html / "book" / "bibliography.html")
    assert len(page.select(".citation, dl.citation > dt, [role=doc-biblioentry], dt.label")) >= 40 or \
        page.get_text().count("Arms Control") >= 2
    theory = soup(site.html / "book" / "theory.html").get_text(" ", strip=True)
    assert "Snyder" in theory and "1984" in theory


def test_vendored_vega_is_the_version_vl_convert_compiles_for() -> None:
    import hashlib

    import vl_convert

    from patron.site.vega import VENDORED_VEGA, VENDORED_VEGA_VERSION

    assert vl_convert.get_vega_version() == VENDORED_VEGA_VERSION
    readme = (VENDORED_VEGA.parent / "README.md").read_text(encoding="utf-8")
    digest = hashlib.sha256(VENDORED_VEGA.read_bytes()).hexdigest()
    assert f"`{digest}`" in readme, "vega.min.js differs from the checksum recorded in vendor/README.md"
    assert f"| {VENDORED_VEGA_VERSION} |" in readme
    assert (VENDORED_VEGA.parent / "LICENSE-vega.txt").exists()


def test_process_tracing_chapters_cite_and_annotate(site) -> None:
    chapters = sorted((site.html / "book").glob("p[0-9]-*.html"))
    assert len(chapters) >= 9
    for page in chapters:
        doc = soup(page)
        body = doc.select_one("article") or doc
        citations = [a for a in body.select("a") if "bibliography" in a.get("href", "")]
        assert len(citations) >= 10, f"{page.name}: {len(citations)} rendered citations"
        notes = body.select("div.admonition.dropdown.evidence-note")
        assert notes, f"{page.name}: no evidence notes"


# --- Defects a reader would see -------------------------------------------------------------------------

def _citation_labels(doc: BeautifulSoup) -> list[str]:
    return [a.get_text(" ", strip=True) for a in doc.select('a.reference.internal[href*="bibliography.html#"]')]


def test_no_citation_label_contains_a_bracket(site) -> None:
    """A name stored as 'Hangul [Romanised]' once leaked its bracket into labels such as 'Eun-young], 2006'."""
    bad = {(p.name, label) for p in pages(site.html) for label in _citation_labels(soup(p))
           if re.search(r"[\[\]]", label.strip("[]")) or label.count("]") > label.count("[")}
    assert not bad, sorted(bad)[:10]


YEAR_ONLY = re.compile(r"^(\d{4}[a-z]*|n\.d\.(-[a-z]+)?)$")


def citation_targets(doc: BeautifulSoup) -> list[tuple[str, str]]:
    """Each in-text citation as (label a reader sees, bibliography entry it links to). A textual
    citation ("Lake [2009]") links only its year, so its label is the name before the bracket
    and the year."""
    out = []
    for span in doc.select("span.bibtex-citation"):
        for a in span.select('a.reference.internal[href*="bibliography.html#"]'):
            text = a.get_text(" ", strip=True)
            if YEAR_ONLY.match(text):
                text = f"{span.get_text(' ', strip=True).split('[')[0].strip()}, {text}"
            out.append((re.sub(r"\s+,", ",", text), a["href"].split("#", 1)[1]))
    return out


def test_no_author_year_label_stands_for_two_works(site) -> None:
    """'Kim, 2021' once stood for five works; labels that would collide carry 2021a, 2021b, ..."""
    targets: dict[str, set[str]] = {}
    for p in pages(site.html):
        for label, target in citation_targets(soup(p)):
            targets.setdefault(label, set()).add(target)
    assert len(targets) > 300, "too few citations found: has the citation markup changed?"
    shared = {label: sorted(ids) for label, ids in targets.items() if len(ids) > 1}
    assert not shared, list(shared.items())[:10]


def test_bibliography_labels_are_the_citation_labels(site) -> None:
    """The bibliography lists each work under the label the text cites it by, not a number."""
    doc = soup(site.html / "book" / "bibliography.html")
    shown = {c.get("id"): c.select_one("span.label").get_text(strip=True).strip("[]")
             for c in doc.select("div.citation")}
    assert shown and not any(label.isdigit() for label in shown.values())
    assert len(set(shown.values())) == len(shown), "two bibliography entries share a label"
    cited = {target: label for p in pages(site.html) for label, target in citation_targets(soup(p))}
    wrong = {t: (label, shown.get(t)) for t, label in cited.items() if shown.get(t) != label}
    assert not wrong, list(wrong.items())[:10]


def client_label_problems(doc: BeautifulSoup, item_client: dict[str, str]) -> tuple[int, list[tuple[str, str, str]]]:
    """How many notes on a page give a client's view, and those that name the wrong client or none."""
    seen, wrong = 0, []
    for note in doc.select("div.evidence-note"):
        title = note.select_one(".admonition-title").get_text(" ", strip=True)
        item = re.match(r"(?:Evidence|Signal) (\S+?):", title).group(1)
        text = note.get_text(" ", strip=True)
        for named in re.findall(r"view of the client \(([^)]*)\)", text):
            seen += 1
            if named != item_client[item]:
                wrong.append((item, named, item_client[item]))
        if re.search(r"view of the client(?! \()", text):
            wrong.append((item, "unnamed", item_client[item]))
    return seen, wrong


def test_a_wrong_or_missing_client_label_is_caught() -> None:
    note = ('<div class="admonition evidence-note"><p class="admonition-title">Evidence V1: x</p>'
            '<p>The view of the client ({}), direct.</p></div>')
    clients = {"V1": "France"}
    assert client_label_problems(BeautifulSoup(note.format("France"), "html.parser"), clients) == (1, [])
    assert client_label_problems(BeautifulSoup(note.format("South Korea"), "html.parser"), clients)[1]
    bare = note.replace(" ({})", "")
    assert client_label_problems(BeautifulSoup(bare, "html.parser"), clients)[1]


def test_each_client_label_names_the_right_client(site) -> None:
    """Notes in the regional chapters once called a French or Israeli speaker 'the client (ROK)'.
    Every note that gives a client's view names the client of the item's own episode (or, for a
    forecast's signal, of its forecast)."""
    from patron.data import load_episodes, load_evidence, load_forecast_signals, load_forecasts

    episodes = load_episodes()
    client_of = dict(zip(episodes.episode_id, episodes.client))
    evidence = load_evidence()
    item_client = {e: client_of[ep] for e, ep in zip(evidence.evidence_id, evidence.episode_id)}
    forecasts, signals = load_forecasts(), load_forecast_signals()
    forecast_client = dict(zip(forecasts.forecast_id, forecasts.client))
    item_client |= {s: forecast_client[f] for s, f in zip(signals.signal_id, signals.forecast_id)}
    seen, wrong = 0, []
    for p in pages(site.html):
        n, found = client_label_problems(soup(p), item_client)
        seen += n
        wrong += [(p.name, *w) for w in found]
    assert seen > 25, "too few client views found: has the note's wording changed?"
    assert not wrong, wrong[:10]


def test_every_dispute_id_is_a_link_that_resolves(site) -> None:
    """'see dispute A-D04' once pointed nowhere. A dispute named in the text is a link, and the
    disputes page holds its target."""
    disputes = soup(site.html / "book" / "disputes.html")
    targets = {t["id"] for t in disputes.select("[id^=dispute-]")}
    assert len(targets) >= 20, "the disputes page has lost its anchors"
    unlinked, dead = [], []
    for p in pages(site.html):
        doc = soup(p)
        for a in doc.select("a[href*='#dispute-']"):
            fragment = a["href"].split("#", 1)[1]
            if fragment not in targets:
                dead.append((p.name, fragment))
            a.string = "LINKED"
        main = doc.select_one("main") or doc
        unlinked += [(p.name, m) for m in re.findall(r"\bdisputes?\s+((?:[A-Z]+-)?D\d+)\b", main.get_text(" "))]
    assert not dead, dead
    assert not unlinked, unlinked


def test_no_table_cell_reads_nan_or_none(site) -> None:
    bad = []
    for p in pages(site.html):
        for cell in soup(p).select("table td, table th"):
            if cell.get_text(strip=True) in ("nan", "NaN", "None", "<NA>", "NaT"):
                bad.append((p.name, cell.get("id")))
    assert not bad, bad[:10]


def test_no_working_note_reaches_the_reader(site) -> None:
    """The site speaks of history and method, never of sessions, re-reading or audits in progress."""
    phrases = re.compile(r"(?<!during )this session|not re-read|re-read this|audit in progress|"
                         r"\bTODO\b|\bFIXME\b|working note", re.I)
    bad = []
    for p in pages(site.html):
        main = soup(p).select_one("main") or soup(p)
        found = phrases.findall(main.get_text(" ", strip=True))
        if found:
            bad.append((p.name, sorted(set(found))))
    assert not bad, bad


def test_no_placeholder_survives(site) -> None:
    bad = []
    for p in pages(site.html):
        text = (soup(p).select_one("main") or soup(p)).get_text(" ", strip=True)
        if re.search(r"\bp--|\bx---|\{glue:|\{ref\}|\?\?\?", text):
            bad.append(p.name)
    assert not bad, bad


# A term a reader may not know, and how the prose writes it. Words with an everyday sense (control,
# restraint, negotiation) are linked by the chapters too, but only these are checked: a test cannot tell
# the technical use of an everyday word from the ordinary one.
GLOSSARY_TERMS = {
    "Bystanding": r"\bbystanding\b", "Eligible-item": r"\beligible items?\b", "Unmeasured": r"\bunmeasured\b",
    "Deciban": r"\bdecibans?\b", "Prior-and-posterior-probability": r"\bposteriors?\b", "Brier-score": r"\bBrier\b",
    "Krippendorffs-alpha": r"\bKrippendorff", "Coding-rule": r"\bcoding rule\b", "MTCR": r"\bMTCR\b",
    "Settled-response": r"\bsettled responses?\b", "Blind-tagging": r"\b(blind tag(s|ging)?|tagged blind)\b",
}
# What is not the chapter's own prose: headings, generated outputs and glued values, code, tables, charts,
# collapsed blocks (a reader who opens one has passed the chapter's first use), and proofs' own statements.
NOT_PROSE = ("span.pasted-text, script, style, div.cell, h1, h2, h3, h4, h5, h6, pre, code, table, "
             ".admonition.dropdown, details, figcaption, .proof")


def unlinked_first_uses(doc: BeautifulSoup) -> list[tuple[str, str]]:
    """Each technical term whose first use in the chapter's prose is not a link to the glossary."""
    article = doc.select_one("article") or doc
    skipped = {id(el) for el in article.select(NOT_PROSE)}
    linked: set[str] = set()
    found = []
    for text in article.find_all(string=True):
        if any(id(parent) in skipped for parent in text.parents):
            continue
        a = text.find_parent("a")
        if a is not None:
            if "#term-" in a.get("href", ""):
                linked.add(a["href"].split("#term-", 1)[1])
            continue  # a link's own text is a title, not prose
        for term, pattern in GLOSSARY_TERMS.items():
            if term not in linked and re.search(pattern, str(text), 0 if term == "MTCR" else re.I):
                found.append((term, str(text).strip()[:80]))
                linked.add(term)
    return found


def main_text_pages(html: Path) -> list[Path]:
    """The introduction and every chapter before the appendices, in contents order."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]] + [c["file"] for part in toc["parts"] if part["caption"] != "Appendices"
                             for c in part["chapters"]]
    return [html / f"{f}.html" for f in files]


def test_technical_terms_are_linked_to_the_glossary_at_first_use(site) -> None:
    """A reader meets 'unmeasured', 'eligible items' or 'Brier score' as a link to its definition,
    the first time each chapter uses it."""
    problems = [(p.stem, term, text) for p in main_text_pages(site.html)
                for term, text in unlinked_first_uses(soup(p))]
    assert not problems, problems[:15]

"""The built site: strict, self-contained, and every chart captioned and described."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from bs4 import BeautifulSoup

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
    assert (static / "mathjax" / "tex-chtml.js").exists()
    assert not (static / "mathjax" / "tex-svg-full.js").exists()


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


def test_unused_theme_assets_are_not_loaded(site) -> None:
    for page in pages(site.html):
        srcs = " ".join(loaded_urls(soup(page)))
        assert "sphinx-thebe" not in srcs, page.name
        assert "fontawesome.js" not in srcs, page.name
        if page.name != "search.html":
            assert "searchindex.js" not in srcs, page.name
        if 'class="sd-' not in page.read_text(encoding="utf-8"):
            assert "sphinx-design.min.css" not in srcs and "design-tabs.js" not in srcs, page.name


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

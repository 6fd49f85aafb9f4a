"""Every chart draws in headless Chromium with no network, and every icon too.

Most tests drive one Chromium through Playwright, in this process. The chart and
JavaScript-error tests open every page from file://, as a reader's saved copy
would be, and refuse (and record) every other request; the icon, stylesheet and
math tests serve the site from 127.0.0.1 and abort every request to another
host. The search and explorer tests run Chromium in a fresh network namespace
(`unshare -n`), so any attempt to reach another host fails. A chart counts as
drawn when its container holds a drawn <svg> or a <canvas>, and no load error
shows. One more pass opens every chart page at desktop and phone width in the light
and the dark theme, and measures what a reader sees: labels that collide, light
panels or black text in the dark theme, charts wider than the text column; and the
SVG and PNG download links under each chart are clicked. Skipped, with a message,
where Chromium is absent on a local machine, but never in CI (CI=true), where
.ci/run installs it.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import in_ci
from test_site import chart_pages

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--virtual-time-budget=15000"]


def offline_run(url: str) -> tuple[str, str]:
    """Open ``url`` with no network; return the rendered DOM and the browser log."""
    if CHROMIUM is None:
        if in_ci():
            pytest.fail("Chromium is missing in CI: .ci/run must install it")
        pytest.skip("Chromium not installed: `apt-get install chromium` to run the browser test")
    wrapper = ["unshare", "-n"] if shutil.which("unshare") else []
    if wrapper and subprocess.run(wrapper + ["true"], capture_output=True).returncode != 0:
        if in_ci():
            pytest.fail("cannot create a network namespace (unshare -n) in CI")
        pytest.skip("unshare -n is not permitted here; the browser test needs it to cut the network")
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(wrapper + [CHROMIUM, *FLAGS, f"--user-data-dir={profile}",
                                         "--enable-logging=stderr", "--v=0", "--dump-dom", url],
                              capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout, done.stderr


def offline_dom(url: str) -> str:
    return offline_run(url)[0]


CHARTS_STATE_JS = """() => [...document.querySelectorAll('div.patron-vega')].map((c) => ({
  id: c.id, drawn: !!c.querySelector('svg g, canvas'),
  error: (c.querySelector('.patron-vega-error') || {}).textContent || null}))"""


def file_context(browser):
    """A browser context that may open only file:// URLs, as a reader's saved copy of
    the site would be opened; every other request is refused and recorded."""
    context = browser.new_context()
    refused: list[str] = []

    def route(request_route) -> None:
        url = request_route.request.url
        if url.startswith(("file:", "data:", "blob:")):
            request_route.continue_()
        else:
            refused.append(url)
            request_route.abort()

    context.route("**/*", route)
    return context, refused


@pytest.fixture(scope="module")
def opened(site, served) -> dict:
    """Every page of the site opened once from file://, as a reader's saved copy would
    be, with every other request refused: per page, its uncaught errors and the state
    of each chart; and the refused requests."""
    from test_site import pages

    _, browser = served
    context, refused = file_context(browser)
    seen: dict[str, dict] = {}
    for path in pages(site.html):
        name = path.relative_to(site.html).as_posix()
        errors: list[str] = []
        page = context.new_page()
        page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
        page.on("console", lambda message, errors=errors: errors.append(message.text)
                if message.type == "error" and "Uncaught" in message.text else None)
        page.goto(path.as_uri(), wait_until="load")
        page.wait_for_function("""() => [...document.querySelectorAll('div.patron-vega')].every(
            (c) => c.querySelector('svg g, canvas, .patron-vega-error'))""", timeout=30_000)
        page.evaluate("() => new Promise((done) => requestIdleCallback(() => done()))")  # scripts run on load
        seen[name] = {"errors": errors, "charts": page.evaluate(CHARTS_STATE_JS)}
        page.close()
    context.close()
    return {"pages": seen, "refused": refused}


def test_every_chart_draws_offline(site, opened) -> None:
    """Every chart page, opened from file:// with no other source, draws every chart."""
    names = [p.relative_to(site.html).as_posix() for p in chart_pages(site.html)]
    assert names, "no chart pages found"
    for name in names:
        charts = opened["pages"][name]["charts"]
        assert charts, f"{name}: no chart containers in the rendered page"
        for chart in charts:
            assert chart["error"] is None, f"{name}: {chart['error']}"
            assert chart["drawn"], f"{name}#{chart['id']}: chart did not draw"
    assert opened["refused"] == [], f"pages tried to load from elsewhere: {opened['refused'][:5]}"


def test_no_page_raises_a_javascript_error(opened) -> None:
    """Trimming assets must not break any script a page still runs: no uncaught error
    or unhandled rejection on any page, opened from file://, once its scripts have run."""
    failures = [f"{name}: {error}" for name, seen in opened["pages"].items() for error in seen["errors"]]
    assert failures == []
    assert opened["refused"] == [], f"pages tried to load from elsewhere: {opened['refused'][:5]}"


def test_the_posterior_explorer_has_working_sliders(site) -> None:
    """The interactive chart must render its evidence menu and two range inputs with no kernel."""
    page = site.html / "book" / "weighing.html"
    dom = BeautifulSoup(offline_dom(page.as_uri()), "html.parser")
    sliders = dom.select("div.patron-vega input[type=range]")
    assert len(sliders) >= 2, "the explorer's sliders did not render"
    options = [o.get_text(strip=True) for o in dom.select("div.patron-vega select option")]
    assert options == ["all items", "response items", "perception items", "US-perceiver items"], options


def test_search_works_offline(site) -> None:
    """The search page, which keeps the search index, finds a word from the book."""
    dom = BeautifulSoup(offline_dom((site.html / "search.html").as_uri() + "?q=Wickham"), "html.parser")
    results = dom.select("#search-results li, ul.search li")
    assert results, "search found nothing for 'Wickham'"


WHATIF_SCRIPT = r"""
import json, sys
from playwright.sync_api import sync_playwright

url, chromium = sys.argv[1], sys.argv[2]
flags = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path=chromium, args=flags)
    page = browser.new_page()
    page.goto(url)
    page.wait_for_selector("#fig-whatif svg text, div.patron-vega svg text")
    def tick(label):
        page.locator(".vega-bind", has_text=label).locator("input").first.check()
    def pick(label, value):
        page.locator(".vega-bind", has_text=label).locator("select").first.select_option(value)
    def read():
        chart = page.locator("div.patron-vega", has=page.locator(".vega-bind", has_text="Entrapment, low")).first
        texts = chart.locator("svg text").evaluate_all("els => els.map(e => e.textContent)")
        names, values = texts[:10], texts[10:20]
        return dict(zip(names, values))
    steps = {"start": read()}
    tick("Control: gives the client a latent option")
    steps["control"] = read()
    tick("Entrapment: gives the client its own option to strike first")
    steps["both"] = read()
    pick("Armament", "nuclear weapons")
    tick("The common adversary's threat is rising")
    steps["rivals"] = read()
    print(json.dumps(steps))
    browser.close()
"""


def test_the_whatif_explorer_answers_its_inputs(site) -> None:
    """Tick indicators in the forecasts chapter's explorer, offline, and read what it shows."""
    import json
    import sys

    if CHROMIUM is None:
        if in_ci():
            pytest.fail("Chromium is missing in CI: .ci/run must install it")
        pytest.skip("Chromium not installed")
    page = site.html / "book" / "forecasts.html"
    wrapper = ["unshare", "-n"] if shutil.which("unshare") else []
    done = subprocess.run(wrapper + [sys.executable, "-c", WHATIF_SCRIPT, page.as_uri(), CHROMIUM],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    steps = json.loads(done.stdout)
    assert steps["start"]["Typology"] == "bystanding" and steps["start"]["Entrapment (rule)"] == "low"
    assert steps["control"]["Control (rule)"] == "high" and steps["control"]["Typology"] == "negotiation"
    assert steps["control"]["Control (Blankenship)"] == "restraint"
    assert steps["both"]["Typology"] == "restraint"
    assert steps["both"]["Security dilemma, one-dimensional"] == "restraint"
    assert steps["rivals"]["Nonproliferation regime"] == "restraint"
    assert steps["rivals"]["Adversary threat"] == "bystanding"
    assert steps["rivals"]["Commonest response"] == "negotiation"


# --- Icons and the trimmed theme stylesheet, driven in-process by Playwright -----------
#
# These tests serve the built site from 127.0.0.1 (as `make bench` does) and abort
# every request to any other host, so they need no network namespace.

ICON_FAMILY = "Font Awesome"

# Put a page in the states where icons that are hidden at first would show: dark
# mode, the secondary sidebar collapsed (its "on this page" chevron), every
# <details> open, and one element for each icon that the theme's scripts create
# at run time. (The theme switch's three icons are all in the page; computed
# style is computed for hidden elements too.)
SHOW_HIDDEN_ICONS_JS = """(scriptIcons) => {
  document.documentElement.dataset.mode = "dark";
  document.documentElement.dataset.theme = "dark";
  document.querySelector(".bd-sidebar-secondary")?.classList.add("hide");
  for (const details of document.querySelectorAll("details")) details.open = true;
  for (const classes of scriptIcons) {
    const icon = document.createElement("i");
    icon.className = classes;
    document.body.append(icon);
  }
}"""

# Every element, and its ::before and ::after, drawn in an icon font: what it draws,
# and in which face; then every Font Awesome face of the page, and its state after
# the page has asked for every face it uses.
ICON_USES_JS = """async () => {
  const isIcon = (family) => family.includes("%(family)s");
  const uses = [];
  for (const el of document.querySelectorAll("*")) {
    for (const pseudo of [null, "::before", "::after"]) {
      const style = getComputedStyle(el, pseudo);
      if (!isIcon(style.fontFamily)) continue;
      const text = pseudo ? "" : [...el.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.data).join("");
      uses.push({where: el.tagName.toLowerCase() + [...el.classList].map((c) => "." + c).join("") + (pseudo || ""),
                 content: pseudo ? style.content : "", text, family: style.fontFamily.replace(/["']/g, ""),
                 weight: style.fontWeight, style: style.fontStyle});
    }
  }
  const faces = [];
  const walk = (rules, base) => {
    for (const rule of rules) {
      if (rule instanceof CSSFontFaceRule) {
        const family = rule.style.getPropertyValue("font-family").replace(/["']/g, "").trim();
        const url = rule.style.getPropertyValue("src").match(/url\\(["']?([^"')]+)/);
        if (isIcon(family) && url) faces.push({family, weight: rule.style.getPropertyValue("font-weight") || "400",
          style: rule.style.getPropertyValue("font-style") || "normal", url: new URL(url[1], base).href});
      } else if (rule.cssRules) walk(rule.cssRules, base);
    }
  };
  for (const sheet of document.styleSheets) walk(sheet.cssRules, sheet.href || location.href);
  await Promise.all(uses.map((u) => document.fonts.load(`${u.style} ${u.weight} 16px "${u.family}"`).catch(() => null)));
  const status = [...document.fonts].filter((f) => isIcon(f.family))
    .map((f) => ({family: f.family.replace(/["']/g, ""), weight: f.weight, style: f.style, status: f.status}));
  return {uses, faces, status};
}""" % {"family": ICON_FAMILY}


def require_chromium() -> str:
    if CHROMIUM is None:
        if in_ci():
            pytest.fail("Chromium is missing in CI: .ci/run must install it")
        pytest.skip("Chromium not installed: `apt-get install chromium` to run the browser test")
    return CHROMIUM


@pytest.fixture(scope="module")
def served(site):
    """The built site on a local HTTP server, and one headless Chromium to open it."""
    from playwright.sync_api import sync_playwright

    from patron.workflow.bench import BROWSER_FLAGS, serve

    chromium = require_chromium()
    with serve(site.html) as origin, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=BROWSER_FLAGS)
        yield origin, browser
        browser.close()


def offline_page(browser, origin: str, replace: dict[str, bytes] | None = None, **context_options):
    """A page in a fresh context that may reach only ``origin``; ``replace`` answers
    requests whose URL contains a key with that body instead of the served file."""
    context = browser.new_context(**context_options)

    def route(request_route) -> None:
        url = request_route.request.url
        if not url.startswith(origin):
            request_route.abort()
        elif replace and any(key in url for key in replace):
            body = next(body for key, body in replace.items() if key in url)
            request_route.fulfill(status=200, body=body, content_type="text/css")
        else:
            request_route.continue_()

    context.route("**/*", route)
    return context, context.new_page()


def icon_pages(html) -> list[str]:
    """Few pages that between them show every kind of element that can carry an icon.

    An element can carry an icon if it has an ``fa-*`` class or is an admonition,
    dropdown, toggle, external link or download link; pages are picked, most new
    kinds first, until every class combination of such elements on the site is
    covered. The search page is added with a query (its results) and a chapter
    with ``?highlight=`` (the theme's "hide search matches" link).
    """
    import re

    from test_site import pages

    carriers = {"admonition", "dropdown", "toggle", "external", "download", "versionmodified"}
    kinds: dict[str, set[str]] = {}
    for page in pages(html):
        found = set()
        for classes in re.findall(r'class="([^"]*)"', page.read_text(encoding="utf-8")):
            names = set(classes.split())
            if names & carriers or any(n.startswith("fa-") for n in names):
                found.add(" ".join(sorted(names)))
        kinds[page.relative_to(html).as_posix()] = found
    missing, chosen = set().union(*kinds.values()), []
    while missing:
        best = max(sorted(kinds), key=lambda name: len(kinds[name] & missing))
        chosen.append(best)
        missing -= kinds[best]
    return [*chosen, "search.html?q=Wickham", "book/guidelines.html?highlight=Wickham"]


def script_icons(html) -> list[str]:
    """Icon class lists that the theme's scripts put on elements they create."""
    import re

    found = set()
    for script in (html / "_static").rglob("*.js"):
        if "mathjax" not in script.parts:
            found.update(re.findall(r'"(fa-(?:solid|regular|brands) fa-[\w-]+)"', script.read_text(encoding="utf-8")))
    return sorted(found)


def face_for(use: dict, faces: list[dict]) -> dict | None:
    """The @font-face a browser picks for ``use``: same family and style, nearest weight."""
    family = use["family"].split(",")[0].strip()
    candidates = [f for f in faces if f["family"] == family and f["style"] == use["style"]]
    return min(candidates, key=lambda f: abs(int(f["weight"]) - int(use["weight"])), default=None)


def codepoints_drawn(use: dict) -> set[int]:
    from patron.site.icons import string_codepoints

    return string_codepoints(use["content"]) | {ord(c) for c in use["text"] if not c.isspace()}


def test_every_icon_is_in_the_font_the_page_loaded(site, served) -> None:
    """Each icon's code point is in the subset font the browser fetched, and each face loads."""
    import io

    from fontTools.ttLib import TTFont

    origin, browser = served
    icons_from_scripts = script_icons(site.html)
    assert "fa-solid fa-xmark" in icons_from_scripts, "the theme's script icons were not found"
    failures, drawn = [], set()
    for name in icon_pages(site.html):
        context, page = offline_page(browser, origin)
        responses: list = []
        page.on("response", lambda response: responses.append(response))
        page.goto(origin + name, wait_until="load")
        page.evaluate(SHOW_HIDDEN_ICONS_JS, icons_from_scripts)
        result = page.evaluate(ICON_USES_JS)
        fonts = {r.url: r.body() for r in responses if r.request.resource_type == "font" and r.ok}
        assert result["faces"], f"{name}: no Font Awesome @font-face rules"
        for use in result["uses"]:
            points = codepoints_drawn(use)
            if not points:
                continue
            face = face_for(use, result["faces"])
            if face is None:
                failures.append(f"{name}: {use['where']} asks for a face that no @font-face declares: {use}")
                continue
            state = [s["status"] for s in result["status"] if s["family"] == face["family"]
                     and s["weight"] == face["weight"] and s["style"] == face["style"]]
            if state != ["loaded"]:
                failures.append(f"{name}: {use['where']}: face {face['family']} {face['weight']} is {state}")
            if face["url"] not in fonts:
                failures.append(f"{name}: {use['where']}: the page never fetched {face['url']}")
                continue
            with TTFont(io.BytesIO(fonts[face["url"]])) as font:
                missing = points - set(font.getBestCmap() or {})
            if missing:
                failures.append(f"{name}: {use['where']} draws {sorted(map(hex, missing))}, "
                                f"not in {face['url'].rsplit('/', 1)[-1]}")
            drawn |= {(use["where"], p) for p in points}
        context.close()
    assert failures == []
    where = {w for w, _ in drawn}
    assert sum("theme-switch" in w for w in where) >= 3, "the theme switch's three icons were not all checked"
    assert any("admonition-title::after" in w for w in where), "no admonition icon was checked"
    assert any("fa-xmark" in w for w in where), "the icon the theme's script creates was not checked"


# Computed style of every element outside charts, for properties that show whether a
# rule matched: layout, box, colour, type, generated content. Running transitions are
# finished first, so that both loads are compared at rest.
COMPUTED_STYLE_JS = """() => {
  for (const animation of document.getAnimations()) { try { animation.finish(); } catch (e) {} }
  const properties = ["display", "position", "visibility", "float", "width", "height", "margin", "padding",
    "border", "border-radius", "color", "background-color", "background-image", "font", "text-align",
    "text-decoration", "opacity", "content", "flex", "grid-template-columns", "gap", "overflow", "z-index",
    "box-shadow", "transform", "top", "left"];
  const rows = [];
  for (const el of document.querySelectorAll("body *:not(svg *)")) {
    const where = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + [...el.classList].map((c) => "." + c).join("");
    for (const pseudo of ["", "::before", "::after"]) {
      const style = getComputedStyle(el, pseudo || null);
      rows.push(where + pseudo + " " + properties.map((p) => p + ": " + style.getPropertyValue(p)).join("; "));
    }
  }
  return rows;
}"""

# Swap a stylesheet for another URL in the loaded page, and wait until it and its
# fonts apply.
SWAP_STYLESHEET_JS = """async ([name, suffix]) => {
  const link = document.querySelector(`link[rel="stylesheet"][href*="${name}"]`);
  const whole = link.cloneNode();
  whole.href = link.href + (link.href.includes("?") ? "&" : "?") + suffix;
  await new Promise((resolve, reject) => { whole.onload = resolve; whole.onerror = reject; link.after(whole); });
  link.remove();
  document.body.getBoundingClientRect();  // lay out, so that the new @font-face rules load
  await document.fonts.ready;
}"""

# (page, colour scheme, viewport width): text with evidence notes, charts and code,
# math and proofs, search results; each scheme and each width (desktop, phone) twice.
STYLE_CHECKS = [
    ("book/p1-nuclear-1970-76.html", "light", 1280), ("book/weighing.html", "dark", 390),
    ("book/theory.html", "dark", 1280), ("search.html?q=Wickham", "light", 390),
]


def test_trimmed_theme_stylesheet_styles_pages_as_the_whole_one_did(site, served) -> None:
    """The rules the trim dropped from the theme's stylesheet matched nothing on these pages.

    Each page is loaded once with the trimmed stylesheet and its computed styles
    read; then the whole stylesheet, as the theme ships it, replaces the trimmed
    one in the same page, and the computed styles are read again.
    """
    import pydata_sphinx_theme

    from patron.site.trim import PURGED_STYLESHEETS

    origin, browser = served
    theme_static = Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / "static"
    for name in PURGED_STYLESHEETS:
        whole = (theme_static / name).read_bytes()
        assert len((site.html / "_static" / name).read_bytes()) < len(whole) / 2, f"{name} was not trimmed"
        for page_name, scheme, width in STYLE_CHECKS:
            context, page = offline_page(browser, origin, {"whole-stylesheet": whole},
                                         color_scheme=scheme, viewport={"width": width, "height": 900})
            page.goto(origin + page_name, wait_until="networkidle")
            trimmed = page.evaluate(COMPUTED_STYLE_JS)
            page.evaluate(SWAP_STYLESHEET_JS, [name.rsplit("/", 1)[-1], "whole-stylesheet"])
            original = page.evaluate(COMPUTED_STYLE_JS)
            context.close()
            assert len(trimmed) == len(original) > 300, f"{page_name}: too few elements, or the page changed"
            # An element whose classes a script changed between the two reads (the theme's
            # scroll-spy marks the visible section "active") is not a stylesheet difference.
            same = [(a, b) for a, b in zip(trimmed, original) if a.split(" ", 1)[0] == b.split(" ", 1)[0]]
            assert len(trimmed) - len(same) <= 12, f"{page_name}: the page changed under the test"
            differences = [f"{a}\n   whole stylesheet: {b}" for a, b in same if a != b]
            assert differences == [], f"{page_name} ({scheme}, {width}px):\n" + "\n".join(differences[:5])


MATH_JS = """() => [...document.querySelectorAll('article math')].map((m) => {
  const box = m.getBoundingClientRect();
  return {text: m.textContent, display: getComputedStyle(m).display, width: box.width, height: box.height};
})"""


def test_math_draws_as_mathml_with_no_script(site, served) -> None:
    """The browser lays out the theory chapter's MathML itself: every formula has a
    box, in the MathML display type, and nothing is fetched to typeset it."""
    origin, browser = served
    context, page = offline_page(browser, origin)
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(origin + "book/theory.html", wait_until="load")
    formulas = page.evaluate(MATH_JS)
    context.close()
    assert len(formulas) >= 5
    for formula in formulas:
        assert formula["display"] in {"math", "inline math"}, formula
        assert formula["width"] > 0 and formula["height"] > 0, formula
    assert not [u for u in fetched if "mathjax" in u.lower()]


# --- Charts: legible at desktop and phone width, in both themes, and downloadable ---------
#
# One more pass over the chart pages, served from 127.0.0.1 like the tests above: each
# page at each width in each theme, the theme set as the site's switch sets it (the
# pydata theme reads the reader's choice from localStorage "mode" and "theme" before
# the page draws). Then, on each page opened light, the theme is switched to dark in
# place, as the switch does (data-theme on <html>), which the charts must follow.

CHART_WIDTHS = (1280, 390)  # a desktop window, and a phone
THEMES = ("light", "dark")
CHARTS_DRAWN_JS = """() => [...document.querySelectorAll('div.patron-vega')].every(
  (c) => c.querySelector('svg g, canvas, .patron-vega-error'))"""
CHARTS_DARK_JS = """() => [...document.querySelectorAll('div.patron-vega svg')].every(
  (svg) => getComputedStyle(svg).backgroundColor !== 'rgb(255, 255, 255)')"""

# Every chart on the page, read as a reader sees it:
# - labels: each visible <text> (not hidden, not transparent, not empty) with its box on
#   the screen, and the pairs of labels whose boxes overlap or sit less than 2 px apart
#   side by side (boxes may touch by 1.5 px from above or below: a box is the whole line
#   height, taller than the letters);
# - panels: the chart's background and every surface behind the data, as the colour a
#   reader sees (composited over the background): Vega's view and cell backgrounds, and
#   grey rectangles (low chroma) that span at least 90% of their view's width or height,
#   such as shaded bands;
# - guide text (axes, legends, titles, facet headers: any text outside a data mark) and
#   its contrast with the chart's background;
# - dark ink: texts and legend symbols drawn in black or near-black;
# - the chart's width, and the width of the column it is in.
CHART_READING_JS = """() => {
  const rgba = (css) => {
    const m = (css || "").match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const luminance = ([r, g, b]) => {
    const lin = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  const contrast = (a, b) => { const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const over = (top, alpha, under) => top.slice(0, 3).map((c, i) => c * alpha + under[i] * (1 - alpha));
  const shown = (el, root) => {
    let alpha = 1;
    for (let n = el; n && n !== root.parentNode; n = n.parentNode) {
      const style = getComputedStyle(n);
      if (style.display === "none" || style.visibility === "hidden") return 0;
      alpha *= parseFloat(style.opacity);
    }
    return alpha;
  };
  return [...document.querySelectorAll("div.patron-vega")].map((chart) => {
    const svg = chart.querySelector("svg");
    if (!svg) return {id: chart.id, drawn: false};
    const paper = rgba(getComputedStyle(svg).backgroundColor) || [255, 255, 255, 0];
    const paperSeen = paper[3] > 0 ? paper.slice(0, 3) : (rgba(getComputedStyle(document.body).backgroundColor) || [255, 255, 255]).slice(0, 3);
    const labels = [], guides = [], darkInk = [];
    for (const text of svg.querySelectorAll("text")) {
      const style = getComputedStyle(text);
      const fill = rgba(style.fill);
      const alpha = shown(text, svg) * parseFloat(style.fillOpacity) * (fill ? fill[3] : 0);
      if (!text.textContent.trim() || alpha < 0.05) continue;
      const box = text.getBoundingClientRect();
      if (box.width < 0.5 || box.height < 0.5) continue;
      labels.push({text: text.textContent, left: box.left, right: box.right, top: box.top, bottom: box.bottom});
      if (!text.closest("g.role-mark")) guides.push({text: text.textContent, contrast: contrast(fill, paperSeen)});
      if (luminance(fill) < 0.02) darkInk.push("text " + text.textContent);
    }
    for (const symbol of svg.querySelectorAll("g.role-legend-symbol path")) {
      const fill = rgba(getComputedStyle(symbol).fill);
      if (fill && fill[3] > 0 && shown(symbol, svg) > 0.05 && luminance(fill) < 0.02) darkInk.push("legend symbol");
    }
    const overlaps = [];
    for (let i = 0; i < labels.length; i++) {
      for (let j = i + 1; j < labels.length; j++) {
        const [a, b] = [labels[i], labels[j]];
        const across = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const down = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (across > -2 && down > 1.5) overlaps.push(`"${a.text}" and "${b.text}"`);
      }
    }
    const panels = [{what: "background", colour: paperSeen}];
    for (const path of svg.querySelectorAll("g.mark-group path.background")) {
      const fill = rgba(getComputedStyle(path).fill);
      if (fill && fill[3] > 0) panels.push({what: "view background", colour: over(fill, fill[3] * shown(path, svg), paperSeen)});
    }
    for (const path of svg.querySelectorAll("g.mark-rect.role-mark path")) {
      const fill = rgba(getComputedStyle(path).fill);
      if (!fill || fill[3] === 0) continue;
      const view = path.closest("g.mark-group").querySelector("path.background") || svg;
      const [box, whole] = [path.getBoundingClientRect(), view.getBoundingClientRect()];
      const grey = Math.max(...fill.slice(0, 3)) - Math.min(...fill.slice(0, 3)) < 30;
      if (grey && (box.width >= 0.9 * whole.width || box.height >= 0.9 * whole.height)) {
        const alpha = fill[3] * shown(path, svg) * parseFloat(getComputedStyle(path).fillOpacity);
        panels.push({what: "band", colour: over(fill, alpha, paperSeen)});
      }
    }
    return {id: chart.id, drawn: true, labels: labels.length, overlaps, guides, darkInk,
            panels: panels.map((p) => ({what: p.what, luminance: luminance(p.colour)})),
            width: svg.getBoundingClientRect().width, room: chart.clientWidth};
  });
}"""


def open_chart_page(context, origin: str, name: str):
    """A chart page, opened in ``context``, once every chart has drawn and the page is idle."""
    page = context.new_page()
    page.goto(origin + name, wait_until="load")
    page.wait_for_function(CHARTS_DRAWN_JS, timeout=30_000)
    page.evaluate("() => new Promise((done) => requestIdleCallback(() => done()))")
    return page


@pytest.fixture(scope="module")
def chart_readings(site, served) -> dict[tuple[str, int, str], list[dict]]:
    """Every chart page at each width in each theme: what CHART_READING_JS reads on it.
    Keyed by (page, width, theme); theme "dark, switched" is a page opened light and then
    switched to dark in place."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    origin, browser = served
    names = [p.relative_to(site.html).as_posix() for p in chart_pages(site.html)]
    assert names, "no chart pages found"
    readings: dict[tuple[str, int, str], list[dict]] = {}
    for width in CHART_WIDTHS:
        for theme in THEMES:
            context, blank = offline_page(browser, origin, viewport={"width": width, "height": 900})
            blank.close()
            context.add_init_script(f"localStorage.setItem('mode', '{theme}'); localStorage.setItem('theme', '{theme}');")
            for name in names:
                page = open_chart_page(context, origin, name)
                assert page.evaluate("() => document.documentElement.dataset.theme") == theme, name
                readings[(name, width, theme)] = page.evaluate(CHART_READING_JS)
                if theme == "light":
                    page.evaluate("() => { document.documentElement.dataset.theme = 'dark'; }")
                    try:  # the charts rerun their views; if they never change, the reading says so
                        page.wait_for_function(CHARTS_DARK_JS, timeout=5_000)
                    except PlaywrightTimeout:
                        pass
                    readings[(name, width, "dark, switched")] = page.evaluate(CHART_READING_JS)
                page.close()
            context.close()
    return readings


def test_no_two_chart_labels_collide(chart_readings) -> None:
    """At desktop and phone width, in both themes, no two visible labels of a chart overlap
    or run together (labels of crowded grids give way to tooltips and the linked table)."""
    failures = []
    for (name, width, theme), charts in chart_readings.items():
        for chart in charts:
            assert chart["drawn"] and chart["labels"] >= 5, f"{name}#{chart['id']}: no labels read"
            if chart["overlaps"]:
                failures.append(f"{name}#{chart['id']} ({width} px, {theme}): " + "; ".join(chart["overlaps"][:6]))
    assert failures == [], "\n".join(failures)


def test_every_chart_fits_a_desktop_column(chart_readings) -> None:
    """At 1280 px no chart is wider than the text column, so none hides a legend or a label
    behind a scroll bar. (On a phone, charts keep their size and scroll sideways: their
    labels would be too small to read if they shrank to fit.)"""
    too_wide = [f"{name}#{chart['id']}: {chart['width']:.0f} px in a column of {chart['room']} px"
                for (name, width, theme), charts in chart_readings.items() if width == 1280
                for chart in charts if chart["width"] > chart["room"] + 0.5]
    assert too_wide == [], "\n".join(too_wide)


def test_dark_theme_recolours_every_chart(chart_readings) -> None:
    """In the dark theme, opened dark or switched to it, no chart keeps a light background,
    view or band, no text or legend symbol is drawn in black, and axes, legends and titles
    are legible on the chart's background; in the light theme too (WCAG AA: 4.5:1)."""
    failures = []
    for (name, width, theme), charts in chart_readings.items():
        for chart in charts:
            where = f"{name}#{chart['id']} ({width} px, {theme})"
            if theme != "light":
                failures += [f"{where}: light {p['what']} (luminance {p['luminance']:.2f})"
                             for p in chart["panels"] if p["luminance"] > 0.2]
                failures += [f"{where}: {ink} in black" for ink in chart["darkInk"]]
            else:
                assert chart["panels"][0]["luminance"] > 0.9, f"{where}: the light theme's background is not white"
            failures += [f"{where}: '{g['text']}' has contrast {g['contrast']:.1f}"
                         for g in chart["guides"] if g["contrast"] < 4.5]
    assert failures == [], "\n".join(failures)


def test_every_chart_offers_svg_and_png_downloads(site, served) -> None:
    """Under every chart, two links save it as SVG and as PNG, made in the page from the
    chart as shown: a data: URL of the right type, with nothing fetched."""
    import base64
    from urllib.parse import unquote

    origin, browser = served
    context, blank = offline_page(browser, origin, viewport={"width": 1280, "height": 900}, accept_downloads=True)
    blank.close()
    fetched: list[str] = []
    context.on("request", lambda request: fetched.append(request.url))
    checked = 0
    for path in chart_pages(site.html):
        name = path.relative_to(site.html).as_posix()
        page = open_chart_page(context, origin, name)
        before = len(fetched)
        charts = page.locator("div.patron-vega")
        for i in range(charts.count()):
            figure = page.locator("div.patron-vega-figure").nth(i)
            links = figure.locator("p.patron-vega-downloads a")
            assert links.count() == 2, f"{name}: chart {i} has {links.count()} download links"
            for link, kind in zip(links.all(), ("svg", "png")):
                assert link.get_attribute("data-type") == kind
                with page.expect_download() as download:
                    link.click()
                url = download.value.url
                assert download.value.suggested_filename.endswith("." + kind), download.value.suggested_filename
                if kind == "svg":
                    assert url.startswith("data:image/svg+xml"), f"{name}: chart {i}: {url[:40]}"
                    assert "<svg" in unquote(url.split(",", 1)[1])[:500]
                else:
                    assert url.startswith("data:image/png;base64,"), f"{name}: chart {i}: {url[:40]}"
                    assert base64.b64decode(url.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
                checked += 1
        elsewhere = [url for url in fetched[before:] if not url.startswith(("data:", "blob:"))]
        assert elsewhere == [], f"{name}: a download fetched {elsewhere}"
        page.close()
    context.close()
    assert checked >= 2 * 13

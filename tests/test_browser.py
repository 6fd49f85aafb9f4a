"""Every chart draws in headless Chromium with no network.

Chromium runs in a fresh network namespace (`unshare -n`), so any attempt to
reach another host fails; the page is opened from file://. A chart counts as
drawn when its container holds an <svg> or <canvas>, and no load error shows.
Skipped, with a message, where Chromium is absent on a local machine, but
never in CI (CI=true), where .ci/run installs it.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile

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


def test_every_chart_draws_offline(site) -> None:
    pages = chart_pages(site.html)
    assert pages, "no chart pages found"
    for page in pages:
        dom = BeautifulSoup(offline_dom(page.as_uri()), "html.parser")
        charts = dom.select("div.patron-vega")
        assert charts, f"{page.name}: no chart containers in the rendered page"
        for chart in charts:
            assert chart.select_one("svg, canvas"), f"{page.name}#{chart.get('id')}: chart did not draw"
            error = chart.select_one(".patron-vega-error")
            assert error is None, f"{page.name}: {error.get_text()}"


def test_no_page_raises_a_javascript_error(site) -> None:
    """Trimming assets must not break any script a page still runs."""
    from test_site import pages

    failures = []
    for page in pages(site.html):
        _, log = offline_run(page.as_uri())
        failures += [f"{page.name}: {line}" for line in log.splitlines() if "Uncaught" in line]
    assert failures == []


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

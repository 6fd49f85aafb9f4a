"""The counting behind `make bench`, on made-up loads (the bench itself is not run here)."""

from __future__ import annotations

import gzip
import urllib.request
from pathlib import Path

from patron.workflow import bench
from patron.workflow.bench import Fetched, Load


def test_gzip_bytes_are_what_a_host_would_send_and_do_not_vary() -> None:
    body = b"<p>entrapment and control</p>\n" * 200
    raw, gz = bench.sizes(body)
    assert raw == len(body)
    assert gz == len(gzip.compress(body, compresslevel=9, mtime=0)) < raw / 10
    assert bench.sizes(body) == (raw, gz), "gzip without a timestamp gives the same bytes every time"


def made_up_load() -> Load:
    return Load(fetched=[
        Fetched("http://127.0.0.1:1/book/typology.html", 40_000, 10_000, "document"),
        Fetched("http://127.0.0.1:1/_static/patron-vega.js", 513_000, 177_000, "script"),
        Fetched("http://127.0.0.1:1/_static/mathjax/tex-chtml.js", 1_161_000, 262_000, "script"),
        Fetched("http://127.0.0.1:1/_static/styles/theme.css", 100_000, 20_000, "stylesheet"),
    ])


def test_a_load_adds_up_its_files_and_its_parts() -> None:
    load = made_up_load()
    assert (load.raw, load.gzip) == (1_814_000, 469_000)
    assert load.part(lambda f: f.kind == "document") == (40_000, 10_000)


def test_page_kind_reads_charts_and_math() -> None:
    assert bench.page_kind('<div class="cell"><div id="c1" class="patron-vega" role="img"></div></div>') == "chart"
    assert bench.page_kind('<span class="math notranslate nohighlight">\\(x\\)</span>') == "math"
    assert bench.page_kind('<p class="mathematics-free">text</p>') == "text"


def test_the_floor_counts_html_minimal_css_and_the_renderer_the_page_needs() -> None:
    load = made_up_load()
    css_gzip = bench.gzip_size(bench.MINIMAL_CSS.encode())
    assert bench.floor(load, "text", b"")["gzip"] == 10_000 + css_gzip
    vega_gzip = bench.gzip_size(bench.VENDORED_VEGA.read_bytes())
    chart_css = b".patron-vega{max-width:100%}"
    assert bench.floor(load, "chart", chart_css)["gzip"] == \
        10_000 + bench.gzip_size(bench.MINIMAL_CSS.encode() + chart_css) + vega_gzip
    assert bench.floor(load, "math", b"")["gzip"] == 10_000 + css_gzip + 262_000
    assert css_gzip < 1_000, "the minimal stylesheet is meant to be minimal"


def test_targets() -> None:
    assert bench.verdict("text", 150_000, 1)[1] and not bench.verdict("text", 150_001, 1)[1]
    assert bench.verdict("math", 150_001, 150_000)[1] is False, "math pages are held to the text target"
    assert bench.verdict("chart", 300_000, 200_000)[1] and not bench.verdict("chart", 300_001, 200_000)[1]


def test_the_local_server_serves_the_site_folder(tmp_path: Path) -> None:
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "page.html").write_bytes(b"<p>hello</p>")
    with bench.serve(tmp_path) as origin:
        assert origin.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(origin + "book/page.html?v=1", timeout=10) as response:
            assert response.read() == b"<p>hello</p>"


def test_report_marks_stock_totals_with_unknown_files_as_lower_bounds() -> None:
    row = {"kind": "chart", "ours": {"raw": 900_000, "gzip": 280_000, "unknown": []},
           "stock": {"raw": 3_000_000, "gzip": 900_000, "unknown": ["https://cdn.jsdelivr.net/npm/x@1"]},
           "floor": {"raw": 600_000, "gzip": 200_000}, "target": "<= 1.5 x floor", "pass": True,
           "ratio_to_floor": 1.4}
    line = bench.page_line("book/typology.html", row)
    assert "≥ 900" in line and "(1 stock files unknown)" in line and line.endswith("| PASS |")

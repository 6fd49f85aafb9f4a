"""``make bench``: build time and page weight, against a stock Jupyter Book 1 build.

Measured in one run and written to ``bench-output/bench.md`` (and ``.json``):

- clean-build time and no-change rebuild time, for this book and for a stock
  build of the same pages;
- nbval time over the committed notebooks;
- the bytes a browser fetches for each page (every ``book/*.html``, and the
  site's ``index.html``, ``search.html`` and ``genindex.html``), for this book,
  for the stock build, and for the page's floor, with a PASS or FAIL against
  the targets below.

**How a page is weighed.** Each page is opened in headless Chromium (Debian's
``/usr/bin/chromium`` driven by Playwright), in a fresh browser context with
the HTTP cache disabled, from a local HTTP server (``http.server`` on
127.0.0.1) serving the built site. The page counts as loaded when the browser
has been idle on the network for half a second after its load event and its
fonts are ready, so what scripts fetch later (MathJax's fonts, Vega) is
counted. Every response body the browser received is summed: *raw* bytes, and
*gzip* bytes, each body compressed with gzip at level 9 and ``mtime=0``
(``http.server`` does not compress, and a real host would). Only faces a page
uses are fetched by a browser, so a font counts only where a page draws with
it.

**The stock build** is a copy of the book whose notebooks are re-executed with
Altair's default renderer (HTML that loads Vega from cdn.jsdelivr.net), built
by Jupyter Book 1 with none of this project's extensions (its MathJax also
comes from the CDN). This machine has no network but package registries, so
requests to cdn.jsdelivr.net are answered (by Playwright's request routing)
with the file from the npm package that the CDN serves it from (``npm pack``).
A CDN file that cannot be had that way, or a request to any other host, is
aborted and listed as *unknown*; a page total with unknown files is a lower
bound.

**The floor** is what a page could not do without:

- the page's own HTML documents, as fetched;
- for a *chart page* (one with a ``div.patron-vega``), the Vega runtime it
  needs: the vendored ``vega.min.js`` (the smallest script that draws a
  compiled Vega spec), not the wrapper the site actually serves;
- for a *math page* (one with an element of class ``math``, which is how a
  MathJax build marks its formulas), the MathJax files it fetched. This book
  writes its math as MathML at build time (:mod:`patron.site.mathml`), so
  none of its pages is a math page; the stock build's are;
- *minimal CSS*: :data:`MINIMAL_CSS`, a hand-written stylesheet of 14 rules
  (757 bytes, 425 gzip) that sets a readable measure and type and lays out
  headings, figures, tables, code and notes, plus, on chart pages, the
  project's own chart stylesheet (``patron-vega.css``). It is the least CSS with which the book's
  text and charts are laid out legibly; it has no navigation, theme switch or
  icons, which is why it is a floor and not a proposal.

**Targets.** A text page (no chart; MathML counts as text) fetches at most
:data:`TEXT_TARGET_GZIP` bytes gzip. A chart page fetches at most
:data:`FLOOR_RATIO` times its floor. A page that loads MathJax is held to the
text target, with its ratio to its floor printed beside it.
"""

from __future__ import annotations

import gzip
import json
import mimetypes
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from patron.paths import ROOT
from patron.site.vega import VENDORED_VEGA

OUT = ROOT / "bench-output"
BIN = Path(sys.executable).parent
COPY_IGNORE = shutil.ignore_patterns(".venv", ".venv-lab", "_build", "bench-output", ".git", "__pycache__", ".pytest_cache")
CDN = re.compile(r"^https://cdn\.jsdelivr\.net/npm/(?P<pkg>(?:@[^/]+/)?[^@/?]+)@(?P<ver>[^/?]+)(?P<path>/[^?]*)?")
CHROMIUM = "/usr/bin/chromium"
BROWSER_FLAGS = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SITE_PAGES = ("index.html", "search.html", "genindex.html")
TEXT_TARGET_GZIP = 150_000
FLOOR_RATIO = 1.5
IDLE_TIMEOUT_MS = 30_000

# The floor's stylesheet: type, measure, figures, tables, code, notes. Nothing else.
MINIMAL_CSS = """\
body{margin:0 auto;max-width:48rem;padding:1rem;font:1rem/1.6 system-ui,sans-serif;color:#222;background:#fff}
h1,h2,h3,h4{line-height:1.25;margin:1.5em 0 .5em}
a{color:#0645ad}
nav ul{list-style:none;padding-left:0}
img,svg{max-width:100%;height:auto}
figure{margin:1.5rem 0}
figcaption{font-size:.9rem;color:#555}
table{border-collapse:collapse;display:block;overflow-x:auto}
th,td{border-bottom:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
pre{overflow-x:auto;background:#f6f6f6;padding:.5rem}
code{font-family:ui-monospace,monospace;font-size:.9em}
blockquote{border-left:3px solid #ccc;margin:1rem 0;padding-left:1rem}
.admonition,details{border-left:4px solid #888;margin:1rem 0;padding:.25rem 1rem}
summary{cursor:pointer}
"""


# --- Counting ------------------------------------------------------------------


def gzip_size(data: bytes) -> int:
    """Bytes of ``data`` gzipped as a host would send it (level 9, no timestamp)."""
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def sizes(data: bytes) -> tuple[int, int]:
    """Raw and gzip bytes of one fetched body."""
    return len(data), gzip_size(data)


@dataclass
class Fetched:
    """One response body the browser received."""

    url: str
    raw: int
    gzip: int
    kind: str  # Playwright's resource type: document, script, stylesheet, font, …


@dataclass
class Load:
    """Everything one page load fetched, and what could not be had."""

    fetched: list[Fetched] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)

    @property
    def raw(self) -> int:
        return sum(f.raw for f in self.fetched)

    @property
    def gzip(self) -> int:
        return sum(f.gzip for f in self.fetched)

    def part(self, test: Callable[[Fetched], bool]) -> tuple[int, int]:
        """Raw and gzip bytes of the fetched files for which ``test(f)`` is true."""
        chosen = [f for f in self.fetched if test(f)]
        return sum(f.raw for f in chosen), sum(f.gzip for f in chosen)


def page_kind(html: str) -> str:
    """``chart`` if the page draws a chart, ``math`` if it typesets math, else ``text``."""
    if re.search(r'<div[^>]*class="[^"]*\bpatron-vega\b', html):
        return "chart"
    if re.search(r'class="(?:[^"]*\s)?math[\s"]', html):
        return "math"
    return "text"


def floor(load: Load, kind: str, chart_css: bytes) -> dict[str, int]:
    """The bytes a page could not do without (see the module docstring)."""
    raw, gz = load.part(lambda f: f.kind == "document")
    css = MINIMAL_CSS.encode() + (chart_css if kind == "chart" else b"")
    css_raw, css_gz = sizes(css)
    raw, gz = raw + css_raw, gz + css_gz
    if kind == "chart":
        vega_raw, vega_gz = sizes(VENDORED_VEGA.read_bytes())
        raw, gz = raw + vega_raw, gz + vega_gz
    if kind == "math":
        mj_raw, mj_gz = load.part(lambda f: "/_static/mathjax/" in f.url)
        raw, gz = raw + mj_raw, gz + mj_gz
    return {"raw": raw, "gzip": gz}


def verdict(kind: str, gzip_bytes: int, floor_gzip: int) -> tuple[str, bool]:
    """The target that applies to a page of this kind, and whether it is met."""
    if kind == "chart":
        return f"<= {FLOOR_RATIO} x floor", gzip_bytes <= FLOOR_RATIO * floor_gzip
    return f"<= {TEXT_TARGET_GZIP / 1e3:.0f} kB", gzip_bytes <= TEXT_TARGET_GZIP


# --- Serving and loading pages --------------------------------------------------


class QuietHandler(SimpleHTTPRequestHandler):
    """``http.server``'s file handler, without a log line per request."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        pass


@contextmanager
def serve(root: Path) -> Iterator[str]:
    """Serve ``root`` on 127.0.0.1 (a free port) in a thread; yield its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def launch(playwright: Any) -> Any:
    """Headless Debian Chromium; Playwright never downloads a browser here."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_FLAGS)


def content_type(url: str) -> str:
    guessed = mimetypes.guess_type(url.split("?")[0])[0]
    if guessed:
        return guessed
    return "font/woff2" if url.endswith(".woff2") else "application/javascript"


def load_page(browser: Any, url: str, origin: str, root: Path, cdn: CdnFiles | None) -> Load:
    """Open ``url`` with an empty cache; return every body fetched, and what was unknown.

    Requests to ``origin`` go to the local server (serving ``root``); requests
    to cdn.jsdelivr.net are answered from npm packages; anything else is
    aborted and listed.
    """
    load = Load()
    context = browser.new_context(service_workers="block")
    page = context.new_page()
    session = context.new_cdp_session(page)
    session.send("Network.enable")
    session.send("Network.setCacheDisabled", {"cacheDisabled": True})

    def route(request_route: Any) -> None:
        request_url = request_route.request.url
        if request_url.startswith(origin):
            request_route.continue_()
            return
        body = cdn.get(request_url) if cdn is not None else None
        if body is None:
            load.unknown.append(request_url)
            request_route.abort()
            return
        request_route.fulfill(status=200, body=body, headers={
            "content-type": content_type(request_url), "access-control-allow-origin": "*"})

    responses: list[Any] = []
    context.route("**/*", route)
    page.on("response", lambda response: responses.append(response))
    page.goto(url, wait_until="load")
    settle(page)
    for response in responses:
        if not 200 <= response.status < 300:
            continue  # redirects and errors carry no body worth counting
        body = response_body(response, origin, root)
        if body is None:
            load.unknown.append(response.url)
            continue
        raw, gz = sizes(body)
        load.fetched.append(Fetched(response.url, raw, gz, response.request.resource_type))
    context.close()
    return load


def settle(page: Any) -> None:
    """Wait until the page has been idle on the network and its fonts are ready.

    A page still fetching after :data:`IDLE_TIMEOUT_MS` is weighed as it stands.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_load_state("networkidle", timeout=IDLE_TIMEOUT_MS)
        page.evaluate("document.fonts.ready.then(() => true)")
        page.wait_for_load_state("networkidle", timeout=IDLE_TIMEOUT_MS)
    except PlaywrightTimeout:
        print(f"  {page.url}: still fetching after {IDLE_TIMEOUT_MS / 1000:.0f} s; weighed as it stands", flush=True)


def response_body(response: Any, origin: str, root: Path) -> bytes | None:
    """The body the browser received; for a page it navigated away from
    (``index.html`` redirects), the file the local server sent."""
    from playwright.sync_api import Error

    try:
        return response.body()
    except Error:
        if not response.url.startswith(origin):
            return None
        file = root / unquote(urlparse(response.url).path).lstrip("/")
        return file.read_bytes() if file.is_file() else None


# --- CDN files, from npm -----------------------------------------------------------


class CdnFiles:
    """Bytes of files served by cdn.jsdelivr.net, read from their npm packages."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.cache: dict[str, bytes | None] = {}
        self.npm = shutil.which("npm")

    def get(self, url: str) -> bytes | None:
        if url not in self.cache:
            self.cache[url] = self._fetch(url)
        return self.cache[url]

    def _fetch(self, url: str) -> bytes | None:
        match = CDN.match(url)
        if not match or not self.npm:
            return None
        pkg, ver = match.group("pkg"), match.group("ver")
        try:
            exact = subprocess.run([self.npm, "view", f"{pkg}@{ver}", "version", "--json"], capture_output=True,
                                   text=True, timeout=120, check=True).stdout
            versions = json.loads(exact)
            exact = versions[-1] if isinstance(versions, list) else versions
            path = match.group("path")
            if not path:
                meta = json.loads(subprocess.run([self.npm, "view", f"{pkg}@{exact}", "--json"], capture_output=True,
                                                 text=True, timeout=120, check=True).stdout)
                path = "/" + (meta.get("jsdelivr") or meta.get("browser") or meta.get("main", "index.js"))
            target = self.workdir / f"{pkg.replace('/', '_')}-{exact}"
            if not target.exists():
                target.mkdir(parents=True)
                subprocess.run([self.npm, "pack", f"{pkg}@{exact}", "--silent"], cwd=target, check=True,
                               capture_output=True, timeout=300)
                with tarfile.open(next(target.glob("*.tgz"))) as tar:
                    tar.extractall(target, filter="data")
            file = target / "package" / path.lstrip("/")
            return file.read_bytes() if file.is_file() else None
        except (subprocess.SubprocessError, OSError, ValueError, StopIteration):
            return None


# --- Weighing a site ------------------------------------------------------------------


def site_pages(html_root: Path) -> list[str]:
    """The pages weighed: every chapter, and the site's index, search and index of terms."""
    chapters = [p.relative_to(html_root).as_posix() for p in sorted(html_root.glob("book/*.html"))]
    return chapters + [name for name in SITE_PAGES if (html_root / name).is_file()]


def weigh_site(html_root: Path, pages: list[str], cdn: CdnFiles | None) -> dict[str, Load]:
    """Load every page of one built site in Chromium; return what each fetched."""
    from playwright.sync_api import sync_playwright

    loads: dict[str, Load] = {}
    with serve(html_root) as origin, sync_playwright() as playwright:
        browser = launch(playwright)
        for name in pages:
            if (html_root / name).is_file():
                loads[name] = load_page(browser, origin + name, origin, html_root, cdn)
        browser.close()
    return loads


def relative(url: str) -> str:
    """A fetched URL without the local server's origin and query, for the report."""
    return re.sub(r"^http://127\.0\.0\.1:\d+/", "", url).split("?")[0]


def page_record(name: str, ours: Load, stock: Load | None, html_root: Path) -> dict[str, Any]:
    """One page's row: this book, its floor, stock, and the verdict."""
    kind = page_kind((html_root / name).read_text(encoding="utf-8"))
    chart_css = html_root / "_static" / "patron-vega.css"
    page_floor = floor(ours, kind, chart_css.read_bytes() if chart_css.is_file() else b"")
    target, passed = verdict(kind, ours.gzip, page_floor["gzip"])

    def summary(load: Load) -> dict[str, Any]:
        files = sorted(load.fetched, key=lambda f: -f.gzip)
        return {"raw": load.raw, "gzip": load.gzip, "unknown": load.unknown,
                "files": [{**asdict(f), "url": relative(f.url)} for f in files]}

    return {"kind": kind, "ours": summary(ours), "stock": summary(stock) if stock else None, "floor": page_floor,
            "target": target, "pass": passed, "ratio_to_floor": ours.gzip / page_floor["gzip"]}


# --- Builds -------------------------------------------------------------------------


def build(book: Path) -> float:
    """Run a Jupyter Book build of ``book``; return seconds taken."""
    start = time.perf_counter()
    subprocess.run([str(BIN / "jupyter-book"), "build", str(book), "--quiet"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def make_stock_copy(workdir: Path) -> Path:
    """The same book with Altair's default renderer and no project extensions."""
    stock = workdir / "stock"
    shutil.copytree(ROOT, stock, ignore=COPY_IGNORE)
    config = (stock / "_config.yml").read_text(encoding="utf-8")
    for ext in ("patron.site.mathml", "patron.site.vega", "patron.site.trim"):
        config = config.replace(f"    - {ext}\n", "")
    config = re.sub(r"\n *html_math_renderer: .*", "", config)  # stock: MathJax, from the CDN
    (stock / "_config.yml").write_text(config, encoding="utf-8")
    for md in (stock / "book").glob("*.md"):
        text = md.read_text(encoding="utf-8").replace("use_book_renderer()\n", "pass  # stock: Altair's default renderer\n")
        # A period chapter's episode_context() switches to the book's renderer; switch back.
        text = re.sub(r"^(ctx = episode_context\(.*\))$", r'\1\nimport altair; altair.renderers.enable("default")',
                      text, flags=re.M)
        md.write_text(text, encoding="utf-8")
    subprocess.run([sys.executable, "-m", "patron.workflow.notebooks", "execute", *map(str, sorted((stock / "book").glob("*.md")))],
                   check=True, capture_output=True)
    return stock


def time_nbval() -> float:
    """Seconds nbval takes over the committed notebooks."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval", "--nbval-current-env",
                    "-o", "testpaths=", "-o", "addopts=", str(ROOT / "book")], check=True, capture_output=True)
    return time.perf_counter() - start


def disk_bytes(html_root: Path) -> int:
    return sum(f.stat().st_size for f in html_root.rglob("*") if f.is_file())


def main() -> int:
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        ours = workdir / "ours"
        shutil.copytree(ROOT, ours, ignore=COPY_IGNORE)
        print("building this book (clean, then no-change rebuild)…", flush=True)
        ours_clean, ours_rebuild = build(ours), build(ours)
        print("timing nbval…", flush=True)
        nbval_seconds = time_nbval()
        print("building the stock book…", flush=True)
        stock = make_stock_copy(workdir)
        stock_clean, stock_rebuild = build(stock), build(stock)
        ours_html, stock_html = ours / "_build" / "html", stock / "_build" / "html"
        pages = site_pages(ours_html)
        print(f"loading {len(pages)} pages of each site in Chromium (CDN files via npm)…", flush=True)
        ours_loads = weigh_site(ours_html, pages, None)
        stock_loads = weigh_site(stock_html, pages, CdnFiles(workdir / "npm"))
        records = {name: page_record(name, ours_loads[name], stock_loads.get(name), ours_html) for name in ours_loads}
        site_bytes = {"ours": disk_bytes(ours_html), "stock": disk_bytes(stock_html)}

    result = {
        "build_seconds": {"ours": {"clean": ours_clean, "rebuild": ours_rebuild},
                          "stock": {"clean": stock_clean, "rebuild": stock_rebuild}},
        "nbval_seconds": nbval_seconds,
        "site_bytes_on_disk": site_bytes,
        "targets": {"text_gzip": TEXT_TARGET_GZIP, "chart_floor_ratio": FLOOR_RATIO},
        "pages": records,
    }
    (OUT / "bench.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    (OUT / "bench.md").write_text(report(result), encoding="utf-8")
    print(report(result))
    return 0


# --- Report ---------------------------------------------------------------------------


def kb(n: int | float) -> str:
    return f"{n / 1e3:.0f}"


def stock_cell(stock: dict[str, Any] | None, key: str) -> str:
    """Stock bytes, marked as a lower bound where some CDN file was unknown."""
    if not stock:
        return "–"
    return ("≥ " if stock["unknown"] else "") + kb(stock[key])


def page_line(name: str, w: dict[str, Any]) -> str:
    o, s, f = w["ours"], w["stock"], w["floor"]
    note = f" ({len(s['unknown'])} stock files unknown)" if s and s["unknown"] else ""
    extra = f"; {w['ratio_to_floor']:.2f} x floor" if w["kind"] == "math" else ""
    return (f"| {name}{note} | {w['kind']} | {kb(o['raw'])} | {kb(o['gzip'])} | {kb(f['gzip'])} | "
            f"{w['ratio_to_floor']:.2f} | {stock_cell(s, 'raw')} | {stock_cell(s, 'gzip')} | "
            f"{w['target']}{extra} | {'PASS' if w['pass'] else 'FAIL'} |")


def report(r: dict[str, Any]) -> str:
    b = r["build_seconds"]
    disk = r["site_bytes_on_disk"]
    lines = [
        "# Benchmark: this book against a stock Jupyter Book 1 build of the same pages",
        "",
        "| measure | this book | stock | ratio |",
        "|---|---:|---:|---:|",
        f"| clean build (s) | {b['ours']['clean']:.1f} | {b['stock']['clean']:.1f} | {b['ours']['clean'] / b['stock']['clean']:.2f} |",
        f"| no-change rebuild (s) | {b['ours']['rebuild']:.1f} | {b['stock']['rebuild']:.1f} | {b['ours']['rebuild'] / b['stock']['rebuild']:.2f} |",
        f"| site on disk (MB) | {disk['ours'] / 1e6:.1f} | {disk['stock'] / 1e6:.1f} | {disk['ours'] / disk['stock']:.2f} |",
        f"| nbval over book/*.ipynb (s) | {r['nbval_seconds']:.1f} | | |",
        "",
        "Bytes a browser fetches per page, empty cache, in headless Chromium (kB; gzip = every body at level 9).",
        "Floor: the page's HTML, minimal CSS, and Vega (chart pages) or, in a build that uses it, MathJax (math pages).",
        "",
        "| page | kind | this book raw | this book gzip | floor gzip | x floor | stock raw | stock gzip | target | verdict |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    lines += [page_line(name, w) for name, w in r["pages"].items()]
    passed = sum(w["pass"] for w in r["pages"].values())
    lines += ["", f"{passed} of {len(r['pages'])} pages meet their target: text pages at most "
              f"{r['targets']['text_gzip'] / 1e3:.0f} kB gzip, chart pages at most "
              f"{r['targets']['chart_floor_ratio']} x their floor; math pages are held to the text target."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())

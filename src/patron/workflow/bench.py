"""``make bench``: build time and page weight, against a stock Jupyter Book 1 build.

Measured in one run and written to ``bench-output/bench.md`` (and ``.json``):

- clean-build time and no-change rebuild time, for this book and for a stock
  build of the same pages;
- nbval time over the committed notebooks;
- the bytes a reader downloads for each page, raw and gzip, counting every
  script, stylesheet and font the page loads, including what a stock page
  fetches from CDNs.

The stock build is a copy of the book whose notebooks are re-executed with
Altair's default renderer (HTML that loads Vega from cdn.jsdelivr.net), built
by Jupyter Book 1 with none of this project's extensions (its MathJax also
comes from the CDN). CDN files are measured from the npm packages that the CDN
serves them from (``npm pack``), since this machine has no other network; if
npm is missing, CDN bytes are reported as unknown.

Fonts are counted as the WOFF2 files that a page's stylesheets declare (an
upper bound: a browser fetches only the faces a page uses). MathJax's fonts,
fetched by script, are not counted, on either side.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

from bs4 import BeautifulSoup

from patron.paths import ROOT

OUT = ROOT / "bench-output"
BIN = Path(sys.executable).parent
COPY_IGNORE = shutil.ignore_patterns(".venv", "_build", "bench-output", ".git", "__pycache__", ".pytest_cache")
CDN = re.compile(r"^https://cdn\.jsdelivr\.net/npm/(?P<pkg>(?:@[^/]+/)?[^@/?]+)@(?P<ver>[^/?]+)(?P<path>/[^?]*)?")


def build(book: Path) -> float:
    """Run a Jupyter Book build of ``book``; return seconds taken."""
    start = time.perf_counter()
    subprocess.run([str(BIN / "jupyter-book"), "build", str(book), "--quiet"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def sizes(data: bytes) -> tuple[int, int]:
    return len(data), len(gzip.compress(data, compresslevel=9, mtime=0))


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


def page_weight(page: Path, html_root: Path, cdn: CdnFiles) -> dict:
    """Raw and gzip bytes of a page and of everything it loads."""
    doc = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    urls: list[str] = []
    for el in doc.find_all("script", src=True):
        urls.append(el["src"])
    for el in doc.find_all("link", href=True):
        if {"stylesheet", "preload"} & set(el.get("rel", [])):
            urls.append(el["href"])
    for el in doc.find_all("img", src=True):
        urls.append(el["src"])
    # Scripts that the stock Altair output injects at run time.
    for script in doc.find_all("script", src=False):
        urls += re.findall(r"https://cdn\.jsdelivr\.net/npm/vega(?:-lite|-embed)?@[^\"'?]+", script.get_text())

    raw = gz = 0
    unknown: list[str] = []
    seen: set[str] = set()
    page_bytes = page.read_bytes()
    r, g = sizes(page_bytes)
    raw, gz = raw + r, gz + g
    for url in urls:
        parsed = urlparse(url)
        if parsed.scheme in ("http", "https"):
            key, data = url, cdn.get(url)
        else:
            file = (page.parent / parsed.path).resolve()
            key, data = str(file), (file.read_bytes() if file.is_file() else None)
            if data is not None and file.suffix == ".css":
                for font in re.findall(r"url\(([^)]+\.woff2)\)", data.decode("utf-8", "replace")):
                    font_file = (file.parent / font.strip("'\"")).resolve()
                    if font_file.is_file() and str(font_file) not in seen:
                        seen.add(str(font_file))
                        fr, fg = sizes(font_file.read_bytes())
                        raw, gz = raw + fr, gz + fg
        if key in seen:
            continue
        seen.add(key)
        if data is None:
            unknown.append(url)
            continue
        r, g = sizes(data)
        raw, gz = raw + r, gz + g
    return {"raw": raw, "gzip": gz, "unknown": unknown}


def weights(html_root: Path, cdn: CdnFiles) -> dict[str, dict]:
    return {str(p.relative_to(html_root)): page_weight(p, html_root, cdn)
            for p in sorted(html_root.glob("book/*.html"))}


def make_stock_copy(workdir: Path) -> Path:
    """The same book with Altair's default renderer and no project extensions."""
    stock = workdir / "stock"
    shutil.copytree(ROOT, stock, ignore=COPY_IGNORE)
    config = (stock / "_config.yml").read_text(encoding="utf-8")
    for ext in ("sphinx-mathjax-offline", "patron.site.vega", "patron.site.trim"):
        config = config.replace(f"    - {ext}\n", "")
    (stock / "_config.yml").write_text(config, encoding="utf-8")
    for md in (stock / "book").glob("*.md"):
        text = md.read_text(encoding="utf-8").replace("use_book_renderer()\n", "pass  # stock: Altair's default renderer\n")
        md.write_text(text, encoding="utf-8")
    subprocess.run([sys.executable, "-m", "patron.workflow.notebooks", "execute", *map(str, sorted((stock / "book").glob("*.md")))],
                   check=True, capture_output=True)
    return stock


def main() -> int:
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        ours = workdir / "ours"
        shutil.copytree(ROOT, ours, ignore=COPY_IGNORE)
        print("building this book (clean, then no-change rebuild)…", flush=True)
        ours_clean, ours_rebuild = build(ours), build(ours)
        print("timing nbval…", flush=True)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval", "--nbval-current-env",
                        "-o", "testpaths=", "-o", "addopts=", str(ROOT / "book")], check=True, capture_output=True)
        nbval_seconds = time.perf_counter() - start
        print("building the stock book…", flush=True)
        stock = make_stock_copy(workdir)
        stock_clean, stock_rebuild = build(stock), build(stock)
        print("weighing pages (CDN files via npm)…", flush=True)
        cdn = CdnFiles(workdir / "npm")
        ours_w = weights(ours / "_build" / "html", cdn)
        stock_w = weights(stock / "_build" / "html", cdn)
        site_bytes = {name: sum(f.stat().st_size for f in (book / "_build" / "html").rglob("*") if f.is_file())
                      for name, book in (("ours", ours), ("stock", stock))}

    result = {
        "build_seconds": {"ours": {"clean": ours_clean, "rebuild": ours_rebuild},
                          "stock": {"clean": stock_clean, "rebuild": stock_rebuild}},
        "nbval_seconds": nbval_seconds,
        "site_bytes_on_disk": site_bytes,
        "pages": {page: {"ours": ours_w[page], "stock": stock_w.get(page)} for page in ours_w},
    }
    (OUT / "bench.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    (OUT / "bench.md").write_text(report(result), encoding="utf-8")
    print(report(result))
    return 0


def report(r: dict) -> str:
    b = r["build_seconds"]
    lines = [
        "# Benchmark: this book against a stock Jupyter Book 1 build of the same pages",
        "",
        "| measure | this book | stock | ratio |",
        "|---|---:|---:|---:|",
        f"| clean build (s) | {b['ours']['clean']:.1f} | {b['stock']['clean']:.1f} | {b['ours']['clean'] / b['stock']['clean']:.2f} |",
        f"| no-change rebuild (s) | {b['ours']['rebuild']:.1f} | {b['stock']['rebuild']:.1f} | {b['ours']['rebuild'] / b['stock']['rebuild']:.2f} |",
        f"| site on disk (MB) | {r['site_bytes_on_disk']['ours'] / 1e6:.1f} | {r['site_bytes_on_disk']['stock'] / 1e6:.1f} | "
        f"{r['site_bytes_on_disk']['ours'] / r['site_bytes_on_disk']['stock']:.2f} |",
        f"| nbval over book/*.ipynb (s) | {r['nbval_seconds']:.1f} | | |",
        "",
        "Bytes a reader downloads per page (page, scripts, stylesheets, fonts; stock includes CDN files):",
        "",
        "| page | this book raw (kB) | stock raw (kB) | ratio | this book gzip (kB) | stock gzip (kB) | ratio |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for page, w in r["pages"].items():
        o, s = w["ours"], w["stock"]
        if not s:
            continue
        flag = " (stock CDN bytes unknown)" if s["unknown"] else ""
        lines.append(f"| {page}{flag} | {o['raw'] / 1e3:.0f} | {s['raw'] / 1e3:.0f} | {o['raw'] / s['raw']:.2f} | "
                     f"{o['gzip'] / 1e3:.0f} | {s['gzip'] / 1e3:.0f} | {o['gzip'] / s['gzip']:.2f} |")
    lines += ["", "Targets: a chart page at most half the stock page's bytes; a clean build within 2x stock."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())

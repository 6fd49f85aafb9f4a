"""The whole book prints as one PDF (``make pdf``), and the landing page links to it.

The book is printed once per session, by the function ``make pdf`` calls
(:func:`patron.workflow.pdf.build_pdf`), into a temporary folder (in the
background, beside the site build: see ``pdf_job`` in conftest.py), and read
back with poppler's ``pdftotext`` and ``pdfinfo``. Those tests are skipped,
with a message, where Chromium, poppler-utils or the Noto CJK fonts are
missing on a local machine, but never in CI (CI=true), where .ci/run installs
them. The landing-page link is tested on its own, with no browser.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup

from conftest import in_ci
from patron.paths import BOOK_DIR, ROOT
from patron.site.pdflink import LINK_CLASS, link_pdf, with_pdf_link
from patron.workflow.pdf import CHROMIUM, PDF_NAME, Printed, read_yaml, toc_entries

HANGUL = re.compile(r"[\uac00-\ud7a3]+")
VEGALITE = "application/vnd.vegalite.v6+json"


@dataclass
class Book:
    printed: Printed = field(repr=False)
    pages: list[str] = field(repr=False)  # each page's text, as pdftotext reads it
    page_count: int  # as pdfinfo reports it


def require(ok: bool, what: str) -> None:
    """Skip locally when a tool is missing; fail in CI, where .ci/run must install it."""
    if not ok:
        if in_ci():
            pytest.fail(f"{what} is missing in CI: .ci/run must install it")
        pytest.skip(f"{what} not installed: `apt-get install chromium fonts-noto-cjk poppler-utils`")


@pytest.fixture(scope="session")
def book(pdf_job) -> Book:
    require(CHROMIUM.exists(), f"Chromium ({CHROMIUM})")
    require(bool(shutil.which("pdftotext") and shutil.which("pdfinfo")), "poppler-utils (pdftotext, pdfinfo)")
    printed = pdf_job.result()  # build_pdf(), started by conftest beside the site build
    text = subprocess.run(["pdftotext", str(printed.pdf), "-"], capture_output=True, text=True, check=True).stdout
    info = subprocess.run(["pdfinfo", str(printed.pdf)], capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")[:-1]  # pdftotext ends every page, the last one too, with a form feed
    return Book(printed, pages, int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1)))


def normalise(text: str) -> str:
    """Text as compared: curly quotes straightened, words hyphenated across lines rejoined, spaces collapsed."""
    text = text.translate(str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u00ad": None}))
    text = re.sub(r"(\w)-\s+(\w)", r"\1-\2", text)
    return " ".join(text.split())


def chapter_titles() -> list[str]:
    """Every _toc.yml entry's title as its chapter states it: the first '# ' heading of its notebook."""
    titles = []
    for _, docname in toc_entries(read_yaml(ROOT / "_toc.yml")):
        cells = json.loads((ROOT / f"{docname}.ipynb").read_text(encoding="utf-8"))["cells"]
        lines = ("".join(c["source"]).splitlines() for c in cells if c["cell_type"] == "markdown")
        titles.append(next(line[2:].strip() for cell in lines for line in cell if line.startswith("# ")))
    return titles


def notebook_outputs() -> list[tuple[str, str]]:
    """(MIME type, content) of every stored output in the book's notebooks."""
    outputs = []
    for notebook in sorted(BOOK_DIR.glob("*.ipynb")):
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
            for output in cell.get("outputs", []):
                for mime, value in output.get("data", {}).items():
                    outputs.append((mime, "".join(value) if isinstance(value, list) else json.dumps(value)))
    return outputs


@pytest.mark.browser
def test_every_chapter_starts_a_page_under_its_title(book: Book) -> None:
    """A chapter dropped from the print, or printed without its heading, fails here (the contents alone do not count)."""
    starts = [normalise(page) for page in book.pages]
    for title in map(normalise, chapter_titles()):
        heading = re.compile(rf"(\d+\. )?{re.escape(title)}")
        assert any(heading.match(start) for start in starts), f"no page starts with the chapter {title!r}"


@pytest.mark.browser
def test_the_contents_list_every_chapter_in_toc_order(book: Book) -> None:
    first = next(i for i, page in enumerate(book.pages) if page.startswith("Contents"))
    contents = " ".join(normalise(page) for page in book.pages[first:first + 3])  # the list may run over pages
    position = 0
    for title in map(normalise, chapter_titles()):
        found = contents.find(title, position)
        assert found >= 0, f"{title!r} is missing from the contents, or out of _toc.yml order"
        position = found + len(title)


@pytest.mark.browser
def test_title_page_and_page_numbers(book: Book) -> None:
    config = read_yaml(ROOT / "_config.yml")
    title = normalise(book.pages[0])
    for part in str(config["title"]).split(": ") + [str(config["author"]), "Printed from commit"]:
        assert normalise(part) in title, f"the title page lacks {part!r}"
    assert title.endswith(f"page 1 of {book.page_count}")
    assert normalise(book.pages[-1]).endswith(f"page {book.page_count} of {book.page_count}")


@pytest.mark.browser
def test_the_page_count_is_sane(book: Book) -> None:
    """At least a page per chapter, plus the title page and the contents; at most 2,000.

    And between 150 and 700 words a page on average: an A4 page of 10.5pt
    text holds about 600. Fewer than 150 means pages left mostly blank (a chart
    or table blown up to a page, breaks everywhere); more than 700 means the
    text was shrunk, which is what Chromium does to a whole document when
    something in it is wider than the page. (The book now prints at about 360.)
    """
    assert len(book.pages) == book.page_count
    assert len(book.printed.chapters) + 2 <= book.page_count <= 2000
    words = sum(len(page.split()) for page in book.pages)
    assert 150 <= words / book.page_count <= 700, f"{words / book.page_count:.0f} words a page"


@pytest.mark.browser
def test_korean_prints_as_hangul(book: Book) -> None:
    """Every Korean word in the book's outputs (quotations, bibliography titles) is in the PDF's text.

    Words are compared with all spaces removed: Chromium may break a line
    between any two Hangul syllables. The text is read in the order the PDF
    draws it (pdftotext -raw): the layout order can set a wrapped syllable
    beside the other column's text. A note that failed to open would lose
    its Korean here too.
    """
    raw = subprocess.run(["pdftotext", "-raw", str(book.printed.pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    printed = re.sub(r"\s+", "", raw)
    korean = {word for mime, text in notebook_outputs() if mime in ("text/html", "text/markdown")
              for word in HANGUL.findall(text)}
    assert korean, "the book has no Korean text to check"
    missing = sorted(word for word in korean if word not in printed)
    assert missing == [], f"{len(missing)} of {len(korean)} Korean words did not print: {missing[:10]}"


@pytest.mark.browser
def test_korean_prints_in_a_korean_face(book: Book) -> None:
    """Korean is drawn with Noto CJK KR, never a Japanese or Chinese face, and never missing (boxes)."""
    require(bool(subprocess.run(["fc-list", "Noto Sans CJK KR"], capture_output=True, text=True).stdout.strip()),
            "fonts-noto-cjk")
    cjk = [name for name in book.printed.hangul_fonts if "CJK" in name]
    assert cjk and all(name.endswith("CJK KR") for name in cjk), book.printed.hangul_fonts


@pytest.mark.browser
def test_every_chart_drew_and_every_note_opened(book: Book) -> None:
    """As many charts drawn as the notebooks hold; every collapsed note opened; no request left the machine."""
    in_notebooks = sum(mime == VEGALITE for mime, _ in notebook_outputs())
    page = BeautifulSoup(book.printed.html.read_text(encoding="utf-8"), "html.parser")
    assert book.printed.charts == len(page.select("div.patron-vega")) == in_notebooks
    assert book.printed.charts_drawn == book.printed.charts
    assert book.printed.notes_opened >= len(page.select("article details, article div.admonition.dropdown"))
    assert book.printed.blocked == []


# The landing-page link (patron.site.pdflink): no browser needed.

LANDING = ('<html><body><div class="bd-sidebar">x</div><article class="bd-article">\n<section id="introduction">'
           '<h1>Introduction<a class="headerlink" href="#introduction">#</a></h1>\n<p>Text.</p></section>'
           "</article></body></html>")


def fake_build(tmp_path: Path, with_pdf: bool) -> SimpleNamespace:
    """A finished html build of a book whose root document is book/intro, with or without a printed PDF."""
    src, out = tmp_path / "src", tmp_path / "out"
    (out / "book").mkdir(parents=True)
    (out / "book" / "intro.html").write_text(LANDING, encoding="utf-8")
    if with_pdf:
        (src / "_build" / "pdf").mkdir(parents=True)
        (src / "_build" / "pdf" / PDF_NAME).write_bytes(b"%PDF-1.4 " + b"x" * 2_500_000)
    return SimpleNamespace(srcdir=str(src), outdir=str(out), builder=SimpleNamespace(name="html"),
                           config=SimpleNamespace(root_doc="book/intro"))


def test_the_landing_page_links_to_the_pdf_when_there_is_one(tmp_path: Path) -> None:
    app = fake_build(tmp_path, with_pdf=True)
    link_pdf(app, None)
    link_pdf(app, None)  # a rebuild must not add a second link
    page = (Path(app.outdir) / "book" / "intro.html").read_text(encoding="utf-8")
    links = BeautifulSoup(page, "html.parser").select(f"p.{LINK_CLASS} a")
    assert len(links) == 1
    assert links[0]["href"] == f"../{PDF_NAME}" and links[0].get_text() == "Download the whole book as a PDF (2.5 MB)"
    assert page.index("</h1>") < page.index(LINK_CLASS) < page.index("<p>Text.</p>"), "the link is not under the title"
    assert (Path(app.outdir) / PDF_NAME).read_bytes() == (Path(app.srcdir) / "_build" / "pdf" / PDF_NAME).read_bytes()


def test_without_a_pdf_the_landing_page_is_untouched(tmp_path: Path) -> None:
    app = fake_build(tmp_path, with_pdf=False)
    link_pdf(app, None)
    assert (Path(app.outdir) / "book" / "intro.html").read_text(encoding="utf-8") == LANDING
    assert not (Path(app.outdir) / PDF_NAME).exists()
    assert with_pdf_link(LANDING, None) == LANDING


def test_a_link_left_by_an_earlier_build_goes_when_the_pdf_does(tmp_path: Path) -> None:
    app = fake_build(tmp_path, with_pdf=True)
    link_pdf(app, None)
    (Path(app.srcdir) / "_build" / "pdf" / PDF_NAME).unlink()
    link_pdf(app, None)
    assert (Path(app.outdir) / "book" / "intro.html").read_text(encoding="utf-8") == LANDING
    assert not (Path(app.outdir) / PDF_NAME).exists()


@pytest.mark.browser
def test_no_link_points_at_the_machine_that_printed_it(book: Book) -> None:
    """Links to the site's own files (the data downloads) print as words, not file:// links;
    links to other hosts (the cited sources) stay."""
    listed = subprocess.run(["pdfinfo", "-url", str(book.printed.pdf)], capture_output=True, text=True, check=True).stdout
    urls = [line.split()[-1] for line in listed.splitlines()[1:] if line.strip()]
    assert [u for u in urls if u.startswith("file:")] == []
    assert any(u.startswith("https://") for u in urls), "the cited sources' links should survive"

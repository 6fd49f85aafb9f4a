"""Link the landing page to the whole book as one PDF, once ``make pdf`` has printed it.

At the end of an html build, if ``_build/pdf/when-clients-arm.pdf`` exists in
the book's folder, this extension copies it to the top of the site and adds
one line under the landing page's title: "Download the whole book as a PDF
(9.8 MB)". Without a PDF it does nothing, so the site is byte for byte what
it would be without this extension. The publishing sequence is therefore
``make pdf``, then ``make book``.

The page is edited as text, not re-parsed, so nothing else in it changes.
"""

from __future__ import annotations

import posixpath
import re
import shutil
from pathlib import Path
from typing import Any

from sphinx.util import logging

from patron.paths import PDF_NAME

LINK_CLASS = "patron-pdf-link"
# The landing page's title: the first <h1> in the article.
TITLE = re.compile(r'(<article class="bd-article">.*?</h1>)', re.DOTALL)
OLD_LINK = re.compile(rf'\n?<p class="{LINK_CLASS}">.*?</p>', re.DOTALL)

logger = logging.getLogger(__name__)


def link_html(href: str, size_bytes: int) -> str:
    """The one line that offers the PDF, with its size.

    The link is marked up as Sphinx's own ``{download}`` role marks up its
    links, so the theme gives it its download icon.
    """
    return (f'<p class="{LINK_CLASS}"><a class="reference download internal" download href="{href}">'
            f"Download the whole book as a PDF ({size_bytes / 1_000_000:.1f} MB)</a></p>")


def with_pdf_link(page: str, href: str | None, size_bytes: int = 0) -> str:
    """The landing page with the PDF link under its title, or without any if ``href`` is None.

    A link left by an earlier build is replaced (or removed), so rebuilding
    never adds a second one.
    """
    page = OLD_LINK.sub("", page)
    if href is None:
        return page
    return TITLE.sub(lambda title: title.group(1) + "\n" + link_html(href, size_bytes), page, count=1)


def link_pdf(app: Any, exception: Exception | None) -> None:
    """After an html build: copy the PDF into the site and link it, if ``make pdf`` has made one."""
    if exception is not None or app.builder.name != "html":
        return  # not for singlehtml: the printed book would link to itself
    pdf = Path(app.srcdir) / "_build" / "pdf" / PDF_NAME
    outdir = Path(app.outdir)
    landing = outdir / f"{app.config.root_doc}.html"
    copied = outdir / PDF_NAME
    if not pdf.is_file():
        copied.unlink(missing_ok=True)  # an earlier build's copy
        if landing.is_file() and LINK_CLASS in (text := landing.read_text(encoding="utf-8")):
            landing.write_text(with_pdf_link(text, None), encoding="utf-8")
        return
    shutil.copyfile(pdf, copied)
    href = posixpath.relpath(PDF_NAME, posixpath.dirname(app.config.root_doc) or ".")
    text = landing.read_text(encoding="utf-8")
    linked = with_pdf_link(text, href, pdf.stat().st_size)
    if LINK_CLASS not in linked:
        logger.warning(f"pdflink: no title found in {landing.name}, so the PDF is not linked")
    landing.write_text(linked, encoding="utf-8")


def setup(app: Any) -> dict[str, Any]:
    app.connect("build-finished", link_pdf)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}

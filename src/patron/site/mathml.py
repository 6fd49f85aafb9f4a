"""Write the book's math as MathML when the site is built, so no page needs MathJax.

MathJax typesets TeX in the reader's browser: 262 kB of script (gzip) and
fonts fetched after it, on every page with math. Browsers draw MathML
themselves (MathML Core; Chromium since version 109, Firefox and Safari for
longer), so converting each formula once, at build time, gives the same math
for no script at all. The book's math is short (the typology's $E$ and $C$),
which `latex2mathml` converts faithfully; a formula it cannot convert stops the
build with the formula and its source named, rather than printing raw TeX.

Registered as a Sphinx math renderer and selected in ``_config.yml`` with
``html_math_renderer: mathml``.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from latex2mathml.converter import convert

RENDERER = "mathml"


def to_mathml(latex: str, display: str = "inline") -> str:
    """One formula as a MathML ``<math>`` element; raise ValueError, naming it, if it will not convert."""
    try:
        return convert(latex.strip(), display=display)
    except Exception as error:  # latex2mathml raises several types, all meaning "not convertible"
        raise ValueError(f"cannot write {latex!r} as MathML: {error}") from error


def _where(node: nodes.Node) -> str:
    return f"{node.source or '?'}:{node.line or '?'}"


def visit_inline(translator: Any, node: nodes.math) -> None:
    try:
        translator.body.append(to_mathml(node.astext(), "inline"))
    except ValueError as error:
        raise ValueError(f"{_where(node)}: {error}") from error
    raise nodes.SkipNode


def visit_block(translator: Any, node: nodes.math_block) -> None:
    try:
        math = to_mathml(node.astext(), "block")
    except ValueError as error:
        raise ValueError(f"{_where(node)}: {error}") from error
    ids = " ".join(node.get("ids", []))
    translator.body.append(f'<div class="math-block"{f" id={ids!r}" if ids else ""}>{math}</div>\n')
    raise nodes.SkipNode


def setup(app: Any) -> dict[str, Any]:
    app.add_html_math_renderer(RENDERER, inline_renderers=(visit_inline, None), block_renderers=(visit_block, None))
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}

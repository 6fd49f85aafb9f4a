"""Draw the book's Altair charts in the static site, with no network.

Notebooks store only each chart's Vega-Lite spec, under the MIME type
:data:`patron.charts.VEGALITE_MIME` (see :func:`patron.charts.use_book_renderer`).
At build time this module does two things:

1. As a myst-nb *mime renderer* plugin (entry point ``myst_nb.mime_renderers``
   in ``pyproject.toml``), it turns each stored spec into a chart container,
   the spec as inline JSON, and the chart's text alternative.
2. As a Sphinx extension (listed in ``_config.yml``), it writes ONE script,
   the Vega, Vega-Lite and vega-embed bundle shipped inside the pinned
   ``vl-convert-python`` wheel, plus a few lines that embed every container on
   the page. The bundle is wrapped in a function scope, because its top-level
   ``const`` names collide with Sphinx's own scripts. The script is added only
   to pages that have a chart.

vega-embed's "Open in Vega Editor" action is switched off: it would post the
chart's data to an outside site.
"""

from __future__ import annotations

import hashlib
import html
import json
from pathlib import Path
from typing import Any

from docutils import nodes

VEGALITE_MIME = "application/vnd.vegalite.v6+json"
SCRIPT_NAME = "patron-vega.js"
CSS_NAME = "patron-vega.css"
CONTAINER_CLASS = "patron-vega"

# Runs inside the bundle, where vegaEmbed is in scope. It embeds every chart
# container once, and writes any failure into the page where a reader (and the
# browser test) can see it.
EMBED_SNIPPET = """
function patronEmbedAll() {
  document.querySelectorAll("div.%(cls)s").forEach(function (el) {
    if (el.getAttribute("data-embedded")) { return; }
    el.setAttribute("data-embedded", "1");
    var spec = JSON.parse(document.getElementById(el.id + "-spec").textContent);
    var options = {
      renderer: "svg",
      actions: { export: true, source: false, compiled: false, editor: false },
    };
    vegaEmbed(el, spec, options).catch(function (err) {
      var p = document.createElement("p");
      p.className = "%(cls)s-error";
      p.textContent = "This chart could not be drawn: " + err;
      el.appendChild(p);
    });
  });
}
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", patronEmbedAll);
} else {
  patronEmbedAll();
}
""" % {"cls": CONTAINER_CLASS}

CSS = """
.patron-vega { width: 100%; overflow-x: auto; }
.patron-vega-alt { font-size: 0.9em; margin: 0.25em 0 0.5em; }
.patron-vega-alt summary { cursor: pointer; }
.patron-vega-error { color: #a00; font-weight: bold; }
"""


def chart_html(spec: dict[str, Any], key: str) -> str:
    """The HTML for one chart: container, inline spec, and text alternative.

    ``key`` makes the element ids unique on the page; it is derived from the
    spec and the output's position, so rebuilding gives identical HTML.
    """
    description = str(spec.get("description", "")).strip()
    if not description:
        raise ValueError("a chart spec has no 'description': every chart needs a text alternative")
    digest = hashlib.sha1(f"{key}:{json.dumps(spec, sort_keys=True)}".encode()).hexdigest()[:10]
    chart_id = f"{CONTAINER_CLASS}-{digest}"
    spec_json = json.dumps(spec, sort_keys=True).replace("</", "<\\/")
    return (
        f'<div class="{CONTAINER_CLASS}-figure">\n'
        f'<div class="{CONTAINER_CLASS}" id="{chart_id}" aria-describedby="{chart_id}-alt"></div>\n'
        f'<script type="application/json" id="{chart_id}-spec">{spec_json}</script>\n'
        f'<details class="{CONTAINER_CLASS}-alt"><summary>Text description of this chart</summary>\n'
        f'<p id="{chart_id}-alt">{html.escape(description)}</p></details>\n'
        f"</div>\n"
    )


class VegaLiteMimeRenderer:
    """myst-nb mime renderer plugin for stored Vega-Lite specs."""

    mime_priority_overrides = [("*", VEGALITE_MIME, 1)]

    @staticmethod
    def handle_mime(renderer: Any, data: Any, inline: bool) -> list[nodes.Element] | None:
        if inline or data.mime_type != VEGALITE_MIME:
            return None
        spec = data.content if isinstance(data.content, dict) else json.loads(data.content)
        key = f"{data.cell_index}-{data.output_index}"
        return [nodes.raw("", chart_html(spec, key), format="html")]


def javascript_bundle() -> str:
    """Vega, Vega-Lite and vega-embed with the embedding snippet, in a function scope."""
    import vl_convert

    bundle = vl_convert.javascript_bundle(snippet=EMBED_SNIPPET)
    return "(function () {\n" + bundle + "\n})();\n"


def _add_assets_to_chart_pages(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    if f'class="{CONTAINER_CLASS}"' in context.get("body", ""):
        app.add_js_file(SCRIPT_NAME, defer="defer")
        app.add_css_file(CSS_NAME)


def _write_assets(app: Any, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    static.mkdir(parents=True, exist_ok=True)
    for name, text in ((SCRIPT_NAME, javascript_bundle()), (CSS_NAME, CSS)):
        target = static / name
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")


def setup(app: Any) -> dict[str, Any]:
    app.connect("html-page-context", _add_assets_to_chart_pages)
    app.connect("build-finished", _write_assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}

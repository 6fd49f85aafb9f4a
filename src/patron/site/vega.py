"""Draw the book's Altair charts in the static site, with no network.

Notebooks store only each chart's Vega-Lite spec, under the MIME type
:data:`VEGALITE_MIME` (see :func:`patron.charts.use_book_renderer`). At build
time this module does two things:

1. As a myst-nb *mime renderer* plugin (entry point ``myst_nb.mime_renderers``
   in ``pyproject.toml``), it compiles each stored Vega-Lite spec to Vega with
   the pinned ``vl-convert-python``, and writes a chart container, the Vega
   spec as inline JSON, and the chart's text alternative.
2. As a Sphinx extension (listed in ``_config.yml``), it writes ONE script:
   Vega (the file vendored in ``patron/site/vendor``, the version vl-convert
   compiles for) followed by a few lines that draw every container on the
   page, all wrapped in a function scope so that nothing collides with
   Sphinx's own scripts. The script is added only to pages that have a chart.

Compiling at build time means readers download Vega alone, not the Vega-Lite
compiler and vega-embed as well: 512 KB of script instead of 898 KB. Nothing
posts a chart's data anywhere (vega-embed's "Open in Vega Editor" action is
simply not shipped). Selections, legend bindings and tooltips are part of the
compiled Vega and keep working; tooltips use the browser's own.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from pathlib import Path
from typing import Any

from docutils import nodes

VEGALITE_MIME = "application/vnd.vegalite.v6+json"
VENDORED_VEGA = Path(__file__).parent / "vendor" / "vega.min.js"
VENDORED_VEGA_VERSION = "6.2.0"
SCRIPT_NAME = "patron-vega.js"
CSS_NAME = "patron-vega.css"
CONTAINER_CLASS = "patron-vega"

# Runs after Vega, in the same function scope. It draws every chart container
# once, and writes any failure into the page where a reader (and the browser
# test) can see it.
EMBED_SNIPPET = """
var vega = globalThis.vega;
function patronShowError(el, err) {
  var p = document.createElement("p");
  p.className = "%(cls)s-error";
  p.textContent = "This chart could not be drawn: " + err;
  el.appendChild(p);
}
function patronDrawAll() {
  document.querySelectorAll("div.%(cls)s").forEach(function (el) {
    if (el.getAttribute("data-drawn")) { return; }
    el.setAttribute("data-drawn", "1");
    try {
      var spec = JSON.parse(document.getElementById(el.id + "-spec").textContent);
      var view = new vega.View(vega.parse(spec), { renderer: "svg", container: el, hover: true });
      view.runAsync().catch(function (err) { patronShowError(el, err); });
    } catch (err) {
      patronShowError(el, err);
    }
  });
}
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", patronDrawAll);
} else {
  patronDrawAll();
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
    spec_json = json.dumps(to_vega(spec), sort_keys=True).replace("</", "<\\/")
    return (
        f'<div class="{CONTAINER_CLASS}-figure">\n'
        f'<div class="{CONTAINER_CLASS}" id="{chart_id}" aria-describedby="{chart_id}-alt"></div>\n'
        f'<script type="application/json" id="{chart_id}-spec">{spec_json}</script>\n'
        f'<details class="{CONTAINER_CLASS}-alt"><summary>Text description of this chart</summary>\n'
        f'<p id="{chart_id}-alt">{html.escape(description)}</p></details>\n'
        f"</div>\n"
    )


def to_vega(spec: dict[str, Any]) -> dict[str, Any]:
    """Compile a Vega-Lite spec to Vega with the pinned vl-convert."""
    import vl_convert

    # "$schema": ".../vega-lite/v6.4.1.json" -> vl-convert's version name "v6_4"
    match = re.search(r"/v(\d+)\.(\d+)", str(spec.get("$schema", "")))
    version = f"v{match.group(1)}_{match.group(2)}" if match else None
    return vl_convert.vegalite_to_vega(spec, vl_version=version)


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
    """Vega and the drawing snippet, in one function scope.

    ``define``, ``exports`` and ``module`` are shadowed so that Vega's UMD
    wrapper always takes its browser-global branch, even on a page where some
    other script has set up an AMD loader.
    """
    vega = VENDORED_VEGA.read_text(encoding="utf-8")
    return "(function (define, exports, module) {\n" + vega + "\n" + EMBED_SNIPPET + "\n})();\n"


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

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

The script also does what vega-embed would: it follows the site's light or
dark theme (:data:`THEME_SIGNALS`), switching when the reader does, and puts
under each chart two links that save it as SVG or PNG, made in the page from
the chart as shown (Vega's ``toSVG`` and ``toImageURL``), so nothing is fetched.
The PDF prints the light theme, and hides the links.
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

# Colours that follow the site's theme. Each chart declares these as Vega
# signals with their light value (patron.charts adds them to every chart), and
# the guides (axes, legends, titles, the frame of each view) take their colours
# from them through GUIDE_CONFIG. In the light theme nothing changes, so the
# screen, the downloads and the PDF match; in the dark theme the page's script
# sets each signal to the theme's own colour, read from the CSS variable that
# pydata-sphinx-theme defines (the fallback is that variable's value in 0.17).
# The light values are Vega's own defaults.
THEME_SIGNALS: dict[str, dict[str, str]] = {
    "theme_ink": {"light": "#000", "css": "--pst-color-text-base", "dark": "#ced6dd"},
    "theme_muted": {"light": "#888", "css": "--pst-color-text-muted", "dark": "#9ca4af"},
    "theme_grid": {"light": "#ddd", "css": "--pst-color-border-muted", "dark": "#29313d"},
    "theme_paper": {"light": "white", "css": "--pst-color-background", "dark": "#14181e"},
}


def _signal(name: str) -> dict[str, str]:
    return {"signal": name}


# Passed to vega.parse with every chart. The signals are repeated here so that
# a spec that does not declare them still draws.
GUIDE_CONFIG: dict[str, Any] = {
    "signals": [{"name": name, "value": colours["light"]} for name, colours in THEME_SIGNALS.items()],
    "axis": {"labelColor": _signal("theme_ink"), "titleColor": _signal("theme_ink"),
             "domainColor": _signal("theme_muted"), "tickColor": _signal("theme_muted"),
             "gridColor": _signal("theme_grid")},
    "legend": {"labelColor": _signal("theme_ink"), "titleColor": _signal("theme_ink"),
               "gradientStrokeColor": _signal("theme_grid")},
    "title": {"color": _signal("theme_ink"), "subtitleColor": _signal("theme_ink")},
    "style": {"cell": {"stroke": _signal("theme_grid")},
              "guide-label": {"fill": _signal("theme_ink")}, "guide-title": {"fill": _signal("theme_ink")},
              "group-title": {"fill": _signal("theme_ink")}, "group-subtitle": {"fill": _signal("theme_ink")}},
}

# Runs after Vega, in the same function scope. It draws every chart container
# once, writes any failure into the page where a reader (and the browser test)
# can see it, puts the two download links under each chart, and recolours
# every chart when the reader switches the theme (pydata-sphinx-theme sets
# data-theme on <html>). Recolouring sets signals and reruns the view, so a
# chart keeps its menus, selections and zoom.
EMBED_SNIPPET = """
var vega = globalThis.vega;
var THEME = %(theme)s;
var GUIDE_CONFIG = %(config)s;
var patronViews = [];
function patronShowError(el, err) {
  var p = document.createElement("p");
  p.className = "%(cls)s-error";
  p.textContent = "This chart could not be drawn: " + err;
  el.appendChild(p);
}
function patronColours() {
  var dark = document.documentElement.dataset.theme === "dark";
  var style = getComputedStyle(document.documentElement);
  var colours = {};
  Object.keys(THEME).forEach(function (name) {
    var t = THEME[name];
    colours[name] = dark ? (style.getPropertyValue(t.css).trim() || t.dark) : t.light;
  });
  return colours;
}
function patronTheme(view) {
  var colours = patronColours();
  Object.keys(colours).forEach(function (name) { view.signal(name, colours[name]); });
  view.background(colours.theme_paper);
}
function patronImageURL(view, type) {
  if (type === "svg") {
    return view.toSVG().then(function (svg) {
      return "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svg);
    });
  }
  return view.toImageURL("png", 2);
}
function patronDownloads(el, view) {
  var figure = el.closest("figure");
  var name = figure && figure.id ? figure.id : el.id;
  var p = document.createElement("p");
  p.className = "%(cls)s-downloads";
  p.appendChild(document.createTextNode("Download this chart: "));
  ["svg", "png"].forEach(function (type, i) {
    var a = document.createElement("a");
    a.href = "#";
    a.download = name + "." + type;
    a.textContent = type.toUpperCase();
    a.setAttribute("data-type", type);
    a.setAttribute("aria-label", "Download this chart as " + type.toUpperCase() + ", as shown");
    a.addEventListener("click", function (event) {
      if (a.getAttribute("data-ready")) { a.removeAttribute("data-ready"); return; }
      event.preventDefault();
      patronImageURL(view, type).then(function (url) {
        a.href = url;
        a.setAttribute("data-ready", "1");
        a.click();
      });
    });
    if (i) { p.appendChild(document.createTextNode(" \u00b7 ")); }
    p.appendChild(a);
  });
  el.after(p);
}
function patronDrawAll() {
  document.querySelectorAll("div.%(cls)s").forEach(function (el) {
    if (el.getAttribute("data-drawn")) { return; }
    el.setAttribute("data-drawn", "1");
    try {
      var spec = JSON.parse(document.getElementById(el.id + "-spec").textContent);
      var view = new vega.View(vega.parse(spec, GUIDE_CONFIG), { renderer: "svg", container: el, hover: true });
      patronTheme(view);
      patronViews.push(view);
      view.runAsync().then(function () { patronDownloads(el, view); })
        .catch(function (err) { patronShowError(el, err); });
    } catch (err) {
      patronShowError(el, err);
    }
  });
}
new MutationObserver(function () {
  patronViews.forEach(function (view) { patronTheme(view); view.runAsync(); });
}).observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", patronDrawAll);
} else {
  patronDrawAll();
}
""" % {"cls": CONTAINER_CLASS, "theme": json.dumps(THEME_SIGNALS, sort_keys=True),
       "config": json.dumps(GUIDE_CONFIG, sort_keys=True)}

CSS = """
.patron-vega { width: 100%; overflow-x: auto; }
.patron-vega-alt { font-size: 0.9em; margin: 0.25em 0 0.5em; }
.patron-vega-alt summary { cursor: pointer; }
.patron-vega-error { color: #a00; font-weight: bold; }
.patron-vega-downloads { font-size: 0.85em; margin: 0.25em 0 0; }
@media print { .patron-vega-downloads { display: none; } }
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

"""The book's charts, as Altair (Vega-Lite) specifications.

Each function takes validated data and returns an ``alt.Chart``. Every chart
carries a ``description``: the text alternative that says what it shows,
written from the same data the chart draws. The book's extension shows it
under the chart and Vega uses it as the chart's accessible label.

Notebooks call :func:`use_book_renderer` once. From then on a chart is stored
in the notebook as its Vega-Lite spec only, with no HTML, no random element id
and no script from a CDN, so re-running a notebook gives identical outputs.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from patron.site.vega import THEME_SIGNALS, VEGALITE_MIME
from patron.typology import Level, Response, classify

RENDERER_NAME = "patron-book"
RESPONSE_COLOURS = {
    Response.BYSTANDING: "#4c78a8",
    Response.NEGOTIATION: "#f2a93b",
    Response.RESTRAINT: "#c44e52",
}


def book_mimebundle(spec: dict[str, Any], **metadata: Any) -> dict[str, Any]:
    """Altair renderer: the spec under the Vega-Lite v6 MIME type, plus its text alternative."""
    return {VEGALITE_MIME: spec, "text/plain": str(spec.get("description", "<chart>"))}


def use_book_renderer() -> None:
    """Store charts as bare Vega-Lite specs (see the module docstring)."""
    if RENDERER_NAME not in alt.renderers.names():
        alt.renderers.register(RENDERER_NAME, book_mimebundle)
    alt.renderers.enable(RENDERER_NAME)


# Colours that follow the site's light or dark theme. Each is a Vega signal whose value here is
# the light one; the page's script (patron.site.vega) sets the dark theme's colours. A mark drawn
# on the chart's background (text, a rule, a separator, a hollow mark) takes one of these, never a
# fixed black or white, so that it stays visible in both themes. A mark drawn on a coloured cell
# may keep a fixed colour.
INK = alt.expr("theme_ink")  # text and lines on the background
PAPER = alt.expr("theme_paper")  # the background itself: separators between cells, hollow marks


def theme_params() -> list[alt.Parameter]:
    """The theme's signals, declared with their light values so that every chart draws as it
    prints even where no script sets them (the PDF, vl-convert)."""
    return [alt.param(name=name, value=colours["light"]) for name, colours in THEME_SIGNALS.items()]


def _described(chart: alt.TopLevelMixin, description: str) -> alt.TopLevelMixin:
    """Every chart ends here: it gets its text alternative and the theme's signals."""
    return chart.properties(description=description).add_params(*theme_params())


# --- The typology -----------------------------------------------------------------


def typology_table() -> pd.DataFrame:
    """The 2×2: every pair of levels with the response :func:`classify` gives."""
    rows = [
        {"entrapment": e.value, "control": c.value, "response": classify(e, c).value}
        for e in Level
        for c in Level
    ]
    return pd.DataFrame(rows)


def typology_grid() -> alt.LayerChart:
    """The typology as a 2×2 grid of predicted responses."""
    table = typology_table()
    levels = [Level.LOW.value, Level.HIGH.value]
    base = alt.Chart(table).encode(
        x=alt.X("control:N", sort=levels, title="Threat to the patron's control",
                axis=alt.Axis(labelAngle=0, orient="top")),
        y=alt.Y("entrapment:N", sort=levels[::-1], title="Threat of entrapment"),
    )
    cells = base.mark_rect(stroke=PAPER, strokeWidth=3).encode(
        color=alt.Color(
            "response:N",
            scale=alt.Scale(domain=[r.value for r in Response], range=list(RESPONSE_COLOURS.values())),
            legend=None,
        ),
        tooltip=["entrapment:N", "control:N", "response:N"],
    )
    labels = base.mark_text(fontSize=16, fontWeight="bold", color="white").encode(text="response:N")
    cells_text = "; ".join(
        f"entrapment {r.entrapment} and control {r.control}: {r.response}" for r in table.itertuples()
    )
    description = (
        "A two-by-two grid. Rows are the threat of entrapment (high, low); columns are the threat "
        f"to the patron's control (low, high). Each cell names the predicted response: {cells_text}."
    )
    return _described((cells + labels).properties(width=360, height=240), description)


# --- The guidelines ---------------------------------------------------------------


def ceilings_long(guidelines: pd.DataFrame) -> pd.DataFrame:
    """One row per regime and ceiling, with 'no limit' where the cell is empty."""
    rows = []
    already_unlimited: set[str] = set()
    for g in guidelines.itertuples():
        for measure, column, unit in (("Range", "max_range_km", "km"), ("Payload", "max_payload_kg", "kg")):
            value = getattr(g, column)
            limited = not pd.isna(value)
            first_unlimited = not limited and measure not in already_unlimited
            if not limited:
                already_unlimited.add(measure)
            rows.append({
                "regime_id": g.regime_id,
                "label": g.label,
                "effective_date": str(g.effective_date),
                "measure": f"{measure} ceiling ({unit})",
                "value": int(value) if limited else None,
                "shown": f"{int(value):,} {unit}" if limited else "no limit",
                "first_unlimited": first_unlimited,
            })
    return pd.DataFrame(rows)


def _ceiling_sentence(long: pd.DataFrame, measure: str) -> str:
    part = long[long["measure"] == measure]
    return ", ".join(f"{r.shown} from {r.effective_date}" for r in part.itertuples())


def guidelines_chart(guidelines: pd.DataFrame, tradeoffs: pd.DataFrame) -> alt.VConcatChart:
    """Ceilings over time (top two panels) and reported range–payload combinations (bottom).

    The top panels are step lines: each ceiling holds until the next regime.
    Regimes with no ceiling are drawn as open points on the top edge, and the
    first of them is labelled "no limit". The bottom panel shows each regime's
    reported (range, payload) combinations, which is where the 2012 trade-off
    appears.
    """
    long = ceilings_long(guidelines)
    pick = alt.selection_point(fields=["regime_id"], bind="legend", name="regime")
    x = alt.X("yearmonthdate(effective_date):T", title="Regime takes effect",
              axis=alt.Axis(format="%Y"))
    tooltip = [alt.Tooltip("label:N", title="Regime"), alt.Tooltip("effective_date:N", title="Date"),
               alt.Tooltip("shown:N", title="Ceiling")]

    def panel(measure: str) -> alt.LayerChart:
        data = long[long["measure"] == measure]
        base = alt.Chart(data).encode(x=x)
        step = base.transform_filter("datum.value != null").mark_line(
            interpolate="step-after", color=INK, strokeOpacity=0.7).encode(y=alt.Y("value:Q", title=measure))
        points = base.transform_filter("datum.value != null").mark_point(
            filled=True, size=80).encode(
            y="value:Q", color=alt.Color("regime_id:N", title="Regime"),
            opacity=alt.condition(pick, alt.value(1), alt.value(0.25)), tooltip=tooltip)
        unlimited = base.transform_filter("datum.value == null").mark_point(
            shape="triangle-up", size=80, filled=False).encode(
            y=alt.value(0), color=alt.Color("regime_id:N", title="Regime"), tooltip=tooltip)
        label = base.transform_filter("datum.first_unlimited").mark_text(
            text="no limit from here", dy=-10, align="right", fontStyle="italic", color=INK).encode(y=alt.value(0))
        return alt.layer(step, points, unlimited, label).properties(width=480, height=150)

    measures = list(dict.fromkeys(long["measure"]))

    trade = tradeoffs.merge(guidelines[["regime_id", "label"]], on="regime_id")
    trade = trade.assign(shown=[f"{r:,} km with {p:,} kg" for r, p in zip(trade.range_km, trade.payload_kg)])
    trade_panel = alt.Chart(trade).mark_line(point=alt.OverlayMarkDef(filled=True, size=80)).encode(
        x=alt.X("range_km:Q", title="Range (km)"),
        y=alt.Y("payload_kg:Q", title="Payload (kg)"),
        color=alt.Color("regime_id:N", title="Regime"),
        order="range_km:Q",
        opacity=alt.condition(pick, alt.value(1), alt.value(0.25)),
        tooltip=[alt.Tooltip("label:N", title="Regime"), alt.Tooltip("shown:N", title="Reported combination")],
    ).add_params(pick).properties(width=480, height=220, title="Reported range–payload combinations")

    trade_text = "; ".join(
        f"{label}: " + ", ".join(group["shown"]) for label, group in trade.groupby("label", sort=False)
    )
    description = (
        "Top: step charts of the ceilings set by each guideline regime. "
        f"Range ceiling: {_ceiling_sentence(long, measures[0])}. "
        f"Payload ceiling: {_ceiling_sentence(long, measures[1])}. "
        f"Bottom: reported range–payload combinations within a regime. {trade_text}."
    )
    return _described(alt.vconcat(*[panel(m) for m in measures], trade_panel), description)


# --- The case: chronology and episodes ---------------------------------------------


def plotting_date(date: str, precision: str) -> str:
    """A full date to place a partial one on a time axis: a year is drawn at
    1 July, a month on the 15th. Tooltips show the date as the sources give it."""
    if precision == "year":
        return f"{date[:4]}-07-01"
    if precision == "month":
        return f"{date[:7]}-15"
    return date


TIMELINE_WIDTH, TIMELINE_HEIGHT = 480, 300
YEAR_LABEL_PX = 36  # the room a band's year label needs on the time axis: four digits at 10 px, and a gap
YEAR_ROW_PX = 13  # the height of one row of year labels


def staggered_rows(positions: list[float], min_gap: float) -> list[int]:
    """The row for each of a sequence of labels, left to right, so that no two labels in one row
    are closer than ``min_gap``: each goes in the first row whose last label is far enough back."""
    last: list[float] = []
    rows = []
    for x in positions:
        row = next((r for r, previous in enumerate(last) if x - previous >= min_gap), len(last))
        if row == len(last):
            last.append(x)
        last[row] = x
        rows.append(row)
    return rows


def _years(date: str) -> float:
    """A full date as a year with a fraction, for spacing labels on a time axis."""
    when = pd.Timestamp(date)
    return when.year + (when.day_of_year - 1) / 366


def timeline_chart(events: pd.DataFrame, guidelines: pd.DataFrame) -> alt.LayerChart:
    """Every event on a time line, one row per category, over bands for the guideline regimes.

    Drag to pan and scroll to zoom the time axis; click a category in the
    legend to highlight it. Each band is labelled with its first year at the
    top of the chart; labels that would run into each other at the initial
    zoom are staggered into rows, and the category rows start below them.
    """
    ev = events.assign(when=[plotting_date(d, p) for d, p in zip(events.date, events.date_precision)])
    bands = guidelines[["label", "effective_date", "date_precision"]].copy()
    bands["start"] = [plotting_date(d, p) for d, p in zip(bands.effective_date, bands.date_precision)]
    bands["end"] = list(bands["start"].iloc[1:]) + [f"{int(ev.when.max()[:4]) + 1}-12-31"]
    bands["year"] = bands["effective_date"].str[:4]
    bands["shade"] = [0.05 if i % 2 == 0 else 0.1 for i in range(len(bands))]
    first, last = min(ev.when.min(), bands.start.min()), bands.end.max()
    years_per_px = (_years(last) - _years(first)) / TIMELINE_WIDTH
    bands["row"] = staggered_rows([_years(d) for d in bands.start], YEAR_LABEL_PX * years_per_px)
    # A point scale puts the first category `padding` steps below the top; the labels need
    # their rows and room for a point's radius.
    label_room = YEAR_ROW_PX * (bands.row.max() + 1) + 8
    steps = ev.category.nunique() - 1
    padding = round(max(0.5, label_room * steps / (TIMELINE_HEIGHT - 2 * label_room)), 2)

    zoom = alt.selection_interval(bind="scales", encodings=["x"], name="zoom")
    pick = alt.selection_point(fields=["category"], bind="legend", name="category_pick")
    band_layer = alt.Chart(bands).mark_rect(color=INK).encode(
        x=alt.X("start:T"), x2="end:T", opacity=alt.Opacity("shade:Q", scale=None),
        tooltip=[alt.Tooltip("label:N", title="Guideline regime"), alt.Tooltip("effective_date:N", title="From")])
    band_text = [alt.Chart(bands[bands.row == row]).mark_text(
        align="left", baseline="top", dx=2, fontSize=10, color=INK).encode(
        x="start:T", y=alt.value(2 + YEAR_ROW_PX * row), text="year:N") for row in sorted(set(bands.row))]
    points = alt.Chart(ev).mark_circle(size=80).encode(
        x=alt.X("when:T", title=None, axis=alt.Axis(format="%Y")),
        y=alt.Y("category:N", title=None, scale=alt.Scale(padding=padding)),
        fill=alt.Fill("category:N", title="Category", scale=alt.Scale(scheme="tableau10")),
        opacity=alt.condition(pick, alt.value(0.9), alt.value(0.12)),
        tooltip=[alt.Tooltip("date:N", title="Date"), alt.Tooltip("event:N", title="Event"),
                 alt.Tooltip("actors:N", title="Actors")],
    ).add_params(zoom, pick)
    counts = ev.groupby("category").size()
    description = (
        f"A time line of {len(ev)} events from {ev.date.min()[:4]} to {ev.date.max()[:4]}, one row per category "
        f"({', '.join(f'{c}: {n}' for c, n in counts.items())}), drawn over shaded bands for the guideline "
        f"regimes, which begin in {', '.join(bands.year)}."
    )
    chart = alt.layer(band_layer, *band_text, points).resolve_scale(color="independent")
    return _described(chart.properties(width=TIMELINE_WIDTH, height=TIMELINE_HEIGHT), description)


# --- The typology's grid, with episodes or forecasts placed in it ------------------------

# An unmeasured or tied coding sits in a band of its own, outside the typology's four cells.
GRID_POSITION = {Level.LOW.value: 0, Level.HIGH.value: 1, "unmeasured": 2, "tie": 2}
GRID_SCALE = alt.Scale(domain=[-0.5, 2.5], nice=False, zero=False)
RESPONSE_SCALE = alt.Scale(domain=[r.value for r in Response], range=list(RESPONSE_COLOURS.values()))
GRID_WIDTH, GRID_HEIGHT = 480, 450  # the plotting area in pixels: three cells each way, 154 by 144 px inside

# How the marks that share a cell are laid out, in pixels. Marks sit in rows from just under the
# cell's response name downwards, centred across the cell, in the order of their start date. If the
# cell holds few enough marks for each to have its label under it, they do; otherwise the marks are
# packed closer, without labels (the tooltip and the linked table name them).
MARK_SIZE = 100  # a mark's area in square pixels: about 11 px across
LABEL_FONT = 9  # px
CHAR_WIDTH = 5.0  # an average letter width at LABEL_FONT, generous: DejaVu Sans, a wide face, gives 4.2 px
LABEL_GAP = 6  # between two labels side by side
LABEL_SPAN = 148  # the width labels may use: the cell, less 3 px on each side
LABELLED_PITCH_Y = 28  # one row of marks with labels to the next: mark, label under it, gap
COMPACT_PITCH = 14  # one unlabelled mark to the next, across and down
COMPACT_COLUMNS = 9
# Per kind of cell: the highest a row of marks may sit above the cell's centre, the middle of the
# room below that (a block of marks is centred on it), and how many rows of labelled marks and of
# unlabelled ones fit. A typology cell has its response's name at the top; a cell of the band for
# unmeasured or tied codings has none, so its marks may start higher.
CELL_ROOM = {"typology": {"top": 20, "middle": -15, "labelled_rows": 3, "compact_rows": 6},
             "band": {"top": 58, "middle": 2, "labelled_rows": 4, "compact_rows": 9}}
LABEL_DEPTH = 14  # a block of labelled marks is centred as if this much higher: its labels hang below


def short_label(identifier: str) -> str:
    """The label a grid shows: an id without its years and the 'x' of episodes beyond Korea, which
    still tells apart the three episodes of one period ('p9-nuclear', 'p9-submarine').
    'x-de-mlf-1957-65' -> 'de-mlf', 'p1-nuclear-1970-76' -> 'p1-nuclear', 'F02' -> 'F02'."""
    parts = identifier.split("-")
    if parts[0] == "x" and len(parts) > 1:
        parts = parts[1:]
    return "-".join(part for part in parts[:2] if not part.isdigit())


def _in_cells(frame: pd.DataFrame, label: str, table: str | None) -> pd.DataFrame:
    """Each row's cell of the grid (cx, cy), its label, the label's length and its order within the
    cell (by start date where there is one), for :func:`_dodged` to place it. Given ``table``, the
    name of a :func:`patron.chapter.table` made from ``frame`` in the same order, each row also gets
    the address of its row there (``href``: pandas' Styler gives each cell an id).

    Fails if a cell holds more rows than fit in it even without labels: the grid would then need
    to be larger, not to overlap.
    """
    out = frame.reset_index(drop=True)
    out = out.assign(cx=[GRID_POSITION[c] for c in out.control], cy=[GRID_POSITION[e] for e in out.entrapment],
                     label=[short_label(v) for v in out[label]])
    out["chars"] = out.label.str.len()
    room = [CELL_ROOM["band" if 2 in (x, y) else "typology"] for x, y in zip(out.cx, out.cy)]
    out["top"] = [r["top"] for r in room]
    out["middle"] = [r["middle"] for r in room]
    out["label_rows"] = [r["labelled_rows"] for r in room]
    out["capacity"] = [COMPACT_COLUMNS * r["compact_rows"] for r in room]
    by = ["start", label] if "start" in out else [label]
    ordered = out.astype({column: str for column in by}).sort_values(by, kind="stable").index
    out["order"] = pd.Series(range(1, len(out) + 1), index=ordered)
    if table is not None:
        out["href"] = [f"#T_{table}_row{i}_col0" for i in range(len(out))]
    counts = out.groupby(["cx", "cy"]).capacity.agg(["size", "first"])
    crowded = counts[counts["size"] > counts["first"]]
    if len(crowded):
        raise ValueError(f"a cell of the grid holds more marks than it has room for: {crowded}; "
                         "make the grid larger")
    return out.drop(columns="capacity")


def _dodged(chart: alt.Chart, keep: str) -> alt.Chart:
    """``chart`` with each row's position (x, y, in grid units) and whether its cell shows labels
    (``labelled``), computed in the page after the menus' filter ``keep``. So a crowded cell that
    a menu thins out gains its labels.

    Within a cell, labels fit when every mark can have a slot as wide as the cell's longest label
    (estimated from its letters, generously) in the rows that :data:`CELL_ROOM` allows.
    """
    per_x, per_y = GRID_WIDTH // 3, GRID_HEIGHT // 3
    return chart.transform_filter(keep).transform_window(
        slot="row_number()", groupby=["cx", "cy"], sort=[alt.SortField("order")],
    ).transform_joinaggregate(
        n="count()", longest="max(chars)", groupby=["cx", "cy"],
    ).transform_calculate(
        label_pitch=f"datum.longest * {CHAR_WIDTH} + {LABEL_GAP}",
        label_columns=f"max(1, floor({LABEL_SPAN} / datum.label_pitch))",
        labelled="datum.n <= datum.label_columns * datum.label_rows",
        columns=f"datum.labelled ? min(datum.n, datum.label_columns) : min(datum.n, {COMPACT_COLUMNS})",
        pitch_x=f"datum.labelled ? datum.label_pitch : {COMPACT_PITCH}",
        pitch_y=f"datum.labelled ? {LABELLED_PITCH_Y} : {COMPACT_PITCH}",
        x=f"datum.cx + ((datum.slot - 1) % datum.columns - (datum.columns - 1) / 2) * datum.pitch_x / {per_x}",
        first_row=f"min(datum.top, datum.middle + (ceil(datum.n / datum.columns) - 1) * datum.pitch_y / 2"
                  f" + (datum.labelled ? {LABEL_DEPTH / 2} : 0))",
        y=f"datum.cy + (datum.first_row - floor((datum.slot - 1) / datum.columns) * datum.pitch_y) / {per_y}",
    )


def _grid_cells() -> list[alt.Chart]:
    """The typology's four shaded cells with their response names: the background of every grid.
    A third row and column, unshaded, hold what has a dimension unmeasured or tied."""
    position = GRID_POSITION
    cells = typology_table().assign(
        x0=lambda t: t.control.map(position) - 0.48, x1=lambda t: t.control.map(position) + 0.48,
        y0=lambda t: t.entrapment.map(position) - 0.48, y1=lambda t: t.entrapment.map(position) + 0.48,
        ty=lambda t: t.entrapment.map(position) + 0.3, tx=lambda t: t.control.map(position))
    axis = dict(values=[0, 1, 2], grid=False,
                labelExpr="datum.value == 0 ? 'low' : datum.value == 1 ? 'high' : 'unmeasured'")
    rects = alt.Chart(cells).mark_rect(opacity=0.25, stroke=PAPER, strokeWidth=2).encode(
        x=alt.X("x0:Q", scale=GRID_SCALE, title="Threat to the patron's control",
                axis=alt.Axis(orient="top", **axis)),
        x2="x1:Q", y=alt.Y("y0:Q", scale=GRID_SCALE, title="Threat of entrapment", axis=alt.Axis(**axis)),
        y2="y1:Q", color=alt.Color("response:N", scale=RESPONSE_SCALE, title="Response"))
    names = alt.Chart(cells).mark_text(fontWeight="bold", fontSize=13, color=INK).encode(
        x=alt.X("tx:Q", scale=GRID_SCALE), y=alt.Y("ty:Q", scale=GRID_SCALE), text="response:N")
    return [rects, names]


def _grid_labels(base: alt.Chart, tooltip: list[alt.Tooltip]) -> alt.Chart:
    """The labels under the marks, in the cells where they fit (see :func:`_dodged`)."""
    return base.transform_filter("datum.labelled").mark_text(
        baseline="top", dy=8, fontSize=LABEL_FONT, color=INK).encode(
        x=alt.X("x:Q", scale=GRID_SCALE), y=alt.Y("y:Q", scale=GRID_SCALE), text="label:N", tooltip=tooltip)


def episodes_grid(episodes: pd.DataFrame, armaments: pd.DataFrame | None = None,
                  table: str | None = None) -> alt.LayerChart:
    """Each episode placed in the typology cell its codings select, marked by
    the response actually observed: a filled circle where prediction and
    observation agree, a cross where they do not.

    Given ``armaments``, the chart gains two menus, by client and by armament
    class, that show only the episodes chosen; the menus run in the page (Vega
    parameters), so no kernel is needed. Given ``table``, the name of a
    :func:`patron.chapter.table` made from ``episodes`` in the same order, a
    click on a mark goes to the episode's row there; that is where a reader
    finds the episodes of a cell too crowded for labels.
    """
    if armaments is not None:
        episodes = episodes.merge(armaments[["episode_id", "armament_class"]], on="episode_id", how="left")
    predicted = episodes.predicted_response.fillna("")
    ep = _in_cells(episodes.assign(predicted_response=predicted.replace("", "none"),
                                   outcome=["no prediction" if not p else "hit" if p == o else "miss"
                                            for p, o in zip(predicted, episodes.observed_response)]),
                   "episode_id", table)
    rects, names = _grid_cells()
    tooltip = [alt.Tooltip("title:N", title="Episode"), alt.Tooltip("start:N", title="From"),
               alt.Tooltip("end:N", title="To"), alt.Tooltip("predicted_response:N", title="Predicted"),
               alt.Tooltip("observed_response:N", title="Observed")]
    params, keep = [], "true"
    columns = ["episode_id", "title", "start", "end", "predicted_response", "observed_response", "outcome",
               "cx", "cy", "label", "chars", "order", "top", "middle", "label_rows"]
    if table is not None:
        columns.append("href")
    if armaments is not None:
        client = alt.param(name="pick_client", value="all",
                           bind=alt.binding_select(options=["all", *sorted(ep.client.unique())], name="Client "))
        kind = alt.param(name="pick_class", value="all",
                         bind=alt.binding_select(options=["all", *sorted(ep.armament_class.dropna().unique())],
                                                 name="Armament "))
        params = [client, kind]
        keep = ("(pick_client == 'all' || datum.client == pick_client) && "
                "(pick_class == 'all' || datum.armament_class == pick_class)")
        columns += ["client", "armament_class"]
        tooltip = [alt.Tooltip("client:N", title="Client"), *tooltip,
                   alt.Tooltip("armament_class:N", title="Armament")]
    base = _dodged(alt.Chart(ep[columns]), keep)
    marks = base.mark_point(size=MARK_SIZE, filled=True, opacity=1).encode(
        x=alt.X("x:Q", scale=GRID_SCALE), y=alt.Y("y:Q", scale=GRID_SCALE),
        shape=alt.Shape("outcome:N", scale=alt.Scale(domain=["hit", "miss", "no prediction"],
                                                     range=["circle", "cross", "diamond"]),
                        title="Prediction", legend=alt.Legend(symbolFillColor=INK)),
        color=alt.Color("observed_response:N", scale=RESPONSE_SCALE, legend=None),
        tooltip=tooltip)
    if table is not None:
        marks = marks.encode(href="href:N")
    if params:
        marks = marks.add_params(*params)
    parts = "; ".join(
        f"{r.title} ({r.start}–{r.end}): entrapment {r.entrapment}, control {r.control}, "
        f"predicted {r.predicted_response}, observed {r.observed_response}" for r in ep.itertuples())
    hits = int((ep.outcome == "hit").sum())
    made = int((ep.outcome != "no prediction").sum())
    description = (
        f"The typology's two-by-two grid with {len(ep)} episodes placed by their codings, and a band for an "
        f"unmeasured or tied dimension, where the typology makes no prediction; it predicts in {made} "
        f"episodes, and {hits} of them match the observed response. {parts}."
    )
    if armaments is not None:
        description += " Two menus show only the episodes of one client or one armament class."
    chart = alt.layer(rects, names, marks, _grid_labels(base, tooltip))
    return _described(chart.properties(width=GRID_WIDTH, height=GRID_HEIGHT), description)


# --- Weighing the evidence ------------------------------------------------------------


def item_weights_chart(weights: pd.DataFrame, reference: str) -> alt.Chart:
    """Every evidence item's weight for the reference hypothesis against each rival.

    Each item's claim is stored once and looked up for the tooltip, rather than
    repeated for every rival, to keep the page light.
    """
    claims = weights[["evidence_id", "claim"]].drop_duplicates("evidence_id")
    slim = weights[["episode_id", "evidence_id", "rival", "weight_db", "test"]]
    chart = alt.Chart(slim).transform_lookup(
        lookup="evidence_id", from_=alt.LookupData(claims, key="evidence_id", fields=["claim"]),
    ).mark_circle(size=60, opacity=0.75).encode(
        x=alt.X("weight_db:Q", title=f"Weight for {reference} against the rival (decibans)"),
        y=alt.Y("episode_id:N", title=None, sort=list(dict.fromkeys(weights.episode_id))),
        yOffset=alt.YOffset("rival:N"),
        color=alt.Color("rival:N", title="Rival"),
        tooltip=[alt.Tooltip("evidence_id:N", title="Item"), alt.Tooltip("rival:N", title="Against"),
                 alt.Tooltip("weight_db:Q", title="Weight (dB)", format=".1f"),
                 alt.Tooltip("test:N", title="Van Evera test"), alt.Tooltip("claim:N", title="Claim")],
    ).properties(width=460, height=alt.Step(9))
    zero = alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(color=INK, strokeOpacity=0.75).encode(x="x:Q")
    n_items = weights.evidence_id.nunique()
    heavy = weights.loc[weights.weight_db.abs().idxmax()]
    description = (
        f"A dot plot of {n_items} evidence items, one row per episode and one colour per rival hypothesis; "
        f"each dot is the weight of one item for {reference} against that rival, in decibans (positive favours "
        f"{reference}). {int((weights.weight_db == 0).sum())} of {len(weights)} item–rival weights are zero. "
        f"The heaviest is {heavy.evidence_id} against {heavy.rival}, at {heavy.weight_db:+.1f} dB."
    )
    return _described(alt.layer(zero, chart), description)


def cumulative_chart(weights: pd.DataFrame, reference: str) -> alt.FacetChart:
    """Running log-odds of the reference hypothesis against each rival, item by item, per episode."""
    slim = weights[["episode_id", "evidence_id", "position", "rival", "cumulative_db"]]
    chart = alt.Chart(slim).mark_line(point=True).encode(
        x=alt.X("position:Q", title="Evidence item, in order", axis=alt.Axis(tickMinStep=1)),
        y=alt.Y("cumulative_db:Q", title=f"Log-odds for {reference} (dB)"),
        color=alt.Color("rival:N", title="Against"),
        tooltip=[alt.Tooltip("evidence_id:N", title="After item"), alt.Tooltip("rival:N", title="Against"),
                 alt.Tooltip("cumulative_db:Q", title="Running total (dB)", format=".1f")],
    ).properties(width=150, height=110).facet(
        facet=alt.Facet("episode_id:N", title=None, sort=list(dict.fromkeys(weights.episode_id))), columns=3)
    finals = weights.groupby(["episode_id", "rival"], sort=False).cumulative_db.last()
    summary = "; ".join(f"{e}: " + ", ".join(f"{r} {v:+.0f} dB" for (e2, r), v in finals.items() if e2 == e)
                        for e in dict.fromkeys(weights.episode_id))
    description = (f"Nine small line charts, one per episode: the running total of the evidence's weight for "
                   f"{reference} against each rival, after each item in turn, starting from equal odds. "
                   f"Final totals: {summary}.")
    return _described(chart, description)


def posterior_chart(table: pd.DataFrame) -> alt.LayerChart:
    """Posterior probability of each hypothesis in each episode, as a heat map.

    The colour runs from the page's background (probability 0) to a strong blue (1), so that in
    either theme a likely hypothesis stands out and an unlikely one recedes; the figures are
    drawn in white on the darkest cells and in the theme's text colour on the rest."""
    order = list(dict.fromkeys(table.episode_id))
    base = alt.Chart(table).encode(
        x=alt.X("hypothesis_id:N", title=None, sort=list(dict.fromkeys(table.hypothesis_id)),
                axis=alt.Axis(orient="top", labelAngle=0)),
        y=alt.Y("episode_id:N", title=None, sort=order))
    cells = base.mark_rect().encode(
        color=alt.Color("posterior:Q", title="Posterior",
                        scale=alt.Scale(domain=[0, 1], range=[PAPER, "#08519c"], interpolate="lab")),
        tooltip=[alt.Tooltip("episode_id:N", title="Episode"), alt.Tooltip("hypothesis_id:N", title="Hypothesis"),
                 alt.Tooltip("prior:Q", format=".2f"), alt.Tooltip("posterior:Q", format=".3f"),
                 alt.Tooltip("weight_db:Q", title="Weight vs strongest rival (dB)", format=".1f")])
    text = base.mark_text(fontSize=11).encode(
        text=alt.Text("posterior:Q", format=".2f"),
        color=alt.condition("datum.posterior > 0.6", alt.value("white"), alt.value(INK)))
    from patron.weighing import leaders as leader_table

    leaders = leader_table(table)
    description = ("A heat map of posterior probabilities, one row per episode and one column per hypothesis. "
                   "Leading hypothesis by episode: " + "; ".join(
                       f"{r.episode_id}: {r.hypothesis_id} ({r.posterior:.2f})" for r in leaders.itertuples()) + ".")
    return _described(alt.layer(cells, text).properties(width=360, height=alt.Step(26)), description)


def sensitivity_chart(sensitivity: pd.DataFrame, focus: str) -> alt.Chart:
    """The focus hypothesis's posterior in each episode under every variation of the judgements."""
    chart = alt.Chart(sensitivity).mark_point(filled=True, size=70, opacity=0.8).encode(
        x=alt.X("posterior:Q", title=f"Posterior of {focus}", scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("episode_id:N", title=None, sort=list(dict.fromkeys(sensitivity.episode_id))),
        color=alt.Color("analysis:N", title="What was varied"),
        shape=alt.Shape("analysis:N", legend=None),
        tooltip=[alt.Tooltip("episode_id:N", title="Episode"), alt.Tooltip("analysis:N", title="Varied"),
                 alt.Tooltip("variant:N", title="Variant"), alt.Tooltip("posterior:Q", format=".3f")],
    ).properties(width=440, height=alt.Step(24))
    spread = sensitivity.groupby("episode_id", sort=False).posterior.agg(["min", "max"])
    description = (f"For each episode, the posterior of {focus} under every variation: other priors, likelihood "
                   "ratios scaled, and the most influential items left out. Range by episode: " + "; ".join(
                       f"{e} {r['min']:.2f}–{r['max']:.2f}" for e, r in spread.iterrows()) + ".")
    return _described(chart, description)


def posterior_explorer(totals: pd.DataFrame, focus: str) -> alt.Chart:
    """Interactive: choose the evidence group, move the focus hypothesis's prior and a
    likelihood-ratio scale, and watch the posteriors update. Runs in the browser (Vega-Lite
    parameters bound to inputs); no kernel.

    ``totals`` holds, per evidence group, episode and hypothesis, the summed weight of the
    group's items in the episode against the focus hypothesis (``weight_db``; 0 for the
    focus itself), as :func:`patron.weighing.group_total_weights` returns it.
    """
    n = totals.hypothesis_id.nunique()
    groups = list(dict.fromkeys(totals.group))
    group = alt.param(name="evidence_group", value=groups[0],
                      bind=alt.binding_select(options=groups, name="Weigh "))
    prior = alt.param(name="prior_focus", value=round(1 / n, 2),
                      bind=alt.binding_range(min=0.02, max=0.9, step=0.01, name=f"Prior of {focus} "))
    scale = alt.param(name="ratio_scale", value=1,
                      bind=alt.binding_range(min=0, max=2, step=0.1, name="Scale every likelihood ratio by "))
    chart = alt.Chart(totals).transform_filter(
        "datum.group == evidence_group"
    ).transform_calculate(
        prior=f"datum.hypothesis_id == '{focus}' ? prior_focus : (1 - prior_focus) / {n - 1}",
        odds="datum.prior * pow(10, ratio_scale * datum.weight_db / 10)",
    ).transform_joinaggregate(total="sum(odds)", groupby=["episode_id"]).transform_calculate(
        posterior="datum.odds / datum.total").mark_bar().encode(
        x=alt.X("posterior:Q", title="Posterior probability", scale=alt.Scale(domain=[0, 1]), stack="zero"),
        y=alt.Y("episode_id:N", title=None, sort=list(dict.fromkeys(totals.episode_id))),
        color=alt.Color("hypothesis_id:N", title="Hypothesis", sort=list(dict.fromkeys(totals.hypothesis_id))),
        order=alt.Order("hypothesis_id:N"),
        tooltip=[alt.Tooltip("episode_id:N", title="Episode"), alt.Tooltip("hypothesis_id:N", title="Hypothesis"),
                 alt.Tooltip("posterior:Q", format=".3f")],
    ).add_params(group, prior, scale).properties(width=440, height=alt.Step(24))
    description = (f"Interactive stacked bars, one per episode, splitting the probability among the hypotheses. "
                   f"A menu chooses which evidence is weighed ({', '.join(groups)}); two sliders set the prior "
                   f"of {focus} (the other hypotheses share the rest equally) and a factor that scales every "
                   f"likelihood ratio on the log scale (0 removes the evidence, 1 is as judged, 2 doubles its "
                   f"weight in decibans); the bars recompute in the page.")
    return _described(chart, description)


# --- What if: the typology and its rivals for a hypothetical armament ---------------------

ENTRAPMENT_INDICATORS = {
    "e_strike": "gives the client its own option to strike first or hit deep targets",
    "e_leader": "the client's leaders are seen as risk-acceptant or unpredictable",
    "e_provoke": "expected to provoke the adversary or a great power",
    "e_label": "officials call it destabilizing or provocative",
}
CONTROL_INDICATORS = {
    "c_dependency": "ends a dependence on US technology, supply or protection",
    "c_command": "creates a decision to use force outside combined command",
    "c_latent": "gives the client a latent option or new leverage",
    "c_covert": "acquired covertly or from a non-US supplier",
}
REGIME_CLASSES = {
    "nuclear weapons": "restraint",
    "enrichment, reprocessing or naval propulsion": "negotiation",
    "missile or launcher above MTCR Category I": "negotiation",
    "missile or launcher below MTCR Category I": "bystanding",
    "delivery system for a nuclear-weapon state": "bystanding",
}


def whatif_explorer() -> alt.Chart:
    """Interactive: tick the theory chapter's indicators for a hypothetical armament and
    read the codings, the typology's predicted response and each rival's beside it.

    The coding follows the book's rule with one ticked indicator standing for one
    eligible item: a dimension is high when more high indicators are ticked than low
    ones. Everything runs in the page (Vega parameters bound to inputs).
    """
    params = []
    for name, label in ENTRAPMENT_INDICATORS.items():
        params.append(alt.param(name=name, value=False, bind=alt.binding_checkbox(name=f"Entrapment: {label} ")))
    params.append(alt.param(name="e_low", value=False, bind=alt.binding_checkbox(
        name="Entrapment, low: officials judge it deterrent, defensive or marginal ")))
    for name, label in CONTROL_INDICATORS.items():
        params.append(alt.param(name=name, value=False, bind=alt.binding_checkbox(name=f"Control: {label} ")))
    params.append(alt.param(name="c_low", value=False, bind=alt.binding_checkbox(
        name="Control, low: officials judge dependence on the US stays or deepens ")))
    params.append(alt.param(name="shared", value=True, bind=alt.binding_checkbox(
        name="Aimed at an adversary the US shares ")))
    params.append(alt.param(name="kind", value="missile or launcher above MTCR Category I", bind=alt.binding_select(
        options=list(REGIME_CLASSES), name="Armament ")))
    params.append(alt.param(name="rising", value=False, bind=alt.binding_checkbox(
        name="The common adversary's threat is rising ")))
    count = lambda names: " + ".join(f"({n} ? 1 : 0)" for n in names)
    ent = f"(({count(ENTRAPMENT_INDICATORS)}) > (e_low ? 1 : 0) ? 'high' : 'low')"
    ctl = f"(({count(CONTROL_INDICATORS)}) > (c_low ? 1 : 0) ? 'high' : 'low')"
    typ = (f"({ent} == 'high' && {ctl} == 'high') ? 'restraint' : "
           f"(({ent} == 'high' || {ctl} == 'high') ? 'negotiation' : 'bystanding')")
    regime = " : ".join(f"kind == '{k}' ? '{v}'" for k, v in REGIME_CLASSES.items()) + " : 'negotiation'"
    rows = pd.DataFrame({"order": range(10), "rule": [
        "Entrapment (rule)", "Control (rule)", "Typology", "Burden sharing", "Control (Blankenship)",
        "Security dilemma, strong", "Security dilemma, one-dimensional", "Nonproliferation regime",
        "Adversary threat", "Commonest response"]})
    shown = (f"datum.rule == 'Entrapment (rule)' ? {ent} : datum.rule == 'Control (rule)' ? {ctl} : "
             f"datum.rule == 'Typology' ? ({typ}) : "
             f"datum.rule == 'Burden sharing' ? (shared ? 'bystanding' : 'restraint') : "
             f"datum.rule == 'Control (Blankenship)' ? ({ctl} == 'high' ? 'restraint' : 'bystanding') : "
             f"datum.rule == 'Security dilemma, strong' ? 'restraint' : "
             f"datum.rule == 'Security dilemma, one-dimensional' ? ({ent} == 'high' ? 'restraint' : 'bystanding') : "
             f"datum.rule == 'Nonproliferation regime' ? ({regime}) : "
             f"datum.rule == 'Adversary threat' ? (rising ? 'bystanding' : 'negotiation') : 'negotiation'")
    colours = alt.Scale(domain=[r.value for r in Response] + ["high", "low"],
                        range=list(RESPONSE_COLOURS.values()) + ["#c44e52", "#4c78a8"])
    base = alt.Chart(rows).transform_calculate(shown=shown).encode(y=alt.Y("order:O", axis=None))
    names = base.mark_text(align="right", dx=-6, fontSize=12, color=INK).encode(x=alt.value(230), text="rule:N")
    values = base.mark_text(align="left", dx=6, fontSize=12, fontWeight="bold").encode(
        x=alt.value(230), text="shown:N", color=alt.Color("shown:N", scale=colours, legend=None))
    chart = alt.layer(names, values).add_params(*params).properties(width=420, height=alt.Step(22))
    description = ("An interactive table. Tick the indicators of entrapment and of control that US officials "
                   "recorded for a hypothetical armament, say whether it is aimed at a shared adversary, what kind "
                   "of armament it is and whether the adversary's threat is rising; the table shows the coding "
                   "rule's entrapment and control, the typology's predicted response, and the response each rival "
                   "and the commonest-response baseline predicts. With nothing ticked, both dimensions are low and "
                   "the typology predicts bystanding.")
    return _described(chart, description)


def forecasts_grid(forecasts: pd.DataFrame, table: str | None = None) -> alt.LayerChart:
    """Each registered forecast in the typology cell its codings select, in the colour of
    the response it predicts; hollow while open, filled once resolved. Laid out as
    :func:`episodes_grid` lays out episodes, labelled where the labels fit, and linked to
    the rows of ``table`` in the same way."""
    fc = _in_cells(forecasts.assign(
        state=["resolved" if isinstance(o, str) and o else "open" for o in forecasts.outcome]), "forecast_id", table)
    slim = fc[["forecast_id", "client", "trajectory", "predicted_response", "probability", "resolve_by", "state",
               "cx", "cy", "label", "chars", "order", "top", "middle", "label_rows", *(["href"] if table is not None else [])]]
    rects, names = _grid_cells()
    tooltip = [alt.Tooltip("forecast_id:N", title="Forecast"), alt.Tooltip("client:N", title="Client"),
               alt.Tooltip("trajectory:N", title="If"), alt.Tooltip("predicted_response:N", title="Predicted"),
               alt.Tooltip("probability:Q", title="Probability", format=".2f"),
               alt.Tooltip("resolve_by:N", title="Resolve by"), alt.Tooltip("state:N", title="Status")]
    base = _dodged(alt.Chart(slim), "true")
    marks = base.mark_point(size=MARK_SIZE, strokeWidth=2, opacity=1).encode(
        x=alt.X("x:Q", scale=GRID_SCALE), y=alt.Y("y:Q", scale=GRID_SCALE),
        color=alt.Color("predicted_response:N", scale=RESPONSE_SCALE, legend=None),
        fill=alt.condition("datum.state == 'resolved'",
                           alt.Color("predicted_response:N", scale=RESPONSE_SCALE, legend=None), alt.value(PAPER)),
        tooltip=tooltip)
    if table is not None:
        marks = marks.encode(href="href:N")
    parts = "; ".join(f"{f.forecast_id} {f.client} ({f.entrapment}/{f.control}): {f.predicted_response}, "
                      f"p = {f.probability:.2f}, by {f.resolve_by}" for f in fc.itertuples())
    description = (f"The typology's grid with {len(fc)} registered forecasts placed by the coding rule's codings at "
                   f"registration, each in the colour of the response it predicts, hollow while open; a band "
                   f"holds those with a dimension unmeasured or tied. {parts}.")
    chart = alt.layer(rects, names, marks, _grid_labels(base, tooltip))
    return _described(chart.properties(width=GRID_WIDTH, height=GRID_HEIGHT), description)


# --- Armament features and perceptions ------------------------------------------------


def features_chart(features: pd.DataFrame) -> alt.Chart:
    """For each feature the theory expects to raise a perception: the share of measured episodes coded high,
    with the feature and without it, side by side (a dot per group, sized by its episodes)."""
    rows = []
    for r in features.itertuples():
        label = f"{r.feature.replace('_', ' ')} ({r.dimension})"
        for group, n, high in (("with", r.n_with, r.high_with), ("without", r.n_without, r.high_without)):
            if n:
                rows.append({"test": label, "group": f"{group} the feature", "episodes": int(n),
                             "share_high": round(high / n, 3), "high": int(high)})
    long = pd.DataFrame(rows)
    chart = alt.Chart(long).mark_circle(opacity=0.85).encode(
        x=alt.X("share_high:Q", title="Share of measured episodes coded high", scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("test:N", title=None, sort=list(dict.fromkeys(long.test))),
        color=alt.Color("group:N", title=None, scale=alt.Scale(range=["#c44e52", "#4c78a8"])),
        size=alt.Size("episodes:Q", title="Episodes", scale=alt.Scale(range=[40, 400]),
                      legend=alt.Legend(symbolFillColor=INK, symbolStrokeColor=INK)),
        tooltip=[alt.Tooltip("test:N", title="Feature (perception)"), alt.Tooltip("group:N", title="Group"),
                 alt.Tooltip("high:Q", title="Coded high"), alt.Tooltip("episodes:Q", title="Measured episodes"),
                 alt.Tooltip("share_high:Q", title="Share high", format=".2f")],
    ).properties(width=380, height=alt.Step(28))
    description = ("Dot chart: for each armament feature and the perception it should raise, the share of measured "
                   "episodes coded high with the feature and without it. " + "; ".join(
                       f"{r.feature.replace('_', ' ')} and {r.dimension}: {r.high_with} of {r.n_with} with, "
                       f"{r.high_without} of {r.n_without} without"
                       + (f" (p = {r.p_value:.2f})" if pd.notna(r.p_value) else "")
                       for r in features.itertuples()) + ".")
    return _described(chart, description)

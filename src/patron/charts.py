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

from patron.site.vega import VEGALITE_MIME
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


def _described(chart: alt.TopLevelMixin, description: str) -> alt.TopLevelMixin:
    return chart.properties(description=description)


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
    cells = base.mark_rect(stroke="white", strokeWidth=3).encode(
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
            interpolate="step-after", color="#555").encode(y=alt.Y("value:Q", title=measure))
        points = base.transform_filter("datum.value != null").mark_point(
            filled=True, size=80).encode(
            y="value:Q", color=alt.Color("regime_id:N", title="Regime"),
            opacity=alt.condition(pick, alt.value(1), alt.value(0.25)), tooltip=tooltip)
        unlimited = base.transform_filter("datum.value == null").mark_point(
            shape="triangle-up", size=80, filled=False).encode(
            y=alt.value(0), color=alt.Color("regime_id:N", title="Regime"), tooltip=tooltip)
        label = base.transform_filter("datum.first_unlimited").mark_text(
            text="no limit from here", dy=-10, align="right", fontStyle="italic").encode(y=alt.value(0))
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


def timeline_chart(events: pd.DataFrame, guidelines: pd.DataFrame) -> alt.LayerChart:
    """Every event on a time line, one row per category, over bands for the guideline regimes.

    Drag to pan and scroll to zoom the time axis; click a category in the
    legend to highlight it.
    """
    ev = events.assign(when=[plotting_date(d, p) for d, p in zip(events.date, events.date_precision)])
    bands = guidelines[["label", "effective_date", "date_precision"]].copy()
    bands["start"] = [plotting_date(d, p) for d, p in zip(bands.effective_date, bands.date_precision)]
    bands["end"] = list(bands["start"].iloc[1:]) + [f"{int(ev.when.max()[:4]) + 1}-12-31"]
    bands["year"] = bands["effective_date"].str[:4]
    bands["shade"] = ["#dde6f0" if i % 2 == 0 else "#eeeeee" for i in range(len(bands))]

    zoom = alt.selection_interval(bind="scales", encodings=["x"], name="zoom")
    pick = alt.selection_point(fields=["category"], bind="legend", name="category_pick")
    band_layer = alt.Chart(bands).mark_rect().encode(
        x=alt.X("start:T"), x2="end:T", color=alt.Color("shade:N", scale=None),
        tooltip=[alt.Tooltip("label:N", title="Guideline regime"), alt.Tooltip("effective_date:N", title="From")])
    band_text = alt.Chart(bands).mark_text(align="left", baseline="top", dx=2, dy=2, fontSize=10,
                                           color="#333").encode(x="start:T", y=alt.value(0), text="year:N")
    points = alt.Chart(ev).mark_circle(size=80).encode(
        x=alt.X("when:T", title=None, axis=alt.Axis(format="%Y")),
        y=alt.Y("category:N", title=None),
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
    chart = alt.layer(band_layer, band_text, points).resolve_scale(color="independent")
    return _described(chart.properties(width=480, height=280), description)


# An unmeasured or tied coding sits in a band of its own, outside the typology's four cells.
GRID_POSITION = {Level.LOW.value: 0, Level.HIGH.value: 1, "unmeasured": 2, "tie": 2}
GRID_SCALE = alt.Scale(domain=[-0.5, 1.5], nice=False, zero=False)
WIDE_GRID_SCALE = alt.Scale(domain=[-0.5, 2.5], nice=False, zero=False)
RESPONSE_SCALE = alt.Scale(domain=[r.value for r in Response], range=list(RESPONSE_COLOURS.values()))


def _placed(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """Grid coordinates for each row, spreading the rows that share a cell evenly across it."""
    out = frame.assign(cx=[GRID_POSITION[c] for c in frame.control], cy=[GRID_POSITION[e] for e in frame.entrapment])
    out["rank"] = out.groupby(["cx", "cy"]).cumcount()
    out["count"] = out.groupby(["cx", "cy"])[key].transform("count")
    out["x"] = out.cx + (out["rank"] + 1) / (out["count"] + 1) * 0.8 - 0.4
    out["y"] = out.cy - 0.1
    return out


def _grid_cells(scale: alt.Scale = GRID_SCALE) -> list[alt.Chart]:
    """The typology's four shaded cells with their response names: the background of every grid.
    With the wide scale, a third row and column hold the episodes with a dimension unmeasured."""
    position = GRID_POSITION
    wide = scale is WIDE_GRID_SCALE
    cells = typology_table().assign(
        x0=lambda t: t.control.map(position) - 0.48, x1=lambda t: t.control.map(position) + 0.48,
        y0=lambda t: t.entrapment.map(position) - 0.48, y1=lambda t: t.entrapment.map(position) + 0.48,
        ty=lambda t: t.entrapment.map(position) + 0.3, tx=lambda t: t.control.map(position))
    axis = dict(values=[0, 1, 2] if wide else [0, 1],
                labelExpr="datum.value == 0 ? 'low' : datum.value == 1 ? 'high' : 'unmeasured'", grid=False)
    rects = alt.Chart(cells).mark_rect(opacity=0.25, stroke="white", strokeWidth=2).encode(
        x=alt.X("x0:Q", scale=scale, title="Threat to the patron's control",
                axis=alt.Axis(orient="top", **axis)),
        x2="x1:Q", y=alt.Y("y0:Q", scale=scale, title="Threat of entrapment", axis=alt.Axis(**axis)),
        y2="y1:Q", color=alt.Color("response:N", scale=RESPONSE_SCALE, title="Response"))
    names = alt.Chart(cells).mark_text(fontWeight="bold", fontSize=13).encode(
        x=alt.X("tx:Q", scale=scale), y=alt.Y("ty:Q", scale=scale), text="response:N")
    return [rects, names]


def episodes_grid(episodes: pd.DataFrame, armaments: pd.DataFrame | None = None) -> alt.LayerChart:
    """Each episode placed in the typology cell its codings select, marked by
    the response actually observed: a filled circle where prediction and
    observation agree, a cross where they do not.

    Given ``armaments``, the chart gains two menus, by client and by armament
    class, that show only the episodes chosen; the menus run in the page (Vega
    parameters), so no kernel is needed.
    """
    if armaments is not None:
        episodes = episodes.merge(armaments[["episode_id", "armament_class"]], on="episode_id", how="left")
    predicted = episodes.predicted_response.fillna("")
    ep = _placed(episodes.assign(predicted_response=predicted.replace("", "none"),
                                 outcome=["no prediction" if not p else "hit" if p == o else "miss"
                                          for p, o in zip(predicted, episodes.observed_response)]),
                 "episode_id")
    scale, colours = WIDE_GRID_SCALE, RESPONSE_SCALE
    rects, names = _grid_cells(scale)
    tooltip = [alt.Tooltip("title:N", title="Episode"), alt.Tooltip("start:N", title="From"),
               alt.Tooltip("end:N", title="To"), alt.Tooltip("predicted_response:N", title="Predicted"),
               alt.Tooltip("observed_response:N", title="Observed")]
    params, keep = [], "true"
    columns = ["episode_id", "title", "start", "end", "predicted_response", "observed_response", "outcome", "x", "y"]
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
    slim = ep[columns]
    marks = alt.Chart(slim).mark_point(size=220 if armaments is None else 120, filled=True, opacity=1).encode(
        x=alt.X("x:Q", scale=scale), y=alt.Y("y:Q", scale=scale),
        shape=alt.Shape("outcome:N", scale=alt.Scale(domain=["hit", "miss", "no prediction"],
                                                     range=["circle", "cross", "diamond"]), title="Prediction"),
        color=alt.Color("observed_response:N", scale=colours, legend=None),
        tooltip=tooltip).transform_filter(keep)
    if params:
        marks = marks.add_params(*params)
    labels = alt.Chart(slim).mark_text(dy=18 if armaments is None else 12, fontSize=10 if armaments is None else 8).encode(
        x=alt.X("x:Q", scale=scale), y=alt.Y("y:Q", scale=scale),
        text=alt.Text("short:N"), tooltip=tooltip).transform_filter(keep).transform_calculate(
        short="split(datum.episode_id, '-')[0] == 'x' ? split(datum.episode_id, '-')[1] + '-' + "
              "split(datum.episode_id, '-')[2] : split(datum.episode_id, '-')[0]")
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
    return _described(alt.layer(rects, names, marks, labels).properties(width=440, height=400), description)


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
    ).properties(width=480, height=alt.Step(9))
    zero = alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(color="#444").encode(x="x:Q")
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
    """Posterior probability of each hypothesis in each episode, as a heat map."""
    order = list(dict.fromkeys(table.episode_id))
    base = alt.Chart(table).encode(
        x=alt.X("hypothesis_id:N", title=None, sort=list(dict.fromkeys(table.hypothesis_id)),
                axis=alt.Axis(orient="top", labelAngle=0)),
        y=alt.Y("episode_id:N", title=None, sort=order))
    cells = base.mark_rect().encode(
        color=alt.Color("posterior:Q", title="Posterior", scale=alt.Scale(domain=[0, 1], scheme="blues")),
        tooltip=[alt.Tooltip("episode_id:N", title="Episode"), alt.Tooltip("hypothesis_id:N", title="Hypothesis"),
                 alt.Tooltip("prior:Q", format=".2f"), alt.Tooltip("posterior:Q", format=".3f"),
                 alt.Tooltip("weight_db:Q", title="Weight vs strongest rival (dB)", format=".1f")])
    text = base.mark_text(fontSize=11).encode(
        text=alt.Text("posterior:Q", format=".2f"),
        color=alt.condition("datum.posterior > 0.5", alt.value("white"), alt.value("black")))
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
    names = base.mark_text(align="right", dx=-6, fontSize=12).encode(x=alt.value(230), text="rule:N")
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


def forecasts_grid(forecasts: pd.DataFrame) -> alt.LayerChart:
    """Each registered forecast in the typology cell its codings select, in the colour of
    the response it predicts; hollow while open, filled once resolved."""
    fc = _placed(forecasts.assign(state=["resolved" if isinstance(o, str) and o else "open" for o in forecasts.outcome]),
                 "forecast_id")
    slim = fc[["forecast_id", "client", "trajectory", "predicted_response", "probability", "resolve_by", "state", "x", "y"]]
    scale, colours = GRID_SCALE, RESPONSE_SCALE
    rects, names = _grid_cells()
    tooltip = [alt.Tooltip("forecast_id:N", title="Forecast"), alt.Tooltip("client:N", title="Client"),
               alt.Tooltip("trajectory:N", title="If"), alt.Tooltip("predicted_response:N", title="Predicted"),
               alt.Tooltip("probability:Q", title="Probability", format=".2f"),
               alt.Tooltip("resolve_by:N", title="Resolve by"), alt.Tooltip("state:N", title="Status")]
    marks = alt.Chart(slim).mark_point(size=160, strokeWidth=2).encode(
        x=alt.X("x:Q", scale=scale), y=alt.Y("y:Q", scale=scale),
        color=alt.Color("predicted_response:N", scale=colours, legend=None),
        fill=alt.condition("datum.state == 'resolved'", alt.Color("predicted_response:N", scale=colours, legend=None),
                           alt.value("white")),
        tooltip=tooltip)
    labels = alt.Chart(slim).mark_text(dy=14, fontSize=9).encode(
        x=alt.X("x:Q", scale=scale), y=alt.Y("y:Q", scale=scale), text="forecast_id:N", tooltip=tooltip)
    parts = "; ".join(f"{f.forecast_id} {f.client} ({f.entrapment}/{f.control}): {f.predicted_response}, "
                      f"p = {f.probability:.2f}, by {f.resolve_by}" for f in fc.itertuples())
    description = (f"The typology's grid with {len(fc)} registered forecasts placed by the coding rule's codings at "
                   f"registration, each in the colour of the response it predicts, hollow while open. {parts}.")
    return _described(alt.layer(rects, names, marks, labels).properties(width=440, height=400), description)


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
        size=alt.Size("episodes:Q", title="Episodes", scale=alt.Scale(range=[40, 400])),
        tooltip=[alt.Tooltip("test:N", title="Feature (perception)"), alt.Tooltip("group:N", title="Group"),
                 alt.Tooltip("high:Q", title="Coded high"), alt.Tooltip("episodes:Q", title="Measured episodes"),
                 alt.Tooltip("share_high:Q", title="Share high", format=".2f")],
    ).properties(width=420, height=alt.Step(28))
    description = ("Dot chart: for each armament feature and the perception it should raise, the share of measured "
                   "episodes coded high with the feature and without it. " + "; ".join(
                       f"{r.feature.replace('_', ' ')} and {r.dimension}: {r.high_with} of {r.n_with} with, "
                       f"{r.high_without} of {r.n_without} without"
                       + (f" (p = {r.p_value:.2f})" if pd.notna(r.p_value) else "")
                       for r in features.itertuples()) + ".")
    return _described(chart, description)

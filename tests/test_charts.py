"""The charts' layout rules, checked without a browser (tests/test_browser.py checks
the drawn charts: no two labels collide, and the dark theme recolours them)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from patron.charts import (COMPACT_COLUMNS, INK, CELL_ROOM, _in_cells, episodes_grid, forecasts_grid,
                           short_label, staggered_rows, timeline_chart, typology_grid)
from patron.data import load_episodes, load_events, load_forecasts, load_guidelines
from patron.site.vega import THEME_SIGNALS, to_vega


def test_close_labels_are_staggered_into_rows() -> None:
    """Band labels 2017, 2020 and 2021 sit closer than one label's width: three rows."""
    assert staggered_rows([1979.7, 2001.0, 2012.3, 2017.8, 2020.8, 2021.4], 4.4) == [0, 0, 0, 0, 1, 2]
    assert staggered_rows([1.0, 10.0, 20.0], 4.4) == [0, 0, 0]
    assert staggered_rows([], 4.4) == []


def test_grid_labels_are_short_and_tell_every_episode_apart() -> None:
    assert short_label("x-de-mlf-1957-65") == "de-mlf"
    assert short_label("p9-nuclear-2023") == "p9-nuclear"
    assert short_label("F02") == "F02"
    ids = list(load_episodes().episode_id)
    assert len({short_label(i) for i in ids}) == len(ids)


def test_a_cell_with_no_room_left_is_an_error_not_an_overlap() -> None:
    room = COMPACT_COLUMNS * CELL_ROOM["typology"]["compact_rows"]
    crowded = pd.DataFrame({"episode_id": [f"F{i:03d}" for i in range(room + 1)],
                            "entrapment": "low", "control": "low"})
    assert len(_in_cells(crowded.iloc[:room], "episode_id", None)) == room
    with pytest.raises(ValueError, match="more marks than it has room for"):
        _in_cells(crowded, "episode_id", None)


def test_grid_marks_link_to_the_rows_of_a_table_in_order() -> None:
    placed = _in_cells(load_forecasts(), "forecast_id", "register")
    assert list(placed.href[:2]) == ["#T_register_row0_col0", "#T_register_row1_col0"]
    assert sorted(placed.order) == list(range(1, len(placed) + 1))


def _text_fills(vega: dict) -> list:
    """The fill of every text mark in a compiled Vega spec, at any depth."""
    fills = []
    for mark in vega.get("marks", []):
        if mark.get("type") == "text":
            fills.append(mark.get("encode", {}).get("update", {}).get("fill"))
        fills += _text_fills(mark)
    return fills


@pytest.mark.parametrize("make", [
    typology_grid,
    lambda: episodes_grid(load_episodes()),
    lambda: forecasts_grid(load_forecasts()),
    lambda: timeline_chart(load_events(), load_guidelines()),
], ids=["typology", "episodes", "forecasts", "timeline"])
def test_charts_declare_the_theme_and_draw_no_text_in_fixed_black(make) -> None:
    """Text on a chart's background takes the theme's ink, so that it shows in the dark theme;
    the theme's signals are declared with their light values, so that the chart draws anywhere."""
    vega = to_vega(make().to_dict())
    declared = {s["name"]: s.get("value") for s in vega.get("signals", [])}
    assert {name: declared.get(name) for name in THEME_SIGNALS} == {
        name: colours["light"] for name, colours in THEME_SIGNALS.items()}
    assert {"value": "black"} not in _text_fills(vega), json.dumps(_text_fills(vega))
    assert INK.to_dict() == {"expr": "theme_ink"}

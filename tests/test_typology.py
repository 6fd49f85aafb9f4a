"""The typology: classify(entrapment, control) maps two levels to a response."""

import pytest

from patron import Response, classify
from patron.charts import typology_table


@pytest.mark.parametrize(
    ("entrapment", "control", "expected"),
    [
        ("low", "low", "bystanding"),
        ("high", "high", "restraint"),
        ("high", "low", "negotiation"),
        ("low", "high", "negotiation"),
    ],
)
def test_classify_maps_each_cell(entrapment: str, control: str, expected: str) -> None:
    result = classify(entrapment, control)
    assert result == expected
    assert isinstance(result, Response)


@pytest.mark.parametrize("bad", ["medium", "HIGH", "", "hi", None, 1])
def test_unknown_level_raises_value_error(bad: object) -> None:
    with pytest.raises(ValueError, match="must be 'low' or 'high'"):
        classify(bad, "low")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="control must be"):
        classify("low", bad)  # type: ignore[arg-type]


def test_typology_table_covers_the_four_cells() -> None:
    table = typology_table()
    assert len(table) == 4
    assert sorted(table["response"].value_counts().items()) == [
        ("bystanding", 1), ("negotiation", 2), ("restraint", 1)]


def test_importing_the_package_has_no_side_effects() -> None:
    import subprocess
    import sys

    code = (
        "import altair as alt, sys\n"
        "before = alt.renderers.active\n"
        "import patron, patron.data, patron.charts, patron.validate, patron.workflow.notebooks\n"
        "assert alt.renderers.active == before, alt.renderers.active\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd="/")
    assert done.returncode == 0, done.stderr

"""Results frameworks with years across the columns: one row per indicator and year."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from maaor.load import load_sources
from maaor.read.headers import map_sheet
from maaor.read.types import RawSheet
from maaor.sources import Source

TODAY = dt.date(2026, 1, 1)


def raw(rows) -> RawSheet:
    return RawSheet("results.xlsx", "Results", pd.DataFrame(rows, dtype=object))


def test_target_and_actual_per_year_in_one_header_row():
    rows = [
        ["Indicator ID", "Indicator", "Baseline", "Target 2019", "Target 2020", "Actual 2019", "Actual 2020"],
        ["1.1", "Area released (km2)", 10, 20, 30, 18, None],
        ["1.2", "People reached by EORE", 0, 5000, 8000, 5200, 7900],
        ["1.3", "New indicator", None, None, None, None, None],
    ]
    mapped, problems = map_sheet(raw(rows))
    assert mapped.kind == "indicators"
    frame = mapped.frame
    assert frame[["indicator_id", "year", "target", "actual"]].values.tolist() == [
        ["1.1", 2019, 20, 18],
        ["1.1", 2020, 30, None],
        ["1.2", 2019, 5000, 5200],
        ["1.2", 2020, 8000, 7900],
        ["1.3", None, None, None],  # listed once, without a year
    ]
    assert frame["baseline"].tolist() == [10, 10, 0, 0, None]
    assert mapped.rows == [2, 2, 3, 3, 4]
    assert mapped.labels["target"] == "Target 2019 … Target 2020"
    assert [(c.column_letter, c.field, c.how) for c in mapped.columns][3:] == [
        ("D", "target", "exact"), ("E", "target", "exact"), ("F", "actual", "exact"), ("G", "actual", "exact"),
    ]
    assert [p.code for p in problems] == ["indicators.wide_years"]
    assert "4 columns hold values per year (2019 to 2020)" in problems[0].message


def test_a_year_row_above_target_and_actual():
    rows = [
        [None, None, "2021", None, "2022", None],
        ["Indicator ID", "Indicator", "Target", "Actual", "Target", "Actual"],
        ["2.1", "Victims assisted", 100, 80, 120, 130],
    ]
    result = load_sources([Source("framework.xlsx", _xlsx(rows))], today=TODAY)
    assert result.ok, [p.message for p in result.errors]
    ind = result.dataset.indicators
    assert ind[["indicator_id", "year", "target", "actual"]].values.tolist() == [
        ["2.1", 2021, 100.0, 80.0],
        ["2.1", 2022, 120.0, 130.0],
    ]
    # Repeated "Target"/"Actual" headers are years, not duplicate columns.
    assert not [p for p in result.problems if p.code == "header.duplicate"]


def test_a_sheet_with_a_year_column_is_not_melted():
    rows = [["Indicator ID", "Indicator", "Year", "Target 2019", "Target 2020"], ["1.1", "Area", 2019, 1, 2]]
    mapped, problems = map_sheet(raw(rows))
    assert len(mapped.frame) == 1
    assert "indicators.wide_years" not in [p.code for p in problems]


def _xlsx(rows) -> bytes:
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    ws.merge_cells("C1:D1")
    ws.merge_cells("E1:F1")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

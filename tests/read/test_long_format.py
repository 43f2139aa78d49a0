"""Long format (one row per indicator value): presence from the distinct organisation x
place x activity combinations, every value in the indicators table."""

from __future__ import annotations

import io

import openpyxl

from maaor.load import load_sources
from maaor.sources import Source

HEADER = ["Reporting Organization", "Implementing Partner", "Country", "Oblast", "Raion",
          "Activity", "Indicator", "Value", "Month"]


def sheet_bytes(rows) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "ActivityInfo export"
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


ROWS = [
    ["UNDP", "FSD", "Ukraine", "Kharkivska", "Izium", "Non-technical survey", "Area surveyed (m2)", 12000, "2024-03"],
    ["UNDP", "FSD", "Ukraine", "Kharkivska", "Izium", "Non-technical survey", "Area surveyed (m2)", 8000, "2024-04"],
    ["UNDP", "FSD", "Ukraine", "Kharkivska", "Izium", "Risk education", "People reached", 340, "2024-03"],
    ["UNICEF", "DRC", "Ukraine", "Mykolaivska", "Bashtanskyi", "Risk education", "People reached", 95, "2024-03"],
    ["UNICEF", "DRC", "Ukraine", "Mykolaivska", "Bashtanskyi", "Risk education", "People reached", None, "2024-04"],
]


def test_presence_rows_are_the_distinct_combinations_and_values_go_to_indicators():
    result = load_sources([Source("ua.xlsx", sheet_bytes(ROWS))])
    presence = result.dataset.presence
    # 5 value rows -> 3 distinct organisation x place x activity combinations.
    assert len(presence) == 3
    assert presence["org_as_written"].tolist() == ["FSD", "FSD", "DRC"]
    assert presence["admin1"].tolist() == ["Kharkivska", "Kharkivska", "Mykolaivska"]
    assert presence["activity"].tolist() == ["Non-technical survey", "Risk education", "Risk education"]
    assert presence["_row"].tolist() == [2, 4, 5]
    ind = result.dataset.indicators
    assert len(ind) == 5  # every value row, the blank value too (actual unknown)
    assert ind["indicator"].tolist() == ["Area surveyed (m2)"] * 2 + ["People reached"] * 3
    assert ind["actual"].sum() == 12000 + 8000 + 340 + 95
    assert ind["actual"].isna().tolist() == [False, False, False, False, True]
    assert ind["place"].tolist() == ["Kharkivska / Izium"] * 3 + ["Mykolaivska / Bashtanskyi"] * 2
    assert ind["as_of"].dt.month.tolist() == [3, 4, 3, 3, 4]
    assert set(ind["year"]) == {2024} and set(ind["country_iso3"]) == {"UKR"}
    assert ind["org"].notna().all()
    assert not [p for p in result.problems if p.code == "indicator.duplicate"]
    note = next(p for p in result.problems if p.code == "sheet.long_format")
    assert "5 rows were read as 3 4W presence rows" in note.message
    assert "4 indicator values" in note.message


def test_every_column_is_placed_or_reported():
    result = load_sources([Source("ua.xlsx", sheet_bytes(ROWS))])
    report = next(r for r in result.reports if r.kind == "presence")
    fields = {c.header: c.field for c in report.columns}
    assert fields["Indicator"] == "indicator" and fields["Value"] == "actual" and fields["Month"] == "as_of"
    assert fields["Implementing Partner"] == "org"
    unplaced = {c.header for c in report.columns if c.field is None and c.values_not_loaded}
    warned = {p.column for p in result.problems if p.code == "column.not_loaded"}
    assert unplaced <= warned
    assert "Reporting Organization" in unplaced  # the funding agency is reported, not lost


def test_a_sheet_without_indicator_and_value_is_an_ordinary_4w():
    rows = [r[:6] for r in ROWS]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER[:6])
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    result = load_sources([Source("plain.xlsx", buf.getvalue())])
    assert len(result.dataset.presence) == 5
    assert result.dataset.indicators.empty


def test_a_value_row_without_organisation_or_place_still_reaches_the_indicators():
    # The presence columns are empty: it is no 4W row, but its value is not dropped.
    rows = [*ROWS, [None, None, None, None, None, None, "People reached", 77, "2024-05"]]
    result = load_sources([Source("ua.xlsx", sheet_bytes(rows))])
    indicators = result.dataset.indicators
    assert indicators["actual"].tolist()[-1] == 77
    assert indicators["actual"].sum() == 12000 + 8000 + 340 + 95 + 77
    assert len(result.dataset.presence) == 3  # the distinct combinations, as before

"""Sheets of drop-down lists, notes or a read-me are told by their content and never
loaded as data, whatever their name."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
from openpyxl import Workbook

from maaor.load import load_sources
from maaor.read.headers import map_sheet
from maaor.read.types import RawSheet
from maaor.sources import Source

TODAY = dt.date(2026, 1, 1)
STATUSES = ["Planned", "Active", "Completed", "Suspended", "Cancelled"]
PILLARS = ["Clearance", "Non-technical survey", "Technical survey", "EORE", "Victim assistance",
           "Advocacy", "Stockpile destruction", "Coordination"]
COUNTRIES = ["Afghanistan", "Burkina Faso", "Colombia", "Iraq", "Libya", "Mali", "Myanmar", "Niger",
             "Nigeria", "Somalia", "South Sudan", "Sudan", "Syria", "Ukraine", "Yemen", "Ethiopia",
             "Chad"]
ORG_TYPES = ["UN", "INGO", "NNGO", "Government", "Red Cross", "Commercial", "Donor"]


def column_lists(*lists: list[str]) -> list[list]:
    return [[lst[i] if i < len(lst) else None for lst in lists] for i in range(max(map(len, lists)))]


def dropdown_rows() -> list[list]:
    return [["Status", "Pillar", "Country", "Organisation type"],
            *column_lists(STATUSES, PILLARS, COUNTRIES, ORG_TYPES)]


def workbook(sheets: dict[str, list[list]]) -> Source:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return Source("4w.xlsx", buf.getvalue())


def test_a_dropdown_sheet_is_not_loaded_as_a_4w_whatever_its_name():
    data = [["Organisation", "Country", "Pillar", "Status"],
            ["MAG", "Iraq", "Clearance", "Active"], ["HALO Trust", "Iraq", "EORE", "Active"]]
    result = load_sources([workbook({"4W": data, "Values": dropdown_rows()})], today=TODAY)
    assert result.ok, [p.message for p in result.errors]
    assert len(result.dataset.presence) == 2  # not 2 + 17
    four_w, values = result.reports
    assert (four_w.kind, values.kind) == ("presence", None)
    (problem,) = values.problems
    assert (problem.severity, problem.code, problem.sheet) == ("warning", "sheet.not_records", "Values")
    assert problem.message == (
        "Sheet 'Values' holds lists of values for drop-downs (4 columns of 5 to 17 values), not "
        "one row per record; it was not loaded as data."
    )


def test_a_read_me_of_one_column_is_not_data():
    rows = [["How to fill in this 4W"], ["One row per organisation, place and activity."],
            ["Organisation: the implementing partner."], ["Country: where the activity is."]]
    mapped, problems = map_sheet(RawSheet("f.xlsx", "Sheet3", pd.DataFrame(rows, dtype=object)))
    assert mapped is None
    assert [p.code for p in problems] == ["sheet.not_records"]
    assert "a single column of values (a list or notes)" in problems[0].message


def test_lists_of_equal_length_beside_a_longer_one_are_still_lists():
    # Two of the three lists end on the same row, so most rows are full: the lists are
    # told by their ragged, text-only bottom (the Menus sheet of the field corpus).
    rows = [["Pillar", "Status", "Organisation type"],
            *column_lists(PILLARS[:6], STATUSES[:4], ORG_TYPES[:4])]
    mapped, problems = map_sheet(RawSheet("f.xlsx", "Menus", pd.DataFrame(rows, dtype=object)))
    assert mapped is None
    assert [(p.severity, p.code) for p in problems] == [("warning", "sheet.not_records")]
    assert "3 columns of 4 to 6 values" in problems[0].message


def test_records_ending_together_or_holding_numbers_are_data():
    ragged_numbers = [["Organisation", "Country", "Pillar", "People reached"],
                      ["MAG", "Iraq", "Clearance", 120], ["HALO Trust", "Syria", "EORE", 45],
                      ["NPA", "Libya", "Technical survey", None], ["FSD", "Ukraine", None, None]]
    mapped, _ = map_sheet(RawSheet("f.xlsx", "4W", pd.DataFrame(ragged_numbers, dtype=object)))
    assert mapped is not None and mapped.kind == "presence"
    assert len(mapped.frame) == 4


def test_a_small_table_of_records_with_distinct_values_is_still_data():
    rows = [["Organisation", "Country", "Pillar", "Status"],
            ["MAG", "Iraq", "Clearance", "Active"],
            ["HALO Trust", "Syria", "EORE", "Planned"],
            ["NPA", "Libya", "Technical survey", "Completed"],
            ["FSD", "Ukraine", "Victim assistance", None]]  # a short last row
    mapped, problems = map_sheet(RawSheet("f.xlsx", "4W", pd.DataFrame(rows, dtype=object)))
    assert mapped is not None and mapped.kind == "presence"
    assert len(mapped.frame) == 4


def test_a_second_table_beside_the_one_read_is_named_in_one_warning():
    rows = [
        ["Organisation", "Country", "Status", None, "Donor", "Amount", None, "Remarks"],
        ["MAG", "Iraq", "Active", None, "Germany", 1000, None, None],
        ["HALO Trust", "Iraq", "Active", None, "Norway", 2000, None, "to check"],
        ["NPA", "Libya", "Planned", None, None, None, None, None],
    ]
    mapped, problems = map_sheet(RawSheet("f.xlsx", "4W", pd.DataFrame(rows, dtype=object)))
    assert mapped.kind == "presence" and len(mapped.frame) == 3
    side, stray = [p for p in problems if p.severity == "warning"]
    assert (side.code, side.column, side.value) == ("sheet.side_table", "Donor", "E, F")
    assert side.message == (
        "Columns E to F hold a second table beside the one read (headers: Donor, Amount); "
        "its 4 values were not loaded."
    )
    # A single stray column is a column not loaded, with its values.
    assert (stray.code, stray.column, stray.value) == ("column.not_loaded", "Remarks", "'to check'")


def test_a_side_table_repeating_a_header_of_the_table_read_does_not_block_the_upload():
    # "Pillar" heads a column of both tables: the repeat belongs to the side table, named
    # in its warning; a repeat inside the table read is still an error.
    rows = [
        ["Organisation", "Country", "Pillar", "Status", None, "Pillar", "Partners"],
        ["MAG", "Chad", "Clearance", "Active", None, "Clearance", "NPA"],
        ["HALO Trust", "Chad", "EORE", "Active", None, "EORE", "HI"],
    ]
    mapped, problems = map_sheet(RawSheet("f.xlsx", "4W", pd.DataFrame(rows, dtype=object)))
    assert mapped.kind == "presence" and len(mapped.frame) == 2
    assert [(p.severity, p.code, p.value) for p in problems] == [("warning", "sheet.side_table", "F, G")]
    inside = [["Organisation", "Country", "Pillar", "Pillar", "Status"],
              ["MAG", "Chad", "Clearance", "EORE", "Active"]]
    _, problems = map_sheet(RawSheet("f.xlsx", "4W", pd.DataFrame(inside, dtype=object)))
    assert [(p.severity, p.code) for p in problems if p.code == "header.duplicate"] == [
        ("error", "header.duplicate")]


def test_values_written_once_atop_their_columns_are_records_left_blank_below():
    # "Same as above": the organisation, country and type are typed on the first row
    # only, the statuses go on. No drop-down has a list of one value.
    rows = [["Organisation", "Country", "Activity type", "Status"],
            ["MAG", "Iraq", "Clearance", "Active"],
            [None, None, None, "Planned"], [None, None, None, "Completed"], [None, None, None, "Suspended"]]
    mapped, problems = map_sheet(RawSheet("4w.xlsx", "4W", pd.DataFrame(rows, dtype=object)))
    assert mapped is not None and mapped.kind == "presence"
    assert len(mapped.frame) == 4
    assert "sheet.not_records" not in [p.code for p in problems]


def test_ragged_columns_of_numbers_are_records_not_lists():
    # A CSV carries its numbers as text; lists behind drop-downs hold words.
    rows = [["Organisation", "Country", "Activity type", "People reached"],
            ["12", "4", "7", "0000"], ["13", "5", "8", "0"], [None, None, None, "00"],
            [None, None, None, "000"]]
    mapped, problems = map_sheet(RawSheet("4w.xlsx", "4W", pd.DataFrame(rows, dtype=object)))
    assert mapped is not None and mapped.kind == "presence"
    assert len(mapped.frame) == 4
    assert "sheet.not_records" not in [p.code for p in problems]


def test_ragged_columns_without_letters_are_records_not_lists():
    # Found by hypothesis: numbers beside marks (":", ";") are no more words than the
    # numbers alone; half of them numbers was not "mostly numbers", and the sheet was
    # taken for lists behind drop-downs.
    rows = [["Organisation", "Country", "Activity type", "Status"],
            ["0", "0", ";", ":"], [":", ":", ":", "0"], ["1", None, None, None],
            ["00", None, None, None]]
    mapped, problems = map_sheet(RawSheet("4w.xlsx", "4W", pd.DataFrame(rows, dtype=object)))
    assert mapped is not None and mapped.kind == "presence"
    assert len(mapped.frame) == 4
    assert "sheet.not_records" not in [p.code for p in problems]


def test_a_csv_is_one_table_of_records_even_when_its_columns_look_like_lists():
    # A CSV carries no drop-downs: the columns of the Values sheet, sent as a CSV, are
    # read as records (and validated as such), not left out as lists.
    rows = dropdown_rows()
    mapped, problems = map_sheet(RawSheet("values.csv", None, pd.DataFrame(rows, dtype=object)))
    assert mapped is not None
    assert len(mapped.frame) == len(rows) - 1
    assert "sheet.not_records" not in [p.code for p in problems]
    # The same grid as a workbook's sheet is the lists behind drop-downs.
    assert map_sheet(RawSheet("4w.xlsx", "Values", pd.DataFrame(rows, dtype=object)))[0] is None

"""Old Excel (.xls) and OpenDocument (.ods): prechecks, reading, merged cells, isolation."""

from __future__ import annotations

import datetime as dt
import struct

import pytest

from maaor.load import load_sources
from maaor.read.precheck import Limits, precheck
from maaor.read.sources import read_source
from maaor.sources import Source
from tests.spreadsheets import ods_bytes, ods_cell, ods_from_content, xls_bytes

ROWS = [
    ["Organisation", "Country", "Admin 1", "Pillar", "Status", "Start", "People reached"],
    ["HALO Trust", "Afghanistan", "Kabul", "Clearance", "Active", dt.date(2024, 3, 1), 120],
    [None, None, "Herat", "Risk education", "Active", dt.date(2024, 3, 1), None],
    ["MAG", "Iraq", "Ninewa", "Clearance", "Planned", dt.date(2024, 6, 1), 40],
]
MERGES = [(1, 0, 2, 1), (1, 1, 2, 1), (1, 6, 2, 1)]


@pytest.mark.parametrize("name,build", [("fw.xls", xls_bytes), ("fw.ods", ods_bytes)])
def test_xls_and_ods_load_like_xlsx_with_merged_cells_expanded(name, build):
    data = build([("4W", ROWS, MERGES)])
    assert precheck(Source(name, data)) == []
    result = load_sources([Source(name, data)])
    presence = result.dataset.presence
    assert result.ok, [p.message for p in result.errors]
    assert presence["org"].tolist() == ["The HALO Trust", "The HALO Trust", "MAG"]
    assert presence["country_iso3"].tolist() == ["AFG", "AFG", "IRQ"]
    assert presence["admin1"].tolist() == ["Kabul", "Herat", "Ninewa"]
    assert presence["start"].dt.year.tolist() == [2024, 2024, 2024]
    # The merged number is counted once (120 + 40), not copied to Herat's row.
    assert presence["reached_total"].sum() == 160
    assert presence["reached_total"].isna().tolist() == [False, True, False]
    codes = {p.code: p for p in result.problems}
    assert "A2:A3" in codes["cells.merged_expanded"].message
    assert "B2:B3" in codes["cells.merged_expanded"].message
    assert "G2:G3" in codes["cells.merged_number"].message
    assert codes["cells.merged_number"].severity == "warning"


@pytest.mark.parametrize("name,build", [("fw.xls", xls_bytes), ("fw.ods", ods_bytes)])
def test_xls_and_ods_go_through_the_isolated_child(name, build):
    data = build([("4W", ROWS, MERGES)])
    isolated = load_sources([Source(name, data)], isolate=True)
    inline = load_sources([Source(name, data)])
    assert isolated.dataset.presence.drop(columns=[]).equals(inline.dataset.presence)
    assert len(isolated.dataset.presence) == 3


def test_xlsx_merged_cells_are_expanded_too():
    import io

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for row in ROWS:
        ws.append(row)
    ws.merge_cells("A2:A3")
    ws.merge_cells("B2:B3")
    buf = io.BytesIO()
    wb.save(buf)
    result = load_sources([Source("fw.xlsx", buf.getvalue())])
    assert result.dataset.presence["org"].tolist() == ["The HALO Trust", "The HALO Trust", "MAG"]


def test_a_merged_title_above_the_header_is_left_alone():
    rows = [["4W mine action, Q1", None, None], ["Organisation", "Country", "Pillar"],
            ["MAG", "Iraq", "Clearance"], ["NPA", "Iraq", "Clearance"]]
    data = ods_bytes([("4W", rows, [(0, 0, 1, 3)])])
    result = load_sources([Source("t.ods", data)])
    assert len(result.dataset.presence) == 2
    assert result.dataset.presence["org"].iloc[0] == "MAG"
    assert not any(p.code == "cells.merged_expanded" for p in result.problems)


def test_ods_repeating_one_cell_past_the_limits_is_refused_before_reading():
    row = ('<table:table-row table:number-rows-repeated="300000">'
           + ods_cell("x") + "</table:table-row>")
    data = ods_from_content(f'<table:table table:name="Bomb">{row}</table:table>')
    problems = precheck(Source("bomb.ods", data))
    assert [p.code for p in problems] == ["sheet.too_large"]
    assert "Sheet 'Bomb'" in problems[0].message and "300,000" in problems[0].message


def test_ods_trailing_empty_repeats_are_accepted():
    body = ("<table:table-row>" + ods_cell("Organisation") + ods_cell("Country")
            + '<table:table-cell table:number-columns-repeated="16000"/></table:table-row>'
            + "<table:table-row>" + ods_cell("MAG") + ods_cell("Iraq") + "</table:table-row>"
            + '<table:table-row table:number-rows-repeated="1048000"><table:table-cell '
              'table:number-columns-repeated="1024"/></table:table-row>')
    data = ods_from_content(f'<table:table table:name="4W">{body}</table:table>')
    assert precheck(Source("ok.ods", data)) == []


def test_ods_checks_name_what_the_file_really_is():
    assert [p.code for p in precheck(Source("x.ods", b"a,b\n1,2\n"))] == ["file.wrong_type"]
    with_dtd = ods_from_content('<!DOCTYPE x [<!ENTITY a "b">]><table:table table:name="A"/>')
    assert [p.code for p in precheck(Source("x.ods", with_dtd))] == ["ods.dtd"]


def test_xls_checks_refuse_a_forged_header_and_a_huge_declared_sheet():
    data = bytearray(xls_bytes([("4W", ROWS, [])]))
    assert precheck(Source("ok.xls", bytes(data))) == []
    forged = bytearray(data)
    forged[44:48] = struct.pack("<I", 10_000_000)  # FAT sectors far beyond the file
    assert [p.code for p in precheck(Source("f.xls", bytes(forged)))] == ["xls.damaged"]
    # A DIMENSIONS record declaring 65,536 rows x 200 columns (13 million cells).
    at = bytes(data).find(b"\x00\x02\x0e\x00")
    assert at > 0
    big = bytearray(data)
    big[at + 4 : at + 18] = struct.pack("<IIHHH", 0, 65_536, 0, 200, 0)
    problems = precheck(Source("big.xls", bytes(big)), Limits())
    assert [p.code for p in problems] == ["sheet.too_large"]
    assert "65,536 rows x 200 columns" in problems[0].message


def test_xls_named_file_that_is_text_is_refused_with_what_it_is():
    problems = precheck(Source("x.xls", b"Organisation,Country\nMAG,Iraq\n"))
    assert problems and problems[0].severity == "error"


def test_an_unsupported_type_names_the_types_read():
    result = read_source(Source("plan.docx", b"PK\x03\x04whatever"))
    (problem,) = result.problems
    assert problem.code == "file.unsupported_type"
    for suffix in (".xlsx", ".xls", ".ods", ".csv", ".json"):
        assert suffix in problem.fix

"""Tests of maaor.read.excel: values, error cells, formulas, hidden sheets."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest

from maaor.read.excel import (
    column_index,
    column_letter,
    read_workbook,
    scan_sheet_xml,
)
from maaor.sources import Source
from tests.hostile import SHEET_HEAD, xlsx_from_sheet


def workbook_bytes(build) -> bytes:
    """Bytes of an openpyxl workbook prepared by ``build(wb)``."""
    wb = openpyxl.Workbook()
    build(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def patch_sheet_xml(data: bytes, member: str, replacements: dict[str, str]) -> bytes:
    """Rewrite cells of a sheet's XML by text replacement (each must occur once)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        for name in zin.namelist():
            content = zin.read(name)
            if name == member:
                text = content.decode()
                for old, new in replacements.items():
                    assert text.count(old) == 1, old
                    text = text.replace(old, new)
                content = text.encode()
            zout.writestr(name, content)
    return out.getvalue()


def formula_workbook() -> bytes:
    def build(wb):
        ws = wb.active
        ws.title = "Data"
        ws.append(["Value", "Ratio", "Double", "Sum"])
        ws.append([42, "=1/0", "=A2*2", "=SUM(A2:A3)"])
        ws.append([8, "=NA()", None, None])

    data = workbook_bytes(build)
    # openpyxl saves formulas without results; write the cached ones Excel would save.
    return patch_sheet_xml(
        data,
        "xl/worksheets/sheet1.xml",
        {
            '<c r="B2"><f>1/0</f><v></v></c>': '<c r="B2" t="e"><f>1/0</f><v>#DIV/0!</v></c>',
            '<c r="C2"><f>A2*2</f><v></v></c>': '<c r="C2"><f>A2*2</f><v>84</v></c>',
            '<c r="B3"><f>NA()</f><v></v></c>': '<c r="B3" t="e"><f>NA()</f><v>#N/A</v></c>',
        },
    )


def test_column_letters_round_trip():
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702, 16383)] == [
        "A",
        "Z",
        "AA",
        "AB",
        "ZZ",
        "AAA",
        "XFD",
    ]
    assert all(column_index(column_letter(i)) == i for i in range(0, 20000, 7))


def test_values_keep_their_types_and_empty_cells_are_none():
    def build(wb):
        ws = wb.active
        ws.title = "4W"
        ws.append(["Organisation", "Start", "Reached", "Active", "Time", "Stamp"])
        ws.append(
            ["MAG", dt.date(2020, 1, 5), 1500, True, dt.time(10, 30), dt.datetime(2021, 3, 4, 8)]
        )
        ws.append(["HALO", None, 2.5, False, None, None])

    result = read_workbook(Source("w.xlsx", workbook_bytes(build)))
    assert result.problems == []
    (sheet,) = result.sheets
    assert sheet.sheet == "4W"
    assert sheet.first_row == 1
    assert sheet.hidden is False
    rows = sheet.cells.to_numpy().tolist()
    assert rows[0] == ["Organisation", "Start", "Reached", "Active", "Time", "Stamp"]
    org, start, reached, active, time, stamp = rows[1]
    assert org == "MAG"
    assert start in (dt.date(2020, 1, 5), dt.datetime(2020, 1, 5))
    assert reached == 1500
    assert active is True
    assert time == dt.time(10, 30)
    assert stamp == dt.datetime(2021, 3, 4, 8)
    assert rows[2] == ["HALO", None, 2.5, False, None, None]


def test_excel_serial_date_in_a_date_formatted_cell_is_a_date():
    sheet_xml = (
        SHEET_HEAD + "<sheetData>"
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Start</t></is></c></row>'
        '<row r="2"><c r="A2" s="1"><v>43835</v></c></row>'
        "</sheetData></worksheet>"
    )
    styles = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<fonts count="1"><font/></fonts><fills count="1"><fill/></fills>'
        '<borders count="1"><border/></borders>'
        '<cellStyleXfs count="1"><xf/></cellStyleXfs>'
        '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs>'
        "</styleSheet>"
    )
    data = xlsx_from_sheet(sheet_xml, extra={"xl/styles.xml": styles})
    data = _with_styles_relationship(data)
    sheet = read_workbook(Source("d.xlsx", data)).sheets[0]
    value = sheet.cells.iat[1, 0]
    assert value in (dt.date(2020, 1, 5), dt.datetime(2020, 1, 5))


def _with_styles_relationship(data: bytes) -> bytes:
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/styles" Target="styles.xml"/>'
        "</Relationships>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        for name in zin.namelist():
            content = rels if name == "xl/_rels/workbook.xml.rels" else zin.read(name)
            zout.writestr(name, content)
    return out.getvalue()


def test_error_cells_keep_their_text_and_are_listed():
    sheet = read_workbook(Source("f.xlsx", formula_workbook())).sheets[0]
    assert sheet.error_cells == {(1, 1): "#DIV/0!", (2, 1): "#N/A"}
    assert sheet.cells.iat[1, 1] == "#DIV/0!"
    assert sheet.cells.iat[2, 1] == "#N/A"


def test_cached_formula_value_is_the_value():
    sheet = read_workbook(Source("f.xlsx", formula_workbook())).sheets[0]
    assert sheet.cells.iat[1, 2] == 84


def test_formula_without_cached_value_is_reported():
    sheet = read_workbook(Source("f.xlsx", formula_workbook())).sheets[0]
    assert sheet.formula_no_cache == {(1, 3): "=SUM(A2:A3)"}
    assert sheet.cells.iat[1, 3] is None


def test_error_cell_without_formula_and_ref_error():
    sheet_xml = (
        SHEET_HEAD + "<sheetData>"
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Budget</t></is></c></row>'
        '<row r="2"><c r="A2" t="e"><f>#REF!+1</f><v>#REF!</v></c></row>'
        '<row r="3"><c r="A3" t="e"><v>#NAME?</v></c></row>'
        "</sheetData></worksheet>"
    )
    sheet = read_workbook(Source("e.xlsx", xlsx_from_sheet(sheet_xml))).sheets[0]
    assert sheet.error_cells == {(1, 0): "#REF!", (2, 0): "#NAME?"}
    assert sheet.cells.iloc[:, 0].tolist() == ["Budget", "#REF!", "#NAME?"]


def test_shared_formulas_and_empty_string_results():
    sheet_xml = (
        SHEET_HEAD + "<sheetData>"
        '<row r="1"><c r="A1"><v>1</v></c>'
        '<c r="B1"><f t="shared" ref="B1:B2" si="0">A1*2</f></c>'
        '<c r="C1" t="str"><f>IF(A1&gt;5,"big","")</f><v></v></c></row>'
        '<row r="2"><c r="A2"><v>2</v></c><c r="B2"><f t="shared" si="0"/></c>'
        '<c r="C2"><f>A1&amp;"x"</f></c></row>'
        "</sheetData></worksheet>"
    )
    data = xlsx_from_sheet(sheet_xml)
    errors, uncached, truncated = scan_sheet_xml(data, "xl/worksheets/sheet1.xml")
    assert errors == {}
    assert truncated is False
    # C1 has a cached (empty) text result; the others have no result at all.
    assert uncached == {
        (0, 1): "=A1*2",
        (1, 1): "=A1*2 (shared with B1)",
        (1, 2): '=A1&"x"',
    }


def test_scan_handles_prefixed_tags_and_chunk_boundaries(monkeypatch):
    import maaor.read.excel as excel

    rows = "".join(
        f'<x:row r="{r}"><x:c r="A{r}"><x:v>{r}</x:v></x:c>'
        f'<x:c r="B{r}" t="e"><x:v>#N/A</x:v></x:c></x:row>'
        for r in range(1, 400)
    )
    sheet_xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<x:sheetData>{rows}</x:sheetData></x:worksheet>"
    )
    monkeypatch.setattr(excel, "_CHUNK", 100)
    errors, _, _ = scan_sheet_xml(xlsx_from_sheet(sheet_xml), "xl/worksheets/sheet1.xml")
    assert errors == {(r - 1, 1): "#N/A" for r in range(1, 400)}


def test_scan_limit_is_reported_as_a_note(monkeypatch):
    import maaor.read.excel as excel

    monkeypatch.setattr(excel, "MAX_RECORDED", 1)
    result = read_workbook(Source("f.xlsx", formula_workbook()))
    assert [p.code for p in result.problems] == ["sheet.scan_incomplete"]
    assert result.problems[0].severity == "note"


def test_hidden_and_very_hidden_sheets_are_flagged():
    def build(wb):
        wb.active.title = "4W"
        wb.active["A1"] = "Organisation"
        hidden = wb.create_sheet("Lists")
        hidden["A1"] = "Clearance"
        hidden.sheet_state = "hidden"
        very = wb.create_sheet("Secret")
        very["A1"] = "x"
        very.sheet_state = "veryHidden"

    sheets = read_workbook(Source("h.xlsx", workbook_bytes(build))).sheets
    assert [(s.sheet, s.hidden) for s in sheets] == [
        ("4W", False),
        ("Lists", True),
        ("Secret", True),
    ]
    assert sheets[1].cells.iat[0, 0] == "Clearance"


def test_empty_sheet_gives_an_empty_grid():
    sheets = read_workbook(Source("e.xlsx", workbook_bytes(lambda wb: None))).sheets
    assert len(sheets) == 1
    assert sheets[0].cells.size == 0


def test_data_starting_below_and_right_keeps_excel_positions():
    def build(wb):
        wb.active["C4"] = "Organisation"
        wb.active["C5"] = "MAG"

    sheet = read_workbook(Source("p.xlsx", workbook_bytes(build))).sheets[0]
    assert sheet.first_row == 1
    assert sheet.cells.iat[3, 2] == "Organisation"
    assert sheet.cells.iat[4, 2] == "MAG"


def test_too_large_sheet_is_refused(monkeypatch):
    import maaor.read.excel as excel

    monkeypatch.setattr(excel, "MAX_CELLS", 10)

    def build(wb):
        for _r in range(5):
            wb.active.append([1, 2, 3])

    result = read_workbook(Source("big.xlsx", workbook_bytes(build)))
    assert result.sheets == []
    assert [p.code for p in result.problems] == ["sheet.too_large"]
    assert result.problems[0].severity == "error"


@pytest.mark.parametrize("data", [b"", b"not a zip", b"PK\x03\x04broken"])
def test_unreadable_bytes_give_an_error(data):
    result = read_workbook(Source("x.xlsx", data))
    assert result.sheets == []
    assert [p.code for p in result.problems] == ["file.unreadable"]


def test_kind_is_copied_to_every_sheet():
    def build(wb):
        wb.active["A1"] = "x"
        wb.create_sheet("Two")["A1"] = "y"

    sheets = read_workbook(Source("k.xlsx", workbook_bytes(build), kind="presence")).sheets
    assert [s.kind for s in sheets] == ["presence", "presence"]


def test_precheck_facts_give_the_same_sheets_as_a_full_scan():
    from maaor.read.precheck import precheck_report

    for data in (formula_workbook(), workbook_bytes(lambda wb: wb.active.append(["a", 1]))):
        source = Source("f.xlsx", data)
        with_facts = read_workbook(source, precheck_report(source).parts).sheets[0]
        without = read_workbook(source).sheets[0]
        assert with_facts.error_cells == without.error_cells
        assert with_facts.formula_no_cache == without.formula_no_cache
        assert with_facts.cells.equals(without.cells)


def test_sheet_scan_runs_only_where_the_precheck_saw_markers(monkeypatch):
    import maaor.read.excel as excel
    from maaor.read.precheck import PartFacts, precheck_report

    scanned: list[str] = []
    real_scan = excel.scan_sheet_xml

    def counting_scan(data, part):
        scanned.append(part)
        return real_scan(data, part)

    monkeypatch.setattr(excel, "scan_sheet_xml", counting_scan)
    plain = Source("p.xlsx", workbook_bytes(lambda wb: wb.active.append(["a", 1])))
    read_workbook(plain, precheck_report(plain).parts)
    assert scanned == []
    read_workbook(plain)  # no facts: scanned as before
    assert scanned == ["xl/worksheets/sheet1.xml"]
    scanned.clear()
    formulas = Source("f.xlsx", formula_workbook())
    read_workbook(formulas, precheck_report(formulas).parts)
    assert scanned == ["xl/worksheets/sheet1.xml"]
    scanned.clear()
    # Facts too large for the scan's own limit leave the decision to the scan.
    huge = {"xl/worksheets/sheet1.xml": PartFacts(excel.MAX_SCAN_BYTES + 1, False, False)}
    read_workbook(plain, huge)
    assert scanned == ["xl/worksheets/sheet1.xml"]


def test_grid_turns_empty_strings_into_none():
    from maaor.read.excel import _grid

    grid = _grid([["a", "", 1.0], ["", None, True]])
    assert grid.to_numpy().tolist() == [["a", None, 1.0], [None, None, True]]
    assert [str(d) for d in grid.dtypes] == ["object"] * 3
    assert _grid([]).shape == (0, 0)


@pytest.mark.parametrize("height", [1, 5, 2048, 2049, 5000])
def test_grid_copies_rows_block_by_block_and_drops_the_row_lists(height):
    from maaor.read import excel

    values = ["a", "", " ", None, 1.5, 0.0, True, dt.date(2020, 1, 2), "\x00"]
    rows = [[values[(i * 7 + j) % len(values)] for j in range(3)] for i in range(height)]
    expected = [[None if v == "" else v for v in row] for row in rows]
    grid = excel._grid(rows)
    assert grid.shape == (height, 3) and [str(d) for d in grid.dtypes] == ["object"] * 3
    assert grid.to_numpy().tolist() == expected
    assert rows == [None] * height  # copied, then dropped while in cache


def test_ragged_rows_take_the_general_path_and_are_left_as_they_are():
    from maaor.read.excel import _grid

    rows = [["a", ""], ["", None, 2.0]]
    grid = _grid(rows)
    assert grid.to_numpy().tolist() == [["a", None, None], [None, None, 2.0]]
    assert rows == [["a", ""], ["", None, 2.0]]


def test_empty_string_mask_by_pointer_is_the_compared_mask():
    import numpy as np

    from maaor.read.excel import _empty_strings

    blank = "".join([])  # an empty str made at run time, not the literal
    values = ["a", "", blank, 1.0, 0.0, None, True, False, dt.date(2020, 1, 2), " ", "0"]
    rng = np.random.default_rng(3)
    for order in ("F", "C"):
        grid = np.empty((40, 7), dtype=object, order=order)
        grid[:] = [[values[i] for i in rng.integers(0, len(values), 7)] for _ in range(40)]
        assert (_empty_strings(grid) == (grid == "")).all()
        # A view that is not one contiguous block is compared cell by cell.
        assert (_empty_strings(grid[::2, ::3]) == (grid[::2, ::3] == "")).all()


def test_calamines_empty_cells_are_the_one_empty_string():
    # The pointer mask of ``_empty_strings`` relies on it: a python-calamine that made
    # empty cells some other way must fail here, not blank fewer cells.
    import python_calamine

    from maaor.read.excel import _EMPTY

    def build(wb):
        ws = wb.active
        ws.append(["a", None, "", 3])
        ws.append([None, "b", None, None])

    rows = python_calamine.CalamineWorkbook.from_filelike(
        io.BytesIO(workbook_bytes(build))
    ).get_sheet_by_index(0).to_python(skip_empty_area=False)
    empties = [cell for row in rows for cell in row if isinstance(cell, str) and not cell]
    assert len(empties) >= 4
    assert all(cell is _EMPTY for cell in empties)  # the very object, not an equal one

"""Property tests of the read layer: nothing raises, and no data row is lost silently."""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pandas as pd
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from maaor.read.headers import map_sheet
from maaor.read.sources import read_source
from maaor.read.types import RawSheet
from maaor.sources import Source
from tests.hostile import SHEET_HEAD, xlsx_from_sheet

HEADER = ["Organisation", "Country", "Activity type", "Status"]

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text as a user might type it (any script, spaces, formula-looking strings); control
# characters are left out because a workbook cannot hold them.
text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")),
    max_size=12,
) | st.sampled_from(["=SUM(A1:A3)", "=1/0", "#REF!", "  ", "", "#org", "Organisation", "n/a"])
cell = st.one_of(
    st.none(),
    text,
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
)
data_rows = st.lists(st.lists(cell, min_size=4, max_size=4), max_size=40)


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def check_no_row_lost(mapped, problems, rows: list[list], blank) -> None:
    expected = sum(1 for row in rows if not all(blank(v) for v in row))
    assert mapped is not None, problems
    assert mapped.kind == "presence"
    assert mapped.header_row == 1
    consumed = 0
    if mapped.hxl_row is not None:
        # A data row right under the header that reads as HXL tags is said to be tags.
        assert any(p.code == "header.hxl_row" and p.row == mapped.hxl_row for p in problems)
        consumed = 1
    if mapped.excluded_rows:
        # A row whose first value is a total label ("TOTAL") is left out and named in the
        # note that says so (nothing is counted twice), never dropped in silence.
        (note,) = [p for p in problems if p.code == "rows.totals"]
        assert all(f"row {r} (" in note.message for r in sorted(mapped.excluded_rows)[:10])
        consumed += len(mapped.excluded_rows)
    assert len(mapped.frame) == expected - consumed
    assert len(mapped.rows) == len(mapped.frame)
    assert mapped.rows == sorted(mapped.rows)


@SETTINGS
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".csv", ".json", ".xlsx", ".tsv"]))
def test_arbitrary_bytes_never_raise(data, suffix):
    result = read_source(Source("upload" + suffix, data))
    for sheet in result.sheets:
        map_sheet(sheet)


@SETTINGS
@given(
    member=st.binary(max_size=800),
    wrap=st.booleans(),
)
def test_arbitrary_sheet_xml_never_raises(member, wrap):
    # A zip that looks like a workbook but whose sheet part is noise.
    body = (
        (SHEET_HEAD.encode() + b"<sheetData>" + member + b"</sheetData></worksheet>")
        if wrap
        else member
    )
    result = read_source(Source("noise.xlsx", xlsx_from_sheet(body)))
    for sheet in result.sheets:
        map_sheet(sheet)


def _csv_text(value: object) -> str:
    if value is None:
        return ""
    return str(value)


@SETTINGS
@given(rows=data_rows)
# Found by CI: a first row typed in full, then only the last column (values written
# once, "same as above") was taken for lists behind drop-downs.
@example(rows=[["0", "0", "0", "0000"], [None, None, None, "0"], [None, None, None, "00"],
               [None, None, None, "000"]])
# Found by hypothesis: numbers beside marks without a letter, taken for lists too.
@example(rows=[["0", "0", ";", ":"], [":", ":", ":", "0"], ["1", None, None, None],
               ["00", None, None, None]])
def test_csv_rows_all_come_back(rows):
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([_csv_text(v) for v in row])
    result = read_source(Source("4w.csv", buf.getvalue().encode("utf-8")))
    mapped, problems = map_sheet(result.sheets[0])
    text_rows = [[_csv_text(v) for v in row] for row in rows]
    check_no_row_lost(mapped, problems, text_rows, lambda v: not v.strip())
    # Grid row i + 1 is Excel row i + 2 (under the header row).
    kept = [r for i, r in enumerate(text_rows)
            if any(v.strip() for v in r) and i + 2 not in mapped.excluded_rows][: len(mapped.frame)]
    if mapped.hxl_row is None:
        got = mapped.frame.to_numpy().tolist()
        assert got == [[v if v != "" else None for v in r] for r in kept]


@SETTINGS
@given(rows=data_rows)
# Found by hypothesis (which draws texts from the code's own literals): a total row.
@example(rows=[[None, None, None, "TOTAL"]])
def test_xlsx_rows_all_come_back(rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "4W"
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    result = read_source(Source("4w.xlsx", buf.getvalue()))
    assert [p for p in result.problems if p.severity == "error"] == []
    mapped, problems = map_sheet(result.sheets[0])
    # openpyxl stores "=..." strings as formulas without a cached value: such a cell
    # reads as empty but keeps its row (listed in formula_no_cache).
    check_no_row_lost(mapped, problems, rows, is_blank)
    formulas = {row for row, _ in mapped.formula_no_cache}
    assert formulas <= set(mapped.rows)


def test_zip_without_workbook_parts_is_an_error():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    result = read_source(Source("odd.xlsx", buf.getvalue()))
    assert result.sheets == []
    assert result.problems[0].severity == "error"


# Cells that steer header and kind recognition: labels, aliases, tags, sheet-ish words.
steering = st.sampled_from(
    [
        "Organisation",
        "Country",
        "Activity ID",
        "Activity",
        "Year",
        "Name",
        "Status",
        "countryCode",
        "requirements",
        "funding",
        "percentFunded",
        "#org",
        "#country",
        "#adm1+code",
        "#reached+f",
        "#",
        "Active",
    ]
)
grids = st.lists(
    st.lists(st.one_of(cell, steering), min_size=1, max_size=6), min_size=0, max_size=12
)


@SETTINGS
@given(
    rows=grids,
    kind=st.sampled_from([None, "presence", "workplan", "fts"]),
    sheet=st.sampled_from([None, "Data", "Read me"]),
)
def test_map_sheet_never_raises_and_rows_are_consistent(rows, kind, sheet):
    width = max((len(r) for r in rows), default=0)
    cells = pd.DataFrame([r + [None] * (width - len(r)) for r in rows], dtype=object)
    mapped, problems = map_sheet(RawSheet("g.xlsx", sheet, cells), kind=kind)
    if mapped is None:
        assert problems  # a sheet is never dropped without saying why
        return
    assert len(mapped.rows) == len(mapped.frame)
    assert mapped.rows == sorted(set(mapped.rows))
    label_rows = [r for r in (mapped.header_row, mapped.hxl_row) if r is not None]
    assert label_rows and all(r > max(label_rows) for r in mapped.rows)
    assert all(r <= len(rows) for r in mapped.rows)
    assert set(mapped.frame.columns) == set(mapped.labels) == set(mapped.letters)

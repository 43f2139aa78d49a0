"""The Excel reader spares calamine its merged-cell pass over sheets the precheck saw
without merged cells (issue 16, reads near the floor): same sheets, same values."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from maaor.read import excel
from maaor.read.precheck import precheck_report
from maaor.read.sources import read_source
from maaor.sources import Source

ROOT = Path(__file__).resolve().parents[2]
WORKBOOKS = sorted(
    p for p in [*ROOT.joinpath("tests", "fixtures").rglob("*.xls*"), *ROOT.joinpath("data").rglob("*.xlsx")]
    if p.suffix in (".xlsx", ".xlsm")
)


def _cells(raw) -> list[tuple[type, object]]:
    """Every cell with its type (1 and 1.0, a date and a datetime differ)."""
    return [(type(v), v) for v in raw.cells.to_numpy().ravel().tolist()]


def read_both(source: Source, monkeypatch) -> tuple:
    """The file read with the merge pass spared (every sheet qualifies) and as before."""
    facts = precheck_report(source).parts
    monkeypatch.setattr(excel, "MERGE_PASS_MIN_BYTES", 0)
    opened = []
    spare = excel._without_merge_pass

    def spying(*args):
        opened.append(spare(*args))
        return opened[-1]

    monkeypatch.setattr(excel, "_without_merge_pass", spying)
    spared = read_source(source, facts)
    if any(not f.merge_marks for name, f in facts.items() if "worksheets/" in name):
        assert opened and opened[0] is not None  # the copy was read
    monkeypatch.setattr(excel, "_without_merge_pass", lambda *args: None)
    before = read_source(source, facts)
    return spared, before


def assert_same(spared, before) -> None:
    assert [p.to_dict() for p in spared.problems] == [p.to_dict() for p in before.problems]
    assert [s.sheet for s in spared.sheets] == [s.sheet for s in before.sheets]
    for a, b in zip(spared.sheets, before.sheets, strict=True):
        assert a.cells.shape == b.cells.shape
        assert _cells(a) == _cells(b)
        assert (a.merged, a.hidden, a.error_cells, a.formula_no_cache, a.first_row) == (
            b.merged, b.hidden, b.error_cells, b.formula_no_cache, b.first_row)


@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: p.name)
def test_every_shipped_and_corpus_workbook_reads_the_same(path, monkeypatch):
    assert_same(*read_both(Source.from_path(path), monkeypatch))


def test_merged_cells_are_still_read_where_the_sheet_has_them(monkeypatch):
    def build(wb):
        ws = wb.active
        ws.append(["Organisation", "Country", "Pillar"])
        ws.append(["HALO", "Iraq", "Clearance"])
        ws.append([None, "Syria", "EORE"])
        ws.merge_cells("A2:A3")
        wb.create_sheet("Plain").append(["a", 1.5, dt.datetime(2024, 5, 1)])

    buf = io.BytesIO()
    wb = openpyxl.Workbook()
    build(wb)
    wb.save(buf)
    source = Source("merged.xlsx", buf.getvalue())
    facts = precheck_report(source).parts
    assert [f.merge_marks for name, f in sorted(facts.items()) if "worksheets/" in name] == [True, False]
    spared, before = read_both(source, monkeypatch)
    assert spared.sheets[0].merged == ((1, 0, 2, 0),)
    assert_same(spared, before)


def test_a_long_sheet_qualifies_and_its_copy_is_a_valid_zip():
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("4W")
    ws.append(["Organisation", "Country", "Reached", "Start"])
    for i in range(20_000):
        ws.append([f"Org {i % 17}", "Iraq", i * 1.5, dt.datetime(2020, 1, 1) + dt.timedelta(days=i % 900)])
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    facts = precheck_report(Source("4w.xlsx", data)).parts
    parts = excel._sheet_parts(data)
    assert facts[parts["4W"]].inflated_bytes >= excel.MERGE_PASS_MIN_BYTES
    assert excel._without_merge_pass(data, parts, facts) is not None
    copy = excel._prefixed_copy(data, set(parts.values()), excel._NO_MERGES)
    with zipfile.ZipFile(io.BytesIO(copy)) as z, zipfile.ZipFile(io.BytesIO(data)) as original:
        assert z.testzip() is None  # every CRC checks
        assert z.read(parts["4W"]) == excel._NO_MERGES + original.read(parts["4W"])
        for name in original.namelist():
            if name != parts["4W"]:
                assert z.read(name) == original.read(name)


def test_stored_members_and_data_descriptors_are_copied_too():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo("a.xml"), b"<a>stored</a>")  # ZIP_STORED
        with z.open("b.xml", "w") as fh:  # streamed: a data descriptor follows the data
            fh.write(b"<b>" + b"x" * 5000 + b"</b>")
    data = buf.getvalue()
    copy = excel._prefixed_copy(data, {"a.xml", "b.xml"}, b"<p></p>")
    with zipfile.ZipFile(io.BytesIO(copy)) as z:
        assert z.testzip() is None
        assert z.read("a.xml") == b"<p></p><a>stored</a>"
        assert z.read("b.xml") == b"<p></p><b>" + b"x" * 5000 + b"</b>"


def test_a_part_with_a_byte_order_mark_is_not_prefixed():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("s.xml", "\ufeff<worksheet/>".encode())
    assert excel._prefixed_copy(buf.getvalue(), {"s.xml"}, b"<p></p>") is None


@given(a=st.binary(max_size=300), b=st.binary(max_size=300), zeros=st.integers(0, 3 << 20))
@settings(max_examples=40, deadline=None)
@example(a=b"<mergeCells></mergeCells>", b=b"<worksheet/>", zeros=(80 << 20) + 3)  # sheet-sized
@example(a=b"", b=b"", zeros=0)
def test_crc_of_a_concatenation(a, b, zeros):
    b = b + bytes(zeros)
    assert excel._crc_of_concatenation(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b)


_VALUES = st.one_of(
    st.none(),
    st.text(max_size=12).filter(lambda t: not t.startswith("=")),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.integers(-10**6, 10**6),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1901, 1, 1), max_value=dt.datetime(2100, 1, 1)),
)


@given(rows=st.lists(st.lists(_VALUES, min_size=1, max_size=6), min_size=1, max_size=12),
       merge=st.booleans())
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_sheet_reads_the_same(rows, merge, monkeypatch):
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append([openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v
                   for v in row])
    if merge and len(rows) > 1:
        ws.merge_cells(start_row=1, start_column=1, end_row=2, end_column=1)
    buf = io.BytesIO()
    wb.save(buf)
    with monkeypatch.context() as m:
        assert_same(*read_both(Source("any.xlsx", buf.getvalue()), m))


def test_an_encrypted_or_misnamed_member_leaves_the_file_as_it_is():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("s.xml", b"<worksheet/>")
    data = bytearray(buf.getvalue())
    misnamed = bytes(data).replace(b"s.xml", b"t.xml", 1)  # the local header's name only
    assert excel._prefixed_copy(misnamed, {"s.xml"}, b"<p></p>") is None
    data[6] |= 0x01  # the local header's "encrypted" flag
    assert excel._prefixed_copy(bytes(data), {"s.xml"}, b"<p></p>") is None

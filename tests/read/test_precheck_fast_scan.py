"""precheck's fast scan finds what its separate patterns found: the one-pass reference
pattern (wide columns and far rows together) and the cheap pre-searches before the DTD
and quoted-type tests change no fact of any buffer."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from maaor.read import precheck as pc

# Pieces of sheet XML, hostile ones included (far rows, wide and over-wide columns,
# single quotes, prefixes, references cut short, a DTD in any case).
_PIECES = st.sampled_from([
    b"<c", b"<c>", b"<c/>", b"<co", b"<cols>", b"<cfRule", b"<ro", b"w", b"<rowBreaks",
    b"<c r=", b'<c r"', b"<cr=", b"<c  r=\"", b"t=", b'"s"', b"'s", b't="s\'', b"t", b"s",
    b":", b":r", b"ow", b"o", b"x:c", b"=", b'="s"',
    b'<c r="', b"<c r='", b'r="', b"r='", b"A", b"B", b"Z", b"AB", b"XFD", b"ABCDEFGHI", b"ABCDEFGHIJ",
    b"r", b"=", b"1", b"9", b"12", b"1048577", b"123456789012345", b"0", b'"', b"'",
    b"<row", b' r="3"', b"><v>1</v></c>", b"</row>", b't="s"', b"t='s'", b"'s'",
    b"<x:c ", b"<!DOCTYPE", b"<!entity", b"<!", b"<", b"!", b" ", b"<col", b"<cf",
])
# A reference of 0-11 letters and 0-14 digits, as a cell or a hostile writer spells it.
_REFS = st.builds(
    lambda quote, letters, digits: b"r=" + quote + letters.encode() + digits.encode(),
    st.sampled_from([b'"', b"'", b""]),
    st.text("ABCXYZabz", max_size=11),
    st.text("0123456789", max_size=14),
)
_BUFFERS = st.lists(st.one_of(_PIECES, _REFS), max_size=60).map(b"".join)


@settings(max_examples=500, deadline=None)
@given(buf=_BUFFERS, data=st.data())
def test_tag_counts_are_the_substring_counts(buf: bytes, data):
    old_len = data.draw(st.integers(min_value=0, max_value=len(buf)))
    tags = pc._TagCounter().count(buf, old_len)
    assert tags[:6] == _counted(buf, old_len)
    assert tags.bang == (b"<!" in buf)


def test_bang_is_the_substring_search():
    for buf in (b"", b"<", b"!", b"<!", b"a<!", b"<a!", b"<<!", b"x<", b"<!DOCTYPE", b"<c/><!"):
        assert pc._TagCounter().count(buf, 0).bang == (b"<!" in buf), buf


def _counted(buf: bytes, old_len: int) -> tuple:
    """What ``_TagCounter.count`` stands for, by substring searches."""
    old, fresh = buf[:old_len], buf[old_len:]
    return (
        fresh.count(b"<c") - fresh.count(b"<col") - fresh.count(b"<cf"),
        fresh.count(b'<c r="'),
        buf.count(b"<row") - old.count(b"<row"),
        fresh.count(b't="s"') + fresh.count(b"t='s'"),
        b":c" in buf,
        b":row" in buf,
    )


def _separately(buf: bytes, min_digits: int) -> tuple[list[bytes], list[tuple[bytes, bytes]]]:
    """The wide column letters and far cells as the two former passes found them."""
    return (pc._WIDE_COL_RE.findall(buf), pc._cell_rows_re(min_digits).findall(buf))


def _together(buf: bytes, min_digits: int) -> tuple[list[bytes], list[tuple[bytes, bytes]]]:
    refs = pc._fast_refs_re(min_digits).findall(buf)
    wide = [first + rest for first, rest, _, _ in refs if rest]
    far = [(first + rest, digits if rest else one) for first, rest, digits, one in refs]
    far = [(letters, digits) for letters, digits in far if len(digits) >= min_digits]
    return wide, far


@settings(max_examples=400, deadline=None)
@given(buf=_BUFFERS, min_digits=st.integers(min_value=1, max_value=12))
def test_one_pass_finds_the_wide_columns_and_far_cells_of_two(buf: bytes, min_digits: int):
    assert _together(buf, min_digits) == _separately(buf, min_digits)


@settings(max_examples=500, deadline=None)
@given(buf=_BUFFERS, min_digits=st.integers(min_value=1, max_value=12))
def test_refs_are_sought_wherever_the_pattern_finds_one(buf: bytes, min_digits: int):
    found = pc._fast_refs_re(min_digits).findall(buf)
    assert pc._TagCounter().count(buf, 0, min_digits).refs or not found


def test_refs_pre_search_examples():
    def refs(buf: bytes, min_digits: int) -> bool:
        return pc._TagCounter().count(buf, 0, min_digits).refs

    assert not refs(b'<row r="9"><c r="A9" t="s"><v>1</v></c><c r="W9"/>', 2)
    assert refs(b'<c r="AA9"/>', 2) and refs(b"<c r='A10'/>", 2) and refs(b'r="A10', 2)
    assert not refs(b'<c r="A1"/><c r=A10/><c r="110"/><c r=""/><c r="A', 2)


def test_one_pass_examples():
    buf = (b'<c r="AB7"/><c r="A1048577"/><c r="C12"/><c r="ABCDEFGHIJ5"/>'
           b'<c r="ABCDEFGHI5"/><c r=\'XFD9999999\'/>')
    assert _together(buf, 7) == _separately(buf, 7) == (
        [b"AB", b"ABCDEFGHI", b"XFD"], [(b"A", b"1048577"), (b"XFD", b"9999999")])


@settings(max_examples=300, deadline=None)
@given(buf=_BUFFERS)
def test_dtd_pre_search_decides_as_the_pattern_alone(buf: bytes):
    bang = pc._TagCounter().count(buf, 0).bang
    assert bool(bang and pc._DTD_RE.search(buf)) == bool(pc._DTD_RE.search(buf))


def test_scan_of_a_sheet_finds_far_cells_and_wide_columns():
    body = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (i, i) for i in range(1, 50))
    body += b'<row r="50"><c r="ZZ50"><v>1</v></c><c r="B9999999"><v>2</v></c></row>'
    info_data = _zip_member(b"<worksheet><sheetData>" + body + b"</sheetData></worksheet>")
    data, info = info_data
    scan = pc._scan_member(data, info, 10**9, pc.DEFAULT_LIMITS)
    assert scan.letters == {b"ZZ"}
    assert (scan.max_cell_row, scan.far_letters) == (9999999, b"B")
    assert not scan.dtd


def _zip_member(xml: bytes):
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", xml)
    data = out.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return data, z.getinfo("xl/worksheets/sheet1.xml")


def test_patterns_compile_once_per_threshold():
    assert pc._fast_refs_re(7) is pc._fast_refs_re(7)
    assert isinstance(pc._fast_refs_re(3), re.Pattern)


def test_tag_counts_at_every_cut_of_the_overlap():
    buf = (b'<row r="1"><c r="A1" t="s"><v>1</v></c><col/><cf/><c t=\'s\'><row><c r="B1"/>'
           b'<x:row><x:c t="s"/><c')
    for old_len in range(len(buf) + 1):
        assert pc._TagCounter().count(buf, old_len)[:6] == _counted(buf, old_len), old_len


def test_colon_facts_need_the_whole_tag_name():
    for buf, colon_c, colon_row in ((b"<x:ro>", False, False), (b"<x:rw>", False, False),
                                    (b"<x:row>", False, True), (b"<x:c>", True, False)):
        tags = pc._TagCounter().count(buf, 0)
        assert (tags.colon_c, tags.colon_row) == (colon_c, colon_row) == _counted(buf, 0)[4:]


def _corpus_workbooks() -> list[tuple[str, bytes]]:
    from tests import hostile
    from tests.paths import FIXTURES

    books = [(p.name, p.read_bytes()) for p in sorted(FIXTURES.rglob("*.xls[xm]"))]
    books += [
        ("far_cell", hostile.far_cell_xlsx()), ("far_column", hostile.far_column_xlsx()),
        ("prefixed_far_cell", hostile.prefixed_far_cell_xlsx()),
        ("positional", hostile.positional_cells_xlsx(width=300, far_row=2000)),
        ("rows_without_numbers", hostile.rows_without_numbers_xlsx(500, prefix="x:")),
        ("stale_dimension", hostile.stale_dimension_xlsx()),
        ("entity_expansion", hostile.entity_expansion_xlsx()),
    ]
    return books


def test_every_buffer_of_the_corpus_counts_as_the_substring_searches():
    """Each buffer of each XML part of the fixtures and hostile workbooks, cut small so
    that tags straddle the overlaps: the numpy counts equal the substring counts, and the
    reference regex finds nothing where the pre-search said there was nothing."""
    import io
    import zipfile

    buffers = 0
    for name, data in _corpus_workbooks():
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = [i for i in z.infolist() if i.filename.endswith((".xml", ".rels"))]
        assert infos, name
        for info in infos:
            scan = pc._SheetScan(byte_limit=10**9)
            for buf, new in pc._buffers(data, info, 10**9, 4096, scan):
                old_len = len(buf) - new
                for min_digits in (2, 4, 7):
                    tags = pc._TagCounter().count(buf, old_len, min_digits)
                    assert tags[:6] == _counted(buf, old_len), (name, info.filename)
                    assert tags.refs or not pc._fast_refs_re(min_digits).findall(buf)
                buffers += 1
    assert buffers > 100

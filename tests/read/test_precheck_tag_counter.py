"""precheck's tag counter: numpy passes over arrays kept from buffer to buffer must give
the substring counts, the reference pre-search and the row numbers the regexes give,
whatever the bytes (hostile ones, tags cut by the buffer's end) and whatever buffer the
arrays served before; counting some buffers in the read-ahead thread changes no report."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maaor.read import precheck as pc
from maaor.read.precheck import Limits, precheck_report
from maaor.sources import Source
from tests import hostile
from tests.read.test_precheck_fast_scan import _BUFFERS, _counted

# Row tags as writers spell them, and as hostile bytes may: quotes, other attributes
# first, no number, huge numbers, rowBreaks, tabs, cut short.
_ROW_PIECES = st.sampled_from([
    b'<row r="', b"<row r='", b'<row  r="', b'<row\tr="', b"<row>", b"<rowBreaks", b"<row",
    b'<row spans="1:3" r="', b'<row r="7" spans="1:2">', b'<row r=""', b'<row r="x',
    b"1", b"9", b"0", b"12", b"123456789012345", b'"', b"'", b">", b"<c/>", b"</row>", b" ",
])
_ROW_BUFFERS = st.lists(st.one_of(_ROW_PIECES, _BUFFERS), max_size=40).map(b"".join)


def _refs_defined(buf: bytes, min_digits: int) -> bool:
    """``_Tags.refs`` by its definition: some ``r=`` + quote followed by a letter and
    then a letter or ``min_digits`` digits."""
    if min_digits <= 0:
        return True
    return bool(re.search(rb"""r=["'][A-Za-z](?:[A-Za-z]|\d{%d})""" % min_digits, buf))


def _rows_by_regex(buf: bytes) -> int:
    return max(map(int, pc._ROW_ATTR_RE.findall(buf)), default=0)


def _check(counter: pc._TagCounter, buf: bytes, old_len: int, min_digits: int) -> None:
    tags = counter.count(buf, old_len, min_digits)
    assert tags[:6] == _counted(buf, old_len), (buf, old_len)
    assert tags.bang == (b"<!" in buf)
    assert tags.refs == _refs_defined(buf, min_digits), (buf, min_digits)
    assert tags.row_max is None or tags.row_max == _rows_by_regex(buf), buf


@settings(max_examples=300, deadline=None)
@given(bufs=st.lists(st.tuples(_ROW_BUFFERS, st.integers(0, 10 ** 6), st.integers(-1, 14)),
                     min_size=1, max_size=8))
def test_one_counter_over_many_buffers_counts_as_the_definitions(bufs):
    """One counter, as a scan keeps it: a long buffer before a short one leaves nothing
    behind in its arrays that the short one would count."""
    counter = pc._TagCounter()
    for buf, cut, min_digits in bufs:
        _check(counter, buf, cut % (len(buf) + 1), min_digits)


@settings(max_examples=300, deadline=None)
@given(buf=_ROW_BUFFERS, data=st.data())
def test_every_cut_of_a_buffer_counts_as_the_definitions(buf: bytes, data):
    """The buffer cut anywhere (a tag cut by the end of the buffer matches nothing)."""
    end = data.draw(st.integers(0, len(buf)))
    piece = buf[:end]
    _check(pc._TagCounter(), piece, data.draw(st.integers(0, len(piece))),
           data.draw(st.integers(1, 13)))


def test_row_numbers_read_off_the_tags():
    def row_max(buf: bytes) -> int | None:
        return pc._TagCounter().count(buf, 0).row_max

    assert row_max(b"") == 0
    assert row_max(b'<row r="9"><c r="A9"/></row><row r="10" spans="1:2">') == 10
    assert row_max(b"<row r='123'/><row r=\"45\">") == 123
    assert row_max(b'<row r="12') == 12  # cut by the buffer's end: what the regex sees
    assert row_max(b'<row r="' + b"9" * 15 + b'">') == 999_999_999_999  # twelve digits
    # Not written '<row r="<digit>': the regex decides.
    for buf in (b'<row spans="1:2" r="5">', b"<rowBreaks>", b"<row>", b'<row r="">',
                b'<row r="', b'<row\tr="5">'):
        assert row_max(buf) is None, buf
        assert pc._TagCounter().count(buf, 0)[:6] == _counted(buf, 0)


def test_too_many_row_tags_go_to_the_regex():
    buf = b'<row r="1"/>' * (pc._ROW_ATTR_MAX_TAGS + 1)
    assert pc._TagCounter().count(buf, 0).row_max is None
    assert pc._TagCounter().count(buf[: 12 * pc._ROW_ATTR_MAX_TAGS], 0).row_max == 1


def test_a_hostile_chunk_costs_the_same_arrays_as_any():
    """The counter's memory is its arrays, one byte per byte of the buffer each: a
    chunk of nothing but "<" does not grow them."""
    counter = pc._TagCounter()
    counter.count(b"x" * 100_000, 0)
    sizes = [m.nbytes for m in counter._kept.values()]
    tags = counter.count(b"<" * 100_000, 0)
    assert [m.nbytes for m in counter._kept.values()] == sizes
    assert tags[:4] == (0, 0, 0, 0)


def _threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name == "precheck-inflate"]


def test_spare_work_is_done_ahead_when_the_caller_is_behind():
    def spare(item: tuple[int, str]) -> tuple[int, str]:
        return item[0], threading.current_thread().name

    got = []
    for number, by in pc._read_ahead(((i, "") for i in range(20)), 2, spare):
        time.sleep(0.005)  # a slow caller: the queue fills
        got.append((number, by))
    assert [n for n, _ in got] == list(range(20))
    assert {by for _, by in got} <= {"", "precheck-inflate"}
    assert any(by == "precheck-inflate" for _, by in got)
    assert _threads() == []


def test_spare_work_that_raises_is_raised_in_order():
    def spare(item: int) -> int:
        raise pc._Damaged("cannot count")

    got = []
    with pytest.raises(pc._Damaged, match="cannot count"):
        for item in pc._read_ahead(iter(range(20)), 2, spare):
            time.sleep(0.005)
            got.append(item)
    assert got == list(range(len(got)))
    assert _threads() == []


def _growing_sheet_xlsx(rows: int) -> bytes:
    """Rows numbered 1..rows (the far-cell threshold grows with them) and a cell far
    below them in the last row."""
    body = "".join(f'<row r="{i}"><c r="A{i}" t="s"><v>0</v></c><c r="B{i}"><v>{i}</v></c></row>'
                   for i in range(1, rows + 1))
    body += f'<row r="{rows + 1}"><c r="C{rows * 40}"><v>1</v></c></row>'
    return hostile.xlsx_from_sheet(hostile.SHEET_HEAD + "<sheetData>" + body
                                   + "</sheetData></worksheet>")


@pytest.mark.parametrize("slow", [False, True])
def test_counting_ahead_changes_no_report(monkeypatch, slow):
    """Buffers counted by the read-ahead thread (most of them when the scan is slow)
    were told ``refs`` with the threshold of rows seen a few buffers before: the report
    is the in-line one all the same."""
    data = _growing_sheet_xlsx(6000)
    limits = replace(Limits(max_rows=200_000), chunk_bytes=4096)
    counted = pc._TagCounter.count
    by_thread: list[str] = []

    def count(self, buf, old_len, min_digits=1):
        by_thread.append(threading.current_thread().name)
        if slow and threading.current_thread().name != "precheck-inflate":
            time.sleep(0.0005)
        return counted(self, buf, old_len, min_digits)

    def report(min_bytes: int):
        monkeypatch.setattr(pc, "READ_AHEAD_MIN_BYTES", min_bytes)
        result = precheck_report(Source("plan.xlsx", data), limits)
        return [(p.code, p.value, p.params) for p in result.problems], result.parts

    in_line = report(1 << 62)
    monkeypatch.setattr(pc._TagCounter, "count", count)
    ahead = report(0)
    assert ahead == in_line
    assert in_line[0] and in_line[0][0][0] == "xlsx.far_cell"
    assert _threads() == []
    if slow:
        assert "precheck-inflate" in by_thread


def _si_lengths_one_by_one(chunks: list[bytes], open_bytes: int) -> tuple[list[int], int]:
    """The shared-string lengths by the definition: from each "<si" to the next."""
    lengths = []
    for fresh in chunks:
        pieces = pc._SI_SPLIT_RE.split(fresh)
        if open_bytes >= 0:
            open_bytes += len(pieces[0])
        for piece in pieces[1:]:
            if open_bytes >= 0:
                lengths.append(open_bytes)
            open_bytes = len(piece) + 3
    return lengths, open_bytes


@settings(max_examples=400, deadline=None)
@given(chunks=st.lists(st.lists(st.sampled_from(
    [b"<si>", b"<x:si ", b"<si/>", b"<si", b"si>", b"<sst>", b"abc", b"<t>", b"</si>", b"<",
     b"x:", b" ", "\u00e9".encode()]), max_size=12).map(b"".join), min_size=1, max_size=5),
    open_bytes=st.sampled_from([-1, 0, 7]))
def test_shared_string_lengths_are_those_of_the_entries(chunks, open_bytes):
    from array import array

    scan = pc._SheetScan()
    scan.si_lengths = array("Q")
    still_open = open_bytes
    for fresh in chunks:
        still_open = pc._note_shared_strings(fresh, scan, still_open)
    assert (list(scan.si_lengths), still_open) == _si_lengths_one_by_one(chunks, open_bytes)

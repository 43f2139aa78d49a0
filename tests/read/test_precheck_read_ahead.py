"""The precheck's read-ahead: a large member inflated by a second thread a few chunks
ahead of the scan must give the scan exactly what inflating in line gives it."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from maaor.read import precheck as pre
from maaor.read.precheck import Limits, precheck_report
from maaor.sources import Source
from tests import hostile


def _threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name == "precheck-inflate"]


def test_items_come_in_order_and_an_error_after_them():
    def pieces():
        yield from (b"a", b"b", b"c")
        raise pre._Damaged("stream ends early")

    got = []
    with pytest.raises(pre._Damaged, match="ends early"):
        for piece in pre._read_ahead(pieces(), 2):
            got.append(piece)
    assert got == [b"a", b"b", b"c"]
    assert _threads() == []


def test_a_scan_that_stops_early_stops_the_inflating():
    pulled = []

    def pieces():
        for i in range(1000):
            pulled.append(i)
            yield bytes([i % 256])

    ahead = pre._read_ahead(pieces(), 2)
    assert [next(ahead), next(ahead)] == [b"\x00", b"\x01"]
    ahead.close()
    assert _threads() == []
    # Two handed over, two queued, one in the producer's hand, one at most being made.
    assert len(pulled) <= 6


CASES = [
    ("valid", hostile.valid_xlsx, Limits()),
    ("far cell", hostile.far_cell_xlsx, Limits()),
    ("inflating", lambda: hostile.inflating_xlsx(3_000_000),
     Limits(max_member_bytes=1_000_000, max_sheet_bytes=1_000_000, max_ratio=10_000)),
    ("lying size", lambda: hostile.lying_size_xlsx(3_000_000, 1000),
     Limits(max_member_bytes=1_000_000, max_sheet_bytes=1_000_000)),
    ("lying size, within limits", lambda: hostile.lying_size_xlsx(3000, 1000), Limits()),
    ("total", lambda: hostile.inflating_xlsx(600_000),
     Limits(max_member_bytes=1_000_000, max_total_bytes=500_000, max_ratio=10_000)),
    ("dtd", hostile.entity_expansion_xlsx, Limits()),
    ("utf-16 dtd", hostile.utf16_entity_expansion_xlsx, Limits()),
    ("rows without numbers", lambda: hostile.rows_without_numbers_xlsx(3000), Limits()),
    ("long cell", lambda: hostile.long_cell_xlsx(40_000), Limits()),
]


@pytest.mark.parametrize(("name", "build", "limits"), CASES, ids=[c[0] for c in CASES])
def test_same_report_inflating_ahead_or_in_line(monkeypatch, name, build, limits):
    data = build()
    limits = replace(limits, chunk_bytes=4096)  # many chunks per member

    def report(min_bytes: int):
        monkeypatch.setattr(pre, "READ_AHEAD_MIN_BYTES", min_bytes)
        result = precheck_report(Source("plan.xlsx", data), limits)
        return [(p.code, p.value, p.params) for p in result.problems], result.parts

    in_line = report(1 << 62)
    ahead = report(0)
    assert ahead == in_line
    assert _threads() == []

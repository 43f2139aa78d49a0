"""A file load takes its Arrow buffers from the C allocator's pool, and puts pyarrow's
own default back afterwards (issue 16: mimalloc's fresh pages cost 0.15 s of a 100k-row
load's validation)."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading

import pyarrow as pa
import pytest

import maaor.memory
import maaor.validate
from maaor.bundled import default_sources
from maaor.load import load_file, load_sources
from maaor.memory import system_arrow_pool

TODAY = dt.date(2026, 12, 1)


def backend() -> str:
    return pa.default_memory_pool().backend_name


def test_the_pool_is_the_system_one_inside_and_the_previous_one_after():
    before = backend()
    with system_arrow_pool():
        assert backend() == "system"
        column = pa.array(["Iraq", "Syria", None] * 1000)
    assert backend() == before
    # A buffer taken inside stays valid after the switch back (freed to its own pool).
    assert column.to_pylist()[:3] == ["Iraq", "Syria", None]


def test_the_previous_pool_comes_back_after_an_error_and_after_nesting():
    default = pa.default_memory_pool()
    pa.set_memory_pool(pa.jemalloc_memory_pool())
    try:
        with pytest.raises(RuntimeError):
            with system_arrow_pool():
                with system_arrow_pool():
                    assert backend() == "system"
                assert backend() == "system"  # the outer block still runs
                raise RuntimeError("a load failed")
        assert backend() == "jemalloc"
    finally:
        pa.set_memory_pool(default)


def test_overlapping_loads_in_two_threads_put_the_first_pool_back_once_both_end():
    before = backend()
    first_in, second_done = threading.Event(), threading.Event()
    seen: list[str] = []

    def first():
        with system_arrow_pool():
            first_in.set()
            second_done.wait(5)
            seen.append(backend())  # the second block ended first: still system here

    worker = threading.Thread(target=first)
    worker.start()
    first_in.wait(5)
    with system_arrow_pool():
        seen.append(backend())
    second_done.set()
    worker.join(5)
    assert seen == ["system", "system"]
    assert backend() == before


def test_validation_of_a_loaded_file_runs_under_the_system_pool(monkeypatch):
    seen: list[str] = []
    original = maaor.validate.validate_sheet

    def watching(*args, **kwargs):
        seen.append(backend())
        return original(*args, **kwargs)

    monkeypatch.setattr(maaor.validate, "validate_sheet", watching)
    before = backend()
    sources, _ = default_sources()
    workbook = next(s for s in sources if s.name.endswith(".xlsx"))
    result = load_file(workbook, {}, TODAY)
    assert seen and set(seen) == {"system"}
    assert result.tables  # the file was read and validated, not refused
    assert backend() == before


def test_the_dataset_is_the_same_whichever_pool_the_load_uses(monkeypatch):
    sources, _ = default_sources()
    loaded = load_sources(sources, today=TODAY)

    monkeypatch.setattr(maaor.memory, "system_arrow_pool", contextlib.nullcontext)
    unswitched = load_sources(sources, today=TODAY)
    for name, table in loaded.dataset.tables.items():
        other = unswitched.dataset.tables[name]
        assert table.equals(other), name
    assert [p.message for p in loaded.problems] == [p.message for p in unswitched.problems]

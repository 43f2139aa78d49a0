"""run_isolated: values come back; exceptions, crashes, memory and time overruns become
plain failures while the test process carries on.

The functions run in the child are top-level here so they can be pickled; this module
imports nothing heavy at the top so each child starts quickly.
"""

from __future__ import annotations

import os
import time

import pytest

from maaor.read.isolate import IsolatedResult, isolated_problem, run_isolated
from tests import hostile


def add(a, b, *, times=1):
    return (a + b) * times


def fail_with_value_error(text):
    raise ValueError(text)


def abort():
    os.abort()


def allocate(mb):
    block = bytearray(mb * 1024 * 1024)
    return len(block)


def sleep(seconds):
    time.sleep(seconds)
    return "woke up"


def child_pid():
    return os.getpid()


def print_and_return(text):
    print(text * 1000)
    return text


def read_first_sheet_with_calamine(data: bytes):
    import io

    import python_calamine

    workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    return workbook.get_sheet_by_index(0).to_python()


def test_value_comes_back_from_the_child():
    result = run_isolated(add, 2, 3, times=4)
    assert result == IsolatedResult(True, value=20, failure=None, exitcode=0)


def test_function_runs_in_another_process():
    result = run_isolated(child_pid)
    assert result.ok
    assert result.value != os.getpid()


def test_exception_becomes_failure_text():
    result = run_isolated(fail_with_value_error, "column 'Budget' is odd")
    assert not result.ok
    assert result.value is None
    assert result.failure == (
        "the file reader stopped with an error (ValueError: column 'Budget' is odd)"
    )
    assert "Traceback" not in result.failure


def test_abort_is_a_crash_and_the_parent_survives():
    result = run_isolated(abort)
    assert not result.ok
    assert result.failure == "the file reader crashed (signal SIGABRT)"
    assert result.exitcode == -6
    # The parent still works: another call succeeds.
    assert run_isolated(add, 1, 1).value == 2


def test_memory_over_the_limit_is_reported_as_memory():
    result = run_isolated(allocate, 1024, memory_mb=300)
    assert not result.ok
    assert result.failure == "reading the file needed more than 300 MB of memory"


def test_memory_under_the_limit_is_fine():
    assert run_isolated(allocate, 50, memory_mb=1024).value == 50 * 1024 * 1024


def test_timeout_kills_the_child():
    result = run_isolated(sleep, 60, timeout_s=2)
    assert not result.ok
    assert result.failure == "the file took more than 2 s to read"
    # Killed by the parent (SIGKILL), not waited for.
    assert result.exitcode == -9


def test_unpicklable_function_is_a_failure_not_an_exception():
    result = run_isolated(lambda: 1)
    assert not result.ok
    assert result.failure.startswith("the file reader could not be started")


def test_far_cell_workbook_in_calamine_fails_inside_the_child():
    # Unisolated, calamine aborts the whole process on this 2 KB file (calamine
    # issue 693); isolated, the test process gets a failure and carries on.
    result = run_isolated(read_first_sheet_with_calamine, hostile.far_cell_xlsx(), memory_mb=1024)
    assert not result.ok
    assert result.failure == "reading the file needed more than 1024 MB of memory"
    assert result.exitcode == -6


def test_calamine_reads_a_valid_workbook_in_the_child():
    result = run_isolated(read_first_sheet_with_calamine, hostile.valid_xlsx(), memory_mb=1024)
    assert result.ok
    assert result.value[0] == ["Activity", "Country", "Status", "Budget (USD)"]
    assert result.value[1] == ["Deliver EORE sessions", "Iraq", "Ongoing", 120000.0]


def test_works_from_a_worker_thread():
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda n: run_isolated(add, n, n), [1, 2]))
    assert [r.value for r in results] == [2, 4]


def test_isolated_problem_names_the_file_and_the_failure():
    problem = isolated_problem("plan.xlsx", "the file took more than 120 s to read")
    assert problem.severity == "error"
    assert problem.code == "file.reader_failed"
    assert problem.file == "plan.xlsx"
    assert problem.message == "This file could not be read: the file took more than 120 s to read."
    assert "save it again" in problem.fix


@pytest.mark.parametrize(
    ("exitcode", "stderr", "expected"),
    [
        (-24, "", "the file took more than 120 s to read"),
        (-9, "", "the file reader was stopped by the system (signal SIGKILL), probably for lack of memory"),
        (-11, "", "the file reader crashed (signal SIGSEGV)"),
        (-6, "memory allocation of 549755813888 bytes failed", "reading the file needed more than 2048 MB of memory"),
        (3, "", "the file reader stopped unexpectedly (exit code 3)"),
    ],
)
def test_exit_codes_become_plain_failures(exitcode, stderr, expected):
    from maaor.read.isolate import _outcome

    result = _outcome(None, exitcode, False, stderr, 2048, 120)
    assert result == IsolatedResult(False, failure=expected, exitcode=exitcode)


def test_parent_main_script_is_not_run_in_the_child(tmp_path, monkeypatch):
    # While Streamlit runs a page, sys.modules["__main__"] is that page; a child that
    # re-ran __main__ (as multiprocessing's spawn and forkserver do) would run the page.
    import sys
    import types

    marker = tmp_path / "page-ran.txt"
    page = tmp_path / "page.py"
    page.write_text(f"open({str(marker)!r}, 'w').write('ran')\n")
    fake_main = types.ModuleType("__main__")
    fake_main.__file__ = str(page)
    monkeypatch.setitem(sys.modules, "__main__", fake_main)
    assert run_isolated(add, 1, 2).value == 3
    assert not marker.exists()


def test_printing_in_the_child_does_not_spoil_the_result():
    assert run_isolated(print_and_return, "noise").value == "noise"


def write_file(path, mb):
    with open(path, "wb") as fh:
        fh.write(b"x" * (mb * 1024 * 1024))
    return "written"


def test_child_cannot_write_huge_files(tmp_path):
    assert run_isolated(write_file, tmp_path / "small.bin", 1).value == "written"
    result = run_isolated(write_file, tmp_path / "huge.bin", 100)
    assert not result.ok
    assert (tmp_path / "huge.bin").stat().st_size <= 64 * 1024 * 1024


def table(rows: int):
    import numpy as np
    import pandas as pd

    return pd.DataFrame({
        "number": np.arange(rows, dtype="float64"),
        "text": pd.array([f"row {i}" for i in range(rows)], dtype="str"),
        "count": pd.array(range(rows), dtype="Int64"),
    }), np.arange(rows)


def test_large_columns_come_back_out_of_band_equal_and_writable():
    import numpy as np
    import pandas as pd

    result = run_isolated(table, 200_000)
    assert result.ok, result.failure
    frame, array = result.value
    expected_frame, expected_array = table(200_000)
    pd.testing.assert_frame_equal(frame, expected_frame, check_exact=True)
    np.testing.assert_array_equal(array, expected_array)
    array[0] = 7  # as writable as an array unpickled in band
    assert array[0] == 7


def test_a_result_cut_short_is_refused_not_misread():
    import pickle

    from maaor.read import isolate

    class Sink:
        def __init__(self):
            self.parts = []

        def write(self, data):
            self.parts.append(bytes(data))

        def flush(self):
            pass

    sink = Sink()
    isolate._send(sink, ("ok", table(1000)))
    whole = b"".join(sink.parts)
    assert isolate._unpack(whole)[0] == "ok"
    for cut in (0, 5, len(whole) // 2, len(whole) - 1):
        with pytest.raises(ValueError):
            isolate._unpack(whole[:cut])
    with pytest.raises(ValueError):
        isolate._unpack(pickle.dumps(("ok", 1)))  # not framed

"""run_isolated with a child started ahead (prestart): the call runs in that child,
under the same limits; a spare that is too old, dead or unused is stopped, never used.

The functions run in the child are top-level here so they can be pickled.
"""

from __future__ import annotations

import os
import signal
import sys
import time

import pytest

from maaor.read import isolate
from maaor.read.isolate import prestart, run_isolated


def child_pid():
    return os.getpid()


def imported(name):
    return name in sys.modules


def allocate(mb):
    return len(bytearray(mb * 1024 * 1024))


def spin(seconds):
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass
    return "spun"


def sleep(seconds):
    time.sleep(seconds)
    return "woke up"


@pytest.fixture(autouse=True)
def _no_spare_left():
    isolate._stop_spare()
    yield
    isolate._stop_spare()


def _spare_pid() -> int:
    assert isolate._spare is not None
    return isolate._spare.process.pid


def test_the_call_runs_in_the_prestarted_child():
    prestart()
    pid = _spare_pid()
    assert run_isolated(child_pid).value == pid
    assert isolate._spare is None  # used once: the next call starts its own
    assert run_isolated(child_pid).value not in (pid, os.getpid())


def test_the_prestarted_child_imports_the_modules_while_it_waits():
    prestart("wave")
    assert run_isolated(imported, "wave").value is True
    assert run_isolated(imported, "wave").value is False  # a child started for the call


def test_one_spare_at_a_time():
    prestart()
    pid = _spare_pid()
    prestart()
    assert _spare_pid() == pid


def test_limits_apply_in_a_prestarted_child():
    prestart()
    result = run_isolated(allocate, 1024, memory_mb=300)
    assert result.failure == "reading the file needed more than 300 MB of memory"
    prestart()
    result = run_isolated(sleep, 60, timeout_s=2)
    assert result.failure == "the file took more than 2 s to read"
    assert result.exitcode == -9


def test_cpu_spent_before_the_call_does_not_count_against_its_limit(tmp_path, monkeypatch):
    # A module that takes 5.5 s of CPU to import: under the 5 s CPU limit of a 4 s call
    # counted from the child's start, the call would be killed before it began.
    done = tmp_path / "imported.txt"
    (tmp_path / "slow_import_module.py").write_text(
        "import time\nend = time.process_time() + 5.5\n"
        "while time.process_time() < end:\n    pass\n"
        f"open({str(done)!r}, 'w').close()\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    prestart("slow_import_module")
    deadline = time.monotonic() + 60
    while not done.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    result = run_isolated(spin, 0.3, timeout_s=4)
    assert result.value == "spun", result.failure


def test_an_old_spare_is_stopped_not_used(monkeypatch):
    prestart()
    old = isolate._spare.process
    monkeypatch.setattr(isolate, "SPARE_MAX_AGE_S", 0.0)
    assert run_isolated(child_pid).value != old.pid
    assert old.poll() is not None


def test_a_dead_spare_is_not_used():
    prestart()
    old = isolate._spare.process
    old.kill()
    old.wait()
    result = run_isolated(child_pid)
    assert result.ok
    assert result.value != old.pid


def test_a_spare_started_with_another_sys_path_is_not_used(tmp_path, monkeypatch):
    prestart()
    old = isolate._spare.process
    monkeypatch.syspath_prepend(str(tmp_path))
    assert run_isolated(child_pid).value != old.pid


def test_a_spare_nobody_calls_ends_by_itself(monkeypatch):
    monkeypatch.setattr(isolate, "SPARE_MAX_AGE_S", 0.5)  # the child waits 1 s
    prestart()
    process = isolate._spare.process
    assert process.wait(timeout=10) == -signal.SIGALRM


def test_stopping_the_spare_ends_its_process():
    prestart()
    process = isolate._spare.process
    isolate._stop_spare()
    assert process.poll() is not None
    assert isolate._spare is None

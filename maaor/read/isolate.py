"""Run a file reader in a child process with memory and time limits.

The precheck stops the hostile files it can recognise; this is the second line of
defence for the ones it cannot. A parser that aborts (calamine aborts the whole process
when an allocation fails), runs out of memory or loops forever takes only the child
down; the caller gets an ``IsolatedResult`` with a plain-language failure.

Children are started with the "forkserver" context (or "spawn" where forkserver does
not exist), never "fork": the parent may be a thread of a multi-threaded Streamlit
server, and forking a multi-threaded process can deadlock the child. This module
imports only the standard library so that the child stays cheap to start; the child
imports the module of the function it runs, nothing more.
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import os
import signal
import tempfile
import traceback
from dataclasses import dataclass
from multiprocessing.connection import wait
from typing import Any, Callable

from maaor.problems import Problem

log = logging.getLogger(__name__)

# How long to wait for a child to exit once it has sent its result or been killed.
_REAP_S = 5.0
# Child stderr kept for the log.
_STDERR_LOG_BYTES = 8000
# What allocators print when an allocation fails before aborting (Rust, C++, CPython).
_OOM_MARKERS = (
    "memory allocation of",
    "std::bad_alloc",
    "MemoryError",
    "Cannot allocate memory",
    "out of memory",
)


@dataclass(frozen=True)
class IsolatedResult:
    """Outcome of ``run_isolated``.

    Attributes:
        ok: the function returned normally and its value came back.
        value: the function's return value (None when not ok).
        failure: plain-language reason when not ok, e.g. "the file took more than
            120 s to read"; None when ok.
        exitcode: the child's exit code (negative: killed by that signal); None if
            unknown.
    """

    ok: bool
    value: Any = None
    failure: str | None = None
    exitcode: int | None = None


def run_isolated(
    func: Callable[..., Any],
    *args: Any,
    memory_mb: int = 2048,
    timeout_s: float = 120,
    **kwargs: Any,
) -> IsolatedResult:
    """Call ``func(*args, **kwargs)`` in a child process with memory and time limits.

    The child's address space is limited to ``memory_mb`` (RLIMIT_AS) and its CPU time
    to about ``timeout_s``; the parent kills it when ``timeout_s`` of wall time pass.
    Exceptions in the child come back as failure text (their traceback goes to this
    module's logger, never to the user). Safe to call from any thread.

    Args:
        func: a picklable top-level function.
        *args: its positional arguments (picklable).
        memory_mb: address-space limit of the child in MB.
        timeout_s: wall-time limit in seconds.
        **kwargs: its keyword arguments (picklable).

    Returns:
        An IsolatedResult: ``ok`` with the value, or a plain-language ``failure``.
    """
    ctx = _context()
    receiver, sender = ctx.Pipe(duplex=False)
    fd, stderr_path = tempfile.mkstemp(prefix="maaor-isolate-", suffix=".log")
    os.close(fd)
    cpu_s = math.ceil(timeout_s) + 1
    process = ctx.Process(
        target=_child,
        args=(sender, stderr_path, memory_mb, cpu_s, func, args, kwargs),
        name=f"maaor-isolated-{getattr(func, '__name__', 'call')}",
        daemon=True,
    )
    message = None
    timed_out = False
    try:
        try:
            process.start()
        except Exception as exc:  # noqa: BLE001 - e.g. an argument that cannot be pickled
            log.exception("could not start the isolated reader")
            return IsolatedResult(False, failure=f"the file reader could not be started ({exc})")
        finally:
            sender.close()
        ready = wait([receiver, process.sentinel], timeout=timeout_s)
        if not ready:
            timed_out = True
        elif receiver in ready or receiver.poll(0):
            try:
                message = receiver.recv()
            except (EOFError, OSError):
                message = None
            except Exception:  # noqa: BLE001 - a value that cannot be unpickled here
                log.exception("could not receive the isolated reader's result")
                message = ("error", "the file reader's result could not be received", "")
    finally:
        if process.pid is not None:
            process.join(0 if timed_out else _REAP_S)
            if process.is_alive():
                process.kill()
                process.join(_REAP_S)
        receiver.close()
        stderr = _read_and_remove(stderr_path)
    return _outcome(message, process.exitcode, timed_out, stderr, memory_mb, timeout_s)


def isolated_problem(file: str, failure: str) -> Problem:
    """Error Problem telling the user that reading ``file`` failed in the child.

    Args:
        file: file name as uploaded.
        failure: ``IsolatedResult.failure``.

    Returns:
        A ``file.reader_failed`` error.
    """
    return Problem(
        "error",
        "file.reader_failed",
        f"This file could not be read: {failure}.",
        "Check that it is the right file. Delete unused sheets, rows and columns (and "
        "any formatting applied to whole rows or columns), save it again from Excel as "
        ".xlsx, and upload that copy. If it still fails, send it to the maintainers.",
        file=file,
    )


def _context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _outcome(
    message: tuple | None,
    exitcode: int | None,
    timed_out: bool,
    stderr: str,
    memory_mb: int,
    timeout_s: float,
) -> IsolatedResult:
    too_slow = f"the file took more than {timeout_s:g} s to read"
    too_big = f"reading the file needed more than {memory_mb} MB of memory"
    if message is not None:
        status = message[0]
        if status == "ok":
            return IsolatedResult(True, value=message[1], exitcode=exitcode)
        if status == "memory":
            return IsolatedResult(False, failure=too_big, exitcode=exitcode)
        log.warning("isolated reader failed: %s\n%s", message[1], message[2])
        return IsolatedResult(False, failure=message[1], exitcode=exitcode)
    if stderr:
        log.warning("isolated reader's stderr (exit code %s):\n%s", exitcode, stderr)
    if timed_out:
        return IsolatedResult(False, failure=too_slow, exitcode=exitcode)
    if exitcode is not None and exitcode < 0:
        sig = -exitcode
        if sig == signal.SIGXCPU:
            return IsolatedResult(False, failure=too_slow, exitcode=exitcode)
        if any(marker in stderr for marker in _OOM_MARKERS):
            return IsolatedResult(False, failure=too_big, exitcode=exitcode)
        if sig == signal.SIGKILL:
            # Not killed by us: the system's out-of-memory killer is the usual culprit.
            return IsolatedResult(
                False,
                failure="the file reader was stopped by the system (signal SIGKILL), "
                "probably for lack of memory",
                exitcode=exitcode,
            )
        return IsolatedResult(
            False, failure=f"the file reader crashed (signal {_signal_name(sig)})",
            exitcode=exitcode,
        )
    if any(marker in stderr for marker in _OOM_MARKERS):
        return IsolatedResult(False, failure=too_big, exitcode=exitcode)
    return IsolatedResult(
        False,
        failure=f"the file reader stopped unexpectedly (exit code {exitcode})",
        exitcode=exitcode,
    )


def _signal_name(sig: int) -> str:
    try:
        return signal.Signals(sig).name
    except ValueError:
        return str(sig)


def _read_and_remove(path: str) -> str:
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - _STDERR_LOG_BYTES))
            text = fh.read().decode("utf-8", "replace")
    except OSError:
        text = ""
    try:
        os.unlink(path)
    except OSError:
        pass
    return text


def _child(
    conn,
    stderr_path: str,
    memory_mb: int,
    cpu_s: int,
    func: Callable[..., Any],
    args: tuple,
    kwargs: dict,
) -> None:
    """Child entry point: redirect stderr to a file the parent reads (allocators print
    why they abort there), set the limits, run, send back ("ok", value) or a failure."""
    import resource
    import sys

    try:
        fd = os.open(stderr_path, os.O_WRONLY | os.O_APPEND)
        os.dup2(fd, 2)
        os.close(fd)
    except OSError:
        pass
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    _, cpu_hard = resource.getrlimit(resource.RLIMIT_CPU)
    if cpu_hard == resource.RLIM_INFINITY or cpu_hard > cpu_s:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 2))
    try:
        value = func(*args, **kwargs)
    except MemoryError:
        message: tuple = ("memory",)
    except BaseException as exc:  # noqa: BLE001 - everything goes back as plain text
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        reason = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
        if len(reason) > 300:
            reason = reason[:299] + "…"
        message = ("error", f"the file reader stopped with an error ({reason})",
                   traceback.format_exc())
    else:
        message = ("ok", value)
    try:
        conn.send(message)
    except MemoryError:
        conn.send(("memory",))
    except Exception as exc:  # noqa: BLE001 - a value that cannot be pickled
        conn.send(("error", "the file reader's result could not be sent back",
                   f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()
        sys.stderr.flush()

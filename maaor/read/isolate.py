"""Run a file reader in a child process with memory and time limits.

The precheck stops the hostile files it can recognise; this is the second line of
defence for the ones it cannot. A parser that aborts (calamine aborts the whole process
when an allocation fails), runs out of memory or loops forever takes only the child
down; the caller gets an ``IsolatedResult`` with a plain-language failure.

The child is a fresh interpreter (``python -I -c <bootstrap>``, started with
``subprocess``), never a fork: the parent may be a thread of a multi-threaded
Streamlit server, and forking a multi-threaded process can deadlock the child.
``multiprocessing``'s "spawn" and "forkserver" contexts are not used either: both
re-run the parent's ``__main__`` script in every child, and while Streamlit runs a
page, ``__main__`` is that page, so each child would execute the whole page. The child
here imports only this module and the module of the function it runs; function,
arguments and result travel as pickles over its stdin and stdout.

A caller that knows a call is coming (an upload about to be pre-checked) may start the
child ahead of it with :func:`prestart`: the child's interpreter start-up and imports
(about half a second) then overlap the caller's own work, and the next
:func:`run_isolated` hands its call to that child. The limits are set when the call
arrives, exactly as in a child started for it.
"""

from __future__ import annotations

import atexit
import gc
import logging
import math
import os
import pickle
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from maaor.problems import Problem, problem

log = logging.getLogger(__name__)

# Largest file the child may write (its stderr log is a file).
_MAX_FILE_WRITE = 64 * 1024 * 1024
# Child stderr kept for the log (and searched for out-of-memory messages).
_STDERR_LOG_BYTES = 8000
# What allocators print when an allocation fails before aborting (Rust, C++, CPython).
_OOM_MARKERS = (
    "memory allocation of",
    "std::bad_alloc",
    "MemoryError",
    "Cannot allocate memory",
    "out of memory",
)
# The child's first words: read (sys.path, modules to import, how long to wait for the
# call) from stdin, make the parent's modules importable, hand over to _child_main,
# which imports the modules and then waits for the second pickle (limits, pickled
# call). Only the standard library is available until sys.path is set.
_BOOTSTRAP = (
    "import pickle, sys\n"
    "path, modules, wait_s = pickle.load(sys.stdin.buffer)\n"
    "sys.path[:0] = path\n"
    "from maaor.read.isolate import _child_main\n"
    "_child_main(modules, wait_s)\n"
)
# A child started ahead (prestart) and not called within this time is not used: it is
# stopped and the call gets a fresh child (the spare would otherwise hold its memory on
# a server for ever). The child itself gives up waiting after twice this time, in case
# the parent is gone without closing its stdin.
SPARE_MAX_AGE_S = 120.0
# Fewer BLAS threads: each reserves address space that counts against RLIMIT_AS.
_CHILD_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@dataclass(frozen=True)
class IsolatedResult:
    """Outcome of ``run_isolated``.

    Attributes:
        ok: the function returned normally and its value came back.
        value: the function's return value (None when not ok).
        failure: plain-language reason when not ok, e.g. "the file took more than
            120 s to read"; None when ok.
        exitcode: the child's exit code (negative: killed by that signal); None if
            it never started.
        reason: the failure as a message parameter (a catalogue entry with its
            parameters, see :mod:`maaor.i18n.problems`), told in the reader's language.
    """

    ok: bool
    value: Any = None
    failure: str | None = None
    exitcode: int | None = None
    reason: dict | None = field(default=None, compare=False)


def _failed(key: str, exitcode: int | None = None, **params: object) -> IsolatedResult:
    """A failed result whose reason is the catalogue entry ``key``."""
    from maaor.i18n.problems import render_param

    reason = {"text": key, "params": params}
    return IsolatedResult(False, failure=render_param(reason, "en"), exitcode=exitcode,
                          reason=reason)


def run_isolated(
    func: Callable[..., Any],
    *args: Any,
    memory_mb: int = 2048,
    timeout_s: float = 120,
    **kwargs: Any,
) -> IsolatedResult:
    """Call ``func(*args, **kwargs)`` in a child process with memory and time limits.

    The child's address space is limited to ``memory_mb`` (RLIMIT_AS, set after the
    function's module is imported, so the limit applies to the work itself) and its CPU
    time to about ``timeout_s``; the parent kills it when ``timeout_s`` of wall time
    pass. Exceptions in the child come back as failure text (their traceback goes to
    this module's logger, never to the user). Safe to call from any thread.

    Args:
        func: a picklable top-level function.
        *args: its positional arguments (picklable).
        memory_mb: address-space limit of the child in MB.
        timeout_s: wall-time limit in seconds.
        **kwargs: its keyword arguments (picklable).

    Returns:
        An IsolatedResult: ``ok`` with the value, or a plain-language ``failure``.
    """
    try:
        call = pickle.dumps((func, args, kwargs), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # noqa: BLE001 - e.g. a lambda or an open file
        log.warning("cannot send %r to the isolated reader: %s", func, exc)
        return _failed("problem.isolate.not_started", error=str(exc))
    cpu_s = math.ceil(timeout_s) + 1
    payload = pickle.dumps((memory_mb, cpu_s, call), protocol=pickle.HIGHEST_PROTOCOL)
    child = _take_spare()
    if child is None:
        try:
            child = _Child.start(())
        except OSError as exc:
            log.exception("could not start the isolated reader")
            return _failed("problem.isolate.not_started", error=str(exc))
    timed_out = False
    with child.stderr:
        try:
            out, _ = child.process.communicate(payload, timeout=timeout_s)
        except subprocess.TimeoutExpired:
            timed_out = True
            child.process.kill()
            out, _ = child.process.communicate()
        except BaseException:
            child.process.kill()
            child.process.wait()
            raise
        stderr = _tail(child.stderr)
    message = None
    if out and not timed_out:
        try:
            message = _unpack(out)
        except Exception:  # noqa: BLE001 - a truncated result from a child that died
            log.exception("could not read the isolated reader's result")
    return _outcome(message, child.process.returncode, timed_out, stderr, memory_mb, timeout_s)


@dataclass
class _Child:
    """A child process that has been told where to import from and waits for its call.

    Attributes:
        process: the child (stdin open: the call is written to it).
        stderr: the file its stderr goes to (read for the log, then closed).
        path: the ``sys.path`` it was given.
        started: ``time.monotonic()`` when it was started.
    """

    process: subprocess.Popen
    stderr: Any
    path: list[str]
    started: float

    @classmethod
    def start(cls, modules: tuple[str, ...]) -> _Child:
        """Start a child that imports ``modules`` and then waits for its call.

        Raises:
            OSError: the child could not be started.
        """
        stderr_file = tempfile.TemporaryFile(prefix="maaor-isolate-")
        path = list(sys.path)
        try:
            process = subprocess.Popen(
                [sys.executable, "-I", "-c", _BOOTSTRAP],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr_file,
                env={**os.environ, **_CHILD_ENV},
                close_fds=True,
            )
        except OSError:
            stderr_file.close()
            raise
        child = cls(process, stderr_file, path, time.monotonic())
        try:
            # A few hundred bytes: the pipe takes them without waiting for the child.
            first = (path, modules, 2 * SPARE_MAX_AGE_S)
            process.stdin.write(pickle.dumps(first, protocol=pickle.HIGHEST_PROTOCOL))
            process.stdin.flush()
        except OSError:  # the child is already gone; its exit code tells why
            pass
        return child

    def usable(self) -> bool:
        """Still waiting, not too old, and started with today's ``sys.path``."""
        return (self.process.poll() is None and self.path == sys.path
                and time.monotonic() - self.started < SPARE_MAX_AGE_S)

    def stop(self) -> None:
        """Stop the child and release its pipes and stderr file."""
        self.process.kill()
        self.process.communicate()
        self.stderr.close()


_spare_lock = threading.Lock()
_spare: _Child | None = None


def prestart(*modules: str) -> None:
    """Start a child now, importing ``modules``, for the next :func:`run_isolated` call.

    Call it just before work that precedes a ``run_isolated`` call (e.g. the upload's
    pre-check): the child's start-up then overlaps that work. At most one such child
    waits at a time (a call when one is ready does nothing); one that is not used
    within :data:`SPARE_MAX_AGE_S` is stopped instead of used. Never raises: if the
    child cannot be started, the next call starts its own. Safe to call from any thread.

    Args:
        modules: modules the child imports while it waits (e.g. the one whose function
            it will run).
    """
    global _spare
    with _spare_lock:
        if _spare is not None and _spare.usable():
            return
        old, _spare = _spare, None
    if old is not None:
        old.stop()
    try:
        child = _Child.start(tuple(modules))
    except OSError:
        log.warning("could not start an isolated reader ahead of its call", exc_info=True)
        return
    with _spare_lock:
        if _spare is None:
            _spare, child = child, None
    if child is not None:  # another thread started one meanwhile
        child.stop()


@atexit.register
def _stop_spare() -> None:
    """Stop the spare child, if any (at exit, so that no child is left waiting)."""
    global _spare
    with _spare_lock:
        child, _spare = _spare, None
    if child is not None:
        child.stop()


def _take_spare() -> _Child | None:
    """Return the child started by :func:`prestart` if it can still be used (it is then
    no longer the spare), else None (an unusable one is stopped)."""
    global _spare
    with _spare_lock:
        child, _spare = _spare, None
    if child is None:
        return None
    if child.usable():
        return child
    child.stop()
    return None


def isolated_problem(file: str, failure: str, reason: dict | None = None) -> Problem:
    """Error Problem telling the user that reading ``file`` failed in the child.

    Args:
        file: file name as uploaded.
        failure: ``IsolatedResult.failure``.
        reason: ``IsolatedResult.reason`` (the failure in any language), if known.

    Returns:
        A ``file.reader_failed`` error.
    """
    return problem("error", "file.reader_failed", {"failure": reason or failure}, file=file)


def _outcome(
    message: tuple | None,
    exitcode: int | None,
    timed_out: bool,
    stderr: str,
    memory_mb: int,
    timeout_s: float,
) -> IsolatedResult:
    def too_slow():
        return _failed("problem.isolate.too_slow", exitcode, seconds=f"{timeout_s:g}")

    def too_big():
        return _failed("problem.isolate.too_big", exitcode, mb=memory_mb)

    if message is not None:
        status = message[0]
        if status == "ok":
            return IsolatedResult(True, value=message[1], exitcode=exitcode)
        if status == "memory":
            return too_big()
        key, params = message[1]
        failed = _failed(key, exitcode, **params)
        log.warning("isolated reader failed: %s\n%s", failed.failure, message[2])
        return failed
    if stderr:
        log.warning("isolated reader's stderr (exit code %s):\n%s", exitcode, stderr)
    if timed_out:
        return too_slow()
    if exitcode is not None and exitcode < 0:
        sig = -exitcode
        if sig == signal.SIGXCPU:
            return too_slow()
        if any(marker in stderr for marker in _OOM_MARKERS):
            return too_big()
        if sig == signal.SIGKILL:
            # Not killed by us: the system's out-of-memory killer is the usual culprit.
            return _failed("problem.isolate.killed", exitcode)
        return _failed("problem.isolate.crashed", exitcode, signal=_signal_name(sig))
    if any(marker in stderr for marker in _OOM_MARKERS):
        return too_big()
    return _failed("problem.isolate.stopped", exitcode, code=exitcode)


def _signal_name(sig: int) -> str:
    try:
        return signal.Signals(sig).name
    except ValueError:
        return str(sig)


def _tail(stderr_file) -> str:
    stderr_file.seek(0, os.SEEK_END)
    size = stderr_file.tell()
    stderr_file.seek(max(0, size - _STDERR_LOG_BYTES))
    return stderr_file.read().decode("utf-8", "replace")


def _child_main(modules: tuple[str, ...], wait_s: float) -> None:
    """Child side: import ``modules``, wait up to ``wait_s`` seconds for (limits, pickled
    call) on stdin (SIGALRM ends a child kept waiting longer), import and unpickle the
    call, set the limits, run it, write ("ok", value), ("memory",) or ("error", (key,
    params), traceback) to the original stdout (the catalogue entry ``key`` and its
    parameters tell the failure).

    Anything the function prints goes to stderr, so stdout carries only the result.
    A child whose stdin closes before a call comes (its parent stopped it or is gone)
    exits quietly.
    """
    import importlib
    import resource

    result = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - unpickling the call reports a missing module
            pass
    # The default action of SIGALRM ends the process: a spare nobody calls goes away.
    signal.alarm(max(1, math.ceil(wait_s)))
    try:
        memory_mb, cpu_s, call = pickle.load(sys.stdin.buffer)
    except EOFError:
        return
    finally:
        signal.alarm(0)
    try:
        func, args, kwargs = pickle.loads(call)
    except BaseException as exc:  # noqa: BLE001 - e.g. the function's module is missing
        _send(result, ("error", ("problem.isolate.not_started", {"error": str(exc)}),
                       traceback.format_exc()))
        return
    del call
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    # The CPU time spent so far (start-up, imports) is not the call's: its limit counts
    # from here.
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_s += math.ceil(usage.ru_utime + usage.ru_stime)
    _, cpu_hard = resource.getrlimit(resource.RLIMIT_CPU)
    if cpu_hard == resource.RLIM_INFINITY or cpu_hard > cpu_s:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 2))
    # Readers write no files; this bounds the stderr log a runaway child could grow.
    resource.setrlimit(resource.RLIMIT_FSIZE, (_MAX_FILE_WRITE, _MAX_FILE_WRITE))
    try:
        value = func(*args, **kwargs)
    except MemoryError:
        message: tuple = ("memory",)
    except BaseException as exc:  # noqa: BLE001 - everything goes back as plain text
        text = str(exc).strip()
        text = text.splitlines()[0] if text else ""
        reason = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
        if len(reason) > 300:
            reason = reason[:299] + "…"
        message = ("error", ("problem.isolate.error", {"error": reason}), traceback.format_exc())
    else:
        message = ("ok", value)
    _send(result, message)
    # The result is out: the parent reads it to its end as soon as this pipe closes,
    # while this process exits. Everything here (pandas, the reader, the dataset just
    # sent) is frozen first, so the exit does not walk it all in one last collection
    # (about 0.2 s for a 100k-row 4W, and the parent waits for the exit code).
    result.close()
    gc.freeze()


# The result's framing: the pickle's length and the number of out-of-band buffers, then
# each buffer's length, then the pickle, then the buffers.
_HEAD = struct.Struct("<QI")
_SIZE = struct.Struct("<Q")


def _send(result, message: tuple) -> None:
    """Write ``message`` to the parent: a pickle whose large buffers (the dataset's
    Arrow and NumPy columns) travel out of band, written as they are instead of being
    copied into the pickle first (about 40 MB for a 100k-row 4W)."""
    buffers: list[pickle.PickleBuffer] = []
    try:
        data = pickle.dumps(message, protocol=5, buffer_callback=buffers.append)
        raws = [b.raw() for b in buffers]
    except MemoryError:
        data, raws = pickle.dumps(("memory",)), []
    except Exception as exc:  # noqa: BLE001 - a value that cannot be pickled
        data = pickle.dumps(("error", ("problem.isolate.not_sent", {}),
                             f"{type(exc).__name__}: {exc}"))
        raws = []
    result.write(_HEAD.pack(len(data), len(raws)))
    result.write(b"".join(_SIZE.pack(r.nbytes) for r in raws))
    result.write(data)
    for raw in raws:
        result.write(raw)
    result.flush()
    sys.stderr.flush()


def _unpack(out: bytes) -> tuple:
    """Return the message :func:`_send` wrote as ``out``.

    The buffers are handed to the unpickler as writable slices of one copy of ``out``
    (a NumPy column unpickled from them can be written to, as one unpickled in band).

    Raises:
        ValueError: ``out`` is truncated or not framed by :func:`_send`.
    """
    try:
        size, count = _HEAD.unpack_from(out, 0)
        at = _HEAD.size
        sizes = [_SIZE.unpack_from(out, at + i * _SIZE.size)[0] for i in range(count)]
    except struct.error as exc:
        raise ValueError(f"the isolated reader's result is cut short: {exc}") from exc
    at += count * _SIZE.size
    if at + size + sum(sizes) != len(out):
        raise ValueError(f"the isolated reader's result is {len(out)} bytes, not "
                         f"{at + size + sum(sizes)}")
    view = memoryview(bytearray(out)) if count else memoryview(out)
    data, at = view[at:at + size], at + size
    buffers = []
    for n in sizes:
        buffers.append(view[at:at + n])
        at += n
    return pickle.loads(data, buffers=buffers)

"""Guard Streamlit's upload endpoint: files only from signed-in coordinator sessions.

Streamlit accepts ``PUT /_stcore/upload_file/<session id>/<file id>`` from any session,
on any page, and keeps the bytes in memory until the session ends: an anonymous visitor
could fill the server's memory. Streamlit 1.67 has no setting for this and its own
hook (``st.App`` middleware) needs another entry point, so this module wraps the two
methods of the running server that the upload route calls, once per process:

* ``Runtime.is_active_session`` (called only by the upload route, before any byte of
  the body is read): a session that is not a signed-in coordinator, or that already
  holds its file budget, is refused with 403 before its body is read;
* ``MemoryUploadedFileManager.add_file``: the session's byte budget is enforced
  (413) and the refusal logged.

:func:`allow` / :func:`forget` are called by ``maaor.ui.auth`` each time it checks the
session's coordinator grant; :func:`release` drops a session's uploaded bytes (at
sign-out; Streamlit itself drops them when the session ends), :func:`release_files` the
files of one consumed upload (published or discarded, ``maaor.ui.coordinator``), and
:func:`return_freed_memory` hands the freed bytes back to the operating system. With the
guard, the process's C allocator gets fixed thresholds
(:func:`fix_allocator_thresholds`): uploaded files are mapped on their own, so freeing
them returns their memory.

Limits (environment): ``MAAOR_UPLOAD_MAX_FILES`` files held per session (default 10)
and ``MAAOR_UPLOAD_BUDGET_MB`` bytes held per session (default 60).

The wrap is installed on the first script run of the process (any page calls
:func:`install` through ``maaor.ui.page.setup``): until some page has run once, a new
process has no guard. Deployments warm every process up with one page view (see the
README, "Security").
"""

from __future__ import annotations

import logging
import threading
import time
from functools import lru_cache
from typing import Any

_log = logging.getLogger("maaor.security")
_lock = threading.Lock()
_installed_on: object | None = None  # the Runtime the guard wraps (one per server process)
_allowed: set[str] = set()


def max_files() -> int:
    """Files one coordinator session may hold in the upload store."""
    from maaor import config

    return config.settings().upload_max_files


def budget_bytes() -> int:
    """Bytes one coordinator session may hold in the upload store."""
    from maaor import config

    return config.settings().upload_budget_mb * 1024 * 1024


def allow(session_id: str) -> None:
    """Let ``session_id`` upload (its coordinator grant was just checked)."""
    with _lock:
        _allowed.add(session_id)


def forget(session_id: str) -> None:
    """Refuse uploads from ``session_id`` again (signed out, or its grant failed)."""
    with _lock:
        _allowed.discard(session_id)


def is_allowed(session_id: str) -> bool:
    """Whether ``session_id`` may upload now."""
    with _lock:
        return session_id in _allowed


def release(session_id: str) -> None:
    """Drop every uploaded file of ``session_id`` from the server's memory."""
    runtime = _runtime()
    if runtime is not None:
        runtime.uploaded_file_mgr.remove_session_files(session_id)


def release_files(file_ids: list[str]) -> int:
    """Drop the uploaded files ``file_ids`` of the running session from Streamlit's
    upload store (Streamlit keeps them until the browser deletes them or the session
    ends, even after the page has used them).

    Returns:
        How many of them the store still held.
    """
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    manager = getattr(ctx, "uploaded_file_mgr", None)
    if ctx is None or manager is None or not file_ids:
        return 0
    held = len(manager.get_files(ctx.session_id, list(file_ids)))
    remove = getattr(manager, "remove_file", None)
    if remove is None:  # a store without per-file removal: drop the session's files
        manager.remove_session_files(ctx.session_id)
    else:
        for file_id in file_ids:
            remove(ctx.session_id, file_id)
    _log.info("upload released: %d file(s) dropped from the upload store", held)
    return held


#: glibc's ``mallopt`` parameters and the values the server process uses: blocks of
#: 4 MiB and more (uploaded files, their copies) are mapped on their own and unmapped
#: when freed; a heap keeps at most 16 MiB free at its top.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
MMAP_THRESHOLD = 4 * 1024 * 1024
TRIM_THRESHOLD = 16 * 1024 * 1024


@lru_cache(maxsize=1)
def _libc():
    """The C library when it is glibc (``mallopt``, ``malloc_trim``), else None.

    Looked up once per process: ``ctypes.util.find_library`` runs ``ldconfig -p`` in a
    subprocess each time, and AppTest (bench/ui_bench.py's rerun times) installs the
    guard again on every run's new Runtime.
    """
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:  # no C library by that name
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


def fix_allocator_thresholds() -> bool:
    """Stop glibc from keeping large freed blocks (once per process).

    glibc raises its mmap threshold each time a large mapped block is freed (up to 32
    MiB), so after the first uploaded file the next ones come from the heap, and each
    thread's heap keeps up to twice that free at its top, where ``malloc_trim`` does
    not reach it: 2 x 20 MB uploads left ~60 MB resident after their release. Fixed
    thresholds (which also turn the raising off) map every block of 4 MiB or more on
    its own, returned to the system as soon as it is freed.

    Returns:
        True when set (glibc), False otherwise.
    """
    libc = _libc()
    if libc is None or not hasattr(libc, "mallopt"):
        return False
    return bool(libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
                and libc.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))


def return_freed_memory() -> None:
    """Collect garbage and ask the C allocator to return free memory to the system.

    Uploaded files are tens of MB each; once glibc has served one from its heap (its
    mmap threshold grows after the first large block is freed), the freed block stays
    in the process's resident memory until ``malloc_trim`` returns it.
    """
    import gc

    gc.collect()
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


#: Seconds after a release at which freed memory is handed back again: the last
#: references to an upload's bytes (Streamlit's stale widget state and deferred
#: downloads) go only when the run after the release ends.
TRIM_DELAYS_S = (1.0, 5.0, 15.0)


def return_freed_memory_soon(delays: tuple[float, ...] = TRIM_DELAYS_S) -> None:
    """Call :func:`return_freed_memory` in the background after each of ``delays``."""

    def trim_later() -> None:
        waited = 0.0
        for delay in delays:
            time.sleep(max(0.0, delay - waited))
            waited = delay
            return_freed_memory()

    threading.Thread(target=trim_later, name="maaor-trim", daemon=True).start()


def _runtime():
    """Return the running Streamlit server's Runtime; None outside a server, and for
    AppTest's stand-in runtime (a mock: there is no upload endpoint to guard, and
    wrapping a new mock on every test run cost a share of each rerun)."""
    from streamlit.runtime import Runtime

    if not Runtime.exists():
        return None
    runtime = Runtime.instance()
    return None if type(runtime).__module__ == "unittest.mock" else runtime


def _held(manager: Any, session_id: str) -> tuple[int, int]:
    """(files, bytes) ``session_id`` holds in Streamlit's memory upload store."""
    storage = getattr(manager, "file_storage", {})
    lock = getattr(manager, "_lock", None)
    if lock is None:
        files = list(storage.get(session_id, {}).values())
    else:
        with lock:
            files = list(storage.get(session_id, {}).values())
    return len(files), sum(len(f.data) for f in files)


def _refuse(status: int, detail: str):
    from starlette.exceptions import HTTPException

    return HTTPException(status_code=status, detail=detail)


def install() -> bool:
    """Wrap the running server's upload checks (once per process).

    Returns:
        True when the guard is in place (False outside a Streamlit server, e.g. in
        AppTest or the CLI, where there is no upload endpoint).
    """
    global _installed_on
    runtime = _runtime()
    if runtime is None:
        return False
    if _installed_on is runtime:
        return True
    with _lock:
        if _installed_on is runtime:
            return True
        manager = runtime.uploaded_file_mgr
        original_active = runtime.is_active_session
        original_add = manager.add_file

        def is_active_session(session_id: str) -> bool:
            # Called by the upload route only, before it reads the request body.
            if not original_active(session_id):
                return False
            if not is_allowed(session_id):
                _log.warning("upload refused: the session is not a signed-in coordinator")
                raise _refuse(403, "Uploads are accepted from a signed-in coordinator only.")
            files, _ = _held(manager, session_id)
            if files >= max_files():
                _log.warning("upload refused: the session holds %d files (limit %d)",
                             files, max_files())
                raise _refuse(413, "Too many uploaded files in this session.")
            return True

        def add_file(session_id: str, file: Any) -> None:
            if not is_allowed(session_id):
                _log.warning("upload refused: the session is not a signed-in coordinator")
                raise _refuse(403, "Uploads are accepted from a signed-in coordinator only.")
            files, held = _held(manager, session_id)
            size = len(getattr(file, "data", b""))
            if files >= max_files() or held + size > budget_bytes():
                _log.warning("upload refused: the session would hold %d files, %.1f MB "
                             "(limits %d files, %.0f MB)", files + 1,
                             (held + size) / 2**20, max_files(), budget_bytes() / 2**20)
                raise _refuse(413, "The uploads of this session are over their budget.")
            original_add(session_id, file)

        runtime.is_active_session = is_active_session
        manager.add_file = add_file
        fix_allocator_thresholds()
        # Sessions that uploaded before the guard existed keep nothing.
        storage = getattr(manager, "file_storage", None)
        # A real upload store is a dict (AppTest's stand-in runtime has none: iterating
        # its mock cost a share of every test rerun).
        for session_id in list(storage) if isinstance(storage, dict) else ():
            if session_id not in _allowed:
                manager.remove_session_files(session_id)
        _installed_on = runtime
        _log.info("upload guard installed: coordinator sessions only, %d files and %.0f MB "
                  "per session", max_files(), budget_bytes() / 2**20)
    return True

"""Figures computed once for every process of a deployment (a cache on local disk).

Several dashboard processes behind nginx each hold their own in-memory caches, so a
room of viewers making the same filter change made every process compute the same
figures. :class:`SharedCache` puts a figure computed by one process where the others
find it: one file per key in a private directory, written whole (a temporary file
renamed into place), and a lock file per key so that processes asking for the same
figure at the same moment wait for the first one instead of computing it too.

The files are Python pickles, so the directory must be trusted: it is created with mode
0700 and used only when it is a real directory (not a link) owned by this user and
closed to others; otherwise the cache is off and figures are computed as before. The
directory holds at most ``max_files`` files and ``max_bytes`` bytes (the oldest go
first), and a result larger than ``max_item_bytes`` is not written (reading it back would
cost about what computing it does).

The data layer does not use this module; :mod:`maaor.ui.data` calls it under its
in-memory caches, with keys that name the store, the version and when it was published
(a version number alone is reused by a store that is reset).
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import logging
import os
import pickle
import stat
import tempfile
import threading
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Files kept in the directory before the oldest are removed.
MAX_FILES = 4_000
#: Bytes kept in the directory before the oldest files are removed.
MAX_BYTES = 256 * 1024 * 1024
#: A result whose pickle is larger than this is not shared.
MAX_ITEM_BYTES = 8 * 1024 * 1024
#: Writes between two checks of the directory's size.
PRUNE_EVERY = 64

_SUFFIX = ".fig"


def private_directory(path: Path) -> bool:
    """Create ``path`` (mode 0700) if missing; True when it is a directory, not a link,
    owned by this user and closed to group and others."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = os.lstat(path)
    except OSError:
        return False
    return (
        stat.S_ISDIR(info.st_mode)
        and info.st_uid == os.getuid()
        and not info.st_mode & 0o077
    )


def default_directory(store_url: str) -> Path:
    """Return the cache directory of the processes serving ``store_url``: in the system's
    temporary directory, one per user and store."""
    digest = hashlib.sha256(store_url.encode("utf-8")).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"maaor-figures-{os.getuid()}-{digest}"


class SharedCache:
    """Results shared by the processes of one machine through files in a directory.

    Args:
        directory: where the files go (made private; the cache is off when it cannot be).
        max_files: files kept before the oldest are removed.
        max_bytes: bytes kept before the oldest files are removed.
        max_item_bytes: a larger result is returned but not written.
    """

    def __init__(self, directory: Path, *, max_files: int = MAX_FILES,
                 max_bytes: int = MAX_BYTES, max_item_bytes: int = MAX_ITEM_BYTES) -> None:
        self.directory = Path(directory)
        self.max_files = max_files
        self.max_bytes = max_bytes
        self.max_item_bytes = max_item_bytes
        self.enabled = private_directory(self.directory)
        if not self.enabled:
            log.warning("figure cache off: %s is not a private directory of this user",
                        self.directory)
        self._writes = 0
        self._lock = threading.Lock()

    def path(self, key: Hashable) -> Path:
        """Return the file that holds ``key``'s result (keys are told apart by their
        repr, which names every part of a key made of numbers, text, dates and tuples)."""
        digest = hashlib.sha256(repr(key).encode("utf-8")).hexdigest()
        return self.directory / f"{digest}{_SUFFIX}"

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        """Return the result stored for ``key``, else compute, store and return it.

        A process asking while another computes the same key waits for it and reads its
        result. Any failure of the cache itself (disk full, a file removed meanwhile, a
        damaged file) falls back to computing: the cache never changes a result.
        """
        if not self.enabled:
            return compute()
        path = self.path(key)
        found = self._read(path)
        if found is not None:
            return found[0]
        try:
            lock = os.open(path.with_suffix(".lock"), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        except OSError:
            return compute()
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            found = self._read(path)  # computed by another process while this one waited
            if found is not None:
                return found[0]
            value = compute()
            self._write(path, value)
            return value
        finally:
            os.close(lock)  # closing releases the lock

    def _read(self, path: Path) -> tuple[Any] | None:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            return None
        try:
            with os.fdopen(fd, "rb") as fh:
                return (pickle.load(fh),)  # noqa: S301 - a private directory of this user
        except Exception:  # noqa: BLE001 - a damaged or half-removed file: compute again
            log.warning("figure cache: %s could not be read; computed again", path.name)
            return None

    def _write(self, path: Path, value: Any) -> None:
        try:
            data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - a result that cannot be pickled is not shared
            return
        if len(data) > self.max_item_bytes:
            return
        try:
            fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            if exc.errno not in (errno.ENOSPC, errno.EDQUOT, errno.ENOENT):
                log.warning("figure cache: %s not written: %s", path.name, exc)
            return
        with self._lock:
            self._writes += 1
            due = self._writes % PRUNE_EVERY == 0
        if due:
            self.prune()

    def prune(self) -> None:
        """Remove the oldest files until at most ``max_files`` files and ``max_bytes``
        bytes are left (their lock files with them)."""
        entries = []
        try:
            with os.scandir(self.directory) as it:
                for entry in it:
                    if entry.name.endswith(_SUFFIX):
                        try:
                            info = entry.stat(follow_symlinks=False)
                        except OSError:
                            continue
                        entries.append((info.st_mtime, info.st_size, entry.path))
        except OSError:
            return
        entries.sort()
        total = sum(size for _, size, _ in entries)
        count = len(entries)
        for _, size, name in entries:
            if count <= self.max_files and total <= self.max_bytes:
                break
            for doomed in (name, name[: -len(_SUFFIX)] + ".lock"):
                try:
                    os.unlink(doomed)
                except OSError:
                    pass
            count -= 1
            total -= size

    def clear(self) -> None:
        """Remove every file of the cache."""
        if not self.enabled:
            return
        for entry in self.directory.iterdir():
            if entry.suffix in (_SUFFIX, ".lock", ".tmp"):
                entry.unlink(missing_ok=True)

"""Errors raised by the version store (each with a plain message) and a retry helper."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class StoreError(Exception):
    """Anything the store could not do; ``str(error)`` is a plain sentence."""


class StoreBusy(StoreError):
    """Another writer holds the lock longer than the busy timeout; nothing was changed."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or "the data store is busy (locked by another process); try again in a moment"
        )


class StoreUnavailable(StoreError):
    """The database server cannot be reached; nothing was changed."""

    def __init__(self, reason: str = "") -> None:
        text = "the data store (database server) cannot be reached"
        if reason:
            text += f" ({reason})"
        super().__init__(text + "; nothing was changed; try again when it is back")
        self.reason = reason


class StoreConflict(StoreError):
    """Someone published a newer version since the one the caller based its work on."""


class VersionNotFound(StoreError, LookupError):
    """The requested version does not exist (or nothing was published yet)."""


class VersionWithdrawn(VersionNotFound):
    """The requested version was withdrawn: it exists but is no longer served.

    A subclass of :class:`VersionNotFound`, so a reader that does not know about
    withdrawals still never shows the data.

    Attributes:
        version: the withdrawn version.
        withdrawn_at: when it was withdrawn (aware UTC).
    """

    def __init__(self, version: int, withdrawn_at: dt.datetime | None) -> None:
        when = f" on {withdrawn_at:%Y-%m-%d}" if withdrawn_at else ""
        super().__init__(f"version {version} was withdrawn{when}")
        self.version = version
        self.withdrawn_at = withdrawn_at


def retry_busy(
    action: Callable[[], T],
    *,
    attempts: int = 3,
    wait_s: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Return ``action()``, trying again while the store is busy.

    Args:
        action: the store operation (it must be all-or-nothing, as every Store write is).
        attempts: how many tries in all.
        wait_s: pause before the second try; doubled before each later one.
        sleep: the pause function (tests pass a fake).

    Raises:
        StoreBusy: still busy after the last try.
    """
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except StoreBusy:
            if attempt == attempts:
                raise
            sleep(wait_s * 2 ** (attempt - 1))
    raise ValueError("attempts must be at least 1")

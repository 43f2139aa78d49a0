"""Times in the store: naive UTC in the database, aware UTC in Python."""

from __future__ import annotations

import datetime as dt


def utc_now() -> dt.datetime:
    """Return the current time as an aware UTC datetime."""
    return dt.datetime.now(dt.UTC)


def to_db_time(value: dt.datetime) -> dt.datetime:
    """Return ``value`` as the naive UTC datetime the tables hold."""
    if value.tzinfo is None:
        return value
    return value.astimezone(dt.UTC).replace(tzinfo=None)


def from_db_time(value: dt.datetime | None) -> dt.datetime | None:
    """Return a time read from the tables as an aware UTC datetime (None stays None)."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)

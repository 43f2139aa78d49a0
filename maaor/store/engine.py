"""SQLAlchemy engines for the store and translation of driver errors into StoreErrors.

SQLite runs in WAL mode (readers never wait for a writer) with foreign keys on and a
busy timeout; write transactions start with ``BEGIN IMMEDIATE`` so two writers queue
on the database lock instead of failing half-way. PostgreSQL connections are checked
before use (``pool_pre_ping``) so the app recovers by itself when the server is back.
"""

from __future__ import annotations

import sqlite3
import time

import sqlalchemy as sa
from sqlalchemy import event

from maaor.store.errors import StoreBusy, StoreError, StoreUnavailable

# Execution option naming a connection whose next transaction writes.
WRITE_OPTION = "maaor_write"


def create_engine(url: str, *, busy_timeout_ms: int, connect_timeout_s: int) -> sa.Engine:
    """Return an engine for ``url`` configured for the store's locking rules."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, busy_timeout_ms)
    connect_args = {}
    if parsed.get_backend_name() == "postgresql":
        connect_args["connect_timeout"] = connect_timeout_s
    return sa.create_engine(url, pool_pre_ping=True, connect_args=connect_args)


def _sqlite_engine(url: str, busy_timeout_ms: int) -> sa.Engine:
    engine = sa.create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Driver autocommit: the "begin" listener below emits BEGIN itself, so the
        # choice between a deferred read and an immediate write transaction is ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()
        _ensure_wal(dbapi_connection, busy_timeout_ms)

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        if connection.get_execution_options().get(WRITE_OPTION):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")

    return engine


def _ensure_wal(dbapi_connection, busy_timeout_ms: int) -> None:
    """Switch the file to WAL mode (persistent) unless it already is.

    Switching needs the file to itself and SQLite does not wait for that with the busy
    timeout, so a new file opened by two processes at once retries here until the
    timeout has passed.
    """
    deadline = time.monotonic() + busy_timeout_ms / 1000
    pause = 0.01
    while True:
        cursor = dbapi_connection.cursor()
        try:
            mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
            if str(mode).lower() == "wal":
                return
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
        finally:
            cursor.close()
        time.sleep(pause)
        pause = min(pause * 2, 0.2)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def translate_error(exc: sa.exc.DBAPIError, backend: str) -> StoreError:
    """Return the StoreError a driver error means for the user.

    Args:
        exc: the SQLAlchemy-wrapped driver error.
        backend: ``"sqlite"`` or ``"postgresql"``.
    """
    orig = exc.orig
    if backend == "sqlite":
        name = getattr(orig, "sqlite_errorname", "")
        if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in str(orig):
            return StoreBusy()
        if isinstance(orig, sqlite3.OperationalError):
            return StoreError(f"the data store file cannot be used: {_first_line(orig)}")
        return StoreError(f"the data store refused the operation: {_first_line(orig)}")
    if backend == "postgresql":
        import psycopg.errors as pg_errors

        if isinstance(orig, (pg_errors.LockNotAvailable, pg_errors.QueryCanceled)):
            return StoreBusy()
        if isinstance(exc, (sa.exc.OperationalError, sa.exc.InterfaceError)) or (
            exc.connection_invalidated
        ):
            return StoreUnavailable(_first_line(orig))
    return StoreError(f"the data store refused the operation: {_first_line(orig)}")

"""The one engine every part of the store shares: opening, schema upgrade, transactions.

Reads run in a plain transaction. Writes run under the store's write lock
(``BEGIN IMMEDIATE`` on SQLite; on PostgreSQL a ``lock_timeout`` and, for writes that
move or depend on the current version, ``SELECT ... FOR UPDATE`` of the pointer row),
so a failure half-way leaves nothing behind. Driver errors become
:class:`maaor.store.errors.StoreError` subclasses with plain messages.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Self

import sqlalchemy as sa

from maaor import config
from maaor.logs import log_event
from maaor.store import tables as s
from maaor.store.engine import WRITE_OPTION, create_engine, translate_error
from maaor.store.errors import StoreError
from maaor.store.migrations import latest_version, recorded_version, upgrade

_log = logging.getLogger("maaor.store")
# conn.info key of the audit entries a write transaction made (logged after its commit).
PENDING_LOG = "maaor_pending_log"
# A new version by upload, edit or bootstrap is a publish; its kind says how.
_PUBLISH_KINDS = ("upload", "edit", "bootstrap")


class StoreBase:
    """The engine, its transactions and the schema; the parts of the store build on it.

    Open with :meth:`open` (or construct with an engine in tests).
    """

    def __init__(self, engine: sa.Engine, *, busy_timeout_ms: int) -> None:
        self.engine = engine
        self.backend = engine.dialect.name
        self.busy_timeout_ms = busy_timeout_ms

    # ----------------------------------------------------------------- opening

    @classmethod
    def open(
        cls,
        url: str | None = None,
        *,
        busy_timeout_ms: int | None = None,
        connect_timeout_s: int | None = None,
        upgrade_to: int | None = None,
    ) -> Self:
        """Open the store at ``url`` (default: from the environment), creating or
        upgrading its schema.

        Args:
            url: SQLAlchemy URL; ``postgresql://`` is rewritten to the psycopg driver.
                None: ``maaor.config.database_url()``.
            busy_timeout_ms: how long a write waits for another writer (default: setting).
            connect_timeout_s: PostgreSQL connect timeout (default: setting).
            upgrade_to: stop upgrading at this schema version (tests of upgrades).

        Raises:
            StoreUnavailable: the database server cannot be reached.
            StoreBusy: another process holds the write lock while the schema needed work.
        """
        cfg = config.settings()
        url = config.normalise_database_url(url) if url else cfg.database_url
        busy = cfg.busy_timeout_ms if busy_timeout_ms is None else busy_timeout_ms
        timeout = cfg.pg_connect_timeout_s if connect_timeout_s is None else connect_timeout_s
        store = cls(create_engine(url, busy_timeout_ms=busy, connect_timeout_s=timeout),
                    busy_timeout_ms=busy)
        try:
            store._upgrade(upgrade_to)
        except BaseException:
            store.close()
            raise
        return store

    def _upgrade(self, target: int | None) -> None:
        latest = latest_version()
        wanted = latest if target is None else target
        have = self.schema_version()
        if have > latest:
            raise StoreError(
                f"the data store has schema version {have}, newer than this app knows "
                f"({latest}); update maaor before using this database"
            )
        # An up-to-date store opens without taking the write lock.
        if have >= wanted:
            return
        with self._write(lock_current=False) as (conn, _):
            if self.backend == "postgresql":
                # The pointer row may not exist yet; serialise schema work on a key.
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(74220001)"))
            upgrade(conn, target=target)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.engine.url.render_as_string(hide_password=True)!r})"

    # ------------------------------------------------------------ transactions

    @contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except sa.exc.DBAPIError as exc:
            raise translate_error(exc, self.backend) from exc

    @contextmanager
    def _read(self) -> Iterator[sa.Connection]:
        with self._translated(), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def _write(self, *, lock_current: bool = True) -> Iterator[tuple[sa.Connection, int | None]]:
        """Open a write transaction holding the store's write lock.

        Yields the connection and the current version id read under the lock. Any
        exception rolls the whole transaction back.
        """
        with self._translated(), self.engine.connect() as conn:
            conn.info.pop(PENDING_LOG, None)  # left by a transaction that rolled back
            conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                if self.backend == "postgresql":
                    # 0 would mean "wait forever" to PostgreSQL.
                    wait_ms = max(1, int(self.busy_timeout_ms))
                    conn.execute(sa.text(f"SET LOCAL lock_timeout = '{wait_ms}ms'"))
                current = None
                if lock_current:
                    query = sa.select(s.current.c.version_id).where(s.current.c.id == 1)
                    if self.backend != "sqlite":
                        query = query.with_for_update()
                    current = conn.execute(query).scalar()
                yield conn, current
            # Logged once committed: a rolled-back action is never logged as done.
            for entry in conn.info.pop(PENDING_LOG, ()):
                name = "publish" if entry["action"] in _PUBLISH_KINDS else entry["action"]
                log_event(_log, name, f"{entry['action']}: {entry['detail']}", **entry)

    # ------------------------------------------------------------------ schema

    def schema_version(self) -> int:
        """Return the schema version recorded in the database (0 when empty)."""
        with self._read() as conn:
            return recorded_version(conn)

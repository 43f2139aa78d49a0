"""The version store: published datasets, the current pointer, aliases and audit.

Every version is immutable once written: its files (the uploaded bytes), its tables
(Parquet) and its metadata. Publishing writes a whole new version and moves the
current pointer in ONE transaction, under the write lock (``BEGIN IMMEDIATE`` on
SQLite, ``SELECT ... FOR UPDATE`` of the pointer row on PostgreSQL): two publishes at
once become two ordered versions (or the later one is refused as busy), and a failure
half-way leaves the previous version current and complete. Readers read the pointer,
then that immutable version, so they see the old or the new version, never half.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import sqlalchemy as sa

from maaor import config
from maaor.dataset import TABLES, Dataset, DatasetMeta
from maaor.logs import log_event
from maaor.read.types import Source
from maaor.store import schema as s
from maaor.store.codec import TABLE_FORMAT, decode_table, encode_table
from maaor.store.engine import WRITE_OPTION, create_engine, translate_error
from maaor.store.errors import StoreConflict, StoreError, VersionNotFound
from maaor.store.migrations import latest_version, recorded_version, upgrade
from maaor.textkey import match_key

_log = logging.getLogger("maaor.store")
# conn.info key of the audit entries a write transaction made (logged after its commit).
_PENDING_LOG = "maaor_pending_log"
_PUBLISH_KINDS = ("upload", "edit", "bootstrap")
VERSION_KINDS = ("upload", "rollback", "edit", "bootstrap")


class _Any:
    def __repr__(self) -> str:
        return "ANY"


ANY = _Any()  # "whatever version is current" for ``if_current``


class FileInfo(NamedTuple):
    """A stored input file: name as uploaded, size in bytes, SHA-256 hex digest."""

    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class VersionInfo:
    """One entry of the history.

    Attributes:
        id: version number (1, 2, ...).
        created_at: when it was published (aware UTC).
        created_by: who published it.
        note: the publish note.
        kind: "upload", "rollback", "edit" or "bootstrap".
        parent: for a rollback, the version copied; for an edit, the version edited.
        files: the input files of the version.
        illustrative: True when any table holds illustrative (made-up) data.
        illustrative_tables: which tables are illustrative.
        is_current: this is the version the app shows.
    """

    id: int
    created_at: dt.datetime
    created_by: str
    note: str
    kind: str
    parent: int | None
    files: tuple[FileInfo, ...]
    illustrative: bool
    illustrative_tables: tuple[str, ...]
    is_current: bool


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log."""

    id: int
    at: dt.datetime
    who: str
    action: str
    detail: str


def utc_now() -> dt.datetime:
    """Return the current time as an aware UTC datetime."""
    return dt.datetime.now(dt.UTC)


def _to_db_time(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        return value
    return value.astimezone(dt.UTC).replace(tzinfo=None)


def _from_db_time(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _check_kind(kind: str) -> None:
    if kind not in VERSION_KINDS:
        raise ValueError(f"version kind must be one of {VERSION_KINDS}, not {kind!r}")


@dataclass(frozen=True)
class _Encoded:
    """A dataset serialised before taking the write lock (CPU work outside the lock)."""

    tables: dict[str, tuple[bytes, int]]
    illustrative: bool
    illustrative_tables: tuple[str, ...]
    sources: tuple[str, ...]


def _encode(dataset: Dataset, files: Sequence[Source]) -> _Encoded:
    meta = dataset.meta
    tables = {name: encode_table(name, dataset.tables[name]) for name in TABLES}
    illustrative_tables = tuple(meta.illustrative_tables)
    sources = tuple(meta.sources) or tuple(f.name for f in files)
    return _Encoded(
        tables,
        bool(meta.illustrative or illustrative_tables),
        illustrative_tables,
        sources,
    )


class Store:
    """Versions of the dataset in a SQL database (SQLite file or PostgreSQL).

    Open with :meth:`Store.open`; all methods raise :class:`StoreError` subclasses with
    plain messages (``StoreBusy``, ``StoreUnavailable``, ``StoreConflict``,
    ``VersionNotFound``) rather than driver errors.
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
    ) -> Store:
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

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.engine.url.render_as_string(hide_password=True)!r})"

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
            conn.info.pop(_PENDING_LOG, None)  # left by a transaction that rolled back
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
            for entry in conn.info.pop(_PENDING_LOG, ()):
                # A new version by upload, edit or bootstrap is a publish; its kind says how.
                name = "publish" if entry["action"] in _PUBLISH_KINDS else entry["action"]
                log_event(_log, name, f"{entry['action']}: {entry['detail']}", **entry)

    # ------------------------------------------------------------------ schema

    def schema_version(self) -> int:
        """Return the schema version recorded in the database (0 when empty)."""
        with self._read() as conn:
            return recorded_version(conn)

    # ---------------------------------------------------------------- versions

    def current_version(self) -> int | None:
        """Return the id of the version the app shows, or None before any publish."""
        with self._read() as conn:
            return conn.execute(
                sa.select(s.current.c.version_id).where(s.current.c.id == 1)
            ).scalar()

    def publish(
        self,
        dataset: Dataset,
        files: Sequence[Source],
        *,
        by: str,
        note: str,
        kind: str = "upload",
        parent: int | None = None,
        if_current: int | None | _Any = ANY,
    ) -> int:
        """Store ``dataset`` and its input ``files`` as a new version and make it current.

        All in one transaction: on any error nothing is stored and the previous
        version stays current.

        Args:
            dataset: the normalised tables; ``meta.illustrative``/``illustrative_tables``
                and ``meta.sources`` are kept (sources default to the file names).
            files: the input files exactly as uploaded.
            by: who publishes (shown in the history).
            note: the publish note.
            kind: "upload", "edit", "rollback" or "bootstrap".
            parent: the version this one derives from (edits), if any.
            if_current: refuse with StoreConflict unless this is still the current
                version (None: the store must be empty); ANY (default) accepts any.

        Returns:
            The new version id.
        """
        _check_kind(kind)
        encoded = _encode(dataset, files)
        with self._write() as (conn, current):
            if if_current is not ANY and current != if_current:
                raise StoreConflict(
                    f"version {current} was published meanwhile (you started from "
                    f"version {if_current}); review the changes again before publishing"
                )
            return self._publish_locked(conn, encoded, files, by=by, note=note,
                                        kind=kind, parent=parent)

    def _publish_locked(self, conn, encoded: _Encoded, files: Sequence[Source], *,
                        by: str, note: str, kind: str, parent: int | None) -> int:
        version_id = self._insert_version(
            conn, by=by, note=note, kind=kind, parent=parent,
            illustrative=encoded.illustrative,
            illustrative_tables=encoded.illustrative_tables, sources=encoded.sources,
        )
        self._write_files(conn, version_id, files)
        self._write_tables(conn, version_id, encoded.tables)
        detail = f"version {version_id}" + (f": {note}" if note else "")
        self._write_audit(conn, by, kind, detail)
        self._move_current(conn, version_id)
        return version_id

    def _insert_version(self, conn, *, by, note, kind, parent, illustrative,
                        illustrative_tables, sources) -> int:
        version_id = conn.execute(
            sa.select(sa.func.coalesce(sa.func.max(s.versions.c.id), 0) + 1)
        ).scalar_one()
        conn.execute(s.versions.insert().values(
            id=version_id,
            created_at=_to_db_time(utc_now()),
            created_by=by,
            note=note or "",
            kind=kind,
            parent_version=parent,
            illustrative=bool(illustrative),
            illustrative_tables=json.dumps(list(illustrative_tables)),
            sources=json.dumps(list(sources)),
        ))
        return version_id

    def _write_files(self, conn, version_id: int, files: Sequence[Source]) -> None:
        rows = [
            {
                "version_id": version_id,
                "position": i,
                "name": f.name,
                "size": len(f.data),
                "sha256": hashlib.sha256(f.data).hexdigest(),
                "kind": f.kind,
                "data": bytes(f.data),
            }
            for i, f in enumerate(files)
        ]
        for row in rows:
            conn.execute(s.version_files.insert().values(**row))

    def _write_tables(self, conn, version_id: int,
                      tables: dict[str, tuple[bytes, int]]) -> None:
        for name, (data, rows) in tables.items():
            conn.execute(s.version_tables.insert().values(
                version_id=version_id, table_name=name, format=TABLE_FORMAT,
                rows=rows, data=data,
            ))

    def _move_current(self, conn, version_id: int) -> None:
        conn.execute(
            s.current.update().where(s.current.c.id == 1).values(version_id=version_id)
        )

    def _write_audit(self, conn, who: str, action: str, detail: str,
                     at: dt.datetime | None = None) -> None:
        conn.execute(s.audit.insert().values(
            at=_to_db_time(at or utc_now()), who=who, action=action, detail=detail
        ))
        conn.info.setdefault(_PENDING_LOG, []).append(
            {"action": action, "who": who, "detail": detail})

    def load(self, version: int | None = None) -> Dataset:
        """Return the dataset of ``version`` (default: the current one).

        Raises:
            VersionNotFound: no such version, or nothing published yet.
        """
        with self._read() as conn:
            if version is None:
                version = conn.execute(
                    sa.select(s.current.c.version_id).where(s.current.c.id == 1)
                ).scalar()
                if version is None:
                    raise VersionNotFound("no data has been published yet")
            row = conn.execute(
                sa.select(s.versions).where(s.versions.c.id == version)
            ).mappings().first()
            if row is None:
                raise VersionNotFound(f"version {version} does not exist")
            stored = conn.execute(
                sa.select(s.version_tables.c.table_name, s.version_tables.c.format,
                          s.version_tables.c.data)
                .where(s.version_tables.c.version_id == version)
            ).all()
        tables = {
            name: decode_table(name, bytes(data), fmt)
            for name, fmt, data in stored if name in TABLES
        }
        meta = DatasetMeta(
            version=row["id"],
            created_at=_from_db_time(row["created_at"]),
            created_by=row["created_by"],
            note=row["note"],
            illustrative=bool(row["illustrative"]),
            illustrative_tables=tuple(json.loads(row["illustrative_tables"])),
            sources=tuple(json.loads(row["sources"])),
        )
        return Dataset(tables, meta)

    def history(self) -> list[VersionInfo]:
        """Return every version, newest first."""
        with self._read() as conn:
            current = conn.execute(
                sa.select(s.current.c.version_id).where(s.current.c.id == 1)
            ).scalar()
            rows = conn.execute(
                sa.select(s.versions).order_by(s.versions.c.id.desc())
            ).mappings().all()
            file_rows = conn.execute(
                sa.select(s.version_files.c.version_id, s.version_files.c.name,
                          s.version_files.c.size, s.version_files.c.sha256)
                .order_by(s.version_files.c.version_id, s.version_files.c.position)
            ).all()
        files: dict[int, list[FileInfo]] = {}
        for vid, name, size, sha in file_rows:
            files.setdefault(vid, []).append(FileInfo(name, int(size), sha))
        return [
            VersionInfo(
                id=r["id"],
                created_at=_from_db_time(r["created_at"]),
                created_by=r["created_by"],
                note=r["note"],
                kind=r["kind"],
                parent=r["parent_version"],
                files=tuple(files.get(r["id"], ())),
                illustrative=bool(r["illustrative"]),
                illustrative_tables=tuple(json.loads(r["illustrative_tables"])),
                is_current=r["id"] == current,
            )
            for r in rows
        ]

    def files(self, version: int) -> list[tuple[str, bytes]]:
        """Return the input files of ``version`` as (name, bytes), in upload order.

        Raises:
            VersionNotFound: no such version.
        """
        with self._read() as conn:
            self._require_version(conn, version)
            rows = conn.execute(
                sa.select(s.version_files.c.name, s.version_files.c.data)
                .where(s.version_files.c.version_id == version)
                .order_by(s.version_files.c.position)
            ).all()
        return [(name, bytes(data)) for name, data in rows]

    def _require_version(self, conn, version: int) -> None:
        found = conn.execute(
            sa.select(s.versions.c.id).where(s.versions.c.id == version)
        ).scalar()
        if found is None:
            raise VersionNotFound(f"version {version} does not exist")

    def rollback(self, to_version: int, *, by: str, note: str | None = None,
                 if_current: int | None | _Any = ANY) -> int:
        """Publish a NEW version equal to ``to_version`` (history never shrinks).

        Copies the older version's files, tables and aggregates; the new version's
        ``parent`` is ``to_version``.

        Returns:
            The new version id.

        Raises:
            VersionNotFound: no such version.
            StoreConflict: ``if_current`` is given and is no longer current.
        """
        note = note or f"rollback to version {to_version}"
        with self._write() as (conn, current):
            if if_current is not ANY and current != if_current:
                raise StoreConflict(
                    f"version {current} was published meanwhile; look at the history "
                    "again before going back"
                )
            src = conn.execute(
                sa.select(s.versions).where(s.versions.c.id == to_version)
            ).mappings().first()
            if src is None:
                raise VersionNotFound(f"version {to_version} does not exist")
            version_id = self._insert_version(
                conn, by=by, note=note, kind="rollback", parent=to_version,
                illustrative=src["illustrative"],
                illustrative_tables=json.loads(src["illustrative_tables"]),
                sources=json.loads(src["sources"]),
            )
            for table in (s.version_files, s.version_tables, s.aggregates):
                cols = [c for c in table.c if c.name != "version_id"]
                conn.execute(table.insert().from_select(
                    ["version_id", *(c.name for c in cols)],
                    sa.select(sa.literal(version_id, sa.Integer), *cols)
                    .where(table.c.version_id == to_version),
                ))
            self._write_audit(conn, by, "rollback",
                              f"version {version_id} = version {to_version}: {note}")
            self._move_current(conn, version_id)
            return version_id

    def ensure_bootstrapped(
        self,
        loader: Callable[[], tuple[Dataset, list[Source]]],
        *,
        by: str = "maaor",
        note: str = "bundled data, loaded at first start",
    ) -> int | None:
        """Publish the bundled data as version 1 if the store has no version yet.

        ``loader`` is only called when the store looks empty; the check is repeated
        under the write lock, so two processes starting at once create one version 1.

        Returns:
            The new version id, or None when the store already had a version.
        """
        if self.current_version() is not None:
            return None
        dataset, files = loader()
        encoded = _encode(dataset, files)
        with self._write() as (conn, current):
            if current is not None:
                return None
            return self._publish_locked(conn, encoded, files, by=by, note=note,
                                        kind="bootstrap", parent=None)

    # ---------------------------------------------------------------- aggregates

    def put_aggregate(self, version: int, name: str, data: bytes) -> None:
        """Store (or replace) a precomputed aggregate of ``version``."""
        with self._write(lock_current=False) as (conn, _):
            self._require_version(conn, version)
            conn.execute(s.aggregates.delete().where(
                (s.aggregates.c.version_id == version) & (s.aggregates.c.name == name)
            ))
            conn.execute(s.aggregates.insert().values(
                version_id=version, name=name, data=bytes(data)
            ))

    def aggregate(self, version: int, name: str) -> bytes | None:
        """Return the stored aggregate ``name`` of ``version``, or None."""
        with self._read() as conn:
            data = conn.execute(
                sa.select(s.aggregates.c.data).where(
                    (s.aggregates.c.version_id == version) & (s.aggregates.c.name == name)
                )
            ).scalar()
        return None if data is None else bytes(data)

    # ------------------------------------------------------------------- aliases

    def aliases(self) -> dict[str, str]:
        """Return the organisation aliases: spelling as written -> canonical name."""
        with self._read() as conn:
            rows = conn.execute(
                sa.select(s.aliases.c.alias, s.aliases.c.canonical)
                .order_by(s.aliases.c.alias)
            ).all()
        return {alias: canonical for alias, canonical in rows}

    def add_alias(self, alias: str, canonical: str, by: str) -> None:
        """Record that ``alias`` means ``canonical`` (replacing any alias with the same
        ``match_key``), tagged with the current version.

        Raises:
            ValueError: alias or canonical name is blank.
        """
        alias, canonical = alias.strip(), canonical.strip()
        if not alias or not canonical:
            raise ValueError("an alias and its canonical name must not be blank")
        key = match_key(alias)
        with self._write() as (conn, current):
            existing = conn.execute(sa.select(s.aliases.c.alias)).scalars().all()
            same = [a for a in existing if match_key(a) == key]
            if same:
                conn.execute(s.aliases.delete().where(s.aliases.c.alias.in_(same)))
            conn.execute(s.aliases.insert().values(
                alias=alias, canonical=canonical, created_by=by,
                created_at=_to_db_time(utc_now()), version_id=current,
            ))
            self._write_audit(conn, by, "alias", f"{alias} -> {canonical}")

    def remove_alias(self, alias: str, by: str) -> bool:
        """Remove the alias with the same ``match_key`` as ``alias``; True if one was."""
        key = match_key(alias)
        with self._write(lock_current=False) as (conn, _):
            existing = conn.execute(sa.select(s.aliases.c.alias)).scalars().all()
            same = [a for a in existing if match_key(a) == key]
            if not same:
                return False
            conn.execute(s.aliases.delete().where(s.aliases.c.alias.in_(same)))
            self._write_audit(conn, by, "alias_removed", "; ".join(same))
            return True

    # --------------------------------------------------------------------- audit

    def audit(self, action: str, *, who: str, detail: str = "") -> None:
        """Append an entry to the audit log (e.g. sign-in, export, config change)."""
        with self._write(lock_current=False) as (conn, _):
            self._write_audit(conn, who, action, detail)

    def audit_log(self, limit: int = 200) -> list[AuditEntry]:
        """Return the latest ``limit`` audit entries, newest first."""
        with self._read() as conn:
            rows = conn.execute(
                sa.select(s.audit).order_by(s.audit.c.id.desc()).limit(limit)
            ).mappings().all()
        return [
            AuditEntry(r["id"], _from_db_time(r["at"]), r["who"], r["action"], r["detail"])
            for r in rows
        ]

    # ------------------------------------------------------- sign-in throttling

    def signin_state(self, key: str) -> tuple[int, dt.datetime | None]:
        """Return (failures in a row, locked until) for a sign-in key."""
        with self._read() as conn:
            row = conn.execute(
                sa.select(s.signin_failures.c.failures, s.signin_failures.c.locked_until)
                .where(s.signin_failures.c.key == key)
            ).first()
        if row is None:
            return 0, None
        return int(row[0]), _from_db_time(row[1])

    def record_signin_failure(self, key: str, *, max_failures: int, lock_s: float,
                              now: dt.datetime | None = None) -> dt.datetime | None:
        """Count a wrong password for ``key``; lock sign-in after ``max_failures``.

        A failure after an expired lock starts a new count.

        Returns:
            The time until which sign-in is locked, or None when not locked.
        """
        now = now or utc_now()
        db_now = _to_db_time(now)
        t = s.signin_failures
        with self._write() as (conn, _):
            row = conn.execute(
                sa.select(t.c.failures, t.c.locked_until).where(t.c.key == key)
            ).first()
            failures = 0
            if row is not None and (row[1] is None or row[1] > db_now):
                failures = int(row[0])
            failures += 1
            locked = now + dt.timedelta(seconds=lock_s) if failures >= max_failures else None
            values = {"failures": failures,
                      "locked_until": None if locked is None else _to_db_time(locked)}
            if row is None:
                conn.execute(t.insert().values(key=key, first_at=db_now, **values))
            else:
                conn.execute(t.update().where(t.c.key == key).values(**values))
            if locked is not None:
                self._write_audit(conn, key, "signin_locked",
                                  f"{failures} wrong passwords; locked until "
                                  f"{locked.isoformat(timespec='seconds')}", at=now)
        return locked

    def clear_signin_failures(self, key: str) -> None:
        """Forget the failures of ``key`` (after a successful sign-in)."""
        with self._write(lock_current=False) as (conn, _):
            conn.execute(s.signin_failures.delete().where(s.signin_failures.c.key == key))

    # ------------------------------------------------------------ backup/restore

    def backup(self, path: str | Path) -> Path:
        """Write a portable backup (zip) of every version, alias and audit entry.

        See :mod:`maaor.store.backup` for the format.
        """
        from maaor.store.backup import write_backup

        with self._translated(), self.engine.connect() as conn:
            if self.backend == "postgresql":
                conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                return write_backup(conn, Path(path), schema_version=recorded_version(conn))

    @classmethod
    def restore(cls, path: str | Path, url: str | None = None, **open_kwargs) -> Store:
        """Restore a backup written by :meth:`backup` into an empty store at ``url``.

        Returns:
            The opened store.

        Raises:
            StoreError: the target store is not empty, or the backup is damaged.
        """
        from maaor.store.backup import read_backup

        store = cls.open(url, **open_kwargs)
        try:
            with read_backup(Path(path)) as backup:
                with store._write() as (conn, current):
                    used = conn.execute(sa.select(sa.func.count()).select_from(s.versions)
                                        ).scalar_one()
                    if used or current is not None:
                        raise StoreError(
                            f"restore needs an empty data store; this one already has "
                            f"{used} version(s)"
                        )
                    backup.insert_into(conn)
                    store._write_audit(conn, "maaor", "restore",
                                       f"restored {backup.version_count} version(s) "
                                       f"from {Path(path).name}")
                    if backup.current is not None:
                        store._move_current(conn, backup.current)
        except BaseException:
            store.close()
            raise
        return store

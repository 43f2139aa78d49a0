"""Published versions: publish, the current pointer, history, rollback.

Every version is immutable once written: its files (the uploaded bytes), its tables
(Parquet) and its metadata. Bytes are stored once by digest (:mod:`maaor.store.blobs`):
a version refers to the files and tables it shares with others, so an unchanged file
or table adds no bytes. Publishing writes a whole new version and moves the
current pointer in ONE transaction, under the write lock (``BEGIN IMMEDIATE`` on
SQLite, ``SELECT ... FOR UPDATE`` of the pointer row on PostgreSQL): two publishes at
once become two ordered versions (or the later one is refused as busy), and a failure
half-way leaves the previous version current and complete. Readers read the pointer,
then that immutable version, so they see the old or the new version, never half.

A withdrawn version (:mod:`maaor.store.withdrawals`) keeps its rows (coordinators still
see it in the history, marked) but is never served again: :meth:`VersionStore.load`
refuses it unless asked with ``withdrawn_ok=True``, and a rollback to it is refused.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import sqlalchemy as sa

from maaor.dataset import TABLES, Dataset, DatasetMeta
from maaor.store import tables as s
from maaor.store.aggregates import require_version
from maaor.store.audit import write_audit
from maaor.store.base import StoreBase
from maaor.store.blobs import put_blob
from maaor.store.codec import TABLE_FORMAT, decode_table, encode_table
from maaor.store.errors import StoreConflict, VersionNotFound, VersionWithdrawn
from maaor.store.times import from_db_time, to_db_time, utc_now

VERSION_KINDS = ("upload", "rollback", "edit", "bootstrap")

if TYPE_CHECKING:  # files are stored as given; the store never reads them
    from maaor.sources import Source


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
        withdrawn_at: when it was withdrawn (aware UTC), None while it is served.
        withdrawn_by: who withdrew it.
        withdrawn_reason: why (coordinators only; never shown to the public).
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
    withdrawn_at: dt.datetime | None = None
    withdrawn_by: str | None = None
    withdrawn_reason: str | None = None

    @property
    def withdrawn(self) -> bool:
        """The version has been withdrawn (no longer served to the public)."""
        return self.withdrawn_at is not None


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


def move_current(conn: sa.Connection, version_id: int | None) -> None:
    """Point the current pointer at ``version_id`` (inside the caller's write lock)."""
    conn.execute(s.current.update().where(s.current.c.id == 1).values(version_id=version_id))


def _current(conn: sa.Connection) -> int | None:
    return conn.execute(sa.select(s.current.c.version_id).where(s.current.c.id == 1)).scalar()


def withdrawn_error(row) -> VersionWithdrawn:
    return VersionWithdrawn(row["id"], from_db_time(row["withdrawn_at"]))


class VersionStore(StoreBase):
    """Writing and reading versions and the current pointer."""

    def current_version(self) -> int | None:
        """Return the id of the version the app shows, or None before any publish."""
        with self._read() as conn:
            return _current(conn)

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
        write_audit(conn, by, kind, detail)
        move_current(conn, version_id)
        return version_id

    def _insert_version(self, conn, *, by, note, kind, parent, illustrative,
                        illustrative_tables, sources) -> int:
        version_id = conn.execute(
            sa.select(sa.func.coalesce(sa.func.max(s.versions.c.id), 0) + 1)
        ).scalar_one()
        conn.execute(s.versions.insert().values(
            id=version_id,
            created_at=to_db_time(utc_now()),
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
        for i, f in enumerate(files):
            sha = put_blob(conn, f.data, f.sha256)
            conn.execute(s.version_files.insert().values(
                version_id=version_id, position=i, name=f.name, size=len(f.data),
                sha256=sha, kind=f.kind,
            ))

    def _write_tables(self, conn, version_id: int,
                      tables: dict[str, tuple[bytes, int]]) -> None:
        for name, (data, rows) in tables.items():
            conn.execute(s.version_tables.insert().values(
                version_id=version_id, table_name=name, format=TABLE_FORMAT,
                rows=rows, sha256=put_blob(conn, data),
            ))

    def load(self, version: int | None = None, *, withdrawn_ok: bool = False,
             only: Sequence[str] | None = None) -> Dataset:
        """Return the dataset of ``version`` (default: the current one).

        Args:
            version: the version id; None for the current version.
            withdrawn_ok: return a withdrawn version too (coordinators' history and
                downloads); by default a withdrawn version is refused.
            only: the tables to read and decode (None: all); the others come back
                empty. For what needs a part of a version (its list of emergencies)
                without decoding the rest.

        Raises:
            VersionWithdrawn: the version was withdrawn (and ``withdrawn_ok`` is False).
            VersionNotFound: no such version, or nothing published yet.
        """
        with self._read() as conn:
            if version is None:
                version = _current(conn)
                if version is None:
                    raise VersionNotFound("no data has been published yet")
            row = conn.execute(
                sa.select(s.versions).where(s.versions.c.id == version)
            ).mappings().first()
            if row is None:
                raise VersionNotFound(f"version {version} does not exist")
            if row["withdrawn_at"] is not None and not withdrawn_ok:
                raise withdrawn_error(row)
            query = (
                sa.select(s.version_tables.c.table_name, s.version_tables.c.format,
                          s.blobs.c.data)
                .join(s.blobs, s.blobs.c.sha256 == s.version_tables.c.sha256)
                .where(s.version_tables.c.version_id == version)
            )
            if only is not None:
                query = query.where(s.version_tables.c.table_name.in_(list(only)))
            stored = conn.execute(query).all()
        tables = {
            name: decode_table(name, bytes(data), fmt)
            for name, fmt, data in stored if name in TABLES
        }
        meta = DatasetMeta(
            version=row["id"],
            created_at=from_db_time(row["created_at"]),
            created_by=row["created_by"],
            note=row["note"],
            illustrative=bool(row["illustrative"]),
            illustrative_tables=tuple(json.loads(row["illustrative_tables"])),
            sources=tuple(json.loads(row["sources"])),
        )
        return Dataset(tables, meta)

    def history(self) -> list[VersionInfo]:
        """Return every version, newest first (withdrawn ones marked as such)."""
        with self._read() as conn:
            current = _current(conn)
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
                created_at=from_db_time(r["created_at"]),
                created_by=r["created_by"],
                note=r["note"],
                kind=r["kind"],
                parent=r["parent_version"],
                files=tuple(files.get(r["id"], ())),
                illustrative=bool(r["illustrative"]),
                illustrative_tables=tuple(json.loads(r["illustrative_tables"])),
                is_current=r["id"] == current,
                withdrawn_at=from_db_time(r["withdrawn_at"]),
                withdrawn_by=r["withdrawn_by"],
                withdrawn_reason=r["withdrawn_reason"],
            )
            for r in rows
        ]

    def files(self, version: int) -> list[tuple[str, bytes]]:
        """Return the input files of ``version`` as (name, bytes), in upload order.

        Raises:
            VersionNotFound: no such version.
        """
        with self._read() as conn:
            require_version(conn, version)
            rows = conn.execute(
                sa.select(s.version_files.c.name, s.blobs.c.data)
                .join(s.blobs, s.blobs.c.sha256 == s.version_files.c.sha256)
                .where(s.version_files.c.version_id == version)
                .order_by(s.version_files.c.position)
            ).all()
        return [(name, bytes(data)) for name, data in rows]

    def rollback(self, to_version: int, *, by: str, note: str | None = None,
                 if_current: int | None | _Any = ANY) -> int:
        """Publish a NEW version equal to ``to_version`` (history never shrinks).

        Refers to the older version's files, tables and aggregates (their bytes are
        shared, not copied); the new version's ``parent`` is ``to_version``.

        Returns:
            The new version id.

        Raises:
            VersionNotFound: no such version.
            VersionWithdrawn: ``to_version`` was withdrawn (its data may not come back).
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
            if src["withdrawn_at"] is not None:
                raise withdrawn_error(src)
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
            write_audit(conn, by, "rollback",
                        f"version {version_id} = version {to_version}: {note}")
            move_current(conn, version_id)
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

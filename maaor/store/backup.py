"""Portable backups of the store: one zip that any store (SQLite or PostgreSQL) restores.

Layout of the zip::

    manifest.json                           format, schema version, current version,
                                            every version's metadata, aliases, mapping
                                            profiles, audit
    versions/<id>/files/<position>          input file bytes as uploaded
    versions/<id>/tables/<table>.parquet    the version's canonical tables
    versions/<id>/aggregates/<n>            precomputed aggregates

A blob shared by several versions is written once: later entries name the member
already written (restore reads whichever member an entry names, so older readers and
backups work unchanged). Only members named in the manifest are read on restore; file sizes and SHA-256 digests
are checked against it, so a damaged backup is refused rather than half-restored, and a
backup written by a newer schema than this app knows is refused with a plain message.

The zip is written to a temporary file in the target's folder (same disk, so the final
rename is atomic) and that file is removed on any failure: a full disk leaves nothing
behind and is reported in one plain sentence.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from maaor.store import tables as s
from maaor.store.audit import write_audit
from maaor.store.base import StoreBase
from maaor.store.blobs import put_blob
from maaor.store.errors import StoreError
from maaor.store.migrations import latest_version, recorded_version

FORMAT = "maaor-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"


def _iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.isoformat()


def _from_iso(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    parsed = dt.datetime.fromisoformat(value)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    return parsed


def _write_failure(path: Path, exc: OSError) -> StoreError:
    """The plain sentence for a backup that could not be written."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return StoreError(f"the disk is full: the backup {path.name} was not written "
                          f"(no partial file left in {path.parent})")
    reason = exc.strerror or type(exc).__name__
    return StoreError(f"the backup {path.name} could not be written ({reason}); "
                      "no partial file was left")


def write_backup(conn: sa.Connection, path: Path, *, schema_version: int) -> Path:
    """Write every version, alias, mapping profile and audit entry read through ``conn``
    to ``path``.

    ``conn`` should be inside one transaction so the backup is a consistent snapshot.
    The zip is written to a temporary file beside ``path`` and renamed into place when
    complete; on any failure the temporary file is removed.

    Raises:
        StoreError: the file could not be written (disk full, no permission, ...).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                        suffix=".partial")
    except OSError as exc:
        raise _write_failure(path, exc) from None
    partial = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as raw:
            _write_zip(conn, raw, schema_version)
            raw.flush()
            os.fsync(raw.fileno())
        partial.replace(path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            partial.unlink()
        if isinstance(exc, OSError):
            raise _write_failure(path, exc) from None
        raise
    return path


def _write_zip(conn: sa.Connection, raw, schema_version: int) -> None:
    current = conn.execute(
        sa.select(s.current.c.version_id).where(s.current.c.id == 1)
    ).scalar()
    versions = conn.execute(sa.select(s.versions).order_by(s.versions.c.id)).mappings().all()
    manifest: dict = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "schema_version": schema_version,
        "written_at": _iso(dt.datetime.now(dt.UTC)),
        "current": current,
        "versions": [],
    }
    written: dict[str, str] = {}  # digest -> member already holding those bytes

    def member_of(sha256: str, wanted: str) -> str:
        if sha256 not in written:
            data = conn.execute(sa.select(s.blobs.c.data).where(s.blobs.c.sha256 == sha256)
                                ).scalar_one()
            zf.writestr(wanted, bytes(data))
            written[sha256] = wanted
        return written[sha256]

    with zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for v in versions:
            vid = v["id"]
            entry = {
                "id": vid,
                "created_at": _iso(v["created_at"]),
                "created_by": v["created_by"],
                "note": v["note"],
                "kind": v["kind"],
                "parent_version": v["parent_version"],
                "illustrative": bool(v["illustrative"]),
                "illustrative_tables": json.loads(v["illustrative_tables"]),
                "sources": json.loads(v["sources"]),
                "withdrawn_at": _iso(v["withdrawn_at"]),
                "withdrawn_by": v["withdrawn_by"],
                "withdrawn_reason": v["withdrawn_reason"],
                "files": [],
                "tables": [],
                "aggregates": [],
            }
            for f in conn.execute(
                sa.select(s.version_files).where(s.version_files.c.version_id == vid)
                .order_by(s.version_files.c.position)
            ).mappings():
                member = member_of(f["sha256"], f"versions/{vid}/files/{f['position']}")
                entry["files"].append({
                    "position": f["position"], "name": f["name"], "size": f["size"],
                    "sha256": f["sha256"], "kind": f["kind"], "member": member,
                })
            for t in conn.execute(
                sa.select(s.version_tables).where(s.version_tables.c.version_id == vid)
                .order_by(s.version_tables.c.table_name)
            ).mappings():
                member = member_of(
                    t["sha256"], f"versions/{vid}/tables/{t['table_name']}.{t['format']}")
                entry["tables"].append({
                    "table_name": t["table_name"], "format": t["format"],
                    "rows": t["rows"], "sha256": t["sha256"], "member": member,
                })
            for n, a in enumerate(conn.execute(
                sa.select(s.aggregates).where(s.aggregates.c.version_id == vid)
                .order_by(s.aggregates.c.name)
            ).mappings()):
                member = member_of(a["sha256"], f"versions/{vid}/aggregates/{n}")
                entry["aggregates"].append({
                    "name": a["name"], "sha256": a["sha256"], "member": member,
                })
            manifest["versions"].append(entry)
        manifest["aliases"] = [
            {**dict(r), "created_at": _iso(r["created_at"])}
            for r in conn.execute(sa.select(s.aliases).order_by(s.aliases.c.alias)).mappings()
        ]
        manifest["profiles"] = [
            {**dict(r), "saved_at": _iso(r["saved_at"])}
            for r in conn.execute(sa.select(s.mapping_profiles).order_by(
                s.mapping_profiles.c.signature, s.mapping_profiles.c.kind)).mappings()
        ]
        manifest["audit"] = [
            {"at": _iso(r["at"]), "who": r["who"], "action": r["action"],
             "detail": r["detail"]}
            for r in conn.execute(sa.select(s.audit).order_by(s.audit.c.id)).mappings()
        ]
        zf.writestr(MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False))


@dataclass
class Backup:
    """An opened backup zip, checked against its manifest before anything is written."""

    zf: zipfile.ZipFile
    manifest: dict
    _checked: set[str] = field(default_factory=set)  # members read and checked

    @property
    def current(self) -> int | None:
        """The version that was current when the backup was written."""
        return self.manifest.get("current")

    @property
    def version_count(self) -> int:
        """How many versions the backup holds."""
        return len(self.manifest["versions"])

    def _member(self, name: str, sha256: str, size: int | None = None) -> bytes:
        try:
            data = self.zf.read(name)
        except KeyError:
            raise StoreError(f"the backup is damaged: {name} is missing") from None
        if (size is not None and len(data) != size) or (
            hashlib.sha256(data).hexdigest() != sha256
        ):
            raise StoreError(f"the backup is damaged: {name} does not match its checksum")
        return data

    def _blob(self, conn: sa.Connection, name: str, sha256: str,
              size: int | None = None) -> str:
        """Store member ``name`` (checked against its digest) once; return the digest.

        Every member an entry names is checked once, even when its bytes are already
        stored from another member (an older backup writes one member per version).
        """
        if name not in self._checked:
            data = self._member(name, sha256, size)
            self._checked.add(name)
            put_blob(conn, data, sha256)
        elif size is not None and self.zf.getinfo(name).file_size != size:
            raise StoreError(f"the backup is damaged: {name} does not match its checksum")
        return sha256

    def insert_into(self, conn: sa.Connection) -> None:
        """Insert every version, alias, mapping profile and audit entry (ids kept) through
        ``conn``."""
        for v in self.manifest["versions"]:
            conn.execute(s.versions.insert().values(
                id=v["id"], created_at=_from_iso(v["created_at"]),
                created_by=v["created_by"], note=v["note"], kind=v["kind"],
                parent_version=v["parent_version"], illustrative=v["illustrative"],
                illustrative_tables=json.dumps(v["illustrative_tables"]),
                sources=json.dumps(v["sources"]),
                # Backups of schema 1-2 have no withdrawals.
                withdrawn_at=_from_iso(v.get("withdrawn_at")),
                withdrawn_by=v.get("withdrawn_by"),
                withdrawn_reason=v.get("withdrawn_reason"),
            ))
            for f in v["files"]:
                conn.execute(s.version_files.insert().values(
                    version_id=v["id"], position=f["position"], name=f["name"],
                    size=f["size"], kind=f["kind"],
                    sha256=self._blob(conn, f["member"], f["sha256"], f["size"]),
                ))
            for t in v["tables"]:
                conn.execute(s.version_tables.insert().values(
                    version_id=v["id"], table_name=t["table_name"], format=t["format"],
                    rows=t["rows"], sha256=self._blob(conn, t["member"], t["sha256"]),
                ))
            for a in v["aggregates"]:
                conn.execute(s.aggregates.insert().values(
                    version_id=v["id"], name=a["name"],
                    sha256=self._blob(conn, a["member"], a["sha256"]),
                ))
        for a in self.manifest["aliases"]:
            conn.execute(s.aliases.insert().values(
                alias=a["alias"], canonical=a["canonical"], created_by=a["created_by"],
                created_at=_from_iso(a["created_at"]), version_id=a["version_id"],
            ))
        # Backups of schema 1-5 have no mapping profiles.
        for p in self.manifest.get("profiles", []):
            conn.execute(s.mapping_profiles.insert().values(
                signature=p["signature"], kind=p["kind"], name=p["name"], body=p["body"],
                saved_by=p["saved_by"], saved_at=_from_iso(p["saved_at"]),
            ))
        # Audit ids are left to the database so its id sequence stays right.
        for e in self.manifest["audit"]:
            conn.execute(s.audit.insert().values(
                at=_from_iso(e["at"]), who=e["who"], action=e["action"], detail=e["detail"],
            ))


@contextmanager
def read_backup(path: Path) -> Iterator[Backup]:
    """Open the backup at ``path`` and check its manifest.

    Raises:
        StoreError: not a maaor backup, or a format this app does not know.
    """
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise StoreError(f"{path.name} is not a readable maaor backup ({exc})") from None
    with zf:
        try:
            manifest = json.loads(zf.read(MANIFEST))
        except (KeyError, ValueError):
            raise StoreError(f"{path.name} is not a maaor backup (no manifest)") from None
        if manifest.get("format") != FORMAT:
            raise StoreError(f"{path.name} is not a maaor backup")
        if manifest.get("format_version") != FORMAT_VERSION:
            raise StoreError(
                f"{path.name} has backup format {manifest.get('format_version')}; "
                f"this app reads format {FORMAT_VERSION}"
            )
        check_schema_version(manifest, path.name)
        yield Backup(zf, manifest)


def check_schema_version(manifest: dict, name: str) -> int:
    """Return the schema version a backup was written with, if this app can restore it.

    Raises:
        StoreError: the manifest has no usable schema version, or a newer one than this
            app knows (restoring it would drop what the newer schema added).
    """
    value = manifest.get("schema_version")
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise StoreError(f"{name} does not say which schema version wrote it "
                         f"(schema_version is {value!r}); it cannot be restored safely")
    known = latest_version()
    if value > known:
        raise StoreError(
            f"{name} was written by a newer maaor (schema version {value}; this app "
            f"knows up to {known}); update maaor, then restore"
        )
    return value


class BackupStore(StoreBase):
    """Writing a backup of the store, and restoring one into an empty store."""

    def backup(self, path: str | Path) -> Path:
        """Write a portable backup (zip) of every version, alias and audit entry.

        Raises:
            StoreError: the store cannot be read, or the file cannot be written (a
                full disk is said so; no partial file is left).
        """
        with self._translated(), self.engine.connect() as conn:
            if self.backend == "postgresql":
                conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                return write_backup(conn, Path(path), schema_version=recorded_version(conn))

    @classmethod
    def restore(cls, path: str | Path, url: str | None = None, **open_kwargs):
        """Restore a backup written by :meth:`backup` into an empty store at ``url``.

        The backup is checked (format, schema version) before the store is opened.

        Returns:
            The opened store.

        Raises:
            StoreError: the target store is not empty, or the backup is damaged, or
                written by a newer schema than this app knows.
        """
        path = Path(path)
        with read_backup(path):  # refuse a foreign or newer backup before touching a store
            pass
        store = cls.open(url, **open_kwargs)
        try:
            with read_backup(path) as backup:
                with store._write() as (conn, current):
                    used = conn.execute(sa.select(sa.func.count()).select_from(s.versions)
                                        ).scalar_one()
                    if used or current is not None:
                        raise StoreError(
                            f"restore needs an empty data store; this one already has "
                            f"{used} version(s)"
                        )
                    backup.insert_into(conn)
                    write_audit(conn, "maaor", "restore",
                                f"restored {backup.version_count} version(s) "
                                f"from {path.name}")
                    if backup.current is not None:
                        conn.execute(s.current.update().where(s.current.c.id == 1)
                                     .values(version_id=backup.current))
        except BaseException:
            store.close()
            raise
        return store

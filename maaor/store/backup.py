"""Portable backups of the store: one zip that any store (SQLite or PostgreSQL) restores.

Layout of the zip::

    manifest.json                           format, schema version, current version,
                                            every version's metadata, aliases, audit
    versions/<id>/files/<position>          input file bytes as uploaded
    versions/<id>/tables/<table>.parquet    the version's canonical tables
    versions/<id>/aggregates/<n>            precomputed aggregates

Only members named in the manifest are read on restore; file sizes and SHA-256 digests
are checked against it, so a damaged backup is refused rather than half-restored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from maaor.store import schema as s
from maaor.store.errors import StoreError

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


def write_backup(conn: sa.Connection, path: Path, *, schema_version: int) -> Path:
    """Write every version, alias and audit entry read through ``conn`` to ``path``.

    ``conn`` should be inside one transaction so the backup is a consistent snapshot.
    The zip is written next to ``path`` and renamed into place when complete.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
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
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as zf:
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
                "files": [],
                "tables": [],
                "aggregates": [],
            }
            for f in conn.execute(
                sa.select(s.version_files).where(s.version_files.c.version_id == vid)
                .order_by(s.version_files.c.position)
            ).mappings():
                member = f"versions/{vid}/files/{f['position']}"
                zf.writestr(member, bytes(f["data"]))
                entry["files"].append({
                    "position": f["position"], "name": f["name"], "size": f["size"],
                    "sha256": f["sha256"], "kind": f["kind"], "member": member,
                })
            for t in conn.execute(
                sa.select(s.version_tables).where(s.version_tables.c.version_id == vid)
                .order_by(s.version_tables.c.table_name)
            ).mappings():
                member = f"versions/{vid}/tables/{t['table_name']}.{t['format']}"
                data = bytes(t["data"])
                zf.writestr(member, data)
                entry["tables"].append({
                    "table_name": t["table_name"], "format": t["format"],
                    "rows": t["rows"], "sha256": hashlib.sha256(data).hexdigest(),
                    "member": member,
                })
            for n, a in enumerate(conn.execute(
                sa.select(s.aggregates).where(s.aggregates.c.version_id == vid)
                .order_by(s.aggregates.c.name)
            ).mappings()):
                member = f"versions/{vid}/aggregates/{n}"
                data = bytes(a["data"])
                zf.writestr(member, data)
                entry["aggregates"].append({
                    "name": a["name"], "sha256": hashlib.sha256(data).hexdigest(),
                    "member": member,
                })
            manifest["versions"].append(entry)
        manifest["aliases"] = [
            {**dict(r), "created_at": _iso(r["created_at"])}
            for r in conn.execute(sa.select(s.aliases).order_by(s.aliases.c.alias)).mappings()
        ]
        manifest["audit"] = [
            {"at": _iso(r["at"]), "who": r["who"], "action": r["action"],
             "detail": r["detail"]}
            for r in conn.execute(sa.select(s.audit).order_by(s.audit.c.id)).mappings()
        ]
        zf.writestr(MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False))
    partial.replace(path)
    return path


@dataclass
class Backup:
    """An opened backup zip, checked against its manifest before anything is written."""

    zf: zipfile.ZipFile
    manifest: dict

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

    def insert_into(self, conn: sa.Connection) -> None:
        """Insert every version, alias and audit entry (ids kept) through ``conn``."""
        for v in self.manifest["versions"]:
            conn.execute(s.versions.insert().values(
                id=v["id"], created_at=_from_iso(v["created_at"]),
                created_by=v["created_by"], note=v["note"], kind=v["kind"],
                parent_version=v["parent_version"], illustrative=v["illustrative"],
                illustrative_tables=json.dumps(v["illustrative_tables"]),
                sources=json.dumps(v["sources"]),
            ))
            for f in v["files"]:
                conn.execute(s.version_files.insert().values(
                    version_id=v["id"], position=f["position"], name=f["name"],
                    size=f["size"], sha256=f["sha256"], kind=f["kind"],
                    data=self._member(f["member"], f["sha256"], f["size"]),
                ))
            for t in v["tables"]:
                conn.execute(s.version_tables.insert().values(
                    version_id=v["id"], table_name=t["table_name"], format=t["format"],
                    rows=t["rows"], data=self._member(t["member"], t["sha256"]),
                ))
            for a in v["aggregates"]:
                conn.execute(s.aggregates.insert().values(
                    version_id=v["id"], name=a["name"],
                    data=self._member(a["member"], a["sha256"]),
                ))
        for a in self.manifest["aliases"]:
            conn.execute(s.aliases.insert().values(
                alias=a["alias"], canonical=a["canonical"], created_by=a["created_by"],
                created_at=_from_iso(a["created_at"]), version_id=a["version_id"],
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
        yield Backup(zf, manifest)

"""Writing a version as a store of schema 1-4 held it (bytes inline in each row), so
upgrades are tested on stores made before content-addressed blobs (schema 5)."""

from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa

from maaor.dataset import TABLES, Dataset
from maaor.sources import Source
from maaor.store import Store
from maaor.store.codec import TABLE_FORMAT, encode_table


def publish_old_layout(store: Store, dataset: Dataset, files: list[Source], *,
                       by: str, note: str,
                       aggregates: dict[str, bytes] | None = None) -> int:
    """Insert a version with inline ``data`` columns (schema <= 4) and make it current."""
    with store.engine.begin() as conn:
        vid = conn.execute(sa.text("SELECT COALESCE(MAX(id), 0) + 1 FROM versions")
                           ).scalar_one()
        conn.execute(sa.text(
            "INSERT INTO versions (id, created_at, created_by, note, kind, parent_version,"
            " illustrative, illustrative_tables, sources) VALUES (:id, CURRENT_TIMESTAMP,"
            " :by, :note, 'upload', NULL, :ill, :ill_tables, :sources)"),
            {"id": vid, "by": by, "note": note, "ill": bool(dataset.meta.illustrative),
             "ill_tables": json.dumps(list(dataset.meta.illustrative_tables)),
             "sources": json.dumps([f.name for f in files])})
        for i, f in enumerate(files):
            conn.execute(sa.text(
                "INSERT INTO version_files (version_id, position, name, size, sha256, kind,"
                " data) VALUES (:v, :p, :n, :s, :h, :k, :d)"),
                {"v": vid, "p": i, "n": f.name, "s": len(f.data),
                 "h": hashlib.sha256(f.data).hexdigest(), "k": f.kind, "d": f.data})
        for name in TABLES:
            data, rows = encode_table(name, dataset.tables[name])
            conn.execute(sa.text(
                "INSERT INTO version_tables (version_id, table_name, format, rows, data)"
                " VALUES (:v, :t, :f, :r, :d)"),
                {"v": vid, "t": name, "f": TABLE_FORMAT, "r": rows, "d": data})
        for name, data in (aggregates or {}).items():
            conn.execute(sa.text(
                "INSERT INTO aggregates (version_id, name, data) VALUES (:v, :n, :d)"),
                {"v": vid, "n": name, "d": data})
        conn.execute(sa.text("UPDATE current SET version_id = :v WHERE id = 1"), {"v": vid})
    return vid

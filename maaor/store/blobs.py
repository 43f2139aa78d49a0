"""Content-addressed bytes: every stored file, table and aggregate is kept once, keyed
by its SHA-256, however many versions refer to it.

Versions refer to digests (``version_files.sha256``, ``version_tables.sha256``,
``aggregates.sha256``), so publishing an unchanged file or table, a rollback or an edit
that leaves a table alone adds no bytes. Blobs are never deleted: versions are never
deleted either (a withdrawn version keeps its rows).
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from maaor.store import tables as s


def digest(data: bytes) -> str:
    """Return the SHA-256 hex digest under which ``data`` is stored."""
    return hashlib.sha256(data).hexdigest()


def put_blob(conn: sa.Connection, data: bytes, sha256: str | None = None) -> str:
    """Store ``data`` unless a blob with its digest exists; return the digest.

    ``INSERT ... ON CONFLICT DO NOTHING`` (SQLite and PostgreSQL): two writers storing
    the same bytes at once (aggregates are written without the pointer lock) both
    succeed and the bytes are kept once.
    """
    sha256 = sha256 or digest(data)
    if has_blob(conn, sha256):  # do not send the bytes again
        return sha256
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    conn.execute(insert(s.blobs).values(sha256=sha256, size=len(data), data=bytes(data))
                 .on_conflict_do_nothing(index_elements=["sha256"]))
    return sha256


def has_blob(conn: sa.Connection, sha256: str) -> bool:
    """Return True when a blob with this digest is stored."""
    return conn.execute(
        sa.select(s.blobs.c.sha256).where(s.blobs.c.sha256 == sha256)
    ).first() is not None


def blob_bytes(conn: sa.Connection) -> int:
    """Return the bytes held by all blobs (what the store's content takes)."""
    return int(conn.execute(sa.select(sa.func.coalesce(sa.func.sum(s.blobs.c.size), 0))
                            ).scalar_one())

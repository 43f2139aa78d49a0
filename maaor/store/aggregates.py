"""Precomputed aggregates of a version (figures the public pages read instead of
recomputing them); see ``maaor.aggregates`` for what they hold."""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa

from maaor.store import tables as s
from maaor.store.base import StoreBase
from maaor.store.blobs import put_blob
from maaor.store.errors import VersionNotFound


def require_version(conn: sa.Connection, version: int) -> None:
    """Raise :class:`VersionNotFound` unless ``version`` exists."""
    found = conn.execute(
        sa.select(s.versions.c.id).where(s.versions.c.id == version)
    ).scalar()
    if found is None:
        raise VersionNotFound(f"version {version} does not exist")


class AggregateStore(StoreBase):
    """Storing and reading the aggregates of a version."""

    def put_aggregate(self, version: int, name: str, data: bytes) -> None:
        """Store (or replace) a precomputed aggregate of ``version``."""
        self.put_aggregates(version, {name: data})

    def put_aggregates(self, version: int, aggregates: Mapping[str, bytes]) -> None:
        """Store (or replace) precomputed aggregates of ``version``, by name, in one
        transaction (one commit for a publish's aggregates, not one each)."""
        with self._write(lock_current=False) as (conn, _):
            require_version(conn, version)
            for name, data in aggregates.items():
                conn.execute(s.aggregates.delete().where(
                    (s.aggregates.c.version_id == version) & (s.aggregates.c.name == name)
                ))
                conn.execute(s.aggregates.insert().values(
                    version_id=version, name=name, sha256=put_blob(conn, bytes(data))
                ))

    def aggregate(self, version: int, name: str) -> bytes | None:
        """Return the stored aggregate ``name`` of ``version``, or None."""
        with self._read() as conn:
            data = conn.execute(
                sa.select(s.blobs.c.data)
                .join(s.blobs, s.blobs.c.sha256 == s.aggregates.c.sha256)
                .where(
                    (s.aggregates.c.version_id == version) & (s.aggregates.c.name == name)
                )
            ).scalar()
        return None if data is None else bytes(data)

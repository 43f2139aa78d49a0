"""The audit log: who did what and when (publish, rollback, withdraw, sign-in, ...)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from maaor.store import tables as s
from maaor.store.base import PENDING_LOG, StoreBase
from maaor.store.times import from_db_time, to_db_time, utc_now


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log."""

    id: int
    at: dt.datetime
    who: str
    action: str
    detail: str


def write_audit(conn: sa.Connection, who: str, action: str, detail: str,
                at: dt.datetime | None = None) -> None:
    """Append an audit entry inside the caller's transaction (so it commits with the
    change it records, or not at all)."""
    conn.execute(s.audit.insert().values(
        at=to_db_time(at or utc_now()), who=who, action=action, detail=detail
    ))
    conn.info.setdefault(PENDING_LOG, []).append({"action": action, "who": who, "detail": detail})


class AuditStore(StoreBase):
    """Reading and appending the audit log."""

    def audit(self, action: str, *, who: str, detail: str = "") -> None:
        """Append an entry to the audit log (e.g. sign-in, export, config change)."""
        with self._write(lock_current=False) as (conn, _):
            write_audit(conn, who, action, detail)

    def audit_log(self, limit: int = 200) -> list[AuditEntry]:
        """Return the latest ``limit`` audit entries, newest first."""
        with self._read() as conn:
            rows = conn.execute(
                sa.select(s.audit).order_by(s.audit.c.id.desc()).limit(limit)
            ).mappings().all()
        return [
            AuditEntry(r["id"], from_db_time(r["at"]), r["who"], r["action"], r["detail"])
            for r in rows
        ]

"""Withdrawn versions: never served again, still in the history, audited.

Withdrawing marks the version (when, by whom, why) and, when it was current, moves the
pointer to the newest version that is not withdrawn, all in one write transaction with
the audit entry. The rows stay: coordinators still see and download the version, and a
backup keeps the mark. Readers are refused by :meth:`maaor.store.versions.VersionStore.load`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from maaor.store import tables as s
from maaor.store.audit import write_audit
from maaor.store.base import StoreBase
from maaor.store.errors import StoreError, VersionNotFound
from maaor.store.times import from_db_time, to_db_time, utc_now
from maaor.store.versions import move_current


@dataclass(frozen=True)
class Withdrawal:
    """What :meth:`WithdrawalStore.withdraw` did.

    Attributes:
        version: the version withdrawn.
        at: when (aware UTC).
        current: the current version afterwards.
        was_current: the withdrawn version was the current one (the pointer moved).
    """

    version: int
    at: dt.datetime
    current: int | None
    was_current: bool


class WithdrawalStore(StoreBase):
    """Withdrawing a version and asking whether one is withdrawn."""

    def withdrawn_at(self, version: int) -> dt.datetime | None:
        """Return when ``version`` was withdrawn, or None when it is served (or unknown)."""
        with self._read() as conn:
            value = conn.execute(
                sa.select(s.versions.c.withdrawn_at).where(s.versions.c.id == version)
            ).scalar()
        return from_db_time(value)

    def withdraw(self, version: int, *, by: str, reason: str,
                 now: dt.datetime | None = None) -> Withdrawal:
        """Withdraw ``version``: it is no longer served; the history keeps it, marked.

        When it was current, the pointer moves to the newest version that is not
        withdrawn, in the same transaction as the mark and the audit entry.

        Args:
            version: the version to withdraw.
            by: who withdraws it (audited).
            reason: why (required; audited, shown to coordinators only).
            now: the time recorded (tests pass a fixed one).

        Raises:
            ValueError: the reason is blank.
            VersionNotFound: no such version.
            StoreError: already withdrawn, or it is the only version still served
                (publish a corrected version first).
        """
        reason = (reason or "").strip()
        if not reason:
            raise ValueError("say why the version is withdrawn (the reason is required)")
        at = now or utc_now()
        with self._write() as (conn, current):
            row = conn.execute(
                sa.select(s.versions.c.id, s.versions.c.withdrawn_at)
                .where(s.versions.c.id == version)
            ).first()
            if row is None:
                raise VersionNotFound(f"version {version} does not exist")
            if row.withdrawn_at is not None:
                when = from_db_time(row.withdrawn_at)
                raise StoreError(f"version {version} was already withdrawn on "
                                 f"{when:%Y-%m-%d}")
            new_current = current
            if version == current:
                new_current = conn.execute(
                    sa.select(sa.func.max(s.versions.c.id)).where(
                        s.versions.c.withdrawn_at.is_(None) & (s.versions.c.id != version)
                    )
                ).scalar()
                if new_current is None:
                    raise StoreError(
                        f"version {version} is the only version still served; publish "
                        "a corrected version first, then withdraw this one"
                    )
            conn.execute(s.versions.update().where(s.versions.c.id == version).values(
                withdrawn_at=to_db_time(at), withdrawn_by=by, withdrawn_reason=reason,
            ))
            detail = f"version {version}: {reason}"
            if new_current != current:
                move_current(conn, new_current)
                detail += f" (current version is now {new_current})"
            write_audit(conn, by, "withdraw", detail, at=at)
        return Withdrawal(version, at, new_current, version == current)

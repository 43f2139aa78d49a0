"""Coordinator sign-in grants: server-side, bound to one browser, rotated, expiring.

A Streamlit session id is not a credential: whoever learns it (a log line, a shared
screen) can reconnect to the session. Coordinator rights therefore live in a grant
created at sign-in and kept in the store:

* the grant's token is random (256 bits) and stays on the server (in the session
  state); the store keeps only its SHA-256;
* the grant is bound to the browser that signed in (a hash of browser secrets the
  caller derives from its cookies, see ``maaor.ui.auth``); presented from another
  browser it is refused;
* it expires after ``idle_s`` seconds without use, and is revoked at sign-out or when
  the same session signs in again (rotation).

The table is created on first use, in its own metadata: grants are short-lived session
state, not data, so they are neither migrated nor backed up (a restored store simply
has no grants and every coordinator signs in again).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

_metadata = sa.MetaData()
grants_table = sa.Table(
    "coordinator_grants",
    _metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("user_name", sa.Text, nullable=False),
    sa.Column("method", sa.String(16), nullable=False),
    sa.Column("binding_hash", sa.String(64), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("last_seen_at", sa.Float, nullable=False),
    sa.Column("revoked_at", sa.Float, nullable=True),
)

# Revoked and expired grants are deleted once they are this old (seconds).
_FORGET_AFTER_S = 24 * 3600


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class GrantCheck:
    """Outcome of :meth:`Grants.check`.

    Attributes:
        user: the signed-in user name when the grant holds, else None.
        reason: why it does not hold: "unknown", "revoked", "expired" or
            "other_browser" (None when it holds).
        grant_id: the first 12 hex digits of the token's hash, safe to log.
    """

    user: str | None
    reason: str | None
    grant_id: str


class Grants:
    """Grants kept in the database of a :class:`maaor.store.Store` (its ``engine``).

    Args:
        engine: the store's SQLAlchemy engine.
        idle_s: seconds without use after which a grant expires.
        clock: returns the current time in seconds since the epoch (tests pass a fake).
    """

    def __init__(self, engine: sa.Engine, *, idle_s: float,
                 clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.idle_s = idle_s
        self.clock = clock
        _metadata.create_all(engine, checkfirst=True)

    def create(self, user: str, method: str, binding: str) -> str:
        """Create a grant for ``user`` bound to ``binding``; return its secret token."""
        token = secrets.token_urlsafe(32)
        now = self.clock()
        with self.engine.begin() as conn:
            conn.execute(grants_table.insert().values(
                token_hash=_digest(token), user_name=user, method=method,
                binding_hash=_digest(binding), created_at=now, last_seen_at=now,
                revoked_at=None))
            conn.execute(grants_table.delete().where(
                grants_table.c.last_seen_at < now - max(self.idle_s, _FORGET_AFTER_S)))
        return token

    def check(self, token: str, binding: str) -> GrantCheck:
        """Return who holds ``token`` when it is valid for ``binding``; refresh its use.

        An expired grant is revoked on the way; a grant presented with another binding
        is refused but left valid for its own browser.
        """
        token_hash = _digest(token)
        grant_id = token_hash[:12]
        now = self.clock()
        t = grants_table
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(t.c.user_name, t.c.binding_hash, t.c.last_seen_at,
                                         t.c.revoked_at).where(t.c.token_hash == token_hash)
                               ).first()
            if row is None:
                return GrantCheck(None, "unknown", grant_id)
            user, bound, last_seen, revoked = row
            if revoked is not None:
                return GrantCheck(None, "revoked", grant_id)
            if now - last_seen > self.idle_s:
                conn.execute(t.update().where(t.c.token_hash == token_hash)
                             .values(revoked_at=now))
                return GrantCheck(None, "expired", grant_id)
            if not hmac.compare_digest(bound, _digest(binding)):
                return GrantCheck(None, "other_browser", grant_id)
            conn.execute(t.update().where(t.c.token_hash == token_hash)
                         .values(last_seen_at=now))
        return GrantCheck(str(user), None, grant_id)

    def revoke(self, token: str) -> None:
        """Revoke the grant of ``token`` (sign-out, or rotation at a new sign-in)."""
        with self.engine.begin() as conn:
            conn.execute(grants_table.update()
                         .where(grants_table.c.token_hash == _digest(token),
                                grants_table.c.revoked_at.is_(None))
                         .values(revoked_at=self.clock()))

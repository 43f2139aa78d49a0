"""Organisation aliases: a spelling as written in a file -> the canonical name.

Two spellings with the same ``maaor.textkey.match_key`` are one alias: saving one
replaces the other. Each alias remembers the version that was current when saved.
"""

from __future__ import annotations

import sqlalchemy as sa

from maaor.store import tables as s
from maaor.store.audit import write_audit
from maaor.store.base import StoreBase
from maaor.store.times import to_db_time, utc_now
from maaor.textkey import match_key


class AliasStore(StoreBase):
    """Reading, adding and removing organisation aliases."""

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
                created_at=to_db_time(utc_now()), version_id=current,
            ))
            write_audit(conn, by, "alias", f"{alias} -> {canonical}")

    def remove_alias(self, alias: str, by: str) -> bool:
        """Remove the alias with the same ``match_key`` as ``alias``; True if one was."""
        key = match_key(alias)
        with self._write(lock_current=False) as (conn, _):
            existing = conn.execute(sa.select(s.aliases.c.alias)).scalars().all()
            same = [a for a in existing if match_key(a) == key]
            if not same:
                return False
            conn.execute(s.aliases.delete().where(s.aliases.c.alias.in_(same)))
            write_audit(conn, by, "alias_removed", "; ".join(same))
            return True

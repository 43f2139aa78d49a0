"""Mapping profiles: the column and value choices a coordinator confirmed for one shape
of sheet (see :mod:`maaor.profiles`), one per header signature and kind.

Saving a profile with the signature and kind of a stored one replaces it. Saves and
deletions are audited in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from maaor.profiles import MappingProfile, profile_from_json
from maaor.store import tables as s
from maaor.store.audit import write_audit
from maaor.store.base import StoreBase
from maaor.store.times import from_db_time, to_db_time, utc_now


@dataclass(frozen=True)
class StoredProfile:
    """A saved profile with who saved it and when."""

    profile: MappingProfile
    saved_by: str
    saved_at: dt.datetime


class ProfileStore(StoreBase):
    """Reading, saving and deleting mapping profiles."""

    def profiles(self) -> list[StoredProfile]:
        """Return the saved profiles, most recently saved first."""
        with self._read() as conn:
            rows = conn.execute(
                sa.select(s.mapping_profiles.c.body, s.mapping_profiles.c.saved_by,
                          s.mapping_profiles.c.saved_at)
                .order_by(s.mapping_profiles.c.saved_at.desc(), s.mapping_profiles.c.name)
            ).all()
        return [StoredProfile(profile_from_json(body), by, from_db_time(at))
                for body, by, at in rows]

    def save_profile(self, profile: MappingProfile, by: str) -> None:
        """Save ``profile``, replacing the one with the same signature and kind."""
        key = (s.mapping_profiles.c.signature == profile.signature) & (
            s.mapping_profiles.c.kind == profile.kind)
        with self._write(lock_current=False) as (conn, _):
            replaced = conn.execute(s.mapping_profiles.delete().where(key)).rowcount
            conn.execute(s.mapping_profiles.insert().values(
                signature=profile.signature, kind=profile.kind, name=profile.name,
                body=profile.to_json(), saved_by=by, saved_at=to_db_time(utc_now()),
            ))
            write_audit(conn, by, "profile_saved",
                        f"{profile.name} ({profile.kind}, {profile.signature[:12]})"
                        + (" replaced" if replaced else ""))

    def delete_profile(self, signature: str, kind: str, by: str) -> bool:
        """Delete the profile of ``signature`` and ``kind``; True if there was one."""
        key = (s.mapping_profiles.c.signature == signature) & (s.mapping_profiles.c.kind == kind)
        with self._write(lock_current=False) as (conn, _):
            name = conn.execute(sa.select(s.mapping_profiles.c.name).where(key)).scalar()
            if name is None:
                return False
            conn.execute(s.mapping_profiles.delete().where(key))
            write_audit(conn, by, "profile_deleted", f"{name} ({kind}, {signature[:12]})")
            return True

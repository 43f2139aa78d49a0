"""Mapping profiles: a coordinator's column and value choices, one per header signature.

Saving a profile for a signature replaces the one saved before; each save and delete is
audited. The profile's content is ``maaor.profiles.Profile`` as JSON.
"""

from __future__ import annotations

import json

import sqlalchemy as sa

from maaor.profiles import Profile
from maaor.store import tables as s
from maaor.store.audit import write_audit
from maaor.store.base import StoreBase
from maaor.store.times import to_db_time, utc_now


class ProfileStore(StoreBase):
    """Reading, saving and deleting mapping profiles."""

    def mapping_profiles(self) -> list[Profile]:
        """Return every saved mapping profile, by name."""
        with self._read() as conn:
            rows = conn.execute(
                sa.select(s.mapping_profiles.c.body).order_by(
                    s.mapping_profiles.c.name, s.mapping_profiles.c.signature
                )
            ).scalars().all()
        return [Profile.from_dict(json.loads(body)) for body in rows]

    def save_mapping_profile(self, profile: Profile, by: str) -> None:
        """Save ``profile`` for its signature (replacing the one saved before)."""
        body = json.dumps(profile.to_dict(), ensure_ascii=False)
        name = profile.name or profile.signature
        with self._write(lock_current=False) as (conn, _):
            conn.execute(
                s.mapping_profiles.delete().where(s.mapping_profiles.c.signature == profile.signature)
            )
            conn.execute(s.mapping_profiles.insert().values(
                signature=profile.signature, name=name, kind=profile.kind, body=body,
                created_by=by, created_at=to_db_time(utc_now()),
            ))
            write_audit(conn, by, "mapping_profile", f"{name} ({profile.signature})")

    def delete_mapping_profile(self, signature: str, by: str) -> bool:
        """Delete the profile saved for ``signature``; True if there was one."""
        with self._write(lock_current=False) as (conn, _):
            gone = conn.execute(
                s.mapping_profiles.delete().where(s.mapping_profiles.c.signature == signature)
            ).rowcount
            if gone:
                write_audit(conn, by, "mapping_profile_removed", signature)
            return bool(gone)

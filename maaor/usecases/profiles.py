"""Mapping profiles: the coordinator's confirmed column and value choices per shape of
sheet (see :mod:`maaor.profiles`), listed, saved, exported, imported and deleted.

Saving and deleting need a signed-in coordinator (``by`` names them; the page calls
these only below its sign-in) and are audited by the store.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from maaor.profiles import (
    MappingProfile,
    ProfileError,
    make_profile,
    profiles_from_json,
)
from maaor.usecases.refusal import Refused, guarded


def _store():
    from maaor.service import open_store

    return guarded(open_store)


def list_profiles() -> list:
    """Return the saved profiles (``StoredProfile``: profile, saved_by, saved_at), most
    recently saved first.

    Raises:
        Refused: the store cannot be read.
    """
    store = _store()
    return guarded(store.profiles)


def stored_profiles() -> list[MappingProfile]:
    """Return the saved profiles themselves, most recently saved first (as the reader
    takes them)."""
    return [p.profile for p in list_profiles()]


def _signed_in(by: str) -> str:
    who = (by or "").strip()
    if not who:
        raise Refused("coord.profiles.signed_out")
    return who


def save_profile(profile: MappingProfile, *, by: str) -> None:
    """Save ``profile`` (replacing the one of the same signature and kind), audited.

    Raises:
        Refused: nobody signed in, or the store failed.
    """
    who = _signed_in(by)
    store = _store()
    guarded(lambda: store.save_profile(profile, who), retry=False)


def delete_profile(signature: str, kind: str, *, by: str, confirmed: bool) -> None:
    """Delete the saved profile of ``signature`` and ``kind``, audited.

    Raises:
        Refused: not confirmed, nobody signed in, no such profile, or the store failed.
    """
    who = _signed_in(by)
    if not confirmed:
        raise Refused("coord.profiles.delete_unconfirmed")
    store = _store()
    if not guarded(lambda: store.delete_profile(signature, kind, who), retry=False):
        raise Refused("coord.profiles.not_found", kind="not_found")


def export_profile(signature: str, kind: str) -> str:
    """Return the JSON text of the saved profile of ``signature`` and ``kind``.

    Raises:
        Refused: no such profile, or the store failed.
    """
    for profile in stored_profiles():
        if profile.signature == signature and profile.kind == kind:
            return profile.to_json()
    raise Refused("coord.profiles.not_found", kind="not_found")


def import_profiles(text: str | bytes) -> list[MappingProfile]:
    """Read a profile file (one profile, or an array of them) and check it.

    Raises:
        Refused: the file is not a valid profile file (the reason says why).
    """
    try:
        return profiles_from_json(text)
    except ProfileError as exc:
        raise Refused("coord.profiles.invalid", reason=str(exc)) from exc


def profile_with_choices(
    name: str,
    kind: str,
    headers: Sequence[str],
    columns: Mapping[str, str | None],
    values: Mapping[str, Mapping[str, str]] | None = None,
    *,
    base: MappingProfile | None = None,
) -> MappingProfile:
    """The profile of a sheet with new choices added to ``base`` (the profile of the same
    shape already saved, if any: its earlier choices are kept unless chosen again).

    Raises:
        Refused: a choice names a field or value the kind does not have.
    """
    try:
        fresh = make_profile(name, kind, headers, {}, {})
        if base is not None and base.kind == kind and base.signature == fresh.signature:
            return make_profile(name, kind, headers, {**base.columns, **columns},
                                _merge_values(base.values, values or {}))
        return make_profile(name, kind, headers, columns, values or {})
    except ProfileError as exc:
        raise Refused("coord.profiles.invalid", reason=str(exc)) from exc


def _merge_values(old: Mapping[str, Mapping[str, str]],
                  new: Mapping[str, Mapping[str, str]]) -> dict[str, dict[str, str]]:
    out = {f: dict(v) for f, v in old.items()}
    for fld, chosen in new.items():
        out.setdefault(fld, {}).update(chosen)
    return out

"""Mapping profiles: saving a coordinator's column choices, listing, exporting, deleting.

The Coordinator page and the CLI call these; the profile itself is built from a sheet's
report with :func:`profile_from_report` (every column as placed now, the coordinator's
choices on top).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from maaor.profiles import IGNORE, Profile, profiles_to_json
from maaor.usecases.refusal import guarded


def profile_from_report(
    report, choices: Mapping[str, str] | None = None, *, name: str = "",
    values: Mapping[str, Mapping[str, str]] | None = None,
) -> Profile:
    """A profile for the shape of a loaded sheet.

    Args:
        report: the sheet's ``maaor.load.SheetReport`` (kind, signature, columns).
        choices: header as written -> field or ``IGNORE`` chosen by the coordinator;
            columns not named keep their current placement (a placed column keeps its
            field, so the next upload of the same shape is placed the same way).
        name: a name for people.
        values: field -> {value as written -> code}.

    Raises:
        ValueError: the sheet was not loaded (no kind or signature).
    """
    if not report.kind or not report.signature:
        raise ValueError("only a loaded sheet has a shape to save a mapping for")
    columns: dict[str, str] = {}
    for c in report.columns:
        if not c.header:
            continue
        if c.field is not None and c.how != "ignored":
            columns[c.header] = c.field
        elif c.how == "ignored":
            columns[c.header] = IGNORE
    for header, choice in (choices or {}).items():
        if choice:
            columns[header] = choice
    return Profile(
        signature=report.signature,
        kind=report.kind,
        name=name or f"{report.file}" + (f" / {report.sheet}" if report.sheet else ""),
        columns=columns,
        values={f: dict(v) for f, v in (values or {}).items()},
        headers=[c.header for c in report.columns],
    )


def mapping_profiles() -> list[Profile]:
    """Return the saved mapping profiles.

    Raises:
        Refused: the store cannot be read.
    """
    from maaor.service import open_store

    store = guarded(open_store)
    return guarded(store.mapping_profiles)


def save_mapping_profile(profile: Profile, *, by: str) -> None:
    """Save a mapping profile (replacing the one saved for the same headers; audited).

    Raises:
        Refused: the store failed.
    """
    from maaor.service import open_store

    store = guarded(open_store)
    guarded(lambda: store.save_mapping_profile(profile, by))


def delete_mapping_profile(signature: str, *, by: str) -> bool:
    """Delete the mapping profile saved for ``signature``; True if there was one.

    Raises:
        Refused: the store failed.
    """
    from maaor.service import open_store

    store = guarded(open_store)
    return guarded(lambda: store.delete_mapping_profile(signature, by))


def export_mapping_profiles(profiles: Sequence[Profile]) -> str:
    """The JSON file of ``profiles`` (what ``--profile`` reads)."""
    return profiles_to_json(profiles)

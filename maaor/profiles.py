"""Mapping profiles: a coordinator's column (and value) choices for one shape of sheet.

A sheet's *header signature* is its headers in column order, each folded by
:func:`maaor.textkey.match_key`, hashed. A profile saved for a signature is applied to
the next sheet with the same signature: its columns go to the fields chosen (``how:
profile``) or are left out on purpose (``how: ignored``), and values it names ("Clr" in
the Pillar column) are read as the codes chosen. Profiles travel as JSON (the CLI's
``--profile`` and ``validate --save-profile``; the Coordinator page's export).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from maaor import columns as column_specs
from maaor.textkey import match_key

#: What a column mapped to this value means: leave the column out on purpose.
IGNORE = "(ignore)"


class ProfileError(ValueError):
    """A profile file that cannot be used (the message says why)."""


def header_signature(headers: Iterable[str | None]) -> str:
    """The signature of a sheet's headers: equal for the same headers in the same order.

    Case, accents, spaces and punctuation do not count; trailing empty headers neither.
    """
    keys = [match_key(h) for h in headers]
    while keys and not keys[-1]:
        keys.pop()
    return hashlib.sha256("\x1f".join(keys).encode()).hexdigest()[:16]


@dataclass
class Profile:
    """The choices for one shape of sheet.

    Attributes:
        signature: the header signature it applies to.
        kind: the kind of sheet (one of ``maaor.columns.KINDS``).
        name: a name for people ("DRC 4W, provincial template").
        columns: header as written -> field of ``kind``, or ``IGNORE``.
        values: field -> {value as written -> code} (pillars, statuses, countries ...).
        headers: the headers of the sheet it was made from (for people reading it).
    """

    signature: str
    kind: str
    name: str = ""
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    headers: list[str] = field(default_factory=list)

    def column_choice(self, header: str | None) -> str | None:
        """The field (or ``IGNORE``) chosen for a header, or None when none was."""
        key = match_key(header)
        for written, choice in self.columns.items():
            if match_key(written) == key:
                return choice
        return None

    def value_map(self, fld: str) -> dict[str, str]:
        """Value match key -> code chosen for the values of ``fld``."""
        return {match_key(k): v for k, v in self.values.get(fld, {}).items()}

    def to_dict(self) -> dict:
        """The JSON form."""
        return {
            "signature": self.signature,
            "kind": self.kind,
            "name": self.name,
            "headers": list(self.headers),
            "columns": dict(self.columns),
            "values": {f: dict(v) for f, v in self.values.items()},
        }

    @classmethod
    def from_dict(cls, data: dict) -> Profile:
        """Read a profile from its JSON form.

        Raises:
            ProfileError: a key is missing, the kind is unknown, or a column names a
                field the kind does not have.
        """
        if not isinstance(data, dict) or not data.get("signature") or not data.get("kind"):
            raise ProfileError("a profile needs a 'signature' and a 'kind'")
        kind = data["kind"]
        if kind not in column_specs.KINDS:
            raise ProfileError(f"'{kind}' is not a kind of sheet maaor knows")
        known = {s.field for s in column_specs.FIELDS[kind]}
        columns = {str(k): str(v) for k, v in (data.get("columns") or {}).items() if v}
        bad = sorted(v for v in columns.values() if v != IGNORE and v not in known)
        if bad:
            raise ProfileError(
                f"the profile maps columns to {', '.join(bad)}, which a "
                f"{column_specs.KIND_LABELS[kind]} sheet does not have"
            )
        values = {
            str(f): {str(k): str(v) for k, v in (m or {}).items()}
            for f, m in (data.get("values") or {}).items()
        }
        return cls(
            signature=str(data["signature"]),
            kind=kind,
            name=str(data.get("name") or ""),
            columns=columns,
            values=values,
            headers=[str(h) for h in data.get("headers") or []],
        )


def profiles_to_json(profiles: Sequence[Profile]) -> str:
    """A profile file: ``{"profiles": [...]}``."""
    return json.dumps({"profiles": [p.to_dict() for p in profiles]}, ensure_ascii=False, indent=2)


def profiles_from_json(text: str | bytes) -> list[Profile]:
    """Read a profile file (``{"profiles": [...]}`` or one profile object).

    Raises:
        ProfileError: not JSON, or a profile that cannot be used.
    """
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProfileError(f"not a JSON file ({exc})") from None
    items = data.get("profiles") if isinstance(data, dict) and "profiles" in data else [data]
    if not isinstance(items, list):
        raise ProfileError("'profiles' must be a list")
    return [Profile.from_dict(item) for item in items]


def by_signature(profiles: Iterable[Profile] | None) -> dict[str, Profile]:
    """Profiles keyed by signature (a later one wins)."""
    return {p.signature: p for p in profiles or ()}

"""Mapping profiles: a coordinator's choices for one shape of sheet, confirmed once.

A profile is keyed by the sheet's *header signature* and its kind. It holds:

* column choices: header as written -> field of the kind, or None ("ignore": the column
  is known and deliberately not loaded);
* value choices per field: value as written -> canonical value (a status or pillar code
  of :mod:`maaor.vocab`, or a country's ISO3 code), for the statuses, pillars and
  countries the dashboard could not place by itself.

The signature is the SHA-256 of the header row's texts, each reduced with
:func:`maaor.textkey.match_key`, **sorted** (order-insensitive) and kept with their
repeats. A partner who moves a column keeps the profile; a file with a column added,
removed or renamed is another shape and is not matched (its new column may mean
something the saved choices do not cover). Blank header cells do not count.

This module holds no store and no UI: profiles are saved through
:mod:`maaor.usecases.profiles` and applied by :mod:`maaor.load`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from maaor import columns as column_specs
from maaor.textkey import match_key

FORMAT = "maaor-mapping-profile"
FORMAT_VERSION = 1
#: Header rows are looked for in the first rows only (as the header reader does).
HEADER_ZONE = 30
#: Field types whose values a profile may map (type of ``columns.csv`` -> vocabulary,
#: or "country" for ISO3 codes).
VALUE_TYPES = {
    "pillar": "pillar",
    "wp_status": "wp_status",
    "presence_status": "presence_status",
    "country": "country",
}
#: Longest profile name kept.
NAME_MAX = 120
#: A profile file larger than this is refused (a real one is a few kB).
MAX_PROFILE_BYTES = 256 * 1024


class ProfileError(ValueError):
    """A profile (a JSON file, or choices) that cannot be used, with a plain reason."""


def header_signature(headers: Iterable[object]) -> str:
    """Return the signature of a header row: SHA-256 of its sorted non-blank keys.

    Args:
        headers: the header texts as written (None or blank cells are skipped).

    Returns:
        64 hex digits; equal for the same headers in any order, spelling variants of
        case, accents and punctuation included.
    """
    keys = sorted(k for k in (match_key(h) for h in headers if h is not None) if k)
    return hashlib.sha256("\x1f".join(keys).encode()).hexdigest()


def value_fields(kind: str) -> list[str]:
    """Fields of ``kind`` whose values a profile may map (statuses, pillars, countries)."""
    return [s.field for s in column_specs.FIELDS[kind] if s.type in VALUE_TYPES]


def value_type(kind: str, fld: str) -> str | None:
    """The vocabulary of a field's values ("pillar", "presence_status", ..., "country"),
    or None when a profile cannot map its values."""
    specs = {s.field: s for s in column_specs.FIELDS.get(kind, [])}
    spec = specs.get(fld)
    return VALUE_TYPES.get(spec.type) if spec is not None else None


def allowed_values(vtype: str) -> list[str]:
    """The canonical values a choice of ``vtype`` may name (codes, or ISO3 codes)."""
    if vtype == "country":
        return sorted(_iso3_codes())
    from maaor import vocab

    return vocab.codes(vtype)


def _iso3_codes() -> frozenset[str]:
    from importlib import resources

    data = json.loads(resources.files("maaor.data").joinpath("countries.json").read_text("utf-8"))
    return frozenset(data["iso3"])


@dataclass(frozen=True)
class MappingProfile:
    """The confirmed choices for one shape of sheet.

    Attributes:
        name: what coordinators call it (shown in the note when it is used).
        kind: the kind of sheet (``maaor.columns.KINDS``).
        headers: the header row as written, in column order (blank cells left out).
        columns: header as written -> field, or None to ignore the column.
        values: field -> {value as written -> canonical value}.
    """

    name: str
    kind: str
    headers: tuple[str, ...]
    columns: Mapping[str, str | None] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @property
    def signature(self) -> str:
        """The header signature this profile applies to."""
        return header_signature(self.headers)

    def header_overrides(self) -> dict[str, str | None]:
        """Column choices as the header reader takes them: ``match_key`` -> field/None."""
        return {match_key(h): f for h, f in self.columns.items() if match_key(h)}

    def value_choices(self) -> dict[str, dict[str, str]]:
        """Value choices as validation takes them: field -> {``match_key`` -> value}."""
        return {
            fld: {match_key(v): c for v, c in chosen.items() if match_key(v)}
            for fld, chosen in self.values.items() if chosen
        }

    def to_dict(self) -> dict:
        """The JSON form (what ``--profile`` reads and the page exports)."""
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "name": self.name,
            "kind": self.kind,
            "signature": self.signature,
            "headers": list(self.headers),
            "columns": dict(self.columns),
            "values": {f: dict(v) for f, v in self.values.items()},
        }

    def to_json(self) -> str:
        """The profile as indented JSON text (UTF-8 safe, stable key order)."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)


def profile_from_dict(data: object) -> MappingProfile:
    """Build and check a profile from its JSON form.

    Raises:
        ProfileError: not a profile, an unknown kind or field, a value that is not a
            known code, or a column choice for a header the profile does not have.
    """
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ProfileError("this is not a mapping profile of the dashboard")
    if data.get("format_version") != FORMAT_VERSION:
        raise ProfileError(f"mapping profile format {data.get('format_version')!r} is not "
                           f"one this dashboard reads ({FORMAT_VERSION})")
    kind = data.get("kind")
    if kind not in column_specs.KINDS:
        raise ProfileError(f"unknown kind of sheet {kind!r} (one of: {', '.join(column_specs.KINDS)})")
    name = data.get("name")
    headers = data.get("headers")
    cols = data.get("columns") or {}
    vals = data.get("values") or {}
    if not isinstance(name, str) or not name.strip():
        raise ProfileError("the profile has no name")
    if (not isinstance(headers, list) or not headers
            or not all(isinstance(h, str) and h.strip() for h in headers)):
        raise ProfileError("the profile has no header row (headers: a list of texts)")
    if not isinstance(cols, dict) or not isinstance(vals, dict):
        raise ProfileError("columns and values must be JSON objects")
    return make_profile(name, kind, headers, cols, vals)


def make_profile(name: str, kind: str, headers: Sequence[str],
                 columns: Mapping[str, str | None],
                 values: Mapping[str, Mapping[str, str]] | None = None) -> MappingProfile:
    """Build a checked profile.

    Raises:
        ProfileError: see :func:`profile_from_dict`.
    """
    name = " ".join(str(name).split())[:NAME_MAX]
    if not name:
        raise ProfileError("the profile has no name")
    if kind not in column_specs.KINDS:
        raise ProfileError(f"unknown kind of sheet {kind!r}")
    headers = tuple(" ".join(str(h).split()) for h in headers if h is not None and str(h).strip())
    known_headers = {match_key(h) for h in headers}
    fields = {s.field for s in column_specs.FIELDS[kind]}
    checked_columns: dict[str, str | None] = {}
    for header, target in columns.items():
        if match_key(header) not in known_headers:
            raise ProfileError(f"column choice for '{header}', which is not in the profile's headers")
        if target is not None and target not in fields:
            raise ProfileError(f"'{target}' is not a field of a {column_specs.KIND_LABELS[kind]} sheet")
        checked_columns[str(header)] = target
    checked_values: dict[str, dict[str, str]] = {}
    for fld, chosen in (values or {}).items():
        vtype = value_type(kind, fld)
        if vtype is None:
            raise ProfileError(f"the values of '{fld}' cannot be mapped by a profile")
        if not isinstance(chosen, Mapping):
            raise ProfileError(f"the values of '{fld}' must be a JSON object")
        allowed = set(allowed_values(vtype))
        # null: a value listed for the user to choose (``--save-profile``), not chosen yet.
        chosen = {w: c for w, c in chosen.items() if c is not None}
        for written, canonical in chosen.items():
            if canonical not in allowed:
                raise ProfileError(f"'{canonical}' (for '{written}') is not a known {vtype} code")
        if chosen:
            checked_values[fld] = {str(w): str(c) for w, c in chosen.items()}
    return MappingProfile(name, kind, headers, checked_columns, checked_values)


def profile_from_json(text: str | bytes) -> MappingProfile:
    """Parse a file holding exactly one profile.

    Raises:
        ProfileError: too large, not JSON, not one valid profile.
    """
    found = profiles_from_json(text)
    if len(found) != 1:
        raise ProfileError(f"the file holds {len(found)} profiles; one was expected")
    return found[0]


def profiles_from_json(text: str | bytes) -> list[MappingProfile]:
    """Parse a profile file holding one profile (a JSON object) or several (an array).

    Raises:
        ProfileError: too large, not JSON, or one of its profiles is not valid.
    """
    if len(text) > MAX_PROFILE_BYTES:
        raise ProfileError(f"the profile file is larger than {MAX_PROFILE_BYTES // 1024} kB")
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProfileError(f"the profile file is not JSON ({exc})") from None
    if isinstance(data, list):
        if not data:
            raise ProfileError("the profile file holds no profile")
        return [profile_from_dict(d) for d in data]
    return [profile_from_dict(data)]


def profiles_to_json(profiles: Sequence[MappingProfile]) -> str:
    """The file form of ``profiles``: one JSON object for one profile, else an array."""
    if len(profiles) == 1:
        return profiles[0].to_json()
    return json.dumps([p.to_dict() for p in profiles], indent=2, ensure_ascii=False)


def _row_texts(row: Sequence[object]) -> list[str]:
    texts = []
    for value in row:
        if value is None or (isinstance(value, float) and value != value):
            continue
        text = " ".join(str(value).split())
        if text:
            texts.append(text)
    return texts


def find_profile(cells: pd.DataFrame, profiles: Sequence[MappingProfile]) -> MappingProfile | None:
    """The profile whose signature is the one of a row near the top of a sheet.

    Rows with fewer than two texts are never a header row. When several profiles share a
    signature (saved for different kinds), the first given wins: the store lists the
    most recently saved first.

    Args:
        cells: the sheet's grid.
        profiles: the candidate profiles.

    Returns:
        The profile, or None.
    """
    if not profiles or not cells.size:
        return None
    wanted: dict[str, MappingProfile] = {}
    for p in profiles:
        wanted.setdefault(p.signature, p)
    values = cells.to_numpy(dtype=object)
    for i in range(min(HEADER_ZONE, len(values))):
        texts = _row_texts(values[i])
        if len(texts) < 2:
            continue
        found = wanted.get(header_signature(texts))
        if found is None and i + 1 < len(values):
            # A two-row header (a group row over "Femmes / Hommes"): the reader names each
            # column by its lower cell when it has one, else by the upper one, and the
            # profile saved those names.
            found = wanted.get(header_signature(_row_texts(_stacked(values[i], values[i + 1]))))
        if found is not None:
            return found
    return None


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value) or not str(value).strip()


def _stacked(upper: Sequence[object], lower: Sequence[object]) -> list[object]:
    """Each column's name in a two-row header: the lower cell, else the upper one."""
    return [u if _blank(v) else v for u, v in zip(upper, lower, strict=True)]


def apply_value_choices(frame: pd.DataFrame, choices: Mapping[str, Mapping[str, str]]) -> pd.DataFrame:
    """Replace, in the mapped columns of ``frame``, each value a profile maps by its
    canonical value (compared by ``match_key``); other cells are left as written.

    Each distinct value is looked at once, so a long column costs a few lookups.
    """
    out = frame
    for fld, chosen in choices.items():
        if fld not in frame.columns or not chosen:
            continue
        codes, uniques = pd.factorize(frame[fld], use_na_sentinel=True)
        replaced = [chosen.get(match_key(u)) if isinstance(u, str) else None for u in uniques]
        if not any(r is not None for r in replaced):
            continue
        table = [r if r is not None else u for r, u in zip(replaced, uniques, strict=True)]
        if out is frame:
            out = frame.copy()
        column = out[fld].to_numpy(dtype=object).copy()
        hit = codes >= 0
        column[hit] = [table[c] for c in codes[hit]]
        out[fld] = pd.Series(column, index=out.index, dtype=object)
    return out


#: Problem codes of values a profile can map (a status, pillar or country not recognised).
UNKNOWN_VALUE_CODES = ("status.unknown", "pillar.unknown", "country.unknown")


def unknown_values(kind: str, placements: Sequence, problems: Sequence) -> dict[str, list[str]]:
    """Values of a sheet a profile could map but nobody chose yet: field -> values as
    written, from the sheet's problems (the column of a problem is the header as written).
    """
    field_of = {p.header: p.field for p in placements if p.field}
    out: dict[str, list[str]] = {}
    for p in problems:
        fld = field_of.get(p.column or "")
        if p.code in UNKNOWN_VALUE_CODES and p.value and fld and value_type(kind, fld):
            values = out.setdefault(fld, [])
            if p.value not in values:
                values.append(p.value)
    return out


def profile_from_report(name: str, kind: str, placements: Sequence) -> MappingProfile:
    """The profile of the choices the dashboard made on a sheet, for ``--save-profile``.

    What a careful user expects to confirm: every column placed by something weaker than
    its exact template header or HXL tag (a close match, a previous profile) keeps the
    field it was given; every column not loaded is written as ignored, so the user sees
    it in the file and can give it a field by editing ``null`` into a field name. Exact
    matches are left out (they need no confirmation and keep following the template).

    Args:
        name: the profile's name.
        kind: the sheet's kind.
        placements: the sheet's ``ColumnPlacement`` list.
    """
    headers = [p.header for p in placements if p.header]
    chosen: dict[str, str | None] = {}
    for p in placements:
        if not p.header:
            continue
        if p.how in ("fuzzy", "profile") and p.field is not None:
            chosen[p.header] = p.field
        elif p.how in ("unmapped", "ignored"):
            chosen[p.header] = None
    return make_profile(name, kind, headers, chosen)

"""Offline admin-1 gazetteer: P-codes, ISO 3166-2 codes and name variants to a point.

The table ``data/geo/admin1.csv`` is built by ``data/geo/build_gazetteer.py`` from the OCHA
global P-code list (admin-1 P-codes and names) and Natural Earth admin-1 (points, polygons,
name variants); see ``data/geo/PROVENANCE.md``. Units are the OCHA admin-1 units
(``status == "current"``); Natural Earth units that OCHA has since split (e.g. the former
DRC province Katanga) are kept as ``status == "former"`` rows that name their successors,
so an old 4W that says "Katanga" is placed on the former province, not guessed into one
of the new ones.

A cell that holds an OCHA admin-2 P-code or an admin-2 name (a Libyan 4W writes the
district, "Benghazi", where the admin-1 region "East" belongs) gives the admin-2 unit's
admin-1 parent, saying so (``how`` "admin2_pcode" / "admin2_name" and ``admin2``).

Matching is exact on a folded key (accents, case, punctuation, leading Arabic articles
"Al-"/"Ar "/"El " and generic words like "Province", "Governorate" ignored), then on a
vowel-free skeleton of the key when it names one unit only (Arabic transliterations such as
"Hasakeh"/"Hassake"/"Hasakah" differ by vowels). Anything else is not matched: the answer
carries the closest names instead, for a person to confirm.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process

from maaor.resources import bundled_data_dir

# data/geo/ of the checkout, or its copy inside an installed wheel (maaor.resources).
GAZETTEER_CSV = bundled_data_dir() / "geo" / "admin1.csv"
ADMIN2_CSV = GAZETTEER_CSV.with_name("admin2.csv")

# Leading articles of Arabic (and French) transliterations: "Al-Anbar", "Ar Raqqa", "El Fasher".
_ARTICLES = {"al", "el", "ar", "as", "ad", "an", "at", "ash", "az", "ed", "es", "ez", "l", "le", "la"}
# Words that say what kind of unit a name is, not which one.
_GENERIC = {
    "province", "provincia", "provinces", "region", "regions", "state", "etat", "governorate",
    "gouvernorat", "muhafazat", "muhafazah", "mohafazat", "prefecture", "oblast", "oblast'",
    "wilayah", "wilaya", "department", "departement", "division", "district", "de", "du", "des",
    "d", "of", "the", "and", "et",
}
_SPLIT = re.compile(r"[^0-9a-z]+")
_APOSTROPHES = re.compile(r"['`\u2018\u2019\u02bb\u02bc\u02be\u02bf]")
_VOWELS = re.compile(r"[aeiouy]")
_REPEATS = re.compile(r"(.)\1+")
_CODE = re.compile(r"[^0-9A-Z]+")
# Only skeletons this long are used to match: short ones ("by", "kd") collide by chance.
_MIN_SKELETON = 3
# Closest names offered for an unknown name: rapidfuzz WRatio on folded keys, best first.
_MIN_SUGGESTION_SCORE = 60.0


def fold_name(text: object) -> str:
    """Return the matching key of an admin-1 name.

    Accents, case, punctuation and apostrophes are ignored, a leading article ("Al-",
    "Ar ", "El ") and generic words ("Province", "Governorate", "Région du") are dropped:
    ``"Al-Hasakeh"``, ``"AL HASAKEH"`` and ``"Hasakeh Governorate"`` all give ``"hasakeh"``.
    ``None`` gives ``""``.
    """
    if text is None:
        return ""
    s = unicodedata.normalize("NFKD", str(text))
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).casefold()
    s = s.replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")
    s = _APOSTROPHES.sub("", s)
    tokens = [t for t in _SPLIT.split(s) if t]
    while len(tokens) > 1 and tokens[0] in _ARTICLES:
        tokens = tokens[1:]
    kept = [t for t in tokens if t not in _GENERIC]
    return "".join(kept or tokens)


def skeleton(key: str) -> str:
    """Return the consonant skeleton of a folded key (vowels, doubles, a final "h" dropped).

    ``"hasakeh"``, ``"hassake"`` and ``"hasakah"`` all give ``"hsk"``.
    """
    s = _VOWELS.sub("", key)
    s = _REPEATS.sub(r"\1", s)
    return s[:-1] if s.endswith("h") and len(s) > 1 else s


def code_key(text: object) -> str:
    """Return an upper-case code without separators: ``"sy-08"`` gives ``"SY08"``."""
    return "" if text is None else _CODE.sub("", str(text).upper())


@dataclass(frozen=True)
class Admin1Unit:
    """One admin-1 unit of the gazetteer.

    Attributes:
        iso3: ISO 3166-1 alpha-3 code of the country.
        pcode: OCHA admin-1 P-code ("SY08"); empty for a former unit.
        name: the OCHA name ("Al-Hasakeh"), or Natural Earth's for a former unit.
        iso_3166_2: ISO 3166-2 code when the unit is the same area as a Natural Earth unit.
        lat: latitude of the representative point, None when the source has none.
        lon: longitude of the representative point, None when the source has none.
        point_source: how the point was made (see PROVENANCE.md); empty when there is none.
        status: "current" (an OCHA unit) or "former" (a Natural Earth unit OCHA has split).
        successors: P-codes of the current units a former unit was split into.
        variants: other names of the unit (English, French, transliterations, former names).
    """

    iso3: str
    pcode: str
    name: str
    iso_3166_2: str
    lat: float | None
    lon: float | None
    point_source: str
    status: str
    successors: tuple[str, ...]
    variants: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """The name followed by every variant."""
        return (self.name, *self.variants)


@dataclass(frozen=True)
class Admin1Match:
    """The answer of :func:`lookup`.

    Attributes:
        text: the text looked up, as given.
        iso3: the country it was looked up in.
        unit: the unit found, or None.
        how: what matched: "pcode", "iso_3166_2", "name", "admin2_pcode", "admin2_name",
            "skeleton"; empty when nothing.
        reason: why nothing matched (empty when a unit was found).
        candidates: the closest units with their score (0-100), best first, when nothing
            matched; empty otherwise.
        admin2: (P-code, name) of the admin-2 unit the text named, when the unit was found
            as that admin-2 unit's parent; None otherwise.
    """

    text: str
    iso3: str
    unit: Admin1Unit | None
    how: str
    reason: str
    candidates: tuple[tuple[Admin1Unit, float], ...] = ()
    admin2: tuple[str, str] | None = None


def _split_list(value: str) -> tuple[str, ...]:
    return tuple(v for v in (value or "").split("|") if v)


def _float(value: str) -> float | None:
    return float(value) if value not in ("", None) else None


@lru_cache(maxsize=4)
def load_units(path: Path = GAZETTEER_CSV) -> tuple[Admin1Unit, ...]:
    """Return every unit of the gazetteer file (current and former), in file order."""
    with open(path, encoding="utf-8", newline="") as f:
        return tuple(
            Admin1Unit(
                iso3=row["iso3"],
                pcode=row["pcode"],
                name=row["name"],
                iso_3166_2=row["iso_3166_2"],
                lat=_float(row["lat"]),
                lon=_float(row["lon"]),
                point_source=row["point_source"],
                status=row["status"],
                successors=_split_list(row["successors"]),
                variants=_split_list(row["variants"]),
            )
            for row in csv.DictReader(f)
        )


def countries(path: Path = GAZETTEER_CSV) -> list[str]:
    """Return the ISO3 codes the gazetteer covers, sorted."""
    return sorted({u.iso3 for u in load_units(path)})


def units(iso3: str, path: Path = GAZETTEER_CSV, *, include_former: bool = False) -> list[Admin1Unit]:
    """Return the admin-1 units of one country (current ones only unless asked)."""
    return [
        u for u in load_units(path)
        if u.iso3 == iso3 and (include_former or u.status == "current")
    ]


@lru_cache(maxsize=4)
def _admin2_rows(path: Path) -> tuple[tuple[str, str, str, str], ...]:
    if not path.exists():
        return ()
    with open(path, encoding="utf-8", newline="") as f:
        return tuple((r["iso3"], r["pcode"], r["name"], r["parent_pcode"]) for r in csv.DictReader(f))


@dataclass(frozen=True)
class _CountryIndex:
    codes: dict[str, tuple[Admin1Unit, str]]
    admin2_codes: dict[str, tuple[str, str, str]]  # code key -> (pcode, name, parent pcode)
    admin2_keys: dict[str, tuple[str, str, str] | None]  # None: two admin-2 units share it
    keys: dict[str, Admin1Unit | None]  # None: two units share the key
    skeletons: dict[str, Admin1Unit | None]
    choices: dict[str, Admin1Unit]  # folded name -> unit, for suggestions


def _add(index: dict, key: str, unit: Admin1Unit) -> None:
    if not key:
        return
    if key in index and index[key] is not None and index[key] != unit:
        index[key] = None  # the same key names two units: it decides nothing
    elif key not in index:
        index[key] = unit


@lru_cache(maxsize=64)
def _index(iso3: str, path: Path = GAZETTEER_CSV) -> _CountryIndex:
    codes: dict[str, tuple[Admin1Unit, str]] = {}
    keys: dict[str, Admin1Unit | None] = {}
    skeletons: dict[str, Admin1Unit | None] = {}
    choices: dict[str, Admin1Unit] = {}
    every = units(iso3, path, include_former=True)
    for unit in every:
        if unit.pcode:
            codes.setdefault(code_key(unit.pcode), (unit, "pcode"))
        if unit.iso_3166_2:
            codes.setdefault(code_key(unit.iso_3166_2), (unit, "iso_3166_2"))
    # Names in order of authority: OCHA names of current units, then their variants, then
    # former units. A key taken by an earlier tier is not reopened by a later one, so
    # Ukraine's "Kyiv" (OCHA: the city) is not made ambiguous by the oblast's variant
    # "Kyiv", and Mali's "Kayes" goes to today's region rather than the former one.
    current = [u for u in every if u.status == "current"]
    former = [u for u in every if u.status != "current"]
    tiers = [
        [(u, u.name) for u in current],
        [(u, v) for u in current for v in u.variants],
        [(u, n) for u in former for n in u.names],
    ]
    for tier in tiers:
        taken = set(keys)
        for unit, name in tier:
            key = fold_name(name)
            if key in taken:
                continue
            _add(keys, key, unit)
            choices.setdefault(key, unit)
    for key, unit in keys.items():
        if unit is not None and len(skeleton(key)) >= _MIN_SKELETON:
            _add(skeletons, skeleton(key), unit)
    admin2_codes: dict[str, tuple[str, str, str]] = {}
    admin2_keys: dict[str, tuple[str, str, str] | None] = {}
    for country, pcode, name, parent in _admin2_rows(path.with_name(ADMIN2_CSV.name)):
        if country != iso3:
            continue
        entry = (pcode, name, parent)
        admin2_codes[code_key(pcode)] = entry
        key = fold_name(name)
        if key in admin2_keys and admin2_keys[key] is not None and admin2_keys[key][2] != parent:
            admin2_keys[key] = None  # districts of one name in two admin-1 units
        elif key not in admin2_keys:
            admin2_keys[key] = entry
    return _CountryIndex(codes, admin2_codes, admin2_keys, keys, skeletons, choices)


def closest(iso3: str, text: object, limit: int = 3, path: Path = GAZETTEER_CSV) -> list[tuple[Admin1Unit, float]]:
    """Return up to ``limit`` units whose names are closest to ``text``, best first.

    Each unit appears once, with the score (0-100) of its closest name; scores below 60 are
    left out.
    """
    index = _index(iso3, path)
    key = fold_name(text)
    if not key or not index.choices:
        return []
    found = process.extract(
        key, list(index.choices), scorer=fuzz.WRatio, limit=len(index.choices)
    )
    out: list[tuple[Admin1Unit, float]] = []
    seen: set[Admin1Unit] = set()
    for choice, score, _ in found:
        unit = index.choices[choice]
        if score < _MIN_SUGGESTION_SCORE or unit in seen:
            continue
        seen.add(unit)
        out.append((unit, round(float(score), 1)))
        if len(out) == limit:
            break
    return out


def lookup(iso3: str, text: object, path: Path = GAZETTEER_CSV, limit: int = 3) -> Admin1Match:
    """Return the admin-1 unit of ``iso3`` that ``text`` names, or the closest ones.

    ``text`` may be an OCHA P-code ("SY08", "sy-08"), an ISO 3166-2 code ("SY-HA") or a name
    in any of the unit's variants ("Al-Hasakeh", "Hasakah", "Hassaké"); an admin-2 P-code or
    name gives its admin-1 parent (``how`` says so). In that order: codes, admin-1 names,
    admin-2 codes and names, then the admin-1 skeleton. A name that matches none gives no
    unit, a reason and the closest admin-1 units.

    Args:
        iso3: the country (ISO 3166-1 alpha-3) the row belongs to.
        text: the admin-1 cell as written.
        path: the gazetteer file (the bundled one by default).
        limit: how many closest units to offer when nothing matches.
    """
    shown = "" if text is None else str(text).strip()
    iso3 = (iso3 or "").strip().upper()
    if not shown:
        return Admin1Match(shown, iso3, None, "", "empty")
    if iso3 not in countries(path):
        return Admin1Match(shown, iso3, None, "", f"no admin-1 gazetteer for country {iso3 or '(none)'}")
    index = _index(iso3, path)
    coded = index.codes.get(code_key(shown))
    if coded is not None:
        return Admin1Match(shown, iso3, coded[0], coded[1], "")
    key = fold_name(shown)
    unit = index.keys.get(key)
    if unit is not None:
        return Admin1Match(shown, iso3, unit, "name", "")
    if key in index.keys:
        reason = f"'{shown}' names more than one admin-1 unit of {iso3}"
        return Admin1Match(shown, iso3, None, "", reason, tuple(closest(iso3, shown, limit, path)))
    by_pcode = {u.pcode: u for u in units(iso3, path)}
    admin2 = index.admin2_codes.get(code_key(shown))
    how = "admin2_pcode"
    if admin2 is None:
        admin2, how = index.admin2_keys.get(key), "admin2_name"
    if admin2 is not None and admin2[2] in by_pcode:
        return Admin1Match(shown, iso3, by_pcode[admin2[2]], how, "", admin2=(admin2[0], admin2[1]))
    if len(skeleton(key)) >= _MIN_SKELETON:
        unit = index.skeletons.get(skeleton(key))
        if unit is not None:
            return Admin1Match(shown, iso3, unit, "skeleton", "")
    reason = f"'{shown}' is not an admin-1 name or code of {iso3} in the gazetteer"
    return Admin1Match(shown, iso3, None, "", reason, tuple(closest(iso3, shown, limit, path)))


# Confirmed admin-1 names share the coordinator's alias table with organisation names
# (one store, one audit trail, one "confirm once" flow): their alias is prefixed with
# the kind and the country, their canonical value is the area's P-code (or, for a former
# unit without one, its name).
ADMIN1_ALIAS_PREFIX = "admin1:"


def admin1_alias(iso3: str, text: str) -> str:
    """Return the stored alias of an admin-1 name as written in ``iso3``'s 4W:
    ``admin1_alias("SYR", "Hassakeh Gov.")`` gives ``"admin1:SYR:Hassakeh Gov."``."""
    return f"{ADMIN1_ALIAS_PREFIX}{iso3.strip().upper()}:{str(text).strip()}"


def is_admin1_alias(alias: object) -> bool:
    """True when a stored alias is an admin-1 name, not an organisation's."""
    return str(alias).startswith(ADMIN1_ALIAS_PREFIX)


def split_aliases(aliases) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """Split the stored aliases into organisation aliases (as written -> canonical name)
    and admin-1 aliases ((ISO3, :func:`fold_name` of the name) -> P-code or name);
    emergency names (``maaor.emergencies.confirmed_names``) are neither."""
    from maaor.emergencies import is_emergency_alias

    orgs: dict[str, str] = {}
    places: dict[tuple[str, str], str] = {}
    for alias, target in dict(aliases).items():
        if is_emergency_alias(alias):
            continue
        if not is_admin1_alias(alias):
            orgs[alias] = target
            continue
        iso3, _, text = str(alias)[len(ADMIN1_ALIAS_PREFIX):].partition(":")
        if iso3 and fold_name(text):
            places[(iso3.upper(), fold_name(text))] = str(target)
    return orgs, places

"""Emergencies as data: the crises presence, funding and mechanisms rows belong to.

An emergency is not a country: the Central Sahel crisis spans Burkina Faso, Mali and
Niger; one country can be in two emergencies at once (Niger in Central Sahel and Lake Chad
Basin; Syria's conflict and the 2023 earthquake). The bundled list is
``maaor/data/emergencies.csv`` (id, English and French names, ISO3 countries, type, active
years, aliases). A row is linked to an emergency from its own "Emergency" cell when it has
one, else from its country when exactly one emergency of that country is active in the
row's year; anything else is reported with a reason, never guessed.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process

from maaor.textkey import match_key

EMERGENCIES_CSV = Path(__file__).resolve().parent / "data" / "emergencies.csv"
TYPES = ("country", "regional", "disaster")
# Closest emergency names offered for an unknown name (rapidfuzz WRatio on match keys).
_MIN_SUGGESTION_SCORE = 60.0


@dataclass(frozen=True)
class Emergency:
    """One emergency.

    Attributes:
        id: stable identifier used in URLs and files ("central-sahel").
        name_en: English name.
        name_fr: French name.
        countries: ISO3 codes of the countries it spans.
        type: "country", "regional" or "disaster".
        start_year: first active year, None when long-standing.
        end_year: last active year, None while ongoing.
        aliases: other names it is written as.
    """

    id: str
    name_en: str
    name_fr: str
    countries: tuple[str, ...]
    type: str
    start_year: int | None
    end_year: int | None
    aliases: tuple[str, ...] = ()

    def name(self, lang: str = "en") -> str:
        """The name in ``lang`` ("en" or "fr")."""
        return self.name_fr if lang == "fr" else self.name_en

    def active_in(self, year: int) -> bool:
        """True when the emergency is active in ``year``."""
        return (self.start_year is None or year >= self.start_year) and (
            self.end_year is None or year <= self.end_year
        )


@dataclass(frozen=True)
class EmergencyLink:
    """The emergency a row belongs to, or why none could be decided.

    Attributes:
        emergency: the emergency, or None.
        how: "column" (the row's own cell), "country" (its country's only active
            emergency) or "" when none.
        reason: why no emergency was linked ("" when one was).
        warning: a doubt about a link that was made (e.g. the row's country is not one of
            the emergency's countries), "" otherwise.
        candidates: ids of the emergencies it could be, best first, when none was linked.
    """

    emergency: Emergency | None
    how: str
    reason: str = ""
    warning: str = ""
    candidates: tuple[str, ...] = ()


def _year(value: str) -> int | None:
    return int(value) if value.strip() else None


def _parse(rows: list[dict[str, str]]) -> tuple[Emergency, ...]:
    out: list[Emergency] = []
    for number, row in enumerate(rows, start=2):
        countries = tuple(c.strip().upper() for c in row["countries"].split("|") if c.strip())
        start, end = _year(row["start_year"]), _year(row["end_year"])
        where = f"emergencies row {number} ({row['id']!r})"
        if not row["id"].strip() or not row["name_en"].strip():
            raise ValueError(f"{where}: id and name_en are required")
        if not countries or any(len(c) != 3 or not c.isalpha() for c in countries):
            raise ValueError(f"{where}: countries must be ISO3 codes separated by '|'")
        if row["type"] not in TYPES:
            raise ValueError(f"{where}: type must be one of {', '.join(TYPES)}")
        if start is not None and end is not None and start > end:
            raise ValueError(f"{where}: start_year {start} is after end_year {end}")
        out.append(Emergency(
            id=row["id"].strip(), name_en=row["name_en"].strip(), name_fr=row["name_fr"].strip(),
            countries=countries, type=row["type"], start_year=start, end_year=end,
            aliases=tuple(a.strip() for a in row["aliases"].split("|") if a.strip()),
        ))
    ids = [e.id for e in out]
    if len(set(ids)) != len(ids):
        raise ValueError("emergencies: ids must be unique")
    owner: dict[str, str] = {}
    for e in out:
        for key in {match_key(n) for n in (e.id, e.name_en, e.name_fr, *e.aliases)} - {""}:
            if owner.setdefault(key, e.id) != e.id:
                raise ValueError(f"emergencies: the name key {key!r} is used by {owner[key]} and {e.id}")
    return tuple(out)


@lru_cache(maxsize=4)
def load_emergencies(path: Path = EMERGENCIES_CSV) -> tuple[Emergency, ...]:
    """Return the emergencies of a list file (the bundled one by default).

    Raises:
        ValueError: a row lacks an id or name, has a country that is not an ISO3 code, an
            unknown type, years out of order, or a name that another emergency also uses.
    """
    with open(path, encoding="utf-8", newline="") as f:
        return _parse(list(csv.DictReader(f)))


def emergency_by_id(emergency_id: str, emergencies: tuple[Emergency, ...] | None = None) -> Emergency | None:
    """Return the emergency with this id, or None."""
    return next((e for e in emergencies or load_emergencies() if e.id == emergency_id), None)


def countries_of(emergency_id: str, emergencies: tuple[Emergency, ...] | None = None) -> tuple[str, ...]:
    """Return the ISO3 codes of an emergency's countries; () for an unknown id."""
    found = emergency_by_id(emergency_id, emergencies)
    return found.countries if found else ()


@lru_cache(maxsize=8)
def _names(emergencies: tuple[Emergency, ...]) -> dict[str, Emergency]:
    # Cached: every link of a row that names its emergency looks its names up (read only).
    return {
        key: e
        for e in emergencies
        for key in (match_key(n) for n in (e.id, e.name_en, e.name_fr, *e.aliases))
        if key
    }


def emergency_by_name(text: object, emergencies: tuple[Emergency, ...] | None = None) -> Emergency | None:
    """Return the emergency whose id, English or French name or alias ``text`` is (folded)."""
    return _names(emergencies or load_emergencies()).get(match_key(text))


def closest_emergencies(text: object, emergencies: tuple[Emergency, ...] | None = None, limit: int = 3) -> tuple[str, ...]:
    """Return the ids of the emergencies whose names are closest to ``text``, best first."""
    names = _names(emergencies or load_emergencies())
    key = match_key(text)
    if not key:
        return ()
    out: list[str] = []
    for choice, score, _ in process.extract(key, list(names), scorer=fuzz.WRatio, limit=len(names)):
        if score >= _MIN_SUGGESTION_SCORE and names[choice].id not in out:
            out.append(names[choice].id)
    return tuple(out[:limit])


def link_emergency(
    emergency_text: object,
    country: str | None,
    year: int | None,
    emergencies: tuple[Emergency, ...] | None = None,
) -> EmergencyLink:
    """Return the emergency a row belongs to.

    Args:
        emergency_text: the row's own "Emergency" cell (None or blank when it has none).
        country: the row's country as an ISO3 code (None when unknown).
        year: the row's year (None when it has none).
        emergencies: the list to use (the bundled one by default).

    Returns:
        From the row's own cell when it has one: the emergency it names (with a warning
        when the row's country or year is outside it), or none with the closest names.
        Otherwise, from the country: its only emergency active in ``year`` (or its only
        emergency at all when the row has no year); none, with a reason and the
        candidates, when the country has no such emergency or several.
    """
    emergencies = emergencies or load_emergencies()
    text = "" if emergency_text is None else str(emergency_text).strip()
    if text and text.casefold() != "nan":
        found = emergency_by_name(text, emergencies)
        if found is None:
            return EmergencyLink(
                None, "", reason=f"'{text}' is not a known emergency",
                candidates=closest_emergencies(text, emergencies),
            )
        doubts = []
        if country and country not in found.countries:
            doubts.append(f"{country} is not one of the countries of {found.name_en} ({', '.join(found.countries)})")
        if year is not None and not found.active_in(year):
            doubts.append(f"{found.name_en} is not active in {year}")
        return EmergencyLink(found, "column", warning="; ".join(doubts))
    if not country:
        return EmergencyLink(None, "", reason="no emergency given and no country to infer it from")
    of_country = [e for e in emergencies if country in e.countries]
    active = [e for e in of_country if year is None or e.active_in(year)]
    when = f" in {year}" if year is not None else ""
    if len(active) == 1:
        return EmergencyLink(active[0], "country")
    if not active:
        return EmergencyLink(
            None, "", reason=f"no emergency of {country} is active{when}",
            candidates=tuple(e.id for e in of_country),
        )
    return EmergencyLink(
        None, "",
        reason=f"{country} has {len(active)} emergencies{when} ({', '.join(e.name_en for e in active)}): "
        "the row must name one",
        candidates=tuple(e.id for e in active),
    )


def link_table(
    frame,
    emergency_column: str | None = "emergency",
    country_column: str = "country_iso3",
    year_column: str | None = None,
    emergencies: tuple[Emergency, ...] | None = None,
):
    """Return the emergency link of every row of a table (4W, funding, mechanisms).

    Args:
        frame: the table (a pandas DataFrame).
        emergency_column: the column holding the row's own emergency, None when the
            table has none (funding, mechanisms).
        country_column: the column of ISO3 codes.
        year_column: the column of years (ints), None when the table has none.
        emergencies: the list to use (the bundled one by default).

    Returns:
        DataFrame on ``frame``'s index with ``emergency_id`` (missing when not linked),
        ``how``, ``reason``, ``warning`` and ``candidates`` (ids joined by "; "), each row
        as :func:`link_emergency` decides it.
    """
    import pandas as pd

    emergencies = emergencies or load_emergencies()

    def column(name: str | None) -> list:
        if name is None or name not in frame.columns:
            return [None] * len(frame)
        return [None if pd.isna(v) else v for v in frame[name]]

    answers: dict[tuple, EmergencyLink] = {}
    rows = []
    for text, country, year in zip(
        column(emergency_column), column(country_column), column(year_column), strict=True
    ):
        key = (text, country, None if year is None else int(year))
        if key not in answers:
            answers[key] = link_emergency(*key, emergencies=emergencies)
        link = answers[key]
        rows.append({
            "emergency_id": link.emergency.id if link.emergency else None,
            "how": link.how,
            "reason": link.reason,
            "warning": link.warning,
            "candidates": "; ".join(link.candidates),
        })
    columns = ["emergency_id", "how", "reason", "warning", "candidates"]
    return pd.DataFrame(rows, index=frame.index, columns=columns)

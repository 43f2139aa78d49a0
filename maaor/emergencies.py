"""Emergencies as data: the crises presence, funding and mechanisms rows belong to.

An emergency is not a country: the Central Sahel crisis spans Burkina Faso, Mali and
Niger; one country can be in two emergencies at once (Niger in Central Sahel and Lake Chad
Basin; Syria's conflict and the 2023 earthquake). The bundled list is
``maaor/data/emergencies.csv`` (id, English and French names, ISO3 countries, type, active
years, aliases). A row is linked to an emergency from its own "Emergency" cell when it has
one, else from its country when exactly one emergency of that country is active in the
row's year; anything else is reported with a reason, never guessed.

Each published version carries its own list (the ``emergencies`` table of its Dataset,
edited by the coordinator through ``maaor.usecases.emergencies``); a version without
one uses the bundled list. Code that shows or checks a version makes its list the one
in use (:func:`use_emergencies`, :func:`emergencies_in_use`); every function here that
is not handed a list reads :func:`active_emergencies`.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from rapidfuzz import fuzz, process

from maaor.problems import Problem, problem
from maaor.textkey import match_key

if TYPE_CHECKING:  # typing only
    from maaor.dataset import Dataset

EMERGENCIES_CSV = Path(__file__).resolve().parent / "data" / "emergencies.csv"
TYPES = ("country", "regional", "disaster")
# Closest emergency names offered for an unknown name (rapidfuzz WRatio on the
# distinctive words, :func:`_words`): 70 keeps "Lake Chad floods" -> Lake Chad Basin and
# drops look-alikes of short names ("car", "opt").
_MIN_SUGGESTION_SCORE = 70.0
_NON_WORD = re.compile(r"[^0-9a-z]+")
_GENERIC_WORDS = frozenset({
    "crisis", "crise", "response", "reponse", "humanitarian", "humanitaire", "emergency",
    "emergencies", "urgence", "hrp", "plan", "the", "of", "in", "and", "a", "de", "du",
    "des", "la", "le", "l", "d", "en", "au", "dans", "et",
})
#: An id is what the URL's ``?emergency=`` accepts (``maaor.filters``).
ID_SHAPE = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
#: Separators accepted between countries or aliases in an edited or uploaded list.
_ITEM_SEP = re.compile(r"[|;,]")
#: The columns of an edited or uploaded list, in order (those of the ``emergencies``
#: table of ``maaor.dataset``).
FIELDS = ("id", "name_en", "name_fr", "countries", "type", "start_year", "end_year", "aliases")
#: Stored alias of an emergency name confirmed by a coordinator: "emergency:<as written>".
ALIAS_PREFIX = "emergency:"
#: Where problems of an edited list point (the Coordinator page's editor).
EDIT_FILE = "emergencies"


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
        cause: why none was linked, as a rule: "unknown" (its cell names no emergency
            of the list), "ambiguous" (its country has several active ones), "none" (its
            country has no active one), "no_country"; "" when one was linked.
    """

    emergency: Emergency | None
    how: str
    reason: str = ""
    warning: str = ""
    candidates: tuple[str, ...] = ()
    cause: str = ""


def _text(value: object) -> str:
    """A cell as stripped text ("" for a blank, NaN or NA)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value).strip()


def _items(value: object) -> list[str]:
    """The items of a cell listing several ("BFA|MLI|NER", "BFA; MLI", "BFA, MLI")."""
    return [item.strip() for item in _ITEM_SEP.split(_text(value)) if item.strip()]


def _year_of(value: object) -> tuple[int | None, bool]:
    """(year, ok): a blank is (None, True); "2019", 2019 and 2019.0 are years."""
    text = _text(value)
    if not text:
        return None, True
    try:
        number = float(text)
    except ValueError:
        return None, False
    if number != int(number) or not 1900 <= number <= 2100:
        return None, False
    return int(number), True


def check_rows(rows: list[Mapping[str, object]], *, file: str = EDIT_FILE,
               sheet: str | None = None, first_row: int = 2,
               labels: Mapping[str, str] | None = None) -> tuple[tuple[Emergency, ...], list[Problem]]:
    """Check a list of emergencies (edited in the page, uploaded or bundled).

    Args:
        rows: one mapping per emergency with the keys of :data:`FIELDS` (countries and
            aliases as lists separated by "|", ";" or ",").
        file, sheet: where the rows come from, for the problems.
        first_row: the row number of the first emergency (2 under a header row).
        labels: the column headers as the user sees them, by field.

    Returns:
        ``(emergencies, problems)``: the emergencies of the rows without errors, and
        one problem per wrong cell (errors: the list may not be published with any).
    """
    from maaor.normalise import country_iso3

    labels = dict(labels or {})
    problems: list[Problem] = []
    out: list[Emergency] = []

    def report(code: str, number: int, fld: str | None, value: object = None, **params) -> None:
        column = labels.get(fld, fld) if fld else None
        shown = _text(value) or None
        problems.append(problem("error", code, {"value": shown, "column": column, **params},
                                file=file, sheet=sheet, row=number, column=column, value=shown))

    owner: dict[str, str] = {}
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=first_row):
        ident, name_en = _text(row.get("id")).lower(), _text(row.get("name_en"))
        if not any(_text(row.get(f)) for f in FIELDS):
            continue  # an empty line of the editor
        errors_before = len(problems)
        for fld, value in (("id", ident), ("name_en", name_en)):
            if not value:
                report("emergencies.required", number, fld)
        if ident and not ID_SHAPE.match(ident):
            report("emergencies.id_invalid", number, "id", ident)
        elif ident in seen:
            report("emergencies.id_duplicate", number, "id", ident, first={"number": seen[ident]})
        seen.setdefault(ident, number)
        written = _items(row.get("countries"))
        if not written:
            report("emergencies.countries_missing", number, "countries")
        parsed = country_iso3(pd.Series(written, dtype="object")) if written else None
        countries: list[str] = []
        for i, item in enumerate(written):
            code = parsed.values.iloc[i]
            # ISO3 codes only (a name is refused: the list is a table of codes), and
            # only codes of real countries ("XXQ" is refused too).
            if pd.isna(code) or code != item.upper():
                report("emergencies.country_invalid", number, "countries", item)
            elif code not in countries:
                countries.append(str(code))
        kind = _text(row.get("type")).lower()
        if kind not in TYPES:
            report("emergencies.type_invalid", number, "type", row.get("type"),
                   allowed=", ".join(TYPES))
        years = {}
        for fld in ("start_year", "end_year"):
            years[fld], ok = _year_of(row.get(fld))
            if not ok:
                report("emergencies.year_invalid", number, fld, row.get(fld))
        start, end = years["start_year"], years["end_year"]
        if start is not None and end is not None and start > end:
            report("emergencies.years_order", number, "end_year", end, start=start)
        aliases = tuple(_items(row.get("aliases")))
        for name in (ident, name_en, _text(row.get("name_fr")), *aliases):
            key = match_key(name)
            if key and owner.setdefault(key, ident) != ident:
                report("emergencies.name_shared", number, "aliases" if name in aliases else "name_en",
                       name, other=owner[key])
        if len(problems) > errors_before:
            continue
        out.append(Emergency(
            id=ident, name_en=name_en, name_fr=_text(row.get("name_fr")) or name_en,
            countries=tuple(countries), type=kind, start_year=start, end_year=end,
            aliases=aliases,
        ))
    if not out and not problems:
        problems.append(problem("error", "emergencies.empty", {}, file=file, sheet=sheet))
    return tuple(out), problems


@lru_cache(maxsize=4)
def load_emergencies(path: Path = EMERGENCIES_CSV) -> tuple[Emergency, ...]:
    """Return the emergencies of a list file (the bundled one by default).

    Raises:
        ValueError: a row lacks an id or name, has a country that is not an ISO3 code, an
            unknown type, years out of order, or a name that another emergency also uses.
    """
    with open(path, encoding="utf-8", newline="") as f:
        found, problems = check_rows(list(csv.DictReader(f)), file=path.name)
    if problems:
        raise ValueError("; ".join(f"{p.where()}: {p.message}" for p in problems))
    return found


_ACTIVE: ContextVar[tuple[Emergency, ...] | None] = ContextVar("maaor_emergencies", default=None)


def active_emergencies() -> tuple[Emergency, ...]:
    """Return the list in use: the shown or checked version's (:func:`use_emergencies`),
    else the bundled one."""
    return _ACTIVE.get() or load_emergencies()


def use_emergencies(emergencies: tuple[Emergency, ...] | None) -> Token:
    """Make ``emergencies`` the list in use in this context (a page run, a CLI command);
    None goes back to the bundled list. Returns the token that undoes it."""
    return _ACTIVE.set(emergencies or None)


@contextmanager
def emergencies_in_use(emergencies: tuple[Emergency, ...] | None) -> Iterator[None]:
    """The list in use is ``emergencies`` inside the block (e.g. aggregates of a
    version being published), the previous one after it."""
    token = use_emergencies(emergencies)
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def to_table(emergencies: tuple[Emergency, ...]) -> pd.DataFrame:
    """Return the list as the ``emergencies`` table of a Dataset."""
    from maaor.dataset import LIST_SEP, conform

    return conform("emergencies", pd.DataFrame([{
        "id": e.id, "name_en": e.name_en, "name_fr": e.name_fr,
        "countries": LIST_SEP.join(e.countries), "type": e.type,
        "start_year": e.start_year, "end_year": e.end_year,
        "aliases": LIST_SEP.join(e.aliases) or None,
    } for e in emergencies], columns=list(FIELDS)))


def table_rows(table: pd.DataFrame) -> list[dict[str, object]]:
    """Return the rows of an ``emergencies`` table (or of the editor) as plain dicts."""
    return [{f: (None if pd.isna(v) else v) for f, v in zip(FIELDS, values, strict=True)}
            for values in table.reindex(columns=list(FIELDS)).itertuples(index=False)]


def emergencies_of(dataset: Dataset) -> tuple[Emergency, ...]:
    """Return the list a version carries (the bundled list when it carries none).

    Its table was checked before it was published; a row that would no longer pass
    (a stricter rule since) is left out rather than failing every page.
    """
    table = dataset.tables["emergencies"]
    if table.empty:
        return load_emergencies()
    found, _ = check_rows(table_rows(table))
    return found or load_emergencies()


def alias_key(text: str) -> str:
    """Return the stored alias of an emergency name as written ("emergency:<text>")."""
    return f"{ALIAS_PREFIX}{str(text).strip()}"


def is_emergency_alias(alias: object) -> bool:
    """True for a stored alias of an emergency name (not an organisation's)."""
    return str(alias).startswith(ALIAS_PREFIX)


def confirmed_names(aliases: Mapping[str, str] | None) -> dict[str, str]:
    """Return the emergency names confirmed by a coordinator among the stored aliases:
    ``match_key`` of the name as written -> emergency id."""
    out: dict[str, str] = {}
    for alias, target in dict(aliases or {}).items():
        if is_emergency_alias(alias) and match_key(alias[len(ALIAS_PREFIX):]):
            out[match_key(alias[len(ALIAS_PREFIX):])] = str(target)
    return out


def with_confirmed(emergencies: tuple[Emergency, ...],
                   confirmed: Mapping[str, str] | None) -> tuple[Emergency, ...]:
    """Return the list with the confirmed names as extra aliases of their emergency
    (a name already in the list, or pointing to an id not in it, is left out)."""
    known = set(_names(emergencies))
    extra: dict[str, list[str]] = {}
    for key, ident in dict(confirmed or {}).items():
        if key not in known:
            extra.setdefault(ident, []).append(key)
    return tuple(replace(e, aliases=(*e.aliases, *extra[e.id])) if e.id in extra else e
                 for e in emergencies)


def emergency_by_id(emergency_id: str, emergencies: tuple[Emergency, ...] | None = None) -> Emergency | None:
    """Return the emergency with this id, or None."""
    return next((e for e in emergencies or active_emergencies() if e.id == emergency_id), None)


def emergency_param(emergency_id: str, emergencies: tuple[Emergency, ...] | None = None) -> dict:
    """Return a problem message's parameter naming an emergency in the reader's language
    with its id in brackets (``maaor.i18n.problems``); an id not in the list stays the id."""
    found = emergency_by_id(emergency_id, emergencies)
    if found is None:
        return {"emergency": [emergency_id, "", ""]}
    return {"emergency": [found.id, found.name_en, found.name_fr]}


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
    return _names(emergencies or active_emergencies()).get(match_key(text))


def _words(text: object) -> str:
    """Words of an emergency name for suggestions: accents, case, punctuation, years and
    generic words dropped ("Sahel crisis 2019" -> "sahel"), so names are compared on
    what tells them apart ("crisis" is in almost every name)."""
    folded = unicodedata.normalize("NFKD", "" if text is None else str(text))
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).casefold()
    return " ".join(w for w in _NON_WORD.split(folded)
                    if w and w not in _GENERIC_WORDS and not w.isdigit())


def closest_emergencies(text: object, emergencies: tuple[Emergency, ...] | None = None, limit: int = 3) -> tuple[str, ...]:
    """Return the ids of the emergencies whose names are closest to ``text``, best first."""
    emergencies = emergencies or active_emergencies()
    names = {_words(n): e for e in emergencies for n in (e.id, e.name_en, e.name_fr, *e.aliases)}
    names.pop("", None)
    key = _words(text)
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
        emergencies: the list to use (:func:`active_emergencies` by default).

    Returns:
        From the row's own cell when it has one: the emergency it names (with a warning
        when the row's country or year is outside it), or none with the closest names.
        Otherwise, from the country: its only emergency active in ``year`` (or its only
        emergency at all when the row has no year); none, with a reason and the
        candidates, when the country has no such emergency or several.
    """
    emergencies = emergencies or active_emergencies()
    text = "" if emergency_text is None else str(emergency_text).strip()
    if text and text.casefold() != "nan":
        found = emergency_by_name(text, emergencies)
        if found is None:
            return EmergencyLink(
                None, "", reason=f"'{text}' is not a known emergency",
                candidates=closest_emergencies(text, emergencies), cause="unknown",
            )
        doubts = []
        if country and country not in found.countries:
            doubts.append(f"{country} is not one of the countries of {found.name_en} ({', '.join(found.countries)})")
        if year is not None and not found.active_in(year):
            doubts.append(f"{found.name_en} is not active in {year}")
        return EmergencyLink(found, "column", warning="; ".join(doubts))
    if not country:
        return EmergencyLink(None, "", reason="no emergency given and no country to infer it from",
                             cause="no_country")
    of_country = [e for e in emergencies if country in e.countries]
    active = [e for e in of_country if year is None or e.active_in(year)]
    when = f" in {year}" if year is not None else ""
    if len(active) == 1:
        return EmergencyLink(active[0], "country")
    if not active:
        return EmergencyLink(
            None, "", reason=f"no emergency of {country} is active{when}",
            candidates=tuple(e.id for e in of_country), cause="none",
        )
    return EmergencyLink(
        None, "",
        reason=f"{country} has {len(active)} emergencies{when} ({', '.join(e.name_en for e in active)}): "
        "the row must name one",
        candidates=tuple(e.id for e in active), cause="ambiguous",
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
        emergencies: the list to use (:func:`active_emergencies` by default).

    Returns:
        DataFrame on ``frame``'s index with ``emergency_id`` (missing when not linked),
        ``how``, ``reason``, ``warning``, ``candidates`` (ids joined by "; ") and
        ``cause`` (:class:`EmergencyLink`), each row
        as :func:`link_emergency` decides it.
    """
    emergencies = emergencies or active_emergencies()

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
            "cause": link.cause,
        })
    columns = ["emergency_id", "how", "reason", "warning", "candidates", "cause"]
    return pd.DataFrame(rows, index=frame.index, columns=columns)

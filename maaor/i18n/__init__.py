"""Interface text in English and French, and numbers, money and dates per language.

Every string the interface shows goes through :func:`t` with a key of the catalogues
``en.json`` and ``fr.json`` (the same keys in both; a test checks it). Vocabulary labels
(pillars, statuses, organisation types) come from :func:`maaor.vocab.label`, country names
from :func:`country_name`.

Numbers and dates are written with Babel's CLDR locale data (separators, month names,
plural rules, the words of the compact units); money keeps the dashboard's rounding (one
decimal under 100).

Formats:
    money   EN "USD 1.2M", "USD 40K", "USD 500"; FR "1,2 M USD", "40 k USD", "500 USD".
    numbers EN "12,345.6"; FR "12 345,6" (narrow no-break space).
    percent EN "45%"; FR "45 %".
    dates   EN "5 Mar 2019"; FR "5 mars 2019".
"""

from __future__ import annotations

import datetime as dt
import json
import math
from functools import lru_cache
from pathlib import Path

import pandas as pd

LANGUAGES: tuple[str, ...] = ("en", "fr")
DEFAULT_LANGUAGE = "en"
CATALOGUE_DIR = Path(__file__).resolve().parent

_NNBSP = "\u202f"  # narrow no-break space: French thousands separator, before "%"
_NBSP = "\u00a0"  # no-break space between a French number and its unit

# Thresholds of the compact money units, largest first (their words come from Babel).
_MONEY_UNITS = (1e9, 1e6, 1e3)


@lru_cache(maxsize=16)
def _compact_unit(threshold: float, lang: str) -> str:
    """The compact unit of ``threshold`` in ``lang``, with its spacing, from Babel's
    CLDR data: EN "K", "M", "B"; FR "\u00a0k", "\u00a0M", "\u00a0Md"."""
    from babel.numbers import format_compact_decimal

    text = format_compact_decimal(threshold, locale=lang)
    return text[text.index("1") + 1:]


def normalise_language(value: object) -> str:
    """Return a supported language code for ``value`` ("fr", "FR", "fr-CA" -> "fr")."""
    text = str(value or "").strip().lower()[:2]
    return text if text in LANGUAGES else DEFAULT_LANGUAGE


@lru_cache(maxsize=len(LANGUAGES))
def catalogue(lang: str) -> dict[str, str]:
    """Return the key -> text catalogue of ``lang``."""
    path = CATALOGUE_DIR / f"{normalise_language(lang)}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def t(key: str, lang: str = DEFAULT_LANGUAGE, **kw: object) -> str:
    """Return the interface text ``key`` in ``lang``, with ``{name}`` fields filled from kw.

    A key missing from ``lang`` falls back to English, then to the key itself, so a page
    never fails on a missing translation (the catalogue test fails instead).
    """
    text = catalogue(lang).get(key)
    if text is None:
        text = catalogue(DEFAULT_LANGUAGE).get(key, key)
    return text.format(**kw) if kw else text


def t_count(key: str, count: object, lang: str = DEFAULT_LANGUAGE, /, **kw: object) -> str:
    """Return :func:`t` of ``key``, or of its singular variant ``key.one`` when ``count``
    is singular in ``lang`` (Babel's plural rules: French 0 and 1, English 1)."""
    if not _missing(count) and plural_form(float(count), lang) == "one":
        one = f"{key}.one"
        if one in catalogue(lang) or one in catalogue(DEFAULT_LANGUAGE):
            return t(one, lang, **kw)
    return t(key, lang, **kw)


def plural_form(n: float, lang: str = DEFAULT_LANGUAGE) -> str:
    """Return the CLDR plural category of ``n`` in ``lang`` ("one", "other" ...): French
    0 and 1 are "one", English only 1."""
    from babel import Locale

    return Locale.parse(normalise_language(lang)).plural_form(abs(n))


def _missing(value: object) -> bool:
    return value is None or (pd.api.types.is_scalar(value) and bool(pd.isna(value)))


def fmt_number(value: object, lang: str = DEFAULT_LANGUAGE, decimals: int = 0) -> str:
    """Return ``value`` with the thousands and decimal separators of ``lang``.

    A missing value gives the "unknown" text of ``lang``.
    """
    if _missing(value):
        return t("value.unknown", lang)
    number = float(value)
    # The sign is part of the key: -0.0 equals 0.0 but is written "-0".
    return _formatted(number, math.copysign(1.0, number) < 0, decimals,
                      normalise_language(lang))


@lru_cache(maxsize=4096)
def _formatted(number: float, negative: bool, decimals: int, locale: str) -> str:
    """:func:`fmt_number` of a known number, formatted once per number, sign, decimals
    and locale (tables repeat the same counts; Babel's formatting was most of a table's
    formatting time)."""
    del negative  # part of the cache key only
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(number, format=pattern, locale=locale)


def _compact(value: float, decimals_under_100: int = 1) -> tuple[float, int]:
    """Return (value rounded for display, decimals): 1 decimal under 100, else none."""
    decimals = decimals_under_100 if abs(value) < 100 else 0
    rounded = round(value, decimals)
    if decimals and rounded == int(rounded):
        decimals = 0
    return rounded, decimals


def fmt_money(value: object, lang: str = DEFAULT_LANGUAGE) -> str:
    """Return a USD amount in compact form: "USD 1.2M" (EN) or "1,2 M USD" (FR).

    Amounts under a thousand are written in full ("USD 500"). A missing amount gives the
    "unknown" text of ``lang`` (an unknown amount is never zero).
    """
    if _missing(value):
        return t("value.unknown", lang)
    amount = float(value)
    lang = normalise_language(lang)
    unit = None
    for threshold in _MONEY_UNITS:
        if abs(amount) >= threshold:
            amount /= threshold
            unit = threshold
            break
    if unit is not None:
        amount, decimals = _compact(amount)
        # 999,950 rounds to "1000K": show it as the next unit instead.
        if abs(amount) >= 1000 and unit < _MONEY_UNITS[0]:
            amount, decimals = _compact(amount / 1000)
            unit *= 1000
    else:
        amount, decimals = round(amount), 0
    number = fmt_number(amount, lang, decimals)
    suffix = _compact_unit(unit, lang) if unit is not None else ""
    if lang == "fr":
        return f"{number}{suffix}{_NBSP}USD"
    return f"USD {number}{suffix}"


def fmt_percent(value: object, lang: str = DEFAULT_LANGUAGE, decimals: int = 0) -> str:
    """Return a 0-100 percentage: "45%" (EN) or "45 %" (FR); missing -> "unknown"."""
    if _missing(value):
        return t("value.unknown", lang)
    number = fmt_number(value, lang, decimals)
    return f"{number}{_NNBSP}%" if normalise_language(lang) == "fr" else f"{number}%"


def fmt_date(value: object, lang: str = DEFAULT_LANGUAGE) -> str:
    """Return a date as "5 Mar 2019" (EN) or "5 mars 2019" (FR); missing -> "unknown"."""
    if _missing(value):
        return t("value.unknown", lang)
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime) or hasattr(value, "to_pydatetime"):
        value = value.date()
    from babel.dates import format_date

    return format_date(value, "d MMM y", locale=normalise_language(lang))


#: The humanitarian names that differ from UNTERM's short names (OCHA usage), EN and FR.
COUNTRY_NAMES_CSV = CATALOGUE_DIR.parent / "data" / "country_names.csv"


@lru_cache(maxsize=1)
def _humanitarian_names() -> dict[str, tuple[str, str]]:
    import csv

    with open(COUNTRY_NAMES_CSV, encoding="utf-8", newline="") as f:
        return {row["iso3"]: (row["name_en"], row["name_fr"]) for row in csv.DictReader(f)}


#: UNTERM's short names, EN and FR, of every country hdx-python-country's offline data
#: knows, taken from that data once (:func:`unterm_short_names`): loading it at run time
#: (its import and its data) took over a second of each process's first page.
SHORT_NAMES_CSV = CATALOGUE_DIR.parent / "data" / "country_short_names.csv"


@lru_cache(maxsize=1)
def _short_names() -> dict[str, tuple[str, str]]:
    import csv

    with open(SHORT_NAMES_CSV, encoding="utf-8", newline="") as f:
        return {row["iso3"]: (row["name_en"], row["name_fr"]) for row in csv.DictReader(f)}


def unterm_short_names() -> dict[str, tuple[str, str]]:
    """Return ISO3 -> (English short, French short) from hdx-python-country's offline
    data, as ``maaor/data/country_short_names.csv`` holds them (a name the data lacks is
    ""). The table is written from this function and a test checks it still equals it::

        python -c "from maaor.i18n import write_short_names; write_short_names()"
    """
    from hdx.location.country import Country

    countries = Country.countriesdata(use_live=False)["countries"]
    return {iso3: (info.get("English Short") or "", info.get("French Short") or "")
            for iso3, info in sorted(countries.items())}


def write_short_names(path=SHORT_NAMES_CSV) -> None:
    """Write :func:`unterm_short_names` to ``path`` (the packaged table by default)."""
    import csv

    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["iso3", "name_en", "name_fr"])
        for iso3, (en, fr) in unterm_short_names().items():
            writer.writerow([iso3, en, fr])


@lru_cache(maxsize=512)
def country_name(iso3: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """Return the short name of a country in ``lang`` as UN humanitarian usage writes it.

    One table decides: ``maaor/data/country_names.csv`` where OCHA's name differs from
    UNTERM's short name ("occupied Palestinian territory"), else UNTERM's short name
    (hdx-python-country's offline data, kept in ``maaor/data/country_short_names.csv``).
    An unknown code is returned as it is.
    """
    own = _humanitarian_names().get(str(iso3))
    if own:
        return own[1] if normalise_language(lang) == "fr" else own[0]
    names = _short_names().get(str(iso3).upper())
    if not names:
        return str(iso3)
    english, french = names
    return (french if normalise_language(lang) == "fr" else english) or english or str(iso3)

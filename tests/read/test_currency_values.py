"""Funding in other currencies, pledged and received, and the values of a 4W that
real files hold (suspended, pillar acronyms in brackets, a humanitarian 3W's "Mine
Action" sector), read as a user sends them."""

from __future__ import annotations

import pytest

from maaor import rates
from maaor.figures.funding import funding_headline, pledged_total
from maaor.load import load_sources
from maaor.sources import Source
from tests.upload_files import xlsx_bytes


def _xlsx(rows) -> bytes:
    return xlsx_bytes(rows[0], rows[1:], title="Data")


def _load(rows):
    return load_sources([Source("tracker.xlsx", _xlsx(rows))])


def _rate(currency, year):
    return rates.usd_rate(currency, year).usd_per_unit


def _codes(result, code):
    return [p for p in result.problems if p.code == code]


def test_currency_column_converts_with_the_years_rate_and_keeps_the_original():
    result = _load([
        ["Donor", "Recipient", "Country", "Year", "Currency", "Pledged", "Received", "Requirements (USD)"],
        ["Germany", "MAG", "Iraq", 2023, "EUR", 1_000_000, 800_000, None],
        ["Norway", "NPA", "Iraq", 2024, "NOK", 10_000_000, 5_000_000, None],
        ["United States", "HALO Trust", "Ukraine", 2024, "USD", 3_000_000, 2_500_000, 4_000_000],
    ])
    funding = result.dataset.funding
    assert result.ok
    assert funding["funded_usd"].tolist() == pytest.approx(
        [800_000 * _rate("EUR", 2023), 5_000_000 * _rate("NOK", 2024), 2_500_000])
    assert funding["currency"].tolist()[:2] == ["EUR", "NOK"]
    assert funding["funded_original"].tolist()[:2] == [800_000, 5_000_000]
    assert funding["required_usd"].tolist()[2] == 4_000_000
    converted = _codes(result, "currency.converted")
    assert {(p.column, p.row) for p in converted} == {
        ("Pledged", 2), ("Pledged", 3), ("Received", 2), ("Received", 3)}
    eur = next(p for p in converted if p.column == "Received" and p.row == 2)
    assert eur.severity == "warning" and eur.file == "tracker.xlsx" and eur.sheet == "Data"
    assert eur.value == "800000"
    assert f"{_rate('EUR', 2023):.6g} USD per EUR, the 2023 average" in eur.message
    assert "ECB" in eur.message
    # The rate is written with the reader's decimal separator.
    french_rate = f"{_rate('EUR', 2023):.6g}".replace(".", ",")
    assert f"{french_rate} USD pour 1 EUR" in eur.message_in("fr"), eur.message_in("fr")


def test_pledged_and_received_are_distinct_totals():
    result = _load([
        ["Donor", "Country", "Year", "Pledged", "Received"],
        ["Japan", "Iraq", 2024, 900_000, 400_000],
        ["Canada", "Iraq", 2024, 100_000, None],
    ])
    funding = result.dataset.funding
    assert pledged_total(funding) == 1_000_000
    assert funding_headline(funding)["funded_usd"] == 400_000  # funded means received


def test_a_year_without_a_rate_leaves_the_amount_out_with_a_warning():
    last = max(y for _, y in rates.rates_table())
    result = _load([
        ["Donor", "Country", "Year", "Currency", "Received"],
        ["Germany", "Iraq", last + 1, "EUR", 1_000_000],
        ["Germany", "Iraq", last + 1, "EUR", 2_000_000],
        ["Japan", "Iraq", last, "USD", 300_000],
    ])
    funding = result.dataset.funding
    assert funding["funded_usd"].isna().tolist() == [True, True, False]  # never summed as USD
    assert funding["funded_original"].tolist()[:2] == [1_000_000, 2_000_000]
    assert funding_headline(funding)["funded_usd"] == 300_000
    (warning,) = _codes(result, "currency.no_rate")
    assert warning.severity == "warning" and warning.row == 2 and warning.column == "Received"
    assert f"2 amounts in EUR of {last + 1}" in warning.message


def test_an_unknown_currency_is_an_error_and_never_counted():
    result = _load([
        ["Donor", "Country", "Year", "Currency", "Received"],
        ["Somebody", "Iraq", 2024, "Dinars", 1_000_000],
        ["Somebody", "Iraq", 2024, None, "XOF 5,000,000"],
    ])
    assert not result.ok
    assert [(p.code, p.row, p.value) for p in result.errors] == [
        ("currency.unknown", 2, "Dinars"), ("currency.unknown", 3, "XOF 5,000,000")]
    assert result.dataset.funding["funded_usd"].isna().all()
    assert result.dataset.funding["currency"].tolist()[0] == "Dinars"


def test_the_currency_written_in_the_value_wins():
    result = _load([
        ["Donor", "Country", "Year", "Received"],
        ["Switzerland", "Ukraine", 2022, "CHF 300'000"],
        ["France", "Mali", 2021, "1 200 000 €"],
        ["Japan", "Iraq", 2021, "$40,000"],
    ])
    funding = result.dataset.funding
    assert funding["funded_usd"].tolist() == pytest.approx(
        [300_000 * _rate("CHF", 2022), 1_200_000 * _rate("EUR", 2021), 40_000])
    assert funding["currency"].tolist()[:2] == ["CHF", "EUR"]
    assert not _codes(result, "money.not_usd")


def test_the_currency_named_by_the_header_applies_to_its_column():
    # The header names the currency; the HXL row places the column.
    result = _load([
        ["Donor", "Country", "Year", "Received CHF", "Requirements (USD)"],
        ["#org+donor", "#country+name", "#date+year", "#value+funded", "#value+required"],
        ["Switzerland", "Ukraine", 2023, 500_000, 1_000_000],
    ])
    funding = result.dataset.funding
    assert funding["funded_usd"].tolist() == pytest.approx([500_000 * _rate("CHF", 2023)])
    assert funding["required_usd"].tolist() == [1_000_000]
    assert funding["currency"].tolist() == ["CHF"]
    assert [p.column for p in _codes(result, "currency.converted")] == ["Received CHF"]


def _presence(rows):
    return load_sources([Source("3w.xlsx", _xlsx(rows))])


def test_suspended_statuses_and_acronym_pillars_load():
    result = _presence([
        ["Organisation", "Country", "Pillar", "Status"],
        ["MAG", "Iraq", "Explosive Ordnance Risk Education (EORE)", "Suspended"],
        ["HI", "Mali", "Éducation aux risques des engins explosifs (EREE)", "Suspendu"],
        ["HALO Trust", "Ukraine", "Victim Assistance (VA)", "On hold"],
        ["NPA", "Iraq", "Land release", "en pause"],
    ])
    assert not result.errors, [p.message for p in result.errors]
    presence = result.dataset.presence
    assert presence["status"].tolist() == ["suspended"] * 4
    assert presence["pillar"].tolist() == ["eore", "eore", "victim_assistance", "land_release"]


def test_a_humanitarian_3w_with_mine_action_as_sector_or_subsector():
    result = _presence([
        ["Organisation", "Country", "Sector", "Subsector", "Activity"],
        ["MAG", "Iraq", "Mine Action", None, "Community liaison"],
        ["NPA", "Iraq", "Mine Action", None, "Coordination meetings"],
        ["DRC", "Iraq", "Protection", "Mine Action", "Awareness"],
        ["HALO Trust", "Iraq", "Protection", "Mine Action", "Non-technical survey"],
        ["FSD", "Iraq", "Action contre les mines", None, "EORE sessions"],
    ])
    assert not result.errors, [p.message for p in result.errors]
    presence = result.dataset.presence
    assert presence["pillar"].tolist() == [
        "unspecified", "unspecified", "unspecified", "land_release", "unspecified"]
    assert presence["subsector"].tolist()[2] == "Mine Action"
    warned = sorted((p.column, p.row, p.value) for p in _codes(result, "pillar.unspecified"))
    assert warned == [("Sector", 2, "Mine Action"), ("Sector", 6, "Action contre les mines"),
                      ("Subsector", 4, "Mine Action")]
    first = next(p for p in _codes(result, "pillar.unspecified") if p.row == 2)
    assert first.severity == "warning" and "2 rows were loaded" in first.message


def test_another_sector_is_still_an_error():
    result = _presence([
        ["Organisation", "Country", "Sector", "Subsector"],
        ["MAG", "Iraq", "Protection", "Child Protection"],
    ])
    assert [(p.code, p.value) for p in result.errors] == [("pillar.unknown", "Protection")]


def test_the_coordinators_rate_file_fills_a_missing_year(tmp_path, monkeypatch):
    last = max(y for _, y in rates.rates_table())
    own = tmp_path / "rates.csv"
    own.write_text(f"currency,year,usd_per_unit,source\nEUR,{last + 1},1.25,Treasury\n", encoding="utf-8")
    monkeypatch.setenv("MAAOR_EXCHANGE_RATES", str(own))
    result = _load([
        ["Donor", "Country", "Year", "Currency", "Received"],
        ["Germany", "Iraq", last + 1, "EUR", 1_000_000],
    ])
    assert result.dataset.funding["funded_usd"].tolist() == [1_250_000]
    (warning,) = _codes(result, "currency.converted")
    assert "1.25 USD per EUR" in warning.message and "Treasury" in warning.message

"""The scored header matcher (issue 10 item 1): real headers, confidences, close headers."""

from __future__ import annotations

import pandas as pd
import pytest

from maaor import matcher
from maaor.load import load_sources
from maaor.read.headers import map_sheet
from maaor.read.types import RawSheet
from maaor.sources import Source


def raw(rows: list[list], sheet: str | None = "Sheet1") -> RawSheet:
    width = max(len(r) for r in rows)
    padded = [list(r) + [None] * (width - len(r)) for r in rows]
    return RawSheet("f.xlsx", sheet, pd.DataFrame(padded, dtype=object))


def placements(mapped) -> dict[str, tuple]:
    return {c.header: (c.field, c.how, c.confidence) for c in mapped.columns}


@pytest.mark.parametrize(
    ("kind", "header", "field", "currency"),
    [
        ("funding", "Requirements (USD)", "required_usd", "USD"),
        ("funding", "Funding received (USD)", "funded_usd", "USD"),
        ("funding", "Montant reçu en $", "funded_usd", "USD"),
        ("presence", "Governorate / Province", "admin1", None),
        ("mechanisms", "Name of coordination mechanism", "name", None),
        ("presence", "Femmes atteintes", "reached_women", None),
        ("presence", "Hommes atteints", "reached_men", None),
        ("presence", "NOM ORGANISATION (cette colonne est renseignée automatiquement)", "org", None),
        ("presence", "Code Terrtoire", "admin2_code", None),
        ("workplan", "Budget\n(in USD, from the project document)", "budget_usd", "USD"),
        ("presence", "Organization names", "org", None),
    ],
)
def test_ordinary_headers_find_their_field(kind, header, field, currency):
    found = matcher.match_header(kind, header)
    assert found is not None and found.target == field
    assert matcher.ACCEPT <= found.confidence < 1.0
    assert found.currency == currency


def test_exact_alias_has_full_confidence_and_unrelated_words_match_nothing():
    assert matcher.match_header("presence", "Organisation").confidence == 1.0
    assert matcher.match_header("presence", "Colour of the folder") is None
    assert matcher.match_header("presence", "Total") is None
    # A typo only counts on words of five letters or more.
    assert matcher.match_header("presence", "Pays") is not None
    assert matcher.match_header("presence", "Pyas") is None


def test_a_typo_is_a_low_confidence_match_warned_with_header_and_field():
    rows = [
        ["Organisation", "Pays", "Code Terrtoire", "Statut"],
        ["MAG", "COD", "CD6101", "Actif"],
    ]
    mapped, problems = map_sheet(raw(rows))
    assert mapped.kind == "presence"
    field, how, confidence = placements(mapped)["Code Terrtoire"]
    assert (field, how) == ("admin2_code", "fuzzy")
    assert confidence < matcher.CONFIDENT
    (warning,) = [p for p in problems if p.code == "header.low_confidence"]
    assert warning.severity == "warning"
    assert "'Code Terrtoire'" in warning.message and "'Admin 2 code'" in warning.message
    assert warning.column == "Code Terrtoire"
    assert mapped.frame["admin2_code"].tolist() == ["CD6101"]


def test_funding_tracker_headers_load_with_fuzzy_placements():
    rows = [
        ["Donor", "Year", "Country", "Requirements (USD)", "Funding received (USD)"],
        ["Germany", 2023, "Iraq", 1000, 400],
    ]
    mapped, problems = map_sheet(raw(rows))
    assert mapped.kind == "funding"
    got = placements(mapped)
    assert got["Requirements (USD)"][:2] == ("required_usd", "fuzzy")
    assert got["Funding received (USD)"][:2] == ("funded_usd", "fuzzy")
    assert got["Donor"] == ("donor", "exact", 1.0)
    assert mapped.frame[["required_usd", "funded_usd"]].iloc[0].tolist() == [1000, 400]
    assert not [p for p in problems if p.severity != "note"]


def test_stacked_two_row_header_is_joined_before_matching():
    rows = [
        [None, None, "Personnes atteintes", None, None, None, None],
        ["Organisation", "Pays", "Femmes", "Hommes", "Filles", "Garçons", "Total"],
        ["MAG", "IRQ", 10, 20, 30, 40, 100],
    ]
    mapped, problems = map_sheet(raw(rows))
    assert mapped.kind == "presence"
    got = placements(mapped)
    assert got["Personnes atteintes / Total"][:2] == ("reached_total", "fuzzy")
    assert got["Personnes atteintes / Femmes"][0] == "reached_women"
    assert got["Personnes atteintes / Garçons"][0] == "reached_boys"
    assert mapped.frame[["reached_women", "reached_boys", "reached_total"]].iloc[0].tolist() == [10, 40, 100]
    assert not [p for p in problems if p.code == "column.not_loaded"]


def test_a_title_above_the_header_is_not_a_group():
    rows = [
        ["4W Iraq, March", None, None],
        ["Organisation", "Country", "Total"],
        ["MAG", "IRQ", 5],
    ]
    mapped, _ = map_sheet(raw(rows))
    assert placements(mapped)["Total"][:2] == (None, "unmapped")


def test_drc_two_row_header_with_instructions_in_the_header_cell_loads():
    rows = [
        ["Qui", None, "Où", None, "Quoi", None],
        [
            "NOM ORGANISATION (cette colonne est renseignée automatiquement)",
            "Type d'organisation",
            "Province",
            "Code Terrtoire",
            "Pilier",
            "Statut",
        ],
        ["MAG", "ONG internationale", "Ituri", "CD5401", "Déminage", "En cours"],
    ]
    mapped, problems = map_sheet(raw(rows), kind="presence")
    assert not [p for p in problems if p.severity == "error"], problems
    assert mapped.frame["org"].tolist() == ["MAG"]
    assert mapped.frame["admin2_code"].tolist() == ["CD5401"]


def test_missing_required_fix_names_the_close_header_instead_of_add_a_column():
    rows = [["Organisatoin partenaire (nom)", "Pays"], ["MAG", "IRQ"]]
    mapped, problems = map_sheet(raw(rows), kind="presence")
    # A typo plus a second word is not sure enough to load the column as Organisation ...
    assert placements(mapped)["Organisatoin partenaire (nom)"][0] is None
    # ... but the fix names it rather than asking for a column that is there.
    (missing,) = [p for p in problems if p.code == "header.missing_required"]
    assert "add a column" not in missing.fix
    assert "'Organisatoin partenaire (nom)'" in missing.fix and "'Organisation'" in missing.fix


def test_missing_required_without_any_close_header_still_says_add():
    rows = [["Colour", "Pays"], ["blue", "IRQ"]]
    _, problems = map_sheet(raw(rows), kind="presence")
    (missing,) = [p for p in problems if p.code == "header.missing_required"]
    assert missing.fix == "add a column headed 'Organisation'"


def test_the_validate_json_columns_report_carries_fuzzy_and_confidence():
    data = "Organisation,Country,Governorate / Province,Femmes atteintes\nMAG,Iraq,Ninewa,12\n"
    result = load_sources([Source("four_w.csv", data.encode())])
    assert result.ok, [p.message for p in result.errors]
    (report,) = result.reports
    columns = {c.header: c.to_dict() for c in report.columns}
    assert columns["Governorate / Province"]["how"] == "fuzzy"
    assert columns["Governorate / Province"]["field"] == "admin1"
    assert 0.9 <= columns["Femmes atteintes"]["confidence"] < 1.0
    assert result.dataset.presence["reached_women"].tolist() == [12]

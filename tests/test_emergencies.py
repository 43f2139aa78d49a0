"""Emergencies as data and the link of a row to its emergency (cases checked by hand)."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from maaor.emergencies import (
    countries_of,
    emergency_by_name,
    link_emergency,
    link_table,
    load_emergencies,
)
from tests.paths import ROOT


def test_bundled_list_covers_the_illustrative_emergencies():
    data = pd.read_excel(ROOT / "data" / "illustrative" / "presence_4w.xlsx", engine="calamine")
    names = {n for n in data["Emergency"].dropna().unique() if not str(n).startswith("#")}
    assert len(names) == 17
    assert all(emergency_by_name(n) is not None for n in names), names


def test_bundled_list_covers_the_in_country_ma_aors():
    covered = {c for e in load_emergencies() for c in e.countries}
    ma_aor = {"AFG", "BFA", "CAF", "COL", "COD", "ETH", "IRQ", "LBY", "MLI", "MMR", "NER", "NGA",
              "PSE", "SOM", "SSD", "SDN", "SYR", "UKR", "YEM"}
    assert ma_aor <= covered


def test_regional_emergencies_and_their_countries():
    assert countries_of("central-sahel") == ("BFA", "MLI", "NER")
    assert countries_of("lake-chad-basin") == ("NGA", "NER", "TCD", "CMR")
    assert set(countries_of("syria-regional")) == {"TUR", "LBN", "JOR", "IRQ", "EGY"}
    assert countries_of("no-such-emergency") == ()


def test_names_fold_in_english_french_and_aliases():
    assert emergency_by_name("CENTRAL SAHEL CRISIS").id == "central-sahel"
    assert emergency_by_name("Crise au Sahel central").id == "central-sahel"
    assert emergency_by_name("crise-au-sahel-central").id == "central-sahel"
    assert emergency_by_name("3RP").id == "syria-regional"
    assert emergency_by_name("Crise en RCA").id == "car"
    assert emergency_by_name("Ebola outbreak") is None


def test_name_in_french():
    assert emergency_by_name("Iraq crisis").name("fr") == "Crise en Irak"


def test_link_from_the_rows_own_column():
    link = link_emergency("Central Sahel crisis", "MLI", 2021)
    assert (link.emergency.id, link.how, link.warning) == ("central-sahel", "column", "")


def test_own_column_wins_over_country():
    # Niger is in two emergencies; the row says which.
    link = link_emergency("Lake Chad Basin", "NER", 2021)
    assert (link.emergency.id, link.how) == ("lake-chad-basin", "column")


def test_own_column_outside_its_countries_or_years_is_linked_with_a_warning():
    link = link_emergency("Syria crisis", "IRQ", 2021)
    assert link.emergency.id == "syria"
    assert "IRQ is not one of the countries" in link.warning
    link = link_emergency("North-west Syria earthquake", "SYR", 2021)
    assert link.emergency.id == "nw-syria-earthquake"
    assert "not active in 2021" in link.warning


def test_unknown_emergency_is_reported_with_closest_names():
    link = link_emergency("Central Sahel crises", "BFA", 2021)
    assert link.emergency is None and link.how == ""
    assert "not a known emergency" in link.reason
    assert link.candidates[0] == "central-sahel"


@pytest.mark.parametrize(
    "country, year, expected",
    [
        ("MLI", 2021, "central-sahel"),  # Mali: only the Central Sahel crisis
        ("BFA", 2020, "central-sahel"),
        ("UKR", 2022, "ukraine"),
        ("SYR", 2021, "syria"),  # the earthquake is 2023 only
        ("TCD", 2021, "lake-chad-basin"),
        ("AFG", None, "afghanistan"),  # no year, one emergency at all
    ],
)
def test_link_from_the_country_when_it_has_one_active_emergency(country, year, expected):
    link = link_emergency(None, country, year)
    assert (link.emergency.id, link.how, link.reason) == (expected, "country", "")


@pytest.mark.parametrize(
    "country, year, candidates",
    [
        ("NER", 2021, {"central-sahel", "lake-chad-basin"}),
        ("NGA", 2021, {"lake-chad-basin", "north-east-nigeria"}),
        ("SYR", 2023, {"syria", "nw-syria-earthquake"}),
        ("IRQ", 2020, {"iraq", "syria-regional"}),
    ],
)
def test_country_with_two_active_emergencies_is_ambiguous(country, year, candidates):
    link = link_emergency("", country, year)
    assert link.emergency is None
    assert f"{country} has 2 emergencies in {year}" in link.reason
    assert set(link.candidates) == candidates


def test_country_without_active_emergency_is_reported():
    link = link_emergency(None, "SYR", 2005)  # before the Syria crisis
    assert link.emergency is None
    assert link.reason == "no emergency of SYR is active in 2005"
    assert link.candidates == ("syria", "nw-syria-earthquake")
    link = link_emergency(None, "FRA", 2021)
    assert link.emergency is None and link.candidates == ()


def test_no_emergency_and_no_country():
    assert "no country" in link_emergency(None, None, 2021).reason


def test_a_bad_list_is_refused(tmp_path):
    header = "id,name_en,name_fr,countries,type,start_year,end_year,aliases,note\n"
    bad = {
        "countries": "x,X,X,Syria,country,,,,\n",
        "type": "x,X,X,SYR,war,,,,\n",
        "years": "x,X,X,SYR,country,2020,2019,,\n",
        "duplicate": "x,X,X,SYR,country,,,,\ny,Y,Y,SYR,country,,,X,\n",
    }
    for name, body in bad.items():
        path = tmp_path / f"{name}.csv"
        path.write_text(header + body, encoding="utf-8")
        with pytest.raises(ValueError):
            load_emergencies(path)


def test_link_table_decides_each_row():
    table = pd.DataFrame({
        "emergency": ["Central Sahel crisis", None, None, None, "Unknown crisis"],
        "country_iso3": ["NER", "MLI", "NER", None, "SYR"],
        "year": [2021, 2021, 2021, 2021, 2021],
    }, index=[10, 11, 12, 13, 14])
    out = link_table(table, year_column="year")
    assert list(out.index) == [10, 11, 12, 13, 14]
    assert out["emergency_id"].fillna("-").tolist() == ["central-sahel", "central-sahel", "-", "-", "-"]
    assert out["how"].tolist() == ["column", "country", "", "", ""]
    assert out.loc[12, "candidates"] == "central-sahel; lake-chad-basin"
    assert "not a known emergency" in out.loc[14, "reason"]


def test_link_table_without_emergency_column():
    funding = pd.DataFrame({"country_iso3": ["UKR", "NGA"], "year": [2022, 2022]})
    out = link_table(funding, emergency_column=None, year_column="year")
    assert out["emergency_id"].fillna("-").tolist() == ["ukraine", "-"]


def test_bundled_4w_rows_all_link_from_their_own_column():
    from maaor.bundled import load_default

    presence = load_default().dataset.presence
    out = link_table(presence)
    assert len(out) == len(presence) == 649
    assert out["how"].eq("column").all()
    assert out["warning"].eq("").all()
    counts = out["emergency_id"].value_counts()
    assert counts["central-sahel"] == 47 and counts["iraq"] == 96 and counts["syria"] == 52


# ------------------------------------------------- funding and mechanisms, row ranges


def _load(tmp_path, name: str, text: str):
    import datetime as dt

    from maaor.load import load_sources
    from maaor.sources import Source

    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_sources([Source.from_path(path)], today=dt.date(2026, 1, 1))


def test_funding_rows_are_linked_from_their_column_else_their_country(tmp_path):
    from maaor.filters import Filters, filter_funding

    result = _load(tmp_path, "funding.csv",
                   "Country,Emergency,Year,Donor,Funded (USD)\n"
                   "Niger,Lake Chad Basin,2024,Germany,100\n"  # 2: its own column
                   "Niger,,2024,Germany,200\n"  # 3: Niger has two emergencies
                   "Mali,,2024,Germany,300\n"  # 4: Mali's only emergency
                   "Iraq,,2013,Germany,400\n"  # 5: no emergency of Iraq active in 2013
                   "Mali,Sahel floods,2024,Germany,500\n")  # 6: unknown name
    found = {(p.severity, p.code, p.value, p.rows) for p in result.problems
             if p.code.startswith("emergency")}
    assert found == {("note", "emergency.ambiguous", "NER", (3,)),
                     ("note", "emergency.none", "IRQ", (5,)),
                     ("warning", "emergency.unknown", "Sahel floods", (6,))}
    funding = result.dataset.funding
    assert funding["emergency"].tolist()[:2] == ["Lake Chad Basin", None] or \
        pd.isna(funding["emergency"].iloc[1])
    lake_chad = filter_funding(funding, Filters(emergency="lake-chad-basin"))
    sahel = filter_funding(funding, Filters(emergency="central-sahel"))
    # The row naming Lake Chad Basin is in it and not in Central Sahel; the Niger row
    # naming none counts in both of Niger's emergencies (as its note says).
    assert sorted(lake_chad["funded_usd"]) == [100.0, 200.0]
    assert sorted(sahel["funded_usd"]) == [200.0, 300.0, 500.0]


def test_mechanisms_are_linked_like_4w_rows(tmp_path):
    result = _load(tmp_path, "mechanisms.csv",
                   "Country,Mechanism,Emergency\n"
                   "Niger,Mine Action Sub-Cluster Niger,Central Sahel\n"
                   "Iraq,Mine Action Sub-Cluster Iraq,\n")
    assert [(p.code, p.value, p.rows) for p in result.problems
            if p.code.startswith("emergency")] == [("emergency.ambiguous", "IRQ", (3,))]
    assert result.dataset.mechanisms["emergency"].iloc[0] == "Central Sahel"


def test_no_emergency_says_year_only_when_the_rows_give_one(tmp_path):
    # Funding rows have a year: none of Iraq's emergencies was active in 2013.
    dated = _load(tmp_path, "funding.csv", "Country,Year,Donor,Funded (USD)\n"
                  "Iraq,2013,Germany,400\nIraq,2013,Germany,500\n")
    (none,) = [p for p in dated.problems if p.code == "emergency.none"]
    assert none.rows == (2, 3)
    assert none.message == ("2 rows (2-3) give no emergency, and no emergency of Iraq in the "
                            "dashboard's list is active in their year: they are linked to no "
                            "emergency.")
    # Mechanisms have no year: the list has no emergency of Kenya at all.
    undated = _load(tmp_path, "mechanisms.csv", "Country,Mechanism\n"
                    "Kenya,Mine Action Working Group Kenya\n")
    (none,) = [p for p in undated.problems if p.code == "emergency.none"]
    assert (none.rows, none.value) == ((2,), "KEN")
    assert none.message == ("No emergency given, and the dashboard's list has no emergency of "
                            "Kenya: row 2 is linked to no emergency.")
    assert "year" not in none.message and "année" not in none.message_in("fr")
    assert none.message_in("fr") == (
        "Aucune urgence indiquée, et la liste du tableau de bord ne compte aucune urgence de ce "
        "pays (Kenya) : la ligne 2 n'est rattachée à aucune urgence.")
    assert none.fix.startswith("Write the row's emergency") and "Kenya" in none.fix_in("fr")


def test_a_grouped_problem_shows_all_its_rows_in_the_tables(tmp_path):
    from maaor.export.annotated import annotated_workbook
    from maaor.ui.coordinator import problems_frame

    result = _load(tmp_path, "funding.csv", "Country,Year,Donor,Funded (USD)\n"
                   "Iraq,2013,Germany,400\nIraq,2013,Germany,500\nMali,2024,Germany,1\n"
                   "Iraq,2013,Germany,600\n")
    (none,) = [p for p in result.problems if p.code == "emergency.none"]
    assert (none.row, none.rows, none.row_label) == (2, (2, 3, 5), "2-3, 5")
    table = problems_frame([none], "en")
    assert table["Row"].tolist() == ["2-3, 5"]
    # The annotated workbook: its Problems sheet names every row, and each row's cell is
    # marked.
    import openpyxl

    from maaor.sources import Source

    book = openpyxl.load_workbook(io.BytesIO(annotated_workbook(
        Source.from_path(tmp_path / "funding.csv"), [none], "en")))
    listed = book.worksheets[0]
    assert [c.value for c in listed[2]][2:4] == [None, "2-3, 5"]
    data = book.worksheets[1]
    assert [r for r in range(1, 6) if data.cell(row=r, column=1).comment] == [2, 3, 5]


def test_row_ranges_are_compact():
    from maaor.problems import RANGES_NAMED, row_ranges

    assert row_ranges([5, 6, 7, 120, 340, 341]) == "5-7, 120, 340-341"
    assert row_ranges([9]) == "9"
    many = row_ranges(range(2, 4 * RANGES_NAMED, 2))
    assert many.endswith(", …") and many.count(",") == RANGES_NAMED


def test_an_edited_list_gets_one_problem_per_wrong_cell():
    from maaor.emergencies import check_rows

    rows = [
        {"id": "Central Sahel", "name_en": "Central Sahel crisis", "countries": "BFA|MLI",
         "type": "regional"},
        {"id": "x", "name_en": "", "countries": "", "type": "country", "start_year": "20x9"},
        {"id": "y", "name_en": "Y crisis", "countries": "SYR", "type": "country",
         "aliases": "Syria crisis"},
        {"id": "y", "name_en": "Other", "countries": "SYR", "type": "country"},
    ]
    _, problems = check_rows(rows, first_row=2)
    assert [(p.code, p.row, p.column, p.value) for p in problems] == [
        ("emergencies.id_invalid", 2, "id", "central sahel"),
        ("emergencies.required", 3, "name_en", None),
        ("emergencies.countries_missing", 3, "countries", None),
        ("emergencies.year_invalid", 3, "start_year", "20x9"),
        ("emergencies.id_duplicate", 5, "id", "y"),
    ]

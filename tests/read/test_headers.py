"""Tests of maaor.read.headers: header/HXL rows, kind recognition, column mapping."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from maaor.read.headers import is_instruction_sheet, map_sheet
from maaor.read.sources import read_source
from maaor.read.types import RawSheet
from maaor.sources import Source


def raw(rows: list[list], sheet: str | None = "Sheet1", **kwargs) -> RawSheet:
    width = max(len(r) for r in rows)
    padded = [list(r) + [None] * (width - len(r)) for r in rows]
    return RawSheet("f.xlsx", sheet, pd.DataFrame(padded, dtype=object), **kwargs)


def codes(problems) -> list[str]:
    return [p.code for p in problems]


PRESENCE_ROWS = [
    ["Organisation", "Country", "Pillar", "Status", "Start"],
    ["MAG", "Iraq", "Clearance", "Active", "2020-01-01"],
    ["HALO Trust", "Afghanistan", "EORE", "Planned", None],
]


def test_plain_presence_sheet():
    mapped, problems = map_sheet(raw(PRESENCE_ROWS))
    assert problems == []
    assert mapped.kind == "presence"
    assert mapped.header_row == 1
    assert mapped.hxl_row is None
    assert list(mapped.frame.columns) == ["org", "country_iso3", "pillar", "status", "start"]
    assert mapped.frame.to_numpy().tolist() == [row for row in PRESENCE_ROWS[1:]]
    assert mapped.rows == [2, 3]
    assert mapped.letters == {
        "org": "A",
        "country_iso3": "B",
        "pillar": "C",
        "status": "D",
        "start": "E",
    }
    assert mapped.labels["org"] == "Organisation"
    assert set(mapped.mapped_by.values()) == {"header"}
    assert mapped.unmapped == []


def test_title_rows_above_the_header():
    rows = [
        ["MA AoR work plan 2019"],
        [],
        ["Updated 5 March", None, None, "draft"],
        *PRESENCE_ROWS,
    ]
    mapped, problems = map_sheet(raw(rows))
    assert mapped.kind == "presence"
    assert mapped.header_row == 4
    assert mapped.rows == [5, 6]
    assert mapped.frame["org"].tolist() == ["MAG", "HALO Trust"]


def test_french_headers():
    rows = [
        ["Organisation", "Pays", "Pilier", "Statut", "Date de début"],
        ["Handicap International", "Mali", "Éducation aux risques", "En cours", "01/02/2020"],
    ]
    mapped, problems = map_sheet(raw(rows))
    assert problems == []
    assert mapped.kind == "presence"
    assert list(mapped.frame.columns) == ["org", "country_iso3", "pillar", "status", "start"]
    assert mapped.labels["start"] == "Date de début"


def test_hxl_row_below_the_header():
    rows = [
        ["Partner", "Where", "Province", "What"],
        ["#org+impl", "#country", "#adm1+name", "#sector"],
        ["MAG", "Iraq", "Ninewa", "Clearance"],
    ]
    mapped, problems = map_sheet(raw(rows))
    assert mapped.kind == "presence"
    assert mapped.header_row == 1
    assert mapped.hxl_row == 2
    assert mapped.rows == [3]
    # "Province" is a known header; the others are known by their tags only.
    assert mapped.mapped_by == {
        "org": "hxl",
        "country_iso3": "hxl",
        "admin1": "header",
        "pillar": "hxl",
    }
    assert mapped.labels == {
        "org": "Partner",
        "country_iso3": "Where",
        "admin1": "Province",
        "pillar": "What",
    }


def test_hxl_row_above_the_header():
    rows = [
        ["#org", "#country", "#status"],
        ["Organisation", "Country", "Status"],
        ["MAG", "Iraq", "Active"],
    ]
    mapped, problems = map_sheet(raw(rows))
    assert mapped.kind == "presence"
    assert (mapped.hxl_row, mapped.header_row) == (1, 2)
    assert mapped.rows == [3]
    assert mapped.frame.to_numpy().tolist() == [["MAG", "Iraq", "Active"]]


def test_header_text_wins_over_tag():
    rows = [["Organisation", "Country"], ["#org", "#adm1"], ["MAG", "Iraq"]]
    mapped, _ = map_sheet(raw(rows))
    assert mapped.frame.columns.tolist() == ["org", "country_iso3"]
    assert mapped.mapped_by == {"org": "header", "country_iso3": "header"}


def test_hxl_only_csv():
    data = b"#org,#country,#adm1,#sector,#reached+f+children\nMAG,Iraq,Ninewa,Clearance,12\nHI,Mali,Gao,EORE,30\n"
    result = read_source(Source("hxl.csv", data))
    mapped, problems = map_sheet(result.sheets[0])
    assert mapped.kind == "presence"
    assert mapped.header_row is None
    assert mapped.hxl_row == 1
    assert mapped.rows == [2, 3]
    assert mapped.labels["org"] == "#org"
    assert mapped.frame["reached_girls"].tolist() == ["12", "30"]
    assert set(mapped.mapped_by.values()) == {"hxl"}
    (problem,) = problems
    assert (problem.severity, problem.code, problem.row) == ("note", "header.hxl_row", 1)
    assert "#org, #country, #adm1, #sector, ..." in problem.message


def test_data_row_under_hxl_only_row_is_not_taken_as_header():
    # The first data row holds a word that is also a header alias ("Region").
    rows = [["#org", "#country", "#status", "#adm1"], ["MAG", "Iraq", "Active", "Region"]]
    mapped, _ = map_sheet(raw(rows))
    assert mapped.header_row is None
    assert mapped.rows == [2]


def test_duplicate_headers_are_reported_with_both_letters():
    rows = [
        ["Organisation", "Country", "Organisation", "Notes", "Notes"],
        ["MAG", "Iraq", "HALO", "a", "b"],
    ]
    mapped, problems = map_sheet(raw(rows))
    assert mapped.frame["org"].tolist() == ["MAG"]
    assert mapped.letters["org"] == "A"
    duplicates = [p for p in problems if p.code == "header.duplicate"]
    assert [(p.severity, p.value, p.column) for p in duplicates] == [
        ("error", "A, C", "Organisation"),
        ("warning", "D, E", "Notes"),
    ]
    assert "Columns A and C" in duplicates[0].message
    assert duplicates[0].row == 1


def test_two_headers_meaning_the_same_field_use_the_first():
    rows = [["Organisation", "Country name", "Country code"], ["MAG", "Iraq", "IRQ"]]
    mapped, problems = map_sheet(raw(rows))
    assert mapped.letters["country_iso3"] == "B"
    problem, not_loaded = problems
    assert problem.code == "header.same_field"
    assert problem.column == "Country code"
    # Its values are not loaded, and the report says so with the reason.
    assert (not_loaded.severity, not_loaded.code, not_loaded.value) == ("warning", "column.not_loaded", "'IRQ'")
    assert "column B is loaded for the same field" in not_loaded.message


def test_unmapped_columns_with_values_are_warnings_with_their_first_values():
    rows = [
        ["Organisation", "Country", "Colour", "Shoe size", "Empty"],
        ["MAG", "Iraq", "red", 42.0, None],
        ["HALO", "Iraq", "red", 43.0, None],
        ["NPA", "Iraq", "blue", None, None],
    ]
    mapped, problems = map_sheet(raw(rows))
    assert mapped.unmapped == ["Colour", "Shoe size", "Empty"]
    colour, shoe, empty = problems
    assert (colour.severity, colour.code, colour.column, colour.value) == (
        "warning", "column.not_loaded", "Colour", "'red', 'blue'"
    )
    assert colour.message == (
        "Column C ('Colour') was not loaded: its header is not one the dashboard knows; 3 values "
        "left out (first: 'red', 'blue')."
    )
    assert (shoe.column, shoe.value) == ("Shoe size", "'42', '43'")
    # A header over no values loses nothing: one note.
    assert (empty.severity, empty.code, empty.value) == ("note", "header.unmapped", "Empty")
    assert [(c.header, c.column_letter, c.field, c.how, c.values_not_loaded) for c in mapped.columns] == [
        ("Organisation", "A", "org", "exact", 0),
        ("Country", "B", "country_iso3", "exact", 0),
        ("Colour", "C", None, "unmapped", 3),
        ("Shoe size", "D", None, "unmapped", 2),
        ("Empty", "E", None, "unmapped", 0),
    ]


def test_values_under_no_header_are_reported():
    rows = [["Organisation", "Country", None], ["MAG", "Iraq", "note to self"]]
    mapped, problems = map_sheet(raw(rows))
    (problem,) = problems
    assert problem.code == "column.not_loaded" and problem.column == "C"
    assert "Column C (no header) was not loaded: it has no header; 1 value left out" in problem.message
    assert mapped.columns[-1].header == "" and mapped.columns[-1].how == "unmapped"


def test_named_kind_reports_missing_required_columns():
    rows = [["Activity", "Lead", "Budget"], ["Train staff", "UNMAS", "USD 40,000"]]
    mapped, problems = map_sheet(raw(rows), kind="workplan")
    assert mapped.kind == "workplan"
    missing = [p for p in problems if p.code == "header.missing_required"]
    assert [p.column for p in missing] == ["Objective ID", "Output ID", "Activity ID"]
    assert all(p.severity == "error" for p in missing)
    assert missing[0].fix == "Add a column headed 'Objective ID'."


def test_kind_named_on_the_raw_sheet_is_used():
    mapped, _ = map_sheet(raw(PRESENCE_ROWS, kind="presence"))
    assert mapped.kind == "presence"


def test_unknown_named_kind_is_an_error():
    mapped, problems = map_sheet(raw(PRESENCE_ROWS), kind="budget")
    assert mapped is None
    assert codes(problems) == ["sheet.kind_unknown"]
    assert problems[0].severity == "error"


def test_recognised_kind_with_a_missing_required_column():
    rows = [["organisation", "activity", "status", "admin1"], ["MAG", "EORE", "Ongoing", "X1"]]
    mapped, problems = map_sheet(raw(rows, sheet=None))
    assert mapped.kind == "presence"
    assert codes(problems) == ["header.missing_required"]
    assert problems[0].column == "Country"


def test_missing_country_is_not_required_where_pcodes_can_give_it():
    # Validation takes the country from the P-codes (see tests/test_validate_pcodes.py).
    rows = [["organisation", "activity", "status", "adm2_code"], ["MAG", "EORE", "Ongoing", "X1"]]
    mapped, problems = map_sheet(raw(rows, sheet=None))
    assert mapped.kind == "presence"
    assert codes(problems) == []


def test_unrecognisable_sheet_gives_a_problem_and_none():
    rows = [["Colour", "Size"], ["red", "42"]]
    mapped, problems = map_sheet(raw(rows))
    assert mapped is None
    assert codes(problems) == ["sheet.kind_unknown"]
    assert problems[0].severity == "warning"  # one sheet of a workbook: skipped
    assert "could not tell what kind of sheet this is" in problems[0].message
    mapped, problems = map_sheet(raw(rows, sheet=None))
    assert problems[0].severity == "error"  # the whole CSV file


def test_ambiguous_sheet_is_not_guessed():
    # Organisation + Country is a 4W; Country + Name a coordination mechanism.
    rows = [["Country", "Name", "Organisation"], ["Iraq", "Mine Action Sub-Cluster", "UNMAS"]]
    mapped, problems = map_sheet(raw(rows))
    assert mapped is None
    assert codes(problems) == ["sheet.kind_unknown"]
    assert "4W presence" in problems[0].message
    assert "coordination mechanisms" in problems[0].message


def test_country_and_year_alone_read_as_funding():
    mapped, problems = map_sheet(raw([["Country", "Year"], ["Iraq", "2020"]]))
    assert mapped.kind == "funding"


def test_fts_headers_are_recognised():
    rows = [
        ["countryCode", "id", "name", "code", "year", "requirements", "funding", "percentFunded"],
        ["AFG", "929", "Afghanistan 2020", "HAFG20", "2020", "1131050820", "564467765", "50"],
    ]
    mapped, problems = map_sheet(raw(rows, sheet=None))
    assert mapped.kind == "fts"
    assert mapped.frame.columns.tolist() == [
        "country_iso3",
        "plan_id",
        "plan_name",
        "plan_code",
        "year",
        "required_usd",
        "funded_usd",
        "percent_funded",
    ]


@pytest.mark.parametrize(
    "name", ["Instructions", "Read me", "README", "Lisez-moi", "About", "Notes", "Lists", "Listes"]
)
def test_instruction_sheets_are_ignored_with_a_note(name):
    assert is_instruction_sheet(name)
    mapped, problems = map_sheet(raw(PRESENCE_ROWS, sheet=name))
    assert mapped is None
    assert codes(problems) == ["sheet.instructions"]
    assert problems[0].severity == "note"


@pytest.mark.parametrize("name", ["4W", "Work plan", "List of activities", None])
def test_data_sheet_names_are_not_instructions(name):
    assert not is_instruction_sheet(name)


def test_empty_rows_are_dropped_and_rows_keep_excel_numbers():
    rows = [
        PRESENCE_ROWS[0],
        [None] * 5,
        PRESENCE_ROWS[1],
        ["  ", "", None, " ", None],  # blanks only: not data
        [None, None, None, None, "2020-02-02"],  # one value: data
        PRESENCE_ROWS[2],
    ]
    cells = pd.DataFrame(rows, dtype=object).where(lambda d: d.ne(""), None)
    mapped, _ = map_sheet(RawSheet("f.xlsx", "4W", cells))
    assert mapped.rows == [3, 5, 6]
    assert mapped.frame["start"].tolist() == ["2020-01-01", "2020-02-02", None]


def test_row_with_values_only_in_unmapped_columns_is_kept():
    rows = [["Organisation", "Country", "Colour"], ["MAG", "Iraq", None], [None, None, "red"]]
    mapped, _ = map_sheet(raw(rows))
    assert mapped.rows == [2, 3]
    assert mapped.frame.iloc[1].tolist() == [None, None]


def test_error_cells_and_uncached_formulas_are_rekeyed():
    rows = [["Title"], PRESENCE_ROWS[0], ["MAG", "#REF!", None, None, None]]
    sheet = raw(rows, error_cells={(2, 1): "#REF!"}, formula_no_cache={(2, 4): "=TODAY()"})
    mapped, _ = map_sheet(sheet)
    assert mapped.error_cells == {(3, "country_iso3"): "#REF!"}
    assert mapped.formula_no_cache == {(3, "start"): "=TODAY()"}


def test_row_holding_only_an_uncached_formula_is_kept():
    rows = [PRESENCE_ROWS[0], PRESENCE_ROWS[1], [None] * 5]
    mapped, _ = map_sheet(raw(rows, formula_no_cache={(2, 4): "=A1"}))
    assert mapped.rows == [2, 3]


def test_first_row_offset_is_applied():
    mapped, _ = map_sheet(raw(PRESENCE_ROWS, first_row=2))
    assert mapped.header_row == 2
    assert mapped.rows == [3, 4]


def test_empty_sheet_gives_a_note():
    mapped, problems = map_sheet(RawSheet("f.xlsx", "Empty", pd.DataFrame(dtype=object)))
    assert mapped is None
    assert codes(problems) == ["sheet.empty"]


def test_values_are_untouched():
    rows = [
        ["Organisation", "Country", "People reached"],
        ["MAG", "Iraq", 1500.0],
        ["HI", "Mali", "n/a"],
    ]
    mapped, _ = map_sheet(raw(rows))
    assert mapped.frame["reached_total"].tolist() == [1500.0, "n/a"]
    assert mapped.frame.dtypes.tolist() == [object, object, object]


def test_workbook_with_a_work_plan_sheet_and_a_4w_sheet():
    wb = openpyxl.Workbook()
    plan = wb.active
    plan.title = "Work plan"
    plan.append(["MA AoR work plan 2019"])
    plan.append([])
    plan.append(["Objective ID", "Output ID", "Activity ID", "Activity", "Lead", "Budget (USD)"])
    plan.append(["1", "1.1", "1.1.1", "Deploy coordinators", "UNMAS", 40000])
    plan.append(["1", "1.1", "1.1.2", "Train IM officers", "iMMAP", None])
    four_w = wb.create_sheet("4W")
    four_w.append(["Organisation", "Country", "Admin 1", "Pillar", "Status"])
    four_w.append(["#org", "#country", "#adm1", "#sector", "#status"])
    four_w.append(["MAG", "Iraq", "Ninewa", "Clearance", "Active"])
    wb.create_sheet("Instructions")["A1"] = "Fill in one row per activity."
    buf = io.BytesIO()
    wb.save(buf)

    result = read_source(Source("plan.xlsx", buf.getvalue()))
    outcomes = [map_sheet(sheet) for sheet in result.sheets]
    kinds = [(m.sheet, m.kind, len(m.frame)) for m, _ in outcomes if m is not None]
    assert kinds == [("Work plan", "workplan", 2), ("4W", "presence", 1)]
    plan_mapped = outcomes[0][0]
    assert plan_mapped.header_row == 3
    assert plan_mapped.rows == [4, 5]
    assert plan_mapped.frame["budget_usd"].tolist() == [40000, None]
    assert codes(outcomes[2][1]) == ["sheet.instructions"]


def test_tag_like_data_row_far_below_the_header_is_data():
    rows = [
        ["Organisation", "Country", "Status"],
        ["MAG", "Iraq", "Active"],
        ["#org", "#country", "#status"],
        ["HALO", "Iraq", "Active"],
    ]
    mapped, problems = map_sheet(raw(rows))
    assert mapped.hxl_row is None
    assert mapped.rows == [2, 3, 4]
    assert problems == []


def test_same_header_with_different_tags_is_not_a_duplicate():
    rows = [
        ["Organisation", "Country", "Reached", "Reached"],
        ["#org", "#country", "#reached+f+children", "#reached+m+children"],
        ["MAG", "Iraq", "10", "12"],
    ]
    mapped, problems = map_sheet(raw(rows))
    # The repeated header does not tell the columns apart: their tags do.
    assert mapped.frame.columns.tolist() == ["org", "country_iso3", "reached_girls", "reached_boys"]
    assert mapped.frame.iloc[0].tolist() == ["MAG", "Iraq", "10", "12"]
    assert mapped.mapped_by["reached_girls"] == "hxl"
    assert codes(problems) == ["header.hxl_row"]


def test_hxl_exact_tag_beats_a_bare_hashtag_to_its_left():
    rows = [
        ["#org+prog", "#org+impl", "#country", "#sector"],
        ["Donor Programme", "MAG", "Iraq", "Clearance"],
        ["Donor Programme", "HALO Trust", "Iraq", "EORE"],
    ]
    mapped, problems = map_sheet(raw(rows))
    assert mapped.kind == "presence"
    # The implementer is the organisation; the programme partner is not taken for it.
    assert mapped.letters["org"] == "B"
    assert mapped.frame["org"].tolist() == ["MAG", "HALO Trust"]
    (not_loaded,) = [p for p in problems if p.code == "column.not_loaded"]
    assert (not_loaded.column, not_loaded.value) == ("#org+prog", "'Donor Programme'")


def test_hxl_bare_hashtag_loses_to_an_exact_tag_anywhere_in_the_row():
    rows = [["#org", "#country", "#org+impl"], ["Cluster lead", "Iraq", "MAG"]]
    mapped, problems = map_sheet(raw(rows))
    assert mapped.letters["org"] == "C"
    assert mapped.frame["org"].tolist() == ["MAG"]
    assert [p.code for p in problems if p.severity != "note"] == ["header.same_field", "column.not_loaded"]


def test_hxl_disaggregated_reach_before_the_total_is_not_the_total():
    rows = [
        ["Organisation", "Country", "Elderly women", "All"],
        ["#org", "#country", "#reached+f+elderly", "#reached+total"],
        ["MAG", "Iraq", 12, 300],
    ]
    mapped, problems = map_sheet(raw(rows))
    assert (mapped.letters["reached_total"], mapped.mapped_by["reached_total"]) == ("D", "hxl")
    assert mapped.frame["reached_total"].tolist() == [300]
    assert "reached_women" not in mapped.letters
    placement = {c.column_letter: c for c in mapped.columns}["C"]
    assert (placement.field, placement.how, placement.values_not_loaded) == (None, "unmapped", 1)
    assert any(p.code == "column.not_loaded" and p.column == "Elderly women" for p in problems)


# ------------------------------------------------------- header overrides (mapping profiles)


def test_header_overrides_come_before_matching_and_ignore_without_a_warning():
    rows = [
        ["Report May", None, None, None],
        ["Agence", "Country", "Organisation", "Notes"],
        ["MAG", "Iraq", "x", "n1"],
        ["HALO Trust", "Iraq", "y", "n2"],
    ]
    before, problems = map_sheet(raw(rows), kind="presence")
    assert {c.header: c.how for c in before.columns}["Agence"] == "unmapped"
    assert "column.not_loaded" in codes(problems)

    overrides = {"agence": "org", "organisation": None, "notes": None, "unknown": "org"}
    mapped, problems = map_sheet(raw(rows), kind="presence", header_overrides=overrides)
    assert mapped.header_row == 2
    assert [(c.header, c.field, c.how) for c in mapped.columns] == [
        ("Agence", "org", "profile"), ("Country", "country_iso3", "exact"),
        ("Organisation", None, "ignored"), ("Notes", None, "ignored")]
    assert mapped.frame["org"].tolist() == ["MAG", "HALO Trust"]
    assert "column.not_loaded" not in codes(problems)
    assert mapped.unmapped == []
    # Ignored values are still counted: nothing leaves in silence.
    assert [c.values_not_loaded for c in mapped.columns] == [0, 0, 2, 2]


def test_header_overrides_find_a_header_row_of_headers_the_dashboard_does_not_know():
    rows = [["Agence", "Pays d'intervention"], ["MAG", "Iraq"]]
    mapped, _ = map_sheet(raw(rows), kind="presence",
                          header_overrides={"agence": "org", "paysdintervention": "country_iso3"})
    assert mapped is not None and mapped.header_row == 1
    assert [(c.field, c.how) for c in mapped.columns] == [("org", "profile"),
                                                          ("country_iso3", "profile")]
# The scored header matcher (maaor.matcher) inside map_sheet.


def placements(mapped) -> dict[str, tuple]:
    return {c.column_letter: (c.field, c.how, c.confidence) for c in mapped.columns}


def test_headers_the_field_sends_are_placed_with_their_confidence():
    rows = [
        ["NOM ORGANISATION (cette colonne est renseignée automatiquement)", "Pays",
         "Governorate / Province", "Code Terrtoire", "Femmes atteintes", "Hommes atteints", "Colour"],
        ["MAG", "Iraq", "Ninewa", "IQG15Q01", 10, 12, "red"],
    ]
    mapped, problems = map_sheet(raw(rows))
    assert mapped.kind == "presence"
    assert placements(mapped) == {
        "A": ("org", "fuzzy", 0.95),
        "B": ("country_iso3", "exact", 1.0),
        "C": ("admin1", "fuzzy", 0.95),
        "D": ("admin2_code", "fuzzy", 0.83),
        "E": ("reached_women", "fuzzy", 0.95),
        "F": ("reached_men", "fuzzy", 0.95),
        "G": (None, "unmapped", 0.0),
    }
    assert mapped.frame.iloc[0].tolist() == ["MAG", "Iraq", "Ninewa", "IQG15Q01", 10, 12]
    # Below the high threshold: placed, and a warning names the header and the field.
    (low,) = [p for p in problems if p.code == "column.low_confidence"]
    assert (low.severity, low.column, low.value, low.row) == ("warning", "Code Terrtoire", "Admin 2 code", 1)
    assert "Code Terrtoire" in low.message and "Admin 2 code" in low.message
    assert "Code Terrtoire" in low.message_in("fr") and "Admin 2 code" in low.message_in("fr")
    assert [p.code for p in problems] == ["column.low_confidence", "column.not_loaded"]


def test_comments_on_budget_is_not_the_budget():
    rows = [
        ["Objective ID", "Output ID", "Activity ID", "Activity", "Comments on budget", "Target 2023"],
        ["1", "1.1", "1.1.1", "Survey", "to be confirmed", 5],
    ]
    mapped, problems = map_sheet(raw(rows), kind="workplan")
    assert "budget_usd" not in mapped.frame.columns
    assert mapped.letters["budget_note"] == "E"
    assert placements(mapped)["F"] == (None, "unmapped", 0.0)
    assert any(p.code == "column.not_loaded" and p.column == "Target 2023" for p in problems)


def test_target_of_a_year_is_not_actual_beside_a_year_column():
    rows = [
        ["Indicator ID", "Indicator", "Year", "Target 2023", "Actual"],
        ["1a", "Area released", 2023, 100, 80],
    ]
    mapped, _ = map_sheet(raw(rows), kind="indicators")
    assert mapped.letters["actual"] == "E"
    assert placements(mapped)["D"][0] is None


def test_units_and_currencies_stay_on_the_placement():
    rows = [
        ["Donor", "Year", "Requirements (USD)", "Funding received (EUR)", "Name of coordination mechanism"],
        ["Germany", 2023, 100, 80, "x"],
    ]
    mapped, _ = map_sheet(raw(rows), kind="funding")
    assert mapped.units == {"required_usd": "USD", "funded_usd": "EUR"}
    by_letter = {c.column_letter: c for c in mapped.columns}
    assert (by_letter["C"].unit, by_letter["D"].unit, by_letter["A"].unit) == ("USD", "EUR", None)
    assert by_letter["D"].to_dict()["unit"] == "EUR"
    assert mapped.frame["funded_usd"].tolist() == [80]  # amounts are not converted here


def test_stacked_french_header_group_row_over_sub_headers():
    rows = [
        ["Rapport 4W"],
        ["NOM ORGANISATION\n(renseigné automatiquement)", "Pays", "Personnes atteintes", None, None, None, None],
        [None, None, "Femmes", "Hommes", "Filles", "Garçons", "Total"],
        ["MAG", "RDC", 1, 2, 3, 4, 10],
        ["HALO", "RDC", 5, 6, 7, 8, 26],
    ]
    mapped, problems = map_sheet(raw(rows))
    assert mapped.kind == "presence"
    assert mapped.header_row == 3
    assert mapped.rows == [4, 5]
    assert mapped.frame.columns.tolist() == [
        "org", "country_iso3", "reached_women", "reached_men", "reached_girls", "reached_boys", "reached_total"
    ]
    assert mapped.frame.iloc[1].tolist() == ["HALO", "RDC", 5, 6, 7, 8, 26]
    # "Total" alone is nothing; under "Personnes atteintes" it is the people reached.
    assert placements(mapped)["G"] == ("reached_total", "fuzzy", 0.9)
    assert [p.code for p in problems if p.severity != "note"] == []


def test_stacked_english_header_people_reached_over_women_men_girls_boys():
    rows = [
        ["Organisation", "Country", "People reached", None, None, None],
        [None, None, "Women", "Men", "Girls", "Boys"],
        ["MAG", "Iraq", 1, 2, 3, 4],
    ]
    mapped, problems = map_sheet(raw(rows))
    assert (mapped.kind, mapped.header_row, mapped.rows) == ("presence", 2, [3])
    assert mapped.frame.iloc[0].tolist() == ["MAG", "Iraq", 1, 2, 3, 4]
    assert problems == []


def test_a_data_row_under_the_header_is_not_a_sub_header():
    rows = [
        ["Organisation", "Country", "Status", "Pillar", None],
        ["MAG", "Iraq", "Active", "Clearance", "extra"],
        ["HALO", "Iraq", "Active", "EORE", None],
    ]
    mapped, _ = map_sheet(raw(rows))
    assert (mapped.header_row, mapped.rows) == (1, [2, 3])


def test_two_columns_for_one_field_the_best_wins_and_the_other_is_reported():
    rows = [["Organisation name (auto)", "Organisation", "Country"], ["x", "MAG", "Iraq"]]
    mapped, problems = map_sheet(raw(rows))
    assert mapped.letters["org"] == "B"  # exact beats close, even to its right
    (same,) = [p for p in problems if p.code == "header.same_field"]
    assert same.column == "Organisation name (auto)"
    assert placements(mapped)["A"] == (None, "unmapped", 0.0)


def test_hxl_tag_beats_a_close_header_on_its_column():
    rows = [
        ["Organisation", "Country", "Governorate / Province"],
        ["#org", "#country", "#adm2"],
        ["MAG", "Iraq", "Mosul"],
    ]
    mapped, _ = map_sheet(raw(rows), kind="presence")
    # The tag is exact (1.0), the header only close: the column is the admin 2.
    assert (mapped.letters["admin2"], mapped.mapped_by["admin2"]) == ("C", "hxl")
    assert "admin1" not in mapped.letters
    assert placements(mapped)["C"] == ("admin2", "hxl", 1.0)


def test_header_overrides_place_and_ignore_columns_before_matching():
    rows = [["Partenaire", "Country", "Colour", "Shoe size"], ["MAG", "Iraq", "red", 42]]
    overrides = {"partenaire": "org", "colour": None, "shoesize": "not_a_field"}
    mapped, problems = map_sheet(raw(rows), kind="presence", header_overrides=overrides)
    assert placements(mapped) == {
        "A": ("org", "profile", 1.0),
        "B": ("country_iso3", "exact", 1.0),
        "C": (None, "ignored", 1.0),
        "D": (None, "unmapped", 0.0),  # a field the kind lacks is not applied
    }
    assert mapped.frame["org"].tolist() == ["MAG"]
    ignored = {c.column_letter: c for c in mapped.columns}["C"]
    assert ignored.values_not_loaded == 1  # counted, not warned about
    assert [(p.code, p.column) for p in problems] == [("column.not_loaded", "Shoe size")]


def test_header_overrides_make_an_unknown_sheet_readable():
    rows = [["Qui", "Où"], ["MAG", "Iraq"]]
    mapped, problems = map_sheet(raw(rows))
    assert mapped is None
    mapped, problems = map_sheet(raw(rows), header_overrides={"qui": "org", "ou": "country_iso3"})
    assert (mapped.kind, mapped.frame.iloc[0].tolist()) == ("presence", ["MAG", "Iraq"])
    assert {c.how for c in mapped.columns} == {"profile"}


def test_header_override_beats_an_exact_header_for_the_same_field():
    rows = [["Organisation", "Partenaire local", "Country"], ["UN", "MAG", "Iraq"]]
    mapped, problems = map_sheet(raw(rows), header_overrides={"partenairelocal": "org"})
    assert mapped.letters["org"] == "B"
    assert [p.code for p in problems] == ["header.same_field", "column.not_loaded"]


def test_header_overrides_name_a_tag_only_column_by_its_tag():
    rows = [["#org+prog", "#org+impl", "#country"], ["Donor Programme", "MAG", "Iraq"]]
    mapped, problems = map_sheet(raw(rows), header_overrides={"orgprog": None})
    assert placements(mapped)["A"] == (None, "ignored", 1.0)
    assert mapped.letters["org"] == "B"
    assert [p.code for p in problems if p.severity != "note"] == []

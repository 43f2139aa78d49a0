"""Total and subtotal rows are left out, and named in a note; nothing is counted twice."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from maaor.load import load_sources
from maaor.read.headers import map_sheet
from maaor.read.types import RawSheet
from maaor.sources import Source
from tests.read.test_numbered_tidy_workplan import HEADER, ROWS, workbook

TODAY = dt.date(2026, 1, 1)


def test_a_total_row_under_a_tidy_work_plan_is_not_glued_to_the_last_activity():
    total = ["TOTAL", None, None, None, 20000, None, None, None, None, None]
    result = load_sources([workbook([HEADER, *ROWS, total])], today=TODAY)
    assert result.ok
    wp = result.dataset.workplan
    assert len(wp) == 3
    assert wp["budget_usd"].sum() == 20000  # not 40000
    (note,) = [p for p in result.reports[0].problems if p.code == "rows.totals"]
    assert (note.severity, note.row, note.value) == ("note", 5, "TOTAL")
    assert note.message == "1 total row not loaded, so nothing is counted twice: row 5 ('TOTAL')."


def test_donor_totals_and_subtotals_in_a_funding_sheet_are_left_out():
    text = (
        "Year,Donor,Country,Funded (USD)\n"
        "2020,Germany,Iraq,100000\n"
        "2020,Germany,Syria,50000\n"
        ",TOTAL GERMANY,,150000\n"
        "2020,Norway,Iraq,70000\n"
        "Sous-total,,,70000\n"
        "Grand total,,,220000\n"
    )
    result = load_sources([Source("funding.csv", text.encode())], today=TODAY)
    funding = result.dataset.funding
    assert funding["donor"].tolist() == ["Germany", "Germany", "Norway"]
    assert funding["funded_usd"].sum() == 220000
    (note,) = [p for p in result.problems if p.code == "rows.totals"]
    assert "row 4 ('TOTAL GERMANY'), row 6 ('Sous-total'), row 7 ('Grand total')" in note.message
    assert result.ok


def test_a_name_that_only_starts_like_total_is_data():
    rows = [["Organisation", "Country"], ["TotalEnergies Foundation", "Iraq"], ["MAG", "Total"]]
    mapped, problems = map_sheet(RawSheet("f.csv", None, pd.DataFrame(rows, dtype=object)))
    # "TotalEnergies" is a name; a row whose first cell is an organisation is a record.
    assert mapped.frame["org"].tolist() == ["TotalEnergies Foundation", "MAG"]
    assert mapped.excluded_rows == {}
    assert "rows.totals" not in [p.code for p in problems]


def test_an_unlabelled_row_equal_to_the_sum_above_is_a_total():
    rows = [
        ["Organisation", "Country", "Reached", "Target"],
        ["MAG", "Iraq", 100, 150],
        ["HALO Trust", "Iraq", 50, 80],
        ["NPA", "Libya", 25, 40],
        [None, None, 175, 270],
    ]
    mapped, problems = map_sheet(RawSheet("f.csv", None, pd.DataFrame(rows, dtype=object)))
    assert mapped.frame["org"].tolist() == ["MAG", "HALO Trust", "NPA"]
    assert mapped.excluded_rows == {5: "numbers equal to the sum of the rows above"}
    (note,) = [p for p in problems if p.code == "rows.totals"]
    assert "row 5 ('numbers equal to the sum of the rows above')" in note.message


def test_a_last_row_of_numbers_that_is_not_their_sum_is_data():
    rows = [
        ["Organisation", "Country", "Reached"],
        ["MAG", "Iraq", 100],
        ["HALO Trust", "Iraq", 50],
        [None, None, 140],  # not 150: a row with only a number, kept (and validated)
    ]
    mapped, _ = map_sheet(RawSheet("f.csv", None, pd.DataFrame(rows, dtype=object)))
    assert len(mapped.frame) == 3
    assert mapped.excluded_rows == {}

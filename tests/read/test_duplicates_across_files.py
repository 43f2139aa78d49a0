"""Duplicates across files: the same bytes twice, the same activity, the same 4W row."""

from __future__ import annotations

import datetime as dt

from maaor.load import load_sources
from maaor.sources import Source
from tests.paths import ROOT

TODAY = dt.date(2026, 1, 1)
WORKPLAN = ROOT / "data" / "workplan_2018_2019.xlsx"
FOUR_W = (
    "Organisation,Country,Admin 1,Activity type,Status\n"
    "MAG,Iraq,Ninewa,Clearance,Active\n"
    "HALO Trust,Iraq,Anbar,Non-technical survey,Active\n"
)


def csv(name: str, text: str) -> Source:
    return Source(name, text.encode("utf-8"))


def test_the_same_bytes_under_two_names_are_loaded_once_with_a_warning():
    data = WORKPLAN.read_bytes()
    result = load_sources([Source("plan.xlsx", data), Source("plan (copy).xlsx", data)], today=TODAY)
    assert result.ok
    assert len(result.dataset.workplan) == 34  # not 68
    copy = result.files[1]
    assert copy.tables == [] and copy.reports == []
    (problem,) = copy.problems
    assert (problem.severity, problem.code, problem.file) == ("warning", "file.duplicate", "plan (copy).xlsx")
    assert problem.message == "This file has exactly the same content as 'plan.xlsx'; it was loaded once."


def test_the_same_file_given_twice_is_loaded_once():
    source = csv("4w.csv", FOUR_W)
    result = load_sources([source, source], today=TODAY)
    assert len(result.dataset.presence) == 2
    assert [p.message for p in result.files[1].problems] == ["This file was given twice; it was loaded once."]


def test_the_same_activity_in_two_files_is_an_error_naming_both_places():
    a = csv("plan a.csv", "Objective ID,Output ID,Activity ID,Activity\n1,1.1,1.1.1,Do it\n1,1.1,1.1.2,More\n")
    b = csv("plan b.csv", "Objective ID,Output ID,Activity ID,Activity\n\n1,1.1,1.1.2,More again\n")
    result = load_sources([a, b], today=TODAY)
    assert not result.ok
    (problem,) = result.across_files
    assert (problem.code, problem.file, problem.row, problem.value) == (
        "workplan.duplicate_activity", "plan b.csv", 3, "1.1.2"
    )
    assert "plan a.csv (row 3)" in problem.message


def test_the_same_4w_row_in_two_files_is_an_error_listing_each_pair():
    other = FOUR_W.replace("HALO Trust,Iraq,Anbar", "NPA,Iraq,Basra")
    result = load_sources([csv("mag.csv", FOUR_W), csv("partners.csv", other)], today=TODAY)
    assert not result.ok
    (problem,) = result.across_files  # MAG's row is in both; HALO and NPA are not
    assert (problem.severity, problem.code, problem.file, problem.row, problem.value) == (
        "error", "presence.duplicate_across_files", "partners.csv", 2, "MAG"
    )
    assert problem.message == (
        "This 4W row (MAG, Iraq) is also in mag.csv (row 2); loaded twice, it would be counted twice."
    )


def test_a_row_that_differs_in_any_value_is_not_a_cross_file_duplicate():
    later = "Organisation,Country,Admin 1,Activity type,Status\nMAG,Iraq,Ninewa,Clearance,Completed\n"
    result = load_sources([csv("mag.csv", FOUR_W), csv("later.csv", later)], today=TODAY)
    assert result.across_files == []
    assert result.ok


def test_a_repeated_row_inside_one_file_stays_a_warning():
    text = FOUR_W + "MAG,Iraq,Ninewa,Clearance,Active\n"
    result = load_sources([csv("4w.csv", text)], today=TODAY)
    assert result.ok
    assert [p.code for p in result.problems if p.severity != "note"] == ["presence.duplicate"]

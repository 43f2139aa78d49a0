"""Mapping profiles on the layouts beyond the tidy sheet: the long format (its presence
columns follow the profile), the narrative work plan and the OCHA exports (fixed headers,
``how="layout"``: a profile only ignores their other columns), each with the note that
names the profile."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook

from maaor.load import load_sources
from maaor.profiles import make_profile
from maaor.sources import Source
from tests.paths import FIXTURES

TODAY = dt.date(2025, 6, 1)


def xlsx(rows: list[list], name: str) -> Source:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return Source(name, buf.getvalue())


LONG_HEADER = ["Organisation", "Country", "Zone d'action", "Activity", "Indicator", "Value", "Month", "Notes"]
LONG_ROWS = [
    ["FSD", "Ukraine", "Kharkivska", "Non-technical survey", "Area surveyed (m2)", 150000, "2025-01", "a"],
    ["FSD", "Ukraine", "Kharkivska", "Non-technical survey", "Area surveyed (m2)", 98000, "2025-02", "b"],
    ["DRC", "Ukraine", "Khersonska", "Risk education", "People reached", 610, "2025-01", None],
]


def test_a_profile_places_the_presence_columns_of_a_long_format_sheet():
    source = xlsx([LONG_HEADER, *LONG_ROWS], "long.xlsx")
    profile = make_profile("ActivityInfo export", "presence", LONG_HEADER,
                           {"Zone d'action": "admin1", "Notes": None})
    without = load_sources([source], today=TODAY)
    assert "Zone d'action" in {p.column for p in without.problems if p.code == "column.not_loaded"}

    result = load_sources([source], today=TODAY, profiles=[profile])
    presence = next(r for r in result.reports if r.kind == "presence")
    hows = {c.header: (c.field, c.how) for c in presence.columns}
    assert hows["Zone d'action"] == ("admin1", "profile")
    assert hows["Notes"] == (None, "ignored")
    # The layout's own columns are placed whatever the profile says.
    assert hows["Indicator"] == ("indicator", "exact") and hows["Value"] == ("actual", "exact")
    assert not [p for p in presence.problems if p.code == "column.not_loaded"]
    assert presence.problems[0].code == "profile.used"
    assert "'ActivityInfo export'" in presence.problems[0].message
    assert sorted(result.dataset.presence["admin1"]) == ["Kharkivska", "Khersonska"]
    assert result.dataset.indicators["actual"].sum() == 150000 + 98000 + 610


NARRATIVE = [
    ["Output", "Activity", "Lead and Partners", "Budget", "Remarks"],
    ["1.1 Coordination is effective", "1.1.1 Hold monthly meetings", "UNMAS", 1000, "internal"],
    [None, "1.1.2 Share minutes", "MAG", None, "internal too"],
]


def test_a_profile_on_the_narrative_work_plan_only_ignores_its_other_columns():
    source = xlsx(NARRATIVE, "wp.xlsx")
    profile = make_profile("Narrative plan", "workplan", NARRATIVE[0], {"Remarks": None})
    without = load_sources([source], today=TODAY)
    assert [p.column for p in without.problems if p.code == "column.not_loaded"] == ["Remarks"]

    result = load_sources([source], today=TODAY, profiles=[profile])
    (report,) = result.reports
    assert [(c.header, c.field, c.how) for c in report.columns] == [
        ("Output", "output", "layout"), ("Activity", "activity", "layout"),
        ("Lead and Partners", "leads", "layout"), ("Budget", "budget_usd", "layout"),
        ("Remarks", None, "ignored")]
    assert not [p for p in result.problems if p.code == "column.not_loaded"]
    note = report.problems[0]
    assert (note.severity, note.code, note.value) == ("note", "profile.used", "Narrative plan")
    assert note.message == (
        "The saved mapping profile 'Narrative plan' was used for this sheet: the columns it "
        "ignores were left out on purpose. This sheet is read as a narrative work plan (Output | "
        "Activity | Lead and Partners | Budget), whose columns are placed by their fixed headers; "
        "a mapping profile does not move them.")
    assert result.dataset.workplan["activity_id"].tolist() == ["1.1.1", "1.1.2"]


def test_a_profile_on_an_hapi_export_ignores_a_column_and_says_the_fields_are_fixed():
    data = (FIXTURES / "corpus" / "hapi_operational_presence_mali.csv").read_bytes()
    headers = data.decode("utf-8").splitlines()[0].split(",")
    profile = make_profile("HAPI presence", "presence", headers, {"has_hrp": None})
    result = load_sources([Source("hapi.csv", data)], today=TODAY, profiles=[profile])
    (report,) = result.reports
    hows = {c.header: c.how for c in report.columns}
    assert hows["has_hrp"] == "ignored"
    assert hows["location_code"] == "layout"
    assert "has_hrp" not in {p.column for p in result.problems if p.code == "column.not_loaded"}
    assert report.problems[0].code == "profile.used"
    assert "an HDX HAPI operational presence table" in report.problems[0].message
    # The same figures as without the profile.
    plain = load_sources([Source("hapi.csv", data)], today=TODAY)
    assert len(result.dataset.presence) == len(plain.dataset.presence) == 2

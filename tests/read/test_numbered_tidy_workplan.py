"""A tidy work plan whose numbers open the texts is read as a table, not as a narrative."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook

from maaor.load import load_sources
from maaor.read.excel import read_workbook
from maaor.read.legacy_workplan import is_legacy_workplan, is_numbered_workplan_table
from maaor.sources import Source

TODAY = dt.date(2026, 1, 1)
HEADER = ["Output", "Activity", "Lead", "Partners", "Budget (USD)", "Status", "Progress (%)",
          "Start", "End date", "Comments"]
ROWS = [
    ["1.1 Coordination meetings held", "1.1.1 Convene the monthly coordination call", "UNMAS",
     "MAG; HALO Trust", 12000, "Ongoing", 40, dt.datetime(2019, 1, 15), dt.datetime(2019, 12, 31),
     "Minutes shared"],
    [None, "1.1.2 Publish the contact list", "GICHD", None, None, "Completed", 100,
     dt.datetime(2019, 2, 1), dt.datetime(2019, 3, 1), None],
    ["1.2 Induction package", "1.2.1 Draft the induction brief", "UNICEF", "NPA", 8000, "Planned", 0,
     None, None, "Waiting for funds"],
]


def workbook(rows, merges=()) -> Source:
    wb = Workbook()
    ws = wb.active
    ws.title = "Work plan"
    for row in rows:
        ws.append(row)
    for rng in merges:
        ws.merge_cells(rng)
    buf = io.BytesIO()
    wb.save(buf)
    return Source("tidy numbered.xlsx", buf.getvalue())


def test_the_layout_is_told_by_its_columns_not_by_the_numbers():
    raw = read_workbook(workbook([HEADER, *ROWS])).sheets[0]
    assert is_numbered_workplan_table(raw)
    assert not is_legacy_workplan(raw)
    # The same texts under a narrative header (no tidy columns) stay narrative.
    narrative = read_workbook(workbook([HEADER[:3] + ["Budget"], *[r[:3] + [r[4]] for r in ROWS]])).sheets[0]
    assert is_legacy_workplan(narrative)
    assert not is_numbered_workplan_table(narrative)


def test_a_tidy_sheet_keeps_status_progress_dates_partners_and_comments():
    result = load_sources([workbook([HEADER, *ROWS], merges=("A2:A3",))], today=TODAY)
    assert result.ok, [p.message for p in result.errors]
    wp = result.dataset.workplan
    assert wp["activity_id"].tolist() == ["1.1.1", "1.1.2", "1.2.1"]
    assert wp["output_id"].tolist() == ["1.1", "1.1", "1.2"]
    assert wp["objective_id"].tolist() == ["1", "1", "1"]
    assert wp["activity"].tolist()[0] == "Convene the monthly coordination call"
    # The merged (blank) Output cell takes its output's text.
    assert wp["output"].tolist() == ["Coordination meetings held"] * 2 + ["Induction package"]
    assert wp["status"].tolist() == ["ongoing", "completed", "not_started"]  # "Planned"
    assert wp["progress"].tolist() == [40, 100, 0]
    assert wp["start"].iloc[0] == dt.datetime(2019, 1, 15)
    assert wp["due"].iloc[1] == dt.datetime(2019, 3, 1)
    assert wp["partners"].iloc[0] == "MAG; The HALO Trust"
    assert wp["comment"].tolist()[::2] == ["Minutes shared", "Waiting for funds"]
    assert wp["budget_usd"].sum() == 20000
    (report,) = result.reports
    notes = [p.code for p in report.problems if p.severity == "note"]
    assert "workplan.numbers_in_text" in notes
    assert all(c.how == "exact" for c in report.columns)  # every column placed


def test_paused_activities_load_as_suspended_and_are_counted():
    from maaor.figures.progress import progress_by_objective

    statuses = ["On hold", "En pause", "Suspendu (sécurité)"]
    rows = [[*r[:5], s, *r[6:]] for r, s in zip(ROWS, statuses, strict=True)]
    result = load_sources([workbook([HEADER, *rows])], today=TODAY)
    assert result.ok, [p.message for p in result.errors]
    assert not [p for p in result.problems if p.code == "status.unknown"]
    wp = result.dataset.workplan
    assert wp["status"].tolist() == ["suspended"] * 3
    counts = progress_by_objective(wp)
    assert counts[["activities", "suspended", "completed"]].values.tolist() == [[3, 3, 0]]


def test_objective_numbers_come_from_an_output_id_column_of_the_sheet():
    import pandas as pd

    from maaor.read.numbering import numbers_from_texts

    frame = pd.DataFrame({"output_id": ["2.1"], "activity": ["2.1.3 Train focal points"]}, dtype=object)
    out, derived = numbers_from_texts(frame)
    assert out[["objective_id", "output_id", "activity_id", "activity"]].values.tolist() == [
        ["2", "2.1", "2.1.3", "Train focal points"]]
    assert derived == {"activity_id": "activity", "objective_id": "output_id"}

"""Tests of maaor.usecases.edits: status, progress and comment edits of work-plan activities."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from maaor.dataset import Dataset, conform
from maaor.usecases.edits import apply_activity_edits, edit_record


def dataset() -> Dataset:
    wp = pd.DataFrame({
        "objective_id": ["1", "1", "2"],
        "activity_id": ["1.1.1", "1.1.2", "2.1.1"],
        "activity": ["Train", "Survey", "Advocate"],
        "focal_points": ["A. Person", np.nan, np.nan],
        "status": ["ongoing", np.nan, "delayed"],
        "progress": [40.0, np.nan, 10.0],
        "comment": [np.nan, "first", np.nan],
        "last_update": pd.to_datetime(["2019-05-01", "2019-05-02", "2019-05-03"]),
    })
    return Dataset({"workplan": conform("workplan", wp)})


def edits(**cols) -> pd.DataFrame:
    base = {"activity_id": ["1.1.1"], "status": ["ongoing"], "progress": [40.0], "comment": [None]}
    base.update(cols)
    return pd.DataFrame(base)


def test_valid_edits_change_only_the_three_fields():
    ds = dataset()
    out, problems = apply_activity_edits(ds, pd.DataFrame({
        "activity_id": ["1.1.2", "2.1.1"],
        "status": ["Terminé", "completed"],  # a French label is accepted and stored as its code
        "progress": ["100", 100],
        "comment": ["  done  ", None],
    }), today=dt.date(2024, 3, 1))
    assert problems == []
    wp = out.workplan.set_index("activity_id")
    assert wp.loc["1.1.2", "status"] == "completed" and wp.loc["2.1.1", "status"] == "completed"
    assert wp.loc["1.1.2", "progress"] == 100.0
    assert wp.loc["1.1.2", "comment"] == "done" and pd.isna(wp.loc["2.1.1", "comment"])
    assert wp.loc["1.1.2", "last_update"] == pd.Timestamp("2024-03-01")
    # Untouched activity and other columns keep their values; dtypes stay canonical.
    assert wp.loc["1.1.1", "status"] == "ongoing" and wp.loc["1.1.1", "progress"] == 40.0
    assert wp.loc["1.1.1", "last_update"] == pd.Timestamp("2019-05-01")
    assert wp.loc["1.1.1", "focal_points"] == "A. Person"
    assert out.workplan.dtypes.to_dict() == ds.workplan.dtypes.to_dict()
    assert pd.isna(ds.workplan.loc[1, "status"])  # the input dataset is unchanged


def test_unchanged_rows_keep_their_last_update():
    out, problems = apply_activity_edits(dataset(), edits(), today=dt.date(2024, 3, 1))
    assert problems == []
    assert out.workplan.loc[0, "last_update"] == pd.Timestamp("2019-05-01")
    assert edit_record(dataset().workplan, out.workplan).empty


def test_edit_record_lists_changed_cells():
    ds = dataset()
    out, _ = apply_activity_edits(ds, edits(status=["cancelled"], progress=[None]))
    record = edit_record(ds.workplan, out.workplan)
    # The stored values (a missing one None); the page writes them in the user's words.
    assert record.to_dict("records") == [
        {"activity_id": "1.1.1", "field": "progress", "before": 40.0, "after": None},
        {"activity_id": "1.1.1", "field": "status", "before": "ongoing", "after": "cancelled"},
    ]


def test_invalid_edits_are_reported_and_nothing_changes():
    ds = dataset()
    out, problems = apply_activity_edits(ds, pd.DataFrame({
        "activity_id": ["1.1.1", "9.9.9", "2.1.1", "2.1.1"],
        "status": ["finished-ish", "ongoing", "ongoing", "ongoing"],
        "progress": [150, 10, "lots", -1],
        "comment": [None, None, None, None],
    }))
    assert out is ds
    found = {(p.row, p.column, p.code, p.value) for p in problems}
    assert found == {
        (1, "Status", "edit.status", "finished-ish"),
        (1, "Progress (%)", "edit.progress", "150"),
        (2, "Activity ID", "edit.activity_id", "9.9.9"),
        (3, "Progress (%)", "edit.progress", "lots"),
        (4, "Activity ID", "edit.activity_id", "2.1.1"),
        (4, "Progress (%)", "edit.progress", "-1"),
    }
    assert all(p.severity == "error" and p.fix for p in problems)
    assert [p.row for p in problems] == sorted(p.row for p in problems)


def test_blank_status_and_progress_mean_not_reported():
    out, problems = apply_activity_edits(dataset(), edits(status=["  "], progress=[""]))
    assert problems == []
    assert pd.isna(out.workplan.loc[0, "status"]) and pd.isna(out.workplan.loc[0, "progress"])

"""Tests of maaor.figures.history: work-plan progress across published versions."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import numpy as np
import pandas as pd

from maaor.dataset import Dataset, conform
from maaor.figures.history import progress_over_versions


def workplan(statuses, progress) -> Dataset:
    n = len(statuses)
    wp = pd.DataFrame({
        "objective_id": ["1"] * n,
        "activity_id": [f"1.1.{i}" for i in range(n)],
        "status": statuses,
        "progress": progress,
    })
    return Dataset({"workplan": conform("workplan", wp)})


def info(version: int, day: int) -> SimpleNamespace:
    return SimpleNamespace(id=version, created_at=dt.datetime(2024, 1, day, 9, 30, tzinfo=dt.UTC))


def test_one_row_per_version_oldest_first():
    frame = progress_over_versions([
        (info(3, 20), workplan(["completed", "completed", "ongoing", np.nan], [100, 100, 50, np.nan])),
        (info(1, 2), workplan(["ongoing", "not_started", np.nan], [20, 0, np.nan])),
        (info(2, 10), workplan([], [])),
    ])
    assert list(frame.columns) == ["version", "created_at", "activities", "completed",
                                   "pct_completed", "mean_progress"]
    assert list(frame["version"]) == [1, 2, 3]
    assert list(frame["activities"]) == [3, 0, 4]
    assert list(frame["completed"]) == [0, 0, 2]
    # Percent completed is over activities with a reported status (2 of 3 reported in v3).
    assert frame.loc[2, "pct_completed"] == 2 / 3 * 100
    assert frame.loc[0, "pct_completed"] == 0.0
    assert np.isnan(frame.loc[1, "pct_completed"]) and np.isnan(frame.loc[1, "mean_progress"])
    assert frame.loc[0, "mean_progress"] == 10.0
    assert frame.loc[2, "mean_progress"] == 250 / 3
    assert frame.loc[0, "created_at"] == pd.Timestamp("2024-01-02 09:30", tz="UTC")
    assert str(frame["created_at"].dtype) == "datetime64[ns, UTC]"


def test_no_versions_give_an_empty_typed_frame():
    frame = progress_over_versions([])
    assert frame.empty
    assert frame["pct_completed"].dtype == "float64" and frame["version"].dtype == "int64"

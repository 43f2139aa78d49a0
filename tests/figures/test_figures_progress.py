import datetime as dt

import pandas as pd
import pytest

from maaor.dataset import conform, empty_table
from maaor.figures.progress import (
    activity_timeline,
    progress_by_objective,
    progress_by_output,
    workplan_headline,
)
from tests.figures_data import TODAY, workplan

COUNT_COLUMNS = ["activities", "not_reported", "not_started", "ongoing", "delayed",
                 "suspended", "completed", "cancelled"]


def test_headline_counts_budget_groups_once_and_reported_statuses_only():
    head = workplan_headline(workplan(), TODAY)
    assert head == {
        "objectives": 3,
        "outputs": 4,
        "activities": 5,
        "completed": 2,
        "with_status": 4,  # 1.2.1 has no status
        "pct_completed": 50.0,  # 2 completed of 4 activities with a status
        "mean_progress": pytest.approx((100 + 50 + 20) / 3),
        "without_lead": 1,
        "tentative_lead": 1,
        "without_budget": 1,
        "budget_not_quantified": 1,
        "total_budget_usd": 50_000.0,  # G1's 30,000 once + 20,000
        "funded_usd": 10_000.0,  # G1's 10,000 once + 0; unknown funding skipped
    }


def test_headline_five_activities_two_completed_is_40_percent():
    wp = conform(
        "workplan",
        pd.DataFrame(
            {
                "activity_id": ["1", "2", "3", "4", "5"],
                "status": ["completed", "completed", "ongoing", "delayed", "cancelled"],
            }
        ),
    )
    head = workplan_headline(wp, TODAY)
    assert head["pct_completed"] == 40.0
    assert head["completed"] == 2


def test_shared_budget_of_30000_over_three_activities_counts_once():
    wp = conform(
        "workplan",
        pd.DataFrame(
            {
                "activity_id": ["1.1.1", "1.1.2", "1.1.3", "1.2.1"],
                "budget_usd": [30_000.0, 30_000.0, 30_000.0, 5_000.0],
                "budget_group": ["1.1", "1.1", "1.1", None],
            }
        ),
    )
    assert workplan_headline(wp, TODAY)["total_budget_usd"] == 35_000.0


def test_headline_all_nan_status_and_money_gives_none_not_zero():
    wp = conform("workplan", pd.DataFrame({"activity_id": ["1", "2"]}))
    head = workplan_headline(wp, TODAY)
    assert head["activities"] == 2
    assert head["completed"] == 0
    assert head["pct_completed"] is None
    assert head["mean_progress"] is None
    assert head["total_budget_usd"] is None
    assert head["funded_usd"] is None
    assert head["without_budget"] == 2


def test_headline_empty():
    head = workplan_headline(empty_table("workplan"), TODAY)
    assert head["activities"] == 0
    assert head["pct_completed"] is None
    assert head["total_budget_usd"] is None


def test_progress_by_objective_natural_order_and_counts():
    out = progress_by_objective(workplan())
    assert list(out.columns) == ["objective_id", "objective", *COUNT_COLUMNS,
                                 "mean_progress", "pct_completed"]
    assert out["objective_id"].tolist() == ["1", "2", "10"]
    assert out["objective"].tolist() == ["Coordinated Field Support", "Advocacy",
                                         "Information Management"]
    assert out[COUNT_COLUMNS].values.tolist() == [
        [3, 1, 0, 1, 0, 0, 1, 0],
        [1, 0, 0, 0, 0, 0, 1, 0],
        [1, 0, 0, 0, 1, 0, 0, 0],
    ]
    assert out["mean_progress"].tolist()[0] == 75.0
    assert pd.isna(out["mean_progress"].iloc[1])
    assert out["pct_completed"].tolist() == [50.0, 100.0, 0.0]


def test_progress_by_output():
    out = progress_by_output(workplan())
    assert list(out.columns) == ["objective_id", "output_id", "output", *COUNT_COLUMNS,
                                 "mean_progress", "pct_completed"]
    assert out["output_id"].tolist() == ["1.1", "1.2", "2.1", "10.1"]
    assert out["activities"].tolist() == [2, 1, 1, 1]
    assert out["not_reported"].tolist() == [0, 1, 0, 0]
    # 1.2 has no reported status: NaN, not 0
    assert pd.isna(out["pct_completed"].iloc[1])
    assert out["pct_completed"].iloc[0] == 50.0


def test_progress_tables_empty_have_columns():
    assert list(progress_by_objective(empty_table("workplan")).columns)[:3] == [
        "objective_id", "objective", "activities"]
    assert progress_by_output(empty_table("workplan")).empty


def test_activity_timeline_overdue():
    out = activity_timeline(workplan(), TODAY)
    assert list(out.columns) == ["activity_id", "activity", "objective_id", "output_id",
                                 "leads", "status", "start", "due", "overdue"]
    assert out["activity_id"].tolist() == ["1.1.1", "1.1.2", "1.2.1", "2.1.1", "10.1.1"]
    # 1.1.1 past due but completed; 1.2.1 has no due date
    assert out["overdue"].tolist() == [False, True, False, False, False]
    later = activity_timeline(workplan(), dt.date(2020, 1, 2))
    assert later["overdue"].tolist() == [False, True, False, False, True]


def test_activity_timeline_empty():
    out = activity_timeline(empty_table("workplan"), TODAY)
    assert out.empty and out.columns[-1] == "overdue"


def test_activities_with_presence_is_the_country_scope_of_the_work_plan():
    from maaor.figures.progress import activities_with_presence
    from tests.figures_data import presence

    rows = presence()
    # active anywhere: HALO Trust, MAG, UNMAS (IRQ row without status), HI
    assert activities_with_presence(workplan(), rows) == 3  # 1.1.1, 1.2.1, 10.1.1
    irq = rows.loc[rows["country_iso3"] == "IRQ"]
    # active in IRQ: UNMAS (no status = active) and HI; DRC's row is completed
    assert activities_with_presence(workplan(), irq) == 3  # UNMAS leads/partners 3
    hi_only = rows.loc[rows["org"] == "HI"]
    assert activities_with_presence(workplan(), hi_only) == 0
    assert activities_with_presence(workplan(), rows.iloc[0:0]) == 0

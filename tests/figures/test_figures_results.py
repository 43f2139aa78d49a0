import datetime as dt

import pandas as pd
import pytest

from maaor.dataset import conform, empty_table
from maaor.figures.results import indicator_progress, results_by_objective

NAN = float("nan")
AS_OF = dt.date(2022, 12, 31)
# 2019-01-01 .. 2023-12-31 is 1,825 days


def _indicators() -> pd.DataFrame:
    rows = [
        # decrease: 100 -> 50, now 75 = halfway; measured 2021-01-01 (731 days in)
        dict(indicator_id="1.1", indicator="Casualty rate", objective="Protection",
             outcome="O1", disaggregation="total", unit="%", baseline=100.0, target=50.0,
             actual=75.0, direction="decrease", as_of=pd.Timestamp("2021-01-01")),
        dict(indicator_id="1.1", indicator="Casualty rate", objective="Protection",
             outcome="O1", disaggregation="women", unit="%", baseline=100.0, target=50.0,
             actual=90.0, direction="decrease", as_of=pd.Timestamp("2021-01-01")),
        # year 2023 is after AS_OF: judged at AS_OF (1,460 days in = 80%)
        dict(indicator_id="2.1", indicator="Countries with plan", objective="Capacity",
             baseline=0.0, target=10.0, actual=2.0, year=2023),
        # target == baseline: no progress can be computed
        dict(indicator_id="2.2", indicator="Standards", objective="Capacity",
             baseline=5.0, target=5.0, actual=6.0),
        # blank baseline is not taken as zero
        dict(indicator_id="2.3", indicator="Trainings", objective="Capacity",
             baseline=NAN, target=10.0, actual=5.0),
        dict(indicator_id="3.1", indicator="Surveys", objective=NAN, baseline=0.0,
             target=4.0, actual=4.0, as_of=pd.Timestamp("2020-01-01")),
    ]
    return conform("indicators", pd.DataFrame(rows))


def test_indicator_progress():
    out = indicator_progress(_indicators(), AS_OF)
    assert list(out.columns) == [
        "indicator_id", "indicator", "objective", "outcome", "country_iso3",
        "disaggregation", "unit", "baseline", "target", "actual", "progress_pct",
        "expected_pct", "on_track",
    ]
    progress = out["progress_pct"].tolist()
    assert progress[0] == 50.0 and progress[1] == 20.0 and progress[2] == 20.0
    assert pd.isna(progress[3]) and pd.isna(progress[4])
    assert progress[5] == 100.0
    assert out["expected_pct"].tolist() == pytest.approx(
        [731 / 1825 * 100, 731 / 1825 * 100, 80.0, 80.0, 80.0, 20.0])
    assert out["on_track"].tolist()[:3] == [True, False, False]
    assert out["on_track"].isna().tolist() == [False, False, False, True, True, False]
    assert str(out["on_track"].dtype) == "boolean"


def test_expected_progress_is_bounded_by_the_period():
    early = indicator_progress(_indicators().iloc[[3]], dt.date(2018, 6, 1))
    late = indicator_progress(_indicators().iloc[[3]], dt.date(2030, 1, 1))
    assert early["expected_pct"].tolist() == [0.0]
    assert late["expected_pct"].tolist() == [100.0]


def test_results_by_objective_counts_headline_rows():
    out = results_by_objective(indicator_progress(_indicators(), AS_OF))
    assert list(out.columns) == ["objective", "indicators", "on_track", "off_track",
                                 "unknown", "mean_progress_pct"]
    assert out["objective"].tolist()[:2] == ["Protection", "Capacity"]
    assert pd.isna(out["objective"].iloc[2])
    # 1.1 women is a breakdown of 1.1 total and is not counted again
    assert out[["indicators", "on_track", "off_track", "unknown"]].values.tolist() == [
        [1, 1, 0, 0],
        [3, 0, 1, 2],
        [1, 1, 0, 0],
    ]
    assert out["mean_progress_pct"].tolist() == [50.0, 20.0, 100.0]


def test_results_by_objective_indicator_reported_only_by_group():
    rows = conform(
        "indicators",
        pd.DataFrame(
            [
                dict(indicator_id="4.1", objective="Gender", disaggregation="women",
                     baseline=0.0, target=10.0, actual=10.0, as_of=pd.Timestamp("2019-01-01")),
                dict(indicator_id="4.1", objective="Gender", disaggregation="men",
                     baseline=0.0, target=10.0, actual=0.0, as_of=pd.Timestamp("2023-12-31")),
            ]
        ),
    )
    out = results_by_objective(indicator_progress(rows, AS_OF))
    assert out[["indicators", "on_track", "off_track", "unknown"]].values.tolist() == [
        [2, 1, 1, 0]]
    assert out["mean_progress_pct"].tolist() == [50.0]


def test_results_empty():
    progress = indicator_progress(empty_table("indicators"), AS_OF)
    assert progress.empty and progress.columns[-1] == "on_track"
    out = results_by_objective(progress)
    assert out.empty and list(out.columns)[0] == "objective"

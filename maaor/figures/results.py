"""Results framework: indicator progress against targets, and whether it is on track.

Progress is (actual - baseline) / (target - baseline) * 100, which also works for
indicators meant to decrease (target below baseline). A missing baseline, target or
actual gives no progress (NaN): a blank baseline is not assumed to be zero.

Expected progress is the share of the strategic period elapsed at the date the actual
value describes: the row's ``as_of`` date, else 31 December of its ``year``, else the
``as_of`` argument; never later than the ``as_of`` argument. An actual measured in 2020
is thus judged against where the plan should have been in 2020, not today.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from maaor.figures.common import as_timestamp, empty_frame

_PROGRESS = {
    "indicator_id": "str",
    "indicator": "str",
    "objective": "str",
    "outcome": "str",
    "country_iso3": "str",
    "disaggregation": "str",
    "unit": "str",
    "baseline": "float64",
    "target": "float64",
    "actual": "float64",
    "progress_pct": "float64",
    "expected_pct": "float64",
    "on_track": "boolean",
}
_BY_OBJECTIVE = {
    "objective": "str",
    "indicators": "int64",
    "on_track": "int64",
    "off_track": "int64",
    "unknown": "int64",
    "mean_progress_pct": "float64",
}
DEFAULT_PERIOD: tuple[dt.date, dt.date] = (dt.date(2019, 1, 1), dt.date(2023, 12, 31))


def indicator_progress(
    ind: pd.DataFrame,
    as_of: dt.date,
    period: tuple[dt.date, dt.date] = DEFAULT_PERIOD,
) -> pd.DataFrame:
    """Return progress, expected progress and on-track status of each indicator row.

    Args:
        ind: canonical indicators table.
        as_of: the date the dashboard describes (normally today).
        period: first and last day of the strategic plan.

    Returns:
        Columns indicator_id, indicator, objective, outcome, country_iso3,
        disaggregation, unit, baseline, target, actual, progress_pct (NaN when target
        equals baseline or a value is missing), expected_pct (0-100), on_track
        (progress_pct >= expected_pct; NA when progress is unknown). Input order.
    """
    if ind.empty:
        return empty_frame(_PROGRESS)
    ind = ind.reset_index(drop=True)
    baseline = ind["baseline"].astype("float64")
    target = ind["target"].astype("float64")
    actual = ind["actual"].astype("float64")
    span = (target - baseline).where(lambda s: s != 0)
    progress = (actual - baseline) / span * 100.0

    start, end = as_timestamp(period[0]), as_timestamp(period[1])
    limit = as_timestamp(as_of)
    year_end = pd.to_datetime(
        ind["year"].astype("Int64").astype("str").where(ind["year"].notna()) + "-12-31",
        format="%Y-%m-%d",
        errors="coerce",
    )
    measured = ind["as_of"].fillna(year_end).fillna(limit).clip(upper=limit)
    length = (end - start).days
    if length > 0:
        elapsed = (measured - start).dt.days.astype("float64") / length * 100.0
        expected = elapsed.clip(lower=0.0, upper=100.0)
    else:
        expected = (measured >= end).astype("float64") * 100.0

    on_track = (progress >= expected).astype("boolean").where(progress.notna(), pd.NA)
    out = ind[["indicator_id", "indicator", "objective", "outcome", "country_iso3",
               "disaggregation", "unit"]].copy()
    out["baseline"] = baseline
    out["target"] = target
    out["actual"] = actual
    out["progress_pct"] = progress
    out["expected_pct"] = expected
    out["on_track"] = on_track
    return out.astype(_PROGRESS)


def results_by_objective(progress: pd.DataFrame) -> pd.DataFrame:
    """Return how many indicators of each objective are on track.

    To avoid counting one indicator once per sex/age group, only its headline rows
    are counted: those with disaggregation "total" or none; an indicator reported only
    by group counts all its rows. Rows without an objective form a group with
    objective NaN.

    Args:
        progress: the output of :func:`indicator_progress`.

    Returns:
        Columns objective, indicators (headline rows), on_track, off_track, unknown
        (on_track NA), mean_progress_pct (NaN when none known). Objectives in order of
        first appearance.
    """
    if progress.empty:
        return empty_frame(_BY_OBJECTIVE)
    headline = progress["disaggregation"].isna() | (progress["disaggregation"] == "total")
    headline = headline.fillna(False).astype(bool)
    has_headline = headline.groupby(progress["indicator_id"], dropna=False).transform("any")
    rows = progress.loc[headline | ~has_headline.astype(bool)]
    state = rows["on_track"]
    counts = pd.DataFrame(
        {
            "objective": rows["objective"],
            "indicators": 1,
            "on_track": state.eq(True).fillna(False).astype("int64"),
            "off_track": state.eq(False).fillna(False).astype("int64"),
            "unknown": state.isna().astype("int64"),
            "mean_progress_pct": rows["progress_pct"].astype("float64"),
        }
    )
    grouped = counts.groupby("objective", dropna=False, sort=False)
    out = grouped[["indicators", "on_track", "off_track", "unknown"]].sum()
    out["mean_progress_pct"] = grouped["mean_progress_pct"].mean()
    return out.reset_index()[list(_BY_OBJECTIVE)].astype(_BY_OBJECTIVE)

"""Work-plan progress: headline numbers, progress per objective and output, timeline.

Percent completed is computed over the activities whose status was reported: an
activity without status is "not reported", not "not completed". Cancelled activities
have a reported status and stay in the denominator.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from maaor.dataset import list_contains_any
from maaor.figures.common import (
    DONE_STATUSES,
    WP_STATUSES,
    active_mask,
    as_timestamp,
    budget_groups,
    empty_frame,
    known_sum,
    natural_rank,
    none_if_nan,
    pct,
    pct_series,
)

_COUNT_COLUMNS = ["activities", "not_reported", *WP_STATUSES]


def workplan_headline(wp: pd.DataFrame, today: dt.date,
                      groups: pd.DataFrame | None = None) -> dict:
    """Return the headline numbers of the work plan.

    Args:
        wp: canonical work-plan table (possibly filtered).
        today: reference date (kept for a stable signature; headline counts do not
            depend on it).
        groups: ``figures.common.budget_groups(wp)`` when the caller has it already
            (the budget headline needs it too); None = computed here.

    Returns:
        dict with ``objectives``, ``outputs``, ``activities``, ``completed`` (ints);
        ``pct_completed`` (completed / activities with a status * 100; None when no
        activity has a status); ``mean_progress`` (mean of reported progress; None if
        none); ``without_lead``; ``tentative_lead``; ``without_budget`` (no budget and no
        budget note anywhere in its budget group); ``budget_not_quantified`` (no amount
        but a budget note); ``total_budget_usd`` (each budget group counted once; None
        when no budget is quantified); ``funded_usd`` (each budget group counted once;
        None when no funding is reported).
    """
    del today  # the headline is a snapshot of the table; dates matter for flags only
    groups = budget_groups(wp) if groups is None else groups
    status = wp["status"]
    reported = int(status.notna().sum())
    completed = int((status == "completed").fillna(False).sum())
    no_amount = groups["group_budget"].isna()
    firsts = groups.loc[groups["first"]]
    return {
        "objectives": int(wp["objective_id"].nunique()),
        "outputs": int(wp["output_id"].nunique()),
        "activities": int(len(wp)),
        "completed": completed,
        "with_status": reported,
        "pct_completed": pct(completed, reported),
        "mean_progress": none_if_nan(wp["progress"].astype("float64").mean()),
        "without_lead": int(wp["leads"].isna().sum()),
        "tentative_lead": int(wp["lead_tentative"].fillna(False).astype(bool).sum()),
        "without_budget": int((no_amount & ~groups["group_note"]).sum()),
        "budget_not_quantified": int((no_amount & groups["group_note"]).sum()),
        "total_budget_usd": known_sum(firsts["group_budget"]),
        "funded_usd": known_sum(firsts["group_funded"]),
    }


def activities_with_presence(wp: pd.DataFrame, presence: pd.DataFrame) -> int:
    """Return how many activities have a lead or a partner present in ``presence``.

    This is the real country scope of a global work plan: with ``presence`` filtered to
    chosen countries, it counts the activities whose lead or partner organisation is
    active there (a presence row without status counts as active).

    Args:
        wp: canonical work-plan table (possibly filtered).
        presence: canonical 4W presence table (possibly filtered).
    """
    if wp.empty or presence.empty:
        return 0
    orgs = presence.loc[active_mask(presence), "org"].dropna().unique()
    if not len(orgs):
        return 0
    hit = list_contains_any(wp["leads"], orgs) | list_contains_any(wp["partners"], orgs)
    return int(hit.sum())


def _progress_by(wp: pd.DataFrame, keys: list[str], title: str) -> pd.DataFrame:
    columns = {k: "str" for k in keys} | {title: "str"}
    columns |= {c: "int64" for c in _COUNT_COLUMNS}
    columns |= {"mean_progress": "float64", "pct_completed": "float64"}
    if wp.empty:
        return empty_frame(columns)
    status = wp["status"]
    counts = pd.DataFrame({"activities": 1, "not_reported": status.isna().astype("int64")},
                          index=wp.index)
    for code in WP_STATUSES:
        counts[code] = (status == code).fillna(False).astype("int64")
    counts["progress"] = wp["progress"].astype("float64")
    counts[keys] = wp[keys]
    grouped = counts.groupby(keys, dropna=False, sort=False)
    out = grouped[_COUNT_COLUMNS].sum()
    out["mean_progress"] = grouped["progress"].mean()
    out = out.reset_index()
    titles = wp[keys + [title]].dropna(subset=[title]).drop_duplicates(subset=keys)
    out = out.merge(titles, on=keys, how="left")
    reported = out["activities"] - out["not_reported"]
    out["pct_completed"] = pct_series(out["completed"], reported)
    sort_cols = [f"_rank_{k}" for k in keys]
    for k, col in zip(keys, sort_cols, strict=False):
        out[col] = natural_rank(out[k])
    out = out.sort_values(sort_cols, kind="stable", na_position="last")
    out = out[list(columns)].reset_index(drop=True)
    return out.astype(columns)


def progress_by_objective(wp: pd.DataFrame) -> pd.DataFrame:
    """Return activity counts per status, mean progress and percent completed per objective.

    Columns: objective_id, objective, activities, not_reported, not_started, ongoing,
    delayed, completed, cancelled, mean_progress (NaN when none reported),
    pct_completed (over activities with a status; NaN when none). Objectives are in
    natural id order ("2" before "10").
    """
    return _progress_by(wp, ["objective_id"], "objective")


def progress_by_output(wp: pd.DataFrame) -> pd.DataFrame:
    """Return the same counts as :func:`progress_by_objective`, per output.

    Columns: objective_id, output_id, output, activities, not_reported, not_started,
    ongoing, delayed, completed, cancelled, mean_progress, pct_completed.
    """
    frame = _progress_by(wp, ["objective_id", "output_id"], "output")
    return frame[
        ["objective_id", "output_id", "output", *_COUNT_COLUMNS, "mean_progress",
         "pct_completed"]
    ]


def overdue_mask(wp: pd.DataFrame, today: dt.date) -> pd.Series:
    """Activities due before ``today`` whose status is neither completed nor cancelled."""
    due = wp["due"]
    open_ = ~wp["status"].isin(DONE_STATUSES).fillna(False).astype(bool)
    return ((due < as_timestamp(today)).fillna(False).astype(bool) & open_).astype(bool)


def activity_timeline(wp: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    """Return one row per activity for a Gantt-like timeline, in work-plan order.

    Columns: activity_id, activity, objective_id, output_id, leads, status, start, due,
    overdue (bool: due before ``today`` and status not completed/cancelled; an activity
    without due date is never overdue).
    """
    cols = ["activity_id", "activity", "objective_id", "output_id", "leads", "status",
            "start", "due"]
    out = wp[cols].copy()
    out["overdue"] = overdue_mask(wp, today)
    return out.reset_index(drop=True)

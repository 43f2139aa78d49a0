"""Work-plan progress across published versions (one point per version)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from maaor.dataset import Dataset
from maaor.figures.progress import workplan_headline

HISTORY_COLUMNS: dict[str, str] = {
    "version": "int64",
    "created_at": "datetime64[ns, UTC]",
    "activities": "int64",
    "completed": "int64",
    "pct_completed": "float64",
    "mean_progress": "float64",
}


def version_progress(dataset: Dataset) -> dict[str, Any]:
    """Return activities, completed, pct_completed and mean_progress of one dataset.

    ``pct_completed`` is over activities with a reported status and ``mean_progress``
    over reported progress (as the Work plan headline); NaN when nothing is reported.
    """
    head = workplan_headline(dataset.workplan, today=None)
    return {
        "activities": head["activities"],
        "completed": head["completed"],
        "pct_completed": float("nan") if head["pct_completed"] is None else head["pct_completed"],
        "mean_progress": float("nan") if head["mean_progress"] is None else head["mean_progress"],
    }


def progress_over_versions(datasets: Sequence[tuple[Any, Dataset]]) -> pd.DataFrame:
    """Return work-plan progress per published version, oldest version first.

    Args:
        datasets: (version info, dataset) pairs; the info needs ``id`` and
            ``created_at`` (e.g. :class:`maaor.store.VersionInfo`).

    Returns:
        DataFrame with columns version, created_at (UTC), activities, completed,
        pct_completed, mean_progress; one row per version, sorted by version.
    """
    rows = [
        {"version": int(info.id), "created_at": info.created_at, **version_progress(ds)}
        for info, ds in datasets
    ]
    return history_frame(rows)


def history_frame(rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """Return rows of :func:`progress_over_versions` as a typed frame sorted by version."""
    frame = pd.DataFrame(list(rows), columns=list(HISTORY_COLUMNS))
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    frame = frame.astype(HISTORY_COLUMNS)
    return frame.sort_values("version", kind="stable").reset_index(drop=True)

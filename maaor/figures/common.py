"""Small helpers shared by the figure modules: vocabulary order, budget groups, percents.

Nothing here is a figure; every function is pure and vectorised.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from maaor import vocab
from maaor.dataset import LIST_SEP

# Work-plan statuses are columns of the progress tables, in vocabulary order.
WP_STATUSES: tuple[str, ...] = vocab.STATUSES
DONE_STATUSES: tuple[str, ...] = ("completed", "cancelled")


def vocab_codes(name: str) -> tuple[str, ...]:
    """Return the codes of vocabulary ``name`` ("pillar", "wp_status", ...) in order."""
    return tuple(vocab.codes(name))


def labels(name: str, values: pd.Series) -> pd.Series:
    """English display labels of the codes in ``values`` (unknown codes unchanged)."""
    mapping = {v: vocab.label(name, v) for v in values.dropna().unique()}
    return values.map(mapping).astype("str")


def ordered_codes(present, name: str) -> list[str]:
    """Return the distinct non-missing values of ``present`` in vocabulary order.

    Values unknown to vocabulary ``name`` come last, alphabetically.
    """
    values = set(pd.Series(present, dtype="object").dropna().unique())
    known = [c for c in vocab_codes(name) if c in values]
    return known + sorted(values - set(known))


def _natural_key(value: str) -> tuple:
    parts = re.split(r"(\d+)", str(value))
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts if p)


def natural_rank(series: pd.Series) -> pd.Series:
    """Return a sort key giving "1.2" < "1.10" < "2" (missing values last)."""
    uniques = sorted(series.dropna().unique(), key=_natural_key)
    order = {v: i for i, v in enumerate(uniques)}
    return series.map(order).astype("float64")


def pct(numerator, denominator) -> float | None:
    """Return numerator / denominator * 100, or None when it cannot be computed."""
    if numerator is None or denominator is None:
        return None
    if pd.isna(numerator) or pd.isna(denominator) or denominator == 0:
        return None
    return float(numerator) / float(denominator) * 100.0


def pct_series(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """Vectorised :func:`pct`: NaN where the denominator is 0 or missing."""
    num = numerator.astype("float64")
    den = denominator.astype("float64").where(lambda d: d != 0)
    return num / den * 100.0


def none_if_nan(value) -> float | None:
    """Return ``value`` as a float, or None when it is missing."""
    if value is None or pd.isna(value):
        return None
    return float(value)


def known_sum(series: pd.Series) -> float | None:
    """Sum of the known values; None when every value is unknown (NaN)."""
    return none_if_nan(series.sum(min_count=1))


def as_timestamp(day: dt.date | dt.datetime | pd.Timestamp) -> pd.Timestamp:
    """Return ``day`` as a naive midnight Timestamp comparable with datetime64 columns."""
    return pd.Timestamp(day).normalize()


def active_mask(presence: pd.DataFrame) -> pd.Series:
    """Presence rows that count as active: status "active" or not reported."""
    status = presence["status"]
    return (status.isna() | (status == "active")).fillna(True).astype(bool)


def budget_groups(wp: pd.DataFrame) -> pd.DataFrame:
    """Return per-activity group figures for the shared-budget convention.

    Activities with the same non-missing ``budget_group`` share one budget (each row
    carries the same ``budget_usd``). Their ``funded_usd`` is read the same way: the
    funding of the shared budget, carried on each row, counted once. An activity with
    no ``budget_group`` is a group of its own.

    Returns:
        A frame on ``wp``'s index with columns ``group`` (key), ``group_budget``,
        ``group_funded`` (max known value within the group; NaN when none),
        ``group_note`` (bool: any activity of the group has a budget note),
        ``group_size`` (activities in the group) and ``first`` (bool: first activity
        of its group, used to count a group once).
    """
    own = pd.Series("\x00row:" + pd.Series(range(len(wp)), dtype="str").to_numpy(),
                    index=wp.index, dtype="str")
    group = wp["budget_group"].astype("str").where(wp["budget_group"].notna(), own)
    grouped_budget = wp["budget_usd"].astype("float64").groupby(group)
    grouped_funded = wp["funded_usd"].astype("float64").groupby(group)
    out = pd.DataFrame(
        {
            "group": group,
            "group_budget": grouped_budget.transform("max"),
            "group_funded": grouped_funded.transform("max"),
            "group_note": wp["budget_note"].notna().groupby(group).transform("any").astype(bool),
            "group_size": group.groupby(group).transform("size").astype("int64"),
            "first": ~group.duplicated(),
        },
        index=wp.index,
    )
    return out


def empty_frame(columns: dict[str, str]) -> pd.DataFrame:
    """Return an empty frame with ``columns`` (name -> dtype) in order."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})


def join_sorted(frame: pd.DataFrame, keys: list[str], value: str) -> pd.Series:
    """LIST_SEP-join the distinct sorted non-missing ``value`` per ``keys`` group.

    Returns one entry per group of ``frame.groupby(keys, dropna=False)`` (sorted keys,
    missing keys last), in that order and with that index; NaN where a group has no
    value. Callers may rely on the order to assign it positionally next to other
    aggregates of the same grouping. Works on integer codes and joins with plain
    Python per group, so a 100,000-row table with hundreds of organisations stays fast.
    """
    grouped = frame.groupby(keys, dropna=False, sort=True)
    index = grouped.size().index
    out = np.full(len(index), np.nan, dtype=object)
    present = frame[value].notna().to_numpy()
    if present.any():
        group = grouped.ngroup().to_numpy(dtype="int64")[present]
        codes, uniques = pd.factorize(frame[value].to_numpy()[present], sort=True)
        width = len(uniques)
        # one sorted pass gives the distinct (group, value) pairs in (group, value) order
        pair_group, pair_value = np.divmod(np.unique(group * width + codes), width)
        bounds = np.flatnonzero(np.diff(pair_group)) + 1
        names = np.asarray(uniques, dtype=object)[pair_value]
        out[pair_group[np.r_[0, bounds]]] = [
            LIST_SEP.join(chunk) for chunk in np.split(names, bounds)
        ]
    return pd.Series(out, index=index, name=value, dtype="str")

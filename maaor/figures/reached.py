"""People reached (4W): one definition, summed by any place or actor dimension.

Definition of a row's people reached (``row_reached``):

- the row's total (``reached_total``) when it gives one;
- else the sum of its split (women + men + girls + boys, those given) when it gives any;
- else nothing: the row does not count, and a group whose rows give nothing has NaN
  (null), not 0.

A total that is also split is counted once (the total); the split parts are summed
separately by part. A given total disagrees with its split when the split is complete
(all four parts) and differs from the total by more than rounding (half a person per
part, i.e. 2), or when the parts given already exceed the total by more than rounding;
such rows are listed by :func:`reached_disagreements` and still count with their stated
total. The caller chooses the rows (status, year, emergency filters) before calling.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SPLIT = ("reached_women", "reached_men", "reached_girls", "reached_boys")
REACHED = ("reached_total", *SPLIT)
# Each part may be rounded to a whole person: a split of four parts may be 4 x 0.5 off.
ROUNDING_PER_PART = 0.5

#: Dimension names a caller may group by, and the presence columns each one means.
#: Admin-1 names repeat across countries, so admin-1 groups carry the country too.
DIMENSIONS: dict[str, tuple[str, ...]] = {
    "country": ("country_iso3",),
    "emergency": ("emergency",),
    "admin1": ("country_iso3", "admin1"),
    "pillar": ("pillar",),
    "organisation": ("org",),
}

_OUT_NUMBERS = {
    "reached_total": "float64",
    "reached_women": "float64",
    "reached_men": "float64",
    "reached_girls": "float64",
    "reached_boys": "float64",
    "rows_reached": "int64",
    "rows_total_from_split": "int64",
    "rows_disagreeing": "int64",
}


def _numbers(presence: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {c: pd.to_numeric(presence[c], errors="coerce") if c in presence else np.nan for c in REACHED},
        index=presence.index,
    ).astype("float64")


def _number_array(presence: pd.DataFrame) -> np.ndarray:
    """Return the ``REACHED`` columns of ``presence`` as one float array (rows x 5).

    Columns already float64 (every canonical table) are taken as they are; others go
    through :func:`_numbers`' coercion. A rerun of a filtered page reads these numbers
    several times: the pandas frame per call cost more than the arithmetic.
    """
    if all(c in presence and presence[c].dtype == "float64" for c in REACHED):
        return np.column_stack([presence[c].to_numpy() for c in REACHED])
    return _numbers(presence).to_numpy(dtype="float64")


def _row_arrays(numbers: np.ndarray) -> dict[str, np.ndarray]:
    """:func:`row_reached` on the number array of :func:`_number_array` (numpy only).

    The arithmetic is pandas' own, in the same order (the split summed left to right
    with blanks as 0, so every figure is the same to the last bit).
    """
    total = numbers[:, 0]
    parts = numbers[:, 1:]
    given = ~np.isnan(parts)
    split_parts = given.sum(axis=1).astype("int64")
    split_sum = np.where(given, parts, 0.0).sum(axis=1)
    split_sum[split_parts == 0] = np.nan
    has_total = ~np.isnan(total)
    from_split = ~has_total & (split_parts > 0)
    reached = np.where(has_total, total, split_sum)
    tolerance = split_parts * ROUNDING_PER_PART
    complete = split_parts == len(SPLIT)
    with np.errstate(invalid="ignore"):
        gap = split_sum - total
        disagrees = has_total & (split_parts > 0) & (
            (complete & (np.abs(gap) > tolerance)) | (~complete & (gap > tolerance))
        )
    return {"reached": reached, "split_sum": split_sum, "split_parts": split_parts,
            "from_split": from_split, "disagrees": disagrees}


def row_reached(presence: pd.DataFrame) -> pd.DataFrame:
    """Return, per presence row, the reached figures the totals are made of.

    Returns:
        DataFrame on ``presence``'s index with ``reached`` (the row's people reached by
        the definition above, NaN when it gives none), ``split_sum`` (sum of the parts
        given, NaN when none), ``split_parts`` (how many parts are given), ``from_split``
        (True when ``reached`` is the split sum because no total is given) and
        ``disagrees`` (True when a given total and its split disagree beyond rounding).
    """
    return pd.DataFrame(_row_arrays(_number_array(presence)), index=presence.index)


def group_columns(by) -> list[str]:
    """Return the presence columns a grouping ``by`` (as :func:`reached_by`) groups on."""
    if isinstance(by, str):
        by = (by,)
    columns: list[str] = []
    for name in by:
        for column in DIMENSIONS.get(name, (name,)):
            if column not in columns:
                columns.append(column)
    return columns


def reached_by(presence: pd.DataFrame, by=("country",)) -> pd.DataFrame:
    """Return people reached summed per group.

    Args:
        presence: 4W presence rows (already filtered by the caller).
        by: one dimension or several, among ``DIMENSIONS`` ("country", "emergency",
            "admin1", "pillar", "organisation") or presence column names. Rows whose
            group value is missing form their own group (NaN), so groups always add up
            to :func:`reached_headline`.

    Returns:
        One row per group (groups with no reached figure at all included, with NaN),
        sorted by the group columns: the group columns, then ``reached_total`` (sum of
        the rows' people reached, NaN when no row gives any), ``reached_women``,
        ``reached_men``, ``reached_girls``, ``reached_boys`` (sum of that part over the
        rows that give it, NaN when none does), ``rows_reached`` (rows counted in the
        total), ``rows_total_from_split`` (of which the total is the sum of the split)
        and ``rows_disagreeing`` (rows whose total and split disagree).
    """
    columns = group_columns(by)
    missing = [c for c in columns if c not in presence.columns]
    if missing:
        raise KeyError(f"presence has no column {', '.join(missing)}")
    if presence.empty:
        return pd.DataFrame({**{c: pd.Series(dtype="str") for c in columns},
                             **{c: pd.Series(dtype=t) for c, t in _OUT_NUMBERS.items()}})
    numbers = _number_array(presence)
    per_row = _row_arrays(numbers)
    # One frame of plain arrays, built once (the group columns as Python objects, as
    # they always were grouped): a pandas frame per column cost more than the sums.
    frame = pd.DataFrame(
        {
            **{c: presence[c].to_numpy(dtype=object) for c in columns},
            "reached_total": per_row["reached"],
            **{part: numbers[:, i + 1] for i, part in enumerate(SPLIT)},
            "rows_reached": (~np.isnan(per_row["reached"])).astype("int64"),
            "rows_total_from_split": per_row["from_split"].astype("int64"),
            "rows_disagreeing": per_row["disagrees"].astype("int64"),
        },
        copy=False,
    )
    grouped = frame.groupby(columns, dropna=False, sort=True)
    sums = grouped[list(REACHED)].sum(min_count=1)
    counts = grouped[["rows_reached", "rows_total_from_split", "rows_disagreeing"]].sum()
    out = pd.concat([sums, counts], axis=1).reset_index()
    return out.astype(_OUT_NUMBERS)


def reached_headline(presence: pd.DataFrame) -> dict:
    """Return the people reached over all rows given.

    Returns:
        dict: ``reached_total``, ``reached_women``, ``reached_men``, ``reached_girls``,
        ``reached_boys`` (floats, None when no row gives that figure), ``rows_reached``,
        ``rows_total_from_split``, ``rows_disagreeing`` (ints).
    """
    numbers = _number_array(presence)
    per_row = _row_arrays(numbers)

    def total(values: np.ndarray) -> float | None:
        value = pd.Series(values, dtype="float64").sum(min_count=1)
        return None if pd.isna(value) else float(value)

    return {
        "reached_total": total(per_row["reached"]),
        **{part: total(numbers[:, i + 1]) for i, part in enumerate(SPLIT)},
        "rows_reached": int((~np.isnan(per_row["reached"])).sum()),
        "rows_total_from_split": int(per_row["from_split"].sum()),
        "rows_disagreeing": int(per_row["disagrees"].sum()),
    }


def reached_disagreements(presence: pd.DataFrame) -> pd.DataFrame:
    """Return the rows whose given total and split disagree beyond rounding.

    Returns:
        One row per disagreeing presence row, in input order: ``_file``, ``_sheet``,
        ``_row`` (where it came from, when known), ``org``, ``country_iso3``,
        ``reached_total``, ``split_sum``, ``split_parts``, ``difference`` (split sum
        minus total) and ``message`` (what is wrong, in words).
    """
    per_row = row_reached(presence)
    bad = per_row["disagrees"]
    keep = [c for c in ("_file", "_sheet", "_row", "org", "country_iso3") if c in presence.columns]
    out = presence.loc[bad, keep].copy()
    numbers = _numbers(presence).loc[bad]
    out["reached_total"] = numbers["reached_total"]
    out["split_sum"] = per_row.loc[bad, "split_sum"]
    out["split_parts"] = per_row.loc[bad, "split_parts"]
    out["difference"] = out["split_sum"] - out["reached_total"]

    def message(row) -> str:
        parts = "women + men + girls + boys" if row["split_parts"] == len(SPLIT) else "the parts given"
        return (f"People reached {row['reached_total']:g} but {parts} add up to "
                f"{row['split_sum']:g} ({row['difference']:+g}); the total is counted as given")

    out["message"] = [message(r) for _, r in out.iterrows()] if len(out) else pd.Series(dtype="str")
    return out.reset_index(drop=True)

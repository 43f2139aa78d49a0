"""Column helpers shared by the rules: blank masks, factorisations, list joins."""

from __future__ import annotations

import numpy as np
import pandas as pd

from maaor.dataset import join_list, split_list
from maaor.normalise import str_series
from maaor.validate.collect import RowValues

_NO_TEXT = frozenset(
    {"empty", "floating", "integer", "mixed-integer-float", "decimal", "boolean",
     "datetime", "datetime64", "date", "time", "timedelta"}
)


def blank_mask(s: pd.Series) -> np.ndarray:
    """True where a raw cell is None/NaN or whitespace-only text."""
    return blank_and_factors(s)[0]


def blank_and_factors(
    s: pd.Series,
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray] | None]:
    """The blank mask of a raw column and, for a column holding text, its factorization
    ``(codes, uniques)`` (as ``normalise.text`` takes it), so that it is computed once."""
    # A text first cell settles it (no inferred type of ``_NO_TEXT`` allows a str): the
    # scan of the whole column for its type is spared in most text columns.
    text_first = s.dtype == object and len(s) > 0 and isinstance(s.iloc[0], str)
    if not text_first and (
        s.dtype != object or pd.api.types.infer_dtype(s, skipna=True) in _NO_TEXT
    ):
        # No text in the column: only missing values are blank.
        return s.isna().to_numpy(), None
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    uniques = np.asarray(uniques, dtype=object)
    flags = np.array(
        [isinstance(u, str) and not u.strip() for u in uniques] + [True], dtype=bool
    )
    return (flags[codes] if len(codes) else np.zeros(0, dtype=bool)), (codes, uniques)


def obj_values(s: pd.Series) -> np.ndarray:
    return s.to_numpy(dtype=object)


def row_values(s: pd.Series) -> np.ndarray | RowValues:
    """The per-row values of ``s`` for a problem rule's ``values`` or ``context``: an
    object column as it is, any other made Python objects only at the flagged rows."""
    return s.to_numpy(dtype=object) if s.dtype == object else RowValues(s)


def join_columns(*columns: pd.Series, exclude: pd.Series | None = None) -> pd.Series:
    """Row-wise join_list of several LIST_SEP-joined columns, minus ``exclude`` items.

    Vectorised over distinct combinations: the columns are glued with a separator that
    cannot occur in cell text, factorised, and each distinct combination is split once.
    """
    glue = "\x1f"
    parts = [c.fillna("").astype(str) for c in columns]
    if exclude is not None:
        parts.append(exclude.fillna("").astype(str))
    combined = parts[0]
    for p in parts[1:]:
        combined = combined + glue + p
    codes, uniques = pd.factorize(combined)
    out = []
    for u in uniques:
        pieces = u.split(glue)
        drop = set(split_list(pieces[-1])) if exclude is not None else set()
        items = [i for p in (pieces[:-1] if exclude is not None else pieces) for i in split_list(p)]
        out.append(join_list(i for i in items if i not in drop))
    return str_series(codes, out, np.nan, columns[0].index)


def object_array(items: list) -> np.ndarray:
    """A 1-D object array of ``items`` (tuples stay whole, unlike ``np.array``)."""
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def masked_tuples(mask: np.ndarray, *columns) -> np.ndarray:
    """Per-row tuples of ``columns`` where ``mask`` is True, None elsewhere.

    A rule's problem context is read only at the rows it flags: building a tuple for
    every row of a 100,000-row sheet costs more than the rule itself. A column given as
    :class:`RowValues` is made Python objects at those rows only, too.
    """
    out = np.full(len(mask), None, dtype=object)
    positions = np.flatnonzero(mask)
    if len(positions):
        picked = [c.take(positions) if isinstance(c, RowValues) else np.asarray(c)[positions]
                  for c in columns]
        out[positions] = object_array(list(zip(*picked, strict=True)))
    return out


def row_groups(*columns: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Group the rows by the values of ``columns`` (missing values form a group).

    Returns:
        ``(codes, first)``: each row's group number, and the position of each group's
        first row (so ``first[codes]`` maps every row to its group's first row).
    """
    codes = np.zeros(len(columns[0]), dtype=np.int64)
    for c in columns:
        own, uniques = pd.factorize(c, use_na_sentinel=False)
        # Renumbered after each column, so the combined number stays below rows squared.
        codes, _ = pd.factorize(codes * (len(uniques) + 1) + own)
    _, first = np.unique(codes, return_index=True)
    return codes, first

"""What an upload would publish: the uploaded tables over the current version's.

An upload usually carries some of the tables (a new 4W, an updated work plan); the
tables it does not carry are kept from the current version, so uploading one sheet can
never wipe the others. A table that is reported per country (4W presence, funding, FTS,
indicators) is also merged by its scope: by default the upload replaces only the rows
of the countries (and years, where the table has a year) it contains and keeps the
others; replacing the whole table is an explicit choice (``scope="all"``). Pure: no
store, no Streamlit.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from maaor.dataset import TABLES, Dataset, conform
from maaor.load import LoadResult

#: Tables reported per country (and per year where they have one), with the columns
#: whose values an upload's rows "own": rows of the current version with the same
#: values are replaced, the others kept (under the default scope).
SCOPED_TABLES: dict[str, tuple[str, ...]] = {
    "presence": ("country_iso3",),
    "funding": ("country_iso3", "year"),
    "fts": ("country_iso3", "year"),
    "indicators": ("country_iso3", "year"),
}
#: "countries": replace the rows of the countries (and years) the upload holds;
#: "all": replace every row of each table the upload carries.
SCOPES: tuple[str, ...] = ("countries", "all")
DEFAULT_SCOPE = "countries"


def uploaded_tables(result: LoadResult) -> tuple[str, ...]:
    """Return the tables the upload carries (a sheet of that kind was loaded), in order."""
    kinds = {kind for f in result.files for kind, _ in f.tables}
    return tuple(name for name in TABLES if name in kinds)


def _scope_keys(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.Series:
    """One hashable key per row: the values of ``columns``, missing as None."""
    values = frame[list(columns)].astype("object")
    values = values.where(values.notna(), None)
    return pd.Series(list(map(tuple, values.to_numpy())), index=frame.index, dtype="object")


def _distinct_keys(frame: pd.DataFrame, columns: tuple[str, ...]) -> tuple[pd.Series, np.ndarray]:
    """The keys of ``frame`` (see :func:`_scope_keys`) made once per distinct key, not per
    row: a 100,000-row 4W holds a few hundred countries and years.

    Returns:
        ``(keys, row_key)``: the distinct keys, and for each row the position of its key.
    """
    groups = frame.groupby(list(columns), dropna=False, sort=False).ngroup().to_numpy()
    _, first, row_key = np.unique(groups, return_index=True, return_inverse=True)
    return _scope_keys(frame.iloc[first], columns), row_key.reshape(-1)


def merge_scoped(name: str, current: pd.DataFrame, uploaded: pd.DataFrame,
                 scope: str = DEFAULT_SCOPE) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the table ``name`` publishing ``uploaded`` over ``current`` makes, and the
    rows kept from ``current``.

    The one scope rule of an upload, used by the Coordinator page and the CLI alike.

    Args:
        name: the canonical table.
        current: the table in the current version.
        uploaded: the table in the upload.
        scope: "countries" (default): the upload replaces the rows of ``current`` whose
            country (and year, where the table has one; a blank country is the global
            level) appears in the upload and keeps every other row; "all": the upload
            replaces the whole table. Tables not in :data:`SCOPED_TABLES` (the work plan,
            mechanisms) are always replaced whole.

    Returns:
        ``(table, kept)``: the merged table (kept rows first, then the upload's), and the
        rows taken from ``current``.

    Raises:
        ValueError: ``scope`` is not one of :data:`SCOPES`.
    """
    if scope not in SCOPES:
        raise ValueError(f"unknown upload scope {scope!r} (use one of {', '.join(SCOPES)})")
    if scope == "all" or name not in SCOPED_TABLES or current.empty:
        return uploaded, current.iloc[0:0]
    columns = SCOPED_TABLES[name]
    owned = set(_distinct_keys(uploaded, columns)[0])
    keys, row_key = _distinct_keys(current, columns)
    kept = current[~keys.isin(owned).to_numpy()[row_key]]
    if kept.empty:
        return uploaded, kept
    return conform(name, pd.concat([kept, uploaded], ignore_index=True)), kept.reset_index(drop=True)


def candidate_dataset(
    current: Dataset | None, result: LoadResult, scope: str = DEFAULT_SCOPE,
) -> tuple[Dataset, tuple[str, ...], dict[str, tuple[str, ...]]]:
    """Return the dataset publishing ``result`` would make current, and what it keeps.

    Args:
        current: the current published dataset (None when the store is empty).
        result: the validated upload.
        scope: how far the upload's tables reach (see :func:`merge_scoped`).

    Returns:
        ``(dataset, kept, kept_countries)``: the upload's tables merged over ``current``
        by ``scope``, plus every table it does not carry taken from ``current``;
        ``kept`` names the tables taken whole from ``current`` that hold rows;
        ``kept_countries`` maps each carried table that keeps rows of ``current`` to
        the ISO3 codes of the countries those rows belong to (sorted).
    """
    carried = set(uploaded_tables(result))
    if current is None:
        return result.dataset, (), {}
    tables: dict[str, pd.DataFrame] = {}
    kept_countries: dict[str, tuple[str, ...]] = {}
    partly_kept: set[str] = set()
    for name in TABLES:
        if name not in carried:
            tables[name] = current.tables[name]
            continue
        tables[name], kept_rows = merge_scoped(name, current.tables[name],
                                               result.dataset.tables[name], scope)
        if len(kept_rows):
            partly_kept.add(name)
            kept_countries[name] = tuple(sorted(kept_rows["country_iso3"].dropna().unique()))
    kept = tuple(n for n in TABLES if n not in carried and len(current.tables[n]))
    illustrative = tuple(
        n for n in TABLES
        if (n in carried and n in result.dataset.meta.illustrative_tables)
        or ((n not in carried or n in partly_kept) and n in current.meta.illustrative_tables)
    )
    meta = replace(
        result.dataset.meta,
        illustrative=bool(illustrative),
        illustrative_tables=illustrative,
    )
    return Dataset(tables, meta), kept, kept_countries

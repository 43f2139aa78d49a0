"""What an upload would publish: the uploaded tables over the current version's.

An upload usually carries some of the tables (a new 4W, an updated work plan); the
tables it does not carry are kept from the current version, so uploading one sheet
can never wipe the others. Pure: no store, no Streamlit.
"""

from __future__ import annotations

from dataclasses import replace

from maaor.dataset import TABLES, Dataset
from maaor.load import LoadResult


def uploaded_tables(result: LoadResult) -> tuple[str, ...]:
    """Return the tables the upload carries (a sheet of that kind was loaded), in order."""
    kinds = {kind for f in result.files for kind, _ in f.tables}
    return tuple(name for name in TABLES if name in kinds)


def candidate_dataset(current: Dataset | None, result: LoadResult) -> tuple[Dataset, tuple[str, ...]]:
    """Return the dataset publishing ``result`` would make current, and the kept tables.

    Args:
        current: the current published dataset (None when the store is empty).
        result: the validated upload.

    Returns:
        ``(dataset, kept)``: the upload's tables, plus every table it does not carry
        taken from ``current``; ``kept`` names the tables taken from ``current`` that
        hold rows.
    """
    carried = set(uploaded_tables(result))
    if current is None:
        return result.dataset, ()
    tables = {
        name: result.dataset.tables[name] if name in carried else current.tables[name]
        for name in TABLES
    }
    kept = tuple(n for n in TABLES if n not in carried and len(current.tables[n]))
    illustrative = tuple(
        n for n in TABLES
        if (n in carried and n in result.dataset.meta.illustrative_tables)
        or (n not in carried and n in current.meta.illustrative_tables)
    )
    meta = replace(
        result.dataset.meta,
        illustrative=bool(illustrative),
        illustrative_tables=illustrative,
    )
    return Dataset(tables, meta), kept

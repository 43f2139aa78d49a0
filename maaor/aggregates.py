"""Aggregates computed once per published version and stored with it.

The unfiltered figures (what most visitors see first: presence per country and admin-1
area for the map, pillars, the presence and funding headlines, progress per objective
and output) do not change until the next publish, so they are computed once from the
public dataset of a version and kept in the store (``Store.put_aggregates``). Every
Streamlit process (and every process of a scaled-out deployment) then reads them back
instead of recomputing them from the tables.

An aggregate's name carries the public presence level it was computed at
(``presence.by_country@point``): an operator who coarsens presence gets new aggregates,
never ones computed at a finer level. The stored views are those marked ``stored`` in
``maaor.views.VIEWS``, computed by the same registry entry, with empty filters, from the
same public dataset (``maaor.views.public_dataset``) the pages use. No Streamlit here.
"""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import pandas as pd

from maaor import views
from maaor.dataset import Dataset
from maaor.store.errors import StoreError
from maaor.views import STORED_VIEWS

log = logging.getLogger(__name__)


# Bumped when a stored figure's definition or columns change (issue 11: funding reconciled
# on the stated requirement), so a version's aggregates stored before are recomputed
# instead of read back with the old definition.
DEFINITIONS_REVISION = 2


def stored_name(view: str, level: str) -> str:
    """Return the store name of ``view`` computed at presence level ``level`` (and the
    revision of the figure definitions)."""
    return f"{view}@{level}#r{DEFINITIONS_REVISION}"


def encode(value: Any) -> bytes:
    """Return the stored bytes of an aggregate: Parquet for a table, JSON for numbers.

    Raises:
        TypeError: ``value`` is neither a DataFrame nor a dict of plain scalars.
    """
    if isinstance(value, pd.DataFrame):
        buf = io.BytesIO()
        value.to_parquet(buf, engine="pyarrow", compression="zstd")
        return b"P" + buf.getvalue()
    if isinstance(value, dict):
        plain = {str(k): (v.item() if hasattr(v, "item") else v) for k, v in value.items()}
        return b"J" + json.dumps(plain).encode("utf-8")
    raise TypeError(f"cannot store an aggregate of type {type(value).__name__}")


def decode(data: bytes) -> Any:
    """Return the aggregate stored as ``data`` by :func:`encode`.

    Raises:
        ValueError: the bytes were not written by :func:`encode`.
    """
    tag, body = data[:1], data[1:]
    if tag == b"P":
        return pd.read_parquet(io.BytesIO(body), engine="pyarrow")
    if tag == b"J":
        return json.loads(body.decode("utf-8"))
    raise ValueError("not a stored aggregate")


def compute(ds: Dataset, level: str) -> dict[str, bytes]:
    """Return every stored aggregate of dataset ``ds`` (the full, published one), encoded,
    by store name."""
    public = views.public_dataset(ds, level)
    return {
        stored_name(name, level): encode(views.compute(name, public, views.NO_FILTERS, None))
        for name in STORED_VIEWS
    }


def store_aggregates(store, version: int, level: str, ds: Dataset) -> list[str]:
    """Compute the aggregates of ``version`` from its dataset and store them; return
    their names.

    Args:
        store: an open ``maaor.store.Store``.
        version: a just-published version.
        level: the public presence level.
        ds: the dataset just published as ``version`` (the one in hand: publishing
            never reloads what it has just written).
    """
    computed = compute(ds, level)
    store.put_aggregates(version, computed)  # one transaction, as publishing does
    return list(computed)


def read_aggregate(store, version: int, view: str, level: str) -> Any | None:
    """Return the stored aggregate ``view`` of ``version`` at ``level``, computing and
    storing all of the version's aggregates first when they are missing.

    Returns None for a view that is not stored (see :data:`STORED_VIEWS`).
    """
    if view not in STORED_VIEWS:
        return None
    name = stored_name(view, level)
    data = store.aggregate(version, name)
    if data is None:
        ds = store.load(version)
        computed = compute(ds, level)
        data = computed[name]
        try:
            store.put_aggregates(version, computed)
        except StoreError as exc:  # e.g. another process stored them at the same moment
            log.info("aggregates of version %s not stored: %s", version, exc)
    return decode(data)

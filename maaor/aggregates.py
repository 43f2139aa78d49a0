"""Aggregates computed once per published version and stored with it.

The unfiltered figures (what most visitors see first: presence per country and admin-1
area for the map, pillars, the presence and funding headlines, progress per objective
and output) do not change until the next publish, so they are computed once from the
public dataset of a version and kept in the store (``Store.put_aggregate``). Every
Streamlit process (and every process of a scaled-out deployment) then reads them back
instead of recomputing them from the tables.

An aggregate's name carries the public presence level it was computed at
(``presence.by_country@point``): an operator who coarsens presence gets new aggregates,
never ones computed at a finer level. Each aggregate is computed with the same figure
functions and the same (empty) filters as the UI's ``maaor.ui.data.VIEWS``, which the
tests check value for value. No Streamlit here.
"""

from __future__ import annotations

import io
import json
import logging
import os
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from maaor.dataset import Dataset
from maaor.figures import funding as fig_funding
from maaor.figures import presence as fig_presence
from maaor.figures import progress as fig_progress
from maaor.filters import Filters, filter_fts, filter_funding, filter_presence, filter_workplan
from maaor.store.errors import StoreError

log = logging.getLogger(__name__)

_NONE = Filters()


def _mechanisms(ds: Dataset) -> pd.DataFrame:
    return ds.mechanisms


# View name (as in maaor.ui.data.VIEWS) -> function of the public dataset, unfiltered.
# Only views that do not depend on the date or on extra arguments are stored.
STORED_VIEWS: dict[str, Callable[[Dataset], Any]] = {
    "presence.headline": lambda ds: fig_presence.presence_headline(
        filter_presence(ds.presence, _NONE), _mechanisms(ds)
    ),
    "presence.by_country": lambda ds: fig_presence.orgs_by_country(
        filter_presence(ds.presence, _NONE), active_only=True
    ),
    "presence.by_admin1": lambda ds: fig_presence.orgs_by_admin1(
        filter_presence(ds.presence, _NONE), active_only=True
    ),
    "presence.by_pillar": lambda ds: fig_presence.orgs_by_pillar(
        filter_presence(ds.presence, _NONE), active_only=True
    ),
    "workplan.by_objective": lambda ds: fig_progress.progress_by_objective(
        filter_workplan(ds.workplan, _NONE)
    ),
    "workplan.by_output": lambda ds: fig_progress.progress_by_output(
        filter_workplan(ds.workplan, _NONE)
    ),
    "funding.headline": lambda ds: fig_funding.funding_headline(filter_funding(ds.funding, _NONE)),
    "funding.budget": lambda ds: fig_funding.workplan_budget_vs_funded(
        filter_workplan(ds.workplan, _NONE)
    ),
    "funding.fts": lambda ds: fig_funding.fts_mine_action(filter_fts(ds.fts, _NONE)),
}


PRESENCE_LEVELS = ("country", "admin1", "admin2", "point")
DEFAULT_PRESENCE_LEVEL = "point"


def public_presence_level(env: Mapping[str, str] | None = None) -> str:
    """Return how finely the public view shows presence (``MAAOR_PUBLIC_PRESENCE_LEVEL``).

    "point" (default) shows the data as published (the map's admin-1 bubbles sit at the
    mean of the area's coordinates); "admin2" drops nothing the public view draws;
    "admin1" blanks admin-2 and coordinates, so the map shows countries and no bubbles;
    "country" also blanks admin-1. Set it where operators' sub-national locations are
    sensitive.
    """
    env = os.environ if env is None else env
    level = env.get("MAAOR_PUBLIC_PRESENCE_LEVEL", "").strip().lower()
    return level if level in PRESENCE_LEVELS else DEFAULT_PRESENCE_LEVEL


def public_dataset(ds: Dataset, level: str) -> Dataset:
    """Return what the public pages show of ``ds``: no sensitive columns, presence
    coarsened to ``level`` ("country", "admin1", "admin2" or "point")."""
    public = ds.without_sensitive()
    presence = fig_presence.aggregate_presence(public.presence, level)
    return Dataset({**public.tables, "presence": presence}, public.meta)


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
    public = public_dataset(ds, level)
    return {stored_name(view, level): encode(fn(public)) for view, fn in STORED_VIEWS.items()}


def store_aggregates(store, version: int, level: str, ds: Dataset | None = None) -> list[str]:
    """Compute the aggregates of ``version`` and store them; return their names.

    Args:
        store: an open ``maaor.store.Store``.
        version: a published version.
        level: the public presence level.
        ds: the version's dataset when the caller has it (else loaded from the store).
    """
    ds = store.load(version) if ds is None else ds
    computed = compute(ds, level)
    for name, data in computed.items():
        store.put_aggregate(version, name, data)
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
            for other, value in computed.items():
                store.put_aggregate(version, other, value)
        except StoreError as exc:  # e.g. another process stored them at the same moment
            log.info("aggregates of version %s not stored: %s", version, exc)
    return decode(data)

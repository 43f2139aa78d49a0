"""Dataset: the normalised tables of one version and its metadata.

This module is the contract between the readers (which produce these tables) and the
figures, store, pages and exports (which consume them). Every table has the columns
listed in ``TABLE_COLUMNS`` in that order, with those dtypes, whatever the input was.

Conventions:
    * Text is pandas' ``str`` dtype; a missing text is NaN (``pd.isna``).
    * Money is float64 USD; NaN means *unknown* (never zero).
    * Multi-valued cells (co-leads, partners, focal points) are canonical names joined
      with ``"; "`` (``LIST_SEP``); use :func:`split_list` to get them back.
    * Vocabulary columns (status, pillar, org_type, channel) hold the canonical codes of
      ``maaor.vocab``, never the words the user typed.
    * Provenance columns ``_file``, ``_sheet``, ``_row`` say where each row came from
      (``_row`` is the Excel row number as the user sees it).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field, replace

import pandas as pd

LIST_SEP = "; "

_PROVENANCE = {"_file": "str", "_sheet": "str", "_row": "Int64"}

TABLE_COLUMNS: dict[str, dict[str, str]] = {
    # One row per work-plan activity.
    "workplan": {
        "objective_id": "str",  # "1"
        "objective": "str",  # "Coordinated Field Support" (title; long text in objective_text)
        "objective_text": "str",
        "output_id": "str",  # "1.3"
        "output": "str",
        "activity_id": "str",  # "1.3.2" (unique)
        "activity": "str",
        "leads": "str",  # canonical org names, LIST_SEP-joined; NaN = no lead
        "lead_tentative": "boolean",  # a lead marked "(TBC)"
        "partners": "str",  # canonical org names, LIST_SEP-joined
        "focal_points": "str",  # people's names (sensitive), LIST_SEP-joined
        "budget_usd": "float64",  # NaN = no quantified budget
        "budget_note": "str",  # free-text budget ("Travel budget to ...")
        "budget_group": "str",  # activities sharing one budget cell share this id;
        #                         totals count each group's budget once
        "funded_usd": "float64",
        "status": "str",  # vocab.STATUSES code
        "progress": "float64",  # 0..100
        "start": "datetime64[ns]",
        "due": "datetime64[ns]",
        "last_update": "datetime64[ns]",
        "comment": "str",
        **_PROVENANCE,
    },
    # 4W presence: one row per organisation x place x activity type.
    "presence": {
        "org": "str",  # canonical organisation name
        "org_as_written": "str",
        "org_type": "str",  # vocab.ORG_TYPES code
        "country_iso3": "str",
        "emergency": "str",  # crisis / response name when given
        "admin1": "str",
        "admin1_code": "str",
        "admin2": "str",
        "admin2_code": "str",
        "lat": "float64",
        "lon": "float64",
        "pillar": "str",  # vocab.PILLARS code ("unspecified": the file said only "Mine Action")
        "subsector": "str",  # a humanitarian 3W's subsector as written ("Mine Action")
        "activity": "str",  # activity type as written (e.g. "Non-technical survey")
        "status": "str",  # vocab.PRESENCE_STATUSES code: planned / active / completed / suspended
        "start": "datetime64[ns]",
        "end": "datetime64[ns]",
        "reached_total": "float64",
        "reached_women": "float64",
        "reached_men": "float64",
        "reached_girls": "float64",
        "reached_boys": "float64",
        "target": "float64",
        "focal_point": "str",  # sensitive
        "contact": "str",  # sensitive
        **_PROVENANCE,
    },
    # Funding of the mine action response reported by the AoR (not FTS).
    "funding": {
        "country_iso3": "str",  # NaN = global AoR
        "emergency": "str",  # crisis / response name when given
        "year": "Int64",
        "donor": "str",
        "channel": "str",  # vocab.CHANNELS code: hrp, cerf, cbpf, vtf, bilateral, other
        "recipient": "str",  # canonical organisation
        "project": "str",
        "pillar": "str",
        "required_usd": "float64",  # NaN = unknown, never zero
        "pledged_usd": "float64",  # promised, not yet received; never counted as funded
        "funded_usd": "float64",  # received: what "funded" means everywhere
        # Amounts written in another currency (maaor.validate.currency): the currency
        # (ISO codes, LIST_SEP-joined if a row mixes two; NaN = every amount in USD) and
        # each amount as written in it (NaN where that amount was in USD). The *_usd
        # fields hold the converted amounts (NaN when no rate was known).
        "currency": "str",
        "required_original": "float64",
        "pledged_original": "float64",
        "funded_original": "float64",
        **_PROVENANCE,
    },
    # OCHA FTS requirements and funding (kept apart, labelled with its source).
    "fts": {
        "country_iso3": "str",
        "year": "Int64",
        "plan_id": "str",
        "plan_name": "str",
        "plan_code": "str",
        "cluster_code": "str",
        "cluster": "str",
        "required_usd": "float64",  # blank in FTS -> NaN (unknown), never 0
        "funded_usd": "float64",
        "percent_funded": "float64",
        **_PROVENANCE,
    },
    # Results framework indicators.
    "indicators": {
        "indicator_id": "str",
        "indicator": "str",
        "objective": "str",  # strategic objective / strategic outcome
        "outcome": "str",  # intermediate outcome
        "country_iso3": "str",  # NaN = global
        "year": "Int64",
        "unit": "str",
        "disaggregation": "str",  # vocab.DISAGGREGATIONS code: total, women, men, girls, boys
        "baseline": "float64",
        "target": "float64",
        "actual": "float64",
        "direction": "str",  # "increase" (default) or "decrease"
        "as_of": "datetime64[ns]",
        # Values of a long-format 4W (one row per indicator value): who reported the
        # value and where ("Oblast / Raion"); blank for a results framework.
        "org": "str",
        "place": "str",
        **_PROVENANCE,
    },
    # In-country coordination mechanisms (the in-country MA AoRs).
    "mechanisms": {
        "country_iso3": "str",
        "emergency": "str",  # crisis / response name when given
        "name": "str",  # "Mine Action Sub-Cluster Iraq"
        "mechanism_type": "str",  # "sub-cluster", "working group", ...
        "lead_org": "str",
        "co_lead_org": "str",
        "coordinator": "str",  # sensitive
        "email": "str",  # sensitive
        "active": "boolean",
        "activated": "datetime64[ns]",
        "expected_pillars": "str",  # LIST_SEP-joined pillar codes; blank = core pillars
        **_PROVENANCE,
    },
    # The version's list of emergencies (``maaor.emergencies``): one row per emergency,
    # countries and aliases LIST_SEP-joined. Empty = the bundled list.
    "emergencies": {
        "id": "str",
        "name_en": "str",
        "name_fr": "str",
        "countries": "str",
        "type": "str",
        "start_year": "Int64",
        "end_year": "Int64",
        "aliases": "str",
    },
}

TABLES: tuple[str, ...] = tuple(TABLE_COLUMNS)

# Columns shown only to signed-in coordinators (data responsibility).
SENSITIVE_COLUMNS: dict[str, tuple[str, ...]] = {
    "workplan": ("focal_points",),
    "presence": ("focal_point", "contact"),
    "mechanisms": ("coordinator", "email"),
}


def empty_table(name: str) -> pd.DataFrame:
    """Return an empty table with the canonical columns and dtypes of ``name``.

    A copy of one made once per table (building it column by column costs 1.5 ms, and
    every load makes the tables its files do not feed); the copy is the caller's own.
    """
    return _empty_table(name).copy()


@functools.cache
def _empty_table(name: str) -> pd.DataFrame:
    cols = TABLE_COLUMNS[name]
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in cols.items()})


def conform(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with exactly the canonical columns of ``name``, in order and typed.

    Missing columns are added empty; extra columns are dropped. Values must already be
    normalised (this only casts, it never parses user text).
    """
    cols = TABLE_COLUMNS[name]
    out = pd.DataFrame(index=frame.index)
    for col, dtype in cols.items():
        if col in frame.columns:
            out[col] = frame[col].astype(dtype)
        else:
            out[col] = pd.Series(index=frame.index, dtype=dtype)
    return out.reset_index(drop=True)


def split_list(value) -> list[str]:
    """Split a LIST_SEP-joined cell back into its items (NaN -> [])."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return []
    return [v for v in str(value).split(LIST_SEP) if v]


def list_contains_any(series: pd.Series, values) -> pd.Series:
    """Rows of a LIST_SEP-joined column holding at least one of ``values`` (bool Series)."""
    wanted = set(values)
    if series.empty or not wanted:
        return pd.Series(False, index=series.index, dtype=bool)
    positional = pd.Series(series.to_numpy(), dtype="str")
    exploded = positional.str.split(LIST_SEP).explode()
    hit = exploded.isin(wanted).groupby(level=0).any()
    return pd.Series(hit.reindex(range(len(series)), fill_value=False).to_numpy(dtype=bool),
                     index=series.index)


def join_list(items) -> str | float:
    """Join items with LIST_SEP, dropping blanks and duplicates; NaN when empty."""
    seen: list[str] = []
    for item in items:
        if item and item not in seen:
            seen.append(item)
    return LIST_SEP.join(seen) if seen else float("nan")


@dataclass(frozen=True)
class DatasetMeta:
    """Where a dataset comes from.

    Attributes:
        version: store version id; None for a dataset not (yet) published.
        created_at: when it was published (UTC), or loaded.
        created_by: who published it.
        note: the publish note.
        illustrative: True when any table holds illustrative (made-up) data.
        illustrative_tables: which tables are illustrative.
        sources: file names the dataset was built from.
    """

    version: int | None = None
    created_at: dt.datetime | None = None
    created_by: str | None = None
    note: str = ""
    illustrative: bool = False
    illustrative_tables: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Dataset:
    """The normalised tables of one version and its metadata.

    ``tables`` holds every name of ``TABLES``; a table absent from the inputs is empty.
    """

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    meta: DatasetMeta = field(default_factory=DatasetMeta)

    def __post_init__(self) -> None:
        # An empty table is made only for a missing name (``get``'s default would make
        # one for every table, about 2 ms each, on every Dataset built).
        full = {name: self.tables[name] if name in self.tables else empty_table(name)
                for name in TABLES}
        object.__setattr__(self, "tables", full)

    @property
    def workplan(self) -> pd.DataFrame:
        """Work-plan activities."""
        return self.tables["workplan"]

    @property
    def presence(self) -> pd.DataFrame:
        """4W presence rows."""
        return self.tables["presence"]

    @property
    def funding(self) -> pd.DataFrame:
        """AoR-reported funding rows."""
        return self.tables["funding"]

    @property
    def fts(self) -> pd.DataFrame:
        """OCHA FTS rows (kept apart from AoR funding)."""
        return self.tables["fts"]

    @property
    def indicators(self) -> pd.DataFrame:
        """Results-framework indicator rows."""
        return self.tables["indicators"]

    @property
    def mechanisms(self) -> pd.DataFrame:
        """In-country coordination mechanisms."""
        return self.tables["mechanisms"]

    def with_meta(self, **changes) -> Dataset:
        """Return a copy with metadata fields replaced."""
        return Dataset(self.tables, replace(self.meta, **changes))

    def without_sensitive(self) -> Dataset:
        """Return a copy whose sensitive columns (people's names, contacts) are blanked."""
        tables = {}
        for name, frame in self.tables.items():
            cols = [c for c in SENSITIVE_COLUMNS.get(name, ()) if c in frame.columns]
            if cols:
                frame = frame.copy()
                for c in cols:
                    frame[c] = pd.Series(index=frame.index, dtype=frame[c].dtype)
            tables[name] = frame
        return Dataset(tables, self.meta)

"""Operational presence (4W): who is where, doing which pillar.

A presence row without a status counts as active. Organisation counts and lists are of
active organisations by default (``active_only=True``); pass ``active_only=False``
when the caller has already chosen statuses with the filters. Row and pillar counts
cover every row given. Rows without a country are left out of per-country figures.
"""

from __future__ import annotations

import pandas as pd

from maaor.dataset import TABLE_COLUMNS, conform
from maaor.figures.common import (
    active_mask,
    empty_frame,
    join_sorted,
    ordered_codes,
)
from maaor.figures.reached import row_reached
from maaor.textkey import match_key

_BY_COUNTRY = {
    "country_iso3": "str",
    "organisations": "int64",
    "rows": "int64",
    "pillars": "int64",
    "org_list": "str",
    "pillar_list": "str",
}
_BY_ADMIN1 = {
    "country_iso3": "str",
    "admin1": "str",
    "admin1_code": "str",
    "lat": "float64",
    "lon": "float64",
    "organisations": "int64",
    "org_list": "str",
    "pillar_list": "str",
}
_BY_PILLAR = {"country_iso3": "str", "pillar": "str", "organisations": "int64", "org_list": "str"}
_WHERE_IS = {
    "country_iso3": "str",
    "admin1": "str",
    "pillar": "str",
    "activity": "str",
    "status": "str",
    "start": "datetime64[ns]",
    "end": "datetime64[ns]",
}

# Columns blanked by aggregate_presence, per level (data responsibility).
_BLANKED: dict[str, tuple[str, ...]] = {
    "country": ("admin1", "admin1_code", "admin2", "admin2_code", "lat", "lon"),
    "admin1": ("admin2", "admin2_code", "lat", "lon"),
    "admin2": (),
    "point": (),
}
_SUMMED = ("reached_total", "reached_women", "reached_men", "reached_girls", "reached_boys",
           "target")
_PROVENANCE = ("_file", "_sheet", "_row")


def _located(presence: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Rows with a country, narrowed to ``columns`` (copying 27 columns costs more than
    the grouping itself on a 100,000-row table)."""
    narrow = presence[columns]
    return narrow.loc[narrow["country_iso3"].notna()]


def presence_headline(presence: pd.DataFrame, mechanisms: pd.DataFrame) -> dict:
    """Return the headline numbers of operational presence.

    Returns:
        dict of ints: ``countries_with_mechanism`` (distinct countries whose mechanism
        is not marked inactive), ``countries_present`` (distinct countries in
        ``presence``), ``organisations`` (distinct organisations, any status),
        ``active_organisations`` (status active or not given), ``rows``, ``pillars``
        (distinct pillars).
    """
    return {
        "countries_with_mechanism": countries_with_mechanism(mechanisms),
        "countries_present": int(presence["country_iso3"].nunique()),
        "organisations": int(presence["org"].nunique()),
        "active_organisations": int(presence.loc[active_mask(presence), "org"].nunique()),
        "rows": int(len(presence)),
        "pillars": int(presence["pillar"].nunique()),
    }


def countries_with_mechanism(mechanisms: pd.DataFrame) -> int:
    """Return the distinct countries whose mechanism is not marked inactive."""
    mech_active = mechanisms["active"].fillna(True).astype(bool)
    return int(mechanisms.loc[mech_active, "country_iso3"].nunique())


def presence_headline_by_country(presence: pd.DataFrame) -> pd.DataFrame:
    """Return, per country, the presence numbers of :func:`presence_headline` that its
    rows alone give (so one country's headline is a lookup, not a filter).

    Returns:
        Index ``country_iso3`` (countries with rows), int columns ``organisations``,
        ``active_organisations``, ``rows`` and ``pillars``, counted as
        :func:`presence_headline` counts them on that country's rows.
    """
    rows = _located(presence, ["country_iso3", "org", "pillar", "status"])
    grouped = rows.groupby("country_iso3", sort=True)
    active = rows.loc[active_mask(rows)].groupby("country_iso3", sort=True)["org"].nunique()
    out = pd.DataFrame({
        "organisations": grouped["org"].nunique(),
        "active_organisations": active,
        "rows": grouped.size(),
        "pillars": grouped["pillar"].nunique(),
    })
    return out.fillna(0).astype("int64")


def _with_counted_orgs(rows: pd.DataFrame, active_only: bool) -> pd.DataFrame:
    """Add ``_org``: the organisation when the row counts for organisation figures."""
    counted = rows["org"].where(active_mask(rows)) if active_only else rows["org"]
    return rows.assign(_org=counted)


def orgs_by_country(presence: pd.DataFrame, active_only: bool = True) -> pd.DataFrame:
    """Return organisations and pillars per country.

    Columns: country_iso3, organisations (distinct organisations, active only by
    default), rows (all rows), pillars (distinct pillars, all rows), org_list and
    pillar_list (LIST_SEP-joined, sorted; NaN when empty). Sorted by ISO3.
    """
    rows = _located(presence, ["country_iso3", "org", "pillar", "status"])
    if rows.empty:
        return empty_frame(_BY_COUNTRY)
    keys = ["country_iso3"]
    rows = _with_counted_orgs(rows, active_only)
    grouped = rows.groupby(keys, dropna=False)
    out = pd.DataFrame({"rows": grouped.size(), "pillars": grouped["pillar"].nunique(),
                        "organisations": grouped["_org"].nunique()})
    # same grouping, same order: assign positionally
    out["org_list"] = join_sorted(rows, keys, "_org").to_numpy()
    out["pillar_list"] = join_sorted(rows, keys, "pillar").to_numpy()
    out = out.reset_index()
    return out[list(_BY_COUNTRY)].astype(_BY_COUNTRY)


def orgs_by_admin1(presence: pd.DataFrame, active_only: bool = True) -> pd.DataFrame:
    """Return organisations per first-level administrative area, with a map position.

    Rows of a country without admin1 form one group with admin1 NaN.

    Columns: country_iso3, admin1, admin1_code (first code given), lat, lon (mean of the
    rows' coordinates; NaN if none), organisations (distinct, active only by default),
    org_list, pillar_list. Sorted by country then admin1 (NaN last).
    """
    rows = _located(presence, ["country_iso3", "admin1", "admin1_code", "lat", "lon", "org",
                               "pillar", "status"])
    if rows.empty:
        return empty_frame(_BY_ADMIN1)
    keys = ["country_iso3", "admin1"]
    rows = _with_counted_orgs(rows, active_only)
    grouped = rows.groupby(keys, dropna=False)
    out = grouped.agg(
        admin1_code=("admin1_code", "first"),
        lat=("lat", "mean"),
        lon=("lon", "mean"),
        organisations=("_org", "nunique"),
    )
    out["org_list"] = join_sorted(rows, keys, "_org").to_numpy()
    out["pillar_list"] = join_sorted(rows, keys, "pillar").to_numpy()
    out = out.reset_index()
    return out[list(_BY_ADMIN1)].astype(_BY_ADMIN1)


def orgs_by_pillar(presence: pd.DataFrame, active_only: bool = True) -> pd.DataFrame:
    """Return organisations per country and pillar.

    Rows without a pillar form a group with pillar NaN (listed last).

    Columns: country_iso3, pillar, organisations (distinct, active only by default),
    org_list. Sorted by country then pillar in vocabulary order.
    """
    rows = _located(presence, ["country_iso3", "pillar", "org", "status"])
    if rows.empty:
        return empty_frame(_BY_PILLAR)
    keys = ["country_iso3", "pillar"]
    rows = _with_counted_orgs(rows, active_only)
    out = rows.groupby(keys, dropna=False).agg(organisations=("_org", "nunique"))
    out["org_list"] = join_sorted(rows, keys, "_org").to_numpy()
    out = out.reset_index()
    rank = {p: i for i, p in enumerate(ordered_codes(out["pillar"], "pillar"))}
    out["_rank"] = out["pillar"].map(rank).astype("float64")
    out = out.sort_values(["country_iso3", "_rank"], kind="stable", na_position="last")
    return out[list(_BY_PILLAR)].reset_index(drop=True).astype(_BY_PILLAR)


def org_pillar_matrix(presence: pd.DataFrame, country_iso3: str | None = None) -> pd.DataFrame:
    """Return the organisation x pillar count of presence rows.

    Args:
        presence: canonical presence table (every row given is counted, whatever its
            status; filter statuses first if needed).
        country_iso3: restrict to one country; None = all countries.

    Returns:
        Index ``org`` (sorted), columns the pillar codes present (vocabulary order),
        int values (0 where an organisation does not work on a pillar). Rows without
        an organisation or a pillar are left out.
    """
    rows = presence
    if country_iso3 is not None:
        rows = rows.loc[(rows["country_iso3"] == country_iso3).fillna(False).astype(bool)]
    rows = rows[["org", "pillar"]].dropna()
    pillars = ordered_codes(rows["pillar"], "pillar")
    counts = rows.groupby(["org", "pillar"]).size()
    if counts.empty:
        out = pd.DataFrame(index=pd.Index([], name="org", dtype="str"), dtype="int64")
        out.columns.name = "pillar"
        return out
    out = counts.unstack("pillar", fill_value=0)
    out = out.reindex(columns=pillars).sort_index().astype("int64")
    out.index.name = "org"
    out.columns.name = "pillar"
    return out


def where_is(presence: pd.DataFrame, org: str) -> pd.DataFrame:
    """Return where one organisation is present.

    ``org`` is compared with ``maaor.textkey.match_key`` so "halo trust" finds
    "HALO Trust". Identical rows (same place, pillar, activity, status and dates) are
    shown once.

    Columns: country_iso3, admin1, pillar, activity, status, start, end; sorted by
    country, admin1, pillar.
    """
    names = presence["org"].dropna().unique()
    wanted = match_key(org)
    matches = [n for n in names if match_key(n) == wanted]
    if not wanted or not matches:
        return empty_frame(_WHERE_IS)
    rows = presence.loc[presence["org"].isin(matches).fillna(False).astype(bool),
                        list(_WHERE_IS)]
    rows = rows.drop_duplicates().sort_values(
        ["country_iso3", "admin1", "pillar"], kind="stable", na_position="last"
    )
    return rows.reset_index(drop=True).astype(_WHERE_IS)


def aggregate_presence(presence: pd.DataFrame, level: str) -> pd.DataFrame:
    """Return presence coarsened to ``level`` for a public view (data responsibility).

    Args:
        presence: canonical presence table.
        level: "country" blanks admin1, admin1_code, admin2, admin2_code, lat and lon;
            "admin1" blanks admin2, admin2_code, lat and lon; "admin2" and "point"
            return the table unchanged.

    Returns:
        The canonical presence table. Rows that became identical once locations were
        blanked are merged into one: people reached (each row's total, else the sum of
        its split: ``maaor.figures.reached.row_reached``), its split and targets are summed (NaN stays
        NaN when no row gave a number); the provenance of a merged row is its first
        row's file and sheet, with ``_row`` blank when several rows were merged.

    Raises:
        ValueError: for an unknown level.
    """
    if level not in _BLANKED:
        raise ValueError(f"unknown presence level {level!r}; expected one of {list(_BLANKED)}")
    blank = _BLANKED[level]
    if not blank:
        return presence
    if presence.empty:
        return conform("presence", presence)
    # Each row's people reached by the one definition (its total, else its split's sum)
    # before rows merge: a merged row of a total-only row and a split-only row would
    # otherwise count only the total.
    presence = presence.assign(reached_total=row_reached(presence)["reached"])
    keys = [c for c in TABLE_COLUMNS["presence"]
            if c not in blank and c not in _SUMMED and c not in _PROVENANCE]
    grouped = presence.groupby(keys, dropna=False, sort=False)
    out = grouped[list(_SUMMED)].sum(min_count=1)
    out["_file"] = grouped["_file"].first()
    out["_sheet"] = grouped["_sheet"].first()
    size = grouped.size()
    out["_row"] = grouped["_row"].first().where(size == 1)
    out = out.reset_index()
    return conform("presence", out)

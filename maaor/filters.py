"""The dashboard filters and the functions that apply them to each canonical table.

A filter left empty (``()`` or None) keeps everything. Each table is filtered only on
the dimensions it has: the work plan has no country or pillar, AoR funding has no
organisation type, and so on; a filter on a dimension a table lacks leaves it whole.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from maaor.figures.common import list_contains_any

# Work-plan status filter value selecting activities whose status was not reported.
NOT_REPORTED = "not_reported"


@dataclass(frozen=True)
class Filters:
    """What the user chose to look at; hashable so it can key a cache.

    Attributes:
        countries: ISO3 codes; empty = all.
        pillars: vocab pillar codes.
        org_types: vocab organisation-type codes.
        presence_statuses: planned / active / completed. A presence row without a status
            counts as active.
        objectives: work-plan objective ids.
        statuses: work-plan status codes; ``"not_reported"`` selects activities without
            a status.
        leads: canonical organisation names leading an activity.
        partners: canonical organisation names partnering an activity.
        year: calendar year; None = all.
        org: one canonical organisation ("where is organisation X"); None = all.
    """

    countries: tuple[str, ...] = ()
    pillars: tuple[str, ...] = ()
    org_types: tuple[str, ...] = ()
    presence_statuses: tuple[str, ...] = ()
    objectives: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    leads: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()
    year: int | None = None
    org: str | None = None


def _all(frame: pd.DataFrame) -> pd.Series:
    return pd.Series(True, index=frame.index, dtype=bool)


def _isin(series: pd.Series, values: tuple[str, ...]) -> pd.Series:
    return series.isin(set(values)).fillna(False).astype(bool)


def _overlaps_year(start: pd.Series, end: pd.Series, year: int) -> pd.Series:
    """Rows whose [start, end] period touches ``year``; rows without dates are kept.

    An undated row cannot be placed in or out of a year, so it stays visible rather
    than silently disappearing.
    """
    first = pd.Timestamp(year, 1, 1)
    after = pd.Timestamp(year + 1, 1, 1)
    starts_in_time = start.isna() | (start < after)
    ends_in_time = end.isna() | (end >= first)
    return (starts_in_time & ends_in_time).fillna(True).astype(bool)


def _year_equals(year: pd.Series, wanted: int) -> pd.Series:
    return (year == wanted).fillna(False).astype(bool)


def filter_workplan(wp: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """Return the work-plan activities selected by ``f``.

    Uses objectives, statuses (``"not_reported"`` = no status), leads, partners,
    ``org`` (as lead or partner) and year (the activity's start..due period touches the
    year; activities without dates are kept).
    """
    keep = _all(wp)
    if f.objectives:
        keep &= _isin(wp["objective_id"], f.objectives)
    if f.statuses:
        chosen = _isin(wp["status"], f.statuses)
        if NOT_REPORTED in f.statuses:
            chosen |= wp["status"].isna()
        keep &= chosen
    if f.leads:
        keep &= list_contains_any(wp["leads"], f.leads)
    if f.partners:
        keep &= list_contains_any(wp["partners"], f.partners)
    if f.org:
        keep &= list_contains_any(wp["leads"], [f.org]) | list_contains_any(
            wp["partners"], [f.org]
        )
    if f.year is not None:
        keep &= _overlaps_year(wp["start"], wp["due"], f.year)
    return wp.loc[keep]


def filter_presence(presence: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """Return the 4W presence rows selected by ``f``.

    Uses countries, pillars, org_types, presence_statuses (a row without status counts
    as active), org (exact canonical name) and year (start..end touches the year;
    undated rows are kept).
    """
    keep = _all(presence)
    if f.countries:
        keep &= _isin(presence["country_iso3"], f.countries)
    if f.pillars:
        keep &= _isin(presence["pillar"], f.pillars)
    if f.org_types:
        keep &= _isin(presence["org_type"], f.org_types)
    if f.presence_statuses:
        chosen = _isin(presence["status"], f.presence_statuses)
        if "active" in f.presence_statuses:
            chosen |= presence["status"].isna()
        keep &= chosen
    if f.org:
        keep &= (presence["org"] == f.org).fillna(False).astype(bool)
    if f.year is not None:
        keep &= _overlaps_year(presence["start"], presence["end"], f.year)
    return presence.loc[keep]


def filter_funding(funding: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """Return AoR funding rows for the chosen countries, year and pillars.

    Global rows (no country) and rows without a pillar or year drop out as soon as the
    corresponding filter is set: they do not belong to the chosen value.
    """
    keep = _all(funding)
    if f.countries:
        keep &= _isin(funding["country_iso3"], f.countries)
    if f.year is not None:
        keep &= _year_equals(funding["year"], f.year)
    if f.pillars:
        keep &= _isin(funding["pillar"], f.pillars)
    return funding.loc[keep]


def filter_fts(fts: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """Return OCHA FTS rows for the chosen countries and year."""
    keep = _all(fts)
    if f.countries:
        keep &= _isin(fts["country_iso3"], f.countries)
    if f.year is not None:
        keep &= _year_equals(fts["year"], f.year)
    return fts.loc[keep]


def filter_indicators(ind: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """Return indicator rows for the chosen countries and year.

    Global indicators (no country) drop out when countries are chosen. An indicator
    row without ``year`` is placed in the year of its ``as_of`` date.
    """
    keep = _all(ind)
    if f.countries:
        keep &= _isin(ind["country_iso3"], f.countries)
    if f.year is not None:
        year = ind["year"].astype("Int64").fillna(ind["as_of"].dt.year.astype("Int64"))
        keep &= _year_equals(year, f.year)
    return ind.loc[keep]

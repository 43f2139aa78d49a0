"""Cached access to the data, keyed by dataset version (the UI edge of the caches).

* :func:`dataset` holds one Dataset per version for the whole process
  (``st.cache_resource``: shared, never copied — pages only read it). The public view
  never holds people's names or contacts (``Dataset.without_sensitive``) and its
  presence is coarsened to the configured level (``MAAOR_PUBLIC_PRESENCE_LEVEL``).
* :func:`view` computes one named figure for (version, filters, today, arguments) with
  ``st.cache_data``: a widget change recomputes only the figures whose key changed.

Every number comes from one function of ``maaor.filters`` / ``maaor.figures``; the
registry below only says which filtered table feeds which figure.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pandas as pd
import streamlit as st

from maaor import aggregates, maps, service
from maaor.dataset import Dataset
from maaor.figures import funding as fig_funding
from maaor.figures import gaps as fig_gaps
from maaor.figures import overview as fig_overview
from maaor.figures import presence as fig_presence
from maaor.figures import progress as fig_progress
from maaor.figures import results as fig_results
from maaor.filters import (
    Filters,
    filter_fts,
    filter_funding,
    filter_indicators,
    filter_presence,
    filter_workplan,
)
from maaor.ui.filters import FilterOptions, filter_options

PRESENCE_LEVELS = aggregates.PRESENCE_LEVELS
DEFAULT_PRESENCE_LEVEL = aggregates.DEFAULT_PRESENCE_LEVEL


def public_presence_level() -> str:
    """Return how finely the public view shows presence (``MAAOR_PUBLIC_PRESENCE_LEVEL``;
    see ``maaor.aggregates.public_presence_level``)."""
    return aggregates.public_presence_level()


def basemap_style() -> str | None:
    """Return the online basemap style URL (``MAAOR_BASEMAP_STYLE``), None for none."""
    style = os.environ.get("MAAOR_BASEMAP_STYLE", "").strip()
    return style if style.startswith("https://") else None


@st.cache_data(ttl=5, show_spinner=False)
def current_version() -> int:
    """Return the current published version (re-read every few seconds)."""
    return service.current_version()


@st.cache_resource(max_entries=4, show_spinner=False)
def dataset(version: int) -> Dataset:
    """Return the public Dataset of ``version`` (no sensitive columns, coarsened 4W)."""
    return aggregates.public_dataset(service.load_dataset(version), public_presence_level())


@st.cache_data(max_entries=8, show_spinner=False)
def options(version: int) -> FilterOptions:
    """Return the filter widget options of ``version``."""
    return filter_options(dataset(version))


def _filtered_dataset(ds: Dataset, f: Filters) -> Dataset:
    """The dataset with work plan, presence and mechanisms filtered (for all_flags)."""
    mechanisms = ds.mechanisms
    if f.countries:
        mechanisms = mechanisms.loc[mechanisms["country_iso3"].isin(f.countries)]
    return Dataset(
        {
            **ds.tables,
            "workplan": filter_workplan(ds.workplan, f),
            "presence": filter_presence(ds.presence, f),
            "mechanisms": mechanisms,
        },
        ds.meta,
    )


def _flags(ds: Dataset, f: Filters, today: dt.date, scope: str | None):
    """Every flag of the filtered dataset; only those of ``scope`` when given."""
    flags = fig_gaps.all_flags(_filtered_dataset(ds, f), today)
    return flags if scope is None else flags.loc[flags["scope"] == scope]


def _indicator_rows(ds: Dataset, f: Filters, today: dt.date, objective, disaggregation):
    """Indicator progress rows of one objective and one disaggregation (None = headline)."""
    rows = fig_results.indicator_progress(filter_indicators(ds.indicators, f), today)
    if objective is None or pd.isna(objective):
        same_objective = rows["objective"].isna()
    else:
        same_objective = (rows["objective"] == objective).fillna(False)
    group = rows["disaggregation"].fillna("total")
    return rows.loc[same_objective & (group == (disaggregation or "total"))]


def _latest_year(ds: Dataset, f: Filters) -> int | None:
    """The latest year with an indicator value under the filters (None if none)."""
    rows = filter_indicators(ds.indicators, replace(f, year=None))
    years = rows["year"].astype("Int64").fillna(rows["as_of"].dt.year.astype("Int64")).dropna()
    return int(years.max()) if len(years) else None


NO_FILTERS = Filters()

# name -> function(dataset, filters, today, *args) returning one figure.
VIEWS: dict[str, Callable[..., Any]] = {
    "overview": lambda ds, f, today: fig_overview.overview_headline(ds, f, today),
    "headline": lambda ds, f, today: fig_overview.headline_figures(ds, f, today),
    "workplan.rows": lambda ds, f, today: filter_workplan(ds.workplan, f),
    "workplan.activity": lambda ds, f, today, activity_id: ds.workplan.loc[
        ds.workplan["activity_id"] == activity_id
    ],
    "workplan.headline": lambda ds, f, today: fig_progress.workplan_headline(
        filter_workplan(ds.workplan, f), today
    ),
    "workplan.by_objective": lambda ds, f, today: fig_progress.progress_by_objective(
        filter_workplan(ds.workplan, f)
    ),
    "workplan.by_output": lambda ds, f, today: fig_progress.progress_by_output(
        filter_workplan(ds.workplan, f)
    ),
    "workplan.timeline": lambda ds, f, today: fig_progress.activity_timeline(
        filter_workplan(ds.workplan, f), today
    ),
    "presence.rows": lambda ds, f, today: filter_presence(ds.presence, f),
    "presence.headline": lambda ds, f, today: fig_presence.presence_headline(
        filter_presence(ds.presence, f), _filtered_dataset(ds, f).mechanisms
    ),
    "presence.by_country": lambda ds, f, today: fig_presence.orgs_by_country(
        filter_presence(ds.presence, f), active_only=not f.presence_statuses
    ),
    "presence.by_admin1": lambda ds, f, today: fig_presence.orgs_by_admin1(
        filter_presence(ds.presence, f), active_only=not f.presence_statuses
    ),
    "presence.by_pillar": lambda ds, f, today: fig_presence.orgs_by_pillar(
        filter_presence(ds.presence, f), active_only=not f.presence_statuses
    ),
    "presence.matrix": lambda ds, f, today, iso3: fig_presence.org_pillar_matrix(
        filter_presence(ds.presence, f), iso3
    ),
    "presence.where_is": lambda ds, f, today, org: fig_presence.where_is(
        filter_presence(ds.presence, replace(f, org=None)), org
    ),
    "gaps.flags": lambda ds, f, today, scope=None: _flags(ds, f, today, scope),
    "gaps.counts": lambda ds, f, today: fig_gaps.flag_counts(_flags(ds, f, today, None)),
    "funding.rows": lambda ds, f, today: filter_funding(ds.funding, f),
    "funding.headline": lambda ds, f, today: fig_funding.funding_headline(
        filter_funding(ds.funding, f)
    ),
    "funding.by": lambda ds, f, today, by: fig_funding.funding_by(
        filter_funding(ds.funding, f), list(by)
    ),
    "funding.budget": lambda ds, f, today: fig_funding.workplan_budget_vs_funded(
        filter_workplan(ds.workplan, f)
    ),
    "funding.fts": lambda ds, f, today: fig_funding.fts_mine_action(filter_fts(ds.fts, f)),
    "funding.fts_headline": lambda ds, f, today: fig_funding.fts_headline(
        fig_funding.fts_mine_action(filter_fts(ds.fts, f))
    ),
    "results.progress": lambda ds, f, today: fig_results.indicator_progress(
        filter_indicators(ds.indicators, f), today
    ),
    "results.rows": lambda ds, f, today, objective, disaggregation: _indicator_rows(
        ds, f, today, objective, disaggregation
    ),
    "results.latest_year": lambda ds, f, today: _latest_year(ds, f),
    "results.by_objective": lambda ds, f, today: fig_results.results_by_objective(
        fig_results.indicator_progress(filter_indicators(ds.indicators, f), today)
    ),
}


@st.cache_data(max_entries=512, show_spinner=False)
def view(version: int, name: str, f: Filters, today: dt.date, *args: Any) -> Any:
    """Return figure ``name`` of ``version`` under filters ``f`` (cached per key).

    Args:
        version: dataset version.
        name: a key of :data:`VIEWS`.
        f: the filters (hashable).
        today: reference date (part of the key, so a cache never outlives its day).
        *args: the figure's extra arguments (hashable: a country code, a tuple ...).
    """
    if not args and f == NO_FILTERS and name in aggregates.STORED_VIEWS:
        # The unfiltered figure is stored with the version (computed once per version).
        return service.aggregate(version, name, public_presence_level())
    return VIEWS[name](dataset(version), f, today, *args)


class SerialisedDeck:
    """A pydeck map serialised once: what ``st.pydeck_chart`` reads of a ``pdk.Deck``.

    Serialising the map's GeoJSON was about half of a warm page run; a cached
    SerialisedDeck hands Streamlit the same JSON text on every run.
    """

    layers = None
    width = None
    deck_widget = None

    def __init__(self, deck) -> None:
        widget = getattr(deck, "deck_widget", None)
        tooltip = getattr(widget, "tooltip", None)
        self._tooltip = tooltip if isinstance(tooltip, dict) else getattr(deck, "_tooltip", None)
        self.mapbox_key = getattr(deck, "mapbox_key", None)
        self._json = deck.to_json()

    def to_json(self) -> str:
        """Return the deck's JSON spec."""
        return self._json


@st.cache_resource(max_entries=64, show_spinner=False)
def presence_map(version: int, f: Filters, today: dt.date, lang: str,
                 style: str | None) -> SerialisedDeck:
    """Return the presence map of ``version`` under ``f`` in ``lang``, serialised once per key
    (unfiltered, it is drawn from the aggregates stored with the version)."""
    by_country = view(version, "presence.by_country", f, today)
    by_admin1 = view(version, "presence.by_admin1", f, today)
    return SerialisedDeck(maps.presence_deck(by_country, by_admin1, lang, style))

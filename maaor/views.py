"""Views: which filtered table feeds which figure, and what the public may see.

One registry (:data:`VIEWS`) names every figure a page, an export or the stored
aggregates show: the figure function of ``maaor.figures`` it calls, the canonical tables
it reads (filtered with ``maaor.filters``) and how its table is shown
(:class:`Columns`). The pages ask for a view by name through the UI's cache
(``maaor.ui.data.view``); ``maaor.aggregates`` stores the unfiltered figures of the
views marked ``stored``; the narrative and the slides use the same rules
(:func:`latest_indicator_year`, ``maaor.filters.filter_mechanisms``).

:func:`public_dataset` is the one public transformation: what every page, download,
slide, briefing pack, data pack and ``python -m maaor brief`` may show of a version (no
people's names or contacts, presence coarsened to ``MAAOR_PUBLIC_PRESENCE_LEVEL``).

No Streamlit here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from maaor.config import DEFAULT_PRESENCE_LEVEL, PRESENCE_LEVELS, settings
from maaor.dataset import Dataset
from maaor.figures import emergency as fig_emergency
from maaor.figures import funding as fig_funding
from maaor.figures import gaps as fig_gaps
from maaor.figures import overview as fig_overview
from maaor.figures import presence as fig_presence
from maaor.figures import progress as fig_progress
from maaor.figures import reached as fig_reached
from maaor.figures import results as fig_results
from maaor.filters import (
    Filters,
    chosen_rows,
    countries_only,
    country_rows,
    filter_fts,
    filter_funding,
    filter_indicators,
    filter_mechanisms,
    filter_presence,
    filter_workplan,
    kept,
    latest_indicator_year,
    objectives_only,
    value_positions,
)

__all__ = [
    "DEFAULT_PRESENCE_LEVEL",
    "NO_FILTERS",
    "PRESENCE_LEVELS",
    "STORED_VIEWS",
    "VIEWS",
    "Columns",
    "View",
    "columns",
    "compute",
    "filtered_dataset",
    "latest_indicator_year",
    "public_dataset",
    "public_presence_level",
]

NO_FILTERS = Filters()


# --------------------------------------------------------------------------------------
# The public transformation
# --------------------------------------------------------------------------------------


def public_presence_level(env: Mapping[str, str] | None = None) -> str:
    """Return how finely the public view shows presence (``MAAOR_PUBLIC_PRESENCE_LEVEL``,
    see ``maaor.config.Settings.public_presence_level``).

    Args:
        env: the environment to read (default: the process environment).
    """
    return settings(env).public_presence_level


def public_dataset(ds: Dataset, level: str | None = None) -> Dataset:
    """Return what the public may see of ``ds``: no sensitive columns, presence coarsened.

    Every page, download, slide, briefing pack, data pack and CLI command that shows a
    version to the public goes through this function.

    Args:
        ds: the full dataset of a version.
        level: "country", "admin1", "admin2" or "point"; default: the configured
            public presence level (:func:`public_presence_level`).
    """
    level = public_presence_level() if level is None else level
    public = ds.without_sensitive()
    presence = fig_presence.aggregate_presence(public.presence, level)
    return Dataset({**public.tables, "presence": presence}, public.meta)


# --------------------------------------------------------------------------------------
# Rules shared by pages, narrative and slides
# --------------------------------------------------------------------------------------


def filtered_dataset(ds: Dataset, f: Filters) -> Dataset:
    """Return ``ds`` with its work plan, presence and mechanisms filtered by ``f``
    (what the flags of ``figures.gaps.all_flags`` look at)."""
    return Dataset(
        {
            **ds.tables,
            "workplan": filter_workplan(ds.workplan, f),
            "presence": filter_presence(ds.presence, f),
            "mechanisms": filter_mechanisms(ds.mechanisms, f),
        },
        ds.meta,
    )


def _flags(ds: Dataset, f: Filters, today: dt.date, scope: str | None) -> pd.DataFrame:
    """Every flag of the filtered dataset; only those of ``scope`` when given."""
    flags = fig_gaps.all_flags(filtered_dataset(ds, f), today)
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


def _every_country(figure: Callable[..., pd.DataFrame], ds: Dataset) -> pd.DataFrame:
    """Return ``figure`` of every country's presence rows (active organisations),
    computed once per table."""
    return kept(ds.presence, (figure.__name__, "every country"),
                lambda: figure(filter_presence(ds.presence, NO_FILTERS), active_only=True))


def _per_country(figure: Callable[..., pd.DataFrame], ds: Dataset, f: Filters) -> pd.DataFrame:
    """Return ``figure(filter_presence(ds.presence, f), active_only=...)``, for a figure
    grouped by country first (each output row is one country's or one of its parts').

    When only countries are chosen among the presence filters, the figure of the chosen
    countries is the rows of those countries in the figure of every country (computed
    once per table): the same groups over the same rows, in the same order.
    """
    if countries_only(f, "presence"):
        rows = country_rows(_every_country(figure, ds), f.countries)
        if rows is not None:
            return rows
    return figure(filter_presence(ds.presence, f), active_only=not f.presence_statuses)


def _reached_by(ds: Dataset, f: Filters, by) -> pd.DataFrame:
    """Return ``reached_by(filter_presence(ds.presence, f), by)``.

    When only countries are chosen among the presence filters, it is read from the
    figure of every country (computed once per table): for a grouping by country first,
    the chosen countries' rows; for a grouping without the country and one country
    chosen, that country's rows of the same grouping under the country. The same groups
    over the same rows in the same order, so the same sums to the last bit. A group
    column left all blank in those rows is computed directly (its dtype would differ).
    """
    by = (by,) if isinstance(by, str) else tuple(by)
    columns = fig_reached.group_columns(by)
    whole_by = None
    if countries_only(f, "presence"):
        if columns[0] == "country_iso3":
            whole_by = by
        elif len(f.countries) == 1 and "country_iso3" not in columns:
            whole_by = ("country", *by)
    if whole_by is not None:
        whole = kept(ds.presence, ("reached_by", whole_by, "every country"),
                     lambda: fig_reached.reached_by(filter_presence(ds.presence, NO_FILTERS),
                                                    whole_by))
        rows = country_rows(whole, f.countries)
        if rows is not None and not rows[columns].isna().all().any():
            return rows if whole_by == by else rows.drop(columns="country_iso3")
    return fig_reached.reached_by(filter_presence(ds.presence, f), by)


def _reached_headline(ds: Dataset, f: Filters) -> dict:
    """Return ``reached_headline(filter_presence(ds.presence, f))``; when only countries
    are chosen, from the chosen countries' rows (the table's row positions per country,
    in table order) of the reached columns alone: copying every column of those rows
    cost more than the sums. One country's is read from every country's, computed once
    per table (:func:`_reached_per_country`: the same rows, the same sums)."""
    if countries_only(f, "presence"):
        positions = value_positions(ds.presence, "country_iso3")
        if len(set(f.countries)) == 1 and f.countries[0] in positions:
            return dict(_reached_per_country(ds.presence)[f.countries[0]])
        found = [positions[c] for c in set(f.countries) if c in positions]
        rows = np.sort(np.concatenate(found)) if found else np.empty(0, dtype=np.intp)
        return fig_reached.reached_headline(_reached_columns_of(ds.presence).take(rows))
    return fig_reached.reached_headline(filter_presence(ds.presence, f))


def _reached_columns_of(presence: pd.DataFrame) -> pd.DataFrame:
    """The reached columns of a presence table (what ``reached_headline`` sums)."""
    return presence[[c for c in fig_reached.REACHED if c in presence.columns]]


def _reached_per_country(presence: pd.DataFrame) -> dict[object, dict]:
    """Return ISO3 -> ``reached_headline`` of the country's rows (its row positions, in
    table order, as one chosen country reads them), computed once per table."""
    def compute() -> dict[object, dict]:
        narrow = _reached_columns_of(presence)
        return {iso3: fig_reached.reached_headline(narrow.take(rows))
                for iso3, rows in value_positions(presence, "country_iso3").items()}

    return kept(presence, ("reached_headline", "per country"), compute)


def _matrix(ds: Dataset, f: Filters, iso3: str) -> pd.DataFrame:
    """Return ``org_pillar_matrix(filter_presence(ds.presence, f), iso3)``; when only
    countries are chosen and ``iso3`` is one of them, the country's matrix of the whole
    table (the same rows), from every country's matrices, computed once per table."""
    if countries_only(f, "presence") and iso3 in f.countries:
        found = kept(ds.presence, ("org_pillar_matrix", "every country"),
                     lambda: _country_matrices(ds.presence)).get(iso3)
        if found is not None:
            return found
        return fig_presence.org_pillar_matrix(ds.presence, iso3)
    return fig_presence.org_pillar_matrix(filter_presence(ds.presence, f), iso3)


def _country_matrices(presence: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Return ISO3 -> ``org_pillar_matrix(presence, iso3)`` for every country with rows.

    Each from the country's rows (the table's row positions per country, in table
    order) of the two columns the matrix counts: comparing every row's country and
    copying every column cost more than the counting.
    """
    narrow = presence[["org", "pillar"]]
    return {str(iso3): fig_presence.org_pillar_matrix(narrow.take(rows))
            for iso3, rows in value_positions(presence, "country_iso3").items()}


def _per_objective(figure: Callable[[pd.DataFrame], pd.DataFrame], ds: Dataset,
                   f: Filters) -> pd.DataFrame:
    """Return ``figure(filter_workplan(ds.workplan, f))``, for a figure grouped by
    objective first (each output row is one objective's or one of its parts').

    When only objectives are chosen among the work-plan filters, the figure of the chosen
    objectives is the rows of those objectives in the figure of every objective
    (computed once per table): the same groups over the same rows, in the same order.
    """
    if objectives_only(f):
        whole = kept(ds.workplan, (figure.__name__, "every objective"),
                     lambda: figure(filter_workplan(ds.workplan, NO_FILTERS)))
        rows = chosen_rows(whole, "objective_id", f.objectives)
        if rows is not None:
            return rows
    return figure(filter_workplan(ds.workplan, f))


# --------------------------------------------------------------------------------------
# How a figure's table is shown
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Columns:
    """How to show the columns of a figure table (drawn by ``maaor.ui.widgets``).

    Attributes:
        headers: column -> i18n key of its header, in display order (others are hidden).
        vocab: column -> vocabulary whose labels replace the codes.
        countries: columns of ISO3 codes shown as country names.
        money, numbers, percents, dates: columns formatted per language.
        lists: LIST_SEP-joined columns shown comma-separated.
        keys: column -> i18n key prefix; a value ``v`` is shown as ``t(prefix + v)``.
        links: column -> (page, URL parameter): the value becomes a link to that page
            opened with ``?parameter=value`` (the value stays the link text).
    """

    headers: Mapping[str, str]
    vocab: Mapping[str, str] = field(default_factory=dict)
    countries: Sequence[str] = ()
    money: Sequence[str] = ()
    numbers: Sequence[str] = ()
    percents: Sequence[str] = ()
    dates: Sequence[str] = ()
    lists: Sequence[str] = ()
    keys: Mapping[str, str] = field(default_factory=dict)
    links: Mapping[str, tuple[str, str]] = field(default_factory=dict)


# --------------------------------------------------------------------------------------
# The registry
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class View:
    """One figure the product shows.

    Attributes:
        compute: function(dataset, filters, today, *args) returning the figure.
        tables: the canonical tables it reads; their filters (``maaor.filters.
            TABLE_PARAMS``) are the ones that change it.
        stored: the unfiltered figure is computed once per published version and stored
            with it (``maaor.aggregates``). A stored view reads neither ``today`` nor
            extra arguments.
        columns: how its table is shown, when a page shows it as a table; a function of
            the view's extra arguments when the layout depends on them.
    """

    compute: Callable[..., Any]
    tables: tuple[str, ...]
    stored: bool = False
    columns: Columns | Callable[..., Columns] | None = None


WORKPLAN_STATUS_COLUMNS: dict[str, str] = {
    "not_reported": "status.not_reported",
    "not_started": "col.not_started",
    "ongoing": "col.ongoing",
    "delayed": "col.delayed",
    "suspended": "col.suspended",
    "completed": "col.completed",
    "cancelled": "col.cancelled",
}

ACTIVITY_COLUMNS = Columns(
    {
        "activity_id": "col.activity_id",
        "activity": "col.activity",
        "status": "col.status",
        "progress": "col.progress",
        "leads": "col.leads",
        "partners": "col.partners",
        "start": "col.start",
        "due": "col.due",
        "budget_usd": "col.budget",
        "funded_usd": "col.funded",
    },
    vocab={"status": "wp_status"},
    percents=("progress",),
    lists=("leads", "partners"),
    dates=("start", "due"),
    money=("budget_usd", "funded_usd"),
)

FLAG_COLUMNS: dict[str, Columns] = {
    "activity": Columns(
        {"rule": "col.rule", "ref": "col.activity_link", "label": "col.activity",
         "detail": "col.detail"},
        keys={"rule": "rule."}, links={"ref": ("workplan", "activity")},
    ),
    "country": Columns(
        {"rule": "col.rule", "ref": "col.country_link", "label": "col.mechanism",
         "pillar": "col.pillar", "detail": "col.detail"},
        keys={"rule": "rule."}, vocab={"pillar": "pillar"},
        links={"ref": ("presence", "country")},
    ),
}
MONEY_COLUMNS = ("required_usd", "funded_against_requirement_usd", "funded_no_requirement_usd",
                 "gap_usd")


def _funding_by_columns(by: Sequence[str]) -> Columns:
    """Columns of ``funding.by`` on one dimension (its header says which)."""
    (dimension,) = by
    return Columns(
        {dimension: f"funding.by.{dimension}", "required_usd": "col.required",
         "funded_against_requirement_usd": "col.funded_against",
         "gap_usd": "col.gap", "pct_funded": "col.pct_funded",
         "funded_no_requirement_usd": "col.funded_no_requirement"},
        countries=("country_iso3",) if dimension == "country_iso3" else (),
        vocab={"channel": "channel"} if dimension == "channel" else {},
        money=MONEY_COLUMNS, percents=("pct_funded",),
    )


REACHED_NUMBERS = ("reached_total", "reached_women", "reached_men", "reached_girls",
                   "reached_boys")
_REACHED_GROUPS = {"country_iso3": "col.country", "admin1": "col.admin1",
                   "pillar": "col.pillar", "org": "col.org"}


def _reached_columns(by: Sequence[str]) -> Columns:
    """Columns of ``reached.by``: the group columns, then the total and the split."""
    groups = [c for name in by for c in fig_reached.DIMENSIONS.get(name, (name,))]
    return Columns(
        {**{c: _REACHED_GROUPS[c] for c in dict.fromkeys(groups)},
         **{c: f"col.{c}" for c in REACHED_NUMBERS}},
        countries=("country_iso3",) if "country_iso3" in groups else (),
        vocab={"pillar": "pillar"} if "pillar" in groups else {},
        numbers=REACHED_NUMBERS,
    )


VIEWS: dict[str, View] = {
    "overview": View(
        lambda ds, f, today: fig_overview.overview_headline(ds, f, today),
        ("workplan", "presence", "funding", "mechanisms"),
    ),
    "headline": View(
        lambda ds, f, today: fig_overview.headline_figures(ds, f, today),
        ("workplan", "presence", "funding", "mechanisms", "indicators"),
    ),
    # A page's row of headline figures (ids: a tuple of glossary ids): only the parts
    # of the headline those figures come from are computed.
    "headline.row": View(
        lambda ds, f, today, ids: fig_overview.headline_values(ds, f, today, tuple(ids)),
        ("workplan", "presence", "funding", "mechanisms", "indicators"),
    ),
    "workplan.rows": View(
        lambda ds, f, today: filter_workplan(ds.workplan, f), ("workplan",),
        columns=ACTIVITY_COLUMNS,
    ),
    "workplan.activity": View(
        lambda ds, f, today, activity_id: ds.workplan.loc[
            ds.workplan["activity_id"] == activity_id
        ],
        ("workplan",),
        columns=replace(
            ACTIVITY_COLUMNS,
            headers={"objective": "col.objective", "output": "col.output",
                     **ACTIVITY_COLUMNS.headers, "lead_tentative": "col.lead_tentative",
                     "budget_note": "col.budget_note", "last_update": "col.last_update",
                     "comment": "col.comment"},
            dates=("start", "due", "last_update"),
        ),
    ),
    "workplan.headline": View(
        lambda ds, f, today: fig_progress.workplan_headline(filter_workplan(ds.workplan, f),
                                                            today),
        ("workplan",),
    ),
    "workplan.by_objective": View(
        lambda ds, f, today: _per_objective(fig_progress.progress_by_objective, ds, f),
        ("workplan",), stored=True,
        columns=Columns(
            {"objective_id": "col.objective_id", "objective": "col.objective",
             "activities": "col.activities", **WORKPLAN_STATUS_COLUMNS,
             "mean_progress": "col.mean_progress", "pct_completed": "col.pct_completed"},
            percents=("mean_progress", "pct_completed"),
        ),
    ),
    "workplan.by_output": View(
        lambda ds, f, today: _per_objective(fig_progress.progress_by_output, ds, f),
        ("workplan",), stored=True,
        columns=Columns(
            {"output_id": "col.output_id", "output": "col.output",
             "activities": "col.activities", "completed": "col.completed",
             "mean_progress": "col.mean_progress"},
            percents=("mean_progress",),
        ),
    ),
    "workplan.timeline": View(
        lambda ds, f, today: fig_progress.activity_timeline(filter_workplan(ds.workplan, f),
                                                            today),
        ("workplan",),
        columns=Columns(
            {"activity_id": "col.activity_id", "activity": "col.activity", "leads": "col.leads",
             "status": "col.status", "start": "col.start", "due": "col.due",
             "overdue": "col.overdue"},
            vocab={"status": "wp_status"}, lists=("leads",), dates=("start", "due"),
        ),
    ),
    "presence.rows": View(lambda ds, f, today: filter_presence(ds.presence, f), ("presence",)),
    "presence.headline": View(
        lambda ds, f, today: fig_presence.presence_headline(
            filter_presence(ds.presence, f), filter_mechanisms(ds.mechanisms, f)
        ),
        ("presence", "mechanisms"), stored=True,
    ),
    "presence.by_country": View(
        lambda ds, f, today: _per_country(fig_presence.orgs_by_country, ds, f),
        ("presence",), stored=True,
        columns=Columns(
            {"country_iso3": "col.country", "organisations": "col.organisations",
             "pillars": "col.pillars", "rows": "col.rows", "org_list": "col.org_list",
             "pillar_list": "col.pillar_list"},
            countries=("country_iso3",), numbers=("organisations", "pillars", "rows"),
            lists=("org_list", "pillar_list"),
        ),
    ),
    "presence.by_admin1": View(
        lambda ds, f, today: _per_country(fig_presence.orgs_by_admin1, ds, f),
        ("presence",), stored=True,
        columns=Columns(
            {"country_iso3": "col.country", "admin1": "col.admin1",
             "organisations": "col.organisations", "org_list": "col.org_list",
             "pillar_list": "col.pillar_list"},
            countries=("country_iso3",), numbers=("organisations",),
            lists=("org_list", "pillar_list"),
        ),
    ),
    "presence.by_pillar": View(
        lambda ds, f, today: _per_country(fig_presence.orgs_by_pillar, ds, f),
        ("presence",), stored=True,
        columns=Columns(
            {"country_iso3": "col.country", "pillar": "col.pillar",
             "organisations": "col.organisations", "org_list": "col.org_list"},
            countries=("country_iso3",), vocab={"pillar": "pillar"}, numbers=("organisations",),
            lists=("org_list",),
        ),
    ),
    "presence.matrix": View(
        lambda ds, f, today, iso3: _matrix(ds, f, iso3),
        ("presence",),
    ),
    "presence.where_is": View(
        lambda ds, f, today, org: fig_presence.where_is(
            filter_presence(ds.presence, replace(f, org=None)), org
        ),
        ("presence",),
        columns=Columns(
            {"country_iso3": "col.country", "admin1": "col.admin1", "pillar": "col.pillar",
             "activity": "col.activity_type", "status": "col.status",
             "start": "col.start", "end": "col.end"},
            countries=("country_iso3",), vocab={"pillar": "pillar",
                                                "status": "presence_status"},
            dates=("start", "end"),
        ),
    ),
    "presence.emergency": View(
        lambda ds, f, today: fig_emergency.emergency_summary(
            filter_presence(ds.presence, f), f.emergency),
        ("presence",),
    ),
    "reached.headline": View(
        lambda ds, f, today: _reached_headline(ds, f),
        ("presence",),
    ),
    "reached.by": View(
        lambda ds, f, today, by: _reached_by(ds, f, by),
        ("presence",),
        columns=lambda by: _reached_columns(by),
    ),
    "gaps.flags": View(
        lambda ds, f, today, scope=None: _flags(ds, f, today, scope),
        ("workplan", "presence", "mechanisms"),
        columns=lambda scope: FLAG_COLUMNS[scope],
    ),
    "gaps.counts": View(
        lambda ds, f, today: fig_gaps.flag_counts(_flags(ds, f, today, None)),
        ("workplan", "presence", "mechanisms"),
        columns=Columns({"rule": "col.rule", "count": "col.count"}, keys={"rule": "rule."},
                        numbers=("count",)),
    ),
    "funding.rows": View(lambda ds, f, today: filter_funding(ds.funding, f), ("funding",)),
    "funding.headline": View(
        lambda ds, f, today: fig_funding.funding_headline(filter_funding(ds.funding, f)),
        ("funding",), stored=True,
    ),
    "funding.by": View(
        lambda ds, f, today, by: fig_funding.funding_by(filter_funding(ds.funding, f), list(by)),
        ("funding",), columns=_funding_by_columns,
    ),
    "funding.budget": View(
        lambda ds, f, today: fig_funding.workplan_budget_vs_funded(
            filter_workplan(ds.workplan, f)
        ),
        ("workplan",), stored=True,
        columns=Columns(
            {"objective_id": "col.objective_id", "objective": "col.objective",
             "budget_usd": "col.budget",
             "funded_against_requirement_usd": "col.funded_against_budget",
             "gap_usd": "col.gap", "pct_funded": "col.pct_funded",
             "funded_no_requirement_usd": "col.funded_no_budget"},
            money=("budget_usd", "funded_against_requirement_usd",
                   "funded_no_requirement_usd", "gap_usd"),
            percents=("pct_funded",),
        ),
    ),
    "funding.fts": View(
        lambda ds, f, today: fig_funding.fts_mine_action(filter_fts(ds.fts, f)),
        ("fts",), stored=True,
        columns=Columns(
            {"country_iso3": "col.country", "year": "col.year", "plan_name": "col.plan",
             "required_usd": "col.required", "funded_usd": "col.funded", "gap_usd": "col.gap",
             "percent_funded": "col.pct_funded", "requirement_known": "col.requirement_known"},
            countries=("country_iso3",), money=("required_usd", "funded_usd", "gap_usd"),
            percents=("percent_funded",),
        ),
    ),
    "funding.fts_headline": View(
        lambda ds, f, today: fig_funding.fts_headline(
            fig_funding.fts_mine_action(filter_fts(ds.fts, f))
        ),
        ("fts",),
    ),
    "results.progress": View(
        lambda ds, f, today: fig_results.indicator_progress(
            filter_indicators(ds.indicators, f), today
        ),
        ("indicators",),
    ),
    "results.rows": View(
        lambda ds, f, today, objective, disaggregation: _indicator_rows(
            ds, f, today, objective, disaggregation
        ),
        ("indicators",),
        columns=Columns(
            {"indicator_id": "col.indicator_id", "indicator": "col.indicator",
             "outcome": "col.outcome", "country_iso3": "col.country", "unit": "col.unit",
             "baseline": "col.baseline", "target": "col.target", "actual": "col.actual",
             "progress_pct": "col.progress", "expected_pct": "col.expected",
             "on_track": "col.on_track"},
            countries=("country_iso3",), numbers=("baseline", "target", "actual"),
            percents=("progress_pct", "expected_pct"), keys={"on_track": "results.track."},
        ),
    ),
    "results.latest_year": View(
        lambda ds, f, today: latest_indicator_year(ds, f), ("indicators",),
    ),
    "results.by_objective": View(
        lambda ds, f, today: fig_results.results_by_objective(
            fig_results.indicator_progress(filter_indicators(ds.indicators, f), today)
        ),
        ("indicators",),
        columns=Columns({"objective": "col.objective", "indicators": "col.indicators",
                         "on_track": "results.on_track", "off_track": "results.off_track",
                         "unknown": "results.unknown", "mean_progress_pct": "col.mean_progress"},
                        numbers=("indicators", "on_track", "off_track", "unknown"),
                        percents=("mean_progress_pct",)),
    ),
}

# The views whose unfiltered figure is stored with each published version.
STORED_VIEWS: tuple[str, ...] = tuple(name for name, v in VIEWS.items() if v.stored)


def compute(name: str, ds: Dataset, f: Filters, today: dt.date | None, *args: Any) -> Any:
    """Return figure ``name`` of ``ds`` under filters ``f``.

    Args:
        name: a key of :data:`VIEWS`.
        ds: the dataset (the public one, for anything shown: :func:`public_dataset`).
        f: the filters.
        today: the reference date of flags and progress (None for a stored view, which
            does not read it).
        *args: the view's extra arguments (a country code, an organisation ...).

    Raises:
        KeyError: ``name`` is not a view.
    """
    return VIEWS[name].compute(ds, f, today, *args)


#: The views a page shows under a country or objective filter, with their extra
#: arguments: :func:`warm` computes them once for one country and one objective, which
#: computes the figures of every country and objective their rows are read from.
WARM_VIEWS: tuple[tuple[str, tuple], ...] = (
    ("headline", ()),
    ("presence.by_country", ()),
    ("presence.by_admin1", ()),
    ("presence.by_pillar", ()),
    ("reached.headline", ()),
    ("reached.by", (("pillar",),)),
    ("reached.by", (("country", "admin1"),)),
    ("workplan.by_objective", ()),
    ("workplan.by_output", ()),
)


def warm(ds: Dataset, today: dt.date) -> None:
    """Compute, once per dataset, what every country or objective filter reads its rows
    from: the row positions per country and the figures of every country and objective
    (kept with the tables, ``maaor.filters.kept``), and the admin-1 areas the map can
    shade (``maaor.admin1_shading``).

    The first filter change of a version then costs what any later one does. The
    figures are those :data:`WARM_VIEWS` compute for the first country and objective
    with rows; nothing is returned (the results are kept with the tables).
    """
    from maaor import admin1_shading

    countries = ds.presence["country_iso3"].dropna()
    objectives = ds.workplan["objective_id"].dropna()
    f = Filters(countries=(str(countries.iloc[0]),) if len(countries) else (),
                objectives=(str(objectives.iloc[0]),) if len(objectives) else ())
    if not f.countries and not f.objectives:
        return
    value_positions(ds.presence, "country_iso3")
    # Through the registry, not :func:`compute`: nothing a page asked for is computed
    # here, only what its figures read their rows from.
    on_presence = replace(f, objectives=())
    for name, args in WARM_VIEWS:
        VIEWS[name].compute(ds, on_presence if name.startswith(("presence", "reached")) else f,
                            today, *args)
    if f.countries:
        VIEWS["presence.matrix"].compute(ds, on_presence, today, f.countries[0])
    # Every admin-1 area a map may shade, found once (the gazetteer's index of each
    # country is built on its first use).
    admin1_shading.areas(_every_country(fig_presence.orgs_by_admin1, ds))


def columns(name: str, *args: Any) -> Columns:
    """Return how the table of view ``name`` (called with ``args``) is shown.

    Raises:
        KeyError: ``name`` is not a view or has no table layout.
    """
    spec = VIEWS[name].columns
    if spec is None:
        raise KeyError(f"view {name!r} has no column layout")
    return spec if isinstance(spec, Columns) else spec(*args)

"""Overview: every headline figure of the glossary, under the current filters.

:func:`headline_figures` is where the headline numbers are computed: each glossary
figure (``maaor.glossary``) comes from the one ``maaor.figures`` function its entry
names, applied to its table filtered by the filters that apply to it. Pages, the
narrative, the slides, the PPTX, the data pack and the CLI read these values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd

from maaor.figures.common import budget_groups
from maaor.figures.funding import funding_headline, pledged_total, workplan_budget_headline
from maaor.figures.gaps import activity_flags, pillar_gaps
from maaor.figures.presence import (
    countries_with_mechanism,
    presence_headline,
    presence_headline_by_country,
)
from maaor.figures.progress import activities_with_presence, workplan_headline
from maaor.figures.reached import reached_headline
from maaor.figures.results import indicator_progress, results_by_objective
from maaor.filters import (
    Filters,
    countries_only,
    country_rows,
    filter_funding,
    filter_indicators,
    filter_mechanisms,
    filter_presence,
    filter_workplan,
    kept,
    latest_indicator_year,
    relevant,
    value_positions,
)


def results_totals(by_objective: pd.DataFrame) -> dict[str, int]:
    """Return indicators, on_track, off_track and unknown summed over objectives."""
    return {c: int(by_objective[c].sum())
            for c in ("indicators", "on_track", "off_track", "unknown")}


def results_year(dataset, f: Filters) -> int | None:
    """Return the year results describe: the chosen year, else the latest year reported."""
    return f.year if f.year is not None else latest_indicator_year(dataset, f)


def results_rows(dataset, f: Filters, today: dt.date) -> tuple[int | None, pd.DataFrame]:
    """Return (results year, indicator progress rows of that year) under ``f``."""
    year = results_year(dataset, f)
    rows = dataset.indicators.iloc[0:0] if year is None else filter_indicators(
        dataset.indicators, replace(f, year=year))
    return year, indicator_progress(rows, today)


# Which part of the headline each glossary figure comes from (see :func:`headline_values`).
_WORK_IDS = ("activities", "completed", "activities_with_status", "pct_completed",
             "mean_progress", "without_lead", "without_budget")
_BUDGET_IDS = ("budget_usd", "budget_funded_against_usd", "budget_gap_usd",
               "budget_pct_funded", "budget_funded_no_budget_usd")
_WHERE_IDS = ("organisations", "active_organisations", "countries_present", "pillars",
              "presence_rows", "countries_with_mechanism")
_MONEY_IDS = ("required_usd", "funded_against_requirement_usd", "funded_no_requirement_usd",
              "funded_usd", "gap_usd", "pct_funded")
_RESULTS_IDS = ("indicators", "indicators_on_track", "indicators_off_track",
                "indicators_unknown")
HEADLINE_IDS: tuple[str, ...] = (
    *_WORK_IDS[:4], "mean_progress", "activities_flagged", "activity_flags", "without_lead",
    "without_budget", "unfunded_activities", *_BUDGET_IDS, "activities_with_presence",
    *_WHERE_IDS, "people_reached", "pillar_no_active_org", "pillar_single_org",
    "country_flags", "flags", *_MONEY_IDS, "pledged_usd", *_RESULTS_IDS,
)


def headline_figures(dataset, f: Filters, today: dt.date, stale_days: int = 90,
                     indicators: pd.DataFrame | None = None) -> dict:
    """Return every glossary figure of ``dataset`` under filters ``f``.

    Args:
        dataset: a ``maaor.dataset.Dataset``.
        f: the filters; each table is filtered on the dimensions it has (the glossary
            says which apply to each figure).
        today: reference date for flags (overdue, stale) and indicator progress.
        stale_days: see ``maaor.figures.gaps.activity_flags``.
        indicators: the indicator progress rows to count (``indicator_progress``);
            None = those of :func:`results_year` (the chosen year, else the latest
            year reported).

    Returns:
        dict figure id -> value (None when unknown), every id of ``maaor.glossary``.
    """
    return headline_values(dataset, f, today, HEADLINE_IDS, stale_days, indicators)


def _country_has_mechanism(mechanisms: pd.DataFrame, iso3: str) -> int:
    """``countries_with_mechanism`` of one country's mechanisms (its rows in table order,
    as ``filter_mechanisms`` keeps them for that country), read from every country's,
    counted once per table: filtering the table cost more than the count."""
    every = kept(mechanisms, ("countries_with_mechanism", "per country"),
                 lambda: {c: countries_with_mechanism(mechanisms.take(rows))
                          for c, rows in value_positions(mechanisms, "country_iso3").items()})
    return every.get(iso3, countries_with_mechanism(mechanisms.iloc[0:0]))


def headline_values(dataset, f: Filters, today: dt.date, ids: tuple[str, ...],
                    stale_days: int = 90, indicators: pd.DataFrame | None = None) -> dict:
    """Return the glossary figures ``ids`` of :func:`headline_figures`, computing only
    the parts of the headline they come from (a page showing the work plan's figures
    does not count the 4W).

    Args:
        dataset, f, today, stale_days, indicators: as :func:`headline_figures`.
        ids: the figure ids wanted (each one of :data:`HEADLINE_IDS`).

    Returns:
        dict figure id -> value for ``ids``, in their order.
    """
    unknown = [fid for fid in ids if fid not in HEADLINE_IDS]
    if unknown:
        raise KeyError(f"not a headline figure: {unknown}")
    # Each part is kept per table and the filters that change it: a country change
    # leaves the work plan's figures as they were, an objective change the presence's.
    on_wp = relevant(f, "workplan")
    on_presence = (relevant(f, "presence"), relevant(f, "mechanisms"), id(dataset.mechanisms))
    parts: dict[str, object] = {}

    def part(name: str, compute):
        if name not in parts:
            parts[name] = compute()
        return parts[name]

    def wp():
        return part("wp", lambda: filter_workplan(dataset.workplan, f))

    def presence():
        return part("presence", lambda: filter_presence(dataset.presence, f))

    def mechanisms():
        return part("mechanisms", lambda: filter_mechanisms(dataset.mechanisms, f))

    def groups():
        # shared by the work plan's headline and its budget headline
        return part("groups", lambda: budget_groups(wp()))

    def work():
        return part("work", lambda: kept(dataset.workplan, ("workplan_headline", on_wp, today),
                                         lambda: workplan_headline(wp(), today, groups())))

    def flags():
        return part("flags", lambda: kept(
            dataset.workplan, ("activity_flags", on_wp, today, stale_days),
            lambda: activity_flags(wp(), today, stale_days)))

    def where():
        def compute():
            if countries_only(f, "presence") and len(f.countries) == 1:
                # one country: its numbers from every country's, counted once per table
                every = kept(dataset.presence, ("presence_headline", "per country"),
                             lambda: presence_headline_by_country(dataset.presence))
                if f.countries[0] in every.index:
                    own = every.loc[f.countries[0]]
                    return {"countries_with_mechanism": _country_has_mechanism(
                                dataset.mechanisms, f.countries[0]),
                            "countries_present": 1,
                            **{k: int(own[k]) for k in ("organisations", "active_organisations",
                                                        "rows", "pillars")}}
            return presence_headline(presence(), mechanisms())
        return part("where", lambda: kept(dataset.presence, ("presence_headline", *on_presence),
                                          compute))

    def gaps():
        def compute():
            found = None
            if countries_only(f, "presence") and countries_only(f, "mechanisms"):
                # grouped by country: the chosen countries' rows of every country's gaps
                every = kept(dataset.presence,
                             ("pillar_gaps", "every country", id(dataset.mechanisms)),
                             lambda: pillar_gaps(filter_presence(dataset.presence, Filters()),
                                                 dataset.mechanisms))
                found = country_rows(every, f.countries)
            if found is None:
                found = kept(dataset.presence, ("pillar_gaps", *on_presence),
                             lambda: pillar_gaps(presence(), mechanisms()))
            return found
        return part("gaps", compute)

    def funding_rows():
        return part("funding_rows", lambda: filter_funding(dataset.funding, f))

    def money():
        return part("money", lambda: funding_headline(funding_rows()))

    def budget():
        return part("budget", lambda: workplan_budget_headline(wp(), groups()))

    def results():
        def compute():
            rows = indicators if indicators is not None else results_rows(dataset, f, today)[1]
            return results_totals(results_by_objective(rows))
        return part("results", compute)

    budget_keys = dict(zip(_BUDGET_IDS, ("budget_usd", "funded_against_requirement_usd",
                                         "gap_usd", "pct_funded", "funded_no_requirement_usd"),
                           strict=True))
    where_keys = {fid: {"presence_rows": "rows"}.get(fid, fid) for fid in _WHERE_IDS}
    results_keys = dict(zip(_RESULTS_IDS, ("indicators", "on_track", "off_track", "unknown"),
                            strict=True))
    work_keys = {fid: {"activities_with_status": "with_status"}.get(fid, fid)
                 for fid in _WORK_IDS}
    values = {
        **{fid: (lambda k=k: work()[k]) for fid, k in work_keys.items()},
        "activities_flagged": lambda: int(flags()["activity_id"].nunique()),
        "activity_flags": lambda: int(len(flags())),
        "unfunded_activities": lambda: int((flags()["rule"] == "unfunded").sum()),
        **{fid: (lambda k=k: budget()[k]) for fid, k in budget_keys.items()},
        "activities_with_presence": lambda: kept(
            dataset.presence, ("activities_with_presence", on_wp, id(dataset.workplan),
                               *on_presence),
            lambda: activities_with_presence(wp(), presence())),
        **{fid: (lambda k=k: where()[k]) for fid, k in where_keys.items()},
        "people_reached": lambda: kept(
            dataset.presence, ("reached_headline", relevant(f, "presence")),
            lambda: reached_headline(presence()))["reached_total"],
        "pillar_no_active_org": lambda: int((gaps()["rule"] == "pillar_no_active_org").sum()),
        "pillar_single_org": lambda: int((gaps()["rule"] == "pillar_single_org").sum()),
        "country_flags": lambda: int(len(gaps())),
        "flags": lambda: int(len(flags()) + len(gaps())),
        **{fid: (lambda k=fid: money()[k]) for fid in _MONEY_IDS},
        "pledged_usd": lambda: pledged_total(funding_rows()),
        **{fid: (lambda k=k: results()[k]) for fid, k in results_keys.items()},
    }
    return {fid: values[fid]() for fid in ids}


def overview_headline(dataset, f: Filters, today: dt.date, stale_days: int = 90) -> dict:
    """Return the home-page headline of ``dataset`` under filters ``f``.

    The figures of ``maaor.glossary.OVERVIEW_ROWS``, by id, from
    :func:`headline_figures` (see the glossary for each definition).
    """
    from maaor.glossary import OVERVIEW_ROWS

    values = headline_figures(dataset, f, today, stale_days)
    return {fid: values[fid] for row in OVERVIEW_ROWS for fid in row}

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

from maaor.figures.funding import funding_headline, pledged_total, workplan_budget_headline
from maaor.figures.gaps import activity_flags, pillar_gaps
from maaor.figures.presence import presence_headline
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
    wp = filter_workplan(dataset.workplan, f)
    presence = filter_presence(dataset.presence, f)
    mechanisms = filter_mechanisms(dataset.mechanisms, f)
    # Each part is kept per table and the filters that change it: a country change
    # leaves the work plan's figures as they were, an objective change the presence's.
    on_wp = relevant(f, "workplan")
    on_presence = (relevant(f, "presence"), relevant(f, "mechanisms"), id(dataset.mechanisms))
    work = kept(dataset.workplan, ("workplan_headline", on_wp, today),
                lambda: workplan_headline(wp, today))
    flags = kept(dataset.workplan, ("activity_flags", on_wp, today, stale_days),
                 lambda: activity_flags(wp, today, stale_days))
    where = kept(dataset.presence, ("presence_headline", *on_presence),
                 lambda: presence_headline(presence, mechanisms))
    gaps = None
    if countries_only(f, "presence") and countries_only(f, "mechanisms"):
        # grouped by country: the chosen countries' rows of every country's gaps
        every = kept(dataset.presence, ("pillar_gaps", "every country", id(dataset.mechanisms)),
                     lambda: pillar_gaps(filter_presence(dataset.presence, Filters()),
                                         dataset.mechanisms))
        gaps = country_rows(every, f.countries)
    if gaps is None:
        gaps = kept(dataset.presence, ("pillar_gaps", *on_presence),
                    lambda: pillar_gaps(presence, mechanisms))
    funding_rows = filter_funding(dataset.funding, f)
    money = funding_headline(funding_rows)
    budget = workplan_budget_headline(wp)
    if indicators is None:
        indicators = results_rows(dataset, f, today)[1]
    results = results_totals(results_by_objective(indicators))
    return {
        "activities": work["activities"],
        "completed": work["completed"],
        "activities_with_status": work["with_status"],
        "pct_completed": work["pct_completed"],
        "mean_progress": work["mean_progress"],
        "activities_flagged": int(flags["activity_id"].nunique()),
        "activity_flags": int(len(flags)),
        "without_lead": work["without_lead"],
        "without_budget": work["without_budget"],
        "unfunded_activities": int((flags["rule"] == "unfunded").sum()),
        "budget_usd": budget["budget_usd"],
        "budget_funded_against_usd": budget["funded_against_requirement_usd"],
        "budget_gap_usd": budget["gap_usd"],
        "budget_pct_funded": budget["pct_funded"],
        "budget_funded_no_budget_usd": budget["funded_no_requirement_usd"],
        "activities_with_presence": kept(
            dataset.presence, ("activities_with_presence", on_wp, id(dataset.workplan),
                               *on_presence),
            lambda: activities_with_presence(wp, presence)),
        "organisations": where["organisations"],
        "active_organisations": where["active_organisations"],
        "countries_present": where["countries_present"],
        "pillars": where["pillars"],
        "presence_rows": where["rows"],
        "countries_with_mechanism": where["countries_with_mechanism"],
        "people_reached": kept(dataset.presence, ("reached_headline", relevant(f, "presence")),
                               lambda: reached_headline(presence))["reached_total"],
        "pillar_no_active_org": int((gaps["rule"] == "pillar_no_active_org").sum()),
        "pillar_single_org": int((gaps["rule"] == "pillar_single_org").sum()),
        "country_flags": int(len(gaps)),
        "flags": int(len(flags) + len(gaps)),
        **{k: money[k] for k in ("required_usd", "funded_against_requirement_usd",
                                 "funded_no_requirement_usd", "funded_usd", "gap_usd",
                                 "pct_funded")},
        "pledged_usd": pledged_total(funding_rows),
        "indicators": results["indicators"],
        "indicators_on_track": results["on_track"],
        "indicators_off_track": results["off_track"],
        "indicators_unknown": results["unknown"],
    }


def overview_headline(dataset, f: Filters, today: dt.date, stale_days: int = 90) -> dict:
    """Return the home-page headline of ``dataset`` under filters ``f``.

    The figures of ``maaor.glossary.OVERVIEW_ROWS``, by id, from
    :func:`headline_figures` (see the glossary for each definition).
    """
    from maaor.glossary import OVERVIEW_ROWS

    values = headline_figures(dataset, f, today, stale_days)
    return {fid: values[fid] for row in OVERVIEW_ROWS for fid in row}

"""Overview: the handful of numbers on the home page, under the current filters."""

from __future__ import annotations

import datetime as dt

from maaor.figures.funding import funding_headline
from maaor.figures.gaps import activity_flags
from maaor.figures.presence import presence_headline
from maaor.figures.progress import workplan_headline
from maaor.filters import (
    Filters,
    filter_funding,
    filter_mechanisms,
    filter_presence,
    filter_workplan,
)


def overview_headline(dataset, f: Filters, today: dt.date, stale_days: int = 90) -> dict:
    """Return the home-page headline of ``dataset`` under filters ``f``.

    Args:
        dataset: a ``maaor.dataset.Dataset``.
        f: the filters; each table is filtered on the dimensions it has.
        today: reference date for flags (overdue, stale).
        stale_days: see ``maaor.figures.gaps.activity_flags``.

    Returns:
        dict with ``activities`` and ``pct_completed`` (see ``workplan_headline``),
        ``activities_flagged`` (distinct activities with at least one work-plan flag),
        ``countries_with_mechanism`` (mechanisms not marked inactive, restricted to the
        chosen countries), ``organisations`` (distinct organisations in the filtered
        presence), and AoR funding ``required_usd``, ``funded_usd``, ``gap_usd`` (see
        ``funding_headline``; None when unknown).
    """
    wp = filter_workplan(dataset.workplan, f)
    presence = filter_presence(dataset.presence, f)
    mechanisms = filter_mechanisms(dataset.mechanisms, f)
    work = workplan_headline(wp, today)
    flags = activity_flags(wp, today, stale_days)
    where = presence_headline(presence, mechanisms)
    money = funding_headline(filter_funding(dataset.funding, f))
    return {
        "activities": work["activities"],
        "pct_completed": work["pct_completed"],
        "activities_flagged": int(flags["activity_id"].nunique()),
        "countries_with_mechanism": where["countries_with_mechanism"],
        "organisations": where["organisations"],
        "required_usd": money["required_usd"],
        "funded_usd": money["funded_usd"],
        "gap_usd": money["gap_usd"],
    }

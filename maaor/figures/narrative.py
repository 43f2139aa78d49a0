"""Narrative summary: a few plain sentences written from the figures, in English or French.

No language model: each sentence is a catalogue template (``maaor/i18n``) filled with
numbers that come from the ``maaor.figures`` functions, computed once by
:func:`briefing_figures` for the chosen filters. Each :class:`Sentence` keeps those
numbers beside its text, so a test (or a reader) can check the text against the
functions, and the slides (``maaor.slides``) draw from the same :class:`BriefingFigures`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from maaor import vocab
from maaor.dataset import Dataset
from maaor.figures import funding as fig_funding
from maaor.figures import gaps as fig_gaps
from maaor.figures import overview as fig_overview
from maaor.figures import presence as fig_presence
from maaor.figures import progress as fig_progress
from maaor.figures import reached as fig_reached
from maaor.figures import results as fig_results
from maaor.figures.common import ordered_codes
from maaor.figures.emergency import emergency_summary
from maaor.filters import (
    Filters,
    country_scope,
    filter_funding,
    filter_mechanisms,
    filter_presence,
    filter_workplan,
    kept,
    relevant,
)
from maaor.glossary import GLOSSARY, OVERVIEW_ROWS, scope_note
from maaor.i18n import country_name, fmt_number, plural_form, t, t_count

# Work-plan rules shown on the "activities without lead or funding" slide.
UNASSIGNED_RULES: tuple[str, ...] = (
    "no_lead",
    "tentative_lead",
    "no_budget",
    "budget_not_quantified",
    "unfunded",
    "partly_funded",
)
MAX_NAMED = 4  # countries named per pillar in a sentence before "and N more"


@dataclass(frozen=True)
class BriefingFigures:
    """Every figure a briefing shows, for one dataset, filters and date.

    Attributes:
        filters: the filters used.
        today: the reference date.
        overview: ``figures.overview.overview_headline``.
        headline: every glossary figure (``figures.overview.headline_figures``): the
            numbers the sentences, slides, packs and CLI write.
        workplan: ``figures.progress.workplan_headline`` of the filtered work plan.
        by_objective: ``figures.progress.progress_by_objective``.
        flags: ``figures.gaps.activity_flags`` of the filtered work plan.
        flag_counts: ``figures.gaps.flag_counts`` of ``flags``.
        presence: ``figures.presence.presence_headline`` (filtered presence and
            mechanisms).
        by_country, by_admin1: ``orgs_by_country`` / ``orgs_by_admin1``.
        pillars: the pillar codes expected somewhere (vocabulary order).
        pillar_countries: the countries checked for gaps (those with a coordination
            mechanism not marked inactive), sorted.
        expected_counts: per such country, how many pillars it is expected to cover
            (``figures.gaps.expected_pillars``).
        pillar_gaps: ``figures.gaps.pillar_gaps`` of the filtered presence and
            mechanisms.
        funding: ``figures.funding.funding_headline`` of the filtered AoR funding.
        funding_dimension: "country_iso3", or "year" when one country is chosen.
        funding_by: ``figures.funding.funding_by`` on that dimension.
        results_year: the year the results describe (the chosen year, else the latest
            year with an indicator value; None when there is none).
        indicators: ``figures.results.indicator_progress`` of that year.
        results_by_objective: ``figures.results.results_by_objective`` of it.
        reached: ``figures.reached.reached_headline`` of the filtered presence.
        reached_by_pillar: ``figures.reached.reached_by`` pillar.
        emergency: ``figures.emergency.emergency_summary`` of the chosen emergency
            (None when none is chosen).
    """

    filters: Filters
    today: dt.date
    overview: dict
    headline: dict
    workplan: dict
    by_objective: pd.DataFrame
    flags: pd.DataFrame
    flag_counts: pd.DataFrame
    presence: dict
    by_country: pd.DataFrame
    by_admin1: pd.DataFrame
    pillars: tuple[str, ...]
    pillar_countries: tuple[str, ...]
    expected_counts: Mapping[str, int]
    pillar_gaps: pd.DataFrame
    funding: dict
    funding_dimension: str
    funding_by: pd.DataFrame
    results_year: int | None
    indicators: pd.DataFrame
    results_by_objective: pd.DataFrame
    reached: dict
    reached_by_pillar: pd.DataFrame
    emergency: dict | None

    def results_totals(self) -> dict[str, int]:
        """Return indicators, on_track, off_track and unknown summed over objectives."""
        return fig_overview.results_totals(self.results_by_objective)

    def gap_count(self, rule: str) -> int:
        """Return how many country pillars break ``rule`` (pillar_no_active_org / _single_org)."""
        return int((self.pillar_gaps["rule"] == rule).sum())

    def flag_count(self, rule: str) -> int:
        """Return how many activities break work-plan rule ``rule``."""
        return int((self.flags["rule"] == rule).sum())


def briefing_figures(dataset: Dataset, f: Filters, today: dt.date) -> BriefingFigures:
    """Compute every figure of a briefing with the ``maaor.figures`` functions.

    Each table is filtered as the dashboard pages filter it (``maaor.filters``), so the
    briefing shows the numbers the pages show for the same filters.
    """
    wp = filter_workplan(dataset.workplan, f)
    presence = filter_presence(dataset.presence, f)
    mechanisms = filter_mechanisms(dataset.mechanisms, f)
    active_only = not f.presence_statuses
    # The parts the headline (maaor.figures.overview.headline_values) and the pages keep
    # per table, under the same keys: a briefing after the page's headline (the
    # Overview's first run) reuses them instead of computing them again.
    on_wp = relevant(f, "workplan")
    on_presence = (relevant(f, "presence"), relevant(f, "mechanisms"), id(dataset.mechanisms))
    every_country = relevant(f, "presence") == relevant(Filters(), "presence")

    def by_place(figure):
        if every_country:  # as maaor.views keeps every country's figure
            return kept(dataset.presence, (figure.__name__, "every country"),
                        lambda: figure(presence, active_only=True))
        return figure(presence, active_only=active_only)

    flags = kept(dataset.workplan, ("activity_flags", on_wp, today, 90),
                 lambda: fig_gaps.activity_flags(wp, today))
    expected = fig_gaps.expected_pillars(mechanisms)
    pillars = tuple(ordered_codes(expected["pillar"], "pillar"))
    pillar_countries = tuple(expected["country_iso3"].drop_duplicates())
    funding_rows = filter_funding(dataset.funding, f)
    dimension = "year" if len(country_scope(f) or ()) == 1 else "country_iso3"
    year, indicators = fig_overview.results_rows(dataset, f, today)
    headline = fig_overview.headline_figures(dataset, f, today, indicators=indicators)
    overview = {fid: headline[fid] for row in OVERVIEW_ROWS for fid in row}
    return BriefingFigures(
        filters=f,
        today=today,
        overview=overview,
        headline=headline,
        workplan=kept(dataset.workplan, ("workplan_headline", on_wp, today),
                      lambda: fig_progress.workplan_headline(wp, today)),
        by_objective=fig_progress.progress_by_objective(wp),
        flags=flags,
        flag_counts=fig_gaps.flag_counts(flags),
        presence=kept(dataset.presence, ("presence_headline", *on_presence),
                      lambda: fig_presence.presence_headline(presence, mechanisms)),
        by_country=by_place(fig_presence.orgs_by_country),
        by_admin1=by_place(fig_presence.orgs_by_admin1),
        pillars=pillars,
        pillar_countries=pillar_countries,
        expected_counts=expected.groupby("country_iso3").size().to_dict(),
        pillar_gaps=kept(dataset.presence, ("pillar_gaps", *on_presence),
                         lambda: fig_gaps.pillar_gaps(presence, mechanisms)),
        funding=fig_funding.funding_headline(funding_rows),
        funding_dimension=dimension,
        funding_by=fig_funding.funding_by(funding_rows, [dimension]),
        results_year=year,
        indicators=indicators,
        results_by_objective=fig_results.results_by_objective(indicators),
        reached=kept(dataset.presence, ("reached_headline", relevant(f, "presence")),
                     lambda: fig_reached.reached_headline(presence)),
        reached_by_pillar=fig_reached.reached_by(presence, ("pillar",)),
        emergency=emergency_summary(presence, f.emergency),
    )


@dataclass(frozen=True)
class Sentence:
    """One sentence of the narrative.

    Attributes:
        key: what it says ("presence", "pillar_gaps", "activities", "unassigned",
            "funding", "results").
        slide: key of the slide it belongs to (``maaor.slides``).
        text: the sentence in the requested language.
        numbers: the numbers written in it, as the figure functions returned them.
    """

    key: str
    slide: str
    text: str
    numbers: Mapping[str, float | int | None] = field(default_factory=dict)


def countries_phrase(n: int, lang: str) -> str:
    """Return "1 country" / "12 countries" in ``lang`` (CLDR plural rules: French 0 and 1
    are singular)."""
    key = "narrative.countries.one" if plural_form(n, lang) == "one" else "narrative.countries"
    return t(key, lang, n=fmt_number(n, lang))


def _names(codes, lang: str) -> str:
    names = [country_name(str(c), lang) for c in codes]
    if len(names) > MAX_NAMED:
        rest = len(names) - MAX_NAMED
        return ", ".join(names[:MAX_NAMED]) + " " + t("narrative.and_more", lang, n=rest)
    return ", ".join(names)


def _value(fig: BriefingFigures, figure_id: str, lang: str) -> str:
    """The glossary text of a headline figure (its empty-state words when unknown)."""
    return GLOSSARY[figure_id].text(fig.headline[figure_id], lang)


def _scoped(text: str, fig: BriefingFigures, figure_ids, lang: str) -> str:
    """``text`` followed by the scope note of figures the chosen filters do not reach."""
    note = scope_note(figure_ids, fig.filters, lang)
    if not note:
        return text
    return f"{text.rstrip('.')} ({note.rstrip('.')})."


def _presence_sentence(fig: BriefingFigures, lang: str) -> Sentence:
    numbers = {
        "active_organisations": fig.headline["active_organisations"],
        "countries_present": fig.headline["countries_present"],
    }
    if not numbers["countries_present"]:
        return Sentence("presence", "presence", t("narrative.presence.none", lang), numbers)
    text = t_count(
        "narrative.presence", numbers["active_organisations"], lang,
        organisations=_value(fig, "active_organisations", lang),
        countries=countries_phrase(numbers["countries_present"], lang),
    )
    return Sentence("presence", "presence", text, numbers)


def _gaps_sentence(fig: BriefingFigures, lang: str) -> Sentence:
    none = fig.headline["pillar_no_active_org"]
    single = fig.headline["pillar_single_org"]
    numbers = {"pillar_no_active_org": none, "pillar_single_org": single}
    if not fig.pillar_countries:
        return Sentence("pillar_gaps", "pillars", t("narrative.gaps.no_pillars", lang), numbers)
    if not none:
        text = t_count("narrative.gaps.none", single, lang, single=fmt_number(single, lang))
        return Sentence("pillar_gaps", "pillars", text, numbers)
    gaps = fig.pillar_gaps.loc[fig.pillar_gaps["rule"] == "pillar_no_active_org"]
    parts = []
    for pillar in ordered_codes(gaps["pillar"], "pillar"):
        n = int((gaps["pillar"] == pillar).sum())
        parts.append(t("narrative.gaps.item", lang, pillar=vocab.label("pillar", pillar, lang),
                       countries=countries_phrase(n, lang)))
    countries = int(gaps["country_iso3"].nunique())
    text = t_count("narrative.gaps", none, lang, n=fmt_number(none, lang),
             countries=countries_phrase(countries, lang), items="; ".join(parts),
             single=fmt_number(single, lang))
    return Sentence("pillar_gaps", "pillars", text, numbers)


def _activities_sentence(fig: BriefingFigures, lang: str) -> Sentence:
    head = fig.headline
    numbers = {"activities": head["activities"], "completed": head["completed"],
               "pct_completed": head["pct_completed"]}
    if not head["activities"]:
        return Sentence("activities", "progress", t("narrative.activities.none", lang), numbers)
    if not head["activities_with_status"]:
        text = t("narrative.activities.no_status", lang,
                 activities=_value(fig, "activities", lang))
    else:
        text = t_count("narrative.activities", head["completed"], lang,
                       activities=_value(fig, "activities", lang),
                 completed=_value(fig, "completed", lang),
                 with_status=_value(fig, "activities_with_status", lang),
                 pct=_value(fig, "pct_completed", lang))
    text = _scoped(text, fig, ("activities", "completed", "pct_completed"), lang)
    return Sentence("activities", "progress", text, numbers)


def _unassigned_sentence(fig: BriefingFigures, lang: str) -> Sentence:
    head = fig.headline
    numbers = {"without_lead": head["without_lead"], "without_budget": head["without_budget"],
               "unfunded": head["unfunded_activities"]}
    text = t_count("narrative.unassigned", head["without_lead"], lang,
             without_lead=_value(fig, "without_lead", lang),
             without_budget=_value(fig, "without_budget", lang),
             unfunded=_value(fig, "unfunded_activities", lang))
    text = _scoped(text, fig, ("without_lead", "without_budget", "unfunded_activities"), lang)
    return Sentence("unassigned", "unassigned", text, numbers)


def _funding_sentence(fig: BriefingFigures, lang: str) -> Sentence:
    money = fig.headline
    keys = ("required_usd", "funded_against_requirement_usd", "funded_no_requirement_usd",
            "gap_usd", "pct_funded")
    numbers = {k: money[k] for k in keys}
    if money["required_usd"] is None:
        if money["funded_usd"] is None:
            return Sentence("funding", "funding", t("narrative.funding.none", lang), numbers)
        text = t("narrative.funding.no_requirement", lang,
                 funded=_value(fig, "funded_no_requirement_usd", lang))
        return Sentence("funding", "funding", text, numbers)
    text = t("narrative.funding", lang, funded=_value(fig, "funded_against_requirement_usd", lang),
             required=_value(fig, "required_usd", lang), pct=_value(fig, "pct_funded", lang),
             gap=_value(fig, "gap_usd", lang))
    if money["funded_no_requirement_usd"]:
        text += " " + t("narrative.funding.beside", lang,
                        funded=_value(fig, "funded_no_requirement_usd", lang))
    return Sentence("funding", "funding", text, numbers)


def _results_sentence(fig: BriefingFigures, lang: str) -> Sentence:
    head = fig.headline
    numbers = {"year": fig.results_year, "indicators": head["indicators"],
               "on_track": head["indicators_on_track"],
               "off_track": head["indicators_off_track"],
               "unknown": head["indicators_unknown"]}
    if not head["indicators"]:
        return Sentence("results", "results", t("narrative.results.none", lang), numbers)
    text = t_count("narrative.results", head["indicators_on_track"], lang, year=fig.results_year,
             on_track=_value(fig, "indicators_on_track", lang),
             indicators=_value(fig, "indicators", lang),
             off_track=_value(fig, "indicators_off_track", lang),
             unknown=_value(fig, "indicators_unknown", lang))
    return Sentence("results", "results", text, numbers)


def narrative_from(fig: BriefingFigures, lang: str) -> list[Sentence]:
    """Return the narrative sentences of already computed briefing figures."""
    return [
        _presence_sentence(fig, lang),
        _gaps_sentence(fig, lang),
        _activities_sentence(fig, lang),
        _unassigned_sentence(fig, lang),
        _funding_sentence(fig, lang),
        _results_sentence(fig, lang),
    ]


def narrative(dataset: Dataset, f: Filters, today: dt.date, lang: str) -> list[Sentence]:
    """Return the narrative summary of ``dataset`` under filters ``f``.

    Args:
        dataset: a ``maaor.dataset.Dataset``.
        f: the filters (as on the pages).
        today: reference date of flags and results.
        lang: "en" or "fr".

    Returns:
        Sentences in reading order: presence, pillar gaps, work-plan progress,
        activities without lead or money, funding, results.
    """
    return narrative_from(briefing_figures(dataset, f, today), lang)

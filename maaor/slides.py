"""The plenary slide sequence, as data: one list drawn by the Present page and the PPTX.

:func:`slide_deck` computes every figure once (``maaor.figures.narrative.
briefing_figures``) and returns :class:`Slide` records: a title, one message with its
number, the big numbers, the table behind the slide and a :class:`ChartSpec`. The
Present page (``pages/7_Present.py``) and the briefing pack (``maaor.export.pptx``)
only draw these records, so the screen and the take-away file cannot disagree.

Slides, in order: title, headline figures, presence map, people reached, pillar
coverage and gaps per country, work-plan progress by objective, activities without lead or funding, funding
required vs received, results against targets.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import pandas as pd

from maaor import charts
from maaor.dataset import Dataset, DatasetMeta
from maaor.emergencies import emergency_by_id
from maaor.figures.common import WP_STATUSES
from maaor.figures.emergency import emergency_sentence
from maaor.figures.narrative import (
    UNASSIGNED_RULES,
    BriefingFigures,
    Sentence,
    briefing_figures,
    countries_phrase,
    narrative_from,
)
from maaor.figures.reached import SPLIT
from maaor.filters import Filters, country_scope
from maaor.glossary import FUNDING_IDS, GLOSSARY, OVERVIEW_ROWS, applies, scope_note
from maaor.i18n import country_name, fmt_date, fmt_money, fmt_number, fmt_percent, t, t_count

SLIDE_KEYS: tuple[str, ...] = (
    "title",
    "headline",
    "presence",
    "reached",
    "pillars",
    "progress",
    "unassigned",
    "funding",
    "results",
)
MAX_BARS = 12  # categories drawn on one slide chart (the table and data pack keep them all)
COVERED, SINGLE, NONE = charts.GREEN, charts.ORANGE, charts.VERMILLION


@dataclass(frozen=True)
class BigNumber:
    """One large figure on a slide.

    Attributes:
        key: the figure's name in the ``maaor`` function's result.
        label: its label in the slide language.
        value: the number as the function returned it (None = unknown).
        text: the number formatted for the slide language.
    """

    key: str
    label: str
    value: float | int | None
    text: str


@dataclass(frozen=True)
class ChartSeries:
    """One series of a bar chart: name, one value per category (None = unknown), colour."""

    name: str
    values: tuple[float | None, ...]
    colour: str


@dataclass(frozen=True, eq=False)
class ChartSpec:
    """What a slide draws below its numbers.

    Attributes:
        kind: "bar", "map" or "none".
        categories: bar labels, top to bottom.
        series: the bar series.
        stacked: stacked (True) or side by side.
        value_format: "number", "money" or "percent".
        axis_title: the value axis title.
        alt: a text alternative for screen readers.
        by_country, by_admin1: the presence figures drawn by a map.
        extent: the ISO3 countries a map frames (an emergency's or the chosen ones);
            empty = every country with presence.
        note: what the chart leaves out ("12 of 22 shown"), or "".
        empty: what is missing, in words, when there is nothing to draw ("" = the
            generic "nothing to show").
    """

    kind: str = "none"
    categories: tuple[str, ...] = ()
    series: tuple[ChartSeries, ...] = ()
    stacked: bool = False
    value_format: str = "number"
    axis_title: str = ""
    alt: str = ""
    by_country: pd.DataFrame | None = None
    by_admin1: pd.DataFrame | None = None
    extent: tuple[str, ...] = ()
    note: str = ""
    empty: str = ""


@dataclass(frozen=True, eq=False)
class Slide:
    """One slide.

    Attributes:
        key: one of :data:`SLIDE_KEYS`.
        title: the slide title.
        message: the one message of the slide (one sentence, with its number).
        numbers: the big numbers.
        table: the table behind the slide (figure columns, raw values).
        chart: what is drawn.
        notes: the narrative sentences that belong to the slide (speaker notes).
        source: source and data version of the figures.
        notice: the illustrative-data notice, or None for reported data.
        extra: other figure tables a renderer or a test may read (by name).
    """

    key: str
    title: str
    message: str
    numbers: tuple[BigNumber, ...]
    table: pd.DataFrame
    chart: ChartSpec
    notes: tuple[Sentence, ...] = ()
    source: str = ""
    notice: str | None = None
    extra: dict = field(default_factory=dict)


def _fmt(value, kind: str, lang: str) -> str:
    if kind == "money":
        return fmt_money(value, lang)
    if kind == "percent":
        return fmt_percent(value, lang)
    return fmt_number(value, lang)


def _big(key: str, label_key: str, value, kind: str, lang: str) -> BigNumber:
    return BigNumber(key, t(label_key, lang), value, _fmt(value, kind, lang))


def _figure(fig: BriefingFigures, figure_id: str, lang: str) -> BigNumber:
    """A big number of a glossary figure: its label, value and text (or empty words)."""
    entry = GLOSSARY[figure_id]
    value = fig.headline[figure_id]
    return BigNumber(figure_id, entry.label(lang), value, entry.text(value, lang))


def _with_scope(message: str, fig: BriefingFigures, figure_ids, lang: str) -> str:
    """The slide message, followed by the scope note of figures the filters do not reach."""
    note = scope_note(figure_ids, fig.filters, lang)
    return f"{message} {note}" if note else message


def _values(series: pd.Series) -> tuple[float | None, ...]:
    return tuple(None if pd.isna(v) else float(v) for v in series.astype("float64"))


def version_text(meta: DatasetMeta, lang: str) -> str:
    """Return "Data version N of <date>" (or "loaded <date>" for an unpublished dataset)."""
    when = fmt_date(meta.created_at, lang) if meta.created_at else None
    if meta.version is None:
        return t("slide.version_unpublished", lang, date=when or t("value.unknown", lang))
    if when:
        return t("page.version_of", lang, version=meta.version, date=when)
    return t("page.version", lang, version=meta.version)


def emergency_name(f: Filters, lang: str) -> str | None:
    """Return the name of the chosen emergency in ``lang``, None when none is chosen."""
    if not f.emergency:
        return None
    found = emergency_by_id(f.emergency)
    return found.name(lang) if found else f.emergency


def scope_text(f: Filters, lang: str) -> str:
    """Return what the slides cover: the emergency and its countries, or the chosen
    countries (or the whole AoR), and the year."""
    where = (", ".join(country_name(c, lang) for c in f.countries) if f.countries
             else t("slide.scope.all", lang))
    if f.emergency:
        where = emergency_name(f, lang) + " – " + ", ".join(
            country_name(c, lang) for c in country_scope(f) or ())
    parts = [where]
    if f.year is not None:
        parts.append(str(f.year))
    others = (f.pillars, f.org_types, f.presence_statuses, f.objectives, f.statuses, f.leads,
              f.partners, f.org)
    if any(others):
        parts.append(t("slide.scope.more_filters", lang))
    return " · ".join(parts)


def _source(lang: str, meta: DatasetMeta, *tables: str) -> str:
    names = {
        "workplan": t("source.workplan", lang),
        "presence": t("source.presence", lang),
        "funding": t("source.funding", lang),
        "indicators": t("source.indicators", lang),
        "mechanisms": t("source.mechanisms", lang),
    }
    sources = ", ".join(names[n] for n in tables)
    return t("page.note", lang, sources=sources, version=version_text(meta, lang))


def _shown_note(shown: int, total: int, lang: str) -> str:
    if shown >= total:
        return ""
    return t("slide.shown", lang, shown=fmt_number(shown, lang), total=fmt_number(total, lang))


def _country_label(code, lang: str) -> str:
    if code is None or pd.isna(code):
        return t("slide.global", lang)
    return country_name(str(code), lang)


# ---------------------------------------------------------------------------- slides


def _title_slide(fig: BriefingFigures, meta: DatasetMeta, lang: str) -> Slide:
    table = pd.DataFrame(
        {
            "item": ["scope", "data_version", "as_of", "illustrative"],
            "value": [scope_text(fig.filters, lang), version_text(meta, lang),
                      fig.today.isoformat(), "yes" if meta.illustrative else "no"],
        },
        dtype="str",
    )
    # every glossary figure of the deck, for the data pack's "figures" sheet
    name = emergency_name(fig.filters, lang)
    title = (t("slide.title.emergency", lang, emergency=name) if name
             else t("slide.title.default", lang))
    return Slide("title", title, scope_text(fig.filters, lang), (),
                 table, ChartSpec(),
                 extra={"headline": dict(fig.headline), "filters": fig.filters, "lang": lang})


def _headline_slide(fig: BriefingFigures, lang: str) -> Slide:
    # a figure the chosen filters do not reach is hidden, never shown as if filtered
    ids = [fid for row in OVERVIEW_ROWS for fid in row if applies(fid, fig.filters)]
    numbers = tuple(_figure(fig, fid, lang) for fid in ids)
    head = fig.headline
    values = {
        "organisations": GLOSSARY["active_organisations"].text(head["active_organisations"],
                                                               lang),
        "countries": countries_phrase(head["countries_present"], lang),
        "mechanisms": fmt_number(head["countries_with_mechanism"], lang),
    }
    if "activities" in ids:
        message = t_count("slide.headline.message", head["active_organisations"], lang,
                          activities=fmt_number(head["activities"], lang), **values)
    else:
        message = t_count("slide.headline.message_scoped", head["active_organisations"], lang,
                          **values)
    table = pd.DataFrame({"figure": [n.key for n in numbers],
                          "value": pd.Series([n.value for n in numbers], dtype="float64")})
    return Slide("headline", t("slide.headline.title", lang), message, numbers, table,
                 ChartSpec())


def _presence_slide(fig: BriefingFigures, lang: str) -> Slide:
    head = fig.headline
    numbers = (
        _figure(fig, "countries_present", lang),
        _figure(fig, "active_organisations", lang),
        _figure(fig, "pillars", lang),
    )
    message = t_count("slide.presence.message", head["active_organisations"], lang,
                organisations=fmt_number(head["active_organisations"], lang),
                countries=countries_phrase(head["countries_present"], lang))
    if fig.emergency:
        message = emergency_sentence(fig.emergency, lang)
    chart = ChartSpec(kind="map", alt=t("presence.map.alt", lang), by_country=fig.by_country,
                      by_admin1=fig.by_admin1, extent=country_scope(fig.filters) or ())
    return Slide("presence", t("slide.presence.title", lang), message, numbers,
                 fig.by_country, chart)


def _reached_slide(fig: BriefingFigures, lang: str) -> Slide:
    reached = fig.reached
    numbers = (
        _figure(fig, "people_reached", lang),
        *(_big(part, f"col.{part}", reached[part], "number", lang) for part in SPLIT),
    )
    total = reached["reached_total"]
    message = (t("slide.reached.message", lang, n=fmt_number(total, lang)) if total is not None
               else t("empty.no_reached", lang) + ".")
    rows = fig.reached_by_pillar.dropna(subset=["reached_total"])
    rows = rows.sort_values("reached_total", ascending=False, kind="stable")
    shown = rows.head(MAX_BARS)
    chart = ChartSpec(
        kind="bar",
        categories=tuple(t("value.unknown", lang) if pd.isna(p) else vocab_label(p, lang)
                         for p in shown["pillar"]),
        series=(ChartSeries(t("glossary.people_reached", lang),
                            _values(shown["reached_total"]), charts.BLUE),),
        axis_title=t("glossary.people_reached", lang),
        alt=t("slide.reached.alt", lang),
        note=_shown_note(len(shown), len(rows), lang),
        empty=t("empty.no_reached", lang),
    )
    return Slide("reached", t("slide.reached.title", lang), message, numbers,
                 fig.reached_by_pillar, chart)


def vocab_label(pillar: str, lang: str) -> str:
    """Return a pillar's label in ``lang``."""
    from maaor import vocab

    return vocab.label("pillar", str(pillar), lang)


def pillar_coverage(fig: BriefingFigures) -> pd.DataFrame:
    """Return per country how many expected pillars have 2+, one or no active organisation.

    Derived from ``figures.gaps.pillar_gaps`` (one row per expected pillar with at most
    one organisation) and the pillars each country is expected to cover
    (``figures.gaps.expected_pillars``). Columns country_iso3, expected, covered,
    single, none; countries in ISO3 order.
    """
    gaps = fig.pillar_gaps
    columns = {"country_iso3": "str", "expected": "int64", "covered": "int64",
               "single": "int64", "none": "int64"}
    countries = list(fig.pillar_countries)
    if not countries:
        return pd.DataFrame({c: pd.Series(dtype=d) for c, d in columns.items()})
    counts = pd.crosstab(gaps["country_iso3"], gaps["rule"]) if len(gaps) else pd.DataFrame()
    out = pd.DataFrame({"country_iso3": countries})
    out["none"] = out["country_iso3"].map(
        counts.get("pillar_no_active_org", pd.Series(dtype="int64"))).fillna(0)
    out["single"] = out["country_iso3"].map(
        counts.get("pillar_single_org", pd.Series(dtype="int64"))).fillna(0)
    out["expected"] = out["country_iso3"].map(fig.expected_counts).fillna(0)
    out["covered"] = out["expected"] - out["none"] - out["single"]
    return out[list(columns)].astype(columns)


def _pillars_slide(fig: BriefingFigures, coverage: pd.DataFrame, lang: str) -> Slide:
    none = fig.headline["pillar_no_active_org"]
    countries_with_gap = int(fig.pillar_gaps.loc[
        fig.pillar_gaps["rule"] == "pillar_no_active_org", "country_iso3"].nunique())
    numbers = (
        _figure(fig, "pillar_no_active_org", lang),
        _big("countries_with_gap", "slide.pillars.countries", countries_with_gap, "number", lang),
        _figure(fig, "pillar_single_org", lang),
    )
    message = t_count("slide.pillars.message", none, lang, n=fmt_number(none, lang),
                countries=countries_phrase(countries_with_gap, lang))
    # countries with the most gaps first; only the worst MAX_BARS are drawn
    shown = coverage.sort_values(["none", "single", "country_iso3"],
                                 ascending=[False, False, True], kind="stable").head(MAX_BARS)
    chart = ChartSpec(
        kind="bar",
        categories=tuple(_country_label(c, lang) for c in shown["country_iso3"]),
        series=(
            ChartSeries(t("slide.pillars.none", lang), _values(shown["none"]), NONE),
            ChartSeries(t("slide.pillars.single", lang), _values(shown["single"]), SINGLE),
            ChartSeries(t("slide.pillars.covered", lang), _values(shown["covered"]), COVERED),
        ),
        stacked=True,
        axis_title=t("slide.pillars.axis", lang),
        alt=t("slide.pillars.alt", lang),
        note=_shown_note(len(shown), len(coverage), lang),
    )
    return Slide("pillars", t("slide.pillars.title", lang), message, numbers, fig.pillar_gaps,
                 chart, extra={"coverage": coverage})


def _progress_slide(fig: BriefingFigures, lang: str) -> Slide:
    head = fig.headline
    ids = ("activities", "completed", "pct_completed")
    numbers = tuple(_figure(fig, fid, lang) for fid in ids)
    if not head["activities"]:
        message = t("narrative.activities.none", lang)
    elif not head["activities_with_status"]:
        message = t("slide.progress.no_status", lang,
                    activities=fmt_number(head["activities"], lang))
    else:
        message = t_count("slide.progress.message", head["completed"], lang,
                    completed=fmt_number(head["completed"], lang),
                    with_status=fmt_number(head["activities_with_status"], lang),
                    pct=fmt_percent(head["pct_completed"], lang))
    message = _with_scope(message, fig, ids, lang)
    frame = fig.by_objective
    series = []
    for status in ("not_reported", *WP_STATUSES):
        counts = frame[status]
        if not counts.any():
            continue
        series.append(ChartSeries(charts.status_label(status, lang), _values(counts),
                                  charts.STATUS_COLOURS[status]))
    categories = tuple(f"{i} {o}" if isinstance(o, str) else str(i)
                       for i, o in zip(frame["objective_id"], frame["objective"], strict=True))
    chart = ChartSpec(kind="bar", categories=categories, series=tuple(series), stacked=True,
                      axis_title=t("chart.activities", lang),
                      alt=t("slide.progress.alt", lang),
                      empty=t("narrative.activities.none", lang))
    return Slide("progress", t("slide.progress.title", lang), message, numbers, frame, chart)


def _unassigned_slide(fig: BriefingFigures, lang: str) -> Slide:
    head = fig.headline
    ids = ("without_lead", "without_budget", "unfunded_activities")
    numbers = tuple(_figure(fig, fid, lang) for fid in ids)
    message = t_count("slide.unassigned.message", head["without_lead"], lang,
                without_lead=fmt_number(head["without_lead"], lang),
                without_budget=fmt_number(head["without_budget"], lang))
    message = _with_scope(message, fig, ids, lang)
    counts = fig.flag_counts.loc[fig.flag_counts["rule"].isin(UNASSIGNED_RULES)]
    labels = {
        "no_lead": t("rule.no_lead", lang),
        "tentative_lead": t("rule.tentative_lead", lang),
        "no_budget": t("rule.no_budget", lang),
        "budget_not_quantified": t("rule.budget_not_quantified", lang),
        "unfunded": t("rule.unfunded", lang),
        "partly_funded": t("rule.partly_funded", lang),
    }
    chart = ChartSpec(
        kind="bar",
        categories=tuple(labels[r] for r in counts["rule"]),
        series=(ChartSeries(t("chart.activities", lang), _values(counts["count"]),
                            charts.ORANGE),),
        axis_title=t("chart.activities", lang),
        alt=t("slide.unassigned.alt", lang),
    )
    table = fig.flags.loc[fig.flags["rule"].isin(UNASSIGNED_RULES)].reset_index(drop=True)
    return Slide("unassigned", t("slide.unassigned.title", lang), message, numbers, table,
                 chart, extra={"counts": counts.reset_index(drop=True)})


def _funding_slide(fig: BriefingFigures, lang: str) -> Slide:
    money = fig.headline
    numbers = tuple(_figure(fig, fid, lang) for fid in FUNDING_IDS)
    if money["required_usd"] is None:
        message = (t("narrative.funding.none", lang) if money["funded_usd"] is None else
                   t("narrative.funding.no_requirement", lang,
                     funded=fmt_money(money["funded_no_requirement_usd"], lang)))
    else:
        message = t("slide.funding.message", lang, pct=fmt_percent(money["pct_funded"], lang),
                    funded=fmt_money(money["funded_against_requirement_usd"], lang),
                    required=fmt_money(money["required_usd"], lang),
                    gap=fmt_money(money["gap_usd"], lang))
    frame = fig.funding_by
    dimension = fig.funding_dimension
    if dimension == "year":
        shown = frame
        categories = tuple(str(y) if pd.notna(y) else t("value.not_given", lang)
                           for y in shown["year"])
    else:
        shown = frame.sort_values("required_usd", ascending=False, na_position="last",
                                  kind="stable").head(MAX_BARS)
        categories = tuple(_country_label(c, lang) for c in shown["country_iso3"])
    chart = ChartSpec(
        kind="bar",
        categories=categories,
        series=(
            ChartSeries(t("chart.required", lang), _values(shown["required_usd"]),
                        charts.GREY),
            ChartSeries(t("chart.funded_against", lang),
                        _values(shown["funded_against_requirement_usd"]), charts.FUNDED_COLOUR),
            ChartSeries(t("chart.funded_no_requirement", lang),
                        _values(shown["funded_no_requirement_usd"]), charts.ORANGE),
        ),
        value_format="money",
        axis_title="USD",
        alt=t("slide.funding.alt", lang),
        note=_shown_note(len(shown), len(frame), lang),
        empty=t("empty.no_funding_rows", lang),
    )
    return Slide("funding", t("slide.funding.title", lang), message, numbers, frame, chart)


def clip(text, width: int) -> str:
    """Return ``text`` cut at a word boundary to at most ``width`` characters, with "…"."""
    raw = "" if text is None or (not isinstance(text, str) and pd.isna(text)) else str(text)
    if len(raw) <= width:
        return raw
    cut = raw[: width - 1].rsplit(" ", 1)[0] or raw[: width - 1]
    return cut.rstrip(" ,;:") + "…"


def _results_slide(fig: BriefingFigures, lang: str) -> Slide:
    head = fig.headline
    ids = ("indicators_on_track", "indicators_off_track", "indicators_unknown")
    numbers = tuple(_figure(fig, fid, lang) for fid in ids)
    if head["indicators"]:
        message = t_count("slide.results.message", head["indicators_on_track"], lang,
                    on_track=fmt_number(head["indicators_on_track"], lang),
                    indicators=fmt_number(head["indicators"], lang),
                    off_track=fmt_number(head["indicators_off_track"], lang),
                    unknown=fmt_number(head["indicators_unknown"], lang),
                    year=fig.results_year)
    else:
        message = t("narrative.results.none", lang)
    # the chart draws the very counts the message states: per objective, how many
    # indicators are on track, off track and not assessable
    frame = fig.results_by_objective
    shown = frame.head(MAX_BARS)
    categories = tuple(clip(o, 60) if isinstance(o, str) else t("value.not_given", lang)
                       for o in shown["objective"])
    chart = ChartSpec(
        kind="bar",
        categories=categories,
        series=(
            ChartSeries(GLOSSARY["indicators_on_track"].label(lang), _values(shown["on_track"]),
                        charts.GREEN),
            ChartSeries(GLOSSARY["indicators_off_track"].label(lang),
                        _values(shown["off_track"]), charts.VERMILLION),
            ChartSeries(GLOSSARY["indicators_unknown"].label(lang), _values(shown["unknown"]),
                        charts.LIGHT_GREY),
        ),
        stacked=True,
        axis_title=t("col.indicators", lang),
        alt=t("slide.results.alt", lang),
        note=_shown_note(len(shown), len(frame), lang),
        empty=t("narrative.results.none", lang),
    )
    title = (t("slide.results.title_year", lang, year=fig.results_year)
             if fig.results_year is not None else t("slide.results.title", lang))
    return Slide("results", title, message, numbers, fig.indicators, chart,
                 extra={"by_objective": frame})


def slide_deck(dataset: Dataset, filters: Filters, today: dt.date, lang: str) -> list[Slide]:
    """Return the slides of a plenary briefing for ``dataset`` under ``filters``.

    Args:
        dataset: a ``maaor.dataset.Dataset`` (the public view on the pages).
        filters: the dashboard filters (an emergency/country, a year, the whole AoR).
        today: reference date of flags and results.
        lang: "en" or "fr".

    Returns:
        The slides in :data:`SLIDE_KEYS` order. Every slide carries the source and data
        version and, when the data are illustrative, the illustrative-data notice; the
        narrative sentences are attached to the slide they describe (all of them to the
        title slide).
    """
    fig = briefing_figures(dataset, filters, today)
    meta = dataset.meta
    sentences = narrative_from(fig, lang)
    slides = [
        _title_slide(fig, meta, lang),
        _headline_slide(fig, lang),
        _presence_slide(fig, lang),
        _reached_slide(fig, lang),
        _pillars_slide(fig, pillar_coverage(fig), lang),
        _progress_slide(fig, lang),
        _unassigned_slide(fig, lang),
        _funding_slide(fig, lang),
        _results_slide(fig, lang),
    ]
    sources = {
        "title": ("workplan", "presence", "funding", "indicators", "mechanisms"),
        "headline": ("workplan", "presence", "funding", "mechanisms"),
        "presence": ("presence",),
        "reached": ("presence",),
        "pillars": ("presence", "mechanisms"),
        "progress": ("workplan",),
        "unassigned": ("workplan",),
        "funding": ("funding",),
        "results": ("indicators",),
    }
    notice = t("slide.illustrative", lang) if meta.illustrative else None
    out = []
    for slide in slides:
        notes = tuple(sentences) if slide.key == "title" else tuple(
            s for s in sentences if s.slide == slide.key)
        out.append(replace(slide, notes=notes, notice=notice,
                           source=_source(lang, meta, *sources[slide.key])))
    return out


def with_meeting(slides: list[Slide], meeting_name: str | None, meeting_date: dt.date | None,
                 lang: str) -> list[Slide]:
    """Return ``slides`` with the title slide naming the meeting and its date.

    The presenter types both; an empty name keeps the default title and no date keeps
    the scope line alone.
    """
    out = []
    for slide in slides:
        if slide.key == "title":
            name = (meeting_name or "").strip()
            when = fmt_date(meeting_date, lang) if meeting_date else ""
            message = " · ".join(p for p in (when, slide.message) if p)
            slide = replace(slide, title=name or slide.title, message=message)
        out.append(slide)
    return out


def plotly_figure(spec: ChartSpec, lang: str, height: int = 520, font_size: int = 18):
    """Return the plotly figure of a bar :class:`ChartSpec` in presentation type sizes.

    Categories read top to bottom, every one labelled (no label skipped when the chart
    is crowded: the label size shrinks with the room each category has); values are
    written on the bars (formatted per language) where they fit, never over each other.

    Args:
        spec: the chart of a slide.
        lang: number formats and separators.
        height: the figure height in pixels (the Present page sizes it to the screen).
        font_size: the base type size in pixels (legend, axis title).
    """
    import plotly.graph_objects as go

    categories = [charts.esc(c) for c in spec.categories]
    bars = len(categories) * (1 if spec.stacked else max(len(spec.series), 1))
    plot_px = max(height - 4 * font_size - 60, 60)  # minus legend, axis title, margins
    # Category labels: at most the base size, and small enough to stand one per band.
    label_px = int(min(font_size, max(9, 0.7 * plot_px / max(len(categories), 1))))
    # Value labels: the size a bar's thickness allows (hidden where smaller than 9 px).
    value_px = int(min(font_size - 2, max(8, 0.8 * plot_px / max(bars, 1))))
    fig = go.Figure()
    for series in spec.series:
        values = list(series.values)
        fig.add_trace(go.Bar(
            y=categories,
            x=values,
            orientation="h",
            name=charts.esc(series.name),
            marker_color=series.colour,
            text=["" if v is None or (spec.stacked and v == 0) else _fmt(v, spec.value_format, lang)
                  for v in values],
            textposition="inside" if spec.stacked else "outside",
            insidetextanchor="middle",
            textangle=0,
            textfont={"size": value_px},
            cliponaxis=False,
            hovertemplate="%{y}<br>%{fullData.name}: %{text}<extra></extra>",
        ))
    fig.update_layout(
        barmode="stack" if spec.stacked else "group",
        template="plotly_white",
        height=height,
        font={"family": '"Source Sans", sans-serif', "size": font_size, "color": "#111111"},
        margin={"l": 10, "r": 4 * font_size, "t": 10, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.01, "x": 0,
                "font": {"size": font_size}, "traceorder": "normal"},
        # a value label that cannot stand at the bar's size is hidden, never overlapped
        uniformtext={"minsize": 9, "mode": "hide"},
        xaxis_title=charts.esc(spec.axis_title),
        separators=", " if lang == "fr" else ".,",
        showlegend=len(spec.series) > 1,
    )
    fig.update_yaxes(autorange="reversed", type="category", automargin=True,
                     tickfont={"size": label_px}, tickmode="array", tickvals=categories)
    fig.update_xaxes(automargin=True)
    if spec.value_format == "number":  # counts: whole-number ticks only
        totals = [sum(v or 0 for v in vs) for vs in zip(*(x.values for x in spec.series), strict=True)]
        fig.update_xaxes(**charts.count_axis(
            totals if spec.stacked else [v for x in spec.series for v in x.values]))
    return fig


"""The glossary of headline figures, as data: one definition per number the product shows.

Every headline figure a tile, narrative sentence, slide, PPTX text, data-pack cell or CLI
JSON key shows is a :class:`Figure` of :data:`GLOSSARY`: its id (also its key in
:func:`maaor.figures.overview.headline_figures`, in the data pack and in the CLI JSON),
the one ``maaor.figures`` function that computes it, the table it counts, its unit and
the filters that apply to it. Its label and definition (what it counts and what it
leaves out) live in the catalogues ``maaor/i18n/en.json`` and ``fr.json`` under
``glossary.<id>`` and ``glossary.<id>.help``; the help "?" of a tile shows that
definition. Two figures that count different things have different ids and labels
("Organisations in the 4W, any status" is not "Active organisations").

Scope: each figure knows which dashboard filters apply to it (the work plan is global:
it has no country). :func:`ignored_filters` says which chosen filters a figure does not
follow, and :func:`scope_note` turns that into "AoR-wide, not filtered by country" so a
tile or chart never shows as if filtered. No Streamlit here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields

from maaor.filters import Filters
from maaor.i18n import fmt_money, fmt_number, fmt_percent, t

# Filters fields each source table follows (see ``maaor.filters``).
WORKPLAN_FILTERS = frozenset({"objectives", "statuses", "leads", "partners", "org", "year"})
PRESENCE_FILTERS = frozenset({"emergency", "countries", "pillars", "org_types", "presence_statuses", "org",
                              "year"})
MECHANISM_FILTERS = frozenset({"emergency", "countries"})
FUNDING_FILTERS = frozenset({"emergency", "countries", "year", "pillars"})
INDICATOR_FILTERS = frozenset({"emergency", "countries", "year"})
ALL_FILTERS = frozenset(f.name for f in fields(Filters))

UNITS = ("count", "percent", "usd")


@dataclass(frozen=True)
class Figure:
    """One headline figure.

    Attributes:
        id: the figure's id: its key in ``headline_figures``, the data pack and the CLI.
        function: qualified name of the one function computing it, and the key of its
            result ("maaor.figures.funding.funding_headline[gap_usd]").
        source: the table it counts ("workplan", "presence", "mechanisms", "funding",
            "indicators").
        unit: "count", "percent" or "usd".
        filters: the ``Filters`` fields that apply to it.
        empty: catalogue key of the words shown when the value is unknown (None).
    """

    id: str
    function: str
    source: str
    unit: str
    filters: frozenset[str]
    empty: str = "value.unknown"

    def label(self, lang: str) -> str:
        """Return the figure's label in ``lang``."""
        return t(f"glossary.{self.id}", lang)

    def help(self, lang: str) -> str:
        """Return the figure's definition (what it counts and leaves out) in ``lang``."""
        return t(f"glossary.{self.id}.help", lang)

    def text(self, value, lang: str) -> str:
        """Return ``value`` formatted for ``lang``, or the figure's empty-state words."""
        if value is None or value != value:  # None or NaN: say what is missing
            return t(self.empty, lang)
        if self.unit == "usd":
            return fmt_money(value, lang)
        if self.unit == "percent":
            return fmt_percent(value, lang)
        return fmt_number(value, lang)


_WP = "maaor.figures.progress.workplan_headline"
_FLAGS = "maaor.figures.gaps.activity_flags"
_PRES = "maaor.figures.presence.presence_headline"
_GAPS = "maaor.figures.gaps.pillar_gaps"
_MONEY = "maaor.figures.funding.funding_headline"
_BUDGET = "maaor.figures.funding.workplan_budget_headline"
_RESULTS = "maaor.figures.results.results_by_objective"
_GAP_FILTERS = PRESENCE_FILTERS - {"pillars"}


def _figures() -> tuple[Figure, ...]:
    return (
        Figure("activities", f"{_WP}[activities]", "workplan", "count", WORKPLAN_FILTERS),
        Figure("completed", f"{_WP}[completed]", "workplan", "count", WORKPLAN_FILTERS),
        Figure("activities_with_status", f"{_WP}[with_status]", "workplan", "count",
               WORKPLAN_FILTERS),
        Figure("pct_completed", f"{_WP}[pct_completed]", "workplan", "percent",
               WORKPLAN_FILTERS, empty="empty.no_status"),
        Figure("mean_progress", f"{_WP}[mean_progress]", "workplan", "percent",
               WORKPLAN_FILTERS, empty="empty.no_progress"),
        Figure("activities_flagged", f"{_FLAGS} (distinct activity_id)", "workplan", "count",
               WORKPLAN_FILTERS),
        Figure("activity_flags", f"{_FLAGS} (rows)", "workplan", "count", WORKPLAN_FILTERS),
        Figure("without_lead", f"{_WP}[without_lead]", "workplan", "count", WORKPLAN_FILTERS),
        Figure("without_budget", f"{_WP}[without_budget]", "workplan", "count",
               WORKPLAN_FILTERS),
        Figure("unfunded_activities", f"{_FLAGS} (rule unfunded)", "workplan", "count",
               WORKPLAN_FILTERS),
        Figure("budget_usd", f"{_BUDGET}[budget_usd]", "workplan", "usd", WORKPLAN_FILTERS,
               empty="empty.no_budget"),
        Figure("budget_funded_against_usd", f"{_BUDGET}[funded_against_requirement_usd]",
               "workplan", "usd", WORKPLAN_FILTERS, empty="empty.no_budget"),
        Figure("budget_gap_usd", f"{_BUDGET}[gap_usd]", "workplan", "usd", WORKPLAN_FILTERS,
               empty="empty.no_budget"),
        Figure("budget_pct_funded", f"{_BUDGET}[pct_funded]", "workplan", "percent",
               WORKPLAN_FILTERS, empty="empty.no_budget"),
        Figure("budget_funded_no_budget_usd", f"{_BUDGET}[funded_no_requirement_usd]",
               "workplan", "usd", WORKPLAN_FILTERS, empty="empty.no_funding"),
        Figure("activities_with_presence",
               "maaor.figures.progress.activities_with_presence", "workplan", "count",
               WORKPLAN_FILTERS | PRESENCE_FILTERS),
        Figure("organisations", f"{_PRES}[organisations]", "presence", "count",
               PRESENCE_FILTERS),
        Figure("active_organisations", f"{_PRES}[active_organisations]", "presence", "count",
               PRESENCE_FILTERS),
        Figure("countries_present", f"{_PRES}[countries_present]", "presence", "count",
               PRESENCE_FILTERS),
        Figure("pillars", f"{_PRES}[pillars]", "presence", "count", PRESENCE_FILTERS),
        Figure("presence_rows", f"{_PRES}[rows]", "presence", "count", PRESENCE_FILTERS),
        Figure("people_reached", "maaor.figures.reached.reached_headline[reached_total]",
               "presence", "count", PRESENCE_FILTERS, empty="empty.no_reached"),
        Figure("countries_with_mechanism", f"{_PRES}[countries_with_mechanism]",
               "mechanisms", "count", MECHANISM_FILTERS),
        Figure("pillar_no_active_org", f"{_GAPS} (rule pillar_no_active_org)", "presence",
               "count", _GAP_FILTERS),
        Figure("pillar_single_org", f"{_GAPS} (rule pillar_single_org)", "presence", "count",
               _GAP_FILTERS),
        Figure("country_flags", f"{_GAPS} (rows)", "presence", "count", _GAP_FILTERS),
        Figure("flags", f"{_FLAGS} + {_GAPS} (rows)", "workplan", "count",
               WORKPLAN_FILTERS & _GAP_FILTERS),
        Figure("required_usd", f"{_MONEY}[required_usd]", "funding", "usd", FUNDING_FILTERS,
               empty="empty.no_requirement"),
        Figure("funded_against_requirement_usd", f"{_MONEY}[funded_against_requirement_usd]",
               "funding", "usd", FUNDING_FILTERS, empty="empty.no_requirement"),
        Figure("funded_no_requirement_usd", f"{_MONEY}[funded_no_requirement_usd]",
               "funding", "usd", FUNDING_FILTERS, empty="empty.no_funding"),
        Figure("funded_usd", f"{_MONEY}[funded_usd]", "funding", "usd", FUNDING_FILTERS,
               empty="empty.no_funding"),
        Figure("pledged_usd", "maaor.figures.funding.pledged_total", "funding", "usd",
               FUNDING_FILTERS, empty="empty.no_funding"),
        Figure("gap_usd", f"{_MONEY}[gap_usd]", "funding", "usd", FUNDING_FILTERS,
               empty="empty.no_requirement"),
        Figure("pct_funded", f"{_MONEY}[pct_funded]", "funding", "percent", FUNDING_FILTERS,
               empty="empty.no_requirement"),
        Figure("indicators", f"{_RESULTS}[indicators]", "indicators", "count",
               INDICATOR_FILTERS),
        Figure("indicators_on_track", f"{_RESULTS}[on_track]", "indicators", "count",
               INDICATOR_FILTERS),
        Figure("indicators_off_track", f"{_RESULTS}[off_track]", "indicators", "count",
               INDICATOR_FILTERS),
        Figure("indicators_unknown", f"{_RESULTS}[unknown]", "indicators", "count",
               INDICATOR_FILTERS),
    )


#: Every headline figure, by id, in display order.
GLOSSARY: Mapping[str, Figure] = {f.id: f for f in _figures()}

#: The figures of the Overview and of the headline slide, row by row.
OVERVIEW_ROWS: tuple[tuple[str, ...], ...] = (
    ("activities", "pct_completed", "activities_flagged", "activities_with_presence"),
    ("active_organisations", "countries_present", "countries_with_mechanism", "people_reached"),
    ("required_usd", "funded_against_requirement_usd", "gap_usd", "pct_funded",
     "funded_no_requirement_usd"),
)
#: Relative tile widths of a row of the five funding figures (so no label is cut).
FUNDING_WIDTHS: tuple[float, ...] = (1.0, 1.15, 1.0, 0.8, 1.25)
#: The rows of the other pages' headline figures.
WORKPLAN_ROW: tuple[str, ...] = ("activities", "pct_completed", "mean_progress", "without_lead",
                                 "budget_usd")
PRESENCE_ROW: tuple[str, ...] = ("countries_present", "active_organisations", "pillars",
                                 "presence_rows")
GAPS_ROW: tuple[str, ...] = ("flags", "activity_flags", "country_flags")
BUDGET_IDS: tuple[str, ...] = ("budget_usd", "budget_funded_against_usd", "budget_gap_usd",
                               "budget_pct_funded", "budget_funded_no_budget_usd")
#: The funding figures, in the order every page, slide and pack shows them.
FUNDING_IDS: tuple[str, ...] = ("required_usd", "funded_against_requirement_usd", "gap_usd",
                                "pct_funded", "funded_no_requirement_usd")


def figure(figure_id: str) -> Figure:
    """Return the glossary entry ``figure_id``.

    Raises:
        KeyError: no such headline figure.
    """
    return GLOSSARY[figure_id]


def chosen_filters(f: Filters) -> frozenset[str]:
    """Return the names of the filters set in ``f`` (an empty filter keeps everything)."""
    return frozenset(name for name in ALL_FILTERS if getattr(f, name) not in ((), None, ""))


def ignored_filters(figure_id: str, f: Filters) -> tuple[str, ...]:
    """Return the filters chosen in ``f`` that figure ``figure_id`` does not follow.

    In a stable order (the ``Filters`` field order).
    """
    ignored = chosen_filters(f) - GLOSSARY[figure_id].filters
    return tuple(x.name for x in fields(Filters) if x.name in ignored)


def applies(figure_id: str, f: Filters) -> bool:
    """True when every filter chosen in ``f`` applies to figure ``figure_id``."""
    return not ignored_filters(figure_id, f)


def scope_note(figure_ids: Iterable[str], f: Filters, lang: str) -> str:
    """Return what the figures do not follow of the chosen filters, in words; "" if none.

    A chosen country or emergency the figures cannot follow gives "AoR-wide, not
    filtered by country"; other filters are named ("not filtered by pillar, organisation type").
    """
    ignored: list[str] = []
    for figure_id in figure_ids:
        for name in ignored_filters(figure_id, f):
            if name not in ignored:
                ignored.append(name)
    if not ignored:
        return ""
    # An emergency is a set of countries: a figure that cannot follow it is AoR-wide.
    places = {"countries", "emergency"}
    names = [t(f"scope.filter.{n}", lang) for n in ignored if n not in places]
    if places & set(ignored):
        note = t("scope.aor_wide", lang)
        return note + (" " + t("scope.nor", lang, filters=", ".join(names)) if names else "")
    return t("scope.not_filtered", lang, filters=", ".join(names))


def headline_json(values: Mapping[str, object]) -> dict[str, dict]:
    """Return headline figures as the CLI prints them: id -> value, unit and label.

    Args:
        values: figure id -> value (``maaor.figures.overview.headline_figures``).
    """
    out = {}
    for figure_id, value in values.items():
        entry = GLOSSARY[figure_id]
        plain = None if value is None or value != value else value
        if isinstance(plain, float) and plain.is_integer() and entry.unit == "count":
            plain = int(plain)
        out[figure_id] = {"value": plain, "unit": entry.unit, "label": entry.label("en"),
                          "definition": entry.help("en")}
    return out

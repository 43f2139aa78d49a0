"""View choices kept in the URL: every widget that changes what a page shows, by name.

The sidebar filters travel in the URL through ``maaor.filters`` (``country=``, ``year=``
...). The other choices a page offers (the Results "Sex and age" choice, the Funding
"Break down by" choice, the Presence matrix country, the Gaps tab, a long table's page
number, a Work plan activity, the Present slide) are widgets bound to a query
parameter; this module names each parameter once, so the widgets (``maaor.ui``), the
link a user shares and the tests agree. A widget's Streamlit key is its parameter's
name (Streamlit's ``bind="query-params"`` uses the key as the name).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeVar

from maaor.filters import FILTER_PARAMS, LANG_PARAM, VERSION_PARAM

RESULTS_SEX_AGE = "sex_age"  # Results: indicator disaggregation code
FUNDING_BY = "by"  # Funding: breakdown column
PRESENCE_MATRIX = "matrix"  # Presence: ISO3 of the organisation x pillar matrix
GAPS_TAB = "tab"  # Gaps: the tab's label
WORKPLAN_ACTIVITY = "activity"  # Work plan: the activity shown in full
PRESENT_PARAMS = ("slide", "auto", "meeting", "date")  # Present: slide, auto-advance, meeting
TABLE_PAGE_PREFIX = "pg_"  # a long table's page number: pg_<table name>

# Page key -> the view parameters its widgets bind (table pages: TABLE_PAGE_PREFIX).
PAGE_VIEW_PARAMS: Mapping[str, tuple[str, ...]] = {
    "results": (RESULTS_SEX_AGE,),
    "funding": (FUNDING_BY,),
    "presence": (PRESENCE_MATRIX,),
    "gaps": (GAPS_TAB,),
    "workplan": (WORKPLAN_ACTIVITY,),
    "present": PRESENT_PARAMS,
}


T = TypeVar("T")


def choice_from_params(params: Mapping[str, Sequence[str]], name: str, options: Sequence[T],
                       default: T) -> T:
    """Return the option the URL names for ``name`` (compared as text), else ``default``.

    Args:
        params: the query string, parameter -> every value.
        name: the view parameter.
        options: what the widget offers; a value not among them is ignored.
        default: the widget's choice when the URL names none (or an unknown one).
    """
    values = params.get(name) or ()
    if values:
        for option in options:
            if str(option) == values[0]:
                return option
    return default


def param_values(value: object, default: object) -> list[str]:
    """Return the query-string values for a choice: none when it is the default (the
    link stays short), else its code as text."""
    if value is None or value == default:
        return []
    return [str(value)]


def table_page_param(table: str) -> str:
    """Return the query parameter holding table ``table``'s page number."""
    return TABLE_PAGE_PREFIX + table


def view_param_names() -> tuple[str, ...]:
    """Return every named view parameter (not the per-table page numbers)."""
    return tuple(dict.fromkeys(n for names in PAGE_VIEW_PARAMS.values() for n in names))


def clashes() -> tuple[str, ...]:
    """Return the view parameters that would reuse a filter, language or version name
    (always empty: ``tests/test_viewparams.py`` keeps it so)."""
    taken = {*FILTER_PARAMS, LANG_PARAM, VERSION_PARAM}
    return tuple(n for n in view_param_names() if n in taken or n.startswith(TABLE_PAGE_PREFIX))

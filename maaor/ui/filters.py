"""The filter widgets: sidebar widgets <-> ``maaor.filters.Filters`` <-> URL.

A copied link reopens the same filtered view because every filter lives in the query
string (``?country=IRQ&country=SYR&pillar=eore&year=2021&lang=fr``). Within a session
the filters also live in ``st.session_state`` so they carry across pages (Streamlit drops
the query string when the page changes). On a page load the URL wins when it holds any
filter; otherwise the session's filters apply, and they are written back to the URL.

Everything about filters that is not a widget (URL <-> Filters, options, descriptions,
which filters change which table) is in ``maaor.filters`` and tested without a running app.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from maaor.filters import (
    FILTER_PARAMS,
    LANG_PARAM,
    MULTI_PARAMS,
    SINGLE_PARAMS,
    VERSION_PARAM,
    FilterOptions,
    Filters,
    choices,
    filters_from_params,
    has_filter_params,
    language_from_params,
    option_label,
    params_from_filters,
    restrict,
    version_from_params,
)
from maaor.i18n import DEFAULT_LANGUAGE, t

SESSION_FILTERS = "maaor_filters"
SESSION_LANG = "maaor_lang"
SESSION_VERSION = "maaor_version"
WIDGET_PREFIX = "flt_"

# --------------------------------------------------------------------------------------
# Streamlit binding
# --------------------------------------------------------------------------------------

_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("filter.group.where", ("emergency", "country", "pillar", "org_type", "presence_status", "org")),
    ("filter.group.workplan", ("objective", "status", "lead", "partner")),
    ("filter.group.when", ("year",)),
)


def url_params() -> dict[str, list[str]]:
    """Return the current query string as parameter -> every value."""
    import streamlit as st

    return {k: st.query_params.get_all(k) for k in st.query_params.keys()}


def state_on_load() -> tuple[Filters, str, int | None]:
    """Return (filters, language, pinned version) for this run: URL first, then session.

    Each of the three is taken from the URL when the URL names it, else from the
    session (the last page's choice), else the default.
    """
    import streamlit as st

    params = url_params()
    state = st.session_state
    if has_filter_params(params):
        f = filters_from_params(params)
    else:
        f = state.get(SESSION_FILTERS, Filters())
    lang = language_from_params(params) or state.get(SESSION_LANG, DEFAULT_LANGUAGE)
    version = version_from_params(params) or state.get(SESSION_VERSION)
    return f, lang, version


def remember(f: Filters, lang: str, version: int | None) -> None:
    """Store the state in the session and write it to the URL (only what differs)."""
    import streamlit as st

    st.session_state[SESSION_FILTERS] = f
    st.session_state[SESSION_LANG] = lang
    if version is not None:
        st.session_state[SESSION_VERSION] = version
    wanted = params_from_filters(f)
    if lang != DEFAULT_LANGUAGE:
        wanted[LANG_PARAM] = [lang]
    if version is not None:
        wanted[VERSION_PARAM] = [str(version)]
    current = url_params()
    for name in (*FILTER_PARAMS, LANG_PARAM, VERSION_PARAM):
        if name in wanted:
            if current.get(name) != wanted[name]:
                st.query_params[name] = wanted[name]
        elif name in current:
            del st.query_params[name]


def _widget_value(name: str, f: Filters):
    field = MULTI_PARAMS.get(name) or SINGLE_PARAMS[name]
    value = getattr(f, field)
    return list(value) if name in MULTI_PARAMS else value


def _on_widget_change(name: str) -> None:
    import streamlit as st

    value = st.session_state.get(WIDGET_PREFIX + name)
    f = st.session_state.get(SESSION_FILTERS, Filters())
    if name in MULTI_PARAMS:
        f = replace(f, **{MULTI_PARAMS[name]: tuple(sorted(value or ()))})
    else:
        f = replace(f, **{SINGLE_PARAMS[name]: value})
    lang = st.session_state.get(SESSION_LANG, DEFAULT_LANGUAGE)
    remember(f, lang, st.session_state.get(SESSION_VERSION))


def _on_reset() -> None:
    import streamlit as st

    lang = st.session_state.get(SESSION_LANG, DEFAULT_LANGUAGE)
    remember(Filters(), lang, st.session_state.get(SESSION_VERSION))


def _widget(name: str, f: Filters, options: FilterOptions, lang: str) -> None:
    import streamlit as st

    key = WIDGET_PREFIX + name
    # The session value is set before the widget exists (never after), so the widget
    # shows the URL's or the last page's choice.
    st.session_state[key] = _widget_value(name, f)
    titles = dict(options.objective)

    def label(value: object) -> str:
        return option_label(name, value, lang, titles)

    common = {"key": key, "on_change": _on_widget_change, "args": (name,)}
    if name in MULTI_PARAMS:
        st.multiselect(
            t(f"filter.{name}", lang),
            options=list(choices(name, options, f.emergency)),
            format_func=label,
            placeholder=t("filter.all", lang),
            help=t(f"filter.{name}.help", lang),
            **common,
        )
    else:
        st.selectbox(
            t(f"filter.{name}", lang),
            options=[None, *choices(name, options, f.emergency)],
            format_func=label,
            placeholder=t("filter.all", lang),
            help=t(f"filter.{name}.help", lang),
            **common,
        )


def sidebar(
    names: Sequence[str],
    f: Filters,
    options: FilterOptions,
    lang: str,
    version: int | None,
) -> Filters:
    """Draw the filter widgets ``names`` in the sidebar; return the filters to apply.

    Values the data cannot offer (a stale link) are dropped first, so the figures use
    exactly what the widgets show. Filters of other pages are kept (in the session and
    the URL) but not drawn.
    """
    import streamlit as st

    f = restrict(f, options)
    remember(f, lang, version)
    if not names:  # a page that draws no data (the coordinator's) shows no filters
        return f
    with st.sidebar:
        st.subheader(t("filter.title", lang))
        for group_key, group in _GROUPS:
            shown = [n for n in group if n in names]
            if not shown:
                continue
            st.caption(t(group_key, lang))
            for name in shown:
                _widget(name, f, options, lang)
        st.button(t("filter.reset", lang), on_click=_on_reset, key="flt_reset",
                  width="stretch")
    return f

"""Filters bound three ways: sidebar widgets <-> ``maaor.filters.Filters`` <-> URL.

A copied link reopens the same filtered view because every filter lives in the query
string (``?country=IRQ&country=SYR&pillar=eore&year=2021&lang=fr``). Within a session
the filters also live in ``st.session_state`` so they carry across pages (Streamlit drops
the query string when the page changes). On a page load the URL wins when it holds any
filter; otherwise the session's filters apply, and they are written back to the URL.

The parse/serialise half (:func:`filters_from_params`, :func:`params_from_filters`,
:func:`filter_options`) is pure and tested without a running app.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import pandas as pd

from maaor import vocab
from maaor.dataset import Dataset, split_list
from maaor.filters import NOT_REPORTED, Filters
from maaor.i18n import DEFAULT_LANGUAGE, LANGUAGES, country_name, t

# URL parameter -> Filters field, for multi-valued filters.
MULTI_PARAMS: dict[str, str] = {
    "country": "countries",
    "pillar": "pillars",
    "org_type": "org_types",
    "presence_status": "presence_statuses",
    "objective": "objectives",
    "status": "statuses",
    "lead": "leads",
    "partner": "partners",
}
SINGLE_PARAMS: dict[str, str] = {"year": "year", "org": "org"}
FILTER_PARAMS: tuple[str, ...] = (*MULTI_PARAMS, *SINGLE_PARAMS)
LANG_PARAM, VERSION_PARAM = "lang", "v"

# Which filters change each canonical table (see maaor.filters): a page shows the
# widgets of the tables it draws, and no widget that would change nothing.
TABLE_PARAMS: dict[str, tuple[str, ...]] = {
    "workplan": ("objective", "status", "lead", "partner", "org", "year"),
    "presence": ("country", "pillar", "org_type", "presence_status", "org", "year"),
    "funding": ("country", "pillar", "year"),
    "fts": ("country", "year"),
    "indicators": ("country", "year"),
    "mechanisms": ("country",),
}

MAX_VALUES = 60  # values per filter taken from a URL
MAX_TEXT = 200  # characters of one organisation name / objective id from a URL
YEAR_RANGE = (1990, 2100)
_ISO3 = re.compile(r"^[A-Z]{3}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

# Vocabulary behind each coded filter (codes outside it are dropped from a URL).
_VOCAB_PARAMS = {
    "pillar": "pillar",
    "org_type": "org_type",
    "presence_status": "presence_status",
    "status": "wp_status",
}

SESSION_FILTERS = "maaor_filters"
SESSION_LANG = "maaor_lang"
SESSION_VERSION = "maaor_version"
WIDGET_PREFIX = "flt_"


def _values(params: Mapping[str, object], name: str) -> list[str]:
    """Return the values of one parameter as a list of clean strings."""
    raw = params.get(name)
    if raw is None:
        return []
    items = [raw] if isinstance(raw, str) else list(raw)
    out = []
    for item in items[:MAX_VALUES]:
        text = _CONTROL.sub("", str(item)).strip()[:MAX_TEXT]
        if text and text not in out:
            out.append(text)
    return out


def _allowed(name: str, value: str) -> bool:
    if name == "country":
        return bool(_ISO3.match(value))
    if name in _VOCAB_PARAMS:
        extra = (NOT_REPORTED,) if name == "status" else ()
        return value in (*vocab.codes(_VOCAB_PARAMS[name]), *extra)
    return True


def filters_from_params(params: Mapping[str, object]) -> Filters:
    """Return the Filters a query string describes; unknown or malformed values are dropped.

    Args:
        params: parameter -> value or list of values (``st.query_params.to_dict()`` gives
            the last value only; pass ``{k: st.query_params.get_all(k)}`` for all).

    Countries are upper-cased ISO3 codes; vocabulary codes must exist; the year must be a
    whole number between 1990 and 2100. Multi-valued filters are sorted so the same
    selection always gives the same Filters (and cache key).
    """
    changes: dict[str, object] = {}
    for name, field in MULTI_PARAMS.items():
        values = _values(params, name)
        if name == "country":
            values = [v.upper() for v in values]
        kept = sorted({v for v in values if _allowed(name, v)})
        changes[field] = tuple(kept)
    years = _values(params, "year")
    if years and years[0].isdigit() and YEAR_RANGE[0] <= int(years[0]) <= YEAR_RANGE[1]:
        changes["year"] = int(years[0])
    orgs = _values(params, "org")
    changes["org"] = orgs[0] if orgs else None
    return Filters(**changes)


def params_from_filters(f: Filters) -> dict[str, list[str]]:
    """Return the query parameters of ``f`` (only the filters that are set)."""
    out: dict[str, list[str]] = {}
    for name, field in MULTI_PARAMS.items():
        values = getattr(f, field)
        if values:
            out[name] = [str(v) for v in values]
    if f.year is not None:
        out["year"] = [str(f.year)]
    if f.org:
        out["org"] = [f.org]
    return out


def has_filter_params(params: Mapping[str, object]) -> bool:
    """Return True when the query string names at least one filter."""
    return any(_values(params, name) for name in FILTER_PARAMS)


def language_from_params(params: Mapping[str, object]) -> str | None:
    """Return the language the query string asks for, or None when it names none."""
    values = _values(params, LANG_PARAM)
    if not values:
        return None
    code = values[0].lower()
    return code if code in LANGUAGES else None


def version_from_params(params: Mapping[str, object]) -> int | None:
    """Return the data version pinned by ``?v=N``, or None."""
    values = _values(params, VERSION_PARAM)
    if values and values[0].isdigit() and 0 < int(values[0]) < 10**9:
        return int(values[0])
    return None


def query_string(params: Mapping[str, Sequence[str]]) -> str:
    """Return ``params`` URL-encoded (repeated keys for several values)."""
    from urllib.parse import urlencode

    return urlencode([(k, v) for k, values in params.items() for v in values])


# --------------------------------------------------------------------------------------
# Options the widgets offer (from the dataset of one version)
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FilterOptions:
    """The values each filter widget offers, in display order.

    Attributes:
        country: ISO3 codes present in any table.
        pillar, org_type, presence_status, status: vocabulary codes (all of them: an
            empty pillar is a finding, not an error).
        objective: (objective_id, objective title) pairs in work-plan order.
        lead, partner: canonical organisation names of the work plan.
        org: organisations of the work plan and the 4W.
        year: years of any dated row, ascending.
    """

    country: tuple[str, ...] = ()
    pillar: tuple[str, ...] = ()
    org_type: tuple[str, ...] = ()
    presence_status: tuple[str, ...] = ()
    objective: tuple[tuple[str, str], ...] = ()
    status: tuple[str, ...] = ()
    lead: tuple[str, ...] = ()
    partner: tuple[str, ...] = ()
    org: tuple[str, ...] = ()
    year: tuple[int, ...] = ()

    def values(self, name: str) -> tuple:
        """Return the option values of filter ``name`` (objective ids for "objective")."""
        if name == "objective":
            return tuple(i for i, _ in self.objective)
        return getattr(self, name)


def _distinct(series: pd.Series) -> list[str]:
    return sorted({str(v) for v in series.dropna().unique()})


def _list_members(series: pd.Series) -> list[str]:
    return sorted({item for cell in series.dropna().unique() for item in split_list(cell)})


def _years(*series: pd.Series) -> list[int]:
    found: set[int] = set()
    for s in series:
        values = s.dt.year if pd.api.types.is_datetime64_any_dtype(s.dtype) else s
        found.update(int(v) for v in pd.unique(values.dropna()))
    return sorted(y for y in found if YEAR_RANGE[0] <= y <= YEAR_RANGE[1])


def filter_options(ds: Dataset) -> FilterOptions:
    """Return the options of every filter for dataset ``ds``."""
    wp, presence = ds.workplan, ds.presence
    countries = set()
    for name in ("presence", "funding", "fts", "indicators", "mechanisms"):
        countries.update(_distinct(ds.tables[name]["country_iso3"]))
    objectives = wp[["objective_id", "objective"]].dropna(subset=["objective_id"])
    objectives = objectives.drop_duplicates("objective_id")
    return FilterOptions(
        country=tuple(sorted(c for c in countries if _ISO3.match(c))),
        pillar=tuple(vocab.codes("pillar")),
        org_type=tuple(vocab.codes("org_type")),
        presence_status=tuple(vocab.codes("presence_status")),
        objective=tuple(
            (str(i), "" if pd.isna(n) else str(n))
            for i, n in zip(objectives["objective_id"], objectives["objective"], strict=True)
        ),
        status=(*vocab.codes("wp_status"), NOT_REPORTED),
        lead=tuple(_list_members(wp["leads"])),
        partner=tuple(_list_members(wp["partners"])),
        org=tuple(sorted(set(_distinct(presence["org"])) | set(_list_members(wp["leads"]))
                         | set(_list_members(wp["partners"])))),
        year=tuple(_years(
            wp["start"], wp["due"], presence["start"], presence["end"],
            ds.funding["year"], ds.fts["year"], ds.indicators["year"],
        )),
    )


def restrict(f: Filters, options: FilterOptions) -> Filters:
    """Return ``f`` keeping only values the widgets can show (a stale link's extra
    values are dropped, so what is applied is what the sidebar shows)."""
    changes: dict[str, object] = {}
    for name, field in MULTI_PARAMS.items():
        allowed = set(options.values(name))
        changes[field] = tuple(v for v in getattr(f, field) if v in allowed)
    changes["year"] = f.year if f.year in options.year else None
    changes["org"] = f.org if f.org in options.org else None
    return replace(f, **changes)


def params_for_tables(tables: Iterable[str]) -> list[str]:
    """Return the filter parameters that change any of ``tables``, in sidebar order."""
    wanted = {p for table in tables for p in TABLE_PARAMS[table]}
    return [p for p in FILTER_PARAMS if p in wanted]


def describe(f: Filters, lang: str, objective_titles: Mapping[str, str] | None = None) -> str:
    """Return the filters in words, for download notes ("Country: Iraq, Syria; Year: 2021")."""
    parts = []
    for name in FILTER_PARAMS:
        field = MULTI_PARAMS.get(name) or SINGLE_PARAMS[name]
        value = getattr(f, field)
        if value in (None, ()):
            continue
        values = value if isinstance(value, tuple) else (value,)
        shown = [option_label(name, v, lang, objective_titles) for v in values]
        parts.append(f"{t(f'filter.{name}', lang)}: {', '.join(shown)}")
    return "; ".join(parts) if parts else t("filter.none", lang)


def option_label(name: str, value: object, lang: str,
                 objective_titles: Mapping[str, str] | None = None) -> str:
    """Return how a filter value is shown (country names, vocabulary labels...)."""
    if value is None:
        return t("filter.all", lang)
    if name == "country":
        return country_name(str(value), lang)
    if name == "status" and value == NOT_REPORTED:
        return t("status.not_reported", lang)
    if name in _VOCAB_PARAMS:
        return vocab.label(_VOCAB_PARAMS[name], str(value), lang)
    if name == "objective":
        title = (objective_titles or {}).get(str(value), "")
        return f"{value} – {title}" if title else str(value)
    return str(value)


# --------------------------------------------------------------------------------------
# Streamlit binding
# --------------------------------------------------------------------------------------

_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("filter.group.where", ("country", "pillar", "org_type", "presence_status", "org")),
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
            options=list(options.values(name)),
            format_func=label,
            placeholder=t("filter.all", lang),
            help=t(f"filter.{name}.help", lang),
            **common,
        )
    else:
        st.selectbox(
            t(f"filter.{name}", lang),
            options=[None, *options.values(name)],
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

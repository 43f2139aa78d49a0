"""The dashboard filters: what they are, how they apply to each table, how they read.

Everything about filters that is not a widget lives here (the widgets are
``maaor.ui.filters``):

* :class:`Filters` and ``filter_<table>`` functions that apply them. A filter left empty
  (``()`` or None) keeps everything. Each table is filtered only on the dimensions it
  has: the work plan has no country or pillar, AoR funding has no organisation type, and
  so on; a filter on a dimension a table lacks leaves it whole (:data:`TABLE_PARAMS`).
* URL <-> Filters (:func:`filters_from_params`, :func:`params_from_filters`), the
  options each filter offers for a dataset (:func:`filter_options`), and filters in
  words (:func:`describe`).
"""

from __future__ import annotations

import functools
import re
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from maaor import vocab
from maaor.dataset import Dataset, list_contains_any, split_list
from maaor.emergencies import active_emergencies, countries_of, emergency_by_id, link_table
from maaor.i18n import LANGUAGES, country_name, t

# Work-plan status filter value selecting activities whose status was not reported.
NOT_REPORTED = "not_reported"


@dataclass(frozen=True)
class Filters:
    """What the user chose to look at; hashable so it can key a cache.

    Attributes:
        countries: ISO3 codes; empty = all.
        pillars: vocab pillar codes.
        org_types: vocab organisation-type codes.
        presence_statuses: planned / active / completed / suspended. A presence row without a status
            counts as active.
        objectives: work-plan objective ids.
        statuses: work-plan status codes; ``"not_reported"`` selects activities without
            a status.
        leads: canonical organisation names leading an activity.
        partners: canonical organisation names partnering an activity.
        year: calendar year; None = all.
        org: one canonical organisation ("where is organisation X"); None = all.
        emergency: one emergency id (``maaor.emergencies``); None = all. It sets the
            countries: a table filtered by country keeps the emergency's countries (of
            those, the chosen ``countries`` when some are chosen); see
            :func:`country_scope`.
    """

    countries: tuple[str, ...] = ()
    pillars: tuple[str, ...] = ()
    org_types: tuple[str, ...] = ()
    presence_statuses: tuple[str, ...] = ()
    objectives: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    leads: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()
    year: int | None = None
    org: str | None = None
    emergency: str | None = None


def country_scope(f: Filters) -> tuple[str, ...] | None:
    """Return the countries a table filtered by country keeps under ``f``; None = all.

    Without an emergency: the chosen countries (None when none are chosen). With one:
    the emergency's countries, narrowed to the chosen countries when some are chosen
    (an empty tuple, keeping nothing, when none of them is in the emergency; an
    unknown emergency id keeps nothing either).
    """
    if not f.emergency:
        return f.countries or None
    of = countries_of(f.emergency)
    if f.countries:
        return tuple(c for c in f.countries if c in of)
    return of


def _country_rows(frame: pd.DataFrame, f: Filters, memo: bool = False) -> pd.Series | None:
    """Rows of ``frame`` in the countries of ``f`` (:func:`country_scope`); None = all."""
    scope = country_scope(f)
    if scope is None:
        return None
    if memo:
        return _isin_rows(frame, "country_iso3", scope)
    return _isin(frame["country_iso3"], scope)


def _all(frame: pd.DataFrame) -> pd.Series:
    return pd.Series(True, index=frame.index, dtype=bool)


def _isin(series: pd.Series, values: tuple[str, ...]) -> pd.Series:
    return series.isin(set(values)).fillna(False).astype(bool)


# --------------------------------------------------------------------------------------
# Work reused between reruns: per table, row positions per value, and recent results
# --------------------------------------------------------------------------------------
#
# A page asks for several figures of the same filtered table in one run (the headline,
# by country, by admin-1, by pillar, the map ...), and every viewer choosing the same
# country asks for the same rows. Tables are never changed in place (pandas copy-on-write:
# a caller changing a returned frame changes its own copy), so each table keeps, while it
# lives, the row positions of each value of the columns filtered on, and its few most
# recent filtered results (bounded: together at most as many rows as the table). Each
# caller gets its own shallow copy: changing it copies the data (copy-on-write).

MEMO_RESULTS = 8  # filtered results kept per table (also bounded by rows, see above)
MEMO_DERIVED = 32  # figures derived from a table kept per table (small: aggregates)


class _TableMemo:
    """What one table (a DataFrame, by identity) keeps between filter calls."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.positions: dict[str, dict[object, np.ndarray]] = {}
        self.results: OrderedDict[tuple, pd.DataFrame] = OrderedDict()
        self.derived: OrderedDict[tuple, object] = OrderedDict()
        self.computing: dict[tuple, threading.Lock] = {}


_MEMOS: dict[int, tuple[weakref.ref, _TableMemo]] = {}
_MEMOS_LOCK = threading.Lock()


def _memo(frame: pd.DataFrame) -> _TableMemo:
    """Return the memo of ``frame`` (made on first use, dropped when the frame dies)."""
    key = id(frame)
    entry = _MEMOS.get(key)
    if entry is not None and entry[0]() is frame:
        return entry[1]
    with _MEMOS_LOCK:
        entry = _MEMOS.get(key)
        if entry is not None and entry[0]() is frame:
            return entry[1]

        # The memos are bound now: at interpreter exit, frames die after this module's
        # globals are cleared.
        def forget(ref: weakref.ref, key: int = key, memos: dict = _MEMOS) -> None:
            current = memos.get(key)
            if current is not None and current[0] is ref:
                memos.pop(key, None)

        memo = _TableMemo()
        _MEMOS[key] = (weakref.ref(frame, forget), memo)
        return memo


def value_positions(frame: pd.DataFrame, column: str) -> dict[object, np.ndarray]:
    """Return, for each value of ``frame[column]``, the positions of its rows (computed
    once per table and column; missing values have no entry)."""
    memo = _memo(frame)
    found = memo.positions.get(column)
    if found is None:
        codes, uniques = pd.factorize(frame[column], use_na_sentinel=True)
        order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
        found = {uniques[i]: order[bounds[i]:bounds[i + 1]] for i in range(len(uniques))}
        memo.positions[column] = found
    return found


def _isin_rows(frame: pd.DataFrame, column: str, values: tuple[str, ...]) -> pd.Series:
    """``_isin(frame[column], values)`` from the table's precomputed row positions."""
    positions = value_positions(frame, column)
    mask = np.zeros(len(frame), dtype=bool)
    for value in set(values):
        rows = positions.get(value)
        if rows is not None:
            mask[rows] = True
    return pd.Series(mask, index=frame.index)


def kept(frame: pd.DataFrame, key: tuple, compute: Callable[[], object]) -> object:
    """Return ``compute()``, computed once per live table ``frame`` and ``key``.

    For small figures derived from a table (aggregates, flags): ``key`` must name
    everything the result depends on besides the table (the filters that change it,
    see :func:`relevant`; the date; other tables by ``id``). At most
    :data:`MEMO_DERIVED` results per table are kept; callers must not change them.
    """
    memo = _memo(frame)
    with memo.lock:
        if key in memo.derived:
            memo.derived.move_to_end(key)
            return memo.derived[key]
        computing = memo.computing.setdefault(key, threading.Lock())
    # Viewers asking for the same figure at once: one computes, the others wait for it.
    with computing:
        with memo.lock:
            if key in memo.derived:
                return memo.derived[key]
        try:
            value = compute()
        except BaseException:
            with memo.lock:
                memo.computing.pop(key, None)
            raise
        with memo.lock:  # kept before the key's lock is dropped: no second computation
            memo.derived[key] = value
            memo.derived.move_to_end(key)
            while len(memo.derived) > MEMO_DERIVED:
                memo.derived.popitem(last=False)
            memo.computing.pop(key, None)
    return value


def _reused(table: str):
    """Keep a ``filter_<table>`` function's recent results per table: the same table
    under the same filters of that table (:func:`relevant`) is filtered once."""
    return functools.partial(_reuse, table=table)


def _reuse(func: Callable[[pd.DataFrame, Filters], pd.DataFrame], table: str):
    @functools.wraps(func)
    def wrapper(frame: pd.DataFrame, f: Filters) -> pd.DataFrame:
        try:
            memo = _memo(frame)
        except TypeError:  # not weak-referenceable: nothing to keep
            return func(frame, f)
        key = (func.__name__, relevant(f, table))
        with memo.lock:
            found = memo.results.get(key)
            if found is not None:
                memo.results.move_to_end(key)
                # a new frame over the same data: a caller's change copies (copy-on-write)
                return found.copy(deep=False)
        result = func(frame, f)
        if result is frame:  # nothing filtered out and nothing copied: keep it so
            return result
        with memo.lock:
            memo.results[key] = result
            memo.results.move_to_end(key)
            budget = max(len(frame), 1)
            while len(memo.results) > 1 and (
                len(memo.results) > MEMO_RESULTS
                or sum(len(r) for r in memo.results.values()) > budget
            ):
                memo.results.popitem(last=False)
        return result.copy(deep=False)

    wrapper.uncached = func
    return wrapper


def _overlaps_year(start: pd.Series, end: pd.Series, year: int) -> pd.Series:
    """Rows whose [start, end] period touches ``year``; rows without dates are kept.

    An undated row cannot be placed in or out of a year, so it stays visible rather
    than silently disappearing.
    """
    first = pd.Timestamp(year, 1, 1)
    after = pd.Timestamp(year + 1, 1, 1)
    starts_in_time = start.isna() | (start < after)
    ends_in_time = end.isna() | (end >= first)
    return (starts_in_time & ends_in_time).fillna(True).astype(bool)


def _year_equals(year: pd.Series, wanted: int) -> pd.Series:
    return (year == wanted).fillna(False).astype(bool)


@_reused("workplan")
def filter_workplan(wp: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """Return the work-plan activities selected by ``f``.

    Uses objectives, statuses (``"not_reported"`` = no status), leads, partners,
    ``org`` (as lead or partner) and year (the activity's start..due period touches the
    year; activities without dates are kept).
    """
    keep = _all(wp)
    if f.objectives:
        keep &= _isin(wp["objective_id"], f.objectives)
    if f.statuses:
        chosen = _isin(wp["status"], f.statuses)
        if NOT_REPORTED in f.statuses:
            chosen |= wp["status"].isna()
        keep &= chosen
    if f.leads:
        keep &= list_contains_any(wp["leads"], f.leads)
    if f.partners:
        keep &= list_contains_any(wp["partners"], f.partners)
    if f.org:
        keep &= list_contains_any(wp["leads"], [f.org]) | list_contains_any(
            wp["partners"], [f.org]
        )
    if f.year is not None:
        keep &= _overlaps_year(wp["start"], wp["due"], f.year)
    return wp.loc[keep]


def presence_emergency_ids(presence: pd.DataFrame) -> pd.Series:
    """Return, per 4W row, the id of the emergency it belongs to (NaN when none is).

    The link of ``maaor.emergencies.link_table`` with the list in use: the row's own
    "Emergency" cell when it has one, else its country's only emergency active in the
    row's year (of its start, else of its end). Computed once per table and list
    (validation reports the rows it cannot link, ``maaor.validate.kinds``).
    """
    emergencies = active_emergencies()

    def compute() -> pd.Series:
        year = presence["start"].dt.year.fillna(presence["end"].dt.year)
        links = link_table(presence.assign(_year=year), year_column="_year",
                           emergencies=emergencies)
        return links["emergency_id"].astype("str")

    return kept(presence, ("emergency_ids", emergencies), compute)


def country_emergency_ids(frame: pd.DataFrame, year_column: str | None) -> pd.Series:
    """Return, per row of a funding or mechanisms table, the id of the emergency it
    belongs to: its own "Emergency" cell when it has one, else its country's only
    emergency active in the row's year (any year when it has none); NaN when the
    country has several or none (``maaor.emergencies.link_table``, the list in use)."""
    emergencies = active_emergencies()

    def compute() -> pd.Series:
        links = link_table(frame, year_column=year_column, emergencies=emergencies)
        return links["emergency_id"].astype("str")

    return kept(frame, ("emergency_ids", year_column, emergencies), compute)


def _in_emergency(ids: pd.Series, emergency: str) -> np.ndarray:
    """Rows linked to ``emergency``, or to none (those stay in each emergency of their
    country: nothing says which one they belong to)."""
    return (ids.isna() | (ids == emergency)).to_numpy(dtype=bool)


@_reused("presence")
def filter_presence(presence: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """Return the 4W presence rows selected by ``f``.

    Uses the emergency (the rows of its countries, less those linked to another
    emergency: :func:`presence_emergency_ids`; a row that could not be linked stays in
    every emergency of its country), countries, pillars, org_types, presence_statuses (a
    row without status counts as active), org (exact canonical name) and year
    (start..end touches the year; undated rows are kept).
    """
    keep = _all(presence)
    in_scope = _country_rows(presence, f, memo=True)
    if in_scope is not None:
        keep &= in_scope
    if f.emergency:
        keep &= _in_emergency(presence_emergency_ids(presence), f.emergency)
    if f.pillars:
        keep &= _isin_rows(presence, "pillar", f.pillars)
    if f.org_types:
        keep &= _isin_rows(presence, "org_type", f.org_types)
    if f.presence_statuses:
        chosen = _isin_rows(presence, "status", f.presence_statuses)
        if "active" in f.presence_statuses:
            chosen |= presence["status"].isna()
        keep &= chosen
    if f.org:
        keep &= (presence["org"] == f.org).fillna(False).astype(bool)
    if f.year is not None:
        keep &= _overlaps_year(presence["start"], presence["end"], f.year)
    return presence.loc[keep]


@_reused("funding")
def filter_funding(funding: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """Return AoR funding rows for the chosen emergency, countries, year and pillars.

    Under an emergency: the rows of its countries, less those whose country's only
    emergency active in the row's year is another one (:func:`country_emergency_ids`).

    Global rows (no country) and rows without a pillar or year drop out as soon as the
    corresponding filter is set: they do not belong to the chosen value.
    """
    keep = _all(funding)
    in_scope = _country_rows(funding, f)
    if in_scope is not None:
        keep &= in_scope
    if f.emergency:
        keep &= _in_emergency(country_emergency_ids(funding, "year"), f.emergency)
    if f.year is not None:
        keep &= _year_equals(funding["year"], f.year)
    if f.pillars:
        keep &= _isin(funding["pillar"], f.pillars)
    return funding.loc[keep]


@_reused("fts")
def filter_fts(fts: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """Return OCHA FTS rows for the chosen countries and year."""
    keep = _all(fts)
    in_scope = _country_rows(fts, f)
    if in_scope is not None:
        keep &= in_scope
    if f.year is not None:
        keep &= _year_equals(fts["year"], f.year)
    return fts.loc[keep]


@_reused("indicators")
def filter_indicators(ind: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """Return indicator rows for the chosen countries and year.

    Global indicators (no country) drop out when countries are chosen. An indicator
    row without ``year`` is placed in the year of its ``as_of`` date.
    """
    keep = _all(ind)
    in_scope = _country_rows(ind, f)
    if in_scope is not None:
        keep &= in_scope
    if f.year is not None:
        year = ind["year"].astype("Int64").fillna(ind["as_of"].dt.year.astype("Int64"))
        keep &= _year_equals(year, f.year)
    return ind.loc[keep]



def filter_mechanisms(mechanisms: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """Return the coordination mechanisms of the chosen countries (all when none chosen);
    under an emergency, those of its countries whose country's only emergency is not
    another one (:func:`country_emergency_ids`)."""
    in_scope = _country_rows(mechanisms, f)
    if in_scope is None:
        return mechanisms
    if f.emergency:
        in_scope &= _in_emergency(country_emergency_ids(mechanisms, None), f.emergency)
    return mechanisms.loc[in_scope]

# --------------------------------------------------------------------------------------
# URL <-> Filters (pure: the Streamlit binding is maaor.ui.filters)
# --------------------------------------------------------------------------------------

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
SINGLE_PARAMS: dict[str, str] = {"year": "year", "org": "org", "emergency": "emergency"}
# Sidebar and URL order: the emergency first (it sets the countries).
FILTER_PARAMS: tuple[str, ...] = ("emergency", *MULTI_PARAMS, "year", "org")
LANG_PARAM, VERSION_PARAM = "lang", "v"

# Which filters change each canonical table (see maaor.filters): a page shows the
# widgets of the tables it draws, and no widget that would change nothing.
TABLE_PARAMS: dict[str, tuple[str, ...]] = {
    "workplan": ("objective", "status", "lead", "partner", "org", "year"),
    "presence": ("emergency", "country", "pillar", "org_type", "presence_status", "org",
                 "year"),
    "funding": ("emergency", "country", "pillar", "year"),
    "fts": ("emergency", "country", "year"),
    "indicators": ("emergency", "country", "year"),
    "mechanisms": ("emergency", "country"),
}

def relevant(f: Filters, table: str) -> tuple:
    """Return the values of the filters that change ``table`` (:data:`TABLE_PARAMS`):
    two Filters with the same ``relevant`` select the same rows of that table."""
    fields = {**MULTI_PARAMS, **SINGLE_PARAMS}
    return tuple(getattr(f, fields[param]) for param in TABLE_PARAMS[table])


def countries_only(f: Filters, table: str) -> bool:
    """True if, of the filters that change ``table``, only countries are chosen (then a
    figure grouped by country first is the chosen countries' rows of the figure of every
    country). An emergency is not "only countries": it is its own cache key."""
    return bool(f.countries) and relevant(replace(f, countries=()), table) == relevant(
        Filters(), table)


def objectives_only(f: Filters) -> bool:
    """True if, of the filters that change the work plan, only objectives are chosen
    (then a work-plan figure grouped by objective first is the chosen objectives' rows
    of the figure of every objective)."""
    return bool(f.objectives) and relevant(replace(f, objectives=()), "workplan") == relevant(
        Filters(), "workplan")


def chosen_rows(figure: pd.DataFrame, column: str,
                values: tuple[str, ...]) -> pd.DataFrame | None:
    """Return the rows of ``figure`` whose ``column`` is one of ``values``, in table
    order, renumbered; None when there are none (the figure's own empty table then comes
    from computing it).

    The row positions of each value are found once per figure table
    (:func:`value_positions`): the figures of every country or objective are kept, and
    every new choice reads its rows from them.
    """
    positions = value_positions(figure, column)
    found = [positions[v] for v in set(values) if v in positions]
    if not found:
        return None
    rows = found[0] if len(found) == 1 else np.sort(np.concatenate(found))
    return figure.take(rows).reset_index(drop=True)


def country_rows(figure: pd.DataFrame, countries: tuple[str, ...]) -> pd.DataFrame | None:
    """Return the rows of ``countries`` in ``figure`` (a figure table grouped by
    ``country_iso3`` first), renumbered; None when there are none (the figure's own
    empty table then comes from computing it)."""
    return chosen_rows(figure, "country_iso3", countries)


MAX_VALUES = 60  # values per filter taken from a URL
MAX_TEXT = 200  # characters of one organisation name / objective id from a URL
YEAR_RANGE = (1990, 2100)
_ISO3 = re.compile(r"^[A-Z]{3}$")
_EMERGENCY_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

# Vocabulary behind each coded filter (codes outside it are dropped from a URL).
_VOCAB_PARAMS = {
    "pillar": "pillar",
    "org_type": "org_type",
    "presence_status": "presence_status",
    "status": "wp_status",
}


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
    emergencies = [e.lower() for e in _values(params, "emergency")]
    changes["emergency"] = (emergencies[0] if emergencies and _EMERGENCY_ID.match(emergencies[0])
                            else None)
    return Filters(**changes)


def params_from_filters(f: Filters) -> dict[str, list[str]]:
    """Return the query parameters of ``f`` (only the filters that are set)."""
    out: dict[str, list[str]] = {}
    if f.emergency:
        out["emergency"] = [f.emergency]
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
        emergency: ids of the emergencies (``maaor.emergencies``) with at least one
            country in the data, in list order.
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
    emergency: tuple[str, ...] = ()

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
    country = tuple(sorted(c for c in countries if _ISO3.match(c)))
    return FilterOptions(
        country=country,
        emergency=tuple(e.id for e in active_emergencies() if set(e.countries) & set(country)),
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
    changes["emergency"] = f.emergency if f.emergency in options.emergency else None
    for name, field in MULTI_PARAMS.items():
        chosen = getattr(f, field)
        # Only a filter with values is checked: the sets of every option (hundreds of
        # organisations) were built on every run for filters left empty.
        allowed = set(choices(name, options, changes["emergency"])) if chosen else ()
        changes[field] = tuple(v for v in chosen if v in allowed)
    changes["year"] = f.year if f.year in options.year else None
    changes["org"] = f.org if f.org in options.org else None
    return replace(f, **changes)


def choices(name: str, options: FilterOptions, emergency: str | None) -> tuple:
    """Return what filter ``name``'s widget offers once ``emergency`` is chosen: the
    countries widget offers the emergency's countries only (choosing an emergency sets
    the countries), every other widget its usual options."""
    values = options.values(name)
    if name == "country" and emergency:
        of = set(countries_of(emergency))
        return tuple(c for c in values if c in of)
    return values


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
    if name == "emergency":
        found = emergency_by_id(str(value))
        return found.name(lang) if found else str(value)
    if name == "status" and value == NOT_REPORTED:
        return t("status.not_reported", lang)
    if name in _VOCAB_PARAMS:
        return vocab.label(_VOCAB_PARAMS[name], str(value), lang)
    if name == "objective":
        title = (objective_titles or {}).get(str(value), "")
        return f"{value} – {title}" if title else str(value)
    return str(value)


def latest_indicator_year(ds: Dataset, f: Filters) -> int | None:
    """Return the latest year with an indicator value under ``f`` (its year ignored).

    An indicator row without ``year`` counts in the year of its ``as_of`` date, as
    ``maaor.filters.filter_indicators`` places it. None when no row has a year.
    """
    rows = filter_indicators(ds.indicators, replace(f, year=None))
    years = rows["year"].astype("Int64").fillna(rows["as_of"].dt.year.astype("Int64")).dropna()
    return int(years.max()) if len(years) else None

"""Cached access to the data, keyed by dataset version (the UI edge of the caches).

* :func:`dataset` holds one public Dataset per version for the whole process
  (``st.cache_resource``: shared, never copied — pages only read it): what
  ``maaor.views.public_dataset`` lets the public see (no people's names or contacts,
  presence coarsened to ``MAAOR_PUBLIC_PRESENCE_LEVEL``).
* :func:`view` computes one named figure of ``maaor.views.VIEWS`` for (version, filters,
  today, arguments) once per process (``st.cache_resource``, each caller given its own
  copy-on-write copy): a widget change recomputes only the figures whose key changed,
  and viewers asking for the same figure share one computation.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import functools
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from maaor import config, maps, service, views
from maaor.dataset import Dataset
from maaor.emergencies import Emergency, emergencies_of
from maaor.filters import FilterOptions, Filters, country_scope, filter_options
from maaor.ui.shared_cache import SharedCache, default_directory

PRESENCE_LEVELS = views.PRESENCE_LEVELS
DEFAULT_PRESENCE_LEVEL = views.DEFAULT_PRESENCE_LEVEL
#: How the caches hash a Filters key: its repr names every field and value (a frozen
#: dataclass of tuples, numbers and text), at a third of the cost of Streamlit's generic
#: hashing, paid by every cached figure of every run.
FILTERS_HASH = {Filters: repr}


def by_name(cached: Callable) -> Callable:
    """Return Streamlit-cached function ``cached`` called with every argument by name.

    On every call Streamlit names each positional argument through
    ``inspect.signature`` before hashing it with its name, which cost more than the
    hashing itself (a page makes some twenty cached calls per run); an argument given by
    name is hashed under the same name without that look-up, so the cache keys are the
    ones positional calls make. ``clear`` empties the cache as before.
    """
    code = cached.__wrapped__.__code__
    names = code.co_varnames[:code.co_argcount]

    @functools.wraps(cached.__wrapped__)
    def call(*args: Any, **kwargs: Any) -> Any:
        if len(args) > len(names):
            raise TypeError(f"{code.co_name}() takes {len(names)} positional arguments "
                            f"but {len(args)} were given")
        return cached(**dict(zip(names, args, strict=False)), **kwargs)

    call.clear = cached.clear
    return call


def public_presence_level() -> str:
    """Return how finely the public view shows presence (``MAAOR_PUBLIC_PRESENCE_LEVEL``;
    see ``maaor.config.public_presence_level``)."""
    return views.public_presence_level()


def basemap_style() -> str | None:
    """Return the online basemap style URL (``MAAOR_BASEMAP_STYLE``), None for none."""
    return config.settings().basemap_style


@st.cache_data(ttl=5, show_spinner=False)
def current_version() -> int:
    """Return the current published version (re-read every few seconds)."""
    return service.current_version()


@by_name
@st.cache_data(ttl=5, show_spinner=False)
def withdrawn_at(version: int) -> dt.datetime | None:
    """Return when ``version`` was withdrawn, None while served (re-read every few
    seconds, like the current version: a withdrawal reaches every process quickly even
    when the version's Dataset is still cached)."""
    return service.withdrawn_at(version)


@by_name
@st.cache_resource(max_entries=4, show_spinner=False)
def dataset(version: int) -> Dataset:
    """Return the public Dataset of ``version`` (``maaor.views.public_dataset``)."""
    return views.public_dataset(service.load_dataset(version), public_presence_level())


@by_name
@st.cache_resource(max_entries=4, show_spinner=False)
def emergencies(version: int) -> tuple[Emergency, ...]:
    """Return the list of emergencies ``version`` carries (the bundled one when none)."""
    return emergencies_of(dataset(version))


@by_name
@st.cache_data(max_entries=8, show_spinner=False)
def options(version: int) -> FilterOptions:
    """Return the filter widget options of ``version``."""
    return filter_options(dataset(version))


def view(version: int, name: str, f: Filters, today: dt.date, *args: Any) -> Any:
    """Return figure ``name`` of ``version`` under filters ``f`` (cached per key).

    The figure is computed once per key for the whole process and handed to each caller
    as a shallow copy: with pandas' copy-on-write a caller that changes its frame
    changes its own copy, never the cached one, and no run pays to unpickle a cached
    copy (what ``st.cache_data`` does on every hit, for every viewer).

    Args:
        version: dataset version.
        name: a key of ``maaor.views.VIEWS``.
        f: the filters (hashable).
        today: reference date (part of the key, so a cache never outlives its day).
        *args: the figure's extra arguments (hashable: a country code, a tuple ...).
    """
    return own_copy(_view(version, name, f, today, args))


@by_name
@st.cache_resource(max_entries=512, show_spinner=False, hash_funcs=FILTERS_HASH)
def _view(version: int, name: str, f: Filters, today: dt.date, args: tuple) -> Any:
    if not args and f == views.NO_FILTERS and name in views.STORED_VIEWS:
        # The unfiltered figure is stored with the version (computed once per version).
        return service.aggregate(version, name, public_presence_level())
    return shared(version, ("view", name, repr(f), today, *args),
                  lambda: views.compute(name, dataset(version), f, today, *args))


@st.cache_resource(show_spinner=False)
def shared_figures() -> SharedCache | None:
    """Return the figure cache this machine's dashboard processes share
    (``MAAOR_FIGURE_CACHE_DIR``), None when it is "off"."""
    conf = config.settings()
    if conf.figure_cache_dir.lower() == "off":
        return None
    return SharedCache(Path(conf.figure_cache_dir or default_directory(conf.database_url)))


def shared(version: int, parts: tuple, compute: Callable[[], Any]) -> Any:
    """Return figure ``parts`` of ``version`` from the processes' shared cache, computed
    by ``compute`` (once for all of them) when no process has it yet."""
    cache = shared_figures()
    if cache is None:
        return compute()
    return cache.get_or_compute(figure_key(version, *parts), compute)


def figure_key(version: int, *parts: Any) -> tuple:
    """Return the shared-cache key of a figure of ``version``: the store, the version and
    when it was published (a reset store numbers its versions again), how finely the
    public sees presence, then ``parts``."""
    return (config.settings().database_url, version, str(dataset(version).meta.created_at),
            public_presence_level(), *parts)


def own_copy(value: Any) -> Any:
    """Return ``value`` as the caller's own: frames and series as copy-on-write shallow
    copies (free until written), lists, tuples and dicts rebuilt around copies of their
    items; anything else (numbers, text, frozen records) as it is.
    """
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return value.copy(deep=False)
    if isinstance(value, tuple):
        items = [own_copy(v) for v in value]
        return type(value)._make(items) if hasattr(value, "_fields") else tuple(items)
    if isinstance(value, list):
        return [own_copy(v) for v in value]
    if isinstance(value, dict):
        return {k: own_copy(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        mine = copy.copy(value)
        for field in dataclasses.fields(value):
            # Frozen records too: their frames are shared like any other.
            object.__setattr__(mine, field.name, own_copy(getattr(value, field.name)))
        return mine
    return value


#: Empties the figure cache (every version, every key).
clear_views = _view.clear


def _warm(version: int, ds: Dataset) -> None:
    """``maaor.views.warm`` of one version's dataset; a failure is logged, never raised
    (the figures are then computed when first asked for, as without it)."""
    try:
        views.warm(ds, dt.date.today())
    except Exception:  # noqa: BLE001 - a background helper must not take the page down
        logging.getLogger("maaor.ui").exception("warming the figures of version %s", version)


@by_name
@st.cache_resource(max_entries=4, show_spinner=False)
def warm_up(version: int) -> threading.Thread:
    """Start, once per version and process, a background thread that computes what
    every country or objective filter reads its rows from (``maaor.views.warm``).

    Pages call it once they are drawn, so the first render does not wait for it and a
    viewer's first filter change costs what any later one does.
    """
    thread = threading.Thread(target=_warm, args=(version, dataset(version)),
                              name=f"maaor-warm-v{version}", daemon=True)
    thread.start()
    return thread


class SerialisedDeck:
    """A pydeck map serialised once: what ``st.pydeck_chart`` reads of a ``pdk.Deck``.

    Serialising the map's GeoJSON was about half of a warm page run; a cached
    SerialisedDeck hands Streamlit the same JSON text on every run.
    """

    layers = None
    width = None
    deck_widget = None

    def __init__(self, deck) -> None:
        widget = getattr(deck, "deck_widget", None)
        tooltip = getattr(widget, "tooltip", None)
        self._tooltip = tooltip if isinstance(tooltip, dict) else getattr(deck, "_tooltip", None)
        self.mapbox_key = getattr(deck, "mapbox_key", None)
        self._json = deck.to_json()

    def to_json(self) -> str:
        """Return the deck's JSON spec."""
        return self._json


@by_name
@st.cache_resource(max_entries=64, show_spinner=False)
def presence_map(version: int, f: Filters, today: dt.date, lang: str,
                 style: str | None, height: int = 520,
                 min_width: int = maps.MIN_MAP_WIDTH) -> SerialisedDeck:
    """Return the presence map of ``version`` under ``f`` in ``lang``, serialised once per key
    (unfiltered, it is drawn from the aggregates stored with the version).

    The first view frames the chosen emergency's or countries' extent
    (:func:`maaor.filters.country_scope`, every one of them, with presence or not), else
    every country with presence, in a map ``height`` pixels high and at least
    ``min_width`` wide.
    """
    def build() -> SerialisedDeck:
        by_country = view(version, "presence.by_country", f, today)
        by_admin1 = view(version, "presence.by_admin1", f, today)
        return SerialisedDeck(maps.presence_deck(by_country, by_admin1, lang, style,
                                                 extent_iso3=country_scope(f) or None,
                                                 height=height, min_width=min_width))

    return shared(version, ("presence_map", repr(f), today, lang, style, height, min_width), build)

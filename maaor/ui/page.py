"""One call every page makes first: :func:`setup`.

It sets the page config and language, resolves the data version (current, or pinned by
``?v=N``), draws the sidebar (language, translated navigation, the page's filters bound
to the URL), then the title, the data version and date, and the illustrative notice.
A page opened directly by its URL works the same way: everything it needs comes from
the URL, else from the session, else from the defaults.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st

from maaor import config, filters, logs, views
from maaor.dataset import DatasetMeta
from maaor.emergencies import use_emergencies
from maaor.filters import FilterOptions, Filters, country_scope
from maaor.i18n import DEFAULT_LANGUAGE, LANGUAGES, fmt_date, t
from maaor.service import StoreError, VersionWithdrawn
from maaor.ui import data, registry, serverguard
from maaor.ui import filters as ui_filters
from maaor.views import Columns

_log = logging.getLogger("maaor.ui.page")
LANGUAGE_NAMES = {"en": "English", "fr": "Français"}
# The HXL switch's widget key, and the session key that carries the choice across pages
# (Streamlit forgets a widget's state when the page changes).
HXL_TOGGLE_KEY = "ui_hxl"
HXL_PREFERENCE = "maaor_hxl"
SOURCE_KEYS = {
    "workplan": "source.workplan",
    "presence": "source.presence",
    "funding": "source.funding",
    "fts": "fts.source",
    "indicators": "source.indicators",
    "mechanisms": "source.mechanisms",
}


@dataclass(frozen=True)
class Page:
    """What a page needs after setup.

    Attributes:
        lang: interface language.
        version: dataset version shown.
        pinned: True when the version was pinned with ``?v=N``.
        meta: metadata of that version.
        filters: the filters to apply (as the sidebar shows them).
        options: the filter options of the version.
        today: the reference date of flags and progress.
    """

    lang: str
    version: int
    pinned: bool
    meta: DatasetMeta
    filters: Filters
    options: FilterOptions
    today: dt.date

    def t(self, key: str, **kw: Any) -> str:
        """Translate ``key`` into the page language."""
        return t(key, self.lang, **kw)

    def view(self, name: str, *args: Any) -> Any:
        """Return figure ``name`` (see ``maaor.views.VIEWS``) under the page filters."""
        return self.view_with(name, self.filters, *args)

    def columns(self, name: str, *args: Any) -> Columns:
        """Return how the table of figure ``name`` is shown (``maaor.views.columns``)."""
        return views.columns(name, *args)

    def view_with(self, name: str, f: Filters, *args: Any) -> Any:
        """Return figure ``name`` under other filters (e.g. without the organisation).

        A store outage while reading a stored figure ends the run with the plain store
        message (a pinned page may hold its dataset in the cache and still need the
        store for its stored headline figures).
        """
        try:
            return data.view(self.version, name, f, self.today, *args)
        except StoreError:
            import logging

            logging.getLogger("maaor.ui").exception("data store unavailable (figure %s)", name)
            st.error(t("page.store_unavailable", self.lang))
            st.stop()

    def presence_map(self, height: int = 520, min_width: int | None = None):
        """Return the presence map under the page filters (serialised once per key), its
        first view fitted to a map ``height`` pixels high and at least ``min_width``
        wide (default: a full-width map's narrowest, ``maaor.maps.MIN_MAP_WIDTH``)."""
        from maaor import maps

        return data.presence_map(self.version, self.filters, self.today, self.lang,
                                 data.basemap_style(), height, min_width or maps.MIN_MAP_WIDTH)

    def map_legend(self) -> str:
        """Return the presence map's legend in words, with what colour means on admin-1
        areas when the map shades some (``maaor.admin1_shading``), and the data note."""
        from maaor import admin1_shading, maps

        legend = self.t("presence.map.legend")
        if maps.shades_areas(country_scope(self.filters)) and \
                admin1_shading.shaded_countries(self.view("presence.by_admin1")):
            legend += " " + self.t("presence.map.legend_admin1")
        return legend + " " + self.note("presence")

    def version_text(self) -> str:
        """Return "data version N of <date>" in the page language."""
        when = fmt_date(self.meta.created_at, self.lang) if self.meta.created_at else None
        if when:
            return self.t("page.version_of", version=self.version, date=when)
        return self.t("page.version", version=self.version)

    def note(self, *tables: str) -> str:
        """Return the source and version label written under a figure."""
        sources = ", ".join(self.t(SOURCE_KEYS[name]) for name in tables)
        return self.t("page.note", sources=sources, version=self.version_text())

    def about(self, *tables: str) -> dict[str, str]:
        """Return the "about" lines of a download: source, version, filters, date."""
        return {
            self.t("about.source"): ", ".join(self.t(SOURCE_KEYS[n]) for n in tables),
            self.t("about.version"): self.version_text(),
            self.t("about.filters"): filters.describe(
                self.filters, self.lang, dict(self.options.objective)
            ),
            self.t("about.as_of"): fmt_date(self.today, self.lang),
            self.t("about.illustrative"): self.t("about.yes") if self.meta.illustrative
            else self.t("about.no"),
        }

    def link(self, page: str, **params: str) -> str:
        """Return a relative link to another page with parameters (language kept)."""
        return page_link(self.lang, page, **params)


def page_link(lang: str, page: str, **params: str) -> str:
    """Return a relative link to ``page`` (a key of ``maaor.ui.registry.PAGES``) with
    parameters, keeping the language ``lang``."""
    query = {k: [v] for k, v in params.items()}
    if lang != DEFAULT_LANGUAGE:
        query[filters.LANG_PARAM] = [lang]
    qs = filters.query_string(query)
    return registry.page(page).url + (f"?{qs}" if qs else "")


def _on_language_change() -> None:
    lang = st.session_state.get("ui_lang", DEFAULT_LANGUAGE)
    ui_filters.remember(
        st.session_state.get(ui_filters.SESSION_FILTERS, Filters()),
        lang,
        st.session_state.get(ui_filters.SESSION_VERSION),
    )


def _language_switch(lang: str) -> None:
    st.session_state["ui_lang"] = lang
    st.sidebar.segmented_control(
        t("nav.language", lang),
        options=list(LANGUAGES),
        format_func=LANGUAGE_NAMES.get,
        key="ui_lang",
        on_change=_on_language_change,
        required=True,
    )


def _remember_hxl() -> None:
    st.session_state[HXL_PREFERENCE] = bool(st.session_state.get(HXL_TOGGLE_KEY))


def _hxl_switch(lang: str) -> None:
    st.session_state[HXL_TOGGLE_KEY] = bool(st.session_state.get(HXL_PREFERENCE, False))
    st.sidebar.toggle(t("download.hxl", lang), key=HXL_TOGGLE_KEY,
                      help=t("download.hxl.help", lang), on_change=_remember_hxl)


def full_tables(tables: Sequence[str]) -> list[str]:
    """Return the whole tables a page with ``tables`` offers for other tools: its own,
    and the flags where the work plan and presence both are."""
    from maaor.export.machine import EXPORT_TABLES

    out = [name for name in EXPORT_TABLES if name in tables]
    if "workplan" in tables and "presence" in tables:
        out.append("flags")
    return out


_FULL_LABELS = {"hxl": "download.full.hxl", "json": "download.full.json"}


def _full_table_label(name: str, lang: str) -> str:
    """The catalogue name of whole table ``name`` (its source's, or "Flags")."""
    return t(SOURCE_KEYS[name], lang) if name in SOURCE_KEYS else t("download.full.flags", lang)


def _full_table_downloads(version: int, tables: Sequence[str], today: dt.date,
                          lang: str) -> None:
    """Sidebar downloads of the page's whole tables as HXL CSV and JSON (the public
    dataset of the version, as every page shows it; built only when clicked).

    One table is offered at a time (chosen in a select box when the page has several):
    every download button registers a file with Streamlit's media manager on every
    run, and its per-run clean-up walks every session's files under one lock, so a room
    of viewers pays for each button twice over.
    """
    from maaor.export.machine import EXTENSIONS, MEDIA_TYPES, full_table, table_bytes

    names = full_tables(tables)
    if not names:
        return
    box = st.sidebar.expander(t("download.full", lang), icon=":material/dataset:")
    box.caption(t("download.full.help", lang))
    name = names[0]
    if len(names) > 1:
        name = box.selectbox(t("download.full.table", lang), names, key="dl_full_table",
                             format_func=lambda n: _full_table_label(n, lang))
        if name not in names:  # a choice kept from a page with other tables
            name = names[0]
    for fmt in ("hxl", "json"):
        box.download_button(
            # Button labels render Markdown: catalogue text only.
            t(_FULL_LABELS[fmt], lang,
              table=_full_table_label(name, lang)),
            data=lambda name=name, fmt=fmt: table_bytes(
                full_table(data.dataset(version), name, today), name, fmt),
            file_name=f"maaor_v{version}_{name}.{EXTENSIONS[fmt]}",
            mime=MEDIA_TYPES[fmt], key=f"dl_full_{fmt}", on_click="ignore",
            icon=":material/download:", width="stretch",
        )


def hxl_wanted() -> bool:
    """Return True when CSV downloads should carry an HXL tag row (sidebar switch)."""
    return bool(st.session_state.get(HXL_PREFERENCE, False))


def _navigation(lang: str) -> None:
    # A viewer-mode process (public, scaled out) does not offer the coordinator page.
    viewer = config.settings().mode == "viewer"
    for spec in registry.PAGES:
        if viewer and spec.coordinator_only:
            continue
        st.sidebar.page_link(spec.path, label=t(spec.title_key, lang), icon=spec.icon)


#: The version this browser session is looking at (not pinned by the link): a version
#: published while the page is open does not replace it until the visitor says so.
SESSION_SEEN = "maaor_seen_version"


def _switch_to(version: int) -> None:
    st.session_state[SESSION_SEEN] = version


def _held_version(current: int) -> int:
    """Return the version the session holds: the one it first saw, while it is still
    served; else the current one (remembered for the next runs)."""
    held = st.session_state.get(SESSION_SEEN)
    if isinstance(held, int) and held != current:
        try:
            if data.withdrawn_at(held) is None:
                data.dataset(held)
                return held
        except (LookupError, VersionWithdrawn):
            pass  # gone or withdrawn: the current version it is
    st.session_state[SESSION_SEEN] = current
    return current


def newer_version_notice(held: int, current: int, lang: str) -> None:
    """Say that a newer version was published while the page was open, and offer it."""
    st.info(t("page.newer_version", lang, version=current, shown=held),
            icon=":material/update:")
    st.button(t("page.newer_version.switch", lang, version=current), on_click=_switch_to,
              args=(current,), key="ui_newer_version")


def _unpin() -> None:
    st.session_state.pop(ui_filters.SESSION_VERSION, None)
    if filters.VERSION_PARAM in st.query_params:
        del st.query_params[filters.VERSION_PARAM]


def _resolve_version(pinned: int | None, lang: str) -> tuple[int, bool]:
    """Return (version to show, whether it is pinned); a missing pin falls back, a
    withdrawn one says so instead of showing any data."""
    if pinned is not None:
        try:
            withdrawn = data.withdrawn_at(pinned)
            if withdrawn is None:
                data.dataset(pinned)
                return pinned, True
        except VersionWithdrawn as exc:
            withdrawn = exc.withdrawn_at
        except LookupError:
            st.warning(t("page.version_missing", lang, version=pinned))
            return _held_version(data.current_version()), False
        _withdrawn_notice(pinned, withdrawn, lang)
    return _held_version(data.current_version()), False


def _withdrawn_notice(version: int, withdrawn: dt.datetime | None, lang: str) -> None:
    """Say that the pinned ``version`` was withdrawn (the date only: the reason is for
    coordinators), offer the current data, and draw nothing else."""
    st.warning(t("page.version_withdrawn", lang, version=version,
                 date=fmt_date(withdrawn, lang)),
               icon=":material/block:")
    st.button(t("page.unpin", lang), on_click=_unpin, key="ui_unpin",
              icon=":material/update:")
    st.stop()


def _current_or_none(lang: str) -> int | None:
    """Return the current version, or None (with the plain store message) in an outage.

    A pinned page already holds its data (cached per version); only the offer to move to
    the current data needs the store, so an outage must not turn it into an app error.
    """
    try:
        return data.current_version()
    except Exception:  # the store is down: say so plainly, log the rest
        import logging

        logging.getLogger("maaor.ui").exception("data store unavailable (current version)")
        st.warning(t("page.store_unavailable", lang))
        return None


ACCESSIBLE_STYLE = """<style>
[data-testid="stCaptionContainer"] { opacity: 1; color: #595959; }
[data-testid="stCaptionContainer"] p { color: #595959; }
a:focus-visible, button:focus-visible, [tabindex]:focus-visible, summary:focus-visible,
input:focus-visible { outline: 3px solid #08306b !important; outline-offset: 2px; }
</style>"""


def setup(key: str) -> Page:
    """Set up page ``key`` of ``maaor.ui.registry.PAGES`` and return what it needs.

    The registry says its title, the tables it draws (they decide which filters the
    sidebar shows, ``maaor.filters.TABLE_PARAMS``) and whether it presents: in plenary
    mode the sidebar starts collapsed (still there, filters in it) and the page draws
    its own title, version and notice per slide.
    """
    logs.setup_logging()
    spec = registry.page(key)
    title_key, presenting = spec.title_key, spec.presenting
    # Once per process: Streamlit's upload endpoint accepts coordinator sessions only.
    serverguard.install()
    f, lang, pinned = ui_filters.state_on_load()
    st.set_page_config(
        page_title=f"{t(title_key, lang)} · {t('app.short_name', lang)}",
        layout="wide",
        # "auto": open on a wide screen, collapsed on a narrow one (Streamlit's mobile
        # breakpoint), so a phone opens on the content, not on the filters.
        initial_sidebar_state="collapsed" if presenting else "auto",
    )
    # WCAG 2.1 AA (axe-core, tests/e2e/test_accessibility_e2e.py): Streamlit's faded
    # caption grey (#828180, 3.9:1 on white) darkened to 7:1; the keyboard focus drawn.
    st.html(ACCESSIBLE_STYLE)
    try:
        with logs.timed(_log, "slow_page", f"setting up {title_key}", page=title_key,
                        slower_than=config.settings().slow_page_s):
            version, is_pinned = _resolve_version(pinned, lang)
            ds = data.dataset(version)
            # The version's own list of emergencies for this run: filters, figures,
            # maps and slides read it (``maaor.emergencies.active_emergencies``).
            use_emergencies(data.emergencies(version))
            options = data.options(version)
    except Exception:  # the store is down: say so plainly, log the rest
        import logging

        logging.getLogger("maaor.ui").exception("data store unavailable")
        st.error(t("page.store_unavailable", lang))
        st.stop()
    _language_switch(lang)
    _navigation(lang)
    f = ui_filters.sidebar(
        spec.filter_params, f, options, lang, version if is_pinned else None
    )
    if spec.tables:
        _hxl_switch(lang)
        _full_table_downloads(version, spec.tables, dt.date.today(), lang)
    page = Page(
        lang=lang,
        version=version,
        pinned=is_pinned,
        meta=ds.meta,
        filters=f,
        options=options,
        today=dt.date.today(),
    )
    if presenting:
        current = None if is_pinned else _current_or_none(lang)
        if current is not None and version != current:
            newer_version_notice(version, current, lang)
        return page
    st.title(t(title_key, lang))
    pin = f" · {t('page.pinned', lang)}" if is_pinned else ""
    st.caption(page.version_text() + pin)
    current = _current_or_none(lang)
    if current is not None and version != current:
        if is_pinned:
            st.button(t("page.unpin", lang), on_click=_unpin, key="ui_unpin",
                      icon=":material/update:")
        else:
            newer_version_notice(version, current, lang)
    if ds.meta.illustrative:
        st.warning(t("page.illustrative", lang), icon=":material/info:")
    return page

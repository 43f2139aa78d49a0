"""One call every page makes first: :func:`setup`.

It sets the page config and language, resolves the data version (current, or pinned by
``?v=N``), draws the sidebar (language, translated navigation, the page's filters bound
to the URL), then the title, the data version and date, and the illustrative notice.
A page opened directly by its URL works the same way: everything it needs comes from
the URL, else from the session, else from the defaults.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st

from maaor.config import app_mode
from maaor.dataset import DatasetMeta
from maaor.filters import Filters
from maaor.i18n import DEFAULT_LANGUAGE, LANGUAGES, fmt_date, t
from maaor.store.errors import StoreError
from maaor.ui import data, serverguard
from maaor.ui import filters as ui_filters
from maaor.ui.filters import FilterOptions

# (script path relative to app.py, title key, material icon) in navigation order.
PAGES: tuple[tuple[str, str, str], ...] = (
    ("app.py", "page.overview.title", ":material/dashboard:"),
    ("pages/1_Work_plan.py", "page.workplan.title", ":material/checklist:"),
    ("pages/2_Presence.py", "page.presence.title", ":material/map:"),
    ("pages/3_Gaps.py", "page.gaps.title", ":material/report:"),
    ("pages/4_Funding.py", "page.funding.title", ":material/payments:"),
    ("pages/5_Results.py", "page.results.title", ":material/target:"),
    ("pages/6_Coordinator.py", "coord.title", ":material/admin_panel_settings:"),
    ("pages/7_Present.py", "present.title", ":material/co_present:"),
)
COORDINATOR_PAGE = "pages/6_Coordinator.py"
# URL path of each page (Streamlit's pages-directory naming), for links inside tables.
PAGE_URLS: dict[str, str] = {
    "overview": "./",
    "workplan": "Work_plan",
    "presence": "Presence",
    "gaps": "Gaps",
    "funding": "Funding",
    "results": "Results",
    "coordinator": "Coordinator",
    "present": "Present",
}
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
        """Return figure ``name`` (see ``maaor.ui.data.VIEWS``) under the page filters."""
        return self.view_with(name, self.filters, *args)

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

    def presence_map(self):
        """Return the presence map under the page filters (serialised once per key)."""
        return data.presence_map(self.version, self.filters, self.today, self.lang,
                                 data.basemap_style())

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
            self.t("about.filters"): ui_filters.describe(
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
    """Return a relative link to ``page`` (a key of :data:`PAGE_URLS`) with parameters,
    keeping the language ``lang``."""
    query = {k: [v] for k, v in params.items()}
    if lang != DEFAULT_LANGUAGE:
        query[ui_filters.LANG_PARAM] = [lang]
    qs = ui_filters.query_string(query)
    return PAGE_URLS[page] + (f"?{qs}" if qs else "")


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


def hxl_wanted() -> bool:
    """Return True when CSV downloads should carry an HXL tag row (sidebar switch)."""
    return bool(st.session_state.get(HXL_PREFERENCE, False))


def _navigation(lang: str) -> None:
    # A viewer-mode process (public, scaled out) does not offer the coordinator page.
    viewer = app_mode() == "viewer"
    for path, title_key, icon in PAGES:
        if viewer and path == COORDINATOR_PAGE:
            continue
        st.sidebar.page_link(path, label=t(title_key, lang), icon=icon)


def _unpin() -> None:
    st.session_state.pop(ui_filters.SESSION_VERSION, None)
    if ui_filters.VERSION_PARAM in st.query_params:
        del st.query_params[ui_filters.VERSION_PARAM]


def _resolve_version(pinned: int | None, lang: str) -> tuple[int, bool]:
    """Return (version to show, whether it is pinned); a missing pin falls back."""
    if pinned is not None:
        try:
            data.dataset(pinned)
            return pinned, True
        except LookupError:
            st.warning(t("page.version_missing", lang, version=pinned))
    return data.current_version(), False


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


def setup(title_key: str, tables: Sequence[str], presenting: bool = False) -> Page:
    """Set up a page and return what it needs.

    Args:
        title_key: i18n key of the page title.
        tables: canonical tables the page draws; they decide which filters the
            sidebar shows (``maaor.ui.filters.TABLE_PARAMS``).
        presenting: plenary mode: the sidebar starts collapsed (still there, filters
            in it) and the page draws its own title, version and notice per slide.
    """
    # Once per process: Streamlit's upload endpoint accepts coordinator sessions only.
    serverguard.install()
    f, lang, pinned = ui_filters.state_on_load()
    st.set_page_config(
        page_title=f"{t(title_key, lang)} · {t('app.short_name', lang)}",
        layout="wide",
        initial_sidebar_state="collapsed" if presenting else "expanded",
    )
    try:
        version, is_pinned = _resolve_version(pinned, lang)
        ds = data.dataset(version)
        options = data.options(version)
    except Exception:  # the store is down: say so plainly, log the rest
        import logging

        logging.getLogger("maaor.ui").exception("data store unavailable")
        st.error(t("page.store_unavailable", lang))
        st.stop()
    _language_switch(lang)
    _navigation(lang)
    f = ui_filters.sidebar(
        ui_filters.params_for_tables(tables), f, options, lang, version if is_pinned else None
    )
    if tables:
        _hxl_switch(lang)
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
        return page
    st.title(t(title_key, lang))
    pin = f" · {t('page.pinned', lang)}" if is_pinned else ""
    st.caption(page.version_text() + pin)
    current = _current_or_none(lang) if is_pinned else version
    if current is not None and version != current:
        st.button(t("page.unpin", lang), on_click=_unpin, key="ui_unpin",
                  icon=":material/update:")
    if ds.meta.illustrative:
        st.warning(t("page.illustrative", lang), icon=":material/info:")
    return page

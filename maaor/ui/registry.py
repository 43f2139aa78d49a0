"""The pages of the dashboard, said once.

:data:`PAGES` drives the sidebar navigation, the links between pages, which filters each
page's sidebar offers (through the tables it shows and ``maaor.filters.TABLE_PARAMS``)
and the list of pages the AppTests open. Streamlit's pages-directory navigation stays:
each entry's ``path`` is a script under ``pages/`` (or ``app.py``) and its ``url`` the
path Streamlit gives it (the file name without its number prefix and ``.py``);
``tests/ui/test_registry.py`` checks that every ``pages/*.py`` is registered and that the
URLs are Streamlit's.

No Streamlit here: the registry is data.
"""

from __future__ import annotations

from dataclasses import dataclass

from maaor.filters import params_for_tables


@dataclass(frozen=True)
class PageSpec:
    """One page.

    Attributes:
        key: short name used in code and links ("presence").
        path: script, relative to the repository root ("pages/2_Presence.py").
        url: URL path Streamlit serves it at ("Presence"; "./" for the home page).
        title_key: i18n key of its title (navigation label and heading).
        icon: material icon of its navigation link.
        tables: canonical tables it shows; their filters are the ones in its sidebar.
        coordinator_only: left out of a viewer-mode (public) process's navigation.
        presenting: plenary mode: the sidebar starts collapsed and the page draws its
            own title, version and notice (per slide).
    """

    key: str
    path: str
    url: str
    title_key: str
    icon: str
    tables: tuple[str, ...]
    coordinator_only: bool = False
    presenting: bool = False

    @property
    def filter_params(self) -> list[str]:
        """The filter parameters its sidebar shows, in sidebar order."""
        return params_for_tables(self.tables)


# In navigation order.
PAGES: tuple[PageSpec, ...] = (
    PageSpec("overview", "app.py", "./", "page.overview.title", ":material/dashboard:",
             ("workplan", "presence", "funding", "mechanisms")),
    PageSpec("workplan", "pages/1_Work_plan.py", "Work_plan", "page.workplan.title",
             ":material/checklist:", ("workplan",)),
    PageSpec("presence", "pages/2_Presence.py", "Presence", "page.presence.title",
             ":material/map:", ("presence", "mechanisms")),
    PageSpec("gaps", "pages/3_Gaps.py", "Gaps", "page.gaps.title", ":material/report:",
             ("workplan", "presence", "mechanisms")),
    PageSpec("funding", "pages/4_Funding.py", "Funding", "page.funding.title",
             ":material/payments:", ("funding", "fts", "workplan")),
    PageSpec("results", "pages/5_Results.py", "Results", "page.results.title",
             ":material/target:", ("indicators",)),
    PageSpec("coordinator", "pages/6_Coordinator.py", "Coordinator", "coord.title",
             ":material/admin_panel_settings:", (), coordinator_only=True),
    PageSpec("present", "pages/7_Present.py", "Present", "present.title",
             ":material/co_present:",
             ("workplan", "presence", "funding", "indicators", "mechanisms"), presenting=True),
)

_BY_KEY = {p.key: p for p in PAGES}


def page(key: str) -> PageSpec:
    """Return the page registered as ``key``.

    Raises:
        KeyError: no page has that key.
    """
    return _BY_KEY[key]

"""The page registry (``maaor.ui.registry``) knows every page, with Streamlit's URLs."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.source_util import page_icon_and_name

from maaor.i18n import catalogue
from maaor.ui import registry
from maaor.ui.page import page_link
from tests.paths import ROOT


def test_every_page_script_is_registered_and_every_entry_exists():
    scripts = {"app.py", *(f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py"))}
    registered = [p.path for p in registry.PAGES]
    assert len(registered) == len(set(registered))
    assert set(registered) == scripts
    assert len({p.key for p in registry.PAGES}) == len(registry.PAGES)


@pytest.mark.parametrize("spec", registry.PAGES, ids=lambda p: p.key)
def test_url_is_the_one_streamlit_serves_and_the_title_exists(spec):
    if spec.path == "app.py":
        assert spec.url == "./"
    else:
        # Streamlit's pages-directory navigation names the page after its file.
        assert spec.url == page_icon_and_name(Path(spec.path))[1]
    assert spec.title_key in catalogue("en") and spec.title_key in catalogue("fr")
    assert spec.icon.startswith(":material/")


def test_links_use_the_registry():
    assert page_link("en", "presence", country="IRQ") == "Presence?country=IRQ"
    assert page_link("fr", "overview") == "./?lang=fr"
    with pytest.raises(KeyError):
        page_link("en", "nowhere")


def test_only_the_coordinator_page_is_coordinator_only_and_shows_no_filters():
    assert [p.key for p in registry.PAGES if p.coordinator_only] == ["coordinator"]
    assert registry.page("coordinator").filter_params == []


def test_the_sidebar_of_each_page_offers_the_filters_of_its_tables():
    # an emergency sets the countries: every page with country-filtered tables offers it
    assert registry.page("results").filter_params == ["emergency", "country", "year"]
    assert registry.page("workplan").filter_params == [
        "objective", "status", "lead", "partner", "year", "org"]
    assert "presence_status" in registry.page("presence").filter_params
    assert "objective" not in registry.page("presence").filter_params


def test_every_page_calls_setup_with_its_own_key():
    for spec in registry.PAGES:
        text = (ROOT / spec.path).read_text(encoding="utf-8")
        assert f'setup("{spec.key}")' in text, spec.path

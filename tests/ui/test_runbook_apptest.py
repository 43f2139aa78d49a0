"""Runbook: a link pinned with ``?v=N`` keeps showing version N after a new publish.

Before a plenary the presenter opens the dashboard with ``?v=N`` (README, "Runbook"):
a coordinator publishing during the talk must not change what the slides show.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from maaor import service
from maaor.bundled import default_sources
from maaor.filters import version_from_params
from maaor.glossary import GLOSSARY
from maaor.i18n import fmt_number
from tests.conftest import bundled_app_store
from tests.paths import ROOT


@pytest.fixture
def two_versions(tmp_path):
    """A store with the bundled data (v1) and a v2 holding only its first activity."""
    with bundled_app_store(tmp_path):
        store = service.open_store()
        v1 = store.current_version()
        ds = store.load(v1)
        smaller = replace(ds, tables={**ds.tables, "workplan": ds.workplan.head(1)})
        yield store, v1, len(ds.workplan), smaller


def activities_shown(at: AppTest) -> str:
    # issue 11: the tile carries the glossary label
    return next(m.value for m in at.metric if m.label == GLOSSARY["activities"].label("en"))


def test_version_parameter_is_read_from_the_link():
    assert version_from_params({"v": "7"}) == 7
    assert version_from_params({"v": ["7"]}) == 7
    assert version_from_params({"v": "7; drop"}) is None


def test_a_pinned_link_ignores_a_publish_during_the_talk(two_versions):
    store, v1, activities, smaller = two_versions
    pinned = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    pinned.query_params["v"] = str(v1)
    pinned.run()
    assert not pinned.exception
    assert activities_shown(pinned) == fmt_number(activities, "en")

    sources, _ = default_sources()
    v2 = store.publish(smaller, sources, by="coordinator", note="published during the talk")
    st.cache_data.clear()  # as after the current-version cache's few seconds

    pinned.run()  # the presenter's next rerun (a filter, the next slide)
    assert not pinned.exception
    assert activities_shown(pinned) == fmt_number(activities, "en")
    assert any(f"Data version {v1}" in c.value and "pinned by the link" in c.value
               for c in pinned.caption)
    # The page offers to move to the new data, without doing it by itself.
    assert any(b.label == "Show the current data" for b in pinned.button)

    fresh = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert activities_shown(fresh) == fmt_number(1, "en")
    assert any(f"Data version {v2}" in c.value for c in fresh.caption)


def test_an_open_page_holds_its_version_and_offers_a_newer_one(two_versions):
    store, v1, activities, smaller = two_versions
    page = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    page.run()  # no ?v= in the link: the visitor sees the current version
    assert activities_shown(page) == fmt_number(activities, "en")
    assert not any("was published while" in i.value for i in page.info)

    sources, _ = default_sources()
    v2 = store.publish(smaller, sources, by="coordinator", note="published meanwhile")
    st.cache_data.clear()  # as after the current-version cache's few seconds

    page.run()  # the visitor's next click: the page does not jump
    assert not page.exception
    assert activities_shown(page) == fmt_number(activities, "en")
    assert any(f"Data version {v1}" in c.value for c in page.caption)
    notice = [i.value for i in page.info if "was published while" in i.value]
    assert notice == [f"Version {v2} of the data was published while this page was open; you "
                      f"are still looking at version {v1}."]
    page.button(key="ui_newer_version").click()
    page.run()  # the visitor chose to switch
    assert not page.exception
    assert activities_shown(page) == fmt_number(1, "en")
    assert any(f"Data version {v2}" in c.value for c in page.caption)
    assert not any("was published while" in i.value for i in page.info)

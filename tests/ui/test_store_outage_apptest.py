"""A pinned plenary link (``/Work_plan?v=1``) degrades like the rest when the store is down.

The page must show the plain store message, never Streamlit's generic
"This app has encountered an error" (issue 12, item 7).
"""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from maaor import service
from tests.conftest import bundled_app_store
from tests.paths import ROOT

UNREACHABLE = "postgresql+psycopg://maaor@127.0.0.1:9/unreachable?connect_timeout=2"
STORE_MESSAGE = "The data cannot be read at the moment"


@pytest.fixture
def store_then_outage(tmp_path):
    """A working SQLite store; the test then points the app at an unreachable one."""
    with bundled_app_store(tmp_path):
        version = service.current_version()
        yield version


def _outage(monkeypatch) -> None:
    monkeypatch.setenv("MAAOR_DATABASE_URL", UNREACHABLE)
    service.reset_for_tests()
    st.cache_data.clear()  # as after the current-version cache's few seconds


def test_pinned_link_during_an_outage_shows_the_store_message(store_then_outage, monkeypatch):
    version = store_then_outage
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page("pages/1_Work_plan.py")
    at.query_params["v"] = str(version)
    at.run()
    assert not at.exception
    _outage(monkeypatch)
    at.run()  # the presenter's next rerun, with the store now unreachable
    assert not at.exception, [e.value for e in at.exception]
    assert any(STORE_MESSAGE in w.value for w in [*at.warning, *at.error])


def test_cold_pinned_link_during_an_outage_shows_the_store_message(store_then_outage,
                                                                  monkeypatch):
    version = store_then_outage
    _outage(monkeypatch)
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page("pages/1_Work_plan.py")
    at.query_params["v"] = str(version)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(STORE_MESSAGE in e.value for e in at.error)

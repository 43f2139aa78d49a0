"""A withdrawn version is not served (issue 12, item 10): a link pinned with ``?v=N``
says "withdrawn on DATE" in the page language instead of the data, on any page, even
when this process had the version's data cached; coordinators still see it, marked."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from maaor import service
from maaor.bundled import default_sources
from maaor.i18n import fmt_date
from maaor.usecases.withdraw import withdraw_version
from tests.conftest import bundled_app_store
from tests.paths import ROOT
from tests.ui.test_coordinator_apptest import signed_in, store_env  # noqa: F401 - fixture

APP = str(ROOT / "app.py")


@pytest.fixture
def two_versions(tmp_path):
    """The bundled data (v1) and a v2 holding only the first activity (current)."""
    with bundled_app_store(tmp_path):
        store = service.open_store()
        v1 = store.current_version()
        ds = store.load(v1)
        sources, _ = default_sources()
        v2 = store.publish(replace(ds, tables={**ds.tables, "workplan": ds.workplan.head(1)}),
                           sources, by="lead", note="smaller")
        yield store, v1, v2


def pinned(version: int, page: str | None = None, lang: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    if page:
        at.switch_page(page)
    at.query_params["v"] = str(version)
    if lang:
        at.query_params["lang"] = lang
    return at


def test_a_withdrawn_version_is_not_served_through_a_pinned_link(two_versions):
    store, v1, v2 = two_versions
    at = pinned(v1).run()
    assert not at.exception and len(at.metric) > 0  # served while not withdrawn

    done = withdraw_version(v1, reason="a sensitive location", by="lead")
    st.cache_data.clear()  # as after the few seconds of the short caches; the Dataset
    # of v1 stays cached in this process (cache_resource) and must still not be shown
    at.run()
    assert not at.exception
    date = fmt_date(done.at, "en")
    assert [w.value for w in at.warning] == [
        f"Data version {v1} was withdrawn on {date}; it is no longer shown."]
    assert len(at.metric) == 0 and len(at.dataframe) == 0
    assert not any("sensitive" in m.value for m in at.markdown)  # the reason is not public
    assert any(b.label == "Show the current data" for b in at.button)


@pytest.mark.parametrize("page", ["pages/1_Work_plan.py", "pages/2_Presence.py",
                                  "pages/7_Present.py"])
def test_every_page_says_withdrawn_in_the_page_language(two_versions, page):
    store, v1, v2 = two_versions
    done = withdraw_version(v1, reason="wrong figures", by="lead")
    at = pinned(v1, page, "fr").run()
    assert not at.exception
    date = fmt_date(done.at, "fr")
    assert (f"La version {v1} des données a été retirée le {date} ; elle n'est plus affichée."
            in [w.value for w in at.warning])
    assert len(at.metric) == 0


def test_withdrawing_the_current_version_serves_the_previous_one(two_versions):
    store, v1, v2 = two_versions
    withdraw_version(v2, reason="published by mistake", by="lead")
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    assert any(f"Data version {v1}" in c.value for c in at.caption)
    # The work-plan progress over versions leaves the withdrawn version out.
    at.switch_page("pages/1_Work_plan.py")
    at.run()
    assert not at.exception
    history = next(df.value for df in at.dataframe if "Published" in df.value.columns)
    assert list(history["Version"]) == [v1]


def test_coordinator_withdraws_from_the_history_and_still_sees_it(store_env):  # noqa: F811
    from maaor.sources import Source

    v1 = store_env.current_version()
    files = [Source(n, b) for n, b in store_env.files(v1)]
    v2 = store_env.publish(store_env.load(v1), files, by="lead", note="copy")
    at = signed_in()
    at.selectbox(key="coord_withdraw_pick").set_value(v1)
    at.button(key="coord_withdraw").click()
    at = at.run()
    assert "Say why the version is withdrawn." in [e.value for e in at.error]
    assert store_env.withdrawn_at(v1) is None

    at.text_input(key="coord_withdraw_reason").input("names a private house")
    at.button(key="coord_withdraw").click()
    at = at.run()
    assert any(f"Withdraw version {v1}?" in w.value for w in at.warning)
    at.button(key="coord_withdraw_confirm").click()
    at = at.run()
    assert not at.exception
    assert f"Version {v1} withdrawn. The current version is {v2}." in [s.value for s in at.success]
    withdrawn = store_env.withdrawn_at(v1)
    assert withdrawn is not None and withdrawn.date() == dt.datetime.now(dt.UTC).date()
    entry = store_env.audit_log(1)[0]
    assert (entry.who, entry.action, entry.detail) == (
        "coordinator", "withdraw", f"version {v1}: names a private house")
    table = next(df.value for df in at.dataframe if "withdrawn" in df.value.columns)
    marks = dict(zip(table["version"].astype(int), table["withdrawn"], strict=True))
    assert marks[v1] == f"withdrawn {fmt_date(withdrawn, 'en')}" and marks[v2] == ""
    # Only one version is still served: nothing more can be withdrawn.
    assert any("No version can be withdrawn" in i.value for i in at.info)

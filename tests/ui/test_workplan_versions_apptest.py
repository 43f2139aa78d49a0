"""The Work plan page shows progress across published versions (issue 4, item 6)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from maaor import service
from maaor.figures.history import version_progress
from maaor.usecases.edits import apply_activity_edits
from tests.ui.test_pages_apptest import APP


@pytest.fixture()
def two_versions(tmp_path, monkeypatch):
    monkeypatch.setenv("MAAOR_SQLITE_PATH", str(tmp_path / "maaor.sqlite"))
    monkeypatch.delenv("MAAOR_DATABASE_URL", raising=False)
    service.reset_for_tests()
    st.cache_data.clear()
    st.cache_resource.clear()
    store = service.open_store()
    first = store.load()
    wp = first.workplan
    edits = pd.DataFrame({
        "activity_id": wp["activity_id"],
        "status": ["completed"] * len(wp),
        "progress": [100.0] * len(wp),
        "comment": wp["comment"],
    })
    edited, problems = apply_activity_edits(first, edits, today=dt.date(2019, 10, 1))
    assert not [p for p in problems if p.severity == "error"]
    files = [(n, b) for n, b in store.files(store.current_version())]
    from maaor.sources import Source

    v2 = store.publish(edited, [Source(n, b) for n, b in files], by="test", note="all done",
                       kind="edit")
    yield first, edited, v2
    service.reset_for_tests()
    st.cache_data.clear()
    st.cache_resource.clear()


def test_progress_over_versions_table_matches_figures(two_versions):
    first, edited, v2 = two_versions
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page("pages/1_Work_plan.py")
    at.run()
    assert not at.exception
    frames = [df.value for df in at.dataframe]
    history = next(f for f in frames if "Version" in f.columns and "Published" in f.columns)
    assert list(history["Version"]) == [1, v2]
    expected = [version_progress(first)["pct_completed"], version_progress(edited)["pct_completed"]]
    shown = [float(str(x).rstrip("%").replace(",", ".").strip()) for x in history["Completed (%)"]]
    assert shown == pytest.approx(expected, abs=0.5)
    assert expected[1] == 100.0 and expected[0] < 100.0

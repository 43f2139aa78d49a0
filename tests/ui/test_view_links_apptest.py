"""A shared link restores every view choice of every page (AppTest, bundled data).

Each page is opened with a query string that sets every widget it offers to a value
other than its default (``maaor.viewparams``); the widgets must come back with those
values, and choosing in a widget must write the URL.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from maaor import service, viewparams
from maaor.i18n import t
from maaor.ui.safe import md_escape
from tests.conftest import bundled_app_store
from tests.paths import ROOT

APP = str(ROOT / "app.py")


@pytest.fixture(scope="module")
def ds(tmp_path_factory):
    with bundled_app_store(tmp_path_factory.mktemp("store")) as svc:
        yield service.load_dataset(svc.current_version()).without_sensitive()


def opened(page: str, **query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page(page)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _param(at: AppTest, name: str):
    value = at.query_params.get(name)
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def test_results_sex_and_age_choice_comes_back_from_the_link(ds):
    at = opened("pages/5_Results.py", **{viewparams.RESULTS_SEX_AGE: "women"})
    assert at.segmented_control(key=viewparams.RESULTS_SEX_AGE).value == "women"
    at.segmented_control(key=viewparams.RESULTS_SEX_AGE).set_value("girls").run()
    assert _param(at, viewparams.RESULTS_SEX_AGE) == "girls"


def test_funding_breakdown_comes_back_from_the_link(ds):
    at = opened("pages/4_Funding.py", **{viewparams.FUNDING_BY: "donor"})
    assert at.segmented_control(key=viewparams.FUNDING_BY).value == "donor"
    at.segmented_control(key=viewparams.FUNDING_BY).set_value("year").run()
    assert _param(at, viewparams.FUNDING_BY) == "year"


def test_presence_matrix_country_comes_back_from_the_link(ds):
    default = opened("pages/2_Presence.py").selectbox(key=viewparams.PRESENCE_MATRIX).value
    others = [c for c in sorted(ds.presence["country_iso3"].dropna().unique()) if c != default]
    assert len(others) > 1
    at = opened("pages/2_Presence.py", **{viewparams.PRESENCE_MATRIX: others[-1]})
    assert at.selectbox(key=viewparams.PRESENCE_MATRIX).value == others[-1]
    at.selectbox(key=viewparams.PRESENCE_MATRIX).set_value(others[0]).run()
    assert _param(at, viewparams.PRESENCE_MATRIX) == others[0]
    at.selectbox(key=viewparams.PRESENCE_MATRIX).set_value(default).run()
    assert viewparams.PRESENCE_MATRIX not in at.query_params  # the default: a short link


def test_gaps_tab_and_table_page_come_back_from_the_link(ds):
    second_tab = t("gaps.countries", "en")
    page_param = viewparams.table_page_param("activity_flags")
    at = opened("pages/3_Gaps.py", **{viewparams.GAPS_TAB: second_tab, page_param: "2"})
    assert at.number_input(key=page_param).value == 2
    assert _param(at, viewparams.GAPS_TAB) == second_tab  # a known tab label stays
    at.number_input(key=page_param).set_value(1).run()
    assert page_param not in at.query_params  # the default leaves the link clean
    at = opened("pages/3_Gaps.py", **{page_param: "999"})
    assert at.number_input(key=page_param).value == at.number_input(key=page_param).max


def test_a_link_with_every_choice_and_filters_restores_them_together(ds):
    year = int(ds.indicators["year"].dropna().max())
    at = opened("pages/5_Results.py", **{viewparams.RESULTS_SEX_AGE: "boys", "year": str(year),
                                          "lang": "fr"})
    assert at.segmented_control(key=viewparams.RESULTS_SEX_AGE).value == "boys"
    assert at.selectbox(key="flt_year").value == year


def test_work_plan_activity_comes_back_from_the_link(ds):
    activity = str(ds.workplan["activity_id"].dropna().iloc[-1])
    key = f"url_{viewparams.WORKPLAN_ACTIVITY}"
    at = opened("pages/1_Work_plan.py", **{viewparams.WORKPLAN_ACTIVITY: activity})
    assert at.selectbox(key=key).value == activity
    assert any(m.value.startswith("#### " + md_escape(activity)) for m in at.markdown)
    first = str(ds.workplan["activity_id"].dropna().iloc[0])
    at.selectbox(key=key).set_value(first).run()
    assert _param(at, viewparams.WORKPLAN_ACTIVITY) == first
    at = opened("pages/1_Work_plan.py", **{viewparams.WORKPLAN_ACTIVITY: "no-such-activity"})
    assert at.selectbox(key=key).value is None  # an unknown id is ignored


def test_present_slide_auto_advance_and_meeting_come_back_from_the_link(ds):
    slide, auto, meeting, date = viewparams.PRESENT_PARAMS
    at = opened("pages/7_Present.py", **{slide: "4", auto: "30", meeting: "Réunion RND",
                                         date: "2026-02-10", "lang": "fr"})
    assert at.selectbox(key="present_auto").value == 30
    assert at.text_input(key="present_meeting").value == "Réunion RND"
    assert str(at.date_input(key="present_date").value) == "2026-02-10"
    assert at.selectbox(key="present_jump_4").value == 4
    assert at.segmented_control(key="ui_lang").value == "fr"
    # choosing writes the link back; the default (off, no meeting) leaves it out
    at.selectbox(key="present_auto").set_value(10).run()
    assert _param(at, auto) == "10"
    at.selectbox(key="present_auto").set_value(0).run()
    assert auto not in at.query_params
    at.text_input(key="present_meeting").set_value("Autre réunion").run()
    assert _param(at, meeting) == "Autre réunion"
    assert _param(at, slide) == "4"

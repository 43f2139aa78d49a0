"""AppTest of the Present page: every slide renders from ``?slide=N`` with the slide
records' numbers; next / previous move through the slides and write the URL."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from maaor.filters import Filters
from maaor.slides import SLIDE_KEYS, slide_deck
from maaor.ui.safe import md_escape
from tests.conftest import bundled_app_store
from tests.paths import ROOT

APP = str(ROOT / "app.py")
PRESENT = "pages/7_Present.py"


@pytest.fixture(scope="module")
def ds(tmp_path_factory):
    """The public dataset of a fresh SQLite store bootstrapped with the bundled data."""
    with bundled_app_store(tmp_path_factory.mktemp("store")) as svc:
        yield svc.load_dataset().without_sensitive()


def open_present(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page(PRESENT)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def _today():
    import datetime as dt

    return dt.date.today()


@pytest.mark.parametrize(("country", "lang"), [(None, "en"), ("IRQ", "fr")])
def test_every_slide_renders_from_the_url(ds, country, lang):
    f = Filters(countries=(country,) if country else ())
    expected = slide_deck(ds, f, _today(), lang)
    query = {"lang": lang, **({"country": country} if country else {})}
    for number, slide in enumerate(expected, start=1):
        at = open_present(slide=str(number), **query)
        assert not at.exception, (number, [e.value for e in at.exception])
        if slide.key != "title":
            assert at.title[0].value == md_escape(slide.title)
        shown = {m.label: m.value for m in at.metric}
        assert shown == {md_escape(n.label): n.text for n in slide.numbers}, slide.key
        if slide.notice:
            assert md_escape(slide.notice) in [w.value for w in at.warning]
        assert len(SLIDE_KEYS) == len(expected)


def test_next_and_previous_move_and_write_the_url(ds):
    at = open_present()
    assert at.title[0].value == md_escape("Mine Action AoR briefing")
    assert at.button(key="present_prev").disabled
    at.button(key="present_next").click().run()
    assert at.query_params["slide"] == "2"
    assert at.title[0].value == "Headline figures"
    at.button(key="present_next").click().run()
    assert at.title[0].value == "Who is where"
    at.button(key="present_prev").click().run()
    assert at.query_params["slide"] == "2"
    assert at.title[0].value == "Headline figures"
    last = open_present(slide="99")
    assert last.title[0].value == md_escape("Results against targets, 2022")
    assert last.button(key="present_next").disabled


def test_meeting_name_from_the_url_titles_the_first_slide(ds):
    at = open_present(meeting="National Directors Meeting", date="2026-02-10")
    assert at.title[0].value == "National Directors Meeting"
    assert "10 Feb 2026" in at.markdown[0].value or any(
        "10 Feb 2026" in m.value for m in at.markdown)


def test_overview_shows_the_narrative(ds):
    from maaor.figures.narrative import narrative

    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    texts = [m.value for m in at.markdown]
    for sentence in narrative(ds, Filters(), _today(), "en"):
        assert "- " + md_escape(sentence.text) in texts

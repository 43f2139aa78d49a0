"""The slide sequence: order, numbers and chart series equal the figure functions'."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from maaor.dataset import Dataset
from maaor.figures.funding import funding_by, funding_headline
from maaor.figures.gaps import CORE_PILLARS, activity_flags, flag_counts, pillar_gaps
from maaor.figures.overview import overview_headline
from maaor.figures.progress import progress_by_objective, workplan_headline
from maaor.filters import Filters, filter_funding, filter_workplan
from maaor.glossary import FUNDING_IDS, applies
from maaor.i18n import fmt_money, fmt_number, fmt_percent
from maaor.slides import SLIDE_KEYS, clip, slide_deck, with_meeting

TODAY = dt.date(2026, 1, 15)


@pytest.fixture(scope="module")
def ds():
    from maaor.bundled import load_default

    return load_default().dataset


def _values(series):
    return tuple(float(v) for v in series)


@pytest.mark.parametrize("f", [Filters(), Filters(countries=("IRQ",))], ids=["all", "IRQ"])
def test_slides_in_order_with_the_figure_functions_numbers(ds, f):
    slides = {s.key: s for s in slide_deck(ds, f, TODAY, "en")}
    assert tuple(slides) == SLIDE_KEYS
    head = overview_headline(ds, f, TODAY)
    headline = slides["headline"]
    # issue 11: a figure the chosen filters do not reach (the global work plan under a
    # country filter) is hidden on the slide, never shown as if filtered
    assert {n.key: n.value for n in headline.numbers} == {
        k: v for k, v in head.items() if applies(k, f)}
    assert ("activities" in {n.key for n in headline.numbers}) == (not f.countries)
    assert {n.key: n.text for n in headline.numbers}["required_usd"] == fmt_money(
        head["required_usd"], "en")
    wp = filter_workplan(ds.workplan, f)
    work = workplan_headline(wp, TODAY)
    progress = slides["progress"]
    assert [n.value for n in progress.numbers] == [work["activities"], work["completed"],
                                                   work["pct_completed"]]
    assert progress.numbers[2].text == fmt_percent(work["pct_completed"], "en")
    by_objective = progress_by_objective(wp)
    completed = next(s for s in progress.chart.series if s.name == "Completed")
    assert completed.values == _values(by_objective["completed"])
    assert progress.chart.stacked and len(progress.chart.categories) == len(by_objective)

    counts = flag_counts(activity_flags(wp, TODAY))
    expected = dict(zip(counts["rule"], counts["count"], strict=True))
    unassigned = slides["unassigned"]
    assert unassigned.chart.series[0].values == tuple(
        float(expected[r]) for r in unassigned.extra["counts"]["rule"])
    assert unassigned.numbers[0].value == work["without_lead"]

    money = funding_headline(filter_funding(ds.funding, f))
    funding = slides["funding"]
    assert [n.value for n in funding.numbers] == [money[k] for k in FUNDING_IDS]
    dimension = "year" if f.countries else "country_iso3"
    table = funding_by(filter_funding(ds.funding, f), [dimension])
    assert funding.table.equals(table)
    if f.countries:  # one country: funding per year, every year drawn
        assert funding.chart.categories == tuple(str(y) for y in table["year"])
        assert funding.chart.series[0].values == _values(table["required_usd"])


def test_pillar_coverage_adds_up_to_the_pillars_checked(ds):
    slides = {s.key: s for s in slide_deck(ds, Filters(), TODAY, "en")}
    pillars = slides["pillars"]
    coverage = pillars.extra["coverage"]
    # issue 11: each country is checked on the pillars it is expected to cover (the
    # bundled mechanisms say none, so the three core pillars)
    assert (coverage[["covered", "single", "none"]].sum(axis=1) == coverage["expected"]).all()
    assert set(coverage["expected"]) == {len(CORE_PILLARS)}
    gaps = pillar_gaps(ds.presence, ds.mechanisms)
    assert pillars.table.equals(gaps)
    assert pillars.numbers[0].value == int((gaps["rule"] == "pillar_no_active_org").sum())
    assert int(coverage["none"].sum()) == pillars.numbers[0].value
    assert pillars.chart.note == f"12 of {len(coverage)} shown; the data pack holds all."


def test_illustrative_notice_on_every_slide_only_when_illustrative(ds):
    slides = slide_deck(ds, Filters(), TODAY, "en")
    assert ds.meta.illustrative
    assert all(s.notice == "Illustrative data: made-up example figures, not reports."
               for s in slides)
    reported = Dataset(ds.tables, replace(ds.meta, illustrative=False))
    assert all(s.notice is None for s in slide_deck(reported, Filters(), TODAY, "en"))


def test_every_slide_has_one_message_source_and_notes(ds):
    slides = slide_deck(ds, Filters(year=2021), TODAY, "fr")
    for slide in slides:
        assert slide.message and slide.source.startswith("Source")
    assert len(slides[0].notes) == 6  # the whole narrative on the title slide
    assert [n.slide for n in slides[0].notes] == [
        "presence", "pillars", "progress", "unassigned", "funding", "results"]
    assert slides[-1].title == "Résultats par rapport aux cibles, 2021"


def test_meeting_name_and_date_go_on_the_title_slide(ds):
    slides = with_meeting(slide_deck(ds, Filters(countries=("IRQ",), year=2021), TODAY, "en"),
                          "National Directors Meeting", dt.date(2026, 2, 10), "en")
    assert slides[0].title == "National Directors Meeting"
    assert slides[0].message == "10 Feb 2026 · Iraq · 2021"
    untouched = with_meeting(slide_deck(ds, Filters(), TODAY, "en"), "  ", None, "en")
    assert untouched[0].title == "Mine Action AoR briefing"
    assert untouched[0].message == "Whole Mine Action AoR"


def test_messages_carry_their_number(ds):
    slides = {s.key: s for s in slide_deck(ds, Filters(countries=("IRQ",)), TODAY, "en")}
    head = overview_headline(ds, Filters(countries=("IRQ",)), TODAY)
    assert slides["presence"].message.endswith("in 1 country.")
    assert fmt_number(head["active_organisations"], "en") in slides["headline"].message
    assert slides["results"].message == "No indicator value is reported for this selection."


def test_clip_cuts_at_a_word():
    assert clip("Number of in-country mine action coordination mechanisms", 30) == \
        "Number of in-country mine…"
    assert clip("short", 30) == "short"
    assert clip(None, 10) == ""

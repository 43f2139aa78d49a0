"""Narrative summary: every number in a sentence is the figure functions' result."""

from __future__ import annotations

import datetime as dt

import pytest

from maaor.figures.funding import funding_headline
from maaor.figures.gaps import activity_flags, pillar_gaps
from maaor.figures.narrative import briefing_figures, narrative
from maaor.figures.presence import presence_headline
from maaor.figures.progress import workplan_headline
from maaor.figures.results import indicator_progress, results_by_objective
from maaor.filters import (
    Filters,
    filter_funding,
    filter_indicators,
    filter_presence,
    filter_workplan,
)
from maaor.i18n import fmt_money, fmt_number, fmt_percent

TODAY = dt.date(2026, 1, 15)
FILTERS = [Filters(), Filters(countries=("IRQ",)), Filters(year=2021)]


@pytest.fixture(scope="module")
def ds():
    from maaor.bundled import load_default

    return load_default().dataset


def _mechanisms(ds, f):
    m = ds.mechanisms
    return m.loc[m["country_iso3"].isin(f.countries)] if f.countries else m


@pytest.mark.parametrize("f", FILTERS, ids=["all", "IRQ", "2021"])
def test_sentence_numbers_are_the_figure_functions_results(ds, f):
    by_key = {s.key: s for s in narrative(ds, f, TODAY, "en")}
    assert list(by_key) == ["presence", "pillar_gaps", "activities", "unassigned", "funding",
                            "results"]
    presence = filter_presence(ds.presence, f)
    head = presence_headline(presence, _mechanisms(ds, f))
    assert by_key["presence"].numbers == {
        "active_organisations": head["active_organisations"],
        "countries_present": head["countries_present"],
    }
    gaps = pillar_gaps(presence, _mechanisms(ds, f))
    assert by_key["pillar_gaps"].numbers == {
        "pillar_no_active_org": int((gaps["rule"] == "pillar_no_active_org").sum()),
        "pillar_single_org": int((gaps["rule"] == "pillar_single_org").sum()),
    }
    wp = filter_workplan(ds.workplan, f)
    work = workplan_headline(wp, TODAY)
    assert by_key["activities"].numbers == {
        "activities": work["activities"], "completed": work["completed"],
        "pct_completed": work["pct_completed"]}
    flags = activity_flags(wp, TODAY)
    assert by_key["unassigned"].numbers == {
        "without_lead": work["without_lead"], "without_budget": work["without_budget"],
        "unfunded": int((flags["rule"] == "unfunded").sum())}
    money = funding_headline(filter_funding(ds.funding, f))
    assert by_key["funding"].numbers == {k: money[k] for k in
                                         ("required_usd", "funded_against_requirement_usd",
                                          "funded_no_requirement_usd", "gap_usd", "pct_funded")}
    year = f.year or 2022  # the bundled indicators run to 2022
    progress = indicator_progress(filter_indicators(ds.indicators, Filters(
        countries=f.countries, year=year)), TODAY)
    by_objective = results_by_objective(progress)
    results = by_key["results"].numbers
    assert results["indicators"] == int(by_objective["indicators"].sum())
    assert results["on_track"] == int(by_objective["on_track"].sum())
    assert results["off_track"] == int(by_objective["off_track"].sum())


def test_english_text_writes_the_numbers_formatted():
    from maaor.bundled import load_default

    ds = load_default().dataset
    by_key = {s.key: s for s in narrative(ds, Filters(), TODAY, "en")}
    money = by_key["funding"].numbers
    text = by_key["funding"].text
    # issue 11: the sentence states funding against the requirement, and the money with
    # no stated requirement beside it
    assert fmt_money(money["funded_against_requirement_usd"], "en") in text
    assert fmt_money(money["funded_no_requirement_usd"], "en") in text
    assert fmt_money(money["gap_usd"], "en") in text
    assert fmt_money(money["required_usd"], "en") in text
    assert fmt_percent(money["pct_funded"], "en") in text
    work = by_key["activities"].numbers
    assert by_key["activities"].text.startswith(
        f"The work plan counts {fmt_number(work['activities'], 'en')} activities")
    assert by_key["results"].text.startswith("In 2022, ")


def test_french_text_uses_french_formats_and_the_same_numbers(ds):
    en = narrative(ds, Filters(), TODAY, "en")
    fr = narrative(ds, Filters(), TODAY, "fr")
    assert [s.numbers for s in en] == [s.numbers for s in fr]
    funding = fr[4]
    assert fmt_money(funding.numbers["required_usd"], "fr") in funding.text
    assert "Md\u00a0USD" in funding.text
    assert fr[2].text.startswith("Le plan de travail compte ")
    assert all(a.text != b.text for a, b in zip(en, fr, strict=True))


def test_pillar_gap_sentence_names_each_uncovered_pillar(ds):
    fig = briefing_figures(ds, Filters(), TODAY)
    sentence = narrative(ds, Filters(), TODAY, "en")[1]
    none = fig.pillar_gaps.loc[fig.pillar_gaps["rule"] == "pillar_no_active_org"]
    assert len(none) > 0
    # issue 11: expected pillars only, grouped and counted per pillar (no list of pairs)
    assert sentence.text.startswith(f"{len(none)} expected pillars have no active organisation")
    from maaor import vocab
    from maaor.figures.narrative import countries_phrase

    for pillar in none["pillar"].unique():
        n = int((none["pillar"] == pillar).sum())
        assert (f"{vocab.label('pillar', pillar, 'en')} in {countries_phrase(n, 'en')}"
                in sentence.text)
    assert "IED" not in sentence.text and "Weapons" not in sentence.text


def test_empty_selection_says_so_instead_of_zero_percent(ds):
    f = Filters(countries=("IRQ",), year=1999)
    by_key = {s.key: s for s in narrative(ds, f, TODAY, "en")}
    assert by_key["funding"].numbers["required_usd"] is None
    assert by_key["funding"].text == "No funding requirement is reported for this selection."
    assert by_key["results"].text == "No indicator value is reported for this selection."


@pytest.mark.parametrize(("lang", "presence"), [
    ("fr", "1 organisation est active dans 1 pays."),
    ("en", "1 organisation is active in 1 country."),
])
def test_one_organisation_is_told_in_the_singular(ds, lang, presence):
    # French plural rules (Babel's CLDR data): 0 and 1 are singular, 2 is plural.
    sentences = {s.key: s.text for s in narrative(ds, Filters(countries=("CAF",), org="UNMAS"),
                                                  TODAY, lang)}
    assert sentences["presence"] == presence
    many = {s.key: s.text for s in narrative(ds, Filters(countries=("CAF",)), TODAY, lang)}
    assert many["presence"].startswith("2 organisation")
    assert (" sont actives " if lang == "fr" else " are active ") in many["presence"]

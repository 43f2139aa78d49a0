"""URL <-> Filters, without a running app; Markdown escaping of data-built labels."""

from __future__ import annotations

import pandas as pd

from maaor.dataset import Dataset, conform
from maaor.filters import (
    FILTER_PARAMS,
    Filters,
    filter_options,
    filters_from_params,
    has_filter_params,
    language_from_params,
    params_for_tables,
    params_from_filters,
    query_string,
    restrict,
    version_from_params,
)
from maaor.ui.safe import md_escape


def test_round_trip_of_every_filter():
    f = Filters(
        countries=("IRQ", "SYR"), pillars=("eore", "land_release"), org_types=("ingo",),
        presence_statuses=("active",), objectives=("1", "4"), statuses=("delayed", "not_reported"),
        leads=("UNMAS",), partners=("Humanity & Inclusion", "MAG"), year=2021, org="HALO Trust",
        emergency="central-sahel",
    )
    params = params_from_filters(f)
    assert set(params) == set(FILTER_PARAMS)
    assert filters_from_params(params) == f


def test_parsing_cleans_what_a_link_may_hold():
    f = filters_from_params({
        "country": ["irq", "IRQ", "Iraq", "<script>", "SYR"],
        "pillar": ["eore", "made_up"],
        "status": ["not_reported", "ongoing"],
        "year": "20x1",
        "org": "  MAG\x00 ",
        "lead": ["B", "A"],
    })
    assert f.countries == ("IRQ", "SYR")
    assert f.pillars == ("eore",)
    assert f.statuses == ("not_reported", "ongoing")
    assert f.year is None
    assert f.org == "MAG"
    assert f.leads == ("A", "B")  # sorted: one selection, one cache key
    assert filters_from_params({"year": "1850"}).year is None
    assert filters_from_params({"year": "2022"}).year == 2022
    assert filters_from_params({}) == Filters()


def test_empty_filters_give_no_parameters():
    assert params_from_filters(Filters()) == {}
    assert not has_filter_params({"lang": "fr", "v": "2", "activity": "1.3.2"})
    assert has_filter_params({"country": ["IRQ"]})


def test_language_and_version_parameters():
    assert language_from_params({"lang": "FR"}) == "fr"
    assert language_from_params({"lang": "de"}) is None
    assert language_from_params({}) is None
    assert version_from_params({"v": "3"}) == 3
    assert version_from_params({"v": "-1"}) is None
    assert version_from_params({"v": "x"}) is None


def test_query_string_repeats_keys_and_encodes():
    qs = query_string({"country": ["IRQ", "SYR"], "org": ["Humanity & Inclusion"]})
    assert qs == "country=IRQ&country=SYR&org=Humanity+%26+Inclusion"


def test_widgets_shown_follow_the_tables_a_page_draws():
    # an emergency sets the countries: every table filtered by country follows it
    assert params_for_tables(["indicators"]) == ["emergency", "country", "year"]
    assert params_for_tables(["workplan"]) == ["objective", "status", "lead", "partner",
                                               "year", "org"]
    assert set(params_for_tables(["workplan", "presence", "funding"])) == set(FILTER_PARAMS)


def small_dataset() -> Dataset:
    wp = conform("workplan", pd.DataFrame({
        "objective_id": ["1", "1", "2"], "objective": ["Field", "Field", "Advocacy"],
        "output_id": ["1.1", "1.1", "2.1"], "activity_id": ["1.1.1", "1.1.2", "2.1.1"],
        "activity": ["a", "b", "c"], "leads": ["UNMAS", "UNMAS; MAG", None],
        "partners": ["GICHD", None, "HALO Trust"],
        "start": pd.to_datetime(["2018-01-01", None, "2019-05-01"]),
        "due": pd.to_datetime(["2018-12-31", None, "2020-02-01"]),
    }))
    presence = conform("presence", pd.DataFrame({
        "org": ["DRC", "HALO Trust"], "country_iso3": ["AFG", "IRQ"],
        "start": pd.to_datetime(["2021-03-01", None]), "end": pd.to_datetime([None, None]),
    }))
    funding = conform("funding", pd.DataFrame({"country_iso3": ["SSD"], "year": [2022]}))
    return Dataset({"workplan": wp, "presence": presence, "funding": funding})


def test_options_come_from_the_dataset():
    options = filter_options(small_dataset())
    assert options.country == ("AFG", "IRQ", "SSD")
    assert options.objective == (("1", "Field"), ("2", "Advocacy"))
    assert options.lead == ("MAG", "UNMAS")
    assert options.partner == ("GICHD", "HALO Trust")
    assert options.org == ("DRC", "GICHD", "HALO Trust", "MAG", "UNMAS")
    assert options.year == (2018, 2019, 2020, 2021, 2022)
    assert "not_reported" in options.status and "eore" in options.pillar


def test_restrict_drops_values_the_data_cannot_offer():
    options = filter_options(small_dataset())
    f = Filters(countries=("AFG", "ZZZ"), objectives=("9",), year=1999, org="Nobody",
                leads=("UNMAS",))
    assert restrict(f, options) == Filters(countries=("AFG",), leads=("UNMAS",))


def test_md_escape_disarms_markdown_and_html():
    assert md_escape("[x](javascript:alert(1))") == r"\[x\]\(javascript\:alert\(1\)\)"
    assert md_escape("![t](http://tracker/p.png)").startswith(r"\!\[")
    assert md_escape(":red[alarm]") == r"\:red\[alarm\]"
    assert md_escape("<img src=x onerror=alert(1)>").startswith(r"\<img")
    assert md_escape("# Title\n- item") == r"\# Title \- item"
    assert md_escape("Humanity & Inclusion") == r"Humanity \& Inclusion"
    assert md_escape("$x$") == r"\$x\$"
    assert md_escape(None) == "" and md_escape(float("nan")) == "" and md_escape(pd.NA) == ""
    assert md_escape("HALO Trust") == "HALO Trust"

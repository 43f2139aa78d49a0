from dataclasses import replace

import pandas as pd

from maaor.dataset import conform, empty_table
from maaor.filters import (
    FilterOptions,
    Filters,
    choices,
    countries_only,
    country_scope,
    describe,
    filter_fts,
    filter_funding,
    filter_indicators,
    filter_mechanisms,
    filter_presence,
    filter_workplan,
    filters_from_params,
    has_filter_params,
    option_label,
    params_from_filters,
    presence_emergency_ids,
    relevant,
    restrict,
)
from tests.figures_data import funding, presence, workplan


def _ids(wp):
    return wp["activity_id"].tolist()


def _rows(frame):
    return frame["_row"].tolist()


def test_filters_are_hashable_cache_keys():
    a = Filters(countries=("AFG",), year=2020)
    b = Filters(countries=("AFG",), year=2020)
    assert a == b and hash(a) == hash(b)
    assert {a: 1}[b] == 1
    assert Filters() != a


def test_empty_filters_keep_everything():
    assert len(filter_workplan(workplan(), Filters())) == 5
    assert len(filter_presence(presence(), Filters())) == 9
    assert len(filter_funding(funding(), Filters())) == 4


def test_filter_workplan_dimensions():
    wp = workplan()
    assert _ids(filter_workplan(wp, Filters(objectives=("1",)))) == ["1.1.1", "1.1.2", "1.2.1"]
    assert _ids(filter_workplan(wp, Filters(statuses=("completed",)))) == ["1.1.1", "2.1.1"]
    assert _ids(filter_workplan(wp, Filters(statuses=("not_reported", "delayed")))) == [
        "1.2.1", "10.1.1"]
    # "MAG; HALO Trust" is two leads
    assert _ids(filter_workplan(wp, Filters(leads=("HALO Trust",)))) == ["1.2.1"]
    assert _ids(filter_workplan(wp, Filters(leads=("UNMAS",)))) == ["1.1.1", "10.1.1"]
    assert _ids(filter_workplan(wp, Filters(partners=("UNMAS",)))) == ["1.2.1"]
    assert _ids(filter_workplan(wp, Filters(org="HALO Trust"))) == ["1.2.1", "10.1.1"]
    # the work plan has no country: a country filter leaves it whole
    assert len(filter_workplan(wp, Filters(countries=("AFG",), pillars=("eore",)))) == 5


def test_filter_workplan_year_keeps_undated():
    wp = workplan()
    # 2.1.1 runs in 2020; 1.2.1 has no dates and stays
    assert _ids(filter_workplan(wp, Filters(year=2019))) == ["1.1.1", "1.1.2", "1.2.1",
                                                             "10.1.1"]
    assert _ids(filter_workplan(wp, Filters(year=2018))) == ["1.1.1", "1.2.1"]
    assert _ids(filter_workplan(wp, Filters(objectives=("1",), year=2018,
                                            statuses=("completed",)))) == ["1.1.1"]


def test_filter_presence_dimensions():
    p = presence()
    assert _rows(filter_presence(p, Filters(countries=("IRQ",)))) == [6, 7, 8]
    assert _rows(filter_presence(p, Filters(pillars=("eore",)))) == [4, 5, 6, 9, 10]
    assert _rows(filter_presence(p, Filters(org_types=("un",)))) == [5, 7]
    # no status counts as active
    assert _rows(filter_presence(p, Filters(presence_statuses=("active",)))) == [
        2, 3, 4, 7, 8, 9, 10]
    assert _rows(filter_presence(p, Filters(presence_statuses=("planned",)))) == [5]
    assert _rows(filter_presence(p, Filters(org="MAG"))) == [4, 10]
    assert _rows(filter_presence(p, Filters(countries=("AFG",), pillars=("eore",),
                                            presence_statuses=("active",)))) == [4, 9, 10]


def test_filter_presence_year_overlap():
    p = conform(
        "presence",
        pd.DataFrame(
            {
                "org": ["A", "B", "C", "D"],
                "start": pd.to_datetime(["2019-06-01", "2021-01-01", None, None]),
                "end": pd.to_datetime(["2020-03-31", None, "2019-12-31", None]),
                "_row": [2, 3, 4, 5],
            }
        ),
    )
    assert _rows(filter_presence(p, Filters(year=2020))) == [2, 5]
    assert _rows(filter_presence(p, Filters(year=2019))) == [2, 4, 5]
    assert _rows(filter_presence(p, Filters(year=2022))) == [3, 5]


def test_filter_funding():
    f = funding()
    assert filter_funding(f, Filters(countries=("AFG",)))["channel"].tolist() == ["hrp",
                                                                                  "cerf"]
    # the global row (no country) is the only 2021 row
    assert filter_funding(f, Filters(year=2021))["channel"].tolist() == ["vtf"]
    assert filter_funding(f, Filters(countries=("AFG",), year=2021)).empty
    assert len(filter_funding(f, Filters(pillars=("eore",)))) == 2
    assert len(filter_funding(f, Filters(org_types=("un",)))) == 4


def test_filter_fts_and_indicators():
    fts = conform("fts", pd.DataFrame({"country_iso3": ["AFG", "AFG", "PSE"],
                                       "year": [2019, 2020, 2020]}))
    assert len(filter_fts(fts, Filters(countries=("AFG",)))) == 2
    assert filter_fts(fts, Filters(year=2020))["country_iso3"].tolist() == ["AFG", "PSE"]
    ind = conform(
        "indicators",
        pd.DataFrame(
            {
                "indicator_id": ["a", "b", "c", "d"],
                "country_iso3": ["AFG", None, "IRQ", "AFG"],
                "year": [2020, 2020, None, None],
                "as_of": pd.to_datetime([None, None, "2020-06-30", None]),
            }
        ),
    )
    # c has no year but was measured in 2020; d has neither and cannot be placed
    assert filter_indicators(ind, Filters(year=2020))["indicator_id"].tolist() == ["a", "b",
                                                                                  "c"]
    # b is global: not part of a country selection
    assert filter_indicators(ind, Filters(countries=("AFG",)))["indicator_id"].tolist() == [
        "a", "d"]


def test_filters_on_empty_tables():
    f = Filters(countries=("AFG",), pillars=("eore",), org_types=("un",),
                presence_statuses=("active",), objectives=("1",), statuses=("ongoing",),
                leads=("UNMAS",), partners=("MAG",), year=2020, org="UNMAS")
    assert filter_workplan(empty_table("workplan"), f).empty
    assert filter_presence(empty_table("presence"), f).empty
    assert filter_funding(empty_table("funding"), f).empty
    assert filter_fts(empty_table("fts"), f).empty
    assert filter_indicators(empty_table("indicators"), f).empty


def test_reused_filter_results_are_the_rows_filtering_gives_and_stay_bounded():
    """Filtering keeps row positions per value and recent results per table: the rows are
    those the plain filter gives, for combinations of every presence filter, and the
    results kept never hold more rows than the table."""
    import itertools

    import pandas.testing as pdt

    from maaor import filters as flt
    from maaor.bundled import load_default

    presence = load_default().dataset.presence.copy()
    countries = tuple(presence["country_iso3"].dropna().unique()[:3])
    pillars = tuple(presence["pillar"].dropna().unique()[:2])
    combos = [flt.Filters(countries=c, pillars=p, presence_statuses=s, year=y)
              for c, p, s, y in itertools.product(
                  [(), countries[:1], countries, ("ZZZ",)], [(), pillars[:1]],
                  [(), ("active",), ("planned", "completed")], [None, 2024])]
    for f in combos * 2:  # the second pass is served from what was kept
        got = flt.filter_presence(presence, f)
        pdt.assert_frame_equal(got, flt.filter_presence.uncached(presence, f))
        kept = flt._memo(presence).results
        assert len(kept) <= flt.MEMO_RESULTS
        assert sum(len(r) for r in kept.values()) <= max(len(presence), len(got))
    # a returned frame changed by its caller does not change what the next caller gets
    f = flt.Filters(countries=countries[:1])
    first = flt.filter_presence(presence, f)
    first.loc[first.index[0], "org"] = "changed"
    assert "changed" not in set(flt.filter_presence(presence, f)["org"])
    # positions per value cover exactly the rows of that value
    positions = flt.value_positions(presence, "country_iso3")
    for code in countries:
        assert list(positions[code]) == list(
            (presence["country_iso3"] == code).fillna(False).to_numpy().nonzero()[0])


def test_a_filter_a_table_lacks_leaves_its_rows_so_results_are_shared_by_relevant_filters():
    """Kept results are keyed by the filters that change a table (``relevant``); every
    other filter must leave the table's rows as they are."""
    import dataclasses

    import pandas.testing as pdt

    from maaor import filters as flt
    from maaor.bundled import load_default

    ds = load_default().dataset
    every = flt.Filters(countries=("AFG",), pillars=("mrm",), org_types=("ngo",),
                        presence_statuses=("planned",), objectives=("1",),
                        statuses=("ongoing",), leads=("UNMAS",), partners=("UNMAS",),
                        year=2024, org="UNMAS")
    fields = {**flt.MULTI_PARAMS, **flt.SINGLE_PARAMS}
    for table, func in (("workplan", flt.filter_workplan), ("presence", flt.filter_presence),
                        ("funding", flt.filter_funding), ("fts", flt.filter_fts),
                        ("indicators", flt.filter_indicators)):
        frame = ds.tables[table]
        mine = {fields[p] for p in flt.TABLE_PARAMS[table]}
        others = {f.name: getattr(every, f.name) for f in dataclasses.fields(flt.Filters)
                  if f.name not in mine}
        assert flt.relevant(flt.Filters(**others), table) == flt.relevant(flt.Filters(), table)
        pdt.assert_frame_equal(func.uncached(frame, flt.Filters(**others)),
                               func.uncached(frame, flt.Filters()))


def test_kept_computes_once_for_viewers_asking_at_once():
    import threading
    import time

    from maaor import filters as flt

    frame = pd.DataFrame({"a": range(10)})
    calls = []

    def compute():
        calls.append(1)
        time.sleep(0.05)  # long enough for every thread to ask while it runs
        return len(calls)

    results = []
    threads = [threading.Thread(target=lambda: results.append(
        flt.kept(frame, ("same",), compute))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [1] and results == [1] * 8
    # bounded: older keys are dropped
    for i in range(flt.MEMO_DERIVED + 5):
        flt.kept(frame, ("k", i), lambda i=i: i)
    assert len(flt._memo(frame).derived) == flt.MEMO_DERIVED


def _sahel_presence():
    """Four 4W rows: Burkina Faso, Niger, Nigeria and Iraq."""
    return conform("presence", pd.DataFrame({
        "org": ["A", "B", "C", "D"],
        "country_iso3": ["BFA", "NER", "NGA", "IRQ"],
        "pillar": ["eore", "land_release", "eore", "eore"],
        "_row": [2, 3, 4, 5],
    }))


def test_an_emergency_sets_the_countries_of_every_table_filtered_by_country():
    p = _sahel_presence()
    # Central Sahel is BFA, MLI and NER; Lake Chad Basin is NGA, NER, TCD and CMR
    assert country_scope(Filters(emergency="central-sahel")) == ("BFA", "MLI", "NER")
    assert _rows(filter_presence(p, Filters(emergency="central-sahel"))) == [2, 3]
    assert _rows(filter_presence(p, Filters(emergency="lake-chad-basin"))) == [3, 4]
    # the emergency's countries intersected with the chosen ones
    assert _rows(filter_presence(p, Filters(emergency="central-sahel", countries=("NER",)))) == [3]
    assert filter_presence(p, Filters(emergency="central-sahel", countries=("IRQ",))).empty
    assert filter_presence(p, Filters(emergency="no-such-emergency")).empty
    assert _rows(filter_presence(p, Filters(emergency="central-sahel", pillars=("eore",)))) == [2]
    mech = conform("mechanisms", pd.DataFrame({"country_iso3": ["MLI", "IRQ"], "name": ["a", "b"]}))
    assert filter_mechanisms(mech, Filters(emergency="central-sahel"))["name"].tolist() == ["a"]
    fund = conform("funding", pd.DataFrame({"country_iso3": ["MLI", None], "year": [2024, 2024]}))
    assert filter_funding(fund, Filters(emergency="central-sahel"))["country_iso3"].tolist() == ["MLI"]
    fts = conform("fts", pd.DataFrame({"country_iso3": ["NER", "SYR"], "year": [2024, 2024]}))
    assert filter_fts(fts, Filters(emergency="central-sahel"))["country_iso3"].tolist() == ["NER"]
    ind = conform("indicators", pd.DataFrame({"indicator_id": ["a", "b"],
                                              "country_iso3": ["BFA", "AFG"]}))
    assert filter_indicators(ind, Filters(emergency="central-sahel"))["indicator_id"].tolist() == ["a"]
    # the work plan has no country: an emergency leaves it whole
    assert len(filter_workplan(workplan(), Filters(emergency="central-sahel"))) == 5


def test_the_emergency_is_part_of_the_cache_key_of_the_tables_it_changes():
    f = Filters(emergency="central-sahel")
    assert relevant(f, "presence") != relevant(Filters(), "presence")
    assert relevant(f, "mechanisms") != relevant(Filters(), "mechanisms")
    assert relevant(f, "workplan") == relevant(Filters(), "workplan")
    assert not countries_only(replace(f, countries=("NER",)), "presence")
    p = _sahel_presence()
    # the same table filtered under two emergencies gives each its own rows (not a stale result)
    assert _rows(filter_presence(p, Filters(emergency="central-sahel"))) == [2, 3]
    assert _rows(filter_presence(p, Filters(emergency="lake-chad-basin"))) == [3, 4]


def test_the_emergency_travels_in_the_url_and_narrows_the_country_choices():
    f = filters_from_params({"emergency": ["central-sahel"], "country": ["ner", "IRQ"]})
    assert f.emergency == "central-sahel" and f.countries == ("IRQ", "NER")
    assert params_from_filters(f)["emergency"] == ["central-sahel"]
    assert filters_from_params(params_from_filters(f)) == f
    assert filters_from_params({"emergency": ["<script>"]}).emergency is None
    assert has_filter_params({"emergency": ["syria"]})
    options = FilterOptions(country=("BFA", "IRQ", "NER"), emergency=("central-sahel", "iraq"))
    # a country outside the emergency is dropped, as the country widget cannot show it
    assert restrict(f, options) == Filters(emergency="central-sahel", countries=("NER",))
    assert choices("country", options, "central-sahel") == ("BFA", "NER")
    assert choices("country", options, None) == ("BFA", "IRQ", "NER")
    # an emergency the data has no country of is not offered, so a link naming it is dropped
    assert restrict(Filters(emergency="ukraine"), options) == Filters()


def test_an_emergency_reads_in_the_page_language():
    f = Filters(emergency="central-sahel")
    assert describe(f, "en") == "Emergency: Central Sahel crisis"
    assert describe(f, "fr").endswith("Crise au Sahel central")
    assert option_label("emergency", "opt", "fr") == (
        "Réponse humanitaire dans le Territoire palestinien occupé")


def test_a_row_naming_another_emergency_of_its_country_is_not_in_this_one():
    p = conform("presence", pd.DataFrame({
        "org": ["A", "B", "C", "D"],
        "country_iso3": ["NER", "NER", "NER", "BFA"],
        # B names its emergency; C cannot be linked (Niger is in two emergencies);
        # D is linked by its country (Burkina Faso's only emergency)
        "emergency": ["Central Sahel", "Bassin du lac Tchad", None, None],
        "_row": [2, 3, 4, 5],
    }))
    assert presence_emergency_ids(p).tolist()[:2] == ["central-sahel", "lake-chad-basin"]
    assert pd.isna(presence_emergency_ids(p).iloc[2])
    assert presence_emergency_ids(p).iloc[3] == "central-sahel"
    assert _rows(filter_presence(p, Filters(emergency="central-sahel"))) == [2, 4, 5]
    assert _rows(filter_presence(p, Filters(emergency="lake-chad-basin"))) == [3, 4]
    # without an emergency the rows are all there
    assert _rows(filter_presence(p, Filters(countries=("NER",)))) == [2, 3, 4]


def test_funding_and_mechanisms_follow_their_countrys_only_active_emergency():
    # Syria: the conflict (2011-) and the 2023 earthquake. A 2021 row can only be the
    # conflict's; a 2023 row could be either, so it stays in both.
    fund = conform("funding", pd.DataFrame({"country_iso3": ["SYR", "SYR", "SYR"],
                                            "year": [2021, 2023, None], "_row": [2, 3, 4]}))
    assert _rows(filter_funding(fund, Filters(emergency="syria"))) == [2, 3, 4]
    assert _rows(filter_funding(fund, Filters(emergency="nw-syria-earthquake"))) == [3, 4]
    # a mechanism has no year: Syria's mechanism belongs to both; Iraq's (Iraq crisis and
    # Syria regional response) to both of its own
    mech = conform("mechanisms", pd.DataFrame({"country_iso3": ["SYR", "IRQ", "AFG"],
                                               "name": ["s", "i", "a"]}))
    assert filter_mechanisms(mech, Filters(emergency="nw-syria-earthquake"))["name"].tolist() == ["s"]
    assert filter_mechanisms(mech, Filters(emergency="syria-regional"))["name"].tolist() == ["i"]
    assert filter_mechanisms(mech, Filters(emergency="afghanistan"))["name"].tolist() == ["a"]

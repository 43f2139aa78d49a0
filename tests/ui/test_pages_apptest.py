"""AppTest of the browsing pages on the bundled data, in a temporary SQLite store.

Every page renders without an exception; a filter change shows exactly what the
``maaor`` figure function returns for that filter (the expected values are computed
here with the figure functions); filters live in the URL and carry across pages.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pandas as pd
import pytest
from streamlit.delta_generator import DeltaGenerator
from streamlit.testing.v1 import AppTest

from maaor import service
from maaor.dataset import Dataset
from maaor.figures.funding import funding_headline
from maaor.figures.gaps import all_flags
from maaor.figures.overview import overview_headline
from maaor.figures.presence import orgs_by_country, presence_headline
from maaor.figures.progress import workplan_headline
from maaor.figures.results import indicator_progress, results_by_objective
from maaor.filters import (
    Filters,
    filter_funding,
    filter_indicators,
    filter_presence,
    filter_workplan,
)
from maaor.glossary import GLOSSARY
from maaor.i18n import fmt_money, fmt_number, fmt_percent, t
from maaor.ui import registry
from maaor.ui.widgets import PAGE_ROWS
from tests.conftest import bundled_app_store
from tests.paths import ROOT

APP = str(ROOT / "app.py")
# The browsing pages (the Coordinator and Present pages have their own AppTests).
PAGES = {p.path: p.title_key for p in registry.PAGES
         if not p.coordinator_only and not p.presenting}


@pytest.fixture(scope="module")
def version(tmp_path_factory):
    """A fresh SQLite store bootstrapped with the bundled data (never ``var/``)."""
    with bundled_app_store(tmp_path_factory.mktemp("store")) as svc:
        yield svc.current_version()


@pytest.fixture(scope="module")
def ds(version) -> Dataset:
    """The dataset the public pages show (no sensitive columns)."""
    return service.load_dataset(version).without_sensitive()


def open_page(page: str, **query: str | list[str]) -> AppTest:
    """Run ``page`` through app.py (as the browser would reach it) with a query string."""
    at = AppTest.from_file(APP, default_timeout=120)
    if page != "app.py":
        at.switch_page(page)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def table_with(at: AppTest, *columns: str):
    """The first table shown whose columns include ``columns`` (as a DataFrame)."""
    for frame in at.dataframe:
        value = frame.value
        if set(columns) <= set(value.columns):
            return value
    raise AssertionError(f"no table with columns {columns}")


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_renders_on_the_bundled_data(version, page):
    at = open_page(page)
    assert_clean(at)
    assert at.title[0].value == t(PAGES[page], "en")
    assert any(f"Data version {version}" in c.value for c in at.caption)
    assert any("Illustrative data" in w.value for w in at.warning)


def test_overview_country_filter_shows_the_overview_figures(ds, version):
    at = open_page("app.py")
    before = metrics(at)
    at.multiselect(key="flt_country").set_value(["IRQ"]).run()
    assert_clean(at)
    today = dt.date.today()
    want = overview_headline(ds, Filters(countries=("IRQ",)), today)
    shown = metrics(at)
    # issue 11: tiles carry glossary labels; "active organisations" is not "organisations"
    label = {k: GLOSSARY[k].label("en") for k in want}
    assert shown[label["active_organisations"]] == fmt_number(want["active_organisations"], "en")
    assert shown[label["countries_with_mechanism"]] == fmt_number(
        want["countries_with_mechanism"], "en")
    assert shown[label["required_usd"]] == fmt_money(want["required_usd"], "en")
    assert shown[label["funded_against_requirement_usd"]] == fmt_money(
        want["funded_against_requirement_usd"], "en")
    assert shown[label["activities_flagged"]] == fmt_number(want["activities_flagged"], "en")
    assert shown[label["countries_with_mechanism"]] != before[label["countries_with_mechanism"]]
    assert at.query_params["country"] in ("IRQ", ["IRQ"])


def test_work_plan_status_filter(ds):
    at = open_page("pages/1_Work_plan.py")
    at.multiselect(key="flt_status").set_value(["delayed"]).run()
    assert_clean(at)
    want = workplan_headline(filter_workplan(ds.workplan, Filters(statuses=("delayed",))),
                             dt.date.today())
    shown = metrics(at)
    assert shown[GLOSSARY["activities"].label("en")] == fmt_number(want["activities"], "en")
    assert shown[GLOSSARY["mean_progress"].label("en")] == fmt_percent(want["mean_progress"],
                                                                       "en")
    assert want["activities"] < len(ds.workplan)


def test_work_plan_activity_detail_opens_from_the_link(ds):
    activity = str(ds.workplan["activity_id"].iloc[3])
    at = open_page("pages/1_Work_plan.py", activity=activity)
    assert_clean(at)
    assert at.selectbox(key="url_activity").value == activity
    detail = table_with(at, "Field", "Value")
    values = dict(zip(detail.iloc[:, 0], detail.iloc[:, 1], strict=True))
    assert values["Activity no."] == activity


def test_presence_country_from_the_url_drives_figures_and_map(ds):
    at = open_page("pages/2_Presence.py", country="AFG")
    assert_clean(at)
    assert at.multiselect(key="flt_country").value == ["AFG"]
    f = Filters(countries=("AFG",))
    rows = filter_presence(ds.presence, f)
    want = presence_headline(rows, ds.mechanisms.loc[ds.mechanisms["country_iso3"] == "AFG"])
    shown = metrics(at)
    assert shown[GLOSSARY["countries_present"].label("en")] == "1"
    assert shown[GLOSSARY["active_organisations"].label("en")] == fmt_number(
        want["active_organisations"], "en")
    assert shown[GLOSSARY["presence_rows"].label("en")] == fmt_number(want["rows"], "en")
    import json

    deck = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    features = deck["layers"][0]["data"]["features"]
    counts = {f["properties"]["iso3"]: f["properties"]["organisations"] for f in features}
    expected = orgs_by_country(rows).set_index("country_iso3")["organisations"]
    assert counts["AFG"] == int(expected["AFG"])
    assert counts["IRQ"] == 0


def test_presence_map_shades_admin1_areas_by_distinct_active_organisations(ds):
    """The Presence map of Syria has the admin-1 layer: each area's count is the number
    of distinct active organisations of the rows naming it (looked up row by row in the
    gazetteer here), areas without presence are grey, and the legend says so."""
    import json

    from maaor import gazetteer, maps
    from maaor.figures.common import active_mask

    at = open_page("pages/2_Presence.py", country="SYR")
    assert_clean(at)
    deck = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    layer = next(lay for lay in deck["layers"] if lay.get("id") == "admin1-areas")
    shown = {f["properties"]["pcode"]: f["properties"] for f in layer["data"]["features"]}
    rows = filter_presence(ds.presence, Filters(countries=("SYR",)))
    rows = rows.loc[active_mask(rows) & rows["admin1"].notna()]
    expected: dict[str, set] = {}
    for org, code, name in zip(rows["org"], rows["admin1_code"], rows["admin1"], strict=True):
        unit = gazetteer.lookup("SYR", code if isinstance(code, str) else name).unit
        expected.setdefault(unit.pcode, set()).add(org)
    assert expected  # the bundled 4W names Syrian areas
    assert {p: v["organisations"] for p, v in shown.items() if v["organisations"]} == \
        {p: len(orgs) for p, orgs in expected.items()}
    empty = [v for p, v in shown.items() if p not in expected]
    assert empty and all(v["fill"] == list(maps.NO_DATA_FILL) for v in empty)
    captions = " ".join(c.value for c in at.caption)
    assert t("presence.map.legend_admin1", "en") in captions


def test_gaps_country_filter_and_links(ds):
    at = open_page("pages/3_Gaps.py")
    at.multiselect(key="flt_country").set_value(["SSD"]).run()
    assert_clean(at)
    f = Filters(countries=("SSD",))
    filtered = Dataset(
        {**ds.tables,
         "workplan": filter_workplan(ds.workplan, f),
         "presence": filter_presence(ds.presence, f),
         "mechanisms": ds.mechanisms.loc[ds.mechanisms["country_iso3"] == "SSD"]},
        ds.meta,
    )
    want = all_flags(filtered, dt.date.today())
    shown = metrics(at)
    assert shown[GLOSSARY["flags"].label("en")] == fmt_number(len(want), "en")
    assert shown[GLOSSARY["country_flags"].label("en")] == fmt_number(
        int((want["scope"] == "country").sum()), "en")
    links = table_with(at, "Rule", "Activity no.")["Activity no."]
    assert links.str.startswith("Work_plan?activity=").all()
    country_links = table_with(at, "Rule", "Country code")["Country code"]
    assert len(country_links) == int((want["scope"] == "country").sum()) > 0
    assert set(country_links) == {"Presence?country=SSD"}
    # A table longer than a page shows its first page and says how many rows there are.
    activity_total = int((want["scope"] == "activity").sum())
    assert len(links) == min(activity_total, PAGE_ROWS) > 0
    assert any(c.value.endswith(f"of {fmt_number(activity_total, 'en')}") for c in at.caption) \
        or activity_total <= PAGE_ROWS


def test_long_table_shows_one_page_and_downloads_every_row(ds, monkeypatch):
    downloaded: dict[str, bytes] = {}
    real_button = DeltaGenerator.download_button

    def keep_download(self, label, data=None, *args, **kwargs):
        # The file the button would send (built here instead of on click).
        downloaded[kwargs["key"]] = data() if callable(data) else data
        return real_button(self, label, data, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", keep_download)
    want = all_flags(ds, dt.date.today())
    want = want.loc[want["scope"] == "activity"]
    total = len(want)
    assert PAGE_ROWS < total <= 2 * PAGE_ROWS  # the bundled data: two pages

    at = open_page("pages/3_Gaps.py")
    assert_clean(at)
    first = table_with(at, "Rule", "Activity no.")
    assert len(first) == PAGE_ROWS
    assert list(first["Activity no."]) == [f"Work_plan?activity={r}" for r in want["ref"][:PAGE_ROWS]]
    range_text = t("table.rows_range", "en", first="1", last=str(PAGE_ROWS), total=str(total))
    assert range_text in [c.value for c in at.caption]

    at.number_input(key="pg_activity_flags").set_value(2).run()
    assert_clean(at)
    second = table_with(at, "Rule", "Activity no.")
    assert len(second) == total - PAGE_ROWS
    assert list(second["Activity no."]) == [f"Work_plan?activity={r}" for r in want["ref"][PAGE_ROWS:]]
    assert t("table.rows_range", "en", first=str(PAGE_ROWS + 1), last=str(total),
             total=str(total)) in [c.value for c in at.caption]

    # Both downloads hold every row of the table, not the page shown.
    rows = list(csv.DictReader(io.StringIO(downloaded["dl_csv_activity_flags"].decode("utf-8-sig"))))
    assert [r["ref"] for r in rows] == [str(r) for r in want["ref"]]
    sheet = pd.read_excel(io.BytesIO(downloaded["dl_xlsx_activity_flags"]), engine="calamine",
                          sheet_name=0)
    assert len(sheet) == total


def test_funding_year_filter(ds):
    at = open_page("pages/4_Funding.py")
    year = int(ds.funding["year"].dropna().max())
    at.selectbox(key="flt_year").set_value(year).run()
    assert_clean(at)
    want = funding_headline(filter_funding(ds.funding, Filters(year=year)))
    shown = metrics(at)
    label = {k: GLOSSARY[k].label("en") for k in want}
    assert shown[label["required_usd"]] == fmt_money(want["required_usd"], "en")
    assert shown[label["funded_against_requirement_usd"]] == fmt_money(
        want["funded_against_requirement_usd"], "en")
    assert shown[label["funded_no_requirement_usd"]] == fmt_money(
        want["funded_no_requirement_usd"], "en")
    assert shown[label["pct_funded"]] == fmt_percent(want["pct_funded"], "en")
    assert at.query_params["year"] in (str(year), [str(year)])


def test_results_year_filter(ds):
    at = open_page("pages/5_Results.py")
    year = int(ds.indicators["year"].dropna().min())
    at.selectbox(key="flt_year").set_value(year).run()
    assert_clean(at)
    want = results_by_objective(
        indicator_progress(filter_indicators(ds.indicators, Filters(year=year)), dt.date.today())
    )
    table = table_with(at, "Objective", "On track", "Off track")
    assert list(table["On track"]) == [fmt_number(v, "en") for v in want["on_track"]]
    assert list(table["Off track"]) == [fmt_number(v, "en") for v in want["off_track"]]


def test_filters_carry_across_pages_and_return_to_the_url():
    at = open_page("pages/2_Presence.py")
    at.multiselect(key="flt_pillar").set_value(["eore"]).run()
    at.switch_page("pages/4_Funding.py")
    at.query_params.clear()
    at.run()
    assert_clean(at)
    assert at.multiselect(key="flt_pillar").value == ["eore"]
    assert at.query_params["pillar"] in ("eore", ["eore"])


def test_french_from_the_url(ds):
    at = open_page("pages/4_Funding.py", lang="fr")
    assert_clean(at)
    assert at.title[0].value == "Financement"
    want = funding_headline(ds.funding)
    assert metrics(at)["Financement requis"] == fmt_money(want["required_usd"], "fr")
    assert metrics(at)["Financement requis"].endswith("USD")


def test_pinned_version_and_missing_version(version):
    at = open_page("app.py", v=str(version))
    assert_clean(at)
    assert any("pinned by the link" in c.value for c in at.caption)
    at = open_page("app.py", v="999")
    assert not at.exception
    assert any("999 does not exist" in w.value for w in at.warning)


def test_emergency_from_the_url_sets_the_countries_and_says_the_emergency(ds):
    from maaor.figures.emergency import emergency_sentence, emergency_summary
    from maaor.figures.reached import reached_headline
    from maaor.ui.safe import md_escape

    at = open_page("pages/2_Presence.py", emergency="central-sahel")
    assert_clean(at)
    assert at.selectbox(key="flt_emergency").value == "central-sahel"
    # the country widget offers the emergency's countries only
    assert set(at.multiselect(key="flt_country").options) == {
        "Burkina Faso", "Mali", "Niger"}
    f = Filters(emergency="central-sahel")
    rows = filter_presence(ds.presence, f)
    sentence = emergency_sentence(emergency_summary(rows, "central-sahel"), "en")
    assert sentence.startswith("Central Sahel crisis: ")
    assert md_escape(sentence) in [m.value for m in at.markdown]
    shown = metrics(at)
    assert shown[GLOSSARY["countries_present"].label("en")] == "3"
    assert shown[GLOSSARY["people_reached"].label("en")] == fmt_number(
        reached_headline(rows)["reached_total"], "en")
    by_pillar = table_with(at, "Pillar", "People reached", "Women")
    assert len(by_pillar) == rows["pillar"].nunique(dropna=False)


def test_emergency_select_on_the_overview_writes_the_url_and_filters_the_tiles(ds):
    from maaor.figures.reached import reached_headline
    from maaor.ui.safe import md_escape

    at = open_page("app.py")
    label = GLOSSARY["people_reached"].label("en")
    everywhere = metrics(at)[label]
    assert everywhere == fmt_number(reached_headline(ds.presence)["reached_total"], "en")
    at.selectbox(key="flt_emergency").set_value("afghanistan").run()
    assert_clean(at)
    assert at.query_params["emergency"] in ("afghanistan", ["afghanistan"])
    want = overview_headline(ds, Filters(emergency="afghanistan"), dt.date.today())
    shown = metrics(at)
    assert shown[label] == fmt_number(want["people_reached"], "en") != everywhere
    assert shown[GLOSSARY["countries_present"].label("en")] == "1"
    assert any(m.value.startswith(md_escape("Afghanistan humanitarian response: "))
               for m in at.markdown)

"""Consistency harness (issue 11): one number per headline figure, whatever shows it.

Four datasets (the bundled data; a tidy plan typed in with nothing reported yet; the
bundled data cut to the Central Sahel countries; the bundled data with every other
funding requirement left blank) under several filter combinations. For each, the
glossary's one function (``maaor.figures.overview.headline_figures``) gives the
expected value of every headline figure, and every surface that shows one must show
that value:

* the Overview tiles (AppTest, on a store holding the dataset), the Work plan, Presence,
  Gaps and Funding pages and the Present page's headline slide (bundled data);
* the narrative sentences (their numbers and their text);
* the Present slides' big numbers, the funding and results charts;
* the PPTX (numbers text, message text, chart data);
* the XLSX data pack ("figures" sheet and the funding table);
* ``python -m maaor brief --json`` and ``validate --json``.

And the funding rule holds everywhere: gap = required - funded against the requirement
and coverage = funded against requirement / required, exactly in the numbers and to the
rounding shown in the texts.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from pptx import Presentation
from streamlit.testing.v1 import AppTest

from maaor.dataset import Dataset
from maaor.export.datapack import datapack_xlsx
from maaor.export.pptx import briefing_pptx
from maaor.figures.funding import funding_headline
from maaor.figures.narrative import narrative
from maaor.figures.overview import headline_figures
from maaor.filters import Filters
from maaor.glossary import FUNDING_IDS, GLOSSARY, OVERVIEW_ROWS, applies
from maaor.i18n import fmt_percent
from maaor.slides import slide_deck
from tests import figures_data
from tests.conftest import bundled_app_store
from tests.paths import ROOT

TODAY = dt.date.today()  # the pages' reference date
SAHEL = ("BFA", "MLI", "NER")
APP = str(ROOT / "app.py")


# ------------------------------------------------------------------------- datasets


def _bundled() -> Dataset:
    from maaor.bundled import load_default

    return load_default().dataset


def _tidy() -> Dataset:
    """A tidy plan typed in before anything was reported: no status, progress or date."""
    ds = figures_data.dataset()
    wp = ds.workplan.copy()
    for column in ("status", "progress"):
        wp[column] = pd.Series(np.nan, index=wp.index, dtype=wp[column].dtype)
    for column in ("start", "due", "last_update"):
        wp[column] = pd.NaT
    return Dataset({**ds.tables, "workplan": wp}, ds.meta)


def _subset(ds: Dataset, countries: tuple[str, ...]) -> Dataset:
    """Every country table cut to ``countries`` (the global work plan kept whole)."""
    tables = dict(ds.tables)
    for name in ("presence", "funding", "indicators", "mechanisms", "fts"):
        frame = ds.tables[name]
        tables[name] = frame.loc[frame["country_iso3"].isin(countries).fillna(False)]
    return Dataset(tables, ds.meta)


def _blank_requirements(ds: Dataset) -> Dataset:
    """Every other funding row with its requirement left blank (unknown, as in FTS)."""
    funding = ds.funding.copy()
    funding.loc[funding.index[::2], "required_usd"] = np.nan
    return Dataset({**ds.tables, "funding": funding}, ds.meta)


@pytest.fixture(scope="module")
def datasets() -> dict[str, Dataset]:
    bundled = _bundled()
    return {
        "bundled": bundled,
        "tidy": _tidy(),
        "sahel": _subset(bundled, SAHEL),
        "blank_req": _blank_requirements(bundled),
    }


# Filter combinations per dataset (values the dataset holds, so the page offers them).
FILTERS: dict[str, dict[str, Filters]] = {
    name: {
        "all": Filters(),
        "countries": Filters(countries=countries),
        "pillar": Filters(pillars=("eore",)),
        "objective": Filters(objectives=("1",)),
        "country_year": Filters(countries=countries[:1], year=2021),
    }
    for name, countries in (("bundled", SAHEL), ("tidy", ("AFG", "IRQ")), ("sahel", SAHEL),
                            ("blank_req", ("IRQ", "SYR")))
}
CASES = [(d, f) for d, combos in FILTERS.items() for f in combos]


def _same(shown, want) -> bool:
    if want is None or shown is None:
        return shown is None and want is None
    return shown == pytest.approx(want, rel=1e-12, abs=1e-9)


# --------------------------------------------------------------- the funding rule


_MONEY = re.compile(r"^(-?)USD (\d+(?:\.\d+)?)([KMB]?)$")
_UNITS = {"": 1.0, "K": 1e3, "M": 1e6, "B": 1e9}


def _money(text: str) -> tuple[float, float]:
    """(value, half of the last shown digit) of an English compact amount "USD 1.8B"."""
    match = _MONEY.match(text.replace(",", ""))
    assert match, text
    sign, number, unit = match.groups()
    decimals = len(number.split(".")[1]) if "." in number else 0
    scale = _UNITS[unit]
    value = float(number) * scale * (-1 if sign else 1)
    return value, 0.5 * 10 ** -decimals * scale


def check_funding_rule(values: dict) -> None:
    """gap = required - against, coverage = against / required; and to the rounding shown."""
    required, against = values["required_usd"], values["funded_against_requirement_usd"]
    if required is None:
        assert values["gap_usd"] is None and values["pct_funded"] is None
        return
    assert values["gap_usd"] == pytest.approx(required - (against or 0.0))
    if required:
        assert values["pct_funded"] == pytest.approx((against or 0.0) / required * 100)
    texts = {k: GLOSSARY[k].text(values[k], "en") for k in FUNDING_IDS}
    (r, er), (a, ea), (g, eg) = (_money(texts[k]) for k in
                                 ("required_usd", "funded_against_requirement_usd", "gap_usd"))
    assert abs(r - a - g) <= er + ea + eg, texts
    if required:
        assert texts["pct_funded"] == fmt_percent((against or 0.0) / required * 100, "en")
    if values["funded_no_requirement_usd"] is not None and values["funded_usd"] is not None:
        assert values["funded_usd"] == pytest.approx(
            (against or 0.0) + values["funded_no_requirement_usd"])


@pytest.mark.parametrize(("name", "combo"), CASES)
def test_funding_rule_holds(datasets, name, combo):
    check_funding_rule(headline_figures(datasets[name], FILTERS[name][combo], TODAY))


def test_the_bundled_figures_reconcile_as_the_issue_asked(datasets):
    # issue 11: "Required 1.8B, Funded 1.2B, Gap 746M, 59%" did not add up because
    # USD 176M of funding sat on rows with no stated requirement
    head = headline_figures(datasets["bundled"], Filters(), TODAY)
    assert head["required_usd"] == 1_809_143_000
    assert head["funded_against_requirement_usd"] == 1_062_821_000
    assert head["funded_no_requirement_usd"] == 176_092_000
    assert head["funded_usd"] == 1_238_913_000
    assert head["gap_usd"] == 1_809_143_000 - 1_062_821_000
    assert round(head["pct_funded"]) == 59
    # two figures that count different things have different labels
    assert (head["organisations"], head["active_organisations"]) == (25, 22)
    assert (head["countries_present"], head["countries_with_mechanism"]) == (19, 17)
    labels = [GLOSSARY[k].label("en") for k in ("organisations", "active_organisations",
                                                 "countries_present",
                                                 "countries_with_mechanism")]
    assert len(set(labels)) == 4
    # gaps only on expected pillars: no IED or WAM pair in 41, grouped in the sentence
    assert head["pillar_no_active_org"] == 6
    burkina = headline_figures(datasets["bundled"], Filters(countries=("BFA",)), TODAY)
    assert burkina["required_usd"] == 18_960_000
    assert burkina["gap_usd"] == pytest.approx(
        burkina["required_usd"] - burkina["funded_against_requirement_usd"])


def test_blank_requirement_is_unknown_not_zero(datasets):
    head = headline_figures(datasets["blank_req"], Filters(), TODAY)
    full = headline_figures(datasets["bundled"], Filters(), TODAY)
    assert head["required_usd"] < full["required_usd"]
    assert head["funded_no_requirement_usd"] > full["funded_no_requirement_usd"]
    assert head["funded_usd"] == pytest.approx(full["funded_usd"])  # no money lost
    funding = datasets["blank_req"].funding
    stated = funding["required_usd"].notna()
    assert head["funded_against_requirement_usd"] == pytest.approx(
        funding.loc[stated, "funded_usd"].fillna(0).sum())


# ------------------------------------------------------- narrative, slides, packs


# narrative sentence number -> glossary id
_SENTENCE_IDS = {"unfunded": "unfunded_activities", "on_track": "indicators_on_track",
                 "off_track": "indicators_off_track", "unknown": "indicators_unknown"}


@pytest.mark.parametrize(("name", "combo"), CASES)
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_narrative_slides_and_packs_show_the_glossary_values(datasets, name, combo, lang):
    ds, f = datasets[name], FILTERS[name][combo]
    want = headline_figures(ds, f, TODAY)

    # narrative: every number is the glossary value and is written as the glossary writes it
    for sentence in narrative(ds, f, TODAY, lang):
        for key, value in sentence.numbers.items():
            if key == "year":
                continue
            figure_id = _SENTENCE_IDS.get(key, key)
            assert _same(value, want[figure_id]), (sentence.key, key)

    slides = slide_deck(ds, f, TODAY, lang)
    by_key = {s.key: s for s in slides}
    for slide in slides:
        for number in slide.numbers:
            if number.key in GLOSSARY:
                assert _same(number.value, want[number.key]), (slide.key, number.key)
                assert number.text == GLOSSARY[number.key].text(want[number.key], lang)
                assert number.label == GLOSSARY[number.key].label(lang)
    # the headline slide hides what the filters do not reach, never shows it as filtered
    shown = [n.key for n in by_key["headline"].numbers]
    assert shown == [k for row in OVERVIEW_ROWS for k in row if applies(k, f)]
    # the funding table behind the chart adds up to the headline
    table = by_key["funding"].table
    for column in ("required_usd", "funded_against_requirement_usd",
                   "funded_no_requirement_usd"):
        total = table[column].sum(min_count=1)
        assert _same(None if pd.isna(total) else float(total), want[column]), column
    # the results chart draws the message's counts, per objective
    results = by_key["results"]
    drawn = {s.name: sum(v or 0 for v in s.values) for s in results.chart.series}
    for figure_id in ("indicators_on_track", "indicators_off_track", "indicators_unknown"):
        assert drawn[GLOSSARY[figure_id].label(lang)] == want[figure_id]
    assert all("Expected" not in s.name and "Attendu" not in s.name
               for s in results.chart.series)

    # PPTX: numbers, messages and chart data are the slides'
    deck = Presentation(io.BytesIO(briefing_pptx(slides, ds.meta, None, None, lang)))
    for slide, page in zip(slides, deck.slides, strict=True):
        shapes = {s.name: s for s in page.shapes}
        if slide.key != "title":
            assert shapes["message"].text_frame.text == slide.message
        for number in slide.numbers:
            box = shapes[f"number:{number.key}"]
            assert box.text_frame.paragraphs[0].text == number.text
            assert box.text_frame.paragraphs[1].text == number.label
        if slide.chart.kind == "bar" and slide.chart.categories:
            series = {s.name: tuple(s.values) for s in shapes["chart"].chart.plots[0].series}
            for spec in slide.chart.series:
                assert series[spec.name] == spec.values, (slide.key, spec.name)

    # XLSX data pack: the "figures" sheet holds every glossary value
    book = load_workbook(io.BytesIO(datapack_xlsx(slides)), read_only=True)
    rows = list(book["figures"].values)
    # The pack's headers are words of its language (issue 14), in this order: figure id,
    # name, value, unit, definition, filters that do not apply.
    assert len(rows[0]) == 6
    fid, name, value, _unit, definition, scope = range(6)
    packed = {r[fid]: r[value] for r in rows[1:]}
    assert set(packed) == set(GLOSSARY)
    for figure_id, wanted in want.items():
        # the pack rounds its values (maaor.export.datapack.readable): two decimals here
        shown = packed[figure_id]
        assert (shown is None and wanted is None) or (
            shown is not None and wanted is not None
            and shown == pytest.approx(round(float(wanted), 2), abs=1e-9)), figure_id
    for r in rows[1:]:
        figure_id = r[fid]
        assert r[name] == GLOSSARY[figure_id].label(lang)
        assert r[definition] == GLOSSARY[figure_id].help(lang)
        assert bool(r[scope]) == (not applies(figure_id, f))


def test_empty_states_say_what_is_missing(datasets):
    ds = datasets["tidy"]
    want = headline_figures(ds, Filters(), TODAY)
    assert want["activities"] == 5 and want["activities_with_status"] == 0
    assert want["pct_completed"] is None
    sentences = {s.key: s.text for s in narrative(ds, Filters(), TODAY, "en")}
    assert sentences["activities"] == ("The work plan counts 5 activities; no activity has a "
                                       "status yet, so none can be counted as completed.")
    assert "unknown" not in sentences["activities"]
    slides = {s.key: s for s in slide_deck(ds, Filters(), TODAY, "en")}
    pct = next(n for n in slides["progress"].numbers if n.key == "pct_completed")
    assert pct.text == "No activity has a status yet"
    assert slides["progress"].message.startswith("No activity of the 5 has a status yet")
    assert slides["results"].message == "No indicator value is reported for this selection."
    assert not slides["results"].chart.categories
    none = _subset(ds, ("UKR",))
    money = headline_figures(none, Filters(), TODAY)
    assert GLOSSARY["gap_usd"].text(money["gap_usd"], "en") == "No requirement stated"
    assert GLOSSARY["funded_usd"].text(money["funded_usd"], "fr") == "Aucun financement indiqué"


# ------------------------------------------------------------------ the CLI


def _env(store_path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("MAAOR_DATABASE_URL", None)
    env.pop("MAAOR_PUBLIC_PRESENCE_LEVEL", None)
    env["MAAOR_SQLITE_PATH"] = str(store_path)
    return env


def test_validate_json_funding_headline_is_the_glossary_rule(tmp_path, datasets):
    bundled = ROOT / "data" / "illustrative" / "funding.xlsx"
    for path, ds in ((bundled, datasets["bundled"]), (None, datasets["blank_req"])):
        if path is None:  # the blank-requirement funding, written as a CSV a user would
            path = tmp_path / "funding_blank.csv"
            frame = ds.funding[["country_iso3", "year", "donor", "channel", "pillar",
                                "required_usd", "funded_usd"]]
            frame.rename(columns={"country_iso3": "Country", "year": "Year",
                                  "donor": "Donor", "channel": "Channel", "pillar": "Pillar",
                                  "required_usd": "Required (USD)",
                                  "funded_usd": "Funded (USD)"}).to_csv(path, index=False)
        done = subprocess.run([sys.executable, "-m", "maaor", "validate", str(path), "--json"],
                              cwd=ROOT, env=_env(tmp_path / "unused.sqlite"),
                              capture_output=True, text=True, timeout=300)
        report = json.loads(done.stdout)
        (sheet,) = [s for s in report["files"][0]["sheets"] if s["kind"] == "funding"]
        want = funding_headline(ds.funding)
        for key in (*FUNDING_IDS, "funded_usd"):
            assert _same(sheet["headline"][key], want[key]), (path.name, key)
        check_funding_rule(sheet["headline"])


@pytest.fixture(scope="module")
def stores(tmp_path_factory, datasets):
    """One SQLite store per dataset, the dataset published as its current version."""
    out = {}
    for name, ds in datasets.items():
        directory = tmp_path_factory.mktemp(f"store_{name}")
        with bundled_app_store(directory) as svc:
            store = svc.open_store()
            if name != "bundled":
                store.publish(ds, [], by="harness", note=f"consistency harness: {name}")
            version = svc.current_version()
            out[name] = (directory / "maaor.sqlite", version,
                         svc.load_dataset(version).without_sensitive())
    return out


CLI_COMBOS = ("all", "countries", "country_year")


@pytest.mark.parametrize("name", list(FILTERS))
def test_brief_json_carries_the_glossary_values(tmp_path, stores, name):
    path, version, ds = stores[name]
    for combo in CLI_COMBOS:
        f = FILTERS[name][combo]
        args = ["brief", "--out", str(tmp_path / "pack.pptx"), "--json",
                *[a for c in f.countries for a in ("--country", c)],
                *(["--year", str(f.year)] if f.year else [])]
        done = subprocess.run([sys.executable, "-m", "maaor", *args], cwd=ROOT,
                              env=_env(path), capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)
        assert report["data_version"] == version
        want = headline_figures(ds, f, dt.date.today())
        assert set(report["figures"]) == set(want)
        for figure_id, value in want.items():
            entry = report["figures"][figure_id]
            assert _same(entry["value"], value), (combo, figure_id)
            assert entry["label"] == GLOSSARY[figure_id].label("en")
            assert entry["definition"] == GLOSSARY[figure_id].help("en")
            assert (entry["not_filtered_by"] == []) == applies(figure_id, f)
        check_funding_rule({k: report["figures"][k]["value"] for k in (*FUNDING_IDS,
                                                                      "funded_usd")})


# ------------------------------------------------------------------- the pages


def _apptest(page: str | None, f: Filters, **extra) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    if page:
        at.switch_page(page)
    params = {"country": list(f.countries), "pillar": list(f.pillars),
              "objective": list(f.objectives), **extra}
    if f.year is not None:
        params["year"] = str(f.year)
    for key, value in params.items():
        if value:
            at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _tiles(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _check_tiles(at: AppTest, ids, want: dict, lang: str = "en") -> None:
    tiles = _tiles(at)
    for figure_id in ids:
        entry = GLOSSARY[figure_id]
        assert tiles[entry.label(lang)] == entry.text(want[figure_id], lang), figure_id


@pytest.mark.parametrize("name", list(FILTERS))
def test_overview_tiles_are_the_glossary_values(stores, name):
    path, version, ds = stores[name]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MAAOR_SQLITE_PATH", str(path))
        import streamlit as st

        from maaor import service

        service.reset_for_tests()
        st.cache_data.clear()
        st.cache_resource.clear()
        try:
            for combo in ("all", "countries", "pillar", "objective"):
                f = FILTERS[name][combo]
                at = _apptest(None, f)
                want = headline_figures(ds, f, dt.date.today())
                _check_tiles(at, [k for row in OVERVIEW_ROWS for k in row], want)
                check_funding_rule(want)
        finally:
            service.reset_for_tests()
            st.cache_data.clear()
            st.cache_resource.clear()


def test_pages_and_present_show_the_glossary_values(stores):
    from maaor.glossary import BUDGET_IDS, GAPS_ROW, PRESENCE_ROW, WORKPLAN_ROW

    path, version, ds = stores["bundled"]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MAAOR_SQLITE_PATH", str(path))
        import streamlit as st

        from maaor import service

        service.reset_for_tests()
        st.cache_data.clear()
        st.cache_resource.clear()
        try:
            for combo in ("all", "countries"):
                f = FILTERS["bundled"][combo]
                want = headline_figures(ds, f, dt.date.today())
                for page, ids in (("pages/1_Work_plan.py", WORKPLAN_ROW),
                                  ("pages/2_Presence.py", PRESENCE_ROW),
                                  ("pages/3_Gaps.py", GAPS_ROW),
                                  ("pages/4_Funding.py", (*FUNDING_IDS, *BUDGET_IDS))):
                    _check_tiles(_apptest(page, f), ids, want)
                # the Present page's headline slide
                deck = slide_deck(ds, f, dt.date.today(), "en")
                at = _apptest("pages/7_Present.py", f, slide="2")
                from maaor.ui.safe import md_escape

                shown = _tiles(at)
                assert shown == {md_escape(n.label): n.text for n in deck[1].numbers}
                for number in deck[1].numbers:
                    assert number.text == GLOSSARY[number.key].text(want[number.key], "en")
        finally:
            service.reset_for_tests()
            st.cache_data.clear()
            st.cache_resource.clear()


def test_filters_that_do_not_apply_are_named_on_every_surface(datasets):
    f = replace(FILTERS["bundled"]["countries"])
    ds = datasets["bundled"]
    slides = {s.key: s for s in slide_deck(ds, f, TODAY, "en")}
    assert slides["progress"].message.endswith("AoR-wide, not filtered by country.")
    assert slides["unassigned"].message.endswith("AoR-wide, not filtered by country.")
    assert "AoR-wide" not in slides["funding"].message
    texts = {s.key: s.text for s in narrative(ds, f, TODAY, "fr")}
    assert "non filtré par pays" in texts["activities"]
    assert "non filtré par pays" not in texts["funding"]

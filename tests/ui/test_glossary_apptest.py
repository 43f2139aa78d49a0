"""AppTest: the Overview's tiles are glossary figures, say their scope and their definition.

Issue 11: with a country filter, the work-plan tiles (the global work plan has no
country) are marked "AoR-wide, not filtered by country" while the presence and funding
tiles follow the filter; every tile's help "?" is the glossary definition, in English
and in French.
"""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from maaor import service
from maaor.figures.overview import headline_figures
from maaor.filters import Filters
from maaor.glossary import GLOSSARY, OVERVIEW_ROWS, applies
from maaor.i18n import t
from maaor.ui.safe import md_escape
from tests.conftest import bundled_app_store
from tests.paths import ROOT

APP = str(ROOT / "app.py")
SAHEL = ("BFA", "MLI", "NER")


@pytest.fixture(scope="module")
def ds(tmp_path_factory):
    with bundled_app_store(tmp_path_factory.mktemp("store")) as svc:
        yield service.load_dataset(svc.current_version()).without_sensitive()


def _open(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _tiles(at: AppTest) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.help) for m in at.metric}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_overview_tiles_are_glossary_figures_with_their_definitions(ds, lang):
    at = _open(lang=lang)
    tiles = _tiles(at)
    want = headline_figures(ds, Filters(), dt.date.today())
    for row in OVERVIEW_ROWS:
        for figure_id in row:
            entry = GLOSSARY[figure_id]
            value, help_text = tiles[entry.label(lang)]
            assert value == entry.text(want[figure_id], lang), figure_id
            assert help_text == entry.help(lang), figure_id
    # unfiltered, nothing is out of scope
    assert not any(md_escape(t("scope.aor_wide", lang)) in c.value for c in at.caption)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_country_filter_marks_the_work_plan_tiles_aor_wide(ds, lang):
    at = _open(lang=lang)
    at.multiselect(key="flt_country").set_value(list(SAHEL)).run()
    assert not at.exception
    f = Filters(countries=SAHEL)
    want = headline_figures(ds, f, dt.date.today())
    tiles = _tiles(at)
    aor_wide = t("scope.aor_wide", lang)
    notes = [c.value for c in at.caption if md_escape(aor_wide) in c.value]
    work_plan = [fid for fid in OVERVIEW_ROWS[0] if not applies(fid, f)]
    assert work_plan == ["activities", "pct_completed", "activities_flagged"]
    # one note under the work-plan row names exactly its AoR-wide tiles
    names = ", ".join(GLOSSARY[fid].label(lang) for fid in work_plan)
    assert md_escape(f"{names}: {aor_wide}") in notes
    # the figures that follow the countries are filtered and carry no note
    for fid in ("activities_with_presence", "active_organisations", "countries_present",
                "required_usd", "gap_usd"):
        assert applies(fid, f)
        assert tiles[GLOSSARY[fid].label(lang)][0] == GLOSSARY[fid].text(want[fid], lang)
        assert not any(md_escape(GLOSSARY[fid].label(lang)) in n for n in notes)
    assert tiles[GLOSSARY["countries_present"].label(lang)][0] == "3"
    # the work-plan tiles show the AoR-wide numbers, as they are
    unfiltered = headline_figures(ds, Filters(), dt.date.today())
    assert want["activities"] == unfiltered["activities"]
    assert tiles[GLOSSARY["activities"].label(lang)][0] == GLOSSARY["activities"].text(
        unfiltered["activities"], lang)
    # the narrative says the same of its work-plan sentences
    narrative = " ".join(m.value for m in at.markdown)
    assert md_escape(aor_wide.rstrip(".")) in narrative


def test_funding_tiles_reconcile_and_keep_unstated_requirement_beside(ds):
    at = _open()
    tiles = _tiles(at)
    want = headline_figures(ds, Filters(), dt.date.today())
    assert want["gap_usd"] == pytest.approx(want["required_usd"]
                                            - want["funded_against_requirement_usd"])
    assert want["funded_usd"] == pytest.approx(want["funded_against_requirement_usd"]
                                               + want["funded_no_requirement_usd"])
    label = GLOSSARY["funded_no_requirement_usd"].label("en")
    assert tiles[label][0] == GLOSSARY["funded_no_requirement_usd"].text(
        want["funded_no_requirement_usd"], "en")
    assert "Funded" not in tiles  # no tile mixes the two

"""End-to-end (issue 11): the Overview filtered to the Central Sahel marks the work-plan
tiles AoR-wide, and each tile's help "?" shows the glossary definition in EN and FR."""

from __future__ import annotations

import datetime as dt

import pytest

from maaor.figures.overview import headline_figures
from maaor.filters import Filters
from maaor.glossary import GLOSSARY, OVERVIEW_ROWS
from maaor.i18n import t
from tests.e2e.conftest import metric_value, screenshot, wait_rendered

pytestmark = pytest.mark.browser

SAHEL = ("BFA", "MLI", "NER")
QUERY = "&".join(f"country={c}" for c in SAHEL)


def _tile(page, label: str):
    return page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=label)
    ).first


def _help(page, label: str) -> str:
    """Hover the tile's "?" and return the tooltip text."""
    tile = _tile(page, label)
    tile.locator('[data-testid="stTooltipHoverTarget"], [data-testid="stTooltipIcon"]').first.hover()
    tip = page.locator('[data-testid="stTooltipContent"]').last
    tip.wait_for(state="visible", timeout=10_000)
    text = tip.inner_text().strip()
    page.mouse.move(0, 0)
    page.wait_for_timeout(300)
    return text


def test_sahel_filter_marks_work_plan_tiles_aor_wide(server, page, public_dataset):
    page.goto(f"{server}/?{QUERY}")
    wait_rendered(page)
    want = headline_figures(public_dataset, Filters(countries=SAHEL), dt.date.today())
    main = page.locator('[data-testid="stMainBlockContainer"]').inner_text()
    names = ", ".join(GLOSSARY[k].label("en")
                      for k in ("activities", "pct_completed", "activities_flagged"))
    assert f"{names}: {t('scope.aor_wide', 'en')}" in main
    for row in OVERVIEW_ROWS:
        for figure_id in row:
            entry = GLOSSARY[figure_id]
            assert metric_value(page, entry.label("en")) == entry.text(want[figure_id], "en")
    assert metric_value(page, GLOSSARY["countries_present"].label("en")) == "3"
    # the map and the gaps chart draw after the script run: let them finish for the shot
    page.locator(".js-plotly-plot").first.wait_for(state="visible", timeout=20_000)
    page.wait_for_timeout(2500)
    shot = screenshot(page, "overview_sahel")
    assert shot.stat().st_size > 10_000


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_tile_help_is_the_glossary_definition(server, page, lang):
    page.goto(f"{server}/?lang={lang}&{QUERY}")
    wait_rendered(page)
    for figure_id in ("activities", "active_organisations", "gap_usd",
                      "funded_no_requirement_usd"):
        entry = GLOSSARY[figure_id]
        assert _help(page, entry.label(lang)) == entry.help(lang), figure_id

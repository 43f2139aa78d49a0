"""End-to-end: every page by its own URL, the presence map drawn, filters in the URL,
and a CSV download, in Debian chromium against a real `streamlit run`."""

from __future__ import annotations

import csv
import io

import pytest
from PIL import Image

from maaor.figures.presence import orgs_by_admin1, presence_headline
from maaor.filters import Filters, filter_presence
from maaor.glossary import GLOSSARY
from maaor.i18n import country_name, fmt_number
from tests.e2e.conftest import (
    ARTIFACTS,
    PAGE_PATHS,
    assert_drawn,
    en,
    metric_value,
    screenshot,
    wait_rendered,
)

pytestmark = pytest.mark.browser

COUNTRY = "IRQ"  # the country of the bundled 4W with the most rows
MIN_MAP_COLOURS = 20  # a blank or single-colour canvas has 1-2


@pytest.mark.parametrize("path", list(PAGE_PATHS), ids=lambda p: p or "overview")
def test_page_opens_by_its_own_url(server, page, path):
    page.goto(f"{server}/{path}")
    wait_rendered(page)
    assert_drawn(page, PAGE_PATHS[path])
    assert page.url.rstrip("/") == f"{server}/{path}".rstrip("/")
    shot = screenshot(page, f"page_{path or 'overview'}")
    assert shot.stat().st_size > 10_000


def test_presence_map_canvas_is_drawn(server, page):
    page.goto(f"{server}/Presence")
    wait_rendered(page)
    chart = page.locator('[data-testid="stDeckGlJsonChart"]').first
    canvas = chart.locator("canvas").first
    canvas.wait_for(state="visible", timeout=20_000)
    box = canvas.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 200
    # deck.gl draws on the next animation frames; give the layers a moment.
    page.wait_for_timeout(1500)
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "presence_map.png"
    chart.screenshot(path=str(path))
    with Image.open(path) as img:
        colours = img.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > MIN_MAP_COLOURS, len(colours or ())


def _choose_country(page, iso3: str) -> None:
    """Pick a country in the sidebar's Country multiselect."""
    name = country_name(iso3, "en")
    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(
        has_text=en("filter.country")
    ).first
    box.locator("input").first.click()
    page.keyboard.type(name)
    page.get_by_role("option", name=name, exact=True).first.click()
    page.keyboard.press("Escape")


def _country_headline(public_dataset, iso3: str) -> dict:
    presence = filter_presence(public_dataset.presence, Filters(countries=(iso3,)))
    return presence_headline(presence, public_dataset.mechanisms)


def test_filter_goes_to_url_and_the_url_restores_it(server, browser, page, public_dataset):
    expected = _country_headline(public_dataset, COUNTRY)
    unfiltered = presence_headline(public_dataset.presence, public_dataset.mechanisms)
    assert expected["rows"] != unfiltered["rows"]  # the filter must change the figure

    page.goto(f"{server}/Presence")
    wait_rendered(page)
    assert metric_value(page, GLOSSARY["presence_rows"].label("en")) == fmt_number(unfiltered["rows"], "en")
    _choose_country(page, COUNTRY)
    page.wait_for_url(f"**country={COUNTRY}**", timeout=20_000)
    wait_rendered(page)
    assert metric_value(page, GLOSSARY["presence_rows"].label("en")) == fmt_number(expected["rows"], "en")
    link = page.url

    # A colleague opens the link: a new context shares no session with the first.
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        other = context.new_page()
        other.goto(link)
        wait_rendered(other)
        assert_drawn(other, "page.presence.title")
        country_box = other.locator(
            '[data-testid="stSidebar"] [data-testid="stMultiSelect"]'
        ).filter(has_text=en("filter.country")).first
        assert country_name(COUNTRY, "en") in country_box.inner_text()
        assert metric_value(other, GLOSSARY["presence_rows"].label("en")) == fmt_number(expected["rows"], "en")
        assert metric_value(other, GLOSSARY["active_organisations"].label("en")) == fmt_number(
            expected["active_organisations"], "en"
        )
        screenshot(other, "presence_filtered_link")
    finally:
        context.close()


def test_csv_download_has_the_figure_rows(server, page, public_dataset):
    expected = orgs_by_admin1(filter_presence(public_dataset.presence,
                                              Filters(countries=(COUNTRY,))))
    assert len(expected) > 1

    page.goto(f"{server}/Presence?country={COUNTRY}")
    wait_rendered(page)
    page.get_by_text(en("chart.numbers")).first.click()
    button = page.locator(".st-key-dl_csv_orgs_by_admin1 button")
    button.wait_for(state="visible", timeout=10_000)
    with page.expect_download() as info:
        button.click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    text = open(download.path(), encoding="utf-8-sig").read()
    rows = list(csv.DictReader(io.StringIO(text)))

    assert len(rows) == len(expected)
    assert list(rows[0]) == list(expected.columns)
    assert {r["country_iso3"] for r in rows} == {COUNTRY}
    assert [r["admin1"] for r in rows] == [
        "" if v != v or v is None else str(v) for v in expected["admin1"]
    ]
    assert [int(r["organisations"]) for r in rows] == [int(v) for v in expected["organisations"]]
    assert [r["org_list"] for r in rows] == [str(v) for v in expected["org_list"]]
    # No cell starts a spreadsheet formula. The bundled data hold no such cell, so the
    # neutralisation itself ("=", "+", "-", "@", tab, CR) is proven by the unit tests of
    # maaor.export.tables (tests/test_export_tables.py), which csv_bytes feeds this button.
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r.values())

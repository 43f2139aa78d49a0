"""Maps in the browser (Debian chromium): the Overview and Presence maps frame every
country of their extent, all countries with presence or the chosen ones (a link with
``?emergency=`` or ``?country=`` opened in a fresh browser), at a phone's, a laptop's and a full-HD width;
the names of the countries with presence are drawn in the canvas; the legend and the
United Nations disclaimer are under each map.

The view is read from deck.gl itself (the ``viewState`` the deck was drawn with, from the
React props of its canvas) with the canvas's size, and its geographic bounds are checked
against the extent's bounding box. Screenshots of each map go to
``test-artifacts/maps_<page>_<extent>_<w>x<h>.png``.
"""

from __future__ import annotations

import pytest

from maaor import maps
from maaor.i18n import country_name
from tests.e2e.conftest import ARTIFACTS, en, wait_rendered

pytestmark = pytest.mark.browser

VIEWPORTS = [(390, 844), (1366, 768), (1920, 1080)]
CENTRAL_SAHEL = ("BFA", "MLI", "NER")
# extent name -> (countries it frames, the link's query)
EXTENTS = {"all": ((), ""),
           "central-sahel": (CENTRAL_SAHEL, "?emergency=central-sahel"),
           "countries": (CENTRAL_SAHEL, "?" + "&".join(f"country={c}" for c in CENTRAL_SAHEL))}
PAGES = {"overview": "", "presence": "Presence"}

# The deck as drawn: the view state, the canvas size, and each layer's type and data.
DECK = """() => {
  const chart = document.querySelector('[data-testid="stDeckGlJsonChart"]');  // one per page
  const canvas = chart.querySelector('canvas');
  let fiber = canvas[Object.keys(canvas).find(k => k.startsWith('__reactFiber'))];
  let view = null, layers = null;
  for (let depth = 0; fiber && depth < 60 && !(view && layers); depth++, fiber = fiber.return) {
    const props = fiber.memoizedProps || {};
    if (!view && (props.viewState || props.initialViewState)) view = props.viewState || props.initialViewState;
    if (!layers && Array.isArray(props.layers) && props.layers.length) layers = props.layers;
  }
  return {
    width: canvas.clientWidth, height: canvas.clientHeight,
    view: view && {latitude: view.latitude, longitude: view.longitude, zoom: view.zoom},
    layers: (layers || []).filter(Boolean).map(l => ({
      type: l.constructor.layerName, loaded: l.isLoaded,
      names: l.constructor.layerName === 'TextLayer' ? l.props.data.map(d => d.name) : null})),
  };
}"""


def _present() -> list[str]:
    """The countries with active organisations in the bundled data."""
    from maaor import views
    from maaor.bundled import load_default
    from maaor.figures.presence import orgs_by_country

    by_country = orgs_by_country(views.public_dataset(load_default().dataset).presence)
    return sorted(by_country.loc[by_country["organisations"] > 0, "country_iso3"])


def _open(browser, server: str, path: str, query: str, width: int, height: int):
    """A fresh browser context (nothing remembered) opened on the link."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{server}/{path}{query}")
    wait_rendered(page, 60000)
    # A map below the fold loads its script late: wait for its canvas and its layers.
    page.wait_for_selector('[data-testid="stDeckGlJsonChart"] canvas', timeout=60000)
    page.wait_for_function(f"() => {{ const d = ({DECK})(); "
                           "return d.layers.length === 4 && d.layers.every(l => l.loaded); }",
                           timeout=60000)
    return context, page


@pytest.mark.parametrize("width,height", VIEWPORTS)
def test_maps_frame_their_extent_and_name_the_countries(browser, server, width, height):
    present = _present()
    assert len(present) == 19
    ARTIFACTS.mkdir(exist_ok=True)
    for extent_name, (chosen, query) in EXTENTS.items():
        countries = list(chosen) or present
        box = maps.extent(countries)
        for page_name, path in PAGES.items():
            context, page = _open(browser, server, path, query, width, height)
            try:
                deck = page.evaluate(DECK)
                where = (page_name, extent_name, width)
                assert deck["view"] is not None and deck["width"] > 200, where
                west, south, east, north = maps.view_bounds(deck["view"], deck["width"], deck["height"])
                # every country of the extent is in frame
                assert west <= box[0] and box[2] <= east, (where, box, (west, east))
                assert south <= box[1] and box[3] <= north, (where, box, (south, north))
                # ... and framed, not lost in a world view (a chosen region fills the map)
                if chosen:
                    assert deck["view"]["zoom"] > 2, where
                # the names of the countries with presence are drawn in the canvas
                text = [layer for layer in deck["layers"] if layer["type"] == "TextLayer"]
                assert len(text) == 1 and text[0]["loaded"], where
                assert sorted(text[0]["names"]) == sorted(country_name(c, "en") for c in countries)
                # the legend in words and the disclaimer under the map
                body = page.locator('[data-testid="stMain"]').inner_text()
                assert en("map.disclaimer") in body, where
                assert en("presence.map.legend") in body, where
                chart = page.locator('[data-testid="stDeckGlJsonChart"]').first
                chart.scroll_into_view_if_needed()
                page.wait_for_timeout(500)
                chart.screenshot(path=str(ARTIFACTS / f"maps_{page_name}_{extent_name}_{width}x{height}.png"))
            finally:
                context.close()


@pytest.mark.parametrize("extent_name", ["central-sahel", "countries"])
def test_a_link_restores_the_same_view_in_a_fresh_browser(browser, server, extent_name):
    """The emergency (or the countries) in the URL restores the same view, twice."""
    query = EXTENTS[extent_name][1]
    views = []
    for _ in range(2):
        context, page = _open(browser, server, "Presence", query, 1366, 768)
        try:
            views.append(page.evaluate(DECK)["view"])
        finally:
            context.close()
    assert views[0] == views[1]
    expected = maps.view_for(CENTRAL_SAHEL, size=(maps.MIN_MAP_WIDTH, 520))
    assert views[0] == {"latitude": expected.latitude, "longitude": expected.longitude,
                        "zoom": expected.zoom}


# The admin-1 areas layer as drawn: its id, whether loaded, and its features' counts.
AREAS = """() => {
  const canvas = document.querySelector('[data-testid="stDeckGlJsonChart"] canvas');
  let fiber = canvas[Object.keys(canvas).find(k => k.startsWith('__reactFiber'))];
  for (let depth = 0; fiber && depth < 60; depth++, fiber = fiber.return) {
    const layers = (fiber.memoizedProps || {}).layers;
    if (Array.isArray(layers) && layers.length) {
      const areas = layers.filter(Boolean).find(l => l.id === 'admin1-areas');
      if (!areas) return null;
      return {loaded: areas.isLoaded,
              counts: Object.fromEntries(areas.props.data.features.map(
                f => [f.properties.pcode, f.properties.organisations]))};
    }
  }
  return null;
}"""


def test_presence_map_shades_admin1_areas(browser, server):
    """Syria's Presence map at 1366x768 draws its admin-1 areas shaded by organisations
    (the same counts as the server's layer); screenshot in test-artifacts."""
    from maaor import admin1_shading, views
    from maaor.bundled import load_default
    from maaor.figures.presence import orgs_by_admin1, orgs_by_country
    from maaor.filters import Filters, filter_presence

    rows = filter_presence(views.public_dataset(load_default().dataset).presence,
                           Filters(countries=("SYR",)))
    want = {f["properties"]["pcode"]: f["properties"]["organisations"] for f in
            admin1_shading.features(orgs_by_country(rows), orgs_by_admin1(rows), "en")["features"]}
    assert any(want.values())
    ARTIFACTS.mkdir(exist_ok=True)
    context, page = _open(browser, server, "Presence", "?country=SYR", 1366, 768)
    try:
        areas = page.evaluate(AREAS)
        assert areas is not None and areas["loaded"]
        assert areas["counts"] == want
        assert en("presence.map.legend_admin1") in page.locator('[data-testid="stMain"]').inner_text()
        chart = page.locator('[data-testid="stDeckGlJsonChart"]').first
        chart.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        chart.screenshot(path=str(ARTIFACTS / "maps_presence_admin1_SYR_1366x768.png"))
    finally:
        context.close()

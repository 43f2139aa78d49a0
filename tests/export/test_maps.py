"""Presence map: bundled boundaries, aggregated layers, plain-text tooltips, no basemap."""

from __future__ import annotations

import json

import pandas as pd

from maaor import maps
from maaor.dataset import conform
from maaor.figures.presence import orgs_by_admin1, orgs_by_country


def presence() -> pd.DataFrame:
    return conform("presence", pd.DataFrame({
        "org": ["UNMAS", "HALO Trust", "<img src=x onerror=alert(1)>", "MAG", "NPA"],
        "country_iso3": ["IRQ", "IRQ", "IRQ", "SYR", "IRQ"],
        "admin1": ["Ninewa", "Ninewa", "Anbar", "Aleppo", "Basra"],
        "lat": [36.3, 36.4, 33.4, 36.2, None],
        "lon": [43.1, 43.2, 42.0, 37.2, None],
        "pillar": ["land_release", "eore", "eore", "victim_assistance", "land_release"],
        "status": ["active", "active", "active", "active", "completed"],
    }))


def test_bundled_boundaries_are_small_and_keyed_by_iso3():
    assert maps.BOUNDARIES_PATH.stat().st_size < 1_000_000
    features = maps.boundaries()["features"]
    codes = {f["properties"]["iso3"] for f in features}
    assert {"IRQ", "SYR", "AFG", "PSE", "SSD", "COD", "UKR", "COL", "MMR"} <= codes
    assert "ATA" not in codes
    for feature in features:
        geometry = feature["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        for polygon in polygons:
            xs = [p[0] for p in polygon[0]]
            assert max(xs) - min(xs) <= 180, feature["properties"]["iso3"]


def test_countries_are_shaded_by_active_organisations_with_a_text_tooltip():
    by_country = orgs_by_country(presence())
    collection = maps.country_features(by_country, "en")
    props = {f["properties"]["iso3"]: f["properties"] for f in collection["features"]}
    assert props["IRQ"]["organisations"] == 3  # NPA's presence is completed
    assert props["SYR"]["organisations"] == 1
    assert props["FRA"]["organisations"] == 0
    assert props["FRA"]["fill"] == list(maps.NO_DATA_FILL)
    assert props["IRQ"]["fill"] != props["SYR"]["fill"]  # more organisations, darker
    tip = props["IRQ"]["tip"]
    # plain text: the browser sets it with innerText, so markup stays literal text
    assert "<img src=x onerror=alert(1)>" in tip and "&lt;" not in tip
    assert tip.splitlines()[:2] == ["Iraq", "3 active organisations"]
    assert "Pillars: Explosive ordnance risk education, Land release" in tip


def test_admin1_bubbles_only_where_there_are_coordinates():
    points = maps.admin1_points(orgs_by_admin1(presence()), "fr")
    places = {p["tip"].splitlines()[0]: p for p in points}
    assert set(places) == {"Anbar, Iraq", "Ninewa, Iraq", "Aleppo, République arabe syrienne"}
    ninewa = places["Ninewa, Iraq"]
    assert ninewa["organisations"] == 2
    assert (ninewa["lat"], ninewa["lon"]) == (36.35, 43.15)
    assert ninewa["radius"] > places["Anbar, Iraq"]["radius"]
    assert "2 organisations actives" in ninewa["tip"]


def test_long_organisation_lists_are_cut_in_tooltips():
    many = conform("presence", pd.DataFrame({
        "org": [f"Org {i:02d}" for i in range(20)], "country_iso3": ["IRQ"] * 20,
    }))
    tip = maps.country_features(orgs_by_country(many), "en")
    irq = next(f for f in tip["features"] if f["properties"]["iso3"] == "IRQ")
    assert irq["properties"]["tip"].splitlines()[2].endswith("Org 11 and 8 more")


def test_deck_has_no_basemap_by_default_and_compact_json():
    data = presence()
    deck = maps.presence_deck(orgs_by_country(data), orgs_by_admin1(data), "en")
    text = deck.to_json()
    assert "\n" not in text and "cartocdn" not in text and "mapbox" not in text
    spec = json.loads(text)
    assert spec["mapStyle"] == "__MAP_STYLE__"  # pydeck's "no style": nothing is fetched
    countries, areas, bubbles, names = spec["layers"]
    assert areas["@@type"] == "GeoJsonLayer" and areas["id"] == "admin1-areas"
    assert countries["@@type"] == "GeoJsonLayer" and bubbles["@@type"] == "ScatterplotLayer"
    assert names["@@type"] == "TextLayer"
    # sized on the ground within a few pixels: a zoomed-out map is not covered by bubbles
    assert bubbles["radiusUnits"] == "meters"
    assert (bubbles["radiusMinPixels"], bubbles["radiusMaxPixels"]) == (maps.BUBBLE_MIN_PX, maps.BUBBLE_MAX_PX)
    assert len(bubbles["data"]) == 3  # one point per admin-1 area, never per 4W row
    assert deck._tooltip["text"] == "{tip}" and "html" not in deck._tooltip
    view = spec["initialViewState"]
    assert 30 < view["latitude"] < 40 and 35 < view["longitude"] < 50


def test_an_online_basemap_can_be_configured():
    data = presence()
    style = "https://basemaps.example.org/style.json"
    spec = json.loads(maps.presence_deck(orgs_by_country(data), orgs_by_admin1(data), "en",
                                         map_style=style).to_json())
    assert spec["mapStyle"] == style


def test_a_map_copied_from_the_base_deck_is_a_deck_made_whole():
    """Each map is a copy of one Deck per basemap given its layers and first view: its
    JSON and tooltip are those of a Deck made with every argument, and a map made later
    does not change an earlier one."""
    data = presence()
    for style in (None, "https://basemaps.example.org/style.json"):
        first = maps.presence_deck(orgs_by_country(data), orgs_by_admin1(data), "en",
                                   map_style=style, extent_iso3=("IRQ",))
        text = first.to_json()
        whole = maps.CompactDeck(layers=first.layers,
                                 initial_view_state=first.initial_view_state,
                                 **maps._deck_arguments(style))
        assert text == whole.to_json() == whole._full_json()
        assert first._tooltip == whole._tooltip and first.mapbox_key == whole.mapbox_key
        other = data.loc[data["country_iso3"] == "SYR"]
        later = maps.presence_deck(orgs_by_country(other), orgs_by_admin1(other), "fr",
                                   map_style=style)
        assert later.to_json() != text and first.to_json() == text


def test_world_view_when_nothing_is_present():
    view = maps.view_for([])
    assert (view.latitude, view.longitude, view.zoom) == (15.0, 20.0, 1.0)


def test_spliced_json_is_the_whole_deck_encoded_at_once():
    """The boundaries' geometries are spliced in from a per-process cache: the text is
    the same as encoding the whole deck, for the bundled data filtered or not, and for
    a name that needs escaping."""
    from maaor import views
    from maaor.bundled import load_default
    from maaor.filters import Filters

    ds = views.public_dataset(load_default().dataset, "admin1")
    odd = presence()
    odd.loc[0, "org"] = 'Ünïcode "quoted" </script> @@=x'
    cases = [(ds.presence, "en"), (ds.presence, "fr"), (odd, "en")]
    for f in (Filters(), Filters(countries=("AFG",))):
        for table, lang in cases:
            filtered = views.filter_presence(table, f)
            deck = maps.presence_deck(orgs_by_country(filtered), orgs_by_admin1(filtered), lang)
            spliced = deck.to_json()
            assert spliced == deck._full_json()
            assert json.loads(spliced)["layers"][0]["data"]["features"]
    # a collection whose geometries are not the bundled ones is encoded whole
    foreign = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [1.5, 2]},
         "properties": {"b": 1, "a": "x"}}]}
    assert maps._feature_collection_json(foreign) == maps._compact(foreign)


# Each map's narrowest width (a full-width map on a 390 px phone; the Overview's map in
# its column) with its height, and the widths it has on 1366 and 1920 px screens.
MAPS = ((maps.MIN_MAP_WIDTH, 520), (maps.MIN_COLUMN_MAP_WIDTH, 380))
WIDTHS = (358, 536, 868, 906, 1460)
EXTENTS = {
    "all bundled": None,
    "Central Sahel": ("BFA", "MLI", "NER"),
    "Colombia": ("COL",),
    "Myanmar": ("MMR",),
    "Afghanistan": ("AFG",),
    "Colombia to Myanmar": ("COL", "MMR", "UKR", "COD"),
}


def _bundled_present() -> list[str]:
    from maaor import views
    from maaor.bundled import load_default

    presence = views.public_dataset(load_default().dataset, "point").presence
    by_country = orgs_by_country(presence)
    return list(by_country.loc[by_country["organisations"] > 0, "country_iso3"])


def _inside(box, bounds) -> bool:
    west, south, east, north = bounds
    return west <= box[0] and box[2] <= east and south <= box[1] and box[3] <= north


def test_first_view_fits_the_extent_at_every_width():
    """The view is fitted to the narrowest map; every wider one shows the whole extent
    (the bounds of what the viewport shows contain its bounding box)."""
    present = _bundled_present()
    assert len(present) == 19
    for name, codes in EXTENTS.items():
        box = maps.extent(present if codes is None else codes)
        for narrowest, height in MAPS:
            view = maps.view_for(present if codes is None else codes, size=(narrowest, height))
            state = {"latitude": view.latitude, "longitude": view.longitude, "zoom": view.zoom}
            for width in (narrowest, *WIDTHS):
                assert _inside(box, maps.view_bounds(state, width, height)), (name, width, height)
            # fitted, not merely zoomed out: at the narrowest width the extent fills the
            # room in one direction (or the zoom is capped for a small country)
            west, south, east, north = maps.view_bounds(state, narrowest, height)
            fill_x = (box[2] - box[0]) / (east - west)
            fill_y = ((maps._mercator_y(box[3]) - maps._mercator_y(box[1]))
                      / (maps._mercator_y(north) - maps._mercator_y(south)))
            assert max(fill_x, fill_y) > 0.8 or view.zoom == maps.MAX_ZOOM, (name, height)


def test_fit_view_centres_the_box_in_mercator():
    view = maps.fit_view((-10.0, 0.0, 10.0, 60.0), 400, 400, padding=0)
    west, south, east, north = maps.view_bounds(view, 400, 400)
    # the tall box fills the height exactly (to the rounding of the zoom), centred
    assert abs(south - 0.0) < 0.5 and abs(north - 60.0) < 0.5
    assert abs(view["longitude"]) < 1e-9 and west < -10 and east > 10
    assert 30 < view["latitude"] < 40  # the Mercator middle of 0..60 N, not 30


def test_the_deck_frames_the_chosen_countries_even_without_presence():
    data = presence()  # Iraq and Syria only
    deck = maps.presence_deck(orgs_by_country(data), orgs_by_admin1(data), "en",
                              extent_iso3=("BFA", "MLI", "NER"), height=380)
    view = json.loads(deck.to_json())["initialViewState"]
    assert _inside(maps.extent(("BFA", "MLI", "NER")), maps.view_bounds(view, maps.MIN_MAP_WIDTH, 380))
    assert -5 < view["longitude"] < 10 and 10 < view["latitude"] < 20


def test_country_names_are_drawn_for_countries_with_presence_in_the_page_language():
    data = presence()
    deck = json.loads(maps.presence_deck(orgs_by_country(data), orgs_by_admin1(data), "fr").to_json())
    names = next(layer for layer in deck["layers"] if layer["@@type"] == "TextLayer")
    assert sorted(label["name"] for label in names["data"]) == ["Iraq", "République arabe syrienne"]
    # every character of the names is in the glyph atlas (no web font, no missing letter)
    assert {ch for label in names["data"] for ch in label["name"]} <= set(names["characterSet"])
    assert "fontFamily" in names and "http" not in names["fontFamily"]
    assert names["sizeUnits"] == "pixels" and names["collisionEnabled"] is True
    iraq = next(label for label in names["data"] if label["iso3"] == "IRQ")
    assert iraq["priority"] == 3  # the most organisations keep their name when crowded


def test_label_points_lie_in_their_country():
    from maaor import borders

    points = maps.label_points()
    codes = pd.Series(list(points))
    lon = pd.Series([points[c][0] for c in codes])
    lat = pd.Series([points[c][1] for c in codes])
    outside = borders.outside_country(codes, lat, lon)
    assert not codes[outside].tolist()


def test_map_picture_writes_names_without_overlap_and_with_accents():
    from PIL import Image, ImageDraw

    from maaor.export import mapimage

    font = mapimage._font(22)
    assert font.getname()[0] in ("DejaVu Sans", "Liberation Sans")  # has "é", "ô" ...
    draw = ImageDraw.Draw(Image.new("RGB", (1600, 900)))
    labels = maps.country_labels(_bundled_present(), "fr")
    west, east, south, north = -85.0, 105.0, maps._mercator_y(-15), maps._mercator_y(55)

    def xy(lon, lat):
        return (lon - west) * 1600 / (east - west), (north - maps._mercator_y(lat)) * 900 / (north - south)

    placed = mapimage.place_names(draw, labels, font, 3, xy, (0, 0, 1600, 900))
    boxes = [box for *_, box in placed]
    assert len(placed) >= 15
    for i, a in enumerate(boxes):
        assert not any(mapimage._overlaps(a, b) for b in boxes[i + 1:])

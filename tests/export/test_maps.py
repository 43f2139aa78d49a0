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
    countries, bubbles = spec["layers"]
    assert countries["@@type"] == "GeoJsonLayer" and bubbles["@@type"] == "ScatterplotLayer"
    assert bubbles["radiusUnits"] == "pixels"
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

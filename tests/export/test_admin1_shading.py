"""Admin-1 areas shaded by distinct active organisations (maaor.admin1_shading).

The fixture's counts are worked out by hand in the comments; the layer's data must equal
them.
"""

from __future__ import annotations

import json

import pandas as pd

from maaor import admin1_shading, maps
from maaor.dataset import conform
from maaor.figures.presence import aggregate_presence, orgs_by_admin1, orgs_by_country

SCRIPT = "<script>alert(1)</script> & Co"


def presence() -> pd.DataFrame:
    """Iraq names areas (P-codes, ISO codes, names, variants); Syria names none."""
    return conform("presence", pd.DataFrame({
        "org": ["UNMAS", "HALO Trust", "UNMAS", "MAG", "NPA", SCRIPT, "DRC", "FSD", "FSD"],
        "country_iso3": ["IRQ"] * 8 + ["SYR"],
        # Ninewa three ways: its name, a variant ("Ninawa"), a P-code with another variant
        "admin1": ["Ninewa", "Ninawa", "Nineveh", "Al Anbar Governorate", "Basra", "Al Anbar",
                   None, None, None],
        "admin1_code": [None, None, "IQG15", "IQ-AN", None, None, None, "IQG08", None],
        "pillar": ["land_release", "eore", "eore", "land_release", "land_release", "eore",
                   "eore", "eore", "eore"],
        # NPA's only row (Basra) is completed: Basra has no active organisation
        "status": ["active"] * 4 + ["completed"] + ["active"] * 4,
    }))


def _layer(data: pd.DataFrame, lang: str = "en") -> dict[str, dict]:
    collection = admin1_shading.features(orgs_by_country(data), orgs_by_admin1(data), lang)
    return {f["properties"]["pcode"]: f["properties"] for f in collection["features"]}


def test_counts_per_area_equal_the_hand_count():
    props = _layer(presence())
    # Ninewa: UNMAS (two rows, two spellings: once) + HALO Trust ("Ninawa") = 2
    # Al-Anbar: MAG (ISO code IQ-AN) + the script-named organisation ("Al Anbar") = 2
    # Al-Basrah: NPA completed = 0; Baghdad: FSD gives a P-code but no name, and the
    # figures group rows by name, so FSD is not placed (named in the tooltips) = 0
    counts = {pcode: p["organisations"] for pcode, p in props.items() if p["organisations"]}
    assert counts == {"IQG15": 2, "IQG01": 2}
    # every Iraqi area with a polygon is drawn (grey when empty); Syria names no area
    assert {p["iso3"] for p in props.values()} == {"IRQ"}
    assert set(props) == set(admin1_shading.by_country()["IRQ"])


def test_an_area_without_presence_is_not_shaded():
    data = presence()
    props = _layer(data)
    assert props["IQG02"]["organisations"] == 0  # Basra: completed presence only
    assert props["IQG02"]["fill"] == list(maps.NO_DATA_FILL)
    assert props["IQG08"]["fill"] == list(maps.NO_DATA_FILL)  # Baghdad: nobody
    # the shaded ones use the countries' colour classes, on the countries' scale
    # (Iraq: UNMAS, HALO Trust, MAG, the script-named one, DRC, FSD = 6)
    assert props["IQG15"]["fill"] == list(maps.shade(2, 6))
    # Iraq is not also shaded as a whole under its areas; Syria stays shaded as a country
    deck = json.loads(maps.presence_deck(orgs_by_country(data), orgs_by_admin1(data), "en",
                                         extent_iso3=("IRQ", "SYR")).to_json())
    countries = {f["properties"]["iso3"]: f["properties"]["fill"]
                 for f in deck["layers"][0]["data"]["features"]}
    assert countries["IRQ"] == list(maps.NO_DATA_FILL)
    assert countries["SYR"] == list(maps.shade(1, 6))


def test_a_map_of_every_country_is_shaded_by_country_only():
    """Unframed (every country), areas would be specks lighter than their countries and
    the countries would look empty: each country keeps its own shade, no area is drawn."""
    data = presence()
    deck = json.loads(maps.presence_deck(orgs_by_country(data), orgs_by_admin1(data), "en")
                      .to_json())
    countries = {f["properties"]["iso3"]: f["properties"]["fill"]
                 for f in deck["layers"][0]["data"]["features"]}
    assert countries["IRQ"] == list(maps.shade(6, 6))
    areas = next(layer for layer in deck["layers"] if layer["id"] == "admin1-areas")
    assert areas["data"]["features"] == []
    assert maps.shades_areas(None) is False and maps.shades_areas(()) is False
    assert maps.shades_areas(("IRQ",)) is True


def test_tooltips_are_plain_text_and_name_the_organisations_not_placed_in_an_area():
    data = presence()
    anbar = _layer(data)["IQG01"]["tip"]
    lines = anbar.splitlines()
    assert lines[:2] == ["Al-Anbar, Iraq", "2 active organisations"]
    # plain text for a {"text": ...} tooltip: the browser sets it with innerText, so the
    # markup is shown as written and never parsed (escaping it would show "&lt;")
    assert SCRIPT in lines[2] and "&lt;" not in anbar
    # DRC names no area, FSD no area name: named on every Iraqi area rather than dropped
    assert lines[-1] == "2 active organisations in the country not placed in an area: DRC, FSD"
    deck = maps.presence_deck(orgs_by_country(data), orgs_by_admin1(data), "en",
                              extent_iso3=("IRQ",))
    assert deck._tooltip["text"] == "{tip}" and "html" not in deck._tooltip


def test_french_tooltip():
    tip = _layer(presence(), "fr")["IQG08"]["tip"]
    assert tip.splitlines()[1] == "aucune organisation déclarée"


def test_country_level_public_view_shades_no_area():
    public = aggregate_presence(presence(), "country")
    assert _layer(public) == {}
    assert admin1_shading.shaded_countries(orgs_by_admin1(public)) == []
    # admin-1 level keeps the areas (the polygons are never finer than admin-1)
    assert _layer(aggregate_presence(presence(), "admin1"))["IQG15"]["organisations"] == 2


def test_geometry_is_read_and_encoded_once_and_spliced():
    assert admin1_shading.polygons() is admin1_shading.polygons()
    data = presence()
    deck = maps.presence_deck(orgs_by_country(data), orgs_by_admin1(data), "en",
                              extent_iso3=("IRQ",))
    assert json.loads(deck.to_json()) == json.loads(deck._full_json())
    feature = deck.layers[1].data["features"][0]
    assert id(feature["geometry"]) in admin1_shading.geometry_json()


def _colours(png: bytes, box) -> set[tuple[int, int, int]]:
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB").crop(box)
    return {colour for _, colour in image.getcolors(maxcolors=1_000_000)}


def test_map_picture_shades_areas_when_a_country_is_chosen():
    from maaor.export import mapimage

    data = presence()
    by_country, by_admin1 = orgs_by_country(data), orgs_by_admin1(data)
    chosen = mapimage.presence_png(by_country, by_admin1, "en", size=(800, 450),
                                   extent_iso3=("IRQ",))
    whole = mapimage.presence_png(by_country, by_admin1, "en", size=(800, 450))
    # the top half (the legend's swatches are at the bottom left): Ninewa and Al-Anbar
    # in the colour of 2 organisations of 6, Iraq no longer in the colour of its 6
    top = (0, 0, 800, 225)
    assert maps.shade(2, 6)[:3] in _colours(chosen, top)
    assert maps.shade(6, 6)[:3] not in _colours(chosen, top)
    # a picture of every country shades countries only (areas would be specks)
    assert mapimage._admin1_areas(by_country, by_admin1, "en", None) == []
    assert maps.shade(2, 6)[:3] not in _colours(whole, top)
    assert {f["properties"]["iso3"] for f in
            mapimage._admin1_areas(by_country, by_admin1, "en", ("IRQ", "SYR"))} == {"IRQ"}

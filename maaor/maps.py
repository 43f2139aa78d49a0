"""pydeck maps drawn from aggregated presence figures (no Streamlit, no basemap needed).

The presence map is two layers over the bundled Natural Earth country boundaries
(``data/geo/countries-110m.geojson``): countries shaded by the number of active
organisations (``figures.presence.orgs_by_country``) and admin-1 bubbles sized by
organisations (``figures.presence.orgs_by_admin1``). The deck receives one feature per
country and one point per admin-1 area, never the presence rows themselves.

Tooltips are plain text (``tooltip={"text": ...}``): the browser sets them with
``innerText``, so a name from data is never parsed as HTML, whatever renders the deck.
With ``map_style=None`` no basemap is requested: the boundaries are the map, and it
draws with no internet connection.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache

import pandas as pd
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from maaor import vocab
from maaor.dataset import split_list
from maaor.i18n import country_name, t
from maaor.resources import bundled_data_dir

BOUNDARIES_PATH = bundled_data_dir() / "geo" / "countries-110m.geojson"

# ColorBrewer "Blues" classes (colour-blind safe, prints in grey), light to dark.
SHADES: tuple[tuple[int, int, int], ...] = (
    (198, 219, 239),
    (158, 202, 225),
    (107, 174, 214),
    (66, 146, 198),
    (33, 113, 181),
    (8, 69, 148),
)
NO_DATA_FILL = (242, 242, 242, 255)
LINE = (140, 140, 140, 255)
BUBBLE_FILL = (230, 159, 0, 200)  # Okabe-Ito orange over the blues
BUBBLE_LINE = (0, 0, 0, 200)
MAX_LISTED = 12  # organisations named in a tooltip before "and N more"

TOOLTIP_STYLE = {
    "backgroundColor": "#ffffff",
    "color": "#222222",
    "fontSize": "13px",
    "border": "1px solid #999999",
    "maxWidth": "360px",
    "whiteSpace": "pre-wrap",
}


@lru_cache(maxsize=1)
def boundaries() -> dict:
    """Return the bundled country boundaries (GeoJSON FeatureCollection, ISO3 in properties)."""
    return json.loads(BOUNDARIES_PATH.read_text(encoding="utf-8"))


def shade(count: float, top: float) -> tuple[int, int, int, int]:
    """Return the fill colour of a country with ``count`` organisations (``top`` = max)."""
    if not count or count <= 0 or pd.isna(count):
        return NO_DATA_FILL
    share = math.log1p(count) / math.log1p(max(top, 1))
    index = min(len(SHADES) - 1, int(share * len(SHADES)))
    return (*SHADES[index], 235)


def _listing(joined: object, lang: str, vocabulary: str | None = None) -> str:
    items = split_list(joined)
    if vocabulary:
        items = [vocab.label(vocabulary, i, lang) for i in items]
    if len(items) > MAX_LISTED:
        rest = len(items) - MAX_LISTED
        return ", ".join(items[:MAX_LISTED]) + " " + t("map.and_more", lang, n=rest)
    return ", ".join(items)


# deck.gl's JSON converter reads every string of the deck spec, data included: one
# starting "@@=" becomes a function, "@@#" a constant lookup (an unknown one throws and
# the map is not drawn). An invisible WORD JOINER in front keeps such a name plain text.
_DECK_PREFIX = "@@"
_WORD_JOINER = "\u2060"


def deck_text(text: str) -> str:
    """Return ``text`` as a string deck.gl's JSON converter leaves as it is."""
    return _WORD_JOINER + text if text.startswith(_DECK_PREFIX) else text


def _tip(title: str, organisations: int, orgs: object, pillars: object, lang: str) -> str:
    lines = [title, t("map.organisations_count", lang, n=int(organisations))]
    if not pd.isna(orgs):
        lines.append(_listing(orgs, lang))
    if not pd.isna(pillars):
        lines.append(t("map.pillars", lang) + ": " + _listing(pillars, lang, "pillar"))
    return deck_text("\n".join(lines))


def country_features(by_country: pd.DataFrame, lang: str) -> dict:
    """Return the boundaries with each country's organisations, fill colour and tooltip.

    Args:
        by_country: output of ``figures.presence.orgs_by_country``.
        lang: tooltip language.
    """
    stats = {row.country_iso3: row for row in by_country.itertuples(index=False)}
    top = float(by_country["organisations"].max()) if len(by_country) else 0.0
    features = []
    for feature in boundaries()["features"]:
        props = feature["properties"]
        row = stats.get(props["iso3"])
        count = int(row.organisations) if row is not None else 0
        if row is not None:
            tip = _tip(country_name(props["iso3"], lang), count, row.org_list, row.pillar_list, lang)
        else:
            tip = country_name(props["iso3"], lang) + "\n" + t("map.no_presence", lang)
        features.append(
            {
                "type": "Feature",
                "geometry": feature["geometry"],
                "properties": {
                    "iso3": props["iso3"],
                    "organisations": count,
                    "fill": list(shade(count, top)),
                    "tip": tip,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def admin1_points(by_admin1: pd.DataFrame, lang: str) -> list[dict]:
    """Return one bubble per admin-1 area that has coordinates.

    Args:
        by_admin1: output of ``figures.presence.orgs_by_admin1``.
        lang: tooltip language.

    Returns:
        Records with lon, lat, organisations, radius (pixels, area proportional to the
        number of organisations) and tip.
    """
    placed = by_admin1.loc[by_admin1["lat"].notna() & by_admin1["lon"].notna()]
    points = []
    for row in placed.itertuples(index=False):
        place = row.admin1 if isinstance(row.admin1, str) else t("map.admin1_unknown", lang)
        title = f"{place}, {country_name(row.country_iso3, lang)}"
        points.append(
            {
                "lon": round(float(row.lon), 4),
                "lat": round(float(row.lat), 4),
                "organisations": int(row.organisations),
                "radius": round(3 + 3 * math.sqrt(max(int(row.organisations), 0)), 1),
                "tip": _tip(title, row.organisations, row.org_list, row.pillar_list, lang),
            }
        )
    return points


def _mercator_y(lat: float) -> float:
    """Web Mercator y of a latitude, in "degrees" comparable to longitudes."""
    lat = max(-85.0, min(85.0, lat))
    return math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))


def view_for(iso3_codes, fallback=(15.0, 20.0, 1.0), size=(900, 480)) -> pdk.ViewState:
    """Return a view framing the bounding boxes of ``iso3_codes`` (world view if none).

    Args:
        iso3_codes: countries to frame.
        fallback: (latitude, longitude, zoom) when no country is known.
        size: expected map size in pixels (width, height); the zoom fits the countries
            in both directions.
    """
    wanted = set(iso3_codes)
    boxes = [f["properties"]["bbox"] for f in boundaries()["features"]
             if f["properties"]["iso3"] in wanted]
    # A country still spanning more than half the globe would frame the whole world.
    boxes = [b for b in boxes if b[2] - b[0] < 180]
    if not boxes:
        lat, lon, zoom = fallback
        return pdk.ViewState(latitude=lat, longitude=lon, zoom=zoom)
    west, south = min(b[0] for b in boxes), min(b[1] for b in boxes)
    east, north = max(b[2] for b in boxes), max(b[3] for b in boxes)
    # At zoom z the world is 512 * 2**z pixels wide (deck.gl tiles of 512 px).
    width_deg = max(east - west, 1.0)
    height_deg = max(_mercator_y(north) - _mercator_y(south), 1.0)
    zoom_x = math.log2(size[0] * 360 / (512 * width_deg))
    zoom_y = math.log2(size[1] * 360 / (512 * height_deg))
    zoom = max(0.5, min(6.0, min(zoom_x, zoom_y) - 0.3))
    return pdk.ViewState(latitude=(south + north) / 2, longitude=(west + east) / 2,
                         zoom=round(zoom, 2))


def _compact(value: object) -> str:
    """``value`` as pydeck writes JSON (keys sorted), without indentation."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=default_serialize)


@lru_cache(maxsize=1)
def _geometry_json() -> dict[int, str]:
    """Return the compact JSON of every bundled boundary geometry, by the geometry
    object's id (the geometries of :func:`boundaries`, kept for the process's life)."""
    return {id(f["geometry"]): _compact(f["geometry"]) for f in boundaries()["features"]}


def _feature_collection_json(collection: dict) -> str:
    """Return ``collection`` (a GeoJSON FeatureCollection) as compact JSON, each bundled
    boundary's geometry spliced in from :func:`_geometry_json` instead of encoded again.

    The text is the same as ``_compact(collection)``: keys sorted at every level.
    """
    cached = _geometry_json()
    parts = []
    for feature in collection["features"]:
        geometry = feature.get("geometry")
        known = cached.get(id(geometry))
        if known is None or set(feature) - {"geometry", "properties", "type"}:
            parts.append(_compact(feature))
            continue
        # keys in sorted order: geometry, properties, type
        parts.append('{"geometry":' + known + ',"properties":' + _compact(feature.get("properties"))
                     + ',"type":' + _compact(feature.get("type")) + "}")
    rest = {k: v for k, v in collection.items() if k != "features"}
    head = _compact({**rest, "features": None})
    # "features" sorts first among a FeatureCollection's keys ("features" < "type")
    return head.replace('"features":null', '"features":[' + ",".join(parts) + "]", 1)


class CompactDeck(pdk.Deck):
    """A Deck whose JSON spec has no indentation.

    pydeck indents its JSON by two spaces per level; with one number per line the
    boundaries' coordinates would weigh about six times more on the wire. The
    boundaries' geometries are the same on every map, so their JSON is written once per
    process and spliced in; only the properties (counts, colours, tooltips) are encoded
    per map. The text is the same as encoding the whole deck
    (tests/export/test_maps.py).
    """

    def to_json(self) -> str:
        """Return the deck spec as compact JSON."""
        spliced: dict[str, str] = {}
        saved = []
        for layer in self.layers or []:
            data = getattr(layer, "data", None)
            if isinstance(data, dict) and data.get("type") == "FeatureCollection" \
                    and isinstance(data.get("features"), list):
                marker = f"maaor-splice-{len(spliced)}-{id(data)}"
                spliced[marker] = _feature_collection_json(data)
                saved.append((layer, data))
                layer.data = marker
        try:
            text = _compact(self)
        finally:
            for layer, data in saved:
                layer.data = data
        for marker, value in spliced.items():
            quoted = json.dumps(marker)
            if text.count(quoted) != 1:  # a marker must stand for exactly one layer's data
                return self._full_json()
            text = text.replace(quoted, value, 1)
        return text

    def _full_json(self) -> str:
        """Return the deck spec as compact JSON, encoded whole (the reference)."""
        return json.dumps(json.loads(super().to_json()), separators=(",", ":"))


def presence_deck(
    by_country: pd.DataFrame,
    by_admin1: pd.DataFrame,
    lang: str,
    map_style: str | None = None,
) -> pdk.Deck:
    """Return the presence map: shaded countries and admin-1 bubbles, with tooltips.

    Args:
        by_country: output of ``figures.presence.orgs_by_country`` (filtered presence).
        by_admin1: output of ``figures.presence.orgs_by_admin1``; empty for a
            country-level public view.
        lang: tooltip language.
        map_style: an online basemap style URL (e.g. a CARTO GL style); None (default)
            draws no basemap and the deck makes no request.
    """
    countries = pdk.Layer(
        "GeoJsonLayer",
        id="countries",
        data=country_features(by_country, lang),
        stroked=True,
        filled=True,
        get_fill_color="properties.fill",
        get_line_color=list(LINE),
        line_width_min_pixels=0.5,
        pickable=True,
        auto_highlight=True,
        highlight_color=[230, 159, 0, 120],
    )
    bubbles = pdk.Layer(
        "ScatterplotLayer",
        id="admin1",
        data=admin1_points(by_admin1, lang),
        get_position=["lon", "lat"],
        get_radius="radius",
        radius_units="'pixels'",  # quoted: pydeck turns bare strings into expressions
        get_fill_color=list(BUBBLE_FILL),
        get_line_color=list(BUBBLE_LINE),
        stroked=True,
        line_width_min_pixels=1,
        pickable=True,
    )
    present = by_country.loc[by_country["organisations"] > 0, "country_iso3"]
    # No provider and pydeck's default style sentinel is how a deck asks for no basemap:
    # Streamlit then requests no style (with map_style=None it would fetch CARTO's).
    basemap = {"map_style": map_style, "map_provider": "carto"} if map_style else {
        "map_provider": None
    }
    return CompactDeck(
        layers=[countries, bubbles],
        initial_view_state=view_for(present),
        tooltip={"text": "{tip}", "style": TOOLTIP_STYLE},
        **basemap,
    )

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

import copy
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
# Bubbles are sized on the ground (metres), within a few pixels: on a map zoomed out to
# show a region or the world, pixel-sized bubbles covered whole countries (and, in
# chromium, hid the shading of the countries around them).
BUBBLE_METRES = 12_000
BUBBLE_MIN_PX = 3
BUBBLE_MAX_PX = 22
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
        Records with lon, lat, organisations, radius (metres, growing with the square root of the
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
                "radius": round(BUBBLE_METRES * (1 + math.sqrt(max(int(row.organisations), 0)))),
                "tip": _tip(title, row.organisations, row.org_list, row.pillar_list, lang),
            }
        )
    return points


def _mercator_y(lat: float) -> float:
    """Web Mercator y of a latitude, in "degrees" comparable to longitudes."""
    lat = max(-85.0, min(85.0, lat))
    return math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))


def _latitude(mercator_y: float) -> float:
    """The latitude of a Web Mercator y in "degrees" (inverse of :func:`_mercator_y`)."""
    return math.degrees(2 * math.atan(math.exp(math.radians(mercator_y))) - math.pi / 2)


# The maps' narrowest widths between 390 and 1920 px screens (measured in chromium): a
# full-width map is 358 px wide on a 390 px phone; the Overview's map, in the wider of
# two columns next to the sidebar, is 244 px wide on an 880 px screen. The deck's first
# view is computed once, on the server, for every screen: st.pydeck_chart takes a fixed
# initial view, so the zoom that fits the extent at the narrowest width is the one every
# wider screen gets too (a wider map shows more around the same extent, never less).
# tests/e2e/test_maps_e2e.py checks the extent is in frame at 390, 1366 and 1920 px.
MIN_MAP_WIDTH = 330
MIN_COLUMN_MAP_WIDTH = 230
MAP_PADDING = 16  # pixels kept free around the extent
MAX_ZOOM = 6.0  # one small country is not blown up to a blur
TILE = 512  # at zoom z the world is TILE * 2**z pixels wide (deck.gl's Web Mercator)
WORLD = (-170.0, -56.0, 190.0, 75.0)  # (west, south, east, north) when nothing is shown


def extent(iso3_codes) -> tuple[float, float, float, float] | None:
    """Return the bounding box (west, south, east, north) of the countries, or None.

    Args:
        iso3_codes: the countries to frame (the chosen ones, an emergency's, or every
            country with presence). Codes the bundled boundaries lack are ignored; a
            country spanning more than half the globe would frame the whole world and is
            left out.
    """
    wanted = set(iso3_codes)
    boxes = [f["properties"]["bbox"] for f in boundaries()["features"]
             if f["properties"]["iso3"] in wanted]
    boxes = [b for b in boxes if b[2] - b[0] < 180]
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


def fit_view(bbox: tuple[float, float, float, float], width: float, height: float,
             padding: float = MAP_PADDING, max_zoom: float = MAX_ZOOM) -> dict[str, float]:
    """Return the view (latitude, longitude, zoom) showing ``bbox`` whole in a map of
    ``width`` x ``height`` pixels, ``padding`` pixels free on each side (Web Mercator).

    The zoom is rounded down to 0.01 so rounding never crops the box.
    """
    west, south, east, north = bbox
    y_south, y_north = _mercator_y(south), _mercator_y(north)
    span_x = max(east - west, 0.01)
    span_y = max(y_north - y_south, 0.01)
    room_x = max(width - 2 * padding, 1.0)
    room_y = max(height - 2 * padding, 1.0)
    zoom = min(math.log2(room_x * 360 / (TILE * span_x)),
               math.log2(room_y * 360 / (TILE * span_y)), max_zoom)
    return {
        "latitude": round(_latitude((y_south + y_north) / 2), 4),
        "longitude": round((west + east) / 2, 4),
        "zoom": math.floor(zoom * 100) / 100,
    }


def view_bounds(view: dict[str, float], width: float, height: float
                ) -> tuple[float, float, float, float]:
    """Return the geographic bounds (west, south, east, north) a map of ``width`` x
    ``height`` pixels shows at ``view`` (latitude, longitude, zoom): the inverse of
    :func:`fit_view`, for checking that an extent is in frame."""
    degrees_per_pixel = 360 / (TILE * 2 ** view["zoom"])
    half_x = width / 2 * degrees_per_pixel
    half_y = height / 2 * degrees_per_pixel
    centre_y = _mercator_y(view["latitude"])
    return (view["longitude"] - half_x, _latitude(centre_y - half_y),
            view["longitude"] + half_x, _latitude(centre_y + half_y))


def view_for(iso3_codes, fallback=(15.0, 20.0, 1.0),
             size=(MIN_MAP_WIDTH, 480)) -> pdk.ViewState:
    """Return a view framing the bounding boxes of ``iso3_codes`` (world view if none).

    Args:
        iso3_codes: countries to frame.
        fallback: (latitude, longitude, zoom) when no country is known.
        size: the narrowest map size in pixels (width, height) the view must fit;
            every wider map shows the same extent with more around it.
    """
    box = extent(iso3_codes)
    if box is None:
        lat, lon, zoom = fallback
        return pdk.ViewState(latitude=lat, longitude=lon, zoom=zoom)
    return pdk.ViewState(**fit_view(box, size[0], size[1]))


def _ring_area_centroid(ring) -> tuple[float, float, float]:
    """(area, x, y) of a ring by the shoelace formula (area signed, degrees squared)."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if not area:
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        return 0.0, sum(xs) / len(xs), sum(ys) / len(ys)
    return area / 2, cx / (3 * area), cy / (3 * area)


def _label_point(geometry: dict) -> tuple[float, float]:
    """A point inside the country's largest polygon, where its name is written.

    The centroid of a concave country may lie outside it (or in a neighbour), so the
    point is the middle of the widest stretch of land along the centroid's parallel.
    """
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    ring = max((p[0] for p in polygons), key=lambda r: abs(_ring_area_centroid(r)[0]))
    _, cx, cy = _ring_area_centroid(ring)
    crossings = []
    for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
        if (y0 <= cy) != (y1 <= cy):
            crossings.append(x0 + (cy - y0) * (x1 - x0) / (y1 - y0))
    crossings.sort()
    stretches = list(zip(crossings[0::2], crossings[1::2], strict=False))
    if not stretches:
        return round(cx, 2), round(cy, 2)
    left, right = max(stretches, key=lambda s: s[1] - s[0])
    return round((left + right) / 2, 2), round(cy, 2)


@lru_cache(maxsize=1)
def label_points() -> dict[str, tuple[float, float]]:
    """Return ISO3 -> (lon, lat) where the country's name is drawn on the maps."""
    return {f["properties"]["iso3"]: _label_point(f["geometry"])
            for f in boundaries()["features"]}


def country_labels(iso3_codes, lang: str) -> list[dict]:
    """Return one label (lon, lat, name in ``lang``) per country the boundaries draw."""
    points = label_points()
    labels = []
    for iso3 in sorted(set(iso3_codes)):
        if iso3 in points:
            lon, lat = points[iso3]
            labels.append({"iso3": iso3, "lon": lon, "lat": lat,
                           "name": deck_text(country_name(iso3, lang))})
    return labels


def _compact(value: object) -> str:
    """``value`` as pydeck writes JSON (keys sorted), without indentation."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=default_serialize)


@lru_cache(maxsize=1)
def _geometry_json() -> dict[int, str]:
    """Return the compact JSON of every bundled boundary geometry, by the geometry
    object's id (the geometries of :func:`boundaries`, kept for the process's life)."""
    return {id(f["geometry"]): _compact(f["geometry"]) for f in boundaries()["features"]}


def _admin1_geometry_json(geometry: object) -> str | None:
    """The JSON of a bundled admin-1 polygon written once (``admin1_shading``), None for
    another geometry.

    Asked only for a geometry that is not a country's: a map of every country (the
    Overview's) shades no area, and does not read the admin-1 polygons at all.
    """
    from maaor import admin1_shading

    return admin1_shading.geometry_json().get(id(geometry))


def _feature_collection_json(collection: dict) -> str:
    """Return ``collection`` (a GeoJSON FeatureCollection) as compact JSON, each bundled
    boundary's geometry spliced in from :func:`_geometry_json` instead of encoded again.

    The text is the same as ``_compact(collection)``: keys sorted at every level.
    """
    cached = _geometry_json()
    parts = []
    for feature in collection["features"]:
        geometry = feature.get("geometry")
        known = cached.get(id(geometry)) or _admin1_geometry_json(geometry)
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


LABEL_COLOUR = (17, 17, 17, 255)
LABEL_PX = 12
# Local fonts only: the page's own sans-serif, never a web font.
LABEL_FONT = "Helvetica, Arial, Liberation Sans, DejaVu Sans, sans-serif"


def _label_layer(labels: list[dict]) -> pdk.Layer:
    """Country names as text drawn in the canvas (read in a meeting room, no hover).

    The glyph atlas holds exactly the characters of the names (French accents
    included), so nothing is fetched and no name loses a letter.
    """
    layer = pdk.Layer(
        "TextLayer",
        id="country-names",
        data=labels,
        get_position=["lon", "lat"],
        get_text="name",
        get_size=LABEL_PX,
        size_units="'pixels'",  # quoted: pydeck turns bare strings into expressions
        get_color=list(LABEL_COLOUR),
        font_family=f"'{LABEL_FONT}'",  # quoted, as above
        # No background boxes: in chromium they hid the shading of the countries around
        # them when zoomed out (and a signed-distance halo dropped thin letters).
        get_text_anchor="'middle'",
        get_alignment_baseline="'center'",
        pickable=False,
        # Names that would overlap are hidden, the countries with most organisations
        # kept (zooming in shows the others): written over each other none is legible.
        extensions=[{"@@type": "CollisionFilterExtension"}],
        collision_enabled=True,
        get_collision_priority="priority",
    )
    # Set after construction: pydeck would turn a list of strings into an expression.
    layer.character_set = sorted({ch for label in labels for ch in label["name"]} | {" "})
    return layer


def shaded_layer(layer_id: str, collection: dict, line: tuple[int, int, int, int]) -> pdk.Layer:
    """Return a layer of shaded polygons (countries, admin-1 areas): each feature filled
    with its ``fill`` property, outlined in ``line``, highlighted under the pointer."""
    return pdk.Layer(
        "GeoJsonLayer",
        id=layer_id,
        data=collection,
        stroked=True,
        filled=True,
        get_fill_color="properties.fill",
        get_line_color=list(line),
        line_width_min_pixels=0.5,
        pickable=True,
        auto_highlight=True,
        highlight_color=[230, 159, 0, 120],
    )


def shades_areas(extent_iso3) -> bool:
    """True when the presence map shades admin-1 areas: when it frames chosen countries or
    an emergency. A map of every country stays shaded by country: its areas would be
    specks, lighter than their countries on the same scale, and the countries would look
    empty."""
    return extent_iso3 is not None and len(extent_iso3) > 0


def presence_deck(
    by_country: pd.DataFrame,
    by_admin1: pd.DataFrame,
    lang: str,
    map_style: str | None = None,
    *,
    extent_iso3=None,
    height: int = 520,
    min_width: int = MIN_MAP_WIDTH,
    shade_areas: bool | None = None,
) -> pdk.Deck:
    """Return the presence map: shaded countries, shaded admin-1 areas (where the figures
    name areas the bundled polygons hold: ``maaor.admin1_shading``), admin-1 bubbles and
    country names.

    Args:
        by_country: output of ``figures.presence.orgs_by_country`` (filtered presence).
        by_admin1: output of ``figures.presence.orgs_by_admin1``; empty for a
            country-level public view.
        lang: tooltip and label language.
        map_style: an online basemap style URL (e.g. a CARTO GL style); None (default)
            draws no basemap and the deck makes no request.
        extent_iso3: the countries the first view frames (the chosen countries or an
            emergency's); None frames every country with presence.
        height: the map's height in pixels.
        min_width: the map's narrowest width in pixels; the first view fits the extent
            in a map ``min_width`` x ``height`` (so in every wider one too).
        shade_areas: shade admin-1 areas; None (default): only when the map frames
            chosen countries or an emergency (:func:`shades_areas`).
    """
    from maaor import admin1_shading  # admin-1 areas shaded where the 4W names them

    if shade_areas is None:
        shade_areas = shades_areas(extent_iso3)
    areas = admin1_shading.features(by_country, by_admin1, lang) if shade_areas else {
        "type": "FeatureCollection", "features": []}
    shown = country_features(by_country, lang)
    by_area = {f["properties"]["iso3"] for f in areas["features"]}
    for feature in shown["features"]:  # a country shaded by area is not shaded as a whole
        if feature["properties"]["iso3"] in by_area:
            feature["properties"]["fill"] = list(NO_DATA_FILL)
    countries = shaded_layer("countries", shown, LINE)
    bubbles = pdk.Layer(
        "ScatterplotLayer",
        id="admin1",
        data=admin1_points(by_admin1, lang),
        get_position=["lon", "lat"],
        get_radius="radius",
        radius_units="'meters'",  # quoted: pydeck turns bare strings into expressions
        radius_min_pixels=BUBBLE_MIN_PX,
        radius_max_pixels=BUBBLE_MAX_PX,
        get_fill_color=list(BUBBLE_FILL),
        get_line_color=list(BUBBLE_LINE),
        stroked=True,
        line_width_min_pixels=1,
        pickable=True,
    )
    present = list(by_country.loc[by_country["organisations"] > 0, "country_iso3"])
    labels = country_labels(present, lang)
    counts = dict(zip(by_country["country_iso3"], by_country["organisations"], strict=True))
    for label in labels:
        label["priority"] = int(counts.get(label["iso3"], 0))
    names = _label_layer(labels)
    framed = present if extent_iso3 is None or not len(extent_iso3) else list(extent_iso3)
    deck = copy.copy(_base_deck(map_style))
    deck.layers = [countries, admin1_shading.layer(areas), bubbles, names]
    deck.initial_view_state = view_for(framed, size=(min_width, height))
    return deck


def _deck_arguments(map_style: str | None) -> dict:
    """The arguments of every presence map's Deck besides its layers and first view."""
    # No provider and pydeck's default style sentinel is how a deck asks for no basemap:
    # Streamlit then requests no style (with map_style=None it would fetch CARTO's).
    basemap = {"map_style": map_style, "map_provider": "carto"} if map_style else {
        "map_provider": None
    }
    return {"tooltip": {"text": "{tip}", "style": TOOLTIP_STYLE}, **basemap}


@lru_cache(maxsize=4)
def _base_deck(map_style: str | None) -> CompactDeck:
    """The presence map's Deck without layers, made once per basemap style; each map is
    a shallow copy given its layers and first view.

    Making a pydeck Deck looks for its notebook widget five times (a failing import
    each), most of a map's cost once its figures are kept. Nothing changes a deck's
    attributes in place, so copies share the rest (tests/export/test_maps.py: the same
    JSON as a Deck made whole).
    """
    return CompactDeck(layers=[], **_deck_arguments(map_style))

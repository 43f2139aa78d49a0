"""The presence map as a PNG image, drawn with Pillow: no browser, no tiles, no internet.

Same picture as the pydeck map (``maaor.maps.presence_deck``): the bundled country
boundaries shaded by active organisations (same colour classes, ``maaor.maps.shade``;
admin-1 areas shaded instead where the figures name them, when a picture frames a
chosen emergency or countries: ``maaor.admin1_shading``)
and orange admin-1 bubbles sized by organisations, framed on the countries present, in
Web Mercator, the names of the countries with presence written on them, a legend in words
and the United Nations boundary disclaimer along the bottom. Used for the map slide of the
briefing pack and of Present mode.
"""

from __future__ import annotations

import io
import math

import pandas as pd
from PIL import Image, ImageDraw, ImageFont

from maaor import admin1_shading, maps
from maaor.i18n import fmt_number, t

SUPERSAMPLE = 2  # drawn at twice the size, then reduced: smooth edges without antialiasing
BACKGROUND = (255, 255, 255)
MIN_SPAN = 12.0  # degrees of longitude shown at least (one small country is not a blur)
NAME_PX = 22  # country names, at the image's size
DISCLAIMER_PX = 16
TEXT = (17, 17, 17)


def _merc(lon: float, lat: float) -> tuple[float, float]:
    return lon, maps._mercator_y(lat)


def _frame(iso3_codes, aspect: float) -> tuple[float, float, float, float]:
    """Return (west, south, east, north) in Mercator "degrees" framing the countries
    (``maaor.maps.extent``, the same extent as the pydeck map's)."""
    box = maps.extent(iso3_codes)
    if box is None:
        west, south, east, north = -170.0, _merc(0, -58)[1], 190.0, _merc(0, 78)[1]
    else:
        west, east = box[0], box[2]
        south, north = _merc(0, box[1])[1], _merc(0, box[3])[1]
        pad_x = max((east - west) * 0.12, (MIN_SPAN - (east - west)) / 2, 1.0)
        pad_y = max((north - south) * 0.12, 1.0)
        west, east, south, north = west - pad_x, east + pad_x, south - pad_y, north + pad_y
    # widen the short side so the frame has the image's aspect ratio (no distortion)
    width, height = east - west, north - south
    if width / height < aspect:
        grow = (height * aspect - width) / 2
        west, east = west - grow, east + grow
    else:
        grow = (width / aspect - height) / 2
        south, north = south - grow, north + grow
    return west, south, east, north


def _rings(geometry: dict):
    if geometry["type"] == "Polygon":
        yield from geometry["coordinates"][:1]
    elif geometry["type"] == "MultiPolygon":
        for polygon in geometry["coordinates"]:
            yield polygon[0]


# A system font with every accent of French names (apt: fonts-dejavu-core, in the
# Dockerfile); Pillow's built-in font has no "é" and is the last resort.
FONT_FILES = ("DejaVuSans.ttf", "LiberationSans-Regular.ttf")


def _font(size: int):
    for name in FONT_FILES:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def presence_png(by_country: pd.DataFrame, by_admin1: pd.DataFrame, lang: str,
                 size: tuple[int, int] = (1600, 900), extent_iso3=None) -> bytes:
    """Return the presence map as PNG bytes.

    Args:
        by_country: output of ``figures.presence.orgs_by_country``.
        by_admin1: output of ``figures.presence.orgs_by_admin1`` (bubbles where it has
            coordinates).
        lang: language of the names, legend and disclaimer.
        size: image size in pixels (width, height).
        extent_iso3: the countries to frame (an emergency's or the chosen ones); None
            frames every country with presence.
    """
    scale = SUPERSAMPLE
    width, height = size[0] * scale, size[1] * scale
    present = list(by_country.loc[by_country["organisations"] > 0, "country_iso3"])
    framed = present if extent_iso3 is None or not len(extent_iso3) else list(extent_iso3)
    band = DISCLAIMER_PX * 2 * scale  # the disclaimer's strip along the bottom
    map_height = height - band
    west, south, east, north = _frame(framed, size[0] / ((map_height) / scale))
    sx, sy = width / (east - west), map_height / (north - south)
    sx, sy = width / (east - west), height / (north - south)

    def xy(lon: float, lat: float) -> tuple[float, float]:
        x, y = _merc(lon, lat)
        return (x - west) * sx, (north - y) * sy

    counts = dict(zip(by_country["country_iso3"], by_country["organisations"], strict=True))
    top = float(by_country["organisations"].max()) if len(by_country) else 0.0
    areas = _admin1_areas(by_country, by_admin1, lang, extent_iso3)
    by_area = {f["properties"]["iso3"] for f in areas}  # not also shaded as a whole
    image = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    for feature in maps.boundaries()["features"]:
        props = feature["properties"]
        bbox = props["bbox"]
        if bbox[2] < west - 5 or bbox[0] > east + 5:
            continue
        fill = maps.shade(0 if props["iso3"] in by_area else counts.get(props["iso3"], 0), top)[:3]
        for ring in _rings(feature["geometry"]):
            points = [xy(lon, lat) for lon, lat in ring]
            if len(points) >= 3:
                draw.polygon(points, fill=fill, outline=maps.LINE[:3], width=scale)
    for feature in areas:
        fill = tuple(feature["properties"]["fill"][:3])
        for ring in _rings(feature["geometry"]):
            points = [xy(lon, lat) for lon, lat in ring]
            if len(points) >= 3:
                draw.polygon(points, fill=fill, outline=admin1_shading.AREA_LINE[:3])
    placed = by_admin1.loc[by_admin1["lat"].notna() & by_admin1["lon"].notna()]
    for lon, lat, orgs in zip(placed["lon"], placed["lat"], placed["organisations"], strict=True):
        x, y = xy(float(lon), float(lat))
        r = (4 + 4 * math.sqrt(max(int(orgs), 0))) * scale
        draw.ellipse((x - r, y - r, x + r, y + r), fill=maps.BUBBLE_FILL[:3],
                     outline=maps.BUBBLE_LINE[:3], width=scale)
    _names(draw, by_country, lang, scale, xy, (0, 0, width, map_height))
    _legend(draw, top, lang, scale, map_height, by_area=bool(areas))
    _disclaimer(draw, lang, scale, width, height, band)
    image = image.resize(size, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _admin1_areas(by_country: pd.DataFrame, by_admin1: pd.DataFrame, lang: str,
                  extent_iso3) -> list[dict]:
    """The admin-1 areas shaded on the picture (``maaor.admin1_shading``): only when
    the picture frames a chosen emergency or countries, and only theirs; on a picture
    of every country, areas would be specks."""
    if extent_iso3 is None or not len(extent_iso3):
        return []
    chosen = set(extent_iso3)
    return [f for f in admin1_shading.features(by_country, by_admin1, lang)["features"]
            if f["properties"]["iso3"] in chosen]


def _legend(draw: ImageDraw.ImageDraw, top: float, lang: str, scale: int, height: int,
            by_area: bool = False) -> None:
    """Draw the colour classes (1 .. most organisations) and the bubble key, bottom left
    (the colour's words say "per admin-1 area" when areas are shaded)."""
    colour_text = t("mapimage.legend.areas" if by_area else "mapimage.legend.countries", lang)
    font = _font(22 * scale)
    box = 34 * scale
    x0, y0 = 24 * scale, height - 130 * scale
    right = max(draw.textlength(colour_text, font=font),
                box + 12 * scale + draw.textlength(t("mapimage.legend.admin1", lang), font=font))
    draw.rectangle((x0 - 12 * scale, y0 - 46 * scale, x0 + right + 14 * scale, height - 12 * scale),
                   fill=(255, 255, 255), outline=(120, 120, 120), width=scale)
    draw.text((x0, y0 - 40 * scale), colour_text, fill=(17, 17, 17),
              font=font)
    for i, colour in enumerate(maps.SHADES):
        draw.rectangle((x0 + i * box, y0, x0 + (i + 1) * box, y0 + box), fill=colour,
                       outline=(120, 120, 120))
    draw.text((x0 + len(maps.SHADES) * box + 12 * scale, y0 + 4 * scale),
              f"1 - {fmt_number(top, lang)}", fill=(17, 17, 17), font=font)
    y1 = y0 + box + 18 * scale
    r = 12 * scale
    draw.ellipse((x0 + box / 2 - r, y1, x0 + box / 2 + r, y1 + 2 * r), fill=maps.BUBBLE_FILL[:3],
                 outline=maps.BUBBLE_LINE[:3], width=scale)
    draw.text((x0 + box + 12 * scale, y1), t("mapimage.legend.admin1", lang), fill=(17, 17, 17),
              font=font)


def _overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_names(draw: ImageDraw.ImageDraw, labels: list[dict], font, pad: float, xy,
                area: tuple[float, float, float, float]) -> list[tuple[dict, float, float, tuple]]:
    """Return where each name is written: (label, x, y, box), first come first placed.

    A name that would cover one already placed moves half a line up or down, then a
    line; one that still collides (or leaves ``area``) is left out, as the pydeck map's
    collision filter does, rather than written over another.
    """
    placed: list[tuple[dict, float, float, tuple]] = []
    for label in labels:
        x0, y0 = xy(label["lon"], label["lat"])
        left, top, right, bottom = draw.textbbox((x0, y0), label["name"], font=font, anchor="mm")
        line = bottom - top + 2 * pad
        for dy in (0, -line * 0.6, line * 0.6, -line * 1.2, line * 1.2):
            box = (left - pad, top - pad + dy, right + pad, bottom + pad + dy)
            inside = area[0] <= box[0] and box[2] <= area[2] and area[1] <= box[1] and box[3] <= area[3]
            if inside and not any(_overlaps(box, other[3]) for other in placed):
                placed.append((label, x0, y0 + dy, box))
                break
    return placed


def _names(draw: ImageDraw.ImageDraw, by_country: pd.DataFrame, lang: str, scale: int, xy,
           area: tuple[float, float, float, float]) -> None:
    """Write the name of each country with presence on a white box, the countries with
    most organisations first."""
    ranked = by_country.loc[by_country["organisations"] > 0].sort_values(
        ["organisations", "country_iso3"], ascending=[False, True], kind="stable")
    order = {iso3: i for i, iso3 in enumerate(ranked["country_iso3"])}
    labels = sorted(maps.country_labels(ranked["country_iso3"], lang),
                    key=lambda label: order[label["iso3"]])
    font = _font(NAME_PX * scale)
    for label, x, y, box in place_names(draw, labels, font, 3 * scale, xy, area):
        draw.rectangle(box, fill=(255, 255, 255), outline=(120, 120, 120))
        draw.text((x, y), label["name"], fill=TEXT, font=font, anchor="mm")


def _disclaimer(draw: ImageDraw.ImageDraw, lang: str, scale: int, width: int, height: int,
                band: int) -> None:
    """Write the United Nations boundary disclaimer in a white strip along the bottom."""
    draw.rectangle((0, height - band, width, height), fill=BACKGROUND)
    draw.text((12 * scale, height - band / 2), t("map.disclaimer", lang), fill=TEXT,
              font=_font(DISCLAIMER_PX * scale), anchor="lm")

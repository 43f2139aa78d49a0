"""The presence map as a PNG image, drawn with Pillow: no browser, no tiles, no internet.

Same picture as the pydeck map (``maaor.maps.presence_deck``): the bundled country
boundaries shaded by active organisations (same colour classes, ``maaor.maps.shade``)
and orange admin-1 bubbles sized by organisations, framed on the countries present, in
Web Mercator. Used for the map slide of the briefing pack.
"""

from __future__ import annotations

import io
import math

import pandas as pd
from PIL import Image, ImageDraw, ImageFont

from maaor import maps
from maaor.i18n import fmt_number, t

SUPERSAMPLE = 2  # drawn at twice the size, then reduced: smooth edges without antialiasing
BACKGROUND = (255, 255, 255)
MIN_SPAN = 12.0  # degrees of longitude shown at least (one small country is not a blur)


def _merc(lon: float, lat: float) -> tuple[float, float]:
    return lon, maps._mercator_y(lat)


def _frame(iso3_codes, aspect: float) -> tuple[float, float, float, float]:
    """Return (west, south, east, north) in Mercator "degrees" framing the countries."""
    wanted = set(iso3_codes)
    boxes = [f["properties"]["bbox"] for f in maps.boundaries()["features"]
             if f["properties"]["iso3"] in wanted]
    boxes = [b for b in boxes if b[2] - b[0] < 180]
    if not boxes:
        west, south, east, north = -170.0, _merc(0, -58)[1], 190.0, _merc(0, 78)[1]
    else:
        west, east = min(b[0] for b in boxes), max(b[2] for b in boxes)
        south, north = _merc(0, min(b[1] for b in boxes))[1], _merc(0, max(b[3] for b in boxes))[1]
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


def _font(size: int):
    return ImageFont.load_default(size=size)


def presence_png(by_country: pd.DataFrame, by_admin1: pd.DataFrame, lang: str,
                 size: tuple[int, int] = (1600, 900)) -> bytes:
    """Return the presence map as PNG bytes.

    Args:
        by_country: output of ``figures.presence.orgs_by_country``.
        by_admin1: output of ``figures.presence.orgs_by_admin1`` (bubbles where it has
            coordinates).
        lang: legend language.
        size: image size in pixels (width, height).
    """
    scale = SUPERSAMPLE
    width, height = size[0] * scale, size[1] * scale
    present = by_country.loc[by_country["organisations"] > 0, "country_iso3"]
    west, south, east, north = _frame(present, size[0] / size[1])
    sx, sy = width / (east - west), height / (north - south)

    def xy(lon: float, lat: float) -> tuple[float, float]:
        x, y = _merc(lon, lat)
        return (x - west) * sx, (north - y) * sy

    counts = dict(zip(by_country["country_iso3"], by_country["organisations"], strict=True))
    top = float(by_country["organisations"].max()) if len(by_country) else 0.0
    image = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    for feature in maps.boundaries()["features"]:
        props = feature["properties"]
        bbox = props["bbox"]
        if bbox[2] < west - 5 or bbox[0] > east + 5:
            continue
        fill = maps.shade(counts.get(props["iso3"], 0), top)[:3]
        for ring in _rings(feature["geometry"]):
            points = [xy(lon, lat) for lon, lat in ring]
            if len(points) >= 3:
                draw.polygon(points, fill=fill, outline=maps.LINE[:3], width=scale)
    placed = by_admin1.loc[by_admin1["lat"].notna() & by_admin1["lon"].notna()]
    for lon, lat, orgs in zip(placed["lon"], placed["lat"], placed["organisations"], strict=True):
        x, y = xy(float(lon), float(lat))
        r = (4 + 4 * math.sqrt(max(int(orgs), 0))) * scale
        draw.ellipse((x - r, y - r, x + r, y + r), fill=maps.BUBBLE_FILL[:3],
                     outline=maps.BUBBLE_LINE[:3], width=scale)
    _legend(draw, top, lang, scale, height)
    image = image.resize(size, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _legend(draw: ImageDraw.ImageDraw, top: float, lang: str, scale: int, height: int) -> None:
    """Draw the colour classes (1 .. most organisations) and the bubble key, bottom left."""
    font = _font(22 * scale)
    box = 34 * scale
    x0, y0 = 24 * scale, height - 130 * scale
    draw.rectangle((x0 - 12 * scale, y0 - 46 * scale, x0 + 560 * scale, height - 12 * scale),
                   fill=(255, 255, 255), outline=(120, 120, 120), width=scale)
    draw.text((x0, y0 - 40 * scale), t("mapimage.legend.countries", lang), fill=(17, 17, 17),
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

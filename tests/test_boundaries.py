"""The bundled country outlines follow the boundaries the United Nations recognises."""

from __future__ import annotations

import json

from tests.paths import ROOT


def _inside(x: float, y: float, geometry: dict) -> bool:
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    hit = False
    for polygon in polygons:
        for ring in polygon:
            for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
                if (y0 > y) != (y1 > y) and x < (x1 - x0) * (y - y0) / (y1 - y0) + x0:
                    hit = not hit
    return hit


def test_crimea_is_drawn_in_ukraine():
    data = json.loads((ROOT / "data" / "geo" / "countries-110m.geojson").read_text(encoding="utf-8"))
    simferopol, sevastopol = (34.10, 44.95), (33.52, 44.60)
    owners = {
        point: [f["properties"]["iso3"] for f in data["features"] if _inside(*point, f["geometry"])]
        for point in (simferopol, sevastopol)
    }
    assert owners == {simferopol: ["UKR"], sevastopol: ["UKR"]}
    ukraine = next(f for f in data["features"] if f["properties"]["iso3"] == "UKR")
    assert ukraine["properties"]["bbox"][1] < 44.6  # the box reaches the Crimean coast

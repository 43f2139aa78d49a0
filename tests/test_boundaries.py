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


def _reference_inside_or_near(rings, px, py, tolerance):
    """One point at a time: even-odd crossings over every ring, or within ``tolerance``
    of a segment."""
    import math

    crossings, nearest = 0, math.inf
    for ring in rings:
        for (ax, ay), (bx, by) in zip(ring[:-1], ring[1:], strict=True):
            if (ay > py) != (by > py) and px < (bx - ax) * (py - ay) / (by - ay) + ax:
                crossings += 1
            dx, dy = bx - ax, by - ay
            length2 = dx * dx + dy * dy or 1.0
            t = min(1.0, max(0.0, ((px - ax) * dx + (py - ay) * dy) / length2))
            nearest = min(nearest, math.hypot(px - (ax + t * dx), py - (ay + t * dy)))
    return crossings % 2 == 1 or nearest <= tolerance


def test_inside_or_near_agrees_point_by_point_with_the_plain_rule():
    # Distances are measured only for points outside the outline: the answer must be
    # the one of the plain rule for every point, inside, near or far.
    import numpy as np

    from maaor.borders import _inside_or_near

    rng = np.random.default_rng(16)
    for _ in range(40):
        rings = []
        for _ in range(int(rng.integers(1, 4))):
            n = int(rng.integers(3, 25))
            angle = np.sort(rng.uniform(0, 2 * np.pi, n))
            radius = rng.uniform(0.5, 3, n)
            cx, cy = rng.uniform(-5, 5, 2)
            ring = np.c_[cx + radius * np.cos(angle), cy + radius * np.sin(angle)]
            rings.append(np.vstack([ring, ring[:1]]))
        x, y = rng.uniform(-9, 9, 120), rng.uniform(-9, 9, 120)
        tolerance = float(rng.uniform(0, 0.5))
        got = _inside_or_near(rings, x, y, tolerance)
        want = [_reference_inside_or_near(rings, a, b, tolerance) for a, b in zip(x, y, strict=True)]
        assert got.tolist() == want

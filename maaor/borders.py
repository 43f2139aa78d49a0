"""Is a point in its country? Point-in-polygon over the bundled country boundaries.

The boundaries are Natural Earth 1:110m (``data/geo/countries-110m.geojson``): coarse,
so a point is accepted within ``TOLERANCE_DEGREES`` of its country's outline (a place on
the coast or the border is not flagged). Countries the file lacks are never flagged.
"""

from __future__ import annotations

import json
from functools import lru_cache

import numpy as np
import pandas as pd

from maaor.resources import bundled_data_dir

BOUNDARIES_PATH = bundled_data_dir() / "geo" / "countries-110m.geojson"
#: Half a degree (about 55 km at the equator): wider than the 1:110m outlines' error.
TOLERANCE_DEGREES = 0.5
#: Small countries (outline spanning under ``SMALL_SPAN_DEGREES``) are often archipelagos
#: whose smaller islands the 1:110m outlines leave out (Efate, Vanuatu's capital island):
#: their points are accepted within ``SMALL_TOLERANCE_DEGREES``.
SMALL_SPAN_DEGREES = 5.0
SMALL_TOLERANCE_DEGREES = 2.0


@lru_cache(maxsize=1)
def _rings() -> dict[str, list[np.ndarray]]:
    """ISO3 -> the rings (exterior and holes) of the country, each an (n, 2) lon/lat array."""
    data = json.loads(BOUNDARIES_PATH.read_text(encoding="utf-8"))
    rings: dict[str, list[np.ndarray]] = {}
    for feature in data["features"]:
        iso3 = feature["properties"].get("iso3")
        geometry = feature.get("geometry") or {}
        polygons = geometry.get("coordinates") or []
        if geometry.get("type") == "Polygon":
            polygons = [polygons]
        elif geometry.get("type") != "MultiPolygon":
            continue
        for polygon in polygons:
            for ring in polygon:
                rings.setdefault(iso3, []).append(np.asarray(ring, dtype=float)[:, :2])
    return rings


def has_boundary(iso3: str) -> bool:
    """True when the bundled boundaries hold ``iso3``."""
    return iso3 in _rings()


def _inside_or_near(rings: list[np.ndarray], x: np.ndarray, y: np.ndarray,
                    tolerance: float) -> np.ndarray:
    """Even-odd point-in-polygon over every ring, or within ``tolerance`` of an edge."""
    inside = np.zeros(len(x), dtype=bool)
    px, py = x[:, None], y[:, None]
    for ring in rings:
        ax, ay = ring[:-1, 0][None, :], ring[:-1, 1][None, :]
        bx, by = ring[1:, 0][None, :], ring[1:, 1][None, :]
        crosses = ((ay > py) != (by > py)) & (
            px < (bx - ax) * (py - ay) / np.where(by == ay, np.inf, by - ay) + ax)
        inside ^= (crosses.sum(axis=1) % 2).astype(bool)
    # Distances to the outline only for the points outside it (most points are inside).
    out = np.flatnonzero(~inside)
    if not len(out):
        return inside
    nearest = np.full(len(out), np.inf)
    px, py = x[out][:, None], y[out][:, None]
    for ring in rings:
        ax, ay = ring[:-1, 0][None, :], ring[:-1, 1][None, :]
        bx, by = ring[1:, 0][None, :], ring[1:, 1][None, :]
        # distance to each segment, in degrees
        dx, dy = bx - ax, by - ay
        length2 = np.where(dx * dx + dy * dy == 0, 1.0, dx * dx + dy * dy)
        t = np.clip(((px - ax) * dx + (py - ay) * dy) / length2, 0.0, 1.0)
        dist = np.hypot(px - (ax + t * dx), py - (ay + t * dy))
        nearest = np.minimum(nearest, dist.min(axis=1))
    result = inside.copy()
    result[out] = nearest <= tolerance
    return result


def _tolerance(rings: list[np.ndarray], tolerance: float) -> float:
    points = np.concatenate(rings)
    span = float(np.hypot(*(points.max(axis=0) - points.min(axis=0))))
    return max(tolerance, SMALL_TOLERANCE_DEGREES) if span < SMALL_SPAN_DEGREES else tolerance


def outside_country(iso3: pd.Series, lat: pd.Series, lon: pd.Series,
                    tolerance: float = TOLERANCE_DEGREES) -> np.ndarray:
    """Return a mask of the rows whose point lies outside their country.

    Rows without a country, without both coordinates, or whose country the bundled
    boundaries lack are never flagged. Computed once per distinct country.

    Args:
        iso3: the rows' countries.
        lat, lon: decimal degrees.
        tolerance: distance (degrees) from the outline within which a point is accepted
            (at least ``SMALL_TOLERANCE_DEGREES`` for small countries).
    """
    # Factorised as it is (a text column of Arrow strings is dictionary-encoded, without
    # a Python object per row); a missing country is -1 and never looked up.
    every_country, names = pd.factorize(iso3, use_na_sentinel=True)
    y = pd.to_numeric(lat, errors="coerce").to_numpy(dtype=float)
    x = pd.to_numeric(lon, errors="coerce").to_numpy(dtype=float)
    out = np.zeros(len(every_country), dtype=bool)
    known = ~(np.isnan(x) | np.isnan(y))
    rings = _rings()
    country = np.asarray(every_country)[known]
    known_rows = np.flatnonzero(known)
    order = np.argsort(country, kind="stable")
    bounds = np.searchsorted(country[order], np.arange(len(names) + 1))
    for number, code in enumerate(names):
        if code is None or code not in rings:
            continue
        rows = known_rows[order[bounds[number]:bounds[number + 1]]]
        near = _tolerance(rings[code], tolerance)
        (west, south), (east, north) = _box(code)
        # A point beyond the outline's box widened by the tolerance is outside: only the
        # others need the ring test (whose arrays grow with points x segments).
        boxed = ((x[rows] >= west - near) & (x[rows] <= east + near)
                 & (y[rows] >= south - near) & (y[rows] <= north + near))
        out[rows[~boxed]] = True
        test = rows[boxed]
        for start in range(0, len(test), _CHUNK):
            part = test[start:start + _CHUNK]
            out[part] = ~_inside_or_near(rings[code], x[part], y[part], near)
    return out


#: Points tested against a country's rings at once (bounds the points x segments arrays).
_CHUNK = 2048


@lru_cache(maxsize=256)
def _box(iso3: str) -> tuple[tuple[float, float], tuple[float, float]]:
    """The (west, south), (east, north) corners of a country's outlines."""
    points = np.concatenate(_rings()[iso3])
    return tuple(points.min(axis=0)), tuple(points.max(axis=0))

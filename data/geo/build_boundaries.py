"""Build the bundled country boundaries (``countries-110m.geojson``) from world-atlas.

Source: the npm package ``world-atlas@2.0.2`` (Natural Earth 1:110m admin-0 countries as
TopoJSON, ISC licence; Natural Earth data is public domain). Its features carry ISO 3166-1
numeric ids; this script maps them to ISO3 with hdx-python-country (offline), adds English
and French short names and a bounding box, rounds coordinates to 0.01 degree, moves rings
crossing the antimeridian east of 180, leaves Antarctica out, and writes a
GeoJSON FeatureCollection small enough to commit (< 1 MB).

Usage (from the repository root)::

    .venv/bin/python data/geo/build_boundaries.py            # fetches the package with npm
    .venv/bin/python data/geo/build_boundaries.py --source path/to/countries-110m.json
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "world-atlas@2.0.2"
HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "countries-110m.geojson"
DECIMALS = 2

# Features world-atlas leaves without a numeric id: disputed or partially recognised areas.
# They are drawn with the ISO3 of the UN member state they are reported under in
# humanitarian data (Kosovo keeps the code HDX and OCHA use).
# Antarctica is left out: no mine action coordination there, and its ring closing along
# the pole draws a band across a flat (Web Mercator) map.
LEFT_OUT = {"ATA"}

UNNUMBERED = {
    "N. Cyprus": ("CYP", "Cyprus", "Chypre"),
    "Somaliland": ("SOM", "Somalia", "Somalie"),
    "Kosovo": ("XKX", "Kosovo", "Kosovo"),
}


def fetch_topojson(workdir: Path) -> Path:
    """Download the world-atlas package with npm into ``workdir``; return the 110m file."""
    subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=workdir, check=True)
    tarball = next(workdir.glob("world-atlas-*.tgz"))
    with tarfile.open(tarball) as tar:
        member = tar.getmember("package/countries-110m.json")
        tar.extractall(workdir, members=[member], filter="data")
    return workdir / "package" / "countries-110m.json"


def decode_arcs(topo: dict) -> list[list[tuple[float, float]]]:
    """Return the absolute coordinates of every arc of a quantised TopoJSON topology."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(indices: list[int], arcs: list[list[tuple[float, float]]]) -> list[list[float]]:
    """Stitch the arcs of one ring (a negative index ``~i`` means arc ``i`` reversed)."""
    points: list[tuple[float, float]] = []
    for index in indices:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    out: list[list[float]] = []
    for x, y in points:
        p = [round(x, DECIMALS), round(y, DECIMALS)]
        if not out or out[-1] != p:
            out.append(p)
    if out and out[0] != out[-1]:
        out.append(out[0])
    return unwrap(out)


def unwrap(points: list[list[float]]) -> list[list[float]]:
    """Shift the western part of a ring that crosses the antimeridian by +360 degrees.

    World-atlas is cut for spherical rendering: a ring of Russia or Fiji jumps from
    180 to -180. A flat map would draw that jump as a stripe across the world; moved
    east of 180 the ring stays in one piece (deck.gl draws longitudes above 180).
    """
    xs = [p[0] for p in points]
    if not xs or max(xs) - min(xs) <= 180:
        return points
    return [[x + 360 if x < 0 else x, y] for x, y in points]


def geometry(geom: dict, arcs) -> dict:
    """Convert one TopoJSON Polygon/MultiPolygon to GeoJSON, dropping degenerate rings."""
    if geom["type"] == "Polygon":
        polygons = [geom["arcs"]]
    elif geom["type"] == "MultiPolygon":
        polygons = geom["arcs"]
    else:
        raise ValueError(f"unexpected geometry type {geom['type']}")
    rings = [[ring(r, arcs) for r in polygon] for polygon in polygons]
    rings = [[r for r in polygon if len(r) >= 4] for polygon in rings]
    rings = [polygon for polygon in rings if polygon]
    if len(rings) == 1:
        return {"type": "Polygon", "coordinates": rings[0]}
    return {"type": "MultiPolygon", "coordinates": rings}


def bbox(geom: dict) -> list[float]:
    """Return [min lon, min lat, max lon, max lat] of a GeoJSON geometry."""
    polygons = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
    xs = [p[0] for polygon in polygons for r in polygon for p in r]
    ys = [p[1] for polygon in polygons for r in polygon for p in r]
    return [min(xs), min(ys), max(xs), max(ys)]


# Polygons drawn under the wrong country in Natural Earth's de facto lines, moved to the
# country the United Nations recognises (General Assembly resolution 68/262 affirms the
# territorial integrity of Ukraine, Crimea included): (from ISO3, to ISO3, a point inside).
REASSIGNED = [("RUS", "UKR", (34.2, 45.3))]


def _inside(x: float, y: float, polygon: list) -> bool:
    """Even-odd test of a point against a polygon's outer ring."""
    hit = False
    outer = polygon[0]
    for (x0, y0), (x1, y1) in zip(outer, outer[1:], strict=False):
        if (y0 > y) != (y1 > y) and x < (x1 - x0) * (y - y0) / (y1 - y0) + x0:
            hit = not hit
    return hit


def _polygons(shape: dict) -> list:
    return [shape["coordinates"]] if shape["type"] == "Polygon" else list(shape["coordinates"])


def _shape(polygons: list) -> dict:
    if len(polygons) == 1:
        return {"type": "Polygon", "coordinates": polygons[0]}
    return {"type": "MultiPolygon", "coordinates": polygons}


def reassign(features: list[dict]) -> None:
    """Move each polygon listed in ``REASSIGNED`` to its country (bounding boxes redone)."""
    by_iso3 = {f["properties"]["iso3"]: f for f in features}
    for source, target, (x, y) in REASSIGNED:
        if source not in by_iso3 or target not in by_iso3:
            continue
        polygons = _polygons(by_iso3[source]["geometry"])
        moving = [p for p in polygons if _inside(x, y, p)]
        if not moving:
            continue
        by_iso3[source]["geometry"] = _shape([p for p in polygons if p not in moving])
        by_iso3[target]["geometry"] = _shape(_polygons(by_iso3[target]["geometry"]) + moving)
        for iso3 in (source, target):
            by_iso3[iso3]["properties"]["bbox"] = bbox(by_iso3[iso3]["geometry"])


def country_identity(feature: dict) -> tuple[str, str, str]:
    """Return (ISO3, English short name, French short name) of a world-atlas feature."""
    from hdx.location.country import Country

    Country.countriesdata(use_live=False)
    name = feature["properties"]["name"]
    if not feature.get("id"):
        return UNNUMBERED[name]
    info = Country.get_country_info_from_m49(int(feature["id"]))
    if info is None:
        raise ValueError(f"no ISO3 for numeric id {feature['id']} ({name})")
    return (
        info["ISO 3166-1 Alpha 3-Codes"],
        info["English Short"] or name,
        info["French Short"] or info["English Short"] or name,
    )


def build(topo: dict) -> dict:
    """Return the GeoJSON FeatureCollection of the countries of a world-atlas topology."""
    arcs = decode_arcs(topo)
    features = []
    for geom in topo["objects"]["countries"]["geometries"]:
        iso3, name_en, name_fr = country_identity(geom)
        if iso3 in LEFT_OUT:
            continue
        shape = geometry(geom, arcs)
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "iso3": iso3,
                    "name_en": name_en,
                    "name_fr": name_fr,
                    "bbox": bbox(shape),
                },
                "geometry": shape,
            }
        )
    reassign(features)
    features.sort(key=lambda f: f["properties"]["iso3"])
    return {"type": "FeatureCollection", "features": features}


def main() -> None:
    """Fetch (or read) the TopoJSON and write the GeoJSON beside this script."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, help="countries-110m.json of world-atlas")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        source = args.source or fetch_topojson(Path(tmp))
        topo = json.loads(source.read_text(encoding="utf-8"))
    collection = build(topo)
    OUTPUT.write_text(
        json.dumps(collection, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )
    print(f"{OUTPUT.name}: {len(collection['features'])} features, {OUTPUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()

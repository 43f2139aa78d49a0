"""Admin-1 areas shaded by the number of active organisations (offline polygons).

The polygons are ``data/geo/admin1.geojson`` (Natural Earth admin-1 matched to OCHA
P-codes by ``data/geo/build_gazetteer.py``; see ``data/geo/PROVENANCE.md``). A country
whose admin-1 figures (``figures.presence.orgs_by_admin1``) name at least one area that
has a polygon is shaded by area instead of as a whole: every area of that country is
drawn, the ones with presence in the same colour classes as the countries
(``maaor.maps.shade``, on the countries' scale, so a colour means the same number on
either), the others grey. Countries without such data stay shaded at country level.

Areas are found from what the figures carry: the admin-1 P-code or code first, then the
name in any of its gazetteer variants (``maaor.validate.places.find_admin1``). Groups
naming the same area in two spellings are merged and their organisations counted once.
The figures group rows by area name, so a row with a code and no name (validation fills
the name from the code only for rows without coordinates) is not placed in an area.
Organisations of a country that no shaded area holds (rows with no admin-1 area, or an
area without a polygon, such as a former province) are named in the tooltips of that
country's areas, so nobody disappears from the map.

The shading is never more precise than admin-1 and follows the public aggregation
level: a country-level public view blanks the admin-1 columns, so nothing is shaded.
Geometries are read once per process and their JSON written once
(:func:`geometry_json`, spliced into the deck by ``maaor.maps.CompactDeck``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from maaor.dataset import LIST_SEP, split_list
from maaor.i18n import country_name, t
from maaor.resources import bundled_data_dir

ADMIN1_PATH = bundled_data_dir() / "geo" / "admin1.geojson"
AREA_LINE = (120, 120, 120, 255)


@lru_cache(maxsize=1)
def polygons() -> dict[str, dict]:
    """Return P-code -> the bundled admin-1 feature (read once per process)."""
    data = json.loads(ADMIN1_PATH.read_text(encoding="utf-8"))
    return {f["properties"]["pcode"]: f for f in data["features"]}


@lru_cache(maxsize=1)
def by_country() -> dict[str, tuple[str, ...]]:
    """Return ISO3 -> the P-codes of its areas that have a polygon (file order)."""
    out: dict[str, list[str]] = {}
    for pcode, feature in polygons().items():
        out.setdefault(feature["properties"]["iso3"], []).append(pcode)
    return {iso3: tuple(codes) for iso3, codes in out.items()}


@lru_cache(maxsize=1)
def geometry_json() -> dict[int, str]:
    """Return the compact JSON of every admin-1 geometry by the geometry object's id."""
    from maaor import maps

    return {id(f["geometry"]): maps._compact(f["geometry"]) for f in polygons().values()}


@lru_cache(maxsize=4096)
def _pcode(iso3: str, code: str | None, name: str | None) -> str | None:
    """The P-code of the area a figure row names, when it has a polygon; else None."""
    from maaor.validate.places import find_admin1

    if iso3 not in by_country():
        return None
    found, _ = find_admin1(iso3, code, name, {})
    if found is None or found.unit is None or found.unit.pcode not in polygons():
        return None
    return found.unit.pcode


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


@dataclass(frozen=True)
class Area:
    """One admin-1 area of a country shaded by area.

    Attributes:
        iso3: the country.
        pcode: the area's OCHA P-code (the polygon's key).
        name: the area's name in the bundled polygons.
        orgs: the distinct active organisations there, sorted (empty: no presence).
        pillars: the pillars of the rows there, sorted.
    """

    iso3: str
    pcode: str
    name: str
    orgs: tuple[str, ...]
    pillars: tuple[str, ...]

    @property
    def organisations(self) -> int:
        """The number of distinct active organisations in the area."""
        return len(self.orgs)


def areas(by_admin1: pd.DataFrame) -> dict[str, list[Area]]:
    """Return ISO3 -> every area of each country shaded by area, with its organisations.

    Args:
        by_admin1: output of ``figures.presence.orgs_by_admin1`` (public figures).

    Returns:
        The countries where at least one row names an area with a polygon; for each,
        all its areas with a polygon, those without presence with no organisations.
    """
    orgs: dict[str, set[str]] = {}
    pillars: dict[str, set[str]] = {}
    if len(by_admin1):
        for row in by_admin1.itertuples(index=False):
            if _text(row.admin1) is None:
                # The figures group rows by area name: the rows without one form a
                # single group whose code is only its first row's, so it is not an area.
                continue
            pcode = _pcode(row.country_iso3, _text(row.admin1_code), _text(row.admin1))
            if pcode is None:
                continue
            orgs.setdefault(pcode, set()).update(split_list(row.org_list))
            pillars.setdefault(pcode, set()).update(split_list(row.pillar_list))
    shaded = sorted({polygons()[p]["properties"]["iso3"] for p in orgs})
    out: dict[str, list[Area]] = {}
    for iso3 in shaded:
        out[iso3] = [
            Area(iso3, pcode, polygons()[pcode]["properties"]["name"],
                 tuple(sorted(orgs.get(pcode, ()))), tuple(sorted(pillars.get(pcode, ()))))
            for pcode in by_country()[iso3]
        ]
    return out


def _unplaced(country_orgs: dict[str, object], shaded: dict[str, list[Area]]) -> dict[str, list[str]]:
    """ISO3 -> the country's organisations that no area of it holds."""
    out = {}
    for iso3, country_areas in shaded.items():
        held = {org for area in country_areas for org in area.orgs}
        out[iso3] = sorted(set(split_list(country_orgs.get(iso3))) - held)
    return out


def features(by_country_figures: pd.DataFrame, by_admin1: pd.DataFrame, lang: str) -> dict:
    """Return the admin-1 areas to shade as a GeoJSON FeatureCollection.

    Args:
        by_country_figures: output of ``figures.presence.orgs_by_country`` (its maximum
            is the top of the colour scale, as for the countries).
        by_admin1: output of ``figures.presence.orgs_by_admin1``.
        lang: tooltip language.

    Returns:
        One feature per area of the countries shaded by area; properties iso3, pcode,
        organisations, fill and tip (plain text, read by a ``{"text": ...}`` tooltip).
    """
    from maaor import maps

    shaded = areas(by_admin1)
    top = float(by_country_figures["organisations"].max()) if len(by_country_figures) else 0.0
    country_orgs = dict(zip(by_country_figures["country_iso3"], by_country_figures["org_list"],
                            strict=True))
    unplaced = _unplaced(country_orgs, shaded)
    # An area never counts more organisations than its country; the guard keeps the
    # scale's top right for figures filtered differently.
    top = max([top] + [a.organisations for group in shaded.values() for a in group])
    out = []
    for iso3, country_areas in shaded.items():
        for area in country_areas:
            title = f"{area.name}, {country_name(iso3, lang)}"
            if area.orgs:
                tip = maps._tip(title, area.organisations, LIST_SEP.join(area.orgs),
                                LIST_SEP.join(area.pillars) if area.pillars else float("nan"),
                                lang)
            else:
                tip = maps.deck_text(title + "\n" + t("map.no_presence", lang))
            if unplaced[iso3]:
                tip += "\n" + t("map.admin1_unplaced", lang, n=len(unplaced[iso3])) + ": " \
                    + maps._listing(LIST_SEP.join(unplaced[iso3]), lang)
            feature = polygons()[area.pcode]
            out.append({
                "type": "Feature",
                "geometry": feature["geometry"],  # the cached object: its JSON is spliced in
                "properties": {"iso3": iso3, "pcode": area.pcode,
                               "organisations": area.organisations,
                               "fill": list(maps.shade(area.organisations, top)), "tip": tip},
            })
    return {"type": "FeatureCollection", "features": out}


def layer(collection: dict):
    """Return the pydeck layer of :func:`features` (drawn over the countries)."""
    from maaor import maps

    return maps.shaded_layer("admin1-areas", collection, AREA_LINE)


def shaded_countries(by_admin1: pd.DataFrame) -> list[str]:
    """Return the countries the map shades by admin-1 area, sorted (for the legend)."""
    if not len(by_admin1):
        return []
    found = set()
    for iso3, code, name in zip(by_admin1["country_iso3"], by_admin1["admin1_code"],
                                by_admin1["admin1"], strict=True):
        if _text(name) is not None and iso3 not in found \
                and _pcode(iso3, _text(code), _text(name)) is not None:
            found.add(iso3)
    return sorted(found)

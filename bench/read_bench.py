"""Benchmark: maaor's full read + validate of a large 4W workbook against bare pandas.

Generates a 4W presence workbook (template headers + HXL row, realistic mixed values:
country names in English and French, organisation alias spellings, pillar words, Excel
dates, a few bad cells), then runs, interleaved A/B/C for each round, each in a fresh
subprocess so peak memory is measured per run:

    A  maaor: ``maaor.load.load_sources`` (precheck, read, headers, validate, normalise)
    B  ``pd.read_excel(path, engine="openpyxl")`` (the bare read maaor must beat)
    C  ``pd.read_excel(path, engine="calamine")`` (reference)

Prints the median seconds of each, the ratios A/B (issue 2: <= 0.25; issue 16: <= 0.15)
and A/C (issue 16: <= 1.0) and the peak RSS of A (target < 500 MB).

Usage::

    .venv/bin/python bench/read_bench.py [--rows 100000] [--rounds 3] [--keep]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RATIO_TARGET = 0.25  # issue 2
RATIO_TARGET_16 = 0.15  # issue 16: near calamine's floor
CALAMINE_RATIO_TARGET = 1.0  # issue 16: A no slower than bare pandas + calamine
RSS_TARGET_MB = 500.0

_ORGS = [
    "The HALO Trust", "HALO Trust", "Halo", "MAG", "Mines Advisory Group", "NPA",
    "Norwegian People's Aid", "Humanity & Inclusion", "Handicap International", "HI",
    "DRC", "Danish Refugee Council", "FSD", "DanChurchAid", "UNMAS", "UNICEF", "UNDP",
    "Local Demining Association",
]  # fmt: skip
_ORG_TYPES = ["INGO", "ONG internationale", "UN", "National NGO", None]
_COUNTRIES = [
    "Iraq", "Irak", "Syria", "Syrie", "Afghanistan", "AFG", "South Sudan", "Soudan du Sud",
    "Democratic Republic of the Congo", "RDC", "Libya", "Libye", "Yemen", "Mali", "Niger",
    "Nigeria", "Burkina Faso", "Colombia", "Ukraine", "Somalia", "occupied Palestinian territory",
]  # fmt: skip
_PILLARS = [
    "Land release", "NTS", "Technical survey", "Clearance", "EOD", "EORE", "MRE",
    "Victim assistance", "Advocacy", "Déminage", "Éducation aux risques", "Capacity building",
]  # fmt: skip
_ACTIVITIES = [
    "Non-technical survey", "Technical survey", "Battle area clearance", "EOD spot tasks",
    "Risk education sessions", "Survivor assistance referrals",
]  # fmt: skip
_STATUSES = ["Ongoing", "Completed", "Planned", "en cours", "Terminé"]
# A point well inside each country and how far (degrees) a row's point may stray from it
# and stay inside: coordinates drawn at random over a continent would each be a
# "point outside its country" warning, a cost real 4Ws do not carry.
_PLACES = {
    "IRQ": (33.0, 43.5, 1.0), "SYR": (35.0, 38.5, 0.8), "AFG": (34.0, 66.0, 1.5),
    "SSD": (7.5, 30.0, 1.5), "COD": (-2.5, 23.5, 2.0), "LBY": (27.0, 17.0, 2.0),
    "YEM": (15.5, 47.5, 0.8), "MLI": (17.0, -2.0, 1.5), "NER": (16.0, 9.0, 1.5),
    "NGA": (9.5, 8.0, 1.5), "BFA": (12.3, -1.5, 0.8), "COL": (4.0, -73.5, 1.0),
    "UKR": (49.0, 31.5, 1.0), "SOM": (5.0, 46.0, 0.8), "PSE": (31.95, 35.25, 0.05),
}  # fmt: skip
# Each country's emergency as the dashboard's list (maaor/data/emergencies.csv) names it.
_EMERGENCIES = {
    "IRQ": "Iraq crisis", "SYR": "Syria crisis", "AFG": "Afghanistan humanitarian response",
    "SSD": "South Sudan crisis", "COD": "Eastern DRC crisis", "LBY": "Libya crisis",
    "YEM": "Yemen crisis", "MLI": "Central Sahel crisis", "NER": "Central Sahel crisis",
    "NGA": "North-East Nigeria crisis", "BFA": "Central Sahel crisis",
    "COL": "Colombia armed conflict", "UKR": "Ukraine crisis", "SOM": "Somalia crisis",
    "PSE": "oPt humanitarian response",
}  # fmt: skip
_COUNTRY_ISO3 = [
    "IRQ", "IRQ", "SYR", "SYR", "AFG", "AFG", "SSD", "SSD", "COD", "COD", "LBY", "LBY", "YEM",
    "MLI", "NER", "NGA", "BFA", "COL", "UKR", "SOM", "PSE",
]  # fmt: skip


# The fields of a generated row, in its order. Named here, not taken from the template:
# a field added to the template (Subsector was) would otherwise shift every value after
# it into the wrong column, and a base checkout with another template (publish_bench.py
# --base) must read the same workbook.
_FIELDS = (
    "org", "org_type", "country_iso3", "emergency", "admin1", "admin1_code", "admin2",
    "admin2_code", "lat", "lon", "pillar", "activity", "status", "start", "end",
    "reached_total", "reached_women", "reached_men", "reached_girls", "reached_boys",
    "target", "focal_point", "contact",
)  # fmt: skip


def _columns() -> tuple[list[str], list[str]]:
    from maaor import columns

    specs = {s.field: s for s in columns.FIELDS["presence"]}
    chosen = [specs[f] for f in _FIELDS]
    return [s.label for s in chosen], [s.hxl[0] if s.hxl else "" for s in chosen]


def _rows(n: int, seed: int = 7):
    """Yield ``n`` data rows (lists aligned with ``_FIELDS``)."""
    rng = np.random.default_rng(seed)
    base = dt.datetime(2019, 1, 1)
    org = rng.integers(0, len(_ORGS), n)
    org_type = rng.integers(0, len(_ORG_TYPES), n)
    country = rng.integers(0, len(_COUNTRIES), n)
    admin = rng.integers(0, 400, n)
    pillar = rng.integers(0, len(_PILLARS), n)
    activity = rng.integers(0, len(_ACTIVITIES), n)
    status = rng.integers(0, len(_STATUSES), n)
    start = rng.integers(0, 700, n)
    length = rng.integers(30, 400, n)
    centre = np.array([_PLACES[_COUNTRY_ISO3[c]] for c in range(len(_COUNTRIES))])[country]
    lat = (centre[:, 0] + rng.uniform(-1, 1, n) * centre[:, 2]).round(5)
    lon = (centre[:, 1] + rng.uniform(-1, 1, n) * centre[:, 2]).round(5)
    reached = rng.integers(0, 5000, n)
    bad = rng.random(n)
    for i in range(n):
        # The split adds up to the total, as the template asks.
        women, men = int(reached[i] * 0.3), int(reached[i] * 0.25)
        girls = int(reached[i] * 0.2)
        boys = int(reached[i]) - women - men - girls
        row = [
            _ORGS[org[i]],
            _ORG_TYPES[org_type[i]],
            _COUNTRIES[country[i]],
            _EMERGENCIES[_COUNTRY_ISO3[country[i]]],
            f"Province {admin[i]}",
            f"PC{country[i]:02d}{admin[i]:03d}",
            f"District {admin[i] * 3}",
            f"PC{country[i]:02d}{admin[i]:03d}{i % 7:02d}",
            float(lat[i]),
            float(lon[i]),
            _PILLARS[pillar[i]],
            _ACTIVITIES[activity[i]],
            _STATUSES[status[i]],
            base + dt.timedelta(days=int(start[i])),
            base + dt.timedelta(days=int(start[i] + length[i])),
            int(reached[i]),
            women,
            men,
            girls,
            boys,
            int(reached[i] * 1.5),
            "Focal Person",
            "focal@example.org",
        ]
        # A sprinkling of the usual mistakes (about 0.5% of rows).
        if bad[i] < 0.001:
            row[15] = "many"
        elif bad[i] < 0.002:
            row[2] = "Atlantis"
        elif bad[i] < 0.003:
            row[13] = "2019"
        elif bad[i] < 0.004:
            row[8], row[9] = 0.0, 0.0
        elif bad[i] < 0.005:
            row[5] = "0"
        yield row


def write_workbook(path: Path, n: int, rows=None) -> str:
    """Write the benchmark workbook; returns the writer used.

    ``rows`` replaces the generated rows (default ``_rows(n)``), e.g. cleaned of their
    deliberate mistakes for a publish (bench/publish_bench.py).
    """
    labels, tags = _columns()
    rows = _rows(n) if rows is None else rows
    try:
        import xlsxwriter
    except ImportError:
        xlsxwriter = None
    if xlsxwriter is not None:
        # Shared strings, as Excel writes them (constant_memory mode would write inline
        # strings, a sheet part about twice as large as Excel's).
        wb = xlsxwriter.Workbook(str(path))
        ws = wb.add_worksheet("4W")
        date_format = wb.add_format({"num_format": "yyyy-mm-dd"})
        ws.write_row(0, 0, labels)
        ws.write_row(1, 0, tags)
        for r, row in enumerate(rows, start=2):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, dt.datetime):
                    ws.write_datetime(r, c, value, date_format)
                else:
                    ws.write(r, c, value)
        wb.close()
        return "xlsxwriter"
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("4W")
    ws.append(labels)
    ws.append(tags)
    for row in rows:
        ws.append(row)
    wb.save(str(path))
    return "openpyxl (write-only)"


# --------------------------------------------------------------------------- children


def _run_maaor(path: Path) -> dict:
    from maaor.sources import Source

    source = Source.from_path(path, kind="presence")
    try:
        from maaor.load import load_sources
    except ImportError:
        load_sources = None
    if load_sources is not None:
        result = load_sources([source])
        rows = len(result.dataset.presence)
        problems = len(result.problems)
    else:
        from maaor.orgs import OrgDirectory
        from maaor.read.headers import map_sheet
        from maaor.read.sources import read_source
        from maaor.validate import validate_sheet

        read = read_source(source)
        rows = problems = 0
        for raw in read.sheets:
            mapped, found = map_sheet(raw, kind="presence")
            if mapped is None:
                continue
            table, vproblems = validate_sheet(mapped, OrgDirectory.bundled())
            rows += len(table)
            problems += len(found) + len(vproblems)
    return {"rows": rows, "problems": problems}


def _run_openpyxl(path: Path) -> dict:
    import pandas as pd

    return {"rows": len(pd.read_excel(path, engine="openpyxl"))}


def _run_calamine(path: Path) -> dict:
    import pandas as pd

    return {"rows": len(pd.read_excel(path, engine="calamine"))}


_CHILDREN = {"A": _run_maaor, "B": _run_openpyxl, "C": _run_calamine}


def child_main(which: str, path: str) -> None:
    """Run one measurement in this (fresh) process and print JSON."""
    import pandas  # noqa: F401 - imported before timing in every variant, for fairness

    start = time.perf_counter()
    info = _CHILDREN[which](Path(path))
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    print(json.dumps({"seconds": seconds, "peak_mb": peak_kb / 1024, **info}))


def run_child(which: str, path: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", which, str(path)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="data rows (default 100000)")
    parser.add_argument("--rounds", type=int, default=3, help="A/B/C rounds (default 3)")
    parser.add_argument("--keep", action="store_true", help="keep the generated workbook")
    parser.add_argument("--child", nargs=2, metavar=("WHICH", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child_main(*args.child)
        return 0

    tmp = Path(tempfile.mkdtemp(prefix="maaor-bench-"))
    path = tmp / f"4w_{args.rows}.xlsx"
    t0 = time.perf_counter()
    writer = write_workbook(path, args.rows)
    print(
        f"wrote {args.rows:,} rows with {writer} in {time.perf_counter() - t0:.1f} s "
        f"({path.stat().st_size / 1e6:.1f} MB): {path}"
    )

    results: dict[str, list[dict]] = {k: [] for k in _CHILDREN}
    for round_no in range(1, args.rounds + 1):
        for which in _CHILDREN:
            res = run_child(which, path)
            results[which].append(res)
            print(
                f"round {round_no} {which}: {res['seconds']:7.2f} s  peak {res['peak_mb']:6.0f} MB  "
                f"rows {res['rows']:,}" + (f"  problems {res['problems']:,}" if "problems" in res else "")
            )

    med = {k: statistics.median(r["seconds"] for r in v) for k, v in results.items()}
    peak_a = max(r["peak_mb"] for r in results["A"])
    ratio = med["A"] / med["B"]
    print()
    print(f"median A maaor load_sources   : {med['A']:7.2f} s")
    print(f"median B pandas + openpyxl    : {med['B']:7.2f} s")
    print(f"median C pandas + calamine    : {med['C']:7.2f} s")
    print(f"ratio A/B                     : {ratio:7.3f}  (target <= {RATIO_TARGET}) "
          + ("OK" if ratio <= RATIO_TARGET else "MISSED")
          + f"; issue 16: <= {RATIO_TARGET_16} " + ("OK" if ratio <= RATIO_TARGET_16 else "MISSED"))
    ratio_c = med["A"] / med["C"]
    print(f"ratio A/C                     : {ratio_c:7.3f}  (issue 16: <= {CALAMINE_RATIO_TARGET}) "
          + ("OK" if ratio_c <= CALAMINE_RATIO_TARGET else "MISSED"))
    print(f"peak RSS of A                 : {peak_a:7.0f} MB (target < {RSS_TARGET_MB:.0f} MB) "
          + ("OK" if peak_a < RSS_TARGET_MB else "MISSED"))
    if not args.keep:
        path.unlink(missing_ok=True)
        tmp.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Golden-file tests: every real public file in ../shared/real-world, loaded as it is.

Each file must load with the right kind and row counts, place its columns as recorded,
and raise exactly the problems recorded in ``tests/golden/real_world.json`` (counts per
severity and rule). To accept
a deliberate change, regenerate with ``python -m tests.read.test_real_world_golden`` and
review the diff.
"""

from __future__ import annotations

import collections
import datetime as dt
import json
from pathlib import Path

import pytest

from maaor.load import load_sources
from maaor.sources import Source
from tests.paths import GOLDEN as GOLDEN_DIR
from tests.paths import ROOT

GOLDEN = GOLDEN_DIR / "real_world.json"
TODAY = dt.date(2026, 1, 1)  # fixed: date rules must not drift with the calendar


def summarise(path: Path) -> dict:
    """Kind, rows and problem counts of one file, as stored in the golden file."""
    result = load_sources([Source.from_path(path)], today=TODAY)
    (fr,) = result.files
    sheets = []
    for rep in fr.reports:
        counts = collections.Counter(f"{p.severity}:{p.code}" for p in rep.problems)
        sheets.append({
            "sheet": rep.sheet,
            "kind": rep.kind,
            "rows_read": rep.rows_read,
            "rows_loaded": rep.rows_loaded,
            "problems": dict(sorted(counts.items())),
            # Where every column went: letter, how, field (or values left out).
            "columns": [
                f"{c.column_letter}:{c.how}:{c.field or c.values_not_loaded}" for c in rep.columns
            ],
        })
    return {
        "file_problems": sorted(f"{p.severity}:{p.code}" for p in fr.problems),
        "sheets": sheets,
        "ok": result.ok,
    }


def real_world_files(shared: Path) -> list[Path]:
    base = shared / "real-world"
    return sorted(p for p in base.rglob("*") if p.suffix in {".csv", ".json", ".xlsx"})


def test_every_real_world_file_is_in_the_golden_file(shared_dir):
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    names = {str(p.relative_to(shared_dir / "real-world")) for p in real_world_files(shared_dir)}
    assert names == set(golden)


@pytest.mark.parametrize("name", sorted(json.loads(GOLDEN.read_text(encoding="utf-8"))))
def test_real_world_file_matches_golden(shared_dir, name):
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))[name]
    assert summarise(shared_dir / "real-world" / name) == golden


def test_fts_mine_action_requirement_stays_unknown(shared_dir):
    from maaor.figures.funding import fts_mine_action

    path = shared_dir / "real-world" / "hdx-scraper-fts" / "fts_requirements_funding_globalcluster_global.csv"
    ds = load_sources([Source.from_path(path)], today=TODAY).dataset
    ma = fts_mine_action(ds.fts).sort_values("country_iso3")
    assert ma["country_iso3"].tolist() == ["AFG", "PSE"]
    assert ma["funded_usd"].tolist() == [5280408.0, 104188.0]
    assert ma["required_usd"].isna().all()
    assert not ma["requirement_known"].any()


if __name__ == "__main__":
    import os

    shared = Path(os.environ.get("MAAOR_SHARED_DIR", ROOT.parent / "shared"))
    out = {str(p.relative_to(shared / "real-world")): summarise(p) for p in real_world_files(shared)}
    GOLDEN.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN} ({len(out)} files)")

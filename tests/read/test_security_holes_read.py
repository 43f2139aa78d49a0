"""Every read path has a bound (issue 12, items 6, 7 and 13): the CLI parses in the
isolated child by default, and the pre-check judges positional cells, shared strings,
CSV/JSON width and rows, and cell length before any parser allocates; a stale
``<dimension>`` or a formatted empty cell never refuses a file.

The CLI runs as a real process under a small launcher that reports the peak memory
(RSS) of the whole process tree (the CLI and its isolated child), so the test asserts
the memory the issue measured, not a mock.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from maaor.read.precheck import Limits, precheck
from maaor.read.types import Source
from tests import hostile
from tests.paths import ROOT

GB = 1024 ** 3
# Runs the CLI, waits for it, prints its exit code, stdout and the peak RSS (in KB on
# Linux) of the terminated process tree (the CLI and the child it waited for).
_LAUNCHER = (
    "import json, resource, subprocess, sys\n"
    "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "print(json.dumps({'code': p.returncode, 'out': p.stdout, 'err': p.stderr[-2000:],"
    " 'peak_kb': peak}))\n"
)


def run_cli(tmp_path, name: str, data: bytes, *extra: str) -> tuple[dict, int, float]:
    """Run ``python -m maaor validate FILE --json``; return (report, peak RSS, seconds)."""
    path = tmp_path / name
    path.write_bytes(data)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, sys.executable, "-m", "maaor", "validate",
         str(path), "--json", *extra],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=True,
    )
    elapsed = time.monotonic() - started
    outcome = json.loads(done.stdout)
    assert outcome["out"], f"no JSON report (exit {outcome['code']}): {outcome['err']}"
    return json.loads(outcome["out"]), outcome["peak_kb"] * 1024, elapsed


def file_codes(report: dict) -> list[str]:
    codes = []
    for f in report["files"]:
        codes += [p["code"] for p in f["problems"]]
        for sheet in f["sheets"]:
            codes += [p["code"] for p in sheet["problems"]]
    return codes


def file_problems(report: dict) -> list[dict]:
    found = []
    for f in report["files"]:
        found += f["problems"]
        for sheet in f["sheets"]:
            found += sheet["problems"]
    return found


@pytest.mark.parametrize(("name", "build", "code"), [
    ("positional.xlsx", hostile.positional_cells_xlsx, "xlsx.far_cell"),
    ("strings.xlsx", hostile.shared_string_bomb_xlsx, "xlsx.text_too_large"),
    ("wide.csv", hostile.csv_width_bomb, "csv.too_many_columns"),
    ("wide.json", hostile.json_width_bomb, "json.too_many_fields"),
    ("wide_lists.json", hostile.json_list_width_bomb, "json.too_many_fields"),
    ("rows.csv", hostile.csv_many_rows, "csv.too_many_rows"),
])
def test_bombs_are_refused_by_the_cli_with_bounded_memory(tmp_path, name, build, code):
    data = build()
    assert len(data) < 3_000_000  # small files, as in the issue
    report, peak, elapsed = run_cli(tmp_path, name, data)
    assert report["ok"] is False
    assert code in file_codes(report)
    assert peak < 1 * GB, f"peak RSS {peak / GB:.2f} GB"
    print(f"{name}: refused ({code}) in {elapsed:.1f} s, peak RSS {peak / 2**20:.0f} MB")


@pytest.mark.parametrize(("name", "build", "code"), [
    ("long.xlsx", hostile.long_cell_xlsx, "xlsx.cell_too_long"),
    ("long.csv", hostile.long_cell_csv, "csv.long_cell"),
    ("long.json", hostile.long_cell_json, "json.long_value"),
])
def test_a_2_mb_cell_is_refused_with_a_precise_message(tmp_path, name, build, code):
    report, peak, _ = run_cli(tmp_path, name, build())
    assert report["ok"] is False
    problem = next(p for p in file_problems(report) if p["code"] == code)
    assert problem["severity"] == "error"
    assert "2,000,000 characters" in problem["message"]
    assert "32,767" in problem["message"]
    assert peak < 1 * GB


def test_the_long_xlsx_cell_is_named_by_sheet_and_cell():
    (problem,) = precheck(Source("plan.xlsx", hostile.long_cell_xlsx()))
    assert (problem.code, problem.sheet, problem.value) == ("xlsx.cell_too_long", "Sheet1", "A2")


@pytest.mark.parametrize("build", [hostile.stale_dimension_xlsx,
                                   hostile.formatted_empty_far_cell_xlsx])
def test_stale_or_oversized_extent_alone_is_accepted(tmp_path, build):
    assert precheck(Source("plan.xlsx", build())) == []
    report, peak, _ = run_cli(tmp_path, "plan.xlsx", build())
    # The file reaches the readers: no structural refusal and no read failure.
    codes = file_codes(report)
    assert not [c for c in codes if c.startswith(("xlsx.", "file.", "read."))], codes
    assert peak < 1 * GB


def test_the_cli_parses_in_the_isolated_child_by_default(monkeypatch):
    from maaor import cli
    from maaor.usecases import upload

    seen = {}

    def fake_load(sources, **kwargs):
        seen.update(kwargs)
        raise SystemExit(0)

    # The CLI reads through the use case (maaor.usecases.validate_files), as the page does.
    monkeypatch.setattr(upload, "load_sources", fake_load)
    with pytest.raises(SystemExit):
        cli.main(["validate", str(ROOT / "README.md")])
    assert seen["isolate"] is True
    seen.clear()
    with pytest.raises(SystemExit):
        cli.main(["validate", str(ROOT / "README.md"), "--in-process"])
    assert seen["isolate"] is False


def test_exact_count_ignores_empty_positional_cells_before_data():
    # Positional empty cells still move the column: data after 600 of them is refused.
    sheet = (hostile.SHEET_HEAD + "<sheetData><row>" + "<c/>" * 600 + "<c><v>1</v></c>"
             "</row></sheetData></worksheet>")
    problems = precheck(Source("plan.xlsx", hostile.xlsx_from_sheet(sheet)))
    assert [(p.code, p.value) for p in problems] == [("xlsx.far_cell", "WC1")]
    # ... while empty ones alone, however many, hold no data.
    sheet = (hostile.SHEET_HEAD + '<sheetData><row><c><v>1</v></c>' + '<c s="1"/>' * 600
             + "</row></sheetData></worksheet>")
    assert precheck(Source("plan.xlsx", hostile.xlsx_from_sheet(sheet))) == []


@pytest.mark.parametrize("p", ["", "x:"])
def test_shared_string_count_is_bounded(p):
    ns = f"xmlns:{p[:-1]}" if p else "xmlns"
    sst = (f'<?xml version="1.0"?><{p}sst {ns}="http://schemas.openxmlformats.org/'
           f'spreadsheetml/2006/main">' + f"<{p}si><{p}t>a</{p}t></{p}si>" * 50 + f"</{p}sst>")
    data = hostile.xlsx_from_sheet(hostile.SHEET_HEAD + "<sheetData/></worksheet>",
                                   {"xl/sharedStrings.xml": sst})
    assert precheck(Source("plan.xlsx", data), Limits(max_shared_strings=50)) == []
    (problem,) = precheck(Source("plan.xlsx", data), Limits(max_shared_strings=49))
    assert problem.code == "xlsx.too_many_strings" and "50 entries" in problem.message

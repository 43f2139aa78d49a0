"""The command line: exit codes, the validate JSON, publish/history/rollback."""

import json
import subprocess
import sys

import pytest

from tests.paths import ROOT

WORKPLAN = ROOT / "data" / "workplan_2018_2019.xlsx"
LEGACY = ROOT / "tests" / "fixtures" / "legacy_workplan_2018_2019.xlsx"


def run(*args, env_extra=None, tmp_path=None):
    import os

    env = dict(os.environ)
    env.pop("MAAOR_DATABASE_URL", None)
    if tmp_path is not None:
        env["MAAOR_SQLITE_PATH"] = str(tmp_path / "store.sqlite")
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "maaor", *map(str, args)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_validate_json_headline_of_bundled_work_plan():
    proc = run("validate", WORKPLAN, "--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["ok"] is True and report["errors"] == 0
    (sheet,) = report["files"][0]["sheets"]
    assert sheet["kind"] == "workplan"
    assert sheet["rows_read"] == sheet["rows_loaded"] == 34
    assert sheet["headline"] == {
        "objectives": 4, "outputs": 24, "activities": 34, "without_lead": 0,
        "tentative_lead": 0, "without_budget": 30, "budget_not_quantified": 1,
        "total_budget_usd": 160000,
    }


def test_legacy_and_tidy_give_the_same_headline():
    tidy = json.loads(run("validate", WORKPLAN, "--json").stdout)
    legacy = json.loads(run("validate", LEGACY, "--json").stdout)
    assert tidy["files"][0]["sheets"][0]["headline"] == legacy["files"][0]["sheets"][0]["headline"]


def test_validate_exit_1_on_error_and_text_report_names_place(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("Objective ID,Output ID,Activity ID,Activity,Progress (%)\n"
                   "1,1.1,1.1.1,Do it,140%\n", encoding="utf-8")
    proc = run("validate", bad)
    assert proc.returncode == 1
    assert "bad.csv › row 2 › Progress (%)" in proc.stdout
    assert "140" in proc.stdout


def test_validate_usage_errors_exit_2(tmp_path):
    assert run("validate").returncode == 2
    assert run("validate", tmp_path / "missing.xlsx").returncode == 2
    assert run("frobnicate").returncode == 2


def test_validate_hostile_file_is_a_clean_error(tmp_path):
    from tests.hostile import far_cell_xlsx

    f = tmp_path / "far.xlsx"
    f.write_bytes(far_cell_xlsx())
    proc = run("validate", f, "--json")
    assert proc.returncode == 1
    report = json.loads(proc.stdout)
    codes = [p["code"] for p in report["files"][0]["problems"]]
    assert codes and all(c.startswith(("xlsx.", "file.")) for c in codes)
    assert "Traceback" not in proc.stderr


@pytest.mark.slow
def test_publish_history_rollback(tmp_path):
    hist = json.loads(run("history", "--json", tmp_path=tmp_path).stdout)
    assert [v["version"] for v in hist] == [1] and hist[0]["kind"] == "bootstrap"

    proc = run("publish", WORKPLAN, "--note", "faithful plan", "--by", "tester", tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "published version 2" in proc.stdout

    bad = tmp_path / "bad.csv"
    bad.write_text("Objective ID,Output ID,Activity ID,Activity\n1,1.1,1.1.1,a\n1,1.1,1.1.1,b\n",
                   encoding="utf-8")
    proc = run("publish", bad, "--note", "dup ids", tmp_path=tmp_path)
    assert proc.returncode == 1 and "nothing published" in proc.stderr

    proc = run("rollback", "1", "--note", "back", tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    hist = json.loads(run("history", "--json", tmp_path=tmp_path).stdout)
    assert [v["version"] for v in hist] == [3, 2, 1]
    assert hist[0]["current"] and hist[0]["kind"] == "rollback" and hist[0]["parent"] == 1
    assert hist[1]["note"] == "faithful plan" and hist[1]["created_by"] == "tester"
    assert [f["name"] for f in hist[1]["files"]] == ["workplan_2018_2019.xlsx"]
    assert run("rollback", "99", tmp_path=tmp_path).returncode == 1


def test_validate_json_places_every_column(tmp_path):
    f = tmp_path / "plan.csv"
    f.write_text("Objective ID,Output ID,Activity ID,Activity,Colour,\n"
                 "1,1.1,1.1.1,Do it,red,\n1,1.1,1.1.2,Do more,blue,scribble\n", encoding="utf-8")
    report = json.loads(run("validate", f, "--json").stdout)
    (sheet,) = report["files"][0]["sheets"]
    assert sheet["columns"] == [
        {"header": "Objective ID", "column_letter": "A", "field": "objective_id", "confidence": 1.0,
         "how": "exact", "values_not_loaded": 0},
        {"header": "Output ID", "column_letter": "B", "field": "output_id", "confidence": 1.0,
         "how": "exact", "values_not_loaded": 0},
        {"header": "Activity ID", "column_letter": "C", "field": "activity_id", "confidence": 1.0,
         "how": "exact", "values_not_loaded": 0},
        {"header": "Activity", "column_letter": "D", "field": "activity", "confidence": 1.0,
         "how": "exact", "values_not_loaded": 0},
        {"header": "Colour", "column_letter": "E", "field": None, "confidence": 0.0,
         "how": "unmapped", "values_not_loaded": 2},
        {"header": "", "column_letter": "F", "field": None, "confidence": 0.0,
         "how": "unmapped", "values_not_loaded": 1},
    ]
    warnings = [(p["code"], p["column"]) for p in sheet["problems"] if p["severity"] == "warning"]
    assert warnings == [("column.not_loaded", "Colour"), ("column.not_loaded", "F")]
    assert report["warnings"] == 2


def test_validate_text_prints_every_problem_including_cross_file(tmp_path):
    a, b = tmp_path / "plan a.csv", tmp_path / "plan b.csv"
    a.write_text("Objective ID,Output ID,Activity ID,Activity\n1,1.1,1.1.1,Do it\n", encoding="utf-8")
    b.write_text("Objective ID,Output ID,Activity ID,Activity,Colour\n1,1.1,1.1.1,Again,red\n",
                 encoding="utf-8")
    proc = run("validate", a, b)
    assert proc.returncode == 1
    out = proc.stdout
    assert "across files" in out
    assert "ERROR plan b.csv › row 2 › Activity ID: Activity 1.1.1 is also in plan a.csv (row 2)." in out
    assert "WARNING plan b.csv › row 1 › Colour: Column E ('Colour') was not loaded" in out
    assert out.rstrip().endswith("1 error(s), 1 warning(s)")
    report = json.loads(run("validate", a, b, "--json").stdout)
    assert [p["code"] for p in report["cross_file_problems"]] == ["workplan.duplicate_activity"]


def test_validate_a_renamed_copy_warns_and_loads_once(tmp_path):
    copy = tmp_path / "workplan (copy).xlsx"
    copy.write_bytes(WORKPLAN.read_bytes())
    proc = run("validate", WORKPLAN, copy)
    assert proc.returncode == 0, proc.stdout
    assert ("WARNING workplan (copy).xlsx: This file has exactly the same content as "
            "'workplan_2018_2019.xlsx'; it was loaded once.") in proc.stdout
    report = json.loads(run("validate", WORKPLAN, copy, "--json").stdout)
    assert report["ok"] is True and report["cross_file_problems"] == []
    assert [p["code"] for p in report["files"][1]["problems"]] == ["file.duplicate"]
    assert report["files"][0]["sheets"][0]["rows_loaded"] == 34

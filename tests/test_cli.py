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


def test_withdraw_stops_serving_a_version_and_history_marks_it(tmp_path):
    assert run("publish", WORKPLAN, "--note", "second", tmp_path=tmp_path).returncode == 0
    proc = run("withdraw", "2", tmp_path=tmp_path)
    assert proc.returncode == 2 and "--reason" in proc.stderr  # the reason is required
    proc = run("withdraw", "2", "--reason", "  ", tmp_path=tmp_path)
    assert proc.returncode == 1 and "reason is required" in proc.stderr

    proc = run("withdraw", "2", "--reason", "a sensitive location", "--by", "lead",
               tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "version 2 withdrawn on " in proc.stdout
    assert "the current version is now 1" in proc.stdout
    hist = json.loads(run("history", "--json", tmp_path=tmp_path).stdout)
    assert [(v["version"], v["current"], v["withdrawn_by"], v["withdrawn_reason"])
            for v in hist] == [(2, False, "lead", "a sensitive location"),
                               (1, True, None, None)]
    assert hist[0]["withdrawn_at"] and hist[1]["withdrawn_at"] is None
    text = run("history", tmp_path=tmp_path).stdout
    assert "WITHDRAWN" in text.splitlines()[0] and "a sensitive location" in text

    proc = run("withdraw", "2", "--reason", "again", tmp_path=tmp_path)
    assert proc.returncode == 1 and "already withdrawn" in proc.stderr
    proc = run("withdraw", "1", "--reason", "last one", tmp_path=tmp_path)
    assert proc.returncode == 1 and "only version still served" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_unlock_lists_and_lifts_a_lock_out(tmp_path):
    from maaor.auth import Throttle, client_key
    from maaor.store import Store

    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    locked = client_key("198.51.100.66", "abc")
    with Store.open(url) as store:
        throttle = Throttle(store, max_failures=2, lock_s=900, delay_s=0)
        for _ in range(2):
            throttle.attempt(locked, lambda: False)
        assert throttle.attempt(locked, lambda: True).status == "locked"

    proc = run("unlock", tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert locked in proc.stdout and "2 wrong password(s)" in proc.stdout
    assert "locked until" in proc.stdout
    proc = run("unlock", "--client", "203.0.113.1", tmp_path=tmp_path)
    assert proc.returncode == 1 and "no client '203.0.113.1'" in proc.stderr
    proc = run("unlock", "--client", "198.51.100.66", tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert f"sign-in unlocked for 1 client(s): {locked}" in proc.stdout
    assert run("unlock", "--all", "--client", "x", tmp_path=tmp_path).returncode == 2

    with Store.open(url) as store:
        throttle = Throttle(store, max_failures=2, lock_s=900, delay_s=0)
        assert throttle.attempt(locked, lambda: True).status == "ok"
        assert store.audit_log(1)[0].action == "signin_unlocked"
    proc = run("unlock", "--all", tmp_path=tmp_path)
    assert proc.returncode == 0 and "sign-in unlocked for 0 client(s)" in proc.stdout

"""The command line: exit codes, the validate JSON, publish/history/rollback."""

import json
import re
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


def test_the_command_freezes_what_its_imports_made():
    # Left out of the collector's full passes (see maaor/__main__.py): an atexit hook,
    # registered before the command runs, reports what was frozen.
    code = ("import atexit, gc, runpy, sys\n"
            "atexit.register(lambda: print('frozen', gc.get_freeze_count()))\n"
            "sys.argv = ['maaor', '--help']\n"
            "runpy.run_module('maaor', run_name='__main__')\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    frozen = int(proc.stdout.rsplit("frozen ", 1)[1])
    assert frozen > 10_000  # the modules' objects (pandas, SQLAlchemy ...), not a few


def _frozen_at_exit(*args: str, env_extra=None) -> int:
    """The collector's frozen count when ``python -m maaor ARGS`` exits (an atexit hook,
    registered before the command runs, reports it)."""
    import os

    code = ("import atexit, gc, runpy, sys\n"
            "atexit.register(lambda: print('frozen', gc.get_freeze_count()))\n"
            f"sys.argv = ['maaor', *{list(args)!r}]\n"
            "runpy.run_module('maaor', run_name='__main__')\n")
    env = {k: v for k, v in os.environ.items() if k != "MAAOR_DATABASE_URL"}
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env={**env, **(env_extra or {})})
    assert proc.returncode == 0, proc.stderr
    return int(proc.stdout.rsplit("frozen ", 1)[1])


def test_the_command_freezes_what_it_made_before_exiting_and_closes_the_store(tmp_path):
    # What the command imported and made after the start-up imports (the store, the
    # bundled data) is frozen too, so the exit does not collect it; the store's
    # connections are closed first, so SQLite folds its write-ahead log into the
    # database file and removes it, as before.
    store = tmp_path / "store.sqlite"
    frozen = _frozen_at_exit("history", env_extra={"MAAOR_SQLITE_PATH": str(store)})
    assert frozen > _frozen_at_exit("--help") + 10_000
    assert store.exists() and store.stat().st_size > 0
    assert not store.with_name("store.sqlite-wal").exists()
    proc = run("history", tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "bundled data" in proc.stdout


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


# ------------------------------------------------------------ one service path


def _env(store_url: str, gate=None, parties: int = 2) -> dict:
    import os

    env = dict(os.environ)
    env.pop("MAAOR_SQLITE_PATH", None)
    env["MAAOR_DATABASE_URL"] = store_url
    if gate is not None:
        env["MAAOR_TEST_GATE"] = str(gate)
        env["MAAOR_TEST_GATE_PARTIES"] = str(parties)
    return env


def _gated(args, env):
    return subprocess.Popen([sys.executable, "-m", "tests.cli_gate", *map(str, args)], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _bootstrapped(store_url):
    """Open the store at ``store_url`` once, so it holds the bundled data as version 1."""
    proc = subprocess.run([sys.executable, "-m", "maaor", "history", "--json"], cwd=ROOT,
                          env=_env(store_url), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert [v["version"] for v in json.loads(proc.stdout)] == [1]


@pytest.mark.slow
def test_two_concurrent_cli_publishes_one_succeeds_one_is_refused(store_url, tmp_path):
    from maaor.store import Store
    from tests.upload_files import IRAQ_4W, MALI_4W

    _bootstrapped(store_url)
    (tmp_path / "iraq.xlsx").write_bytes(IRAQ_4W)
    (tmp_path / "mali.xlsx").write_bytes(MALI_4W)
    gate = tmp_path / "gate"
    gate.mkdir()
    env = _env(store_url, gate)
    procs = {name: _gated(["publish", tmp_path / f"{name}.xlsx", "--note", name, "--by", name,
                           "--confirm-removal"], env) for name in ("iraq", "mali")}
    outs = {name: p.communicate(timeout=300) for name, p in procs.items()}
    codes = {name: p.returncode for name, p in procs.items()}
    assert sorted(codes.values()) == [0, 1], outs
    winner = next(n for n, c in codes.items() if c == 0)
    loser = next(n for n, c in codes.items() if c == 1)
    assert "published version 2" in outs[winner][0]
    assert ("nothing published: Not done: version 2 was published meanwhile (you started "
            "from version 1)") in outs[loser][1]
    with Store.open(store_url) as store:
        history = store.history()
        assert [(v.id, v.kind) for v in history] == [(2, "upload"), (1, "bootstrap")]
        assert history[0].created_by == winner
        presence = store.load().presence
        bundled = store.load(1).presence
    # Nothing reverted and nothing lost: the winner's country is its upload; the loser's
    # country is still the bundled one.
    iso = {"iraq": "IRQ", "mali": "MLI"}
    assert (presence["country_iso3"] == iso[winner]).sum() == 2
    assert (presence["country_iso3"] == iso[loser]).sum() == (bundled["country_iso3"] == iso[loser]).sum()
    # Run again, the refused publish builds on version 2 and keeps the winner's rows.
    proc = subprocess.run([sys.executable, "-m", "maaor", "publish", tmp_path / f"{loser}.xlsx",
                           "--note", loser, "--confirm-removal"], cwd=ROOT, env=_env(store_url),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and "published version 3" in proc.stdout, proc.stderr
    with Store.open(store_url) as store:
        presence = store.load(3).presence
    assert (presence["country_iso3"] == "IRQ").sum() == (presence["country_iso3"] == "MLI").sum() == 2


@pytest.mark.slow
def test_cli_refuses_a_stale_publish_as_the_page_service_call_does(store_url, tmp_path,
                                                                   monkeypatch):
    """The CLI and the Coordinator page reach the same use case: a publish built on a
    version that is no longer current is refused by both, with the same words."""
    from maaor import service, usecases
    from maaor.usecases.refusal import Refused
    from tests.upload_files import IRAQ_4W, MALI_4W

    _bootstrapped(store_url)
    monkeypatch.setenv("MAAOR_DATABASE_URL", store_url)
    service.reset_for_tests()
    try:
        # The page's path: prepared on version 1, version 2 published meanwhile.
        page_upload = usecases.prepare_upload([("mali.xlsx", MALI_4W)])
        usecases.publish(usecases.prepare_upload([("iraq.xlsx", IRAQ_4W)]), by="other",
                         note="Iraq", removal_confirmed=True)
        with pytest.raises(Refused) as page_refusal:
            usecases.publish(page_upload, by="page", note="Mali", removal_confirmed=True)
        # The CLI's path: prepared on version 2; version 3 is published before it publishes.
        (tmp_path / "mali.xlsx").write_bytes(MALI_4W)
        gate = tmp_path / "gate"
        gate.mkdir()
        cli = _gated(["publish", tmp_path / "mali.xlsx", "--note", "Mali", "--confirm-removal"],
                     _env(store_url, gate))
        import time

        while not list(gate.glob("ready-*")) and cli.poll() is None:
            time.sleep(0.05)
        usecases.publish(usecases.prepare_upload([("iraq.xlsx", IRAQ_4W)]), by="other",
                         note="Iraq again", removal_confirmed=True)
        (gate / "ready-test").touch()
        out, err = cli.communicate(timeout=300)
        assert cli.returncode == 1, (out, err)
        assert page_refusal.value.message("en") == (
            "Not done: version 2 was published meanwhile (you started from version 1); "
            "review the changes again before publishing")
        assert ("maaor publish: nothing published: Not done: version 3 was published meanwhile "
                "(you started from version 2); review the changes again before publishing") in err
        assert service.current_version() == 3
    finally:
        service.reset_for_tests()


def test_cli_and_page_refuse_a_rollback_to_an_unknown_version_alike(tmp_path, monkeypatch):
    from maaor import service, usecases
    from maaor.usecases.refusal import Refused

    proc = run("rollback", "99", tmp_path=tmp_path)
    assert proc.returncode == 1
    monkeypatch.delenv("MAAOR_DATABASE_URL", raising=False)
    monkeypatch.setenv("MAAOR_SQLITE_PATH", str(tmp_path / "store.sqlite"))
    service.reset_for_tests()
    try:
        with pytest.raises(Refused) as refused:
            usecases.rollback(99, by="page")
    finally:
        service.reset_for_tests()
    # The last line: log lines of the run (maaor.logs, on standard error) come before it.
    assert proc.stderr.strip().splitlines()[-1] == f"maaor rollback: {refused.value.message('en')}"


# ------------------------------------------------------------ upload scope


@pytest.mark.slow
def test_publish_keeps_other_countries_unless_replace_all(tmp_path):
    from maaor.i18n import country_name
    from maaor.store import Store
    from tests.upload_files import FOUR_ISO3, four_country_4w

    upload = tmp_path / "four.xlsx"
    upload.write_bytes(four_country_4w())
    proc = run("publish", upload, "--note", "four countries", tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Compared with the current version 1." in proc.stdout
    assert "4W presence: the rows of 15 countries not in the upload are kept from version 1." in proc.stdout
    assert "published version 2" in proc.stdout
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    with Store.open(url) as store:
        bundled = set(store.load(1).presence["country_iso3"].dropna())
        assert set(store.load(2).presence["country_iso3"].dropna()) == bundled
    others = sorted(bundled - set(FOUR_ISO3))
    names = ", ".join(sorted(country_name(c, "en") for c in others))

    proc = run("publish", upload, "--note", "only four", "--replace", "all", tmp_path=tmp_path)
    assert proc.returncode == 1
    assert f"Removes the 4W presence of 15 countries: {names}." in proc.stdout
    assert "Confirm the removal first. (add --confirm-removal)" in proc.stderr
    proc = run("publish", upload, "--note", "only four", "--replace", "all", "--confirm-removal",
               tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "published version 3" in proc.stdout
    with Store.open(url) as store:
        assert set(store.load(3).presence["country_iso3"].dropna()) == set(FOUR_ISO3)
    assert run("publish", upload, "--note", "x", "--replace", "some", tmp_path=tmp_path).returncode == 2


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


def test_validate_json_places_every_column(tmp_path):
    f = tmp_path / "plan.csv"
    f.write_text("Objective ID,Output ID,Activity ID,Activity,Colour,\n"
                 "1,1.1,1.1.1,Do it,red,\n1,1.1,1.1.2,Do more,blue,scribble\n", encoding="utf-8")
    report = json.loads(run("validate", f, "--json").stdout)
    (sheet,) = report["files"][0]["sheets"]
    assert sheet["columns"] == [
        {"header": "Objective ID", "column_letter": "A", "field": "objective_id", "confidence": 1.0,
         "how": "exact", "values_not_loaded": 0, "unit": None},
        {"header": "Output ID", "column_letter": "B", "field": "output_id", "confidence": 1.0,
         "how": "exact", "values_not_loaded": 0, "unit": None},
        {"header": "Activity ID", "column_letter": "C", "field": "activity_id", "confidence": 1.0,
         "how": "exact", "values_not_loaded": 0, "unit": None},
        {"header": "Activity", "column_letter": "D", "field": "activity", "confidence": 1.0,
         "how": "exact", "values_not_loaded": 0, "unit": None},
        {"header": "Colour", "column_letter": "E", "field": None, "confidence": 0.0,
         "how": "unmapped", "values_not_loaded": 2, "unit": None},
        {"header": "", "column_letter": "F", "field": None, "confidence": 0.0,
         "how": "unmapped", "values_not_loaded": 1, "unit": None},
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


def test_validate_lang_fr_tells_messages_and_fixes_in_french(tmp_path):
    bad = tmp_path / "4w.csv"
    bad.write_text("Organisation,Pays,Statut,Date de début\n"
                   "UNMAS,Afganistan,Peut-être,31/02/2022\n", encoding="utf-8")
    report = json.loads(run("validate", bad, "--json", "--lang", "fr").stdout)
    problems = {p["code"]: p for p in report["files"][0]["sheets"][0]["problems"]}
    assert problems["status.unknown"]["message"] == "« Peut-être » n'est pas un statut connu."
    assert problems["status.unknown"]["fix"] == ("Utilisez l'une de ces valeurs : Prévu, En cours, "
                                                 "Terminé, Suspendu.")
    assert problems["country.guessed"]["message"] == "« Afganistan » a été lu comme Afghanistan."
    assert problems["date.not_exist"]["message"] == ("« 31/02/2022 » n'existe pas : février 2022 "
                                                     "compte 28 jours.")
    text = run("validate", bad, "--lang", "fr").stdout
    assert "« Peut-être » n'est pas un statut connu. (valeur : Peut-être) Comment corriger : Utilisez" \
        in text
    english = json.loads(run("validate", bad, "--json").stdout)
    messages = {p["code"]: p["message"] for p in english["files"][0]["sheets"][0]["problems"]}
    assert messages["status.unknown"] == "'Peut-être' is not a known status."
    assert messages["date.not_exist"] == "'31/02/2022' does not exist: February 2022 has 28 days."


# ------------------------------------------------------------------ mapping profiles

PARTNER_4W = ("Organisation,Pays,Statut,Zone d'intervention,Remarques internes\n"
              "HALO Trust,Irak,Gelé,Ninewa,x\n"
              "Mines Advisory Group,Irak,Active,Anbar,y\n")


def test_validate_save_profile_then_profile_confirms_the_choices(tmp_path, capsys):
    from maaor import cli

    data = tmp_path / "partner.csv"
    data.write_text(PARTNER_4W, encoding="utf-8")
    out = tmp_path / "partner-profile.json"
    assert cli.main(["validate", str(data), "--in-process", "--save-profile", str(out)]) == 1
    assert f"mapping profile of 1 sheet(s) written to {out}" in capsys.readouterr().err
    saved = json.loads(out.read_text(encoding="utf-8"))
    assert saved["kind"] == "presence" and saved["name"] == "partner.csv"
    # Columns not loaded are written as ignored, the unknown status as a value to choose.
    assert saved["columns"] == {"Zone d'intervention": None, "Remarques internes": None}
    assert saved["values"] == {"status": {"Gelé": None}}

    # The user edits the file: a field for one column, a status for the value.
    saved["columns"]["Zone d'intervention"] = "admin1"
    saved["values"]["status"]["Gelé"] = "planned"
    out.write_text(json.dumps(saved), encoding="utf-8")
    assert cli.main(["validate", str(data), "--in-process", "--json", "--profile", str(out)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True and report["warnings"] == 0
    (sheet,) = report["files"][0]["sheets"]
    assert [(c["header"], c["field"], c["how"]) for c in sheet["columns"]][3:] == [
        ("Zone d'intervention", "admin1", "profile"), ("Remarques internes", None, "ignored")]
    # Iraq is in two emergencies (the Iraq crisis and the Syria regional response) and
    # the partner's 4W names none: one note naming its rows, not a guess. The admin-1 names the
    # profile placed are put on their gazetteer points (one note for the sheet).
    assert [p["code"] for p in sheet["problems"]] == [
        "profile.used", "admin1.placed", "emergency.ambiguous"]  # one per cause, both rows

    # Saving again from the confirmed run keeps the name and the value choices.
    again = tmp_path / "again.json"
    assert cli.main(["validate", str(data), "--in-process", "--profile", str(out),
                     "--save-profile", str(again)]) == 0
    capsys.readouterr()
    kept = json.loads(again.read_text(encoding="utf-8"))
    assert kept["columns"] == {"Zone d'intervention": "admin1", "Remarques internes": None}
    assert kept["values"] == {"status": {"Gelé": "planned"}}


def test_validate_refuses_a_bad_profile_file_as_a_usage_error(tmp_path, capsys):
    from maaor import cli

    data = tmp_path / "partner.csv"
    data.write_text(PARTNER_4W, encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "maaor-mapping-profile", "format_version": 1, "kind": "x"}',
                   encoding="utf-8")
    assert cli.main(["validate", str(data), "--profile", str(bad)]) == 2
    assert "bad.json: This mapping profile cannot be used: unknown kind of sheet 'x'" in (
        capsys.readouterr().err)
    assert cli.main(["validate", str(data), "--profile", str(tmp_path / "none.json")]) == 2
    assert "no such profile file" in capsys.readouterr().err


def test_validate_save_profile_with_nothing_to_confirm_writes_nothing(tmp_path, capsys):
    from maaor import cli

    out = tmp_path / "p.json"
    assert cli.main(["validate", str(WORKPLAN), "--in-process", "--save-profile", str(out)]) == 0
    assert "nothing to confirm" in capsys.readouterr().err
    assert not out.exists()


def test_publish_with_a_profile_publishes_what_validate_refused(tmp_path):
    data = tmp_path / "partner.csv"
    data.write_text(PARTNER_4W, encoding="utf-8")
    refused = run("publish", data, "--note", "partner 4W", tmp_path=tmp_path)
    assert refused.returncode == 1 and "'Gelé' is not a known status" in refused.stderr
    profile = tmp_path / "p.json"
    profile.write_text(json.dumps({
        "format": "maaor-mapping-profile", "format_version": 1, "name": "Partner",
        "kind": "presence", "headers": PARTNER_4W.splitlines()[0].split(","),
        "columns": {"Remarques internes": None}, "values": {"status": {"Gelé": "planned"}},
    }), encoding="utf-8")
    proc = run("publish", data, "--note", "partner 4W", "--profile", profile,
               "--confirm-removal", tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "published version 2" in proc.stdout
def french_4w(path) -> None:
    """A French 4W with problems of three kinds: of its layout (a column the dashboard
    does not read), of values (an unknown status on three rows, a country read from
    another spelling, a date that does not exist) and across rows (a repeated row)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "4W"
    sheet.append(["Organisation", "Pays", "Admin 1", "Pilier", "Statut", "Date de début",
                  "Couleur"])
    for row in [
        ["UNMAS", "Irak", "Ninive", "Dépollution", "Peut-être", "01/03/2022", "rouge"],
        ["HALO Trust", "Afganistan", "Kaboul", "Déminage", "En cours", "31/02/2022", "bleu"],
        ["UNMAS", "Irak", "Anbar", "Dépollution", "Peut-être", "01/04/2022", "rouge"],
        ["UNMAS", "Irak", "Bassora", "Éducation aux risques", "En cours", "01/05/2022", "vert"],
        ["HALO Trust", "Irak", "Kirkouk", "Dépollution", "Peut-être", "01/06/2022", "rouge"],
        ["UNMAS", "Irak", "Bassora", "Éducation aux risques", "En cours", "01/05/2022", "vert"],
    ]:
        sheet.append(row)
    book.save(path)


def english_words() -> set[str]:
    """Words of the English problem and report texts that no French text uses (built
    from the catalogues, so a message left in English is found wherever it comes from)."""
    from maaor.i18n import catalogue

    def words(text: str) -> set[str]:
        return set(re.findall(r"[a-z]{4,}", re.sub(r"\{[^}]*\}", "", text).lower()))

    en, fr = catalogue("en"), catalogue("fr")
    english = set().union(*(words(v) for k, v in en.items()
                            if k.startswith(("problem.", "cli.", "coord.problem.")) and fr[k] != v))
    return english - set().union(*(words(v) for v in fr.values()))


def test_validate_lang_fr_tells_a_french_4w_in_french_grouped(tmp_path):
    path = tmp_path / "4w.xlsx"
    french_4w(path)
    report = json.loads(run("validate", path, "--json", "--lang", "fr").stdout)
    problems = report["files"][0]["sheets"][0]["problems"]
    codes = {p["code"] for p in problems}
    # a layout problem (maaor/read), value problems and a problem across rows
    assert {"column.not_loaded", "status.unknown", "country.guessed", "date.not_exist",
            "presence.duplicate"} <= codes, codes
    english = english_words()
    assert {"column", "loaded", "known", "does", "exist", "error", "warning", "rows"} <= english
    for p in problems:
        for text in (p["message"], p["fix"]):
            assert text and "maaor" not in text.lower()
            assert not set(re.findall(r"[a-z]{4,}", text.lower())) & english, text
    text = run("validate", path, "--lang", "fr").stdout
    assert "ERREUR 4w.xlsx › 4W › Statut : 3 lignes (2, 4, 6) : « Peut-être » n'est pas un statut connu." \
        in text, text
    assert ("AVERTISSEMENT 4w.xlsx › 4W › ligne 3 › Pays : « Afganistan » a été lu comme "
            "Afghanistan. (valeur : Afganistan) Comment corriger : ") in text, text
    assert "AVERTISSEMENT 4w.xlsx › 4W › ligne 1 › Couleur : La colonne G (« Couleur ») " in text
    assert "feuille 4W : présence 4W, 6 lignes lues, 6 chargées" in text
    assert text.rstrip().endswith("avertissements")
    for line in text.splitlines():
        assert not set(re.findall(r"[a-z]{4,}", line.lower())) & english, line
    # The same file in English: the same groups in English words.
    english_text = run("validate", path).stdout
    assert "ERROR 4w.xlsx › 4W › Statut: 3 rows (2, 4, 6): 'Peut-être' is not a known status." \
        in english_text, english_text


# ------------------------------------------------------------------------ emergencies


def test_emergency_notes_are_one_per_cause_naming_their_rows(tmp_path):
    """Golden of a small 4W: the rows that share a cause (reason and country or value)
    are one problem with their count and compact Excel rows; the JSON lists every row."""
    four_w = tmp_path / "4w.csv"
    four_w.write_text(
        "Organisation,Country,Admin 1,Pillar,Emergency\n"
        + "UNMAS,Iraq,Ninewa,Land release,\n" * 3  # rows 2-4: Iraq has two emergencies
        + "UNMAS,Vanuatu,Shefa,Land release,\n"  # row 5: no emergency of Vanuatu
        + "UNMAS,Iraq,Anbar,Land release,\n"  # row 6: Iraq again
        + "UNMAS,Mali,Gao,Land release,Sahel emergency\n" * 2  # rows 7-8: unknown name
        + "UNMAS,Mali,Mopti,Land release,Central Sahel\n"  # row 9: linked from its cell
        + "UNMAS,Iraq,Anbar,Land release,\n",  # row 10: Iraq again
        encoding="utf-8")
    proc = run("validate", four_w, "--json")
    assert proc.returncode == 0, proc.stderr
    (sheet,) = json.loads(proc.stdout)["files"][0]["sheets"]
    found = [{k: p.get(k) for k in ("severity", "code", "row", "rows", "column", "value", "message")}
             for p in sheet["problems"] if p["code"].startswith("emergency")]
    assert found == [
        {"severity": "warning", "code": "emergency.unknown", "row": 7, "rows": [7, 8],
         "column": "Emergency", "value": "Sahel emergency",
         "message": "'Sahel emergency' is not an emergency of the dashboard's list (closest: "
                    "central-sahel): 2 rows (7-8) are linked to no emergency."},
        {"severity": "note", "code": "emergency.ambiguous", "row": 2, "rows": [2, 3, 4, 6, 10],
         "column": "Country", "value": "IRQ",
         "message": "5 rows (2-4, 6, 10) give no emergency, and Iraq has several active "
                    "emergencies (iraq, syria-regional): they count in each of them."},
        {"severity": "note", "code": "emergency.none", "row": 5, "rows": [5],
         "column": "Country", "value": "VUT",
         # The 4W has no year: the message speaks of none.
         "message": "No emergency given, and the dashboard's list has no emergency of "
                    "Vanuatu: row 5 is linked to no emergency."},
    ]


def test_emergencies_command_writes_publishes_and_rollback_restores(tmp_path):
    listed = tmp_path / "emergencies.csv"
    proc = run("emergencies", "--out", listed, tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "(20 emergencies)" in proc.stdout
    text = listed.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "id,name_en,name_fr,countries,type,start_year,end_year,aliases"
    assert "central-sahel,Central Sahel crisis,Crise au Sahel central,BFA|MLI|NER," in text
    # The coordinator adds Chad to Central Sahel and writes a bad type for Yemen.
    edited = text.replace("BFA|MLI|NER,regional", "BFA|MLI|NER|TCD,regional")
    bad = tmp_path / "bad.csv"
    bad.write_text(edited.replace("YEM,country", "YEM,war"), encoding="utf-8")
    proc = run("emergencies", bad, "--note", "typo", tmp_path=tmp_path)
    assert proc.returncode == 1
    assert "bad.csv › row 21 › type: 'war' is not a type of emergency." in proc.stderr
    assert "nothing published" in proc.stderr
    good = tmp_path / "good.csv"
    good.write_text(edited, encoding="utf-8")
    assert run("emergencies", good, tmp_path=tmp_path).returncode == 1  # a note is required
    proc = run("emergencies", good, "--note", "Chad joins Central Sahel", tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "published version 2 with 20 emergencies"
    again = run("emergencies", good, "--note", "same", tmp_path=tmp_path)
    assert "the list is unchanged" in again.stdout
    assert "BFA|MLI|NER|TCD" in run("emergencies", tmp_path=tmp_path).stdout
    # The brief of the new version knows the list; a rollback brings the old list back.
    assert run("rollback", "1", tmp_path=tmp_path).returncode == 0
    shown = run("emergencies", tmp_path=tmp_path).stdout
    assert "BFA|MLI|NER," in shown and "BFA|MLI|NER|TCD" not in shown


def test_validate_text_names_every_row_of_a_repeated_problem(tmp_path):
    f = tmp_path / "4w.csv"
    rows = ["Organisation,Country,Pillar,Status"]
    rows += [f"HALO Trust,Iraq,Clearance {i},Bogus" for i in range(8)]
    f.write_text("\n".join(rows) + "\n", encoding="utf-8")
    proc = run("validate", f)
    assert proc.returncode == 1
    # Every row of the eight, not the first three and "...".
    assert "ERROR 4w.csv › Status: 8 rows (2, 3, 4, 5, 6, 7, 8, 9): 'Bogus' is not a known status." in proc.stdout
    assert " ...)" not in proc.stdout

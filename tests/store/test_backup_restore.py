"""Runbook: back the store up and restore it with the CLI, then compare everything.

``python -m maaor backup FILE`` / ``python -m maaor restore FILE`` (README, "Runbook").
A store with several versions (the bundled data, a second upload, a rollback, an alias, a mapping profile,
an aggregate) is backed up, restored into a new empty store (SQLite, and PostgreSQL when
``MAAOR_TEST_DATABASE_URL`` is set), and every version's tables, input files, metadata,
aggregates, aliases, mapping profiles and audit entries are compared with the original.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace

import pandas.testing as pdt
import pytest
import sqlalchemy as sa

from maaor import cli
from maaor.bundled import default_sources, load_default
from maaor.dataset import TABLES
from maaor.profiles import make_profile
from maaor.store import Store
from maaor.store import tables as s
from tests.paths import ROOT


def aggregates(store: Store) -> dict[tuple[int, str], bytes]:
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(s.aggregates.c.version_id, s.aggregates.c.name,
                                      s.blobs.c.data)
                            .join(s.blobs, s.blobs.c.sha256 == s.aggregates.c.sha256)).all()
    return {(v, n): bytes(d) for v, n, d in rows}


def fill(store: Store) -> list[int]:
    """Publish the bundled data, a changed copy, roll back; return the version ids."""
    result = load_default()
    sources, _ = default_sources()
    first = store.publish(result.dataset, sources, by="lead", note="bundled")
    changed = result.dataset.tables["workplan"].copy()
    changed.loc[changed.index[0], "activity"] = "Activité révisée <b>x</b> =1+1"
    second_ds = replace(result.dataset, tables={**result.dataset.tables, "workplan": changed})
    second = store.publish(second_ds, sources[:1], by="coordinator", note="revised activity")
    third = store.rollback(first, by="coordinator", note="back to the bundled data")
    store.put_aggregate(second, "overview", b"\x00\x01aggregate bytes")
    store.add_alias("Halo Trust (HT)", "HALO Trust", by="coordinator")
    store.save_profile(make_profile(
        "Partner 4W", "presence", ["Agence", "Pays", "Statut", "Remarques"],
        {"Agence": "org", "Remarques": None}, {"status": {"En pause": "planned"}}), by="coordinator")
    return [first, second, third]


def assert_same_store(got: Store, want: Store, versions: list[int]) -> None:
    assert got.history() == want.history()
    assert got.current_version() == want.current_version()
    for vid in versions:
        a, b = want.load(vid), got.load(vid)
        assert b.meta == a.meta
        for name in TABLES:
            pdt.assert_frame_equal(b.tables[name], a.tables[name], check_exact=True)
        assert got.files(vid) == want.files(vid)
    assert aggregates(got) == aggregates(want)
    assert got.aliases() == want.aliases()
    assert got.profiles() == want.profiles()
    assert [p.profile.name for p in got.profiles()] == ["Partner 4W"]
    restored_log = got.audit_log()
    assert restored_log[0].action == "restore"
    assert ([(e.at, e.who, e.action, e.detail) for e in restored_log[1:]]
            == [(e.at, e.who, e.action, e.detail) for e in want.audit_log()])


def test_cli_backup_and_restore_reproduce_every_version(make_store_url, tmp_path, capsys):
    source_url, target_url = make_store_url(), make_store_url()
    with Store.open(source_url) as src:
        versions = fill(src)
    backup = tmp_path / "backups" / "maaor-backup.zip"

    assert cli.main(["backup", str(backup), "--url", source_url]) == 0
    assert f"backup of 3 version(s) written to {backup}" in capsys.readouterr().out
    assert cli.main(["restore", str(backup), "--url", target_url]) == 0
    assert "restored 3 version(s); current version 3" in capsys.readouterr().out

    with Store.open(source_url) as src, Store.open(target_url) as dst:
        assert_same_store(dst, src, versions)
        assert dst.load(versions[1]).tables["workplan"]["activity"].iloc[0] == (
            "Activité révisée <b>x</b> =1+1")
        # The restored store takes new versions after the restored ones.
        result = load_default()
        assert dst.publish(result.dataset, [], by="lead", note="after restore") == 4

    # Restoring over a store that holds data is refused and changes nothing.
    assert cli.main(["restore", str(backup), "--url", target_url]) == 1
    assert "restore needs an empty data store" in capsys.readouterr().err
    with Store.open(target_url) as dst:
        assert len(dst.history()) == 4


def test_cli_restore_of_a_missing_or_foreign_file_fails_plainly(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    assert cli.main(["restore", str(tmp_path / "nope.zip"), "--url", url]) == 2
    assert "no such file" in capsys.readouterr().err
    foreign = tmp_path / "photo.zip"
    foreign.write_bytes(b"not a zip at all")
    assert cli.main(["restore", str(foreign), "--url", url]) == 1
    assert "is not a readable maaor backup" in capsys.readouterr().err
    with Store.open(url) as st:
        assert st.history() == []


def test_python_m_maaor_backup_uses_the_configured_store(tmp_path):
    """The runbook's exact commands, as a process, with the store from the environment."""
    env = {k: v for k, v in os.environ.items() if k != "MAAOR_DATABASE_URL"}
    env["MAAOR_SQLITE_PATH"] = str(tmp_path / "live.sqlite")
    with Store.open(f"sqlite:///{tmp_path / 'live.sqlite'}") as st:
        fill(st)
    run = [sys.executable, "-m", "maaor"]
    out = subprocess.run([*run, "backup", str(tmp_path / "b.zip")], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    env["MAAOR_SQLITE_PATH"] = str(tmp_path / "new.sqlite")
    out = subprocess.run([*run, "restore", str(tmp_path / "b.zip")], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    with Store.open(f"sqlite:///{tmp_path / 'live.sqlite'}") as a, \
            Store.open(f"sqlite:///{tmp_path / 'new.sqlite'}") as b:
        assert_same_store(b, a, [v.id for v in a.history()])


@pytest.mark.postgres
def test_backup_of_sqlite_restores_into_postgresql(tmp_path, pg_store_url, capsys):
    sqlite_url = f"sqlite:///{tmp_path / 'src.sqlite'}"
    with Store.open(sqlite_url) as src:
        versions = fill(src)
    backup = tmp_path / "cross.zip"
    assert cli.main(["backup", str(backup), "--url", sqlite_url]) == 0
    assert cli.main(["restore", str(backup), "--url", pg_store_url]) == 0
    with Store.open(sqlite_url) as src, Store.open(pg_store_url) as dst:
        assert_same_store(dst, src, versions)

"""Tests of maaor.store: run on SQLite always and on PostgreSQL when
MAAOR_TEST_DATABASE_URL is set (see the store fixtures in conftest.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
import socket
import subprocess
import sys
import threading
import zipfile

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest
import sqlalchemy as sa

from maaor.auth import Throttle
from maaor.dataset import TABLE_COLUMNS, TABLES, Dataset, DatasetMeta, conform
from maaor.sources import Source
from maaor.store import (
    Store,
    StoreBusy,
    StoreConflict,
    StoreError,
    StoreUnavailable,
    VersionNotFound,
    migrations,
    retry_busy,
)
from maaor.store import tables as s
from tests.store.old_layout import publish_old_layout

BUSY_MESSAGE = "the data store is busy (locked by another process); try again in a moment"


def make_dataset(tag: str, n: int = 2, *, illustrative_tables: tuple[str, ...] = ()) -> Dataset:
    """A small dataset whose every table says ``tag`` and has ``n`` rows (n >= 1)."""
    idx = range(1, n + 1)
    workplan = pd.DataFrame({
        "objective_id": ["1"] * n,
        "objective": ["Coordinated Field Support"] * n,
        "activity_id": [f"1.1.{i}" for i in idx],
        "activity": [f"{tag} activity {i}" for i in idx],
        "leads": ["UNMAS; HALO Trust"] + [np.nan] * (n - 1),
        "lead_tentative": [True] + [pd.NA] * (n - 1),
        "budget_usd": [40_000.0] + [np.nan] * (n - 1),
        "start": pd.to_datetime(["2019-01-15"] + [None] * (n - 1)),
        "_file": [f"{tag}.xlsx"] * n,
        "_row": [i + 1 for i in idx],
    })
    presence = pd.DataFrame({
        "org": [f"{tag} org {i}" for i in idx],
        "country_iso3": ["IRQ"] + [np.nan] * (n - 1),
        "lat": [33.31] + [np.nan] * (n - 1),
        "reached_women": [120.0] * n,
        "end": pd.to_datetime(["2020-12-31"] * n),
    })
    funding = pd.DataFrame({
        "year": pd.array([2019] + [None] * (n - 1), dtype="Int64"),
        "donor": [f"{tag} donor"] * n,
        "required_usd": [np.nan] * n,
        "funded_usd": [1.5e6] * n,
    })
    mechanisms = pd.DataFrame({
        "country_iso3": ["SYR"] * n,
        "name": [f"{tag} sub-cluster"] * n,
        "active": pd.array([True] + [None] * (n - 1), dtype="boolean"),
        "activated": pd.to_datetime(["2016-03-01"] * n),
    })
    tables = {
        "workplan": conform("workplan", workplan),
        "presence": conform("presence", presence),
        "funding": conform("funding", funding),
        "mechanisms": conform("mechanisms", mechanisms),
    }
    meta = DatasetMeta(note=tag, illustrative=bool(illustrative_tables),
                       illustrative_tables=illustrative_tables)
    return Dataset(tables, meta)


def make_files(tag: str) -> list[Source]:
    return [
        Source(f"{tag}_workplan.xlsx", b"PK\x03\x04" + tag.encode() + b"\x00\xff" * 10,
               "workplan"),
        Source(f"{tag}_4w.csv", f"org,country\n{tag},IRQ\n".encode()),
    ]


def assert_same_tables(got: Dataset, want: Dataset) -> None:
    for name in TABLES:
        frame = got.tables[name]
        assert {c: str(t) for c, t in frame.dtypes.items()} == TABLE_COLUMNS[name], name
        pdt.assert_frame_equal(frame, conform(name, want.tables[name]), check_exact=True)


def publish(store: Store, tag: str, n: int = 2, **kwargs) -> int:
    return store.publish(make_dataset(tag, n), make_files(tag), by=f"{tag}-user",
                         note=f"note {tag}", **kwargs)


def version_row_counts(store: Store, version: int) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {
            t.name: conn.execute(
                sa.select(sa.func.count()).select_from(t).where(t.c.version_id == version)
            ).scalar_one()
            for t in (s.version_files, s.version_tables, s.aggregates)
        }


# ------------------------------------------------------------------ basics


def test_empty_store_has_no_version(store):
    assert store.schema_version() == migrations.latest_version() == 6
    assert store.current_version() is None
    assert store.history() == []
    with pytest.raises(VersionNotFound, match="no data has been published yet"):
        store.load()


def test_sqlite_uses_wal_foreign_keys_and_busy_timeout(tmp_path):
    with Store.open(f"sqlite:///{tmp_path / 'p.sqlite'}", busy_timeout_ms=1234) as st:
        with st.engine.connect() as conn:
            pragma = {name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                      for name in ("journal_mode", "foreign_keys", "busy_timeout")}
        assert pragma == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 1234}
        with pytest.raises(sa.exc.IntegrityError, match="FOREIGN KEY"):
            with st.engine.begin() as conn:  # a file row pointing at no version
                conn.execute(s.version_files.insert().values(
                    version_id=99, position=0, name="x", size=0, sha256=""))


def test_publish_load_round_trip_keeps_dtypes_and_meta(store):
    data = make_dataset("alpha", 3, illustrative_tables=("presence",))
    before = dt.datetime.now(dt.UTC)
    vid = store.publish(data, make_files("alpha"), by="coordinator", note="first upload")
    assert vid == 1
    assert store.current_version() == 1
    for loaded in (store.load(), store.load(1)):
        assert_same_tables(loaded, data)
        meta = loaded.meta
        assert (meta.version, meta.created_by, meta.note) == (1, "coordinator", "first upload")
        assert meta.illustrative is True
        assert meta.illustrative_tables == ("presence",)
        assert meta.sources == ("alpha_workplan.xlsx", "alpha_4w.csv")
        assert meta.created_at.tzinfo is not None
        assert before - dt.timedelta(seconds=5) <= meta.created_at
    assert store.load().workplan.loc[0, "start"] == pd.Timestamp("2019-01-15")
    with pytest.raises(VersionNotFound, match="version 7 does not exist"):
        store.load(7)


def test_load_only_some_tables_decodes_those_and_leaves_the_others_empty(store, monkeypatch):
    from maaor.store import versions

    data = make_dataset("alpha", 3)
    store.publish(data, make_files("alpha"), by="coordinator", note="first upload")
    decoded = []
    real_decode = versions.decode_table
    monkeypatch.setattr(versions, "decode_table",
                        lambda name, *a: decoded.append(name) or real_decode(name, *a))
    part = store.load(1, only=("workplan", "presence"))
    assert sorted(decoded) == ["presence", "workplan"]
    for name in TABLES:
        want = data.tables[name] if name in ("workplan", "presence") else data.tables[name].iloc[0:0]
        pdt.assert_frame_equal(part.tables[name], conform(name, want), check_exact=True,
                               check_index_type=False)
    assert part.meta.version == 1


def test_publish_keeps_explicit_sources_and_rejects_unknown_kind(store):
    data = make_dataset("s").with_meta(sources=("bundled work plan",))
    store.publish(data, [], by="x", note="")
    assert store.load().meta.sources == ("bundled work plan",)
    with pytest.raises(ValueError, match="version kind"):
        store.publish(data, [], by="x", note="", kind="merge")
    assert store.current_version() == 1


def test_history_is_newest_first_with_file_digests(store):
    for tag in ("a", "b", "c"):
        publish(store, tag)
    history = store.history()
    assert [h.id for h in history] == [3, 2, 1]
    assert [h.is_current for h in history] == [True, False, False]
    assert [h.note for h in history] == ["note c", "note b", "note a"]
    assert [h.created_by for h in history] == ["c-user", "b-user", "a-user"]
    assert history[0].created_at >= history[2].created_at
    expected = tuple(
        (f.name, len(f.data), hashlib.sha256(f.data).hexdigest()) for f in make_files("b")
    )
    assert history[1].files == expected
    assert history[1].kind == "upload" and history[1].parent is None


def test_files_return_exact_bytes_in_upload_order(store):
    publish(store, "a")
    vid = publish(store, "b")
    assert store.files(vid) == [(f.name, f.data) for f in make_files("b")]
    with pytest.raises(VersionNotFound):
        store.files(42)


# ---------------------------------------------------------------- rollback


def test_rollback_creates_new_version_equal_to_old(store):
    publish(store, "old", 3)
    store.put_aggregate(1, "totals", b"\x01\x02")
    publish(store, "new", 1)
    vid = store.rollback(1, by="coordinator")
    assert vid == 3
    assert store.current_version() == 3
    assert_same_tables(store.load(), make_dataset("old", 3))
    assert_same_tables(store.load(2), make_dataset("new", 1))
    assert store.files(3) == store.files(1)
    assert store.aggregate(3, "totals") == b"\x01\x02"
    info = store.history()[0]
    assert (info.kind, info.parent, info.note) == ("rollback", 1, "rollback to version 1")
    assert [h.id for h in store.history()] == [3, 2, 1]
    assert store.load().meta.sources == store.load(1).meta.sources
    with pytest.raises(VersionNotFound):
        store.rollback(9, by="coordinator")
    assert store.current_version() == 3 and len(store.history()) == 3


def test_if_current_refuses_publish_based_on_an_old_version(store):
    assert publish(store, "a", if_current=None) == 1
    assert publish(store, "b", if_current=1) == 2
    with pytest.raises(StoreConflict, match="version 2 was published meanwhile"):
        publish(store, "c", if_current=1)
    with pytest.raises(StoreConflict):
        store.rollback(1, by="x", if_current=1)
    assert store.current_version() == 2 and len(store.history()) == 2


# ------------------------------------------------------- aliases, audit, etc.


def test_aliases_replace_same_key_and_remember_version(store):
    store.add_alias("Handicap Intl", "Humanity & Inclusion", "coordinator")
    publish(store, "a")
    store.add_alias("Halo trust", "HALO Trust", by="coordinator")
    store.add_alias("HANDICAP  INTL.", "HI", by="coordinator")
    assert store.aliases() == {"HANDICAP  INTL.": "HI", "Halo trust": "HALO Trust"}
    with store.engine.connect() as conn:
        tagged = dict(conn.execute(sa.select(s.aliases.c.alias, s.aliases.c.version_id)).all())
    assert tagged == {"HANDICAP  INTL.": 1, "Halo trust": 1}
    assert store.remove_alias("halo-trust", by="coordinator") is True
    assert store.remove_alias("nobody", by="coordinator") is False
    assert store.aliases() == {"HANDICAP  INTL.": "HI"}
    with pytest.raises(ValueError):
        store.add_alias(" ", "X", by="c")
    actions = [e.action for e in store.audit_log()]
    assert actions == ["alias_removed", "alias", "alias", "upload", "alias"]


def test_audit_log_newest_first(store):
    store.audit("signin", who="coordinator", detail="from 10.0.0.1")
    store.audit("export", who="coordinator")
    log = store.audit_log()
    assert [(e.action, e.who, e.detail) for e in log] == [
        ("export", "coordinator", ""), ("signin", "coordinator", "from 10.0.0.1")]
    assert log[0].at.tzinfo is not None
    assert len(store.audit_log(limit=1)) == 1


def test_aggregates_put_replace_get(store):
    publish(store, "a")
    assert store.aggregate(1, "by_country") is None
    store.put_aggregate(1, "by_country", b"one")
    store.put_aggregate(1, "by_country", b"two")
    assert store.aggregate(1, "by_country") == b"two"
    with pytest.raises(VersionNotFound):
        store.put_aggregate(5, "x", b"")


def test_aggregates_put_together_in_one_transaction(store, monkeypatch):
    publish(store, "a")
    store.put_aggregate(1, "by_country", b"old")
    writes = []
    real_write = type(store)._write
    monkeypatch.setattr(type(store), "_write",
                        lambda self, **kw: writes.append(kw) or real_write(self, **kw))
    store.put_aggregates(1, {"by_country": b"new", "by_pillar": b"p", "totals": b"t"})
    assert len(writes) == 1
    assert [store.aggregate(1, n) for n in ("by_country", "by_pillar", "totals")] == [
        b"new", b"p", b"t"]
    with pytest.raises(VersionNotFound):
        store.put_aggregates(5, {"x": b"", "y": b""})


# ------------------------------------------------------------------ schema


def test_upgrade_from_older_schema_keeps_data(make_store_url):
    url = make_store_url()
    with Store.open(url, upgrade_to=1) as old:
        assert old.schema_version() == 1
        # Written as schema 1 stored it (the code of today writes schema 5's layout).
        publish_old_layout(old, make_dataset("a"), make_files("a"), by="a-user",
                           note="note a")
        with old.engine.connect() as conn:
            assert not sa.inspect(conn).has_table("signin_failures")
    with Store.open(url) as new:
        assert new.schema_version() == migrations.latest_version()
        assert_same_tables(new.load(), make_dataset("a"))
        new.record_signin_failure("k", max_failures=5, lock_s=60)
        assert new.signin_state("k")[0] == 1


def test_appended_migration_step_runs_once(make_store_url, monkeypatch):
    url = make_store_url()
    with Store.open(url) as st:
        publish(st, "a")
    calls = []

    def add_notes_table(conn):
        calls.append(1)
        md = sa.MetaData()
        sa.Table("version_notes", md, sa.Column("version_id", sa.Integer, primary_key=True))
        md.create_all(conn)

    appended = migrations.latest_version() + 1
    steps = [*migrations.STEPS, migrations.Step(appended, "notes", add_notes_table)]
    monkeypatch.setattr(migrations, "STEPS", steps)
    with Store.open(url) as st:
        assert st.schema_version() == appended
        assert st.current_version() == 1
        with st.engine.connect() as conn:
            assert sa.inspect(conn).has_table("version_notes")
    with Store.open(url) as st:
        assert st.schema_version() == appended
    assert calls == [1]


def test_store_newer_than_app_is_refused(make_store_url):
    url = make_store_url()
    with Store.open(url) as st, st.engine.begin() as conn:
        conn.execute(sa.text("UPDATE meta SET value = '99' WHERE key = 'schema_version'"))
    with pytest.raises(StoreError, match="schema version 99, newer than this app"):
        Store.open(url)


# ------------------------------------------------------------ failure and concurrency


def test_exception_mid_publish_leaves_previous_version_current_and_complete(
        store, monkeypatch):
    publish(store, "one", 3)
    original = Store._write_tables

    def fail_after_first_table(self, conn, version_id, tables):
        first = dict(list(tables.items())[:1])
        original(self, conn, version_id, first)
        raise RuntimeError("disk full")

    monkeypatch.setattr(Store, "_write_tables", fail_after_first_table)
    with pytest.raises(RuntimeError, match="disk full"):
        publish(store, "two")
    assert store.current_version() == 1
    assert [h.id for h in store.history()] == [1]
    assert_same_tables(store.load(), make_dataset("one", 3))
    assert version_row_counts(store, 2) == {
        "version_files": 0, "version_tables": 0, "aggregates": 0}
    monkeypatch.undo()
    assert publish(store, "two") == 2
    assert_same_tables(store.load(), make_dataset("two"))


def test_two_concurrent_publishes_end_as_two_ordered_versions(make_store_url):
    url = make_store_url()
    Store.open(url).close()
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def run(tag: str, n: int) -> None:
        with Store.open(url, busy_timeout_ms=20_000) as st:
            barrier.wait(timeout=30)
            try:
                results[tag] = publish(st, tag, n)
            except StoreBusy as exc:
                results[tag] = exc

    threads = [threading.Thread(target=run, args=(t, n)) for t, n in (("x", 2), ("y", 4))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    with Store.open(url) as st:
        ids = {tag: r for tag, r in results.items() if isinstance(r, int)}
        refused = [r for r in results.values() if isinstance(r, StoreBusy)]
        assert len(ids) + len(refused) == 2 and ids
        assert sorted(ids.values()) == list(range(1, len(ids) + 1))
        assert [h.id for h in st.history()] == sorted(ids.values(), reverse=True)
        for tag, vid in ids.items():
            assert_same_tables(st.load(vid), make_dataset(tag, {"x": 2, "y": 4}[tag]))
            assert st.files(vid) == [(f.name, f.data) for f in make_files(tag)]
        assert st.current_version() == max(ids.values())


def test_reader_during_publish_sees_old_version_then_new(store, monkeypatch):
    publish(store, "old", 2)
    entered, release = threading.Event(), threading.Event()
    original = Store._write_tables

    def paused(self, conn, version_id, tables):
        original(self, conn, version_id, tables)
        entered.set()
        release.wait(timeout=60)

    monkeypatch.setattr(Store, "_write_tables", paused)
    outcome: list[object] = []
    writer = threading.Thread(target=lambda: outcome.append(publish(store, "new", 5)))
    writer.start()
    try:
        assert entered.wait(timeout=60)
        # The new version's rows are written but not committed.
        assert store.current_version() == 1
        assert [h.id for h in store.history()] == [1]
        assert_same_tables(store.load(), make_dataset("old", 2))
    finally:
        release.set()
        writer.join(timeout=60)
    assert outcome == [2]
    assert_same_tables(store.load(), make_dataset("new", 5))


_HOLD_LOCK = """
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.read()
con.execute("ROLLBACK")
"""


def test_sqlite_locked_by_another_process_is_busy_then_retry_works(tmp_path):
    path = tmp_path / "locked.sqlite"
    url = f"sqlite:///{path}"
    with Store.open(url, busy_timeout_ms=200) as st:
        publish(st, "one")
        holder = subprocess.Popen([sys.executable, "-c", _HOLD_LOCK, str(path)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            assert holder.stdout.readline().strip() == "locked"
            with pytest.raises(StoreBusy) as err:
                publish(st, "two")
            assert str(err.value) == BUSY_MESSAGE
            # Readers are not blocked (WAL) and see the complete previous version.
            assert st.current_version() == 1
            assert_same_tables(st.load(), make_dataset("one"))
            with Store.open(url, busy_timeout_ms=200) as other:
                assert other.current_version() == 1

            def release(_seconds):
                holder.stdin.close()
                holder.wait(timeout=30)

            assert retry_busy(lambda: publish(st, "two"), attempts=2, sleep=release) == 2
        finally:
            if holder.poll() is None:
                holder.stdin.close()
                holder.wait(timeout=30)
        assert [h.id for h in st.history()] == [2, 1]


def test_retry_busy_retries_then_gives_up():
    waits: list[float] = []
    attempts = iter([StoreBusy(), StoreBusy(), "done"])

    def action():
        value = next(attempts)
        if isinstance(value, Exception):
            raise value
        return value

    assert retry_busy(action, attempts=3, wait_s=0.5, sleep=waits.append) == "done"
    assert waits == [0.5, 1.0]

    def always_busy():
        raise StoreBusy()

    with pytest.raises(StoreBusy, match="busy"):
        retry_busy(always_busy, attempts=2, wait_s=0, sleep=waits.append)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_postgresql_is_store_unavailable():
    url = f"postgresql://postgres@127.0.0.1:{_closed_port()}/test"
    with pytest.raises(StoreUnavailable) as err:
        Store.open(url, connect_timeout_s=2)
    message = str(err.value)
    assert message.startswith("the data store (database server) cannot be reached")
    assert "nothing was changed" in message


@pytest.mark.postgres
def test_postgresql_going_away_changes_nothing_and_store_recovers(pg_store_url):
    with Store.open(pg_store_url) as st:
        publish(st, "one")
        good = st.engine
        url = good.url.set(port=_closed_port())
        st.engine = sa.create_engine(url, connect_args={"connect_timeout": 2})
        try:
            with pytest.raises(StoreUnavailable):
                publish(st, "two")
            with pytest.raises(StoreUnavailable):
                st.load()
        finally:
            st.engine.dispose()
            st.engine = good
        assert st.current_version() == 1
        assert publish(st, "two") == 2
        assert_same_tables(st.load(), make_dataset("two"))


# --------------------------------------------------------------- bootstrap


def test_bootstrap_runs_once_even_when_two_start_together(make_store_url):
    url = make_store_url()
    barrier = threading.Barrier(2)
    loads: list[int] = []
    results: list[object] = []

    def loader():
        loads.append(1)
        return make_dataset("bundled", 3), make_files("bundled")

    def run() -> None:
        barrier.wait(timeout=30)
        try:
            with Store.open(url, busy_timeout_ms=20_000) as st:
                results.append(st.ensure_bootstrapped(loader))
        except Exception as exc:  # surfaced by the assertion below
            results.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(results, key=str) == [1, None]
    assert 1 <= len(loads) <= 2
    with Store.open(url) as st:
        history = st.history()
        assert [(h.id, h.kind) for h in history] == [(1, "bootstrap")]
        assert_same_tables(st.load(), make_dataset("bundled", 3))
        assert st.ensure_bootstrapped(loader) is None
    assert len(loads) <= 2


# ---------------------------------------------------------- backup/restore


def test_backup_and_restore_reproduce_every_version(make_store_url, tmp_path):
    source_url, target_url = make_store_url(), make_store_url()
    with Store.open(source_url) as src:
        store_ids = [publish(src, "a", 2), publish(src, "b", 4)]
        store_ids.append(src.rollback(1, by="coordinator"))
        src.put_aggregate(2, "totals", b"\x00agg")
        src.add_alias("MAG intl", "MAG", by="coordinator")
        backup = src.backup(tmp_path / "backups" / "maaor.zip")
        history = src.history()
        audit = [(e.at, e.who, e.action, e.detail) for e in src.audit_log()]
    assert backup.exists() and zipfile.is_zipfile(backup)
    with Store.restore(backup, target_url) as dst:
        assert dst.history() == history
        assert dst.current_version() == 3
        for vid in store_ids:
            a, b = Store.open(source_url), dst
            try:
                want = a.load(vid)
                assert_same_tables(b.load(vid), want)
                assert b.load(vid).meta == want.meta
                assert b.files(vid) == a.files(vid)
            finally:
                a.close()
        assert dst.aggregate(2, "totals") == b"\x00agg"
        assert dst.aliases() == {"MAG intl": "MAG"}
        log = dst.audit_log()
        assert log[0].action == "restore"
        assert [(e.at, e.who, e.action, e.detail) for e in log[1:]] == audit
        # New versions continue after the restored ones.
        assert publish(dst, "c") == 4
        with pytest.raises(StoreError, match="restore needs an empty data store"):
            Store.restore(backup, target_url)


def test_restore_refuses_a_damaged_backup_and_writes_nothing(make_store_url, tmp_path):
    with Store.open(make_store_url()) as src:
        publish(src, "a")
        good = src.backup(tmp_path / "good.zip")
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "versions/1/tables/workplan.parquet":
                data = data[:-8] + b"garbage!"
            zout.writestr(item, data)
    target = make_store_url()
    with pytest.raises(StoreError, match="workplan.parquet does not match its checksum"):
        Store.restore(bad, target)
    with Store.open(target) as st:
        assert st.current_version() is None and st.history() == []
    not_zip = tmp_path / "notes.zip"
    not_zip.write_text("hello")
    with pytest.raises(StoreError, match="not a readable maaor backup"):
        Store.restore(not_zip, target)


# --------------------------------------------------------- sign-in throttle


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_throttle_locks_after_five_failures_across_processes(make_store_url):
    url = make_store_url()
    clock = FakeClock()
    with Store.open(url) as st1, Store.open(url) as st2:
        web1 = Throttle(st1, max_failures=5, lock_s=900, delay_s=0, clock=clock)
        web2 = Throttle(st2, max_failures=5, lock_s=900, delay_s=0, clock=clock)
        for _ in range(4):
            assert web1.record_failure("coordinator") == (True, 0.0)
        assert web1.record_failure("coordinator") == (False, 900.0)
        # Another process (another store connection) sees the lock.
        assert web2.check("coordinator") == (False, 900.0)
        assert web2.check("coordinator:other-client") == (True, 0.0)
        clock.now += 600
        assert web2.check("coordinator") == (False, 300.0)
        clock.now += 301
        assert web2.check("coordinator") == (True, 0.0)
        # After the lock expires a wrong password starts a new count.
        assert web2.record_failure("coordinator") == (True, 0.0)
        assert st1.signin_state("coordinator")[0] == 1
        assert [e.action for e in st1.audit_log()] == ["signin_locked"]


def test_throttle_success_resets_the_count(store):
    clock = FakeClock()
    throttle = Throttle(store, max_failures=5, lock_s=900, delay_s=0, clock=clock)
    for _ in range(4):
        throttle.record_failure("coordinator")
    throttle.record_success("coordinator")
    assert store.signin_state("coordinator") == (0, None)
    for _ in range(4):
        assert throttle.record_failure("coordinator") == (True, 0.0)
    assert throttle.record_failure("coordinator")[0] is False

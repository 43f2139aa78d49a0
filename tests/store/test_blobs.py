"""Content-addressed storage (schema 5): versions share the bytes of unchanged files,
tables and aggregates; stores of schema 4 are converted. SQLite always, PostgreSQL when
MAAOR_TEST_DATABASE_URL is set."""

from __future__ import annotations

import zipfile

import sqlalchemy as sa

from maaor.dataset import Dataset
from maaor.store import Store, migrations
from maaor.store import tables as s
from maaor.store.blobs import blob_bytes
from tests.store.old_layout import publish_old_layout
from tests.store.test_store import assert_same_tables, make_dataset, make_files, publish


def stored_bytes(store: Store) -> int:
    with store.engine.connect() as conn:
        return blob_bytes(conn)


def blob_count(store: Store) -> int:
    with store.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(s.blobs)).scalar_one()


def test_publishing_the_same_files_and_tables_again_adds_no_bytes(store):
    publish(store, "a", 5)
    store.put_aggregate(1, "overview", b"aggregate of a")
    before, blobs = stored_bytes(store), blob_count(store)
    assert before > 0
    assert publish(store, "a", 5) == 2
    store.put_aggregate(2, "overview", b"aggregate of a")
    assert (stored_bytes(store), blob_count(store)) == (before, blobs)
    assert_same_tables(store.load(2), make_dataset("a", 5))
    assert store.files(2) == store.files(1)
    assert store.aggregate(2, "overview") == b"aggregate of a"


def test_a_changed_table_adds_only_that_table(store):
    publish(store, "a", 3)
    before = blob_count(store)
    data = make_dataset("a", 3)
    changed = data.tables["funding"].copy()
    changed.loc[0, "funded_usd"] = 2.5e6
    data = Dataset({**data.tables, "funding": changed}, data.meta)
    store.publish(data, make_files("a"), by="x", note="funding fixed")
    assert blob_count(store) == before + 1  # the new funding table, nothing else
    assert store.load(2).funding.loc[0, "funded_usd"] == 2.5e6
    assert store.load(1).funding.loc[0, "funded_usd"] == 1.5e6


def test_rollback_adds_no_bytes_and_serves_the_old_bytes(store):
    publish(store, "a")
    publish(store, "b")
    before = stored_bytes(store)
    assert store.rollback(1, by="x") == 3
    assert stored_bytes(store) == before
    assert_same_tables(store.load(3), make_dataset("a"))
    assert store.files(3) == [(f.name, f.data) for f in make_files("a")]


def test_backup_writes_shared_bytes_once_and_restores_every_version(make_store_url, tmp_path):
    source, target = make_store_url(), make_store_url()
    with Store.open(source) as st:
        publish(st, "a")
        publish(st, "a")
        path = st.backup(tmp_path / "b.zip")
        blobs = blob_count(st)
    with zipfile.ZipFile(path) as zf:
        members = [n for n in zf.namelist() if n != "manifest.json"]
    assert len(members) == blobs
    with Store.restore(path, target) as restored:
        assert blob_count(restored) == blobs
        for vid in (1, 2):
            assert_same_tables(restored.load(vid), make_dataset("a"))
            assert restored.files(vid) == [(f.name, f.data) for f in make_files("a")]


def test_upgrade_from_schema_4_moves_bytes_into_shared_blobs(make_store_url, tmp_path):
    url = make_store_url()
    with Store.open(url, upgrade_to=4) as old:
        assert old.schema_version() == 4
        for tag in ("a", "a", "b"):  # versions 1 and 2 hold the same bytes
            publish_old_layout(old, make_dataset(tag), make_files(tag), by=f"{tag}-user",
                               note=f"note {tag}", aggregates={"overview": b"agg " + tag.encode()})
        with old.engine.connect() as conn:
            inline = {vid: n for vid, n in conn.execute(sa.text(
                "SELECT version_id, SUM(LENGTH(data)) FROM version_tables"
                " GROUP BY version_id"))}
        history = old.history()
    with Store.open(url) as new:
        assert new.schema_version() == migrations.latest_version() == 6
        assert new.history() == history  # file names, sizes and digests unchanged
        assert new.current_version() == 3
        for vid, tag in ((1, "a"), (2, "a"), (3, "b")):
            assert_same_tables(new.load(vid), make_dataset(tag))
            assert new.files(vid) == [(f.name, f.data) for f in make_files(tag)]
            assert new.aggregate(vid, "overview") == b"agg " + tag.encode()
        with new.engine.connect() as conn:
            columns = {t: {c["name"] for c in sa.inspect(conn).get_columns(t)}
                       for t in ("version_files", "version_tables", "aggregates")}
            table_bytes = conn.execute(
                sa.select(sa.func.sum(s.blobs.c.size))
                .where(s.blobs.c.sha256.in_(sa.select(s.version_tables.c.sha256)))
            ).scalar_one()
        assert all("data" not in cols for cols in columns.values())
        # Versions 1 and 2 held the same tables: their bytes are now stored once (and a
        # table equal in versions 1 and 3, an empty one, once too).
        assert inline[1] == inline[2] > 0
        assert table_bytes <= inline[1] + inline[3]
        before = stored_bytes(new)
        publish(new, "b")  # the same bytes as version 3: nothing added
        assert stored_bytes(new) == before
        path = new.backup(tmp_path / "upgraded.zip")
    with Store.restore(path, make_store_url()) as restored:
        assert restored.history()[0].id == 4
        assert_same_tables(restored.load(2), make_dataset("a"))

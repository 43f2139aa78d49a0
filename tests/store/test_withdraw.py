"""Withdrawing a version (issue 12, item 10): never served again, audited, the pointer
moves off it, coordinators still see it. SQLite always, PostgreSQL when configured."""

from __future__ import annotations

import datetime as dt

import pytest

from maaor.store import StoreError, VersionNotFound, VersionWithdrawn
from tests.store.test_store import make_dataset, publish

WHEN = dt.datetime(2026, 11, 30, 9, 15, tzinfo=dt.UTC)


def three_versions(store) -> list[int]:
    return [publish(store, tag) for tag in ("a", "b", "c")]


def test_withdrawn_version_is_not_served_but_stays_in_the_history(store):
    v1, v2, v3 = three_versions(store)
    done = store.withdraw(v2, by="lead", reason="a minefield location was published",
                          now=WHEN)
    assert (done.version, done.at, done.current, done.was_current) == (v2, WHEN, v3, False)
    with pytest.raises(VersionWithdrawn, match=f"version {v2} was withdrawn on 2026-11-30"):
        store.load(v2)
    # A withdrawn version is "not found" to any reader that does not know withdrawals.
    assert issubclass(VersionWithdrawn, VersionNotFound)
    assert store.load(v2, withdrawn_ok=True).workplan["activity"].iloc[0] == "b activity 1"
    assert store.withdrawn_at(v2) == WHEN and store.withdrawn_at(v3) is None
    assert store.current_version() == v3
    marked = {v.id: (v.withdrawn, v.withdrawn_at, v.withdrawn_by, v.withdrawn_reason)
              for v in store.history()}
    assert marked == {
        v3: (False, None, None, None),
        v2: (True, WHEN, "lead", "a minefield location was published"),
        v1: (False, None, None, None),
    }
    entry = store.audit_log(1)[0]
    assert (entry.at, entry.who, entry.action, entry.detail) == (
        WHEN, "lead", "withdraw", f"version {v2}: a minefield location was published")


def test_withdrawing_the_current_version_moves_the_pointer_to_the_newest_served(store):
    v1, v2, v3 = three_versions(store)
    store.withdraw(v2, by="lead", reason="wrong figures")
    done = store.withdraw(v3, by="lead", reason="sensitive location")
    assert (done.was_current, done.current) == (True, v1)  # v2 is withdrawn too
    assert store.current_version() == v1
    assert store.load().meta.version == v1
    assert store.audit_log(1)[0].detail == (
        f"version {v3}: sensitive location (current version is now {v1})")
    # The next publish continues the numbering and becomes current.
    v4 = publish(store, "d")
    assert (v4, store.current_version()) == (v3 + 1, v4)


def test_withdraw_refuses_what_it_cannot_do_and_changes_nothing(store):
    v1, v2, v3 = three_versions(store)
    with pytest.raises(ValueError, match="reason is required"):
        store.withdraw(v2, by="lead", reason="  ")
    with pytest.raises(VersionNotFound, match="version 99 does not exist"):
        store.withdraw(99, by="lead", reason="x")
    store.withdraw(v1, by="lead", reason="x")
    with pytest.raises(StoreError, match=f"version {v1} was already withdrawn on"):
        store.withdraw(v1, by="lead", reason="again")
    store.withdraw(v2, by="lead", reason="y")
    with pytest.raises(StoreError, match=f"version {v3} is the only version still served"):
        store.withdraw(v3, by="lead", reason="z")
    assert store.current_version() == v3
    # A rollback may not bring withdrawn data back.
    with pytest.raises(VersionWithdrawn):
        store.rollback(v1, by="lead", note="back")
    assert [v.id for v in store.history()] == [v3, v2, v1]
    assert [e.action for e in store.audit_log(3)] == ["withdraw", "withdraw", "upload"]


def test_backup_and_restore_keep_withdrawals(make_store_url, tmp_path):
    from maaor.store import Store

    with Store.open(make_store_url()) as store:
        v1, v2 = publish(store, "a"), store.publish(make_dataset("b"), [], by="x", note="b")
        store.withdraw(v2, by="lead", reason="typo in a name", now=WHEN)
        store.backup(tmp_path / "b.zip")
    with Store.restore(tmp_path / "b.zip", make_store_url()) as restored:
        assert restored.current_version() == v1
        [second, _] = restored.history()
        assert (second.id, second.withdrawn_at, second.withdrawn_by,
                second.withdrawn_reason) == (v2, WHEN, "lead", "typo in a name")
        with pytest.raises(VersionWithdrawn):
            restored.load(v2)

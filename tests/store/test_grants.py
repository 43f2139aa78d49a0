"""Coordinator grants (maaor.store.grants): bound to a browser, rotated, expiring,
revoked; only hashes of the token and of the binding are stored (issue 12, item 1)."""

from __future__ import annotations

import sqlalchemy as sa

from maaor.store.grants import Grants, grants_table


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def grants(tmp_path, idle_s: float = 600) -> tuple[Grants, Clock]:
    clock = Clock()
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'grants.sqlite'}")
    return Grants(engine, idle_s=idle_s, clock=clock), clock


def test_a_grant_holds_for_its_browser_only(tmp_path):
    store, _ = grants(tmp_path)
    token = store.create("coordinator", "password", "browser-a")
    assert store.check(token, "browser-a").user == "coordinator"
    other = store.check(token, "browser-b")
    assert (other.user, other.reason) == (None, "other_browser")
    # Refused elsewhere, still valid for the browser that signed in.
    assert store.check(token, "browser-a").user == "coordinator"
    assert store.check("not-a-token", "browser-a").reason == "unknown"


def test_a_grant_expires_after_idle_time_and_use_keeps_it(tmp_path):
    store, clock = grants(tmp_path, idle_s=600)
    token = store.create("coordinator", "password", "b")
    clock.now += 500
    assert store.check(token, "b").user == "coordinator"  # used: idle time restarts
    clock.now += 500
    assert store.check(token, "b").user == "coordinator"
    clock.now += 601
    assert store.check(token, "b").reason == "expired"
    clock.now -= 601  # even back in time, an expired grant stays revoked
    assert store.check(token, "b").reason == "revoked"


def test_sign_out_revokes_and_a_new_sign_in_gets_a_new_token(tmp_path):
    store, _ = grants(tmp_path)
    first = store.create("coordinator", "password", "b")
    second = store.create("coordinator", "password", "b")
    assert first != second
    store.revoke(first)
    assert store.check(first, "b").reason == "revoked"
    assert store.check(second, "b").user == "coordinator"


def test_only_hashes_are_stored(tmp_path):
    store, _ = grants(tmp_path)
    token = store.create("coordinator", "password", "browser-secret")
    with store.engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(sa.select(grants_table))]
    text = repr(rows)
    assert token not in text and "browser-secret" not in text
    assert len(rows) == 1 and len(rows[0][0]) == 64

"""Sign-in throttling per client, counted atomically in the store (issue 12, item 2).

Run on SQLite always and on PostgreSQL when MAAOR_TEST_DATABASE_URL is set. Each
test drives :meth:`maaor.auth.Throttle.attempt`, the one path the sign-in form uses.
"""

from __future__ import annotations

import logging
import threading
import time

import pytest

from maaor.auth import Throttle, client_key
from maaor.store import Store
from maaor.store.access import GLOBAL_KEY

COORDINATOR = client_key("203.0.113.5", "c0ffee")
ATTACKER = client_key("198.51.100.66", "bad")
PASSWORD = "the coordinator's password"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def checker(password: str, calls: list | None = None, pause_s: float = 0.0):
    """A verify function for ``password`` that records each check."""
    def verify() -> bool:
        if calls is not None:
            calls.append(1)
        if pause_s:
            time.sleep(pause_s)  # as long as a real hash check, to widen any race
        return password == PASSWORD
    return verify


def test_lock_out_of_another_client_does_not_refuse_the_coordinator(store):
    clock = FakeClock()
    throttle = Throttle(store, max_failures=5, lock_s=900, delay_s=1, clock=clock)
    statuses = []
    for _ in range(5):
        statuses.append(throttle.attempt(ATTACKER, checker("guess")).status)
        clock.now += 60  # past every delay, so each guess is checked
    assert statuses == ["wrong"] * 4 + ["locked"]
    assert throttle.attempt(ATTACKER, checker(PASSWORD)).status == "locked"
    # The real coordinator, from another client, signs in at once.
    outcome = throttle.attempt(COORDINATOR, checker(PASSWORD))
    assert outcome.status == "ok"
    assert store.signin_state(COORDINATOR) == (0, None)
    assert store.signin_state(ATTACKER)[0] == 5


@pytest.mark.parametrize(("delay_s", "limit", "wrong"), [(0, 5, 4), (1, 1, 1)])
def test_100_parallel_guesses_check_at_most_the_limit(make_store_url, delay_s, limit, wrong):
    """100 guesses at once from one client, through 4 store connections (as 4 app
    processes would): no more passwords are checked than the rules allow."""
    url = make_store_url()
    stores = [Store.open(url, busy_timeout_ms=30_000) for _ in range(4)]
    calls: list[int] = []
    outcomes: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(100)

    def guess(i: int) -> None:
        throttle = Throttle(stores[i % 4], max_failures=5, lock_s=900, delay_s=delay_s,
                            global_per_minute=0)
        start.wait()
        try:
            outcomes.append(throttle.attempt(ATTACKER, checker("guess", calls, 0.01)).status)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(100)]
    try:
        for th in threads:
            th.start()
        for th in threads:
            th.join(120)
        assert not errors, errors[:3]
        assert len(outcomes) == 100
        assert len(calls) == limit  # every allowed guess is checked, no more
        # Without delays: 4 wrong, the 5th locks; with delays the first wrong guess
        # makes every other one wait. All the rest were refused unchecked.
        assert outcomes.count("wrong") == wrong
        assert "ok" not in outcomes
        assert stores[0].signin_state(ATTACKER)[0] == limit
    finally:
        for st in stores:
            st.close()


def test_each_wrong_password_makes_the_wait_longer(store):
    clock = FakeClock()
    throttle = Throttle(store, max_failures=5, lock_s=900, delay_s=2,
                        global_per_minute=0, clock=clock)
    first = throttle.attempt(ATTACKER, checker("a"))
    assert (first.status, first.wait_s, first.attempts_left) == ("wrong", 2.0, 4)
    refused = throttle.attempt(ATTACKER, checker(PASSWORD))
    assert (refused.status, refused.wait_s, refused.attempts_left) == ("wait", 2.0, 4)
    waits = [first.wait_s]
    for left in (3, 2, 1):
        clock.now += waits[-1]
        outcome = throttle.attempt(ATTACKER, checker("b"))
        assert (outcome.status, outcome.attempts_left) == ("wrong", left)
        waits.append(outcome.wait_s)
    assert waits == [2.0, 4.0, 8.0, 16.0]
    # A refused guess was never counted: the count is still 4, and the right password
    # after the wait signs in and clears it.
    clock.now += 16
    assert throttle.attempt(ATTACKER, checker(PASSWORD)).status == "ok"
    assert store.signin_state(ATTACKER) == (0, None)


def test_global_limit_slows_failed_clients_but_never_refuses_a_fresh_one(store):
    clock = FakeClock()
    pauses: list[float] = []
    throttle = Throttle(store, max_failures=5, lock_s=900, delay_s=0, global_per_minute=3,
                        clock=clock, sleep=pauses.append)
    for n in range(3):
        assert throttle.attempt(client_key("198.51.100.1", f"s{n}"),
                                checker("x")).status == "wrong"
    # The limit is reached: a client that has failed waits for the window to end ...
    slowed = throttle.attempt(client_key("198.51.100.1", "s0"), checker(PASSWORD))
    assert (slowed.status, slowed.wait_s) == ("slowed", 60.0)
    # ... a fresh client is still checked, after a pause: the right password works.
    assert throttle.attempt(COORDINATOR, checker(PASSWORD)).status == "ok"
    assert pauses == [2.0]
    # Fresh clients arriving together are checked one after another, 2 s apart.
    for n in (10, 11):
        assert throttle.attempt(client_key("198.51.100.1", f"s{n}"),
                                checker("y")).status == "wrong"
    assert pauses == [2.0, 4.0, 6.0]
    clock.now += 6
    assert throttle.attempt(client_key("198.51.100.1", "s12"), checker("y")).status == "wrong"
    assert pauses == [2.0, 4.0, 6.0, 2.0]
    clock.now += 60  # a new window: no limit, no pause
    assert throttle.attempt(client_key("198.51.100.1", "s0"), checker("z")).status == "wrong"
    assert pauses == [2.0, 4.0, 6.0, 2.0]


def test_lockout_is_logged_with_the_client_never_the_password(store, caplog):
    clock = FakeClock()
    throttle = Throttle(store, max_failures=2, lock_s=600, delay_s=0, clock=clock)
    secret_guess = "hunter2-guess"
    with caplog.at_level(logging.WARNING, logger="maaor.auth"):
        throttle.attempt(ATTACKER, checker(secret_guess))
        assert not caplog.records
        assert throttle.attempt(ATTACKER, checker(secret_guess)).status == "locked"
    [record] = caplog.records
    assert record.levelno == logging.WARNING and record.name == "maaor.auth"
    assert ATTACKER in record.getMessage()
    assert "unlock --client 198.51.100.66" in record.getMessage()
    assert secret_guess not in record.getMessage()
    entry = store.audit_log(1)[0]
    assert (entry.action, entry.who) == ("signin_locked", ATTACKER)
    assert secret_guess not in entry.detail


def test_unlock_one_address_or_every_client(store):
    clock = FakeClock()
    throttle = Throttle(store, max_failures=1, lock_s=900, delay_s=0, global_per_minute=0,
                        clock=clock)
    keys = [client_key("198.51.100.9", "a"), client_key("198.51.100.9", "b"),
            client_key("198.51.100.90", "c"), client_key("203.0.113.7", "d")]
    for key in keys:
        assert throttle.attempt(key, checker("x")).status == "locked"
    assert [c.key for c in store.signin_clients()] == sorted(keys)
    assert all(c.locked_until is not None for c in store.signin_clients())
    # An address clears its own sessions only (not 198.51.100.90).
    assert store.unlock_signin("198.51.100.9", by="ops") == keys[:2]
    assert throttle.attempt(keys[0], checker(PASSWORD)).status == "ok"
    assert throttle.attempt(keys[2], checker(PASSWORD)).status == "locked"
    assert store.unlock_signin(keys[2], by="ops") == [keys[2]]
    assert store.unlock_signin(None, by="ops") == [keys[3]]
    assert store.signin_clients() == []
    assert store.signin_state(GLOBAL_KEY) == (0, None)
    assert [e.action for e in store.audit_log(3)] == ["signin_unlocked"] * 3


def test_100_parallel_fresh_sessions_are_queued_past_the_global_limit(make_store_url):
    """A guesser opening a new session for every guess: past the global limit the
    checks are spaced 2 s apart server-wide, each in its own slot (counted atomically)."""
    url = make_store_url()
    stores = [Store.open(url, busy_timeout_ms=30_000) for _ in range(4)]
    clock = FakeClock()
    pauses: list[float] = []
    outcomes: list[str] = []
    start = threading.Barrier(100)

    def guess(i: int) -> None:
        throttle = Throttle(stores[i % 4], max_failures=5, lock_s=900, delay_s=0,
                            global_per_minute=10, clock=clock, sleep=pauses.append)
        start.wait()
        outcomes.append(throttle.attempt(client_key("198.51.100.1", f"s{i}"),
                                         checker("guess")).status)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(100)]
    try:
        for th in threads:
            th.start()
        for th in threads:
            th.join(120)
        assert outcomes == ["wrong"] * 100  # nobody refused: each was a fresh client
        assert sorted(pauses) == [2.0 * n for n in range(1, 91)]  # 10 free, 90 queued
    finally:
        for st in stores:
            st.close()

"""Sign-in throttling kept in the store, shared by every app process.

Each client (a key naming its source address and browser session) has one row of
``signin_failures``: wrong guesses in a row, the time before which it may not guess
again (a delay that grows with each wrong guess) and, after too many, the time until
which it is locked out. One more row, :data:`GLOBAL_KEY`, counts guesses from every
client in a short window.

A guess is COUNTED BEFORE the password is checked (:meth:`AccessStore.begin_signin_attempt`),
in one transaction that locks the client's row and the global row (``BEGIN IMMEDIATE``
on SQLite, ``SELECT ... FOR UPDATE`` on PostgreSQL): however many guesses arrive at
once, at most ``max_failures`` of them are ever checked before the lock-out. A right
password then clears the client's row (:meth:`AccessStore.clear_signin_failures`).

The global limit never refuses a client that has not failed: past the limit, a client
with wrong guesses waits for the window to end, and fresh clients are checked one at a
time, ``global_pause_s`` apart server-wide (the global row's ``not_before`` is the end of
that queue), so guessing from many fresh sessions in parallel is slowed to one check per
pause without locking anyone out; under such a flood the real coordinator waits in the
same queue, but is never refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from maaor.store import tables as s
from maaor.store.audit import write_audit
from maaor.store.base import StoreBase
from maaor.store.times import from_db_time, to_db_time, utc_now

GLOBAL_KEY = "*all clients*"


@dataclass(frozen=True)
class SigninPolicy:
    """The throttle's rules.

    Attributes:
        max_failures: wrong guesses in a row that lock a client out.
        lock_s: how long a locked-out client stays locked, in seconds.
        delay_s: the wait after a client's first wrong guess; it doubles after each
            further one (1, 2, 4, ... times ``delay_s``), up to ``max_delay_s``.
        max_delay_s: the longest wait between two guesses of one client.
        global_limit: guesses from all clients in one window before the global limit
            applies (0: no global limit).
        global_window_s: length of that window, in seconds.
        global_pause_s: while the global limit applies, the spacing between two checks
            of fresh clients' guesses, server-wide.
    """

    max_failures: int = 5
    lock_s: float = 15 * 60
    delay_s: float = 1.0
    max_delay_s: float = 60.0
    global_limit: int = 30
    global_window_s: float = 60.0
    global_pause_s: float = 2.0

    def delay_after(self, failures: int) -> float:
        """Return the wait imposed after ``failures`` wrong guesses in a row."""
        if failures < 1 or self.delay_s <= 0:
            return 0.0
        return min(self.delay_s * 2 ** (failures - 1), self.max_delay_s)


@dataclass(frozen=True)
class SigninGate:
    """The answer to "may this client guess now?".

    Attributes:
        allowed: the guess was counted and may be checked now.
        reason: when refused: "locked" (too many wrong guesses), "wait" (the delay
            after the last wrong guess), "slowed" (the global limit); "" when allowed.
        wait_s: seconds before the client may guess again (0 when allowed).
        attempt: which guess in a row this is (1 for the first), when allowed.
        attempts_left: guesses left before the lock-out if this one is wrong.
        pause_s: when allowed, the pause to make before checking (the guess's place
            in the global queue while the global limit applies).
    """

    allowed: bool
    reason: str = ""
    wait_s: float = 0.0
    attempt: int = 0
    attempts_left: int = 0
    pause_s: float = 0.0


@dataclass(frozen=True)
class SigninClient:
    """One client's row of the throttle (for ``maaor unlock``)."""

    key: str
    failures: int
    first_at: dt.datetime | None
    locked_until: dt.datetime | None
    not_before: dt.datetime | None


def _seconds(later: dt.datetime | None, now: dt.datetime) -> float:
    if later is None:
        return 0.0
    return max(0.0, (later - now).total_seconds())


class AccessStore(StoreBase):
    """Counting, checking and clearing wrong sign-in guesses."""

    def _locked_row(self, conn: sa.Connection, key: str, db_now: dt.datetime):
        """Return the row of ``key`` locked for this transaction (created if missing)."""
        t = s.signin_failures
        if self.backend == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        conn.execute(insert(t).values(key=key, failures=0, first_at=db_now)
                     .on_conflict_do_nothing(index_elements=["key"]))
        query = sa.select(t).where(t.c.key == key)
        if self.backend != "sqlite":  # SQLite: BEGIN IMMEDIATE already excludes writers
            query = query.with_for_update()
        return conn.execute(query).mappings().one()

    def begin_signin_attempt(self, key: str, policy: SigninPolicy, *,
                             now: dt.datetime | None = None) -> SigninGate:
        """Count one guess of ``key`` as wrong unless refused, atomically.

        The caller checks the password only when the gate is ``allowed``; a right
        password must then call :meth:`clear_signin_failures`. Counting first is what
        bounds parallel guesses: a guess that is never counted is never checked.

        Args:
            key: the client (see ``maaor.auth.client_key``); not :data:`GLOBAL_KEY`.
            policy: the throttle's rules.
            now: the current time (tests pass a fake clock's).
        """
        now = now or utc_now()
        db_now = to_db_time(now)
        t = s.signin_failures
        with self._write(lock_current=False) as (conn, _):
            row = self._locked_row(conn, key, db_now)
            glob = self._locked_row(conn, GLOBAL_KEY, db_now)
            failures = int(row["failures"])
            locked = from_db_time(row["locked_until"])
            if locked is not None and locked <= now:
                failures, locked = 0, None  # the lock has run out: a new count
            if locked is not None:
                return SigninGate(False, "locked", _seconds(locked, now))
            not_before = from_db_time(row["not_before"])
            if not_before is not None and not_before > now:
                return SigninGate(False, "wait", _seconds(not_before, now),
                                  attempts_left=policy.max_failures - failures)
            window_start = from_db_time(glob["first_at"])
            recent = int(glob["failures"])
            window_end = window_start + dt.timedelta(seconds=policy.global_window_s)
            if window_end <= now:
                recent, window_start = 0, now
                window_end = now + dt.timedelta(seconds=policy.global_window_s)
            busy = policy.global_limit > 0 and recent >= policy.global_limit
            if busy and failures > 0:
                return SigninGate(False, "slowed", _seconds(window_end, now),
                                  attempts_left=policy.max_failures - failures)
            pause, queue_end = 0.0, glob["not_before"]
            if busy:
                # Fresh clients are checked one after another, global_pause_s apart,
                # server-wide: parallel sessions cannot go faster than the queue.
                queued = from_db_time(glob["not_before"])
                slot = max(now, queued or now) + dt.timedelta(seconds=policy.global_pause_s)
                pause, queue_end = _seconds(slot, now), to_db_time(slot)
            failures += 1
            lock = (now + dt.timedelta(seconds=policy.lock_s)
                    if failures >= policy.max_failures else None)
            wait = policy.delay_after(failures)
            conn.execute(t.update().where(t.c.key == key).values(
                failures=failures,
                first_at=db_now if failures == 1 else row["first_at"],
                locked_until=None if lock is None else to_db_time(lock),
                not_before=to_db_time(now + dt.timedelta(seconds=wait)) if wait else None,
            ))
            conn.execute(t.update().where(t.c.key == GLOBAL_KEY).values(
                failures=recent + 1, first_at=to_db_time(window_start),
                not_before=queue_end,
            ))
        return SigninGate(True, attempt=failures,
                          attempts_left=max(0, policy.max_failures - failures),
                          pause_s=pause)

    def signin_state(self, key: str) -> tuple[int, dt.datetime | None]:
        """Return (failures in a row, locked until) for a sign-in key."""
        with self._read() as conn:
            row = conn.execute(
                sa.select(s.signin_failures.c.failures, s.signin_failures.c.locked_until)
                .where(s.signin_failures.c.key == key)
            ).first()
        if row is None:
            return 0, None
        return int(row[0]), from_db_time(row[1])

    def signin_wait(self, key: str, *, now: dt.datetime | None = None) -> tuple[str, float]:
        """Return why and for how long ``key`` may not guess now: ("locked", s),
        ("wait", s), or ("", 0) when it may."""
        now = now or utc_now()
        with self._read() as conn:
            row = conn.execute(
                sa.select(s.signin_failures.c.locked_until, s.signin_failures.c.not_before)
                .where(s.signin_failures.c.key == key)
            ).first()
        if row is None:
            return "", 0.0
        locked, not_before = from_db_time(row[0]), from_db_time(row[1])
        if locked is not None and locked > now:
            return "locked", _seconds(locked, now)
        if locked is None and not_before is not None and not_before > now:
            return "wait", _seconds(not_before, now)
        return "", 0.0

    def record_signin_failure(self, key: str, *, max_failures: int, lock_s: float,
                              now: dt.datetime | None = None,
                              delay_s: float = 0.0) -> dt.datetime | None:
        """Count a wrong password for ``key``; lock sign-in after ``max_failures``.

        A failure after an expired lock starts a new count. (Guesses checked through
        :meth:`begin_signin_attempt` are already counted: do not count them again.)

        Args:
            key: the client.
            max_failures: wrong passwords in a row that lock it out.
            lock_s: how long the lock-out lasts.
            now: the current time.
            delay_s: the wait before the next guess after this failure.

        Returns:
            The time until which sign-in is locked, or None when not locked.
        """
        now = now or utc_now()
        db_now = to_db_time(now)
        t = s.signin_failures
        with self._write() as (conn, _):
            row = conn.execute(
                sa.select(t.c.failures, t.c.locked_until).where(t.c.key == key)
            ).first()
            failures = 0
            if row is not None and (row[1] is None or row[1] > db_now):
                failures = int(row[0])
            failures += 1
            locked = now + dt.timedelta(seconds=lock_s) if failures >= max_failures else None
            values = {
                "failures": failures,
                "locked_until": None if locked is None else to_db_time(locked),
                "not_before": to_db_time(now + dt.timedelta(seconds=delay_s))
                if delay_s > 0 else None,
            }
            if row is None:
                conn.execute(t.insert().values(key=key, first_at=db_now, **values))
            else:
                conn.execute(t.update().where(t.c.key == key).values(**values))
            if locked is not None:
                write_audit(conn, key, "signin_locked",
                            f"{failures} wrong passwords; locked until "
                            f"{locked.isoformat(timespec='seconds')}", at=now)
        return locked

    def record_signin_lockout(self, key: str, failures: int, until: dt.datetime | None,
                              *, now: dt.datetime | None = None) -> None:
        """Write the audit entry of a lock-out decided by :meth:`begin_signin_attempt`."""
        when = until.isoformat(timespec="seconds") if until else "?"
        with self._write(lock_current=False) as (conn, _):
            write_audit(conn, key, "signin_locked",
                        f"{failures} wrong passwords; locked until {when}", at=now)

    def clear_signin_failures(self, key: str) -> None:
        """Forget the failures of ``key`` (after a successful sign-in)."""
        with self._write(lock_current=False) as (conn, _):
            conn.execute(s.signin_failures.delete().where(s.signin_failures.c.key == key))

    def signin_clients(self) -> list[SigninClient]:
        """Return every client with wrong guesses on record, most failures first."""
        t = s.signin_failures
        with self._read() as conn:
            rows = conn.execute(
                sa.select(t).where((t.c.key != GLOBAL_KEY) & (t.c.failures > 0))
                .order_by(t.c.failures.desc(), t.c.key)
            ).mappings().all()
        return [
            SigninClient(r["key"], int(r["failures"]), from_db_time(r["first_at"]),
                         from_db_time(r["locked_until"]), from_db_time(r["not_before"]))
            for r in rows
        ]

    def unlock_signin(self, client: str | None = None, *, by: str) -> list[str]:
        """Forget wrong guesses so sign-in works again; return the keys cleared.

        Args:
            client: a client key as logged (``ADDRESS/SESSION``), or an address alone
                (every session of that address); None clears every client and the
                global count.
            by: who unlocks (audited).
        """
        t = s.signin_failures
        with self._write(lock_current=False) as (conn, _):
            if client is None:
                where = sa.true()
            else:
                where = (t.c.key == client) | t.c.key.startswith(client + "/", autoescape=True)
            keys = conn.execute(sa.select(t.c.key).where(where)).scalars().all()
            cleared = [k for k in keys if k != GLOBAL_KEY]
            conn.execute(t.delete().where(where))
            write_audit(conn, by, "signin_unlocked",
                        "every client" if client is None
                        else f"{client}: {len(cleared)} key(s)")
        return sorted(cleared)

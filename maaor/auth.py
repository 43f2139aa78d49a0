"""Coordinator password: hashing, checking, and throttling wrong guesses (no streamlit).

Throttling is per client (source address and browser session, :func:`client_key`):
one client's wrong guesses never refuse another client's right password. A lock-out
is logged on ``maaor.auth`` (WARNING, with the client key, never the password) and
lifted with ``python -m maaor unlock``.

Hashes are ``scrypt$n$r$p$salt_b64$hash_b64`` (made here) or Django-style
``pbkdf2_sha256$iterations$salt$hash_b64`` (accepted, so an existing hash can be reused).
Make one with ``python -m maaor.auth hash``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import getpass
import hashlib
import hmac
import ipaddress
import logging
import secrets as _secrets
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from maaor.logs import log_event

if TYPE_CHECKING:
    from maaor.store import Store

HASH_ENV = "MAAOR_COORDINATOR_PASSWORD_HASH"

_log = logging.getLogger("maaor.auth")

SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
_SCRYPT_DKLEN = 32
# Bounds on parameters read from a stored hash, so a bad hash cannot exhaust memory.
_SCRYPT_MAX_MEM = 256 * 1024 * 1024
_PBKDF2_MAX_ITERATIONS = 10_000_000


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def hash_password(password: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R,
                  p: int = SCRYPT_P) -> str:
    """Return an scrypt hash of ``password`` with a random 16-byte salt.

    The result reads ``scrypt$n$r$p$salt_b64$hash_b64``.

    Raises:
        ValueError: the password is empty.
    """
    if not password:
        raise ValueError("the password must not be empty")
    salt = _secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p,
                            maxmem=_SCRYPT_MAX_MEM, dklen=_SCRYPT_DKLEN)
    return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(digest)}"


# Hashes that were shipped in example files: their passwords are public.
KNOWN_EXAMPLE_HASHES = frozenset({
    "scrypt$32768$8$1$S9iqagcmQ6WAw4ynmT4zkA==$FRAjIr4f9xJ2thZxfgGdFv/BFANmvNlv6zzCQNCje0I=",
})
# Passwords printed in examples and documentation: a hash of any of them is refused,
# whatever its salt (someone may have hashed the example password anew).
KNOWN_EXAMPLE_PASSWORDS = ("example-password-replace-me",)
_HOW_TO_SET = ("make your own with `python -m maaor hash-password` and set it in "
               "MAAOR_COORDINATOR_PASSWORD_HASH or in .streamlit/secrets.toml under "
               "[coordinator] password_hash")


@functools.lru_cache(maxsize=8)
def _is_example_password_hash(encoded: str) -> bool:
    # Cached: the check costs one scrypt per example password, once per configured hash.
    return any(verify_password(p, encoded) for p in KNOWN_EXAMPLE_PASSWORDS)


def hash_problem(encoded: str | None) -> str | None:
    """Return why ``encoded`` is not a usable password hash, or None when it is.

    Besides damaged or unknown formats, a hash shipped in an example file, or any hash
    of a password printed in the examples, is refused: its password is public. The
    message then says how to set a hash of one's own.
    """
    if not encoded or not encoded.strip():
        return "no coordinator password hash is configured; " + _HOW_TO_SET
    problem = _format_problem(encoded)
    if problem is None and (encoded.strip() in KNOWN_EXAMPLE_HASHES
                            or _is_example_password_hash(encoded.strip())):
        return ("the configured hash is an example whose password is public; " + _HOW_TO_SET)
    return problem


def _format_problem(encoded: str) -> str | None:
    parts = encoded.strip().split("$")
    try:
        if parts[0] == "scrypt" and len(parts) == 6:
            n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
            if n < 2 or n & (n - 1) or r < 1 or p < 1 or 128 * n * r * p > _SCRYPT_MAX_MEM:
                return "the scrypt parameters of the password hash are out of range"
            _unb64(parts[4])
            if not _unb64(parts[5]):
                return "the password hash has an empty digest"
            return None
        if parts[0] == "pbkdf2_sha256" and len(parts) == 4:
            iterations = int(parts[1])
            if not 1 <= iterations <= _PBKDF2_MAX_ITERATIONS:
                return "the pbkdf2 iteration count of the password hash is out of range"
            if not _unb64(parts[3]):
                return "the password hash has an empty digest"
            return None
    except (ValueError, binascii.Error):
        return "the password hash is damaged (a number or base64 part does not decode)"
    return ("the password hash is not in a known format "
            "(expected scrypt$n$r$p$salt$hash or pbkdf2_sha256$iterations$salt$hash)")


def verify_password(password: str, encoded: str | None) -> bool:
    """Return True when ``password`` matches ``encoded`` (constant-time comparison).

    An empty, unknown or damaged hash never matches.
    """
    if not encoded or _format_problem(encoded) is not None or password is None:
        return False
    parts = encoded.strip().split("$")
    secret = password.encode("utf-8")
    if parts[0] == "scrypt":
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        expected = _unb64(parts[5])
        actual = hashlib.scrypt(secret, salt=_unb64(parts[4]), n=n, r=r, p=p,
                                maxmem=_SCRYPT_MAX_MEM, dklen=len(expected))
    else:
        # Django's layout: the salt is used as its text, the digest is base64.
        expected = _unb64(parts[3])
        actual = hashlib.pbkdf2_hmac("sha256", secret, parts[2].encode("utf-8"),
                                     int(parts[1]), dklen=len(expected))
    return hmac.compare_digest(actual, expected)


def configured_hash(secrets: Mapping | None = None,
                    env: Mapping[str, str] | None = None) -> str | None:
    """Return the coordinator password hash, or None when none is configured.

    The environment variable ``MAAOR_COORDINATOR_PASSWORD_HASH`` wins over
    ``secrets["coordinator"]["password_hash"]`` (e.g. Streamlit's ``st.secrets``).
    """
    from maaor import config

    return config.coordinator_password_hash(secrets, env)


def client_address(peer: str | None, forwarded_for: str | None,
                   trusted_proxies: Sequence[str] = ()) -> str:
    """Return the address of the client a request comes from.

    ``X-Forwarded-For`` is believed only when the request comes from a trusted proxy:
    read from the right, each hop added by a trusted proxy is skipped and the first
    other address is the client (anything further left was written by the client and
    proves nothing). Otherwise the peer address is the client.

    Args:
        peer: the address of the connection as the server sees it; None means loopback
            (Streamlit's ``st.context.ip_address`` gives None for 127.0.0.1 and ::1).
        forwarded_for: the ``X-Forwarded-For`` header, if any.
        trusted_proxies: addresses or networks of the reverse proxies in front.
    """
    networks = [ipaddress.ip_network(n, strict=False) for n in trusted_proxies]

    def parsed(text: str | None):
        try:
            return ipaddress.ip_address((text or "").strip().strip("[]"))
        except ValueError:
            return None

    peer_ip = parsed(peer) if peer is not None else ipaddress.ip_address("127.0.0.1")
    if peer_ip is None:
        return "unknown"

    def trusted(ip) -> bool:
        return any(ip.version == n.version and ip in n for n in networks)

    client = peer_ip
    if trusted(peer_ip) and forwarded_for:
        for hop in reversed(forwarded_for.split(",")):
            ip = parsed(hop)
            if ip is None:
                break  # a damaged hop: keep the last address a trusted proxy vouched for
            client = ip
            if not trusted(ip):
                break
    return str(client)


def client_key(address: str, session: str) -> str:
    """Return the throttle key of one client: ``ADDRESS/SESSION``.

    ``session`` is a random token kept in the browser session (never the Streamlit
    session id, which is a credential); ``maaor unlock --client ADDRESS`` clears every
    session of an address.
    """
    return f"{address}/{session}"


@dataclass(frozen=True)
class SigninAttempt:
    """The outcome of one password guess through :meth:`Throttle.attempt`.

    Attributes:
        status: "ok" (right password), "wrong", or a refusal without checking:
            "locked" (too many wrong guesses), "wait" (the delay after the last wrong
            guess has not passed), "slowed" (too many guesses on this server).
        wait_s: seconds before this client may guess again (0 when it may now).
        attempts_left: wrong guesses this client may still make before the lock-out.
    """

    status: str
    wait_s: float = 0.0
    attempts_left: int = 0


class Throttle:
    """Slows and then locks sign-in for a client after wrong passwords.

    Keys name the client trying (see :func:`client_key`). Each wrong guess makes the
    client wait longer before the next one (``delay_s``, doubling), and
    ``max_failures`` in a row lock it out for ``lock_s``; other clients are not
    affected. Backed by a :class:`maaor.store.Store`, the counts live in the database,
    are shared by every app process and are counted atomically before the password is
    checked; without a store they live in this object (one process), with the same
    per-client rules and no global limit.

    Args:
        store: the store that keeps the counts, or None for in-memory counts.
        max_failures: wrong passwords in a row that lock sign-in.
        lock_s: how long sign-in stays locked, in seconds.
        delay_s: the wait after a first wrong password (then 2x, 4x, ... up to 60 s).
        global_per_minute: guesses per minute from all clients before the global limit
            slows guessing (0: none; store-backed only).
        clock: returns the current time in seconds since the epoch (tests pass a fake).
        sleep: pauses (tests pass a fake).
    """

    def __init__(self, store: Store | None = None, *, max_failures: int | None = None,
                 lock_s: float | None = None, delay_s: float | None = None,
                 global_per_minute: int | None = None,
                 clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        from maaor import config
        from maaor.store.access import SigninPolicy

        if None in (max_failures, lock_s, delay_s, global_per_minute):
            cfg = config.settings()
            max_failures = cfg.signin_max_failures if max_failures is None else max_failures
            lock_s = cfg.signin_lock_s if lock_s is None else lock_s
            delay_s = cfg.signin_delay_s if delay_s is None else delay_s
            if global_per_minute is None:
                global_per_minute = cfg.signin_global_per_minute
        if max_failures < 1:
            raise ValueError("max_failures must be at least 1")
        self.store = store
        self.max_failures = max_failures
        self.lock_s = lock_s
        self.policy = SigninPolicy(max_failures=max_failures, lock_s=lock_s,
                                   delay_s=delay_s, global_limit=global_per_minute)
        self.clock = clock
        self.sleep = sleep
        self._memory: dict[str, tuple[int, float | None, float | None]] = {}
        self._memory_lock = threading.Lock()

    def _now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.clock(), dt.UTC)

    def _memory_wait(self, key: str) -> tuple[str, float]:
        _, locked_until, not_before = self._memory.get(key, (0, None, None))
        now = self.clock()
        if locked_until is not None:
            return ("locked", locked_until - now) if locked_until > now else ("", 0.0)
        if not_before is not None and not_before > now:
            return "wait", not_before - now
        return "", 0.0

    def check(self, key: str) -> tuple[bool, float]:
        """Return (sign-in allowed, seconds until it is allowed again)."""
        if self.store is not None:
            reason, wait = self.store.signin_wait(key, now=self._now())
        else:
            reason, wait = self._memory_wait(key)
        return (True, 0.0) if not reason else (False, wait)

    def _memory_failure(self, key: str) -> int:
        now = self.clock()
        failures, locked_until, _ = self._memory.get(key, (0, None, None))
        if locked_until is not None and locked_until <= now:
            failures = 0
        failures += 1
        locked = now + self.lock_s if failures >= self.max_failures else None
        delay = self.policy.delay_after(failures)
        self._memory[key] = (failures, locked, now + delay if delay else None)
        return failures

    def record_failure(self, key: str) -> tuple[bool, float]:
        """Count a wrong password; return what :meth:`check` now says."""
        if self.store is not None:
            failures = self.store.signin_state(key)[0]
            locked = self.store.record_signin_failure(
                key, max_failures=self.max_failures, lock_s=self.lock_s, now=self._now(),
                delay_s=self.policy.delay_after(failures + 1))
            if locked is not None:
                _log_lockout(key, self.max_failures, locked)
            return self.check(key)
        with self._memory_lock:
            self._memory_failure(key)
        return self.check(key)

    def record_success(self, key: str) -> None:
        """Forget the failures of ``key`` after a correct password."""
        if self.store is not None:
            self.store.clear_signin_failures(key)
        with self._memory_lock:
            self._memory.pop(key, None)

    def _begin(self, key: str):
        from maaor.store.access import SigninGate

        if self.store is not None:
            return self.store.begin_signin_attempt(key, self.policy, now=self._now())
        with self._memory_lock:
            reason, wait = self._memory_wait(key)
            failures = self._memory.get(key, (0, None, None))[0]
            if reason:
                left = 0 if reason == "locked" else self.max_failures - failures
                return SigninGate(False, reason, wait, attempts_left=left)
            failures = self._memory_failure(key)
            return SigninGate(True, attempt=failures,
                              attempts_left=max(0, self.max_failures - failures))

    def attempt(self, key: str, verify: Callable[[], bool]) -> SigninAttempt:
        """Count a guess of ``key`` and, if it may be checked now, check it.

        The guess is counted as wrong BEFORE ``verify`` runs (atomically in the store)
        and forgotten again when ``verify`` says the password is right, so parallel
        guesses never get more than ``max_failures`` checks.

        Args:
            key: the client (see :func:`client_key`).
            verify: checks the password; called at most once, only when allowed.
        """
        gate = self._begin(key)
        if not gate.allowed:
            log_event(_log, f"signin_refused_{gate.reason}",
                      f"sign-in refused for client {key}: {gate.reason} (password not checked)",
                      level=logging.WARNING, client=key, seconds_left=round(gate.wait_s))
            return SigninAttempt(gate.reason, gate.wait_s, gate.attempts_left)
        if gate.pause_s > 0:  # the global limit applies: slow this fresh client down
            self.sleep(gate.pause_s)
        if verify():
            self.record_success(key)
            return SigninAttempt("ok", 0.0, self.max_failures)
        if gate.attempts_left == 0:
            until = self._now() + dt.timedelta(seconds=self.lock_s)
            _log_lockout(key, gate.attempt, until)
            if self.store is not None:
                self.store.record_signin_lockout(key, gate.attempt, until, now=self._now())
            return SigninAttempt("locked", float(self.lock_s), 0)
        # The client key and the count only: never the password tried.
        # INFO: one wrong password is ordinary; the lock-out below is the WARNING.
        log_event(_log, "signin_failed", f"wrong coordinator password from client {key}",
                  level=logging.INFO, client=key, attempts_left=gate.attempts_left)
        return SigninAttempt("wrong", self.policy.delay_after(gate.attempt),
                             gate.attempts_left)


def _log_lockout(key: str, failures: int, until: dt.datetime) -> None:
    # The client key and the count only: never the password tried.
    seconds_left = max(0, round((until - dt.datetime.now(dt.UTC)).total_seconds()))
    log_event(_log, "signin_locked",
              f"sign-in locked for client {key} after {failures} wrong passwords, until "
              f"{until.isoformat(timespec='seconds')} (python -m maaor unlock --client "
              f"{key.split('/', 1)[0]})",
              level=logging.WARNING, client=key, failures=failures, seconds_left=seconds_left)


def hash_command(stdin: IO[str] | None = None, stdout: IO[str] | None = None,
                 stderr: IO[str] | None = None) -> int:
    """Ask for a password (twice on a terminal, one line from a pipe); print its hash.

    Returns:
        The exit status: 0 on success, 1 when the passwords differ or are empty.
    """
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    if stdin.isatty():
        password = getpass.getpass("New coordinator password: ")
        if getpass.getpass("Type it again: ") != password:
            print("The two passwords differ; nothing was printed.", file=stderr)
            return 1
    else:
        password = stdin.readline().rstrip("\r\n")
    if not password:
        print("The password is empty; nothing was printed.", file=stderr)
        return 1
    print(hash_password(password), file=stdout)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m maaor.auth hash``."""
    args = sys.argv[1:] if argv is None else argv
    if args != ["hash"]:
        print("usage: python -m maaor.auth hash   (reads the password, prints its hash "
              "for MAAOR_COORDINATOR_PASSWORD_HASH or .streamlit/secrets.toml)",
              file=sys.stderr)
        return 2
    return hash_command()


if __name__ == "__main__":
    raise SystemExit(main())

"""Coordinator password: hashing, checking, and throttling wrong guesses (no streamlit).

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
import os
import secrets as _secrets
import sys
import time
from collections.abc import Callable, Mapping
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from maaor.store import Store

HASH_ENV = "MAAOR_COORDINATOR_PASSWORD_HASH"

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
    env = os.environ if env is None else env
    value = env.get(HASH_ENV, "").strip()
    if value:
        return value
    if secrets is None:
        return None
    try:
        section = secrets["coordinator"]
        value = section["password_hash"]
    except (KeyError, TypeError):
        return None
    value = str(value).strip() if value is not None else ""
    return value or None


class Throttle:
    """Locks sign-in for a key after too many wrong passwords in a row.

    Keys name who is trying, e.g. ``"coordinator"`` or ``"coordinator:<client id>"``.
    Backed by a :class:`maaor.store.Store`, the counts live in the database and are
    shared by every app process; without a store they live in this object only.

    Args:
        store: the store that keeps the counts, or None for in-memory counts.
        max_failures: wrong passwords in a row that lock sign-in.
        lock_s: how long sign-in stays locked, in seconds.
        clock: returns the current time in seconds since the epoch (tests pass a fake).
    """

    def __init__(self, store: Store | None = None, *, max_failures: int | None = None,
                 lock_s: float | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        from maaor import config

        if max_failures is None or lock_s is None:
            cfg = config.settings()
            max_failures = cfg.signin_max_failures if max_failures is None else max_failures
            lock_s = cfg.signin_lock_s if lock_s is None else lock_s
        if max_failures < 1:
            raise ValueError("max_failures must be at least 1")
        self.store = store
        self.max_failures = max_failures
        self.lock_s = lock_s
        self.clock = clock
        self._memory: dict[str, tuple[int, float | None]] = {}

    def _now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.clock(), dt.UTC)

    def check(self, key: str) -> tuple[bool, float]:
        """Return (sign-in allowed, seconds until it is allowed again)."""
        if self.store is not None:
            _, until = self.store.signin_state(key)
            locked_until = None if until is None else until.timestamp()
        else:
            locked_until = self._memory.get(key, (0, None))[1]
        if locked_until is None:
            return True, 0.0
        wait = locked_until - self.clock()
        return (True, 0.0) if wait <= 0 else (False, wait)

    def record_failure(self, key: str) -> tuple[bool, float]:
        """Count a wrong password; return what :meth:`check` now says."""
        if self.store is not None:
            self.store.record_signin_failure(key, max_failures=self.max_failures,
                                             lock_s=self.lock_s, now=self._now())
            return self.check(key)
        now = self.clock()
        failures, locked_until = self._memory.get(key, (0, None))
        if locked_until is not None and locked_until <= now:
            failures = 0
        failures += 1
        locked = now + self.lock_s if failures >= self.max_failures else None
        self._memory[key] = (failures, locked)
        return self.check(key)

    def record_success(self, key: str) -> None:
        """Forget the failures of ``key`` after a correct password."""
        if self.store is not None:
            self.store.clear_signin_failures(key)
        self._memory.pop(key, None)


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

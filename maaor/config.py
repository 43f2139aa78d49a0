"""Settings read from environment variables (one place, with plain errors).

Environment variables:
    MAAOR_DATABASE_URL: SQLAlchemy URL of the version store, e.g.
        ``postgresql://user@host:5432/db`` (rewritten to the psycopg 3 driver).
        Unset: a SQLite file (see MAAOR_SQLITE_PATH).
    MAAOR_SQLITE_PATH: SQLite file used when MAAOR_DATABASE_URL is unset
        (default ``var/maaor.sqlite`` under the repository root).
    MAAOR_BUSY_TIMEOUT_MS: how long a write waits for another writer's lock before
        giving up with "the data store is busy" (default 10000).
    MAAOR_PG_CONNECT_TIMEOUT_S: seconds before an unreachable PostgreSQL server counts
        as unavailable (default 5).
    MAAOR_SIGNIN_MAX_FAILURES: wrong passwords in a row that lock sign-in (default 5).
    MAAOR_SIGNIN_LOCK_MINUTES: how long sign-in stays locked after that (default 15).
    MAAOR_SIGNIN_DELAY_SECONDS: a client's wait after its first wrong password; it
        doubles after each further one, up to a minute (default 1; 0: no delay).
    MAAOR_SIGNIN_GLOBAL_PER_MINUTE: wrong-or-right guesses from all clients per minute
        before the global limit queues the checks of fresh clients 2 s apart and makes
        clients that have failed wait for the minute to end (default 30; 0: none).
    MAAOR_TRUSTED_PROXIES: comma-separated addresses or networks of reverse proxies
        whose ``X-Forwarded-For`` names the client (e.g. ``127.0.0.1`` behind the
        shipped nginx); unset: the header is ignored.
    MAAOR_COORDINATOR_PASSWORD_HASH: the coordinator password hash (see maaor.auth);
        read by ``maaor.auth.configured_hash``.
    MAAOR_MODE: "coordinator" (default: every page) or "viewer" (a public process of a
        scaled-out deployment: no Coordinator page; see deploy/cluster.py).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SQLITE_PATH = REPO_ROOT / "var" / "maaor.sqlite"


class ConfigError(ValueError):
    """A setting has a value the app cannot use; the message names the variable."""


def _int_setting(env: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {value}")
    return value


def normalise_database_url(url: str) -> str:
    """Return ``url`` with a bare PostgreSQL scheme rewritten to the psycopg 3 driver.

    ``postgresql://`` and ``postgres://`` become ``postgresql+psycopg://``; any other
    URL is returned unchanged.
    """
    url = url.strip()
    for scheme in ("postgresql://", "postgres://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme):]
    return url


def sqlite_url(path: str | Path) -> str:
    """Return the SQLAlchemy URL of a SQLite file, creating its folder."""
    p = Path(path).expanduser().resolve()
    p.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{p}"


@dataclass(frozen=True)
class Settings:
    """The app's settings.

    Attributes:
        database_url: SQLAlchemy URL of the version store (driver already chosen).
        busy_timeout_ms: wait for another writer's lock before "busy".
        pg_connect_timeout_s: wait for a PostgreSQL connection before "unavailable".
        signin_max_failures: wrong passwords in a row that lock sign-in.
        signin_lock_s: how long sign-in stays locked, in seconds.
        signin_delay_s: a client's wait after its first wrong password (doubling).
        signin_global_per_minute: guesses per minute from all clients before the
            global limit applies (0: none).
        trusted_proxies: networks of proxies whose ``X-Forwarded-For`` is believed.
    """

    database_url: str
    busy_timeout_ms: int = 10_000
    pg_connect_timeout_s: int = 5
    signin_max_failures: int = 5
    signin_lock_s: int = 15 * 60
    signin_delay_s: int = 1
    signin_global_per_minute: int = 30
    trusted_proxies: tuple[str, ...] = ()


def database_url(env: Mapping[str, str] | None = None) -> str:
    """Return the store URL from MAAOR_DATABASE_URL, else the SQLite file URL."""
    env = os.environ if env is None else env
    url = env.get("MAAOR_DATABASE_URL", "").strip()
    if url:
        return normalise_database_url(url)
    path = env.get("MAAOR_SQLITE_PATH", "").strip() or DEFAULT_SQLITE_PATH
    return sqlite_url(path)


def settings(env: Mapping[str, str] | None = None) -> Settings:
    """Return the settings read from ``env`` (default: the process environment).

    Raises:
        ConfigError: a variable holds an unusable value.
    """
    env = os.environ if env is None else env
    return Settings(
        database_url=database_url(env),
        busy_timeout_ms=_int_setting(env, "MAAOR_BUSY_TIMEOUT_MS", 10_000, 0),
        pg_connect_timeout_s=_int_setting(env, "MAAOR_PG_CONNECT_TIMEOUT_S", 5, 1),
        signin_max_failures=_int_setting(env, "MAAOR_SIGNIN_MAX_FAILURES", 5, 1),
        signin_lock_s=60 * _int_setting(env, "MAAOR_SIGNIN_LOCK_MINUTES", 15, 0),
        signin_delay_s=_int_setting(env, "MAAOR_SIGNIN_DELAY_SECONDS", 1, 0),
        signin_global_per_minute=_int_setting(env, "MAAOR_SIGNIN_GLOBAL_PER_MINUTE", 30, 0),
        trusted_proxies=_networks_setting(env, "MAAOR_TRUSTED_PROXIES"),
    )


def _networks_setting(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """Comma-separated IP addresses or networks, each checked and normalised."""
    import ipaddress

    out = []
    for part in env.get(name, "").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            out.append(str(ipaddress.ip_network(part, strict=False)))
        except ValueError:
            raise ConfigError(f"{name} must list IP addresses or networks separated by "
                              f"commas; {part!r} is neither") from None
    return tuple(out)


APP_MODES = ("coordinator", "viewer")


def app_mode(env: Mapping[str, str] | None = None) -> str:
    """Return the app mode from MAAOR_MODE: "viewer" or "coordinator" (the default).

    Raises:
        ConfigError: MAAOR_MODE holds another value.
    """
    env = os.environ if env is None else env
    mode = env.get("MAAOR_MODE", "").strip().lower() or "coordinator"
    if mode not in APP_MODES:
        raise ConfigError(f"MAAOR_MODE must be one of {', '.join(APP_MODES)}, not {mode!r}")
    return mode

"""Settings read from environment variables (one place, with plain errors).

Environment variables:
    MAAOR_DATABASE_URL: SQLAlchemy URL of the version store, e.g.
        ``postgresql://user@host:5432/db`` (rewritten to the psycopg 3 driver).
        Unset: a SQLite file (see MAAOR_SQLITE_PATH).
    MAAOR_SQLITE_PATH: SQLite file used when MAAOR_DATABASE_URL is unset
        (default ``var/maaor.sqlite`` under the checkout; for an installed package,
        under the directory the command runs in).
    MAAOR_BUSY_TIMEOUT_MS: how long a write waits for another writer's lock before
        giving up with "the data store is busy" (default 10000).
    MAAOR_PG_CONNECT_TIMEOUT_S: seconds before an unreachable PostgreSQL server counts
        as unavailable (default 5).
    MAAOR_SIGNIN_MAX_FAILURES: wrong passwords in a row that lock sign-in (default 5).
    MAAOR_SIGNIN_LOCK_MINUTES: how long sign-in stays locked after that (default 15).
    MAAOR_COORDINATOR_PASSWORD_HASH: the coordinator password hash (see maaor.auth);
        read by ``maaor.auth.configured_hash``.
    MAAOR_MODE: "coordinator" (default: every page) or "viewer" (a public process of a
        scaled-out deployment: no Coordinator page; see deploy/cluster.py).
    MAAOR_LOG_FORMAT: "text" (default) or "json" (one JSON object per line); see
        maaor.logs.
    MAAOR_LOG_LEVEL: DEBUG, INFO (default), WARNING or ERROR for maaor's own loggers.
    MAAOR_SLOW_PAGE_S: a page setup taking at least this many seconds is logged as slow
        (default 2).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from maaor.resources import INSTALLED

REPO_ROOT = Path(__file__).resolve().parents[1]
# Installed (site-packages is no place for data): relative, resolved when used.
DEFAULT_SQLITE_PATH = (Path("var") if INSTALLED else REPO_ROOT / "var") / "maaor.sqlite"


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
    """

    database_url: str
    busy_timeout_ms: int = 10_000
    pg_connect_timeout_s: int = 5
    signin_max_failures: int = 5
    signin_lock_s: int = 15 * 60


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
    )


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


LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def log_format(env: Mapping[str, str] | None = None) -> str:
    """Return the log format from MAAOR_LOG_FORMAT: "text" (the default) or "json".

    Raises:
        ConfigError: MAAOR_LOG_FORMAT holds another value.
    """
    env = os.environ if env is None else env
    value = env.get("MAAOR_LOG_FORMAT", "").strip().lower() or "text"
    if value not in LOG_FORMATS:
        raise ConfigError(f"MAAOR_LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, "
                          f"not {value!r}")
    return value


def log_level(env: Mapping[str, str] | None = None) -> str:
    """Return the level of maaor's loggers from MAAOR_LOG_LEVEL (default "INFO").

    Raises:
        ConfigError: MAAOR_LOG_LEVEL holds another value.
    """
    env = os.environ if env is None else env
    value = env.get("MAAOR_LOG_LEVEL", "").strip().upper() or "INFO"
    if value not in LOG_LEVELS:
        raise ConfigError(f"MAAOR_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, "
                          f"not {value!r}")
    return value


def slow_page_seconds(env: Mapping[str, str] | None = None) -> float:
    """Return MAAOR_SLOW_PAGE_S: page setups at least this long are logged (default 2).

    Raises:
        ConfigError: MAAOR_SLOW_PAGE_S is not a number of seconds above zero.
    """
    env = os.environ if env is None else env
    raw = env.get("MAAOR_SLOW_PAGE_S", "").strip()
    if not raw:
        return 2.0
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"MAAOR_SLOW_PAGE_S must be a number of seconds, not {raw!r}") from None
    if not value > 0:
        raise ConfigError(f"MAAOR_SLOW_PAGE_S must be above 0, not {raw!r}")
    return value

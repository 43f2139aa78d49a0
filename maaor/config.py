"""The app's settings: one :class:`Settings` object built from the environment (and,
for the coordinator password hash, Streamlit's secrets). Every ``MAAOR_*`` variable any
code of the repository reads is read here (``tests/test_config.py`` checks that no other
module reads one, and that each is documented in the README's configuration table):

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
    MAAOR_SIGNIN_DELAY_SECONDS: a client's wait after its first wrong password; it
        doubles after each further one, up to a minute (default 1; 0: no delay).
    MAAOR_SIGNIN_GLOBAL_PER_MINUTE: wrong-or-right guesses from all clients per minute
        before the global limit queues the checks of fresh clients 2 s apart and makes
        clients that have failed wait for the minute to end (default 30; 0: none).
    MAAOR_TRUSTED_PROXIES: comma-separated addresses or networks of reverse proxies
        whose ``X-Forwarded-For`` names the client (e.g. ``127.0.0.1`` behind the
        shipped nginx); unset: the header is ignored.
    MAAOR_COORDINATOR_PASSWORD_HASH: the coordinator password hash (see maaor.auth); wins
        over ``[coordinator] password_hash`` in ``.streamlit/secrets.toml``.
    MAAOR_MODE: "coordinator" (default: every page) or "viewer" (a public process of a
        scaled-out deployment: no Coordinator page; see deploy/cluster.py).
    MAAOR_PUBLIC_PRESENCE_LEVEL: how finely the public view shows presence: "point"
        (default), "admin2", "admin1" or "country" (another value counts as "point").
    MAAOR_BASEMAP_STYLE: an ``https://`` basemap style URL for the maps (default none:
        the maps draw the bundled boundaries and fetch nothing).
    MAAOR_MAX_UPLOAD_MB: per-file upload limit of the Coordinator page (default 25).
    MAAOR_TEST_DATABASE_URL: PostgreSQL server for the tests and benchmarks (default none).
    MAAOR_CHROMIUM: chromium binary of the browser benchmark (default /usr/bin/chromium).
    MAAOR_BENCH_DEBUG: non-empty: the browser benchmark lists its largest downloads.
    MAAOR_COORDINATOR_IDLE_MIN: minutes without use after which a coordinator's
        sign-in grant expires (default 30).
    MAAOR_UPLOAD_MAX_FILES / MAAOR_UPLOAD_BUDGET_MB: files and MB one signed-in session
        may hold in Streamlit's upload store (defaults 10 and 60).
    MAAOR_FRAME_ANCESTORS: viewer mode (``maaor serve`` and nginx): CSP frame-ancestors
        sources allowed to embed the public pages (default: own origin only).
    MAAOR_LOG_FORMAT: "text" (default) or "json" (one JSON object per line); see
        maaor.logs.
    MAAOR_LOG_LEVEL: DEBUG, INFO (default), WARNING or ERROR for maaor's own loggers.
    MAAOR_SLOW_PAGE_S: a page setup taking at least this many seconds is logged as slow
        (default 2).
    MAAOR_FIGURE_CACHE_DIR: where the dashboard processes of one machine share the
        figures they compute (default: a private directory per user and store in the
        system's temporary directory; "off": each process computes its own).

Variables read only by the test suite and CI (``tests/``, ``.ci/run``) are listed in
:data:`TEST_VARIABLES`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
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


PRESENCE_LEVELS = ("country", "admin1", "admin2", "point")
DEFAULT_PRESENCE_LEVEL = "point"
APP_MODES = ("coordinator", "viewer")
DEFAULT_MAX_UPLOAD_MB = 25
DEFAULT_CHROMIUM = "/usr/bin/chromium"

# Every variable of Settings -> the Settings attribute it sets.
VARIABLES: dict[str, str] = {
    "MAAOR_DATABASE_URL": "database_url",
    "MAAOR_SQLITE_PATH": "database_url",
    "MAAOR_BUSY_TIMEOUT_MS": "busy_timeout_ms",
    "MAAOR_PG_CONNECT_TIMEOUT_S": "pg_connect_timeout_s",
    "MAAOR_SIGNIN_MAX_FAILURES": "signin_max_failures",
    "MAAOR_SIGNIN_LOCK_MINUTES": "signin_lock_s",
    "MAAOR_SIGNIN_DELAY_SECONDS": "signin_delay_s",
    "MAAOR_SIGNIN_GLOBAL_PER_MINUTE": "signin_global_per_minute",
    "MAAOR_TRUSTED_PROXIES": "trusted_proxies",
    "MAAOR_COORDINATOR_PASSWORD_HASH": "coordinator_password_hash",
    "MAAOR_MODE": "mode",
    "MAAOR_PUBLIC_PRESENCE_LEVEL": "public_presence_level",
    "MAAOR_EXCHANGE_RATES": "exchange_rates",
    "MAAOR_BASEMAP_STYLE": "basemap_style",
    "MAAOR_MAX_UPLOAD_MB": "max_upload_mb",
    "MAAOR_TEST_DATABASE_URL": "test_database_url",
    "MAAOR_CHROMIUM": "chromium",
    "MAAOR_BENCH_DEBUG": "bench_debug",
    "MAAOR_COORDINATOR_IDLE_MIN": "coordinator_idle_min",
    "MAAOR_UPLOAD_MAX_FILES": "upload_max_files",
    "MAAOR_UPLOAD_BUDGET_MB": "upload_budget_mb",
    "MAAOR_FRAME_ANCESTORS": "frame_ancestors",
    "MAAOR_LOG_FORMAT": "log_format",
    "MAAOR_LOG_LEVEL": "log_level",
    "MAAOR_SLOW_PAGE_S": "slow_page_s",
    "MAAOR_FIGURE_CACHE_DIR": "figure_cache_dir",
}
# Variables read only by the test suite (tests/conftest.py) and CI (.ci/run).
TEST_VARIABLES: tuple[str, ...] = (
    "MAAOR_SHARED_DIR", "MAAOR_REQUIRE_ALL", "MAAOR_AUDIT_STRICT",
    # tests/cli_gate.py: holds concurrent CLI publishes at one point to race them
    "MAAOR_TEST_GATE", "MAAOR_TEST_GATE_PARTIES",
)


@dataclass(frozen=True)
class Settings:
    """Every setting of the app, its command line, its deployment and its benchmarks.

    Attributes:
        database_url: SQLAlchemy URL of the version store (driver already chosen).
        database_url_set: MAAOR_DATABASE_URL is set (a shared store, not the SQLite file).
        busy_timeout_ms: wait for another writer's lock before "busy".
        pg_connect_timeout_s: wait for a PostgreSQL connection before "unavailable".
        signin_max_failures: wrong passwords in a row that lock sign-in.
        signin_lock_s: how long sign-in stays locked, in seconds.
        signin_delay_s: a client's wait after its first wrong password (doubling).
        signin_global_per_minute: guesses per minute from all clients before the
            global limit applies (0: none).
        trusted_proxies: networks of proxies whose ``X-Forwarded-For`` is believed.
        coordinator_password_hash: the coordinator password hash, None when none is set.
        mode: "coordinator" or "viewer".
        public_presence_level: "point", "admin2", "admin1" or "country".
        basemap_style: an https basemap style URL, None for none.
        max_upload_mb: per-file upload limit of the Coordinator page, in MB.
        test_database_url: PostgreSQL server of tests and benchmarks ("" for none).
        chromium: chromium binary of the browser benchmark.
        bench_debug: the browser benchmark prints its largest downloads.
        coordinator_idle_min: minutes without use before a coordinator grant expires.
        upload_max_files: files one signed-in session may hold in Streamlit's upload store.
        upload_budget_mb: MB one signed-in session may hold there.
        frame_ancestors: viewer mode: who may frame the public pages ("" = own
            origin only).
        log_format: "text" or "json" (maaor.logs).
        log_level: level of maaor's own loggers.
        slow_page_s: a page setup at least this long is logged as slow.
        figure_cache_dir: where processes share computed figures; "" for the default
            directory, "off" for none.
        exchange_rates: path of the coordinator's exchange-rate CSV that overrides rows of
            the shipped table (``maaor.rates``), "" for the shipped table alone.
    """

    database_url: str
    database_url_set: bool = False
    busy_timeout_ms: int = 10_000
    pg_connect_timeout_s: int = 5
    signin_max_failures: int = 5
    signin_lock_s: int = 15 * 60
    signin_delay_s: int = 1
    signin_global_per_minute: int = 30
    trusted_proxies: tuple[str, ...] = ()
    coordinator_password_hash: str | None = None
    mode: str = "coordinator"
    public_presence_level: str = DEFAULT_PRESENCE_LEVEL
    basemap_style: str | None = None
    max_upload_mb: int = DEFAULT_MAX_UPLOAD_MB
    test_database_url: str = ""
    chromium: str = DEFAULT_CHROMIUM
    bench_debug: bool = False
    coordinator_idle_min: int = 30
    upload_max_files: int = 10
    upload_budget_mb: int = 60
    frame_ancestors: str = ""
    log_format: str = "text"
    log_level: str = "INFO"
    slow_page_s: float = 2.0
    figure_cache_dir: str = ""
    exchange_rates: str = ""


def _env(env: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if env is None else env


def database_url(env: Mapping[str, str] | None = None) -> str:
    """Return the store URL from MAAOR_DATABASE_URL, else the SQLite file URL."""
    env = _env(env)
    url = env.get("MAAOR_DATABASE_URL", "").strip()
    if url:
        return normalise_database_url(url)
    path = env.get("MAAOR_SQLITE_PATH", "").strip() or DEFAULT_SQLITE_PATH
    return sqlite_url(path)


def coordinator_password_hash(secrets: Mapping | None = None,
                              env: Mapping[str, str] | None = None) -> str | None:
    """Return the coordinator password hash, or None when none is configured.

    The environment variable ``MAAOR_COORDINATOR_PASSWORD_HASH`` wins over
    ``secrets["coordinator"]["password_hash"]`` (e.g. Streamlit's ``st.secrets``).
    """
    value = _env(env).get("MAAOR_COORDINATOR_PASSWORD_HASH", "").strip()
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


def app_mode(env: Mapping[str, str] | None = None) -> str:
    """Return the app mode from MAAOR_MODE: "viewer" or "coordinator" (the default).

    Raises:
        ConfigError: MAAOR_MODE holds another value.
    """
    mode = _env(env).get("MAAOR_MODE", "").strip().lower() or "coordinator"
    if mode not in APP_MODES:
        raise ConfigError(f"MAAOR_MODE must be one of {', '.join(APP_MODES)}, not {mode!r}")
    return mode


LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def _choice_setting(env: Mapping[str, str] | None, name: str, choices: tuple[str, ...],
                    default: str, fold=str.lower) -> str:
    """One of ``choices`` from variable ``name`` (case folded by ``fold``), else ``default``
    when unset.

    Raises:
        ConfigError: the variable holds another value.
    """
    value = fold(_env(env).get(name, "").strip()) or default
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def log_format(env: Mapping[str, str] | None = None) -> str:
    """Return the log format from MAAOR_LOG_FORMAT: "text" (the default) or "json".

    Raises:
        ConfigError: MAAOR_LOG_FORMAT holds another value.
    """
    return _choice_setting(env, "MAAOR_LOG_FORMAT", LOG_FORMATS, "text")


def log_level(env: Mapping[str, str] | None = None) -> str:
    """Return the level of maaor's loggers from MAAOR_LOG_LEVEL (default "INFO").

    Raises:
        ConfigError: MAAOR_LOG_LEVEL holds another value.
    """
    return _choice_setting(env, "MAAOR_LOG_LEVEL", LOG_LEVELS, "INFO", fold=str.upper)


def slow_page_seconds(env: Mapping[str, str] | None = None) -> float:
    """Return MAAOR_SLOW_PAGE_S: page setups at least this long are logged (default 2).

    Raises:
        ConfigError: MAAOR_SLOW_PAGE_S is not a number of seconds above zero.
    """
    env = _env(env)
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


def exchange_rates_file(env: Mapping[str, str] | None = None) -> str:
    """Return MAAOR_EXCHANGE_RATES: the path of a CSV of exchange rates (columns
    ``currency,year,usd_per_unit``) whose rows replace or add to the shipped annual
    averages of ``maaor/data/exchange_rates.csv``; "" when unset.

    Raises:
        ConfigError: the variable names a file that does not exist.
    """
    raw = _env(env).get("MAAOR_EXCHANGE_RATES", "").strip()
    if raw and not os.path.isfile(raw):
        raise ConfigError(f"MAAOR_EXCHANGE_RATES must name a CSV file of exchange rates; "
                          f"{raw!r} is not a file")
    return raw


def public_presence_level(env: Mapping[str, str] | None = None) -> str:
    """Return how finely the public view shows presence (``MAAOR_PUBLIC_PRESENCE_LEVEL``).

    "point" (default) shows the data as published (the map's admin-1 bubbles sit at the
    mean of the area's coordinates); "admin2" drops nothing the public view draws;
    "admin1" blanks admin-2 and coordinates, so the map shows countries and no bubbles;
    "country" also blanks admin-1. Set it where operators' sub-national locations are
    sensitive. An unknown value counts as "point".
    """
    level = _env(env).get("MAAOR_PUBLIC_PRESENCE_LEVEL", "").strip().lower()
    return level if level in PRESENCE_LEVELS else DEFAULT_PRESENCE_LEVEL


def basemap_style(env: Mapping[str, str] | None = None) -> str | None:
    """Return the online basemap style URL (``MAAOR_BASEMAP_STYLE``), None for none
    (anything but an ``https://`` URL counts as none)."""
    style = _env(env).get("MAAOR_BASEMAP_STYLE", "").strip()
    return style if style.startswith("https://") else None


def max_upload_mb(env: Mapping[str, str] | None = None) -> int:
    """Return the per-file upload limit in MB (``MAAOR_MAX_UPLOAD_MB``, default 25;
    anything but a positive whole number counts as the default)."""
    raw = _env(env).get("MAAOR_MAX_UPLOAD_MB", "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else DEFAULT_MAX_UPLOAD_MB


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


def settings(env: Mapping[str, str] | None = None, secrets: Mapping | None = None) -> Settings:
    """Return the settings read from ``env`` (default: the process environment).

    Args:
        env: the environment variables.
        secrets: Streamlit's secrets as a mapping (``maaor.ui.auth.secrets_mapping``),
            when the caller has them; only the coordinator password hash is read there.

    Raises:
        ConfigError: a variable holds an unusable value.
    """
    if env is None and secrets is None:
        # Read once per process environment and working directory (a page run asks
        # for settings many times; each read parsed every variable and made the SQLite
        # file's folder). A changed variable is a new key, so it is read again.
        return _process_settings(tuple(os.environ.items()), os.getcwd())
    return _read_settings(_env(env), secrets)


@lru_cache(maxsize=8)
def _process_settings(environ: tuple[tuple[str, str], ...], cwd: str) -> Settings:
    """:func:`settings` of the process environment ``environ`` in directory ``cwd``."""
    del cwd  # part of the key: a relative SQLite path resolves against it
    return _read_settings(dict(environ), None)


def _read_settings(env: Mapping[str, str], secrets: Mapping | None) -> Settings:
    """:func:`settings` read from ``env`` and ``secrets``."""
    return Settings(
        database_url=database_url(env),
        database_url_set=bool(env.get("MAAOR_DATABASE_URL", "").strip()),
        busy_timeout_ms=_int_setting(env, "MAAOR_BUSY_TIMEOUT_MS", 10_000, 0),
        pg_connect_timeout_s=_int_setting(env, "MAAOR_PG_CONNECT_TIMEOUT_S", 5, 1),
        signin_max_failures=_int_setting(env, "MAAOR_SIGNIN_MAX_FAILURES", 5, 1),
        signin_lock_s=60 * _int_setting(env, "MAAOR_SIGNIN_LOCK_MINUTES", 15, 0),
        signin_delay_s=_int_setting(env, "MAAOR_SIGNIN_DELAY_SECONDS", 1, 0),
        signin_global_per_minute=_int_setting(env, "MAAOR_SIGNIN_GLOBAL_PER_MINUTE", 30, 0),
        trusted_proxies=_networks_setting(env, "MAAOR_TRUSTED_PROXIES"),
        coordinator_password_hash=coordinator_password_hash(secrets, env),
        mode=app_mode(env),
        public_presence_level=public_presence_level(env),
        basemap_style=basemap_style(env),
        max_upload_mb=max_upload_mb(env),
        test_database_url=env.get("MAAOR_TEST_DATABASE_URL", "").strip(),
        chromium=env.get("MAAOR_CHROMIUM", "").strip() or DEFAULT_CHROMIUM,
        bench_debug=bool(env.get("MAAOR_BENCH_DEBUG", "").strip()),
        coordinator_idle_min=_int_setting(env, "MAAOR_COORDINATOR_IDLE_MIN", 30, 1),
        upload_max_files=_int_setting(env, "MAAOR_UPLOAD_MAX_FILES", 10, 0),
        upload_budget_mb=_int_setting(env, "MAAOR_UPLOAD_BUDGET_MB", 60, 0),
        frame_ancestors=env.get("MAAOR_FRAME_ANCESTORS", "").strip(),
        log_format=log_format(env),
        log_level=log_level(env),
        slow_page_s=slow_page_seconds(env),
        exchange_rates=exchange_rates_file(env),
        figure_cache_dir=env.get("MAAOR_FIGURE_CACHE_DIR", "").strip(),
    )

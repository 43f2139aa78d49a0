"""Tests of maaor.config: store URL and settings from environment variables."""

from __future__ import annotations

import pytest

from maaor.config import (
    DEFAULT_SQLITE_PATH,
    ConfigError,
    database_url,
    normalise_database_url,
    settings,
)


def test_postgresql_urls_get_the_psycopg_driver():
    assert (normalise_database_url("postgresql://u@h:5432/db")
            == "postgresql+psycopg://u@h:5432/db")
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert (normalise_database_url("postgresql+psycopg://u@h/db")
            == "postgresql+psycopg://u@h/db")
    assert normalise_database_url("sqlite:///x.sqlite") == "sqlite:///x.sqlite"


def test_database_url_prefers_env_then_sqlite_path(tmp_path):
    assert database_url({"MAAOR_DATABASE_URL": "postgresql://a@b/c"}) == \
        "postgresql+psycopg://a@b/c"
    target = tmp_path / "sub" / "m.sqlite"
    assert database_url({"MAAOR_SQLITE_PATH": str(target)}) == f"sqlite:///{target}"
    assert target.parent.is_dir()
    assert database_url({}) == f"sqlite:///{DEFAULT_SQLITE_PATH}"


def test_settings_defaults_and_overrides():
    base = {"MAAOR_DATABASE_URL": "sqlite:///x.sqlite"}
    cfg = settings(base)
    assert (cfg.busy_timeout_ms, cfg.pg_connect_timeout_s) == (10_000, 5)
    assert (cfg.signin_max_failures, cfg.signin_lock_s) == (5, 900)
    cfg = settings({**base, "MAAOR_SIGNIN_MAX_FAILURES": "3",
                    "MAAOR_SIGNIN_LOCK_MINUTES": "2", "MAAOR_BUSY_TIMEOUT_MS": " 250 "})
    assert (cfg.signin_max_failures, cfg.signin_lock_s, cfg.busy_timeout_ms) == (3, 120, 250)


@pytest.mark.parametrize(("name", "value", "message"), [
    ("MAAOR_SIGNIN_MAX_FAILURES", "five", "must be a whole number, not 'five'"),
    ("MAAOR_SIGNIN_MAX_FAILURES", "0", "must be at least 1, not 0"),
    ("MAAOR_BUSY_TIMEOUT_MS", "-1", "must be at least 0"),
])
def test_bad_settings_name_the_variable(name, value, message):
    with pytest.raises(ConfigError, match=f"{name} {message}"):
        settings({"MAAOR_DATABASE_URL": "sqlite:///x.sqlite", name: value})

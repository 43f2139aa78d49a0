"""Tests of maaor.config: one Settings object with every MAAOR_* variable, read in one
place and documented in the README."""

from __future__ import annotations

import ast
import dataclasses
import re

import pytest

from maaor import config
from maaor.config import (
    DEFAULT_SQLITE_PATH,
    ConfigError,
    database_url,
    normalise_database_url,
    settings,
)
from tests.paths import ROOT


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


# --------------------------------------------------------------------------------------
# One Settings object with every MAAOR_* variable, each documented (issue 9, item 5)
# --------------------------------------------------------------------------------------

_NAME = re.compile(r"\bMAAOR_[A-Z0-9_]+\b")
# Where the product's code lives (the tests may set and read their own variables).
_CODE = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")),
         *sorted((ROOT / "maaor").rglob("*.py")), *sorted((ROOT / "deploy").glob("*.py")),
         *sorted((ROOT / "bench").glob("*.py"))]


def _names_in(paths) -> set[str]:
    return {m for p in paths for m in _NAME.findall(p.read_text(encoding="utf-8"))}


def _readme_configuration() -> dict[str, tuple[str, str]]:
    """Rows of the README's configuration tables: variable -> (meaning, default)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and re.fullmatch(r"`MAAOR_[A-Z0-9_]+`", cells[0]):
            rows[cells[0].strip("`")] = (cells[1], cells[2])
    return rows


def test_every_variable_the_code_reads_is_a_setting():
    everywhere = _names_in([*_CODE, *sorted((ROOT / "tests").rglob("*.py")),
                            ROOT / ".ci" / "run"])
    known = set(config.VARIABLES) | set(config.TEST_VARIABLES)
    assert sorted(everywhere - known) == []
    # the product's code reads only Settings' variables (config.py also lists the tests')
    product = [p for p in _CODE if p != ROOT / "maaor" / "config.py"]
    assert sorted(_names_in(product) - set(config.VARIABLES)) == []
    fields = {f.name for f in dataclasses.fields(config.Settings)}
    assert set(config.VARIABLES.values()) - fields == set()
    # every field but the derived one comes from a variable
    assert fields - set(config.VARIABLES.values()) == {"database_url_set"}


def test_every_variable_is_documented_in_the_readme():
    rows = _readme_configuration()
    wanted = set(config.VARIABLES) | set(config.TEST_VARIABLES)
    assert sorted(wanted - set(rows)) == []
    assert sorted(set(rows) - wanted) == []  # no documented variable that nothing reads
    for name, (meaning, default) in rows.items():
        assert meaning and default, name


def _reads_of_maaor_variables(path) -> list[str]:
    """``os.environ.get("MAAOR_…")``, ``env["MAAOR_…"]``, ``os.getenv("MAAOR_…")`` and the
    like in ``path``: a MAAOR_ name read from a mapping (setting one for a child process
    is not a read)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        name = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name):
            func = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
            if func in ("get", "getenv", "setdefault") and node.args:
                name = node.args[0]
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            name = node.slice
        if isinstance(name, ast.Constant) and isinstance(name.value, str) \
                and name.value.startswith("MAAOR_"):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name.value}")
    return found


def test_no_maaor_variable_is_read_outside_config():
    offenders = [hit for p in _CODE if p != ROOT / "maaor" / "config.py"
                 for hit in _reads_of_maaor_variables(p)]
    assert offenders == []
    # the check sees a read when there is one
    assert _reads_of_maaor_variables(ROOT / "maaor" / "config.py")


def test_settings_of_the_public_view_uploads_mode_and_benchmarks():
    base = {"MAAOR_DATABASE_URL": "sqlite:///x.sqlite"}
    cfg = settings(base)
    assert (cfg.public_presence_level, cfg.basemap_style, cfg.max_upload_mb, cfg.mode) == (
        "point", None, 25, "coordinator")
    assert (cfg.chromium, cfg.bench_debug, cfg.test_database_url) == (
        "/usr/bin/chromium", False, "")
    assert cfg.database_url_set and not settings({}).database_url_set
    cfg = settings({**base, "MAAOR_PUBLIC_PRESENCE_LEVEL": " Country ",
                    "MAAOR_BASEMAP_STYLE": "https://tiles.example/style.json",
                    "MAAOR_MAX_UPLOAD_MB": "50", "MAAOR_MODE": "Viewer",
                    "MAAOR_CHROMIUM": "/opt/chromium", "MAAOR_BENCH_DEBUG": "1"})
    assert (cfg.public_presence_level, cfg.basemap_style, cfg.max_upload_mb, cfg.mode) == (
        "country", "https://tiles.example/style.json", 50, "viewer")
    assert (cfg.chromium, cfg.bench_debug) == ("/opt/chromium", True)
    # values that cannot be used fall back as before: an http basemap, a zero limit
    cfg = settings({**base, "MAAOR_BASEMAP_STYLE": "http://x", "MAAOR_MAX_UPLOAD_MB": "0"})
    assert (cfg.basemap_style, cfg.max_upload_mb) == (None, 25)
    with pytest.raises(ConfigError, match="MAAOR_MODE must be one of"):
        settings({**base, "MAAOR_MODE": "admin"})


def test_password_hash_from_the_environment_else_the_secrets():
    base = {"MAAOR_DATABASE_URL": "sqlite:///x.sqlite"}
    secrets = {"coordinator": {"password_hash": " scrypt$from-secrets "}}
    assert settings(base, secrets).coordinator_password_hash == "scrypt$from-secrets"
    assert settings({**base, "MAAOR_COORDINATOR_PASSWORD_HASH": "scrypt$env"},
                    secrets).coordinator_password_hash == "scrypt$env"
    assert settings(base).coordinator_password_hash is None


def test_process_settings_are_read_once_and_again_when_a_variable_changes(monkeypatch,
                                                                          tmp_path):
    """settings() of the process environment is kept while the environment and working
    directory stay the same, and read again when either changes."""
    from maaor.config import settings

    monkeypatch.setenv("MAAOR_PUBLIC_PRESENCE_LEVEL", "admin1")
    monkeypatch.setenv("MAAOR_SQLITE_PATH", "relative/maaor.sqlite")
    monkeypatch.chdir(tmp_path)
    first = settings()
    assert settings() is first
    assert first.public_presence_level == "admin1"
    assert first.database_url == f"sqlite:///{tmp_path / 'relative' / 'maaor.sqlite'}"
    monkeypatch.setenv("MAAOR_PUBLIC_PRESENCE_LEVEL", "country")
    assert settings().public_presence_level == "country"
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert settings().database_url == \
        f"sqlite:///{tmp_path / 'elsewhere' / 'relative' / 'maaor.sqlite'}"

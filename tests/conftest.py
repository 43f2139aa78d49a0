"""Shared test helpers and fixtures.

Skips that must not go unnoticed in CI
--------------------------------------
Tests that need something the machine may lack (PostgreSQL, a browser, LibreOffice,
the shared real-world files) call ``require_or_skip(reason)`` instead of
``pytest.skip(reason)``::

    from tests.conftest import require_or_skip

    if shutil.which("soffice") is None:
        require_or_skip("LibreOffice (soffice) not installed")

It skips normally, but when the environment variable ``MAAOR_REQUIRE_ALL=1`` is set
(CI), it FAILS the test with the same reason, so a missing dependency cannot make a
green run that tested nothing.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NoReturn

import pytest

REQUIRE_ALL_ENV = "MAAOR_REQUIRE_ALL"
PG_TEST_URL_ENV = "MAAOR_TEST_DATABASE_URL"


@pytest.fixture(autouse=True, scope="session")
def _figure_cache_of_the_run(tmp_path_factory) -> Iterator[None]:
    """The dashboard processes of the run (AppTest, servers started by tests) share their
    figures in a directory of the run, not in the system's temporary directory."""
    previous = os.environ.get("MAAOR_FIGURE_CACHE_DIR")
    if previous is None:
        os.environ["MAAOR_FIGURE_CACHE_DIR"] = str(tmp_path_factory.mktemp("figures") / "cache")
    yield
    if previous is None:
        os.environ.pop("MAAOR_FIGURE_CACHE_DIR", None)


@pytest.fixture(autouse=True)
def _background_warm_ups_end_with_their_test() -> Iterator[None]:
    """A page drawn by a test starts a background warm-up of its version's figures
    (``maaor.ui.data.warm_up``): it ends within the test, so no later test counts its
    computations or sees its threads."""
    yield
    import threading

    for thread in threading.enumerate():
        if thread.name.startswith("maaor-warm-"):
            thread.join(timeout=120)


def require_all() -> bool:
    """Return True when skips for missing dependencies must fail (MAAOR_REQUIRE_ALL=1)."""
    return os.environ.get(REQUIRE_ALL_ENV, "").strip() == "1"


def require_or_skip(reason: str, *, allow_module_level: bool = False) -> NoReturn:
    """Skip with ``reason``; fail instead when MAAOR_REQUIRE_ALL=1.

    Args:
        reason: what is missing, in plain words (shown in the skip or failure).
        allow_module_level: pass True when calling at module level (import time).
    """
    if require_all():
        pytest.fail(f"{reason} ({REQUIRE_ALL_ENV}=1: this may not be skipped)",
                    pytrace=False)
    pytest.skip(reason, allow_module_level=allow_module_level)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The shared folder with seeds/ and real-world/ (MAAOR_SHARED_DIR, else ../shared,
    beside the checkout); skips (or fails under MAAOR_REQUIRE_ALL=1) when absent."""
    candidates = [
        os.environ.get("MAAOR_SHARED_DIR", ""),
        str(Path(__file__).resolve().parents[2] / "shared"),
    ]
    for candidate in candidates:
        if candidate and Path(candidate, "real-world").is_dir():
            return Path(candidate)
    require_or_skip("shared folder with real-world files not found (set MAAOR_SHARED_DIR)")


# ------------------------------------------------------------------ store fixtures


def _pg_schema_urls(base_url: str) -> tuple[Callable[[], str], Callable[[], None]]:
    """Return (make a URL of a new empty schema, drop every schema made)."""
    import sqlalchemy as sa

    from maaor.config import normalise_database_url

    url = sa.make_url(normalise_database_url(base_url))
    admin = sa.create_engine(url, connect_args={"connect_timeout": 5})
    made: list[str] = []

    def make() -> str:
        name = f"maaor_test_{uuid.uuid4().hex[:12]}"
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{name}"'))
        made.append(name)
        scoped = url.update_query_dict({"options": f"-csearch_path={name}"})
        return scoped.render_as_string(hide_password=False)

    def drop_all() -> None:
        with admin.begin() as conn:
            for name in made:
                conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        admin.dispose()

    return make, drop_all


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def make_store_url(request, tmp_path) -> Iterator[Callable[[], str]]:
    """A factory of URLs of new, empty stores: SQLite files always; PostgreSQL schemas
    (one per call, dropped afterwards) when MAAOR_TEST_DATABASE_URL is set."""
    if request.param == "sqlite":
        counter = iter(range(1_000_000))
        yield lambda: f"sqlite:///{tmp_path / f'store{next(counter)}.sqlite'}"
        return
    base = os.environ.get(PG_TEST_URL_ENV, "").strip()
    if not base:
        require_or_skip(f"{PG_TEST_URL_ENV} not set")
    make, drop_all = _pg_schema_urls(base)
    try:
        yield make
    finally:
        drop_all()


@pytest.fixture
def store_url(make_store_url) -> str:
    """URL of a new, empty store (SQLite, and PostgreSQL when configured)."""
    return make_store_url()


@pytest.fixture
def store(store_url):
    """An opened, empty store (closed after the test)."""
    from maaor.store import Store

    st = Store.open(store_url, busy_timeout_ms=5_000)
    try:
        yield st
    finally:
        st.close()


@pytest.fixture
def pg_store_url() -> Iterator[str]:
    """URL of a new, empty PostgreSQL store schema (for PostgreSQL-only tests)."""
    base = os.environ.get(PG_TEST_URL_ENV, "").strip()
    if not base:
        require_or_skip(f"{PG_TEST_URL_ENV} not set")
    make, drop_all = _pg_schema_urls(base)
    try:
        yield make()
    finally:
        drop_all()


# ------------------------------------------------------------------ app stores


@contextlib.contextmanager
def bundled_app_store(directory: Path):
    """A fresh SQLite store in ``directory`` bootstrapped with the bundled data, with the
    UI caches and the service's opened stores reset before and after (AppTests)."""
    import streamlit as st

    from maaor import service

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MAAOR_SQLITE_PATH", str(directory / "maaor.sqlite"))
        for name in ("MAAOR_DATABASE_URL", "MAAOR_PUBLIC_PRESENCE_LEVEL", "MAAOR_BASEMAP_STYLE"):
            mp.delenv(name, raising=False)
        service.reset_for_tests()
        st.cache_data.clear()
        st.cache_resource.clear()
        try:
            yield service
        finally:
            service.reset_for_tests()
            st.cache_data.clear()
            st.cache_resource.clear()

"""Fixtures of the use-case tests."""

from __future__ import annotations

import pytest

from maaor import service


@pytest.fixture
def app_store(store_url, monkeypatch):
    """The configured store (``store_url``) bootstrapped with the bundled data as version 1."""
    monkeypatch.setenv("MAAOR_DATABASE_URL", store_url)
    service.reset_for_tests()
    store = service.open_store()
    assert store.current_version() == 1
    yield store
    service.reset_for_tests()

"""What pages, the CLI and exports read: the current version, its Dataset, the history.

Read-only: everything that writes (publish, edit, rollback, aliases, backup) is a use
case in :mod:`maaor.usecases`. Pages never touch the store directly.
The store is opened once per process; a new empty store is bootstrapped with the
bundled data as version 1.
"""

from __future__ import annotations

import threading

from maaor.dataset import Dataset

# Re-exported for pages: a withdrawn pinned version is told from a missing one, and a
# store failure while reading is said plainly.
from maaor.store.errors import StoreError, VersionWithdrawn  # noqa: F401

_lock = threading.Lock()
_stores: dict[str, object] = {}


def open_store():
    """Return the process-wide Store for the configured URL, bootstrapped if empty."""
    from maaor.config import database_url
    from maaor.store import Store

    url = database_url()
    with _lock:
        store = _stores.get(url)
        if store is None:
            store = Store.open(url)
            store.ensure_bootstrapped(_bundled_for_bootstrap)
            _stores[url] = store
    return store


def _bundled_for_bootstrap():
    from maaor.bundled import default_sources
    from maaor.load import load_sources

    sources, illustrative = default_sources()
    result = load_sources(sources, illustrative=illustrative)
    if not result.ok:
        first = result.errors[0]
        raise RuntimeError(f"bundled data do not validate: {first.where()}: {first.message}")
    return result.dataset, sources


def current_version() -> int:
    """Return the id of the current published version."""
    version = open_store().current_version()
    if version is None:  # bootstrapping guarantees one; this guards a wiped store
        raise RuntimeError("the data store holds no published version")
    return version


def load_dataset(version: int | None = None) -> Dataset:
    """Return the Dataset of ``version`` (default: the current one).

    Raises:
        VersionWithdrawn: the version was withdrawn (never served).
        VersionNotFound: no such version.
    """
    return open_store().load(version)


def withdrawn_at(version: int):
    """Return when ``version`` was withdrawn (aware UTC), or None while it is served."""
    return open_store().withdrawn_at(version)


def aggregate(version: int, view: str, level: str):
    """Return the unfiltered figure ``view`` of ``version`` at public presence ``level``
    as stored with the version (computed and stored on first use); None when ``view``
    is not one of ``maaor.views.STORED_VIEWS``."""
    from maaor import aggregates

    return aggregates.read_aggregate(open_store(), version, view, level)


def history() -> list:
    """Return every published version, newest first (``maaor.store.VersionInfo``)."""
    return open_store().history()


def close_stores() -> None:
    """Close the connections of every store opened by this process (a store used again
    afterwards opens new ones). For a one-command process about to exit: SQLite then
    folds its write-ahead log into the database file and removes it, as when the
    connections are collected."""
    with _lock:
        stores = list(_stores.values())
    for store in stores:
        store.close()


def reset_for_tests() -> None:
    """Forget opened stores (tests switch the configured URL between cases)."""
    with _lock:
        for store in _stores.values():
            dispose = getattr(store, "dispose", None)
            if dispose:
                dispose()
        _stores.clear()

"""The version store: one object composed of the store's parts, sharing one engine.

* :mod:`maaor.store.versions` — publish, the current pointer, history, rollback
* :mod:`maaor.store.withdrawals` — withdrawn versions (never served again, audited)
* :mod:`maaor.store.access` — sign-in throttling (wrong guesses, delays, lock-out)
* :mod:`maaor.store.aliases` — organisation aliases
* :mod:`maaor.store.profiles` — mapping profiles (column and value choices)
* :mod:`maaor.store.audit` — the audit log
* :mod:`maaor.store.aggregates` — precomputed aggregates of a version
* :mod:`maaor.store.backup` — portable backup and restore
* :mod:`maaor.store.base` — the engine, transactions and schema upgrade they share
"""

from __future__ import annotations

from maaor.store.access import AccessStore
from maaor.store.aggregates import AggregateStore
from maaor.store.aliases import AliasStore
from maaor.store.audit import AuditEntry, AuditStore
from maaor.store.backup import BackupStore
from maaor.store.profiles import ProfileStore, StoredProfile
from maaor.store.versions import ANY, VERSION_KINDS, FileInfo, VersionInfo, VersionStore
from maaor.store.withdrawals import Withdrawal, WithdrawalStore

__all__ = [
    "ANY",
    "VERSION_KINDS",
    "AuditEntry",
    "FileInfo",
    "Store",
    "StoredProfile",
    "VersionInfo",
    "Withdrawal",
]


class Store(VersionStore, WithdrawalStore, AccessStore, AliasStore, ProfileStore, AuditStore,
            AggregateStore, BackupStore):
    """Versions of the dataset in a SQL database (SQLite file or PostgreSQL).

    Open with :meth:`Store.open`; all methods raise :class:`StoreError` subclasses with
    plain messages (``StoreBusy``, ``StoreUnavailable``, ``StoreConflict``,
    ``VersionNotFound``, ``VersionWithdrawn``) rather than driver errors.
    """

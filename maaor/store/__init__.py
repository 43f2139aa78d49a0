"""The version store: every published dataset, the current pointer, aliases, audit.

The only package that touches the database. See :class:`maaor.store.store.Store`, which
is composed of small parts (versions, access, aliases, audit, aggregates, backup) that
share one engine (:mod:`maaor.store.base`); the SQL tables are in
:mod:`maaor.store.tables` and their history in :mod:`maaor.store.migrations`.
"""

from maaor.store.errors import (
    StoreBusy,
    StoreConflict,
    StoreError,
    StoreUnavailable,
    VersionNotFound,
    VersionWithdrawn,
    retry_busy,
)
from maaor.store.store import (
    ANY,
    VERSION_KINDS,
    AuditEntry,
    FileInfo,
    Store,
    VersionInfo,
    Withdrawal,
)

__all__ = [
    "ANY",
    "VERSION_KINDS",
    "AuditEntry",
    "FileInfo",
    "Store",
    "StoreBusy",
    "StoreConflict",
    "StoreError",
    "StoreUnavailable",
    "VersionInfo",
    "VersionNotFound",
    "VersionWithdrawn",
    "Withdrawal",
    "retry_busy",
]

"""The version store: every published dataset, the current pointer, aliases, audit.

The only package that touches the database. See :class:`maaor.store.store.Store`.
"""

from maaor.store.errors import (
    StoreBusy,
    StoreConflict,
    StoreError,
    StoreUnavailable,
    VersionNotFound,
    retry_busy,
)
from maaor.store.store import ANY, VERSION_KINDS, AuditEntry, FileInfo, Store, VersionInfo

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
    "retry_busy",
]

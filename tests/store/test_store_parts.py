"""The store is split by concern (issue 9, items 4-5) and still one ``Store`` with the
same public methods, one engine, and its SQL tables in ``maaor/store/tables.py``."""

from __future__ import annotations

import inspect

from maaor.store import Store, tables
from maaor.store.access import AccessStore
from maaor.store.aggregates import AggregateStore
from maaor.store.aliases import AliasStore
from maaor.store.audit import AuditStore
from maaor.store.backup import BackupStore
from maaor.store.base import StoreBase
from maaor.store.versions import VersionStore
from maaor.store.withdrawals import WithdrawalStore
from tests.paths import ROOT

# Every public method the single Store class had before the split, with its parameters.
METHODS = {
    "open": ["url", "busy_timeout_ms", "connect_timeout_s", "upgrade_to"],
    "close": [], "schema_version": [], "current_version": [],
    "publish": ["dataset", "files", "by", "note", "kind", "parent", "if_current"],
    "load": ["version"], "history": [], "files": ["version"],
    "rollback": ["to_version", "by", "note", "if_current"],
    "ensure_bootstrapped": ["loader", "by", "note"],
    "put_aggregate": ["version", "name", "data"], "aggregate": ["version", "name"],
    "put_aggregates": ["version", "aggregates"],
    "aliases": [], "add_alias": ["alias", "canonical", "by"], "remove_alias": ["alias", "by"],
    "audit": ["action", "who", "detail"], "audit_log": ["limit"],
    "signin_state": ["key"],
    "record_signin_failure": ["key", "max_failures", "lock_s", "now"],
    "clear_signin_failures": ["key"],
    "backup": ["path"], "restore": ["path", "url"],
}
PARTS = {
    VersionStore: {"current_version", "publish", "load", "history", "files", "rollback",
                   "ensure_bootstrapped"},
    WithdrawalStore: {"withdraw", "withdrawn_at"},
    AccessStore: {"signin_state", "record_signin_failure", "clear_signin_failures",
                  "begin_signin_attempt", "signin_wait", "signin_clients", "unlock_signin",
                  "record_signin_lockout"},
    AliasStore: {"aliases", "add_alias", "remove_alias"},
    AuditStore: {"audit", "audit_log"},
    AggregateStore: {"put_aggregate", "put_aggregates", "aggregate"},
    BackupStore: {"backup", "restore"},
}


def test_store_keeps_every_public_method_and_its_parameters():
    for name, params in METHODS.items():
        method = getattr(Store, name)
        got = [p for p in inspect.signature(method).parameters if p not in ("self", "cls")]
        assert got[:len(params)] == params, name
        # Anything added is optional: every former call still works.
        extra = list(inspect.signature(method).parameters.values())[len(params) + 1:]
        assert all(p.default is not inspect.Parameter.empty or p.kind == p.VAR_KEYWORD
                   for p in extra), name


def test_each_concern_lives_in_its_own_part_on_one_engine():
    for part, names in PARTS.items():
        assert issubclass(part, StoreBase) and issubclass(Store, part)
        own = {n for n, v in vars(part).items() if callable(v) or isinstance(v, classmethod)}
        assert names <= own, part.__name__
        assert not (names & set(vars(StoreBase))), part.__name__
    # Only the base creates engines; every part reaches the database through it.
    for path in (ROOT / "maaor" / "store").glob("*.py"):
        if path.name not in ("base.py", "engine.py"):
            assert "create_engine(" not in path.read_text(encoding="utf-8"), path.name


def test_sql_tables_are_named_tables_not_schema():
    assert not (ROOT / "maaor" / "store" / "schema.py").exists()
    assert {"versions", "current", "aliases", "audit", "aggregates",
            "signin_failures"} <= set(tables.metadata.tables)

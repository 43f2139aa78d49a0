"""Schema creation and upgrade: an ordered list of steps, each applied once.

The schema version lives in ``meta`` (key ``schema_version``). ``upgrade`` applies,
inside the caller's write transaction, every step numbered above the recorded version.
Each step declares the tables it creates *as they were at that step* (never import
the current definitions from ``tables.py`` here: a fresh store must be built by the
same steps as an old one). To change the schema, append a step to ``STEPS`` and update
``tables.py`` to match.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from maaor.store.errors import StoreError

SCHEMA_VERSION_KEY = "schema_version"


@dataclass(frozen=True)
class Step:
    """One schema change.

    Attributes:
        version: the schema version the store has after this step.
        description: what the step does, in a few words.
        apply: the change, run on a connection inside a transaction.
    """

    version: int
    description: str
    apply: Callable[[sa.Connection], None]


def _step1_core(conn: sa.Connection) -> None:
    md = sa.MetaData()
    sa.Table(
        "meta",
        md,
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    sa.Table(
        "versions",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("parent_version", sa.Integer, sa.ForeignKey("versions.id")),
        sa.Column("illustrative", sa.Boolean, nullable=False),
        sa.Column("illustrative_tables", sa.Text, nullable=False),
        sa.Column("sources", sa.Text, nullable=False),
    )
    sa.Table(
        "version_files",
        md,
        sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32)),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    sa.Table(
        "version_tables",
        md,
        sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), primary_key=True),
        sa.Column("table_name", sa.String(64), primary_key=True),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("rows", sa.BigInteger, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    current = sa.Table(
        "current",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id")),
        sa.CheckConstraint("id = 1", name="current_single_row"),
    )
    sa.Table(
        "aliases",
        md,
        sa.Column("alias", sa.Text, primary_key=True),
        sa.Column("canonical", sa.Text, nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id")),
    )
    sa.Table(
        "audit",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("who", sa.Text, nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
    sa.Table(
        "aggregates",
        md,
        sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), primary_key=True),
        sa.Column("name", sa.String(128), primary_key=True),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    md.create_all(conn)
    # The single current-pointer row exists from the start: writers lock it.
    conn.execute(current.insert().values(id=1, version_id=None))


def _step2_signin_failures(conn: sa.Connection) -> None:
    md = sa.MetaData()
    sa.Table(
        "signin_failures",
        md,
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("first_at", sa.DateTime, nullable=False),
        sa.Column("locked_until", sa.DateTime),
    )
    md.create_all(conn)


def _step3_withdrawals(conn: sa.Connection) -> None:
    # ADD COLUMN of a nullable column: the same statement on SQLite and PostgreSQL.
    conn.execute(sa.text("ALTER TABLE versions ADD COLUMN withdrawn_at TIMESTAMP"))
    conn.execute(sa.text("ALTER TABLE versions ADD COLUMN withdrawn_by TEXT"))
    conn.execute(sa.text("ALTER TABLE versions ADD COLUMN withdrawn_reason TEXT"))


def _step4_signin_delays(conn: sa.Connection) -> None:
    conn.execute(sa.text("ALTER TABLE signin_failures ADD COLUMN not_before TIMESTAMP"))


def _step5_blobs(conn: sa.Connection) -> None:
    # Content-addressed bytes: files, tables and aggregates move into ``blobs`` keyed by
    # their SHA-256 and the version rows keep the digest, so versions share what did not
    # change. Rows are moved one at a time so a large store is not read into memory.
    import hashlib

    md = sa.MetaData()
    blobs = sa.Table(
        "blobs",
        md,
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    md.create_all(conn)
    for table in ("version_tables", "aggregates"):
        conn.execute(sa.text(
            f"ALTER TABLE {table} ADD COLUMN sha256 VARCHAR(64) NOT NULL DEFAULT ''"))
    keys = {
        "version_files": ("version_id", "position"),
        "version_tables": ("version_id", "table_name"),
        "aggregates": ("version_id", "name"),
    }
    for table, (k1, k2) in keys.items():
        rows = conn.execute(sa.text(f"SELECT {k1}, {k2} FROM {table}")).all()
        for a, b in rows:
            where = f"WHERE {k1} = :a AND {k2} = :b"
            data = bytes(conn.execute(sa.text(f"SELECT data FROM {table} {where}"),
                                      {"a": a, "b": b}).scalar_one())
            # version_files already held the digest of its bytes; it is recomputed here
            # so a blob is always keyed by the digest of what it holds.
            sha = hashlib.sha256(data).hexdigest()
            known = conn.execute(sa.select(blobs.c.sha256).where(blobs.c.sha256 == sha)
                                 ).first()
            if known is None:
                conn.execute(blobs.insert().values(sha256=sha, size=len(data), data=data))
            conn.execute(sa.text(f"UPDATE {table} SET sha256 = :sha {where}"),
                         {"sha": sha, "a": a, "b": b})
        # DROP COLUMN: SQLite >= 3.35 and PostgreSQL alike.
        conn.execute(sa.text(f"ALTER TABLE {table} DROP COLUMN data"))


def _step6_mapping_profiles(conn: sa.Connection) -> None:
    md = sa.MetaData()
    sa.Table(
        "mapping_profiles",
        md,
        sa.Column("signature", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("saved_by", sa.Text, nullable=False),
        sa.Column("saved_at", sa.DateTime, nullable=False),
    )
    md.create_all(conn)


STEPS: list[Step] = [
    Step(1, "versions, files, tables, current pointer, aliases, audit, aggregates",
         _step1_core),
    Step(2, "sign-in failures (password throttle shared by all app processes)",
         _step2_signin_failures),
    Step(3, "withdrawn versions (when, by whom, why)", _step3_withdrawals),
    Step(4, "sign-in: growing delay between guesses of one client", _step4_signin_delays),
    Step(5, "content-addressed files, tables and aggregates (blobs keyed by SHA-256)",
         _step5_blobs),
    Step(6, "mapping profiles (column and value choices per header signature and kind)",
         _step6_mapping_profiles),
]


def latest_version(steps: list[Step] | None = None) -> int:
    """Return the schema version reached after every step."""
    steps = STEPS if steps is None else steps
    return steps[-1].version if steps else 0


def recorded_version(conn: sa.Connection) -> int:
    """Return the schema version recorded in the database (0 for an empty database)."""
    if not sa.inspect(conn).has_table("meta"):
        return 0
    value = conn.execute(
        sa.text("SELECT value FROM meta WHERE key = :k"), {"k": SCHEMA_VERSION_KEY}
    ).scalar()
    return int(value) if value is not None else 0


def upgrade(
    conn: sa.Connection, *, target: int | None = None, steps: list[Step] | None = None
) -> int:
    """Apply the missing steps up to ``target`` (default: all); return the new version.

    Must run inside a write transaction that holds the database's write lock, so two
    processes starting at once do not both create the tables.

    Raises:
        StoreError: the database was written by a newer maaor (unknown schema version).
    """
    steps = STEPS if steps is None else steps
    numbers = [s.version for s in steps]
    if numbers != sorted(set(numbers)):
        raise ValueError("migration steps must have increasing, unique versions")
    latest = latest_version(steps)
    target = latest if target is None else target
    have = recorded_version(conn)
    if have > latest:
        raise StoreError(
            f"the data store has schema version {have}, newer than this app knows "
            f"({latest}); update maaor before using this database"
        )
    for step in steps:
        if have < step.version <= target:
            step.apply(conn)
            _record(conn, step.version, first=(have == 0))
            have = step.version
    return have


def _record(conn: sa.Connection, version: int, *, first: bool) -> None:
    params = {"k": SCHEMA_VERSION_KEY, "v": str(version)}
    if first:
        conn.execute(sa.text("INSERT INTO meta (key, value) VALUES (:k, :v)"), params)
    else:
        conn.execute(sa.text("UPDATE meta SET value = :v WHERE key = :k"), params)

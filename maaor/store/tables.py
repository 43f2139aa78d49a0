"""The store's tables as they are now (the queries use these definitions).

How they came to be is in ``maaor.store.migrations``; a change here needs a new
migration step there.

Times are stored as naive UTC (``DateTime`` without zone) and turned back into aware
UTC datetimes when read, so SQLite and PostgreSQL give the same values.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

meta = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

# Version ids are assigned under the write lock (max + 1), not by a sequence, so they
# have no gaps after a refused publish and restored ids stay as they were.
versions = sa.Table(
    "versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("parent_version", sa.Integer, sa.ForeignKey("versions.id"), nullable=True),
    sa.Column("illustrative", sa.Boolean, nullable=False),
    sa.Column("illustrative_tables", sa.Text, nullable=False),  # JSON list
    sa.Column("sources", sa.Text, nullable=False),  # JSON list of file names
    # Set once when the version is withdrawn (never served again); NULL while served.
    sa.Column("withdrawn_at", sa.DateTime, nullable=True),
    sa.Column("withdrawn_by", sa.Text, nullable=True),
    sa.Column("withdrawn_reason", sa.Text, nullable=True),
)

version_files = sa.Table(
    "version_files",
    metadata,
    sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(32), nullable=True),
    # The bytes are in ``blobs`` under this digest (shared by every version holding them).
)

version_tables = sa.Table(
    "version_tables",
    metadata,
    sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), primary_key=True),
    sa.Column("table_name", sa.String(64), primary_key=True),
    sa.Column("format", sa.String(16), nullable=False),
    sa.Column("rows", sa.BigInteger, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),  # the Parquet bytes, in ``blobs``
)

current = sa.Table(
    "current",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), nullable=True),
    sa.CheckConstraint("id = 1", name="current_single_row"),
)

aliases = sa.Table(
    "aliases",
    metadata,
    sa.Column("alias", sa.Text, primary_key=True),
    sa.Column("canonical", sa.Text, nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), nullable=True),
)

audit = sa.Table(
    "audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("who", sa.Text, nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
)

aggregates = sa.Table(
    "aggregates",
    metadata,
    sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), primary_key=True),
    sa.Column("name", sa.String(128), primary_key=True),
    sa.Column("sha256", sa.String(64), nullable=False),  # the bytes, in ``blobs``
)

# Content-addressed bytes of files, tables and aggregates (``maaor.store.blobs``).
blobs = sa.Table(
    "blobs",
    metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
)

signin_failures = sa.Table(
    "signin_failures",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("first_at", sa.DateTime, nullable=False),
    sa.Column("locked_until", sa.DateTime, nullable=True),
    # No new guess from this key before this time (the growing delay between guesses).
    sa.Column("not_before", sa.DateTime, nullable=True),
)

# Mapping profiles confirmed by coordinators (``maaor.store.profiles``): one per header
# signature and kind; ``body`` is the profile's JSON form (``maaor.profiles``).
mapping_profiles = sa.Table(
    "mapping_profiles",
    metadata,
    sa.Column("signature", sa.String(64), primary_key=True),
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("saved_by", sa.Text, nullable=False),
    sa.Column("saved_at", sa.DateTime, nullable=False),
)

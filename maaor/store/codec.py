"""Canonical tables to bytes and back (Parquet, which keeps pandas dtypes)."""

from __future__ import annotations

import io

import pandas as pd

from maaor.dataset import conform

TABLE_FORMAT = "parquet"


def encode_table(name: str, frame: pd.DataFrame) -> tuple[bytes, int]:
    """Return the Parquet bytes of table ``name`` (conformed first) and its row count."""
    table = conform(name, frame)
    buf = io.BytesIO()
    table.to_parquet(buf, engine="pyarrow", index=False, compression="zstd")
    return buf.getvalue(), len(table)


def decode_table(name: str, data: bytes, fmt: str = TABLE_FORMAT) -> pd.DataFrame:
    """Return table ``name`` from its stored bytes, conformed to today's columns.

    Conforming on read lets a version stored before a column was added load with that
    column empty.
    """
    if fmt != TABLE_FORMAT:
        raise ValueError(f"unknown stored table format {fmt!r}")
    frame = pd.read_parquet(io.BytesIO(data), engine="pyarrow")
    return conform(name, frame)

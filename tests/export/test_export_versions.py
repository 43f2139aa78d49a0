"""Tests of maaor.export.versions: a version's files as a zip, its tables as an XLSX."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
from openpyxl import load_workbook

from maaor.dataset import TABLES, Dataset, conform
from maaor.export.versions import files_zip, tables_workbook


def test_files_zip_keeps_bytes_and_flattens_names():
    data = files_zip([("work plan.xlsx", b"one"), ("../../etc/passwd", b"two"), ("work plan.xlsx", b"three")])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == ["work plan.xlsx", "passwd", "work plan (2).xlsx"]
        assert archive.read("work plan (2).xlsx") == b"three"


def test_tables_workbook_has_every_table_neutralised():
    wp = conform("workplan", pd.DataFrame({"activity_id": ["1.1.1"], "activity": ["=cmd()"],
                                           "start": pd.to_datetime(["2019-01-15"])}))
    book = load_workbook(io.BytesIO(tables_workbook(Dataset({"workplan": wp}), {"version": "4"})))
    assert book.sheetnames == ["about", *TABLES]
    rows = list(book["workplan"].iter_rows(values_only=True))
    header = rows[0]
    assert rows[1][header.index("activity")] == "'=cmd()"
    assert rows[1][header.index("start")] == "2019-01-15"
    assert list(book["about"].iter_rows(values_only=True)) == [("version", "4")]

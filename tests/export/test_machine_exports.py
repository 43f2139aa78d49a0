"""Whole tables for other tools (maaor export, the pages' downloads): HXL CSV that an HXL
reader (libhxl) reads with the right tags and values, JSON, and a Frictionless data
package that validates."""

from __future__ import annotations

import datetime as dt
import json
import math

import pandas as pd
import pytest

from maaor import service
from maaor.bundled import load_default
from maaor.cli import main
from maaor.export.hxl import table_tags
from maaor.export.machine import EXPORT_TABLES, full_table, table_bytes
from maaor.views import public_dataset

TODAY = dt.date(2026, 12, 6)
hxl = pytest.importorskip("hxl", reason="libhxl (requirements-dev.txt) reads the HXL exports")


@pytest.fixture(scope="module")
def dataset():
    return load_default().dataset


def _read_hxl(path):
    return hxl.data(str(path), hxl.InputOptions(allow_local=True))


def _expected(value) -> str | float | None:
    """A cell as the HXL CSV must carry it (numbers compared as numbers)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return None if isinstance(value, float) and math.isnan(value) else float(value)
    if hasattr(value, "item"):
        return _expected(value.item())
    return str(value)


def _as_read(text: str | None, like) -> str | float | None:
    if text is None or text == "":
        return None
    return float(text) if isinstance(like, float) else text


@pytest.mark.parametrize("table", EXPORT_TABLES)
def test_libhxl_reads_every_table_with_its_tags_and_values(dataset, table, tmp_path):
    frame = full_table(dataset, table, TODAY)
    assert len(frame) > 0, "the bundled data fill every table"
    data = table_bytes(frame, table, "hxl")
    assert not data.startswith(b"\xef\xbb\xbf"), "no BOM: libhxl would read it into a header"
    path = tmp_path / f"{table}.csv"
    path.write_bytes(data)
    source = _read_hxl(path)
    tags = table_tags(table, list(frame.columns))
    assert all(tags), f"untagged columns: {[c for c, t in zip(frame.columns, tags, strict=True) if not t]}"
    assert source.display_tags == tags
    assert source.headers == [str(c) for c in frame.columns]
    rows = [row.values for row in source]
    assert len(rows) == len(frame)
    for i, record in enumerate(frame.itertuples(index=False, name=None)):
        expected = [_expected(v) for v in record]
        got = [_as_read(v, e) for v, e in zip(rows[i], expected, strict=True)]
        assert got == expected, f"{table} row {i}"


def test_hxl_tags_follow_the_convention(dataset):
    for table in ("presence", "funding", "indicators", "mechanisms"):
        tags = dict(zip(full_table(dataset, table, TODAY).columns,
                        table_tags(table, list(full_table(dataset, table, TODAY).columns)),
                        strict=True))
        assert tags["country_iso3"] == "#country+code"
    workplan = dict(zip(dataset.workplan.columns,
                        table_tags("workplan", list(dataset.workplan.columns)), strict=True))
    # Text never under a number tag (#value is a number in HXL).
    assert workplan["budget_note"] == "#description+budget"
    assert not workplan["budget_group"].startswith("#value")
    assert workplan["budget_usd"] == "#value+budget"


def test_hxl_neutralisation_is_an_option_an_hxl_reader_does_not_see_by_default(tmp_path):
    frame = pd.DataFrame({"org": ["-", "@UNMAS", "=1+1", "NPA"], "country_iso3": ["AFG"] * 4,
                          "reached_total": [-5.0, 1.0, 2.0, 3.0]})
    plain = tmp_path / "plain.csv"
    plain.write_bytes(table_bytes(frame, "presence", "hxl"))
    assert [r.get("#org") for r in _read_hxl(plain)] == ["-", "@UNMAS", "=1+1", "NPA"]
    safe = tmp_path / "safe.csv"
    safe.write_bytes(table_bytes(frame, "presence", "hxl", neutralise_hxl=True))
    rows = list(_read_hxl(safe))
    assert [r.get("#org") for r in rows] == ["'-", "'@UNMAS", "'=1+1", "NPA"]
    assert [float(r.get("#reached")) for r in rows] == [-5.0, 1.0, 2.0, 3.0]  # numbers stay


def test_json_is_an_array_of_objects_with_nulls_and_iso_dates(dataset):
    frame = full_table(dataset, "workplan", TODAY)
    records = json.loads(table_bytes(frame, "workplan", "json"))
    assert len(records) == len(frame)
    assert list(records[0]) == list(frame.columns)
    first = frame.iloc[0]
    assert records[0]["activity_id"] == first["activity_id"]
    assert records[0]["start"] == first["start"].strftime("%Y-%m-%d")
    budget = [r["budget_usd"] for r in records]
    assert budget.count(None) == int(frame["budget_usd"].isna().sum())
    assert sum(b for b in budget if b is not None) == pytest.approx(frame["budget_usd"].sum())


@pytest.fixture
def cli_store(tmp_path, monkeypatch):
    monkeypatch.delenv("MAAOR_DATABASE_URL", raising=False)
    monkeypatch.setenv("MAAOR_SQLITE_PATH", str(tmp_path / "store.sqlite"))
    service.reset_for_tests()
    yield
    service.reset_for_tests()


def test_cli_datapackage_passes_frictionless_validation(cli_store, tmp_path, capsys):
    frictionless = pytest.importorskip("frictionless")
    out = tmp_path / "package"
    assert main(["export", "--format", "datapackage", "--public", "--out", str(out)]) == 0
    descriptor = json.loads((out / "datapackage.json").read_text())
    assert [r["name"] for r in descriptor["resources"]] == list(EXPORT_TABLES)
    assert descriptor["maaor"]["version"] == 1 and descriptor["maaor"]["public"] is True
    report = frictionless.validate(str(out / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    public = public_dataset(service.load_dataset(1))
    rows = {task.name: task.stats["rows"] for task in report.tasks}
    assert rows == {t: len(full_table(public, t, dt.date.today())) for t in EXPORT_TABLES}
    fields = {f["name"]: f for f in descriptor["resources"][1]["schema"]["fields"]}
    assert fields["country_iso3"] == {"name": "country_iso3", "type": "string",
                                      "hxl": "#country+code"}
    assert fields["reached_total"]["type"] == "number"


def test_cli_export_formats_and_public(cli_store, tmp_path, capsys):
    full, public = tmp_path / "p.json", tmp_path / "public.json"
    assert main(["export", "--format", "json", "--table", "presence", "--out", str(full)]) == 0
    assert main(["export", "--format", "json", "--table", "presence", "--public",
                 "--out", str(public)]) == 0
    full_rows, public_rows = json.loads(full.read_bytes()), json.loads(public.read_bytes())
    assert any(r["focal_point"] for r in full_rows)
    assert not any(r["focal_point"] or r["contact"] for r in public_rows)
    expected = public_dataset(service.load_dataset(1)).presence
    assert len(public_rows) == len(expected)
    capsys.readouterr()
    assert main(["export", "--format", "hxl", "--table", "flags", "--version", "1"]) == 0
    printed = capsys.readouterr().out
    assert printed.splitlines()[1].startswith("#meta+flag+rule,#meta+flag+scope")
    csv_file = tmp_path / "w.csv"
    assert main(["export", "--format", "csv", "--table", "workplan", "--out", str(csv_file)]) == 0
    assert csv_file.read_bytes().startswith(b"\xef\xbb\xbf")  # spreadsheets: BOM, neutralised
    xlsx = tmp_path / "w.xlsx"
    assert main(["export", "--format", "xlsx", "--table", "mechanisms", "--out", str(xlsx)]) == 0
    assert xlsx.read_bytes()[:2] == b"PK"
    assert main(["export", "--format", "json"]) == 2  # --table missing
    assert main(["export", "--format", "json", "--table", "workplan", "--version", "9"]) == 1

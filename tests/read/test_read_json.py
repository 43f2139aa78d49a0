"""Tests of maaor.read.jsonfile: records and arrays into one grid."""

from __future__ import annotations

import json

import pytest

from maaor.read.headers import map_sheet
from maaor.read.jsonfile import read_json_bytes
from maaor.sources import Source


def read(document, name: str = "3w.json"):
    data = document if isinstance(document, bytes) else json.dumps(document).encode()
    return read_json_bytes(Source(name, data))


def test_records_become_a_grid_with_the_union_of_keys():
    result = read(
        [
            {"activity": "EORE", "organisation": "MAG"},
            {"organisation": "HALO", "status": "Ongoing", "adm2_code": "VUT0104002"},
            {"activity": "Clearance", "organisation": "NPA", "status": ""},
        ]
    )
    (sheet,) = result.sheets
    assert result.problems == []
    assert sheet.sheet is None
    assert sheet.first_row == 1
    assert sheet.cells.to_numpy().tolist() == [
        ["activity", "organisation", "status", "adm2_code"],
        ["EORE", "MAG", None, None],
        [None, "HALO", "Ongoing", "VUT0104002"],
        ["Clearance", "NPA", None, None],
    ]


def test_record_index_plus_two_is_the_row_number():
    result = read([{"organisation": "MAG", "Country": "Iraq"}, {}, {"organisation": "HALO"}])
    mapped, _ = map_sheet(result.sheets[0])
    # The empty record (index 1, row 3) is not data; record 2 is row 4.
    assert mapped.rows == [2, 4]
    assert mapped.frame["org"].tolist() == ["MAG", "HALO"]


def test_numbers_and_booleans_keep_their_type():
    result = read([{"a": 1, "b": 2.5, "c": True, "d": None}])
    assert result.sheets[0].cells.iloc[1].tolist() == [1, 2.5, True, None]


def test_nested_values_become_json_text_with_a_warning():
    result = read([{"org": "MAG", "places": ["Erbil", "Mosul"], "meta": {"a": 1}}])
    assert result.sheets[0].cells.iloc[1].tolist() == ["MAG", '["Erbil", "Mosul"]', '{"a": 1}']
    assert [p.code for p in result.problems] == ["json.nested_value"]
    assert "2 values" in result.problems[0].message


def test_array_of_arrays_is_read_as_rows():
    result = read([["Organisation", "Country"], ["#org", "#country"], ["MAG", "Iraq"], ["HALO"]])
    sheet = result.sheets[0]
    assert sheet.cells.to_numpy().tolist() == [
        ["Organisation", "Country"],
        ["#org", "#country"],
        ["MAG", "Iraq"],
        ["HALO", None],
    ]
    mapped, _ = map_sheet(sheet)
    assert mapped.kind == "presence"
    assert mapped.rows == [3, 4]


def test_single_key_wrapper_is_unwrapped():
    result = read({"data": [{"organisation": "MAG"}]})
    assert result.sheets[0].cells.to_numpy().tolist() == [["organisation"], ["MAG"]]


def test_non_object_records_are_errors_on_their_row():
    result = read([{"organisation": "MAG"}, ["x"], {"organisation": "HALO"}])
    (problem,) = result.problems
    assert problem.code == "json.record_not_object"
    assert problem.severity == "error"
    assert problem.row == 3
    assert result.sheets[0].cells.to_numpy().tolist() == [
        ["organisation"],
        ["MAG"],
        [None],
        ["HALO"],
    ]


@pytest.mark.parametrize("data", [b"", b"{", b"[1, 2", b"\xff\xfe\x00", b"nul"])
def test_invalid_json_is_an_error(data):
    result = read(data)
    assert result.sheets == []
    assert [p.code for p in result.problems] == ["json.invalid"]
    assert result.problems[0].severity == "error"


@pytest.mark.parametrize("document", [[], {}, 5, "text", [1, 2], {"a": 1, "b": 2}, [None]])
def test_json_that_is_not_records_is_an_error(document):
    result = read(document)
    assert result.sheets == []
    assert [p.code for p in result.problems] == ["json.not_records"]


def test_deep_nesting_is_an_error_not_a_crash():
    result = read(b"[" * 100_000 + b"]" * 100_000)
    assert result.sheets == []
    assert result.problems[0].severity == "error"


def test_utf16_json_is_read():
    data = json.dumps([{"Pays": "Côte d'Ivoire"}], ensure_ascii=False).encode("utf-16")
    result = read(data)
    assert result.sheets[0].cells.iloc[1, 0] == "Côte d'Ivoire"

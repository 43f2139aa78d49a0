"""precheck: hostile files are refused with the right code before any parser runs;
ordinary files pass; no bytes make it raise. Also: openpyxl refuses entity expansion
because defusedxml is installed."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maaor.read.precheck import (
    DEFAULT_LIMITS,
    Limits,
    PartFacts,
    column_letters,
    column_number,
    precheck,
    precheck_report,
)
from maaor.sources import Source
from tests import hostile


def codes(name: str, data: bytes, limits: Limits = DEFAULT_LIMITS) -> list[str]:
    return [p.code for p in precheck(Source(name, data), limits)]


def only(name: str, data: bytes, limits: Limits = DEFAULT_LIMITS):
    problems = precheck(Source(name, data), limits)
    assert len(problems) == 1, problems
    problem = problems[0]
    assert problem.severity == "error"
    assert problem.file == name
    assert problem.message and problem.fix
    return problem


# --- workbooks that would take a reader down ------------------------------------------


def test_far_cell_workbook_is_refused():
    data = hostile.far_cell_xlsx()
    assert len(data) < 5000
    problem = only("plan.xlsx", data)
    assert problem.code == "xlsx.far_cell"
    assert problem.sheet == "Sheet1"
    assert problem.value == "XFD1048576"
    assert "row 1,048,576" in problem.message
    assert "column XFD" in problem.message


def test_far_column_alone_is_refused():
    problem = only("plan.xlsx", hostile.far_column_xlsx())
    assert problem.code == "xlsx.far_cell"
    assert problem.value == "XFD2"


def test_far_cell_with_namespace_prefix_is_refused():
    problem = only("plan.xlsx", hostile.prefixed_far_cell_xlsx())
    assert problem.code == "xlsx.far_cell"
    assert problem.value == "XFD5"


def test_million_rows_declared_and_used_are_refused():
    # Refused for the cell that holds data in row 1,048,576; the <dimension> alone
    # no longer counts (issue 12: a stale dimension never refuses a file).
    problems = precheck(Source("plan.xlsx", hostile.million_rows_xlsx()))
    assert [(p.code, p.value) for p in problems] == [("xlsx.far_cell", "B1048576")]


def test_declared_dimension_alone_is_accepted():
    # Issue 12: a stale <dimension ref="A1:XFD1048576"> is the writer's claim, not data.
    assert codes("plan.xlsx", hostile.declared_dimension_xlsx()) == []


def test_rectangle_over_the_cell_limit_is_refused():
    problem = only("plan.xlsx", hostile.big_rectangle_xlsx("CV100000"))
    assert problem.code == "xlsx.too_many_cells"
    assert problem.value == "A1:CV100000"
    assert "10,000,000 cells" in problem.message


def test_dense_sheet_over_the_cell_limit_is_named_to_its_last_row():
    """The exact walk stops at the first cell past the cell limit; the message names the
    sheet's whole range (it named A1:AD31 of a sheet reaching row 60)."""
    columns = [column_letters(c) for c in range(1, 31)]  # A..AD
    rows = "".join(
        f'<row r="{r}">' + "".join(f'<c r="{col}{r}"><v>{r}</v></c>' for col in columns)
        + "</row>"
        for r in range(1, 61)
    )
    data = hostile.xlsx_from_sheet(f"<sheetData>{rows}</sheetData>")
    problem = only("plan.xlsx", data, Limits(max_cells=900))
    assert problem.code == "xlsx.too_many_cells"
    assert problem.value == "A1:AD60"
    assert "1,800 cells" in problem.message
    assert "30 columns may have at most 30 rows" in problem.message


@pytest.mark.parametrize("prefix", ["", "x:"])
def test_rows_without_numbers_are_counted(prefix):
    data = hostile.rows_without_numbers_xlsx(150, prefix)
    problems = precheck(Source("plan.xlsx", data), Limits(max_rows=100))
    assert [(p.code, p.value) for p in problems] == [("xlsx.far_cell", "A150")]
    assert codes("plan.xlsx", data, Limits(max_rows=150)) == []


def test_row_and_column_limits_are_configurable():
    data = hostile.big_rectangle_xlsx("CV100000")
    assert codes("plan.xlsx", data, Limits(max_cells=10_000_000)) == []
    assert codes("plan.xlsx", data, Limits(max_rows=99_999)) == ["xlsx.far_cell"]
    assert codes("plan.xlsx", data, Limits(max_columns=99)) == ["xlsx.far_cell"]


def test_inflating_sheet_is_refused_from_the_zip_directory():
    data = hostile.inflating_xlsx(4_000_000)
    assert len(data) < 50_000
    # A sheet has its own byte limit (it scales with the cells allowed, issue 16).
    problem = only("plan.xlsx", data, Limits(max_member_bytes=1_000_000,
                                             max_sheet_bytes=1_000_000))
    assert problem.code == "xlsx.member_too_large"
    assert problem.value == "xl/worksheets/sheet1.xml"
    assert "for a sheet (room for 6,000,000 cells" in problem.message
    # With the default limits, the compression ratio gives it away.
    assert codes("plan.xlsx", data) == ["xlsx.ratio"]


def test_whole_workbook_over_the_total_limit_is_refused():
    data = hostile.inflating_xlsx(600_000)
    limits = Limits(max_member_bytes=1_000_000, max_total_bytes=500_000, max_ratio=10_000)
    assert codes("plan.xlsx", data, limits) == ["xlsx.zip_too_large"]


def test_sheet_that_inflates_past_its_declared_size_is_refused():
    # The directory says 1,000 bytes; the stream inflates to 4 MB. The scan measures
    # the stream, not the directory.
    data = hostile.lying_size_xlsx(4_000_000, 1000)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.getinfo("xl/worksheets/sheet1.xml").file_size == 1000
    problem = only("plan.xlsx", data, Limits(max_member_bytes=1_000_000,
                                             max_sheet_bytes=1_000_000))
    assert problem.code == "xlsx.inflated"
    assert problem.sheet == "Sheet1"
    # Within the limits, the mismatch itself is damage.
    assert codes("plan.xlsx", hostile.lying_size_xlsx(3000, 1000)) == ["xlsx.corrupt"]


def test_too_many_zip_entries_are_refused():
    data = hostile.many_entries_xlsx(60)
    problem = only("plan.xlsx", data, Limits(max_zip_entries=50))
    assert problem.code == "xlsx.too_many_entries"
    assert problem.value == "65"
    assert codes("plan.xlsx", data, Limits(max_zip_entries=100)) == []


@pytest.mark.parametrize(
    ("build", "part"),
    [
        (hostile.entity_expansion_xlsx, "xl/worksheets/sheet1.xml"),
        (hostile.entity_expansion_shared_strings_xlsx, "xl/sharedStrings.xml"),
        (hostile.utf16_entity_expansion_xlsx, "xl/worksheets/sheet1.xml"),
    ],
)
def test_document_type_declarations_are_refused(build, part):
    problem = only("plan.xlsx", build())
    assert problem.code == "xlsx.dtd"
    assert problem.value == part


def test_encoding_that_hides_markup_is_refused():
    problem = only("plan.xlsx", hostile.ebcdic_sheet_xlsx())
    assert problem.code == "xlsx.encoding"
    assert problem.value == "cp500"


@pytest.mark.parametrize("chunk_bytes", [1, 7, 100, 4096])
@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (hostile.far_cell_xlsx, ["xlsx.far_cell"]),
        (hostile.million_rows_xlsx, ["xlsx.far_cell"]),
        (hostile.entity_expansion_xlsx, ["xlsx.dtd"]),
        (hostile.utf16_entity_expansion_xlsx, ["xlsx.dtd"]),
        (hostile.prefixed_far_cell_xlsx, ["xlsx.far_cell"]),
        (hostile.valid_xlsx, []),
    ],
)
def test_results_do_not_depend_on_chunk_boundaries(build, expected, chunk_bytes):
    assert codes("plan.xlsx", build(), Limits(chunk_bytes=chunk_bytes)) == expected


@pytest.mark.parametrize("prefix", ["", "x:"])
def test_rows_counted_once_across_chunks(prefix):
    data = hostile.rows_without_numbers_xlsx(150, prefix)
    for chunk_bytes in (1, 5, 64, 10_000):
        assert codes("plan.xlsx", data, Limits(max_rows=150, chunk_bytes=chunk_bytes)) == []
        assert codes("plan.xlsx", data, Limits(max_rows=149, chunk_bytes=chunk_bytes)) == [
            "xlsx.far_cell"
        ]


# --- files that are not what their name says -------------------------------------------


@pytest.mark.parametrize("name", ["plan.xlsx", "plan.csv", "plan.json", "plan.xlsm"])
def test_empty_file_is_refused(name):
    assert only(name, b"").code == "file.empty"


def test_word_document_named_xlsx_is_named():
    problem = only("plan.xlsx", hostile.docx_named_xlsx())
    assert problem.code == "file.not_xlsx"
    assert "Word document" in problem.message


def test_pdf_named_xlsx_is_named():
    problem = only("plan.xlsx", hostile.pdf_bytes())
    assert problem.code == "file.not_xlsx"
    assert "PDF" in problem.message


def test_zip_archive_named_xlsx_is_named():
    problem = only("plan.xlsx", hostile.plain_zip())
    assert problem.code == "file.not_xlsx"
    assert "ZIP archive" in problem.message


def test_csv_named_xlsx_is_named():
    problem = only("plan.xlsx", hostile.large_csv(3))
    assert problem.code == "file.not_xlsx"
    assert "text file" in problem.message
    assert ".csv" in problem.fix


def test_encrypted_workbook_is_refused():
    problem = only("plan.xlsx", hostile.encrypted_xlsx())
    assert problem.code == "file.encrypted"
    assert problem.fix == "Save the workbook again from Excel as .xlsx without a password."
    assert only("plan.xls", hostile.encrypted_xlsx()).code == "file.encrypted"


def test_legacy_xls_named_xlsx_is_refused():
    problem = only("plan.xlsx", hostile.legacy_xls())
    assert problem.code == "file.legacy_xls"
    assert ".xls" in problem.message


def test_damaged_zip_is_refused():
    data = hostile.valid_xlsx()
    assert only("plan.xlsx", data[: len(data) // 2]).code == "xlsx.corrupt"


# --- size limits and text files --------------------------------------------------------


def test_file_over_the_size_limit_is_refused():
    data = hostile.large_csv(2000)
    problem = only("4w.csv", data, Limits(max_file_bytes=10_000))
    assert problem.code == "file.too_large"
    assert problem.value == str(len(data))
    assert codes("4w.csv", data) == []


def test_json_over_the_size_limit_is_refused():
    data = b"[" + b",".join(b'{"org": "UNMAS"}' for _ in range(1000)) + b"]"
    assert codes("4w.json", data, Limits(max_file_bytes=1000)) == ["file.too_large"]
    assert codes("4w.json", data) == []


def test_default_size_limit_is_25_mb():
    assert DEFAULT_LIMITS.max_file_bytes == 25 * 1024 * 1024
    assert codes("4w.csv", b"a" * (25 * 1024 * 1024 + 1)) == ["file.too_large"]


def test_binary_file_named_csv_is_refused():
    problem = only("4w.csv", hostile.binary_csv())
    assert problem.code == "file.binary"
    assert "binary file" in problem.message
    assert "PNG image" in problem.message


def test_workbook_named_csv_is_named():
    problem = only("4w.csv", hostile.valid_xlsx())
    assert problem.code == "file.binary"
    assert "Excel workbook" in problem.message


@pytest.mark.parametrize(
    "data", [hostile.utf16_csv(), hostile.utf16_csv_without_bom(), "a;b\n1;2\n".encode("utf-16-be")]
)
def test_utf16_text_is_not_binary(data):
    assert codes("4w.csv", data) == []
    assert codes("4w.txt", data) == []


# --- ordinary files pass ---------------------------------------------------------------


def test_valid_workbook_passes():
    assert precheck(Source("plan.xlsx", hostile.valid_xlsx())) == []
    assert precheck(Source("plan.xlsm", hostile.valid_xlsx())) == []


def test_pandas_workbook_of_thousands_of_rows_passes():
    import pandas as pd

    frame = pd.DataFrame(
        {
            "Country": ["Iraq", "Ukraine", "Colombia"] * 2000,
            "Organisation": [f"Org {i}" for i in range(6000)],
            "Budget": range(6000),
        }
    )
    buf = io.BytesIO()
    frame.to_excel(buf, index=False, engine="openpyxl")
    assert precheck(Source("4w.xlsx", buf.getvalue())) == []


def test_real_world_files_pass(shared_dir):
    files = sorted(p for p in (shared_dir / "real-world").rglob("*") if p.is_file())
    data_files = [p for p in files if p.suffix in (".csv", ".json")]
    assert data_files
    for path in data_files:
        assert precheck(Source.from_path(path)) == [], path.name


def test_unknown_extension_gets_only_size_checks():
    # The reader dispatch refuses unknown extensions; the precheck does not guess.
    assert codes("notes.docx", hostile.docx_named_xlsx()) == []
    assert codes("notes.docx", b"") == ["file.empty"]


def test_column_number():
    assert [column_number(s) for s in ("A", "Z", "AA", "SF", "XFD")] == [1, 26, 27, 500, 16384]


# --- never raises -----------------------------------------------------------------------

NAMES = st.sampled_from(["f.xlsx", "f.xlsm", "f.xls", "f.csv", "f.txt", "f.json", "f"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=NAMES, data=st.binary(max_size=4096))
def test_arbitrary_bytes_never_raise(name, data):
    result = precheck(Source(name, data))
    assert isinstance(result, list)
    assert all(p.severity == "error" and p.file == name for p in result)
    # "file.unreadable" is the catch-all for an unexpected exception inside precheck.
    assert "file.unreadable" not in [p.code for p in result]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=NAMES, data=st.binary(max_size=2048))
def test_zip_magic_then_garbage_never_raises(name, data):
    result = precheck(Source(name, b"PK\x03\x04" + data))
    assert isinstance(result, list)
    assert "file.unreadable" not in [p.code for p in result]


_VALID = hostile.valid_xlsx()
_FAR = hostile.far_cell_xlsx()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    base=st.sampled_from([_VALID, _FAR]),
    edits=st.lists(
        st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=255)),
        min_size=1,
        max_size=8,
    ),
)
def test_corrupted_workbooks_never_raise(base, edits):
    data = bytearray(base)
    for position, byte in edits:
        data[position % len(data)] = byte
    result = precheck(Source("plan.xlsx", bytes(data)), Limits(chunk_bytes=64))
    assert isinstance(result, list)
    assert "file.unreadable" not in [p.code for p in result]


# --- openpyxl and defusedxml --------------------------------------------------------------


def test_openpyxl_uses_defusedxml():
    import openpyxl

    assert openpyxl.DEFUSEDXML is True


@pytest.mark.parametrize(
    "build", [hostile.entity_expansion_xlsx, hostile.entity_expansion_shared_strings_xlsx]
)
def test_openpyxl_refuses_entity_expansion(build):
    import openpyxl
    from defusedxml import EntitiesForbidden

    with pytest.raises(ValueError) as excinfo:
        openpyxl.load_workbook(io.BytesIO(build()))
    cause = excinfo.value.__cause__ or excinfo.value.__context__
    assert isinstance(cause, EntitiesForbidden)


def test_openpyxl_reads_the_hand_built_workbooks():
    # The hostile workbooks are valid OOXML: refusing them is the precheck's doing,
    # not a side effect of broken test files.
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(hostile.far_column_xlsx())).active
    assert sheet["A1"].value == 1
    assert sheet["XFD2"].value == 2


def test_internal_failure_becomes_a_problem(monkeypatch):
    import maaor.read.precheck as module

    def broken(source, limits):
        raise RuntimeError("bug")

    monkeypatch.setattr(module, "_precheck", broken)
    problem = only("plan.xlsx", hostile.valid_xlsx())
    assert problem.code == "file.unreadable"


_SHEET1 = "xl/worksheets/sheet1.xml"


def _plain_rows(body: str) -> str:
    return hostile.SHEET_HEAD + f"<sheetData>{body}</sheetData></worksheet>"


def test_report_records_each_part_for_a_plain_workbook():
    data = hostile.valid_xlsx()
    report = precheck_report(Source("plan.xlsx", data))
    assert report.problems == []
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        size = zf.getinfo(_SHEET1).file_size
    assert report.parts[_SHEET1] == PartFacts(size, formula_marks=False, error_marks=False,
                                              merge_marks=False)
    assert "xl/workbook.xml" in report.parts


@pytest.mark.parametrize(
    ("cell", "formula", "error"),
    [
        ('<c r="A1"><f>1+1</f><v>2</v></c>', True, False),
        ('<c r="A1" t="e"><v>#REF!</v></c>', False, True),
        ("<c r='A1' t='e'><v>#N/A</v></c>", False, True),
        ('<c r="A1"><v>5</v></c>', False, False),
    ],
)
def test_report_marks_formulas_and_error_cells(cell, formula, error):
    data = hostile.xlsx_from_sheet(_plain_rows(f'<row r="1">{cell}</row>'))
    facts = precheck_report(Source("plan.xlsx", data)).parts[_SHEET1]
    assert (facts.formula_marks, facts.error_marks) == (formula, error)


def test_report_marks_prefixed_formulas_cut_by_a_chunk_boundary():
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 300))
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<x:sheetData>{rows}<x:row r="300"><x:c r="A300"><x:f>A1*2</x:f></x:c></x:row>'
        "</x:sheetData></x:worksheet>"
    )
    data = hostile.xlsx_from_sheet(xml)
    facts = precheck_report(Source("plan.xlsx", data), Limits(chunk_bytes=1000)).parts[_SHEET1]
    assert facts.formula_marks is True
    assert facts.error_marks is False


def test_report_keeps_no_facts_for_refused_or_utf16_files():
    refused = precheck_report(Source("plan.xlsx", hostile.far_cell_xlsx()))
    assert [p.code for p in refused.problems] == ["xlsx.far_cell"]
    assert refused.parts == {}
    utf16 = _plain_rows('<row r="1"><c r="A1"><v>1</v></c></row>').replace(
        'encoding="UTF-8"', 'encoding="UTF-16"'
    )
    data = hostile.xlsx_from_sheet(utf16.encode("utf-16"))
    report = precheck_report(Source("plan.xlsx", data))
    assert report.problems == []
    assert _SHEET1 not in report.parts


def test_report_keeps_no_facts_for_a_part_failing_its_crc():
    data = bytearray(hostile.valid_xlsx())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo(_SHEET1)
    # Corrupt the CRC-32 in the central directory entry of the sheet part.
    name = _SHEET1.encode()
    central = bytes(data).find(b"PK\x01\x02", 0)
    while central >= 0:
        name_len = int.from_bytes(data[central + 28 : central + 30], "little")
        if bytes(data[central + 46 : central + 46 + name_len]) == name:
            data[central + 16 : central + 20] = (info.CRC ^ 0xFFFF).to_bytes(4, "little")
            break
        central = bytes(data).find(b"PK\x01\x02", central + 4)
    assert central >= 0
    report = precheck_report(Source("plan.xlsx", bytes(data)))
    assert report.problems == []
    assert _SHEET1 not in report.parts
    assert "xl/workbook.xml" in report.parts


def test_a_sheet_may_hold_more_xml_than_any_other_part():
    # 4 MB of sheet XML: over the limit of any other part, within the sheet's own.
    data = hostile.inflating_xlsx(4_000_000)
    limits = Limits(max_member_bytes=1_000_000, max_sheet_bytes=8_000_000, max_ratio=10_000)
    assert codes("plan.xlsx", data, limits) == []
    assert codes("plan.xlsx", data, replace(limits, max_sheet_bytes=2_000_000)) == [
        "xlsx.member_too_large"]


def test_the_row_limit_binds_before_the_xml_size_for_a_template_wide_4w():
    """A 4W of the template's width at the row limit fits the sheet byte limit (issue
    16: the 23-column 4W hit the 100 MB XML limit near 129,000 rows)."""
    from maaor import columns

    width = len(columns.FIELDS["presence"])
    limits = DEFAULT_LIMITS
    assert limits.max_rows * width <= limits.max_cells
    # A real row of the template, as Excel writes it (long references, styles, types).
    row = "".join(f'<c r="{col}199999" s="12" t="s"><v>1234567</v></c>'
                  for col in (column_letters(i + 1) for i in range(width)))
    row_xml = f'<row r="199999" spans="1:{width}">{row}</row>'
    assert limits.max_rows * len(row_xml) <= limits.max_sheet_bytes
    assert limits.max_rows * len(row_xml) + limits.max_member_bytes <= limits.max_total_bytes

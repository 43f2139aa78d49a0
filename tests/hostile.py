"""Builders of hostile (and one harmless) input files, in memory, for the read-layer tests.

Every builder returns the file's bytes. The hostile workbooks are assembled by hand with
``zipfile`` from the smallest set of OOXML parts a reader accepts, so each one is a few
kilobytes however large the sheet it pretends to hold.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)

ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)

WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets>'
    "</workbook>"
)

WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)

SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def xlsx_from_sheet(sheet_xml: str | bytes, extra: dict[str, str | bytes] | None = None) -> bytes:
    """A one-sheet workbook whose ``xl/worksheets/sheet1.xml`` is ``sheet_xml``.

    Args:
        sheet_xml: the whole worksheet part.
        extra: further parts (name -> content) added as they are.

    Returns:
        The .xlsx bytes (deflate-compressed members).
    """
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        for name, content in (extra or {}).items():
            z.writestr(name, content)
    return buf.getvalue()


def far_cell_xlsx() -> bytes:
    """Valid workbook with values in A1 and XFD1048576 (a reader allocating the rectangle
    between them needs ~17 billion cells). No ``<dimension>``, so only the cell
    references give it away."""
    sheet = (
        SHEET_HEAD + "<sheetData>"
        '<row r="1"><c r="A1"><v>1</v></c></row>'
        '<row r="1048576"><c r="XFD1048576"><v>2</v></c></row>'
        "</sheetData></worksheet>"
    )
    return xlsx_from_sheet(sheet)


def far_column_xlsx() -> bytes:
    """Workbook with a value in column XFD of row 2 only (too wide, not too long)."""
    sheet = (
        SHEET_HEAD + "<sheetData>"
        '<row r="1"><c r="A1"><v>1</v></c></row>'
        '<row r="2"><c r="XFD2"><v>2</v></c></row>'
        "</sheetData></worksheet>"
    )
    return xlsx_from_sheet(sheet)


def million_rows_xlsx() -> bytes:
    """Sheet declaring ``A1:B1048576`` and holding its last row at r="1048576"."""
    sheet = (
        SHEET_HEAD + '<dimension ref="A1:B1048576"/><sheetData>'
        '<row r="1"><c r="A1"><v>1</v></c></row>'
        '<row r="1048576"><c r="B1048576"><v>2</v></c></row>'
        "</sheetData></worksheet>"
    )
    return xlsx_from_sheet(sheet)


def declared_dimension_xlsx() -> bytes:
    """Sheet whose cells are tiny but whose ``<dimension>`` claims the whole grid."""
    sheet = (
        SHEET_HEAD + '<dimension ref="A1:XFD1048576"/><sheetData>'
        '<row r="1"><c r="A1"><v>1</v></c></row>'
        "</sheetData></worksheet>"
    )
    return xlsx_from_sheet(sheet)


def inflating_xlsx(inflated_bytes: int = 4_000_000) -> bytes:
    """Workbook whose sheet XML decompresses to about ``inflated_bytes`` (use a low limit
    in the test: 4 MB of one repeated row compresses to a few kilobytes)."""
    row = '<row r="1"><c r="A1"><v>1</v></c></row>'
    body = row * (inflated_bytes // len(row) + 1)
    return xlsx_from_sheet(SHEET_HEAD + "<sheetData>" + body + "</sheetData></worksheet>")


def lying_size_xlsx(inflated_bytes: int = 4_000_000, declared_bytes: int = 1000) -> bytes:
    """Like ``inflating_xlsx`` but the zip directory and local header claim the sheet
    unpacks to only ``declared_bytes`` (with the CRC of that prefix, so Python's zipfile
    sees a small valid member while a reader that inflates the stream gets it all)."""
    data = bytearray(inflating_xlsx(inflated_bytes))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
        prefix = z.read(info)[:declared_bytes]
    crc = zlib.crc32(prefix)
    # Local header: CRC at +14, uncompressed size at +22.
    struct.pack_into("<I", data, info.header_offset + 14, crc)
    struct.pack_into("<I", data, info.header_offset + 22, declared_bytes)
    # Central directory entry: CRC at +16, uncompressed size at +24.
    name = info.filename.encode()
    central = data.find(b"PK\x01\x02")
    while data[central + 46 : central + 46 + len(name)] != name:
        central = data.find(b"PK\x01\x02", central + 4)
    struct.pack_into("<I", data, central + 16, crc)
    struct.pack_into("<I", data, central + 24, declared_bytes)
    return bytes(data)


BILLION_LAUGHS_DTD = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">'
    '<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">'
    '<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">'
    '<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">'
    '<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">'
    '<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">'
    "]>"
)


def entity_expansion_xlsx() -> bytes:
    """Workbook whose sheet XML carries a billion-laughs DTD and uses ``&lol9;`` in an
    inline-string cell (10^9 "lol"s if a parser expands it)."""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        + BILLION_LAUGHS_DTD
        + '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    return xlsx_from_sheet(sheet)


def entity_expansion_shared_strings_xlsx() -> bytes:
    """Workbook whose shared-strings part carries the billion-laughs DTD; the sheet's
    A1 refers to the expanded string."""
    shared = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        + BILLION_LAUGHS_DTD
        + '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    )
    sheet = (
        SHEET_HEAD + '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row>'
        "</sheetData></worksheet>"
    )
    content_types = CONTENT_TYPES.replace(
        "</Types>",
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    rels = WORKBOOK_RELS.replace(
        "</Relationships>",
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", content_types)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", rels)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        z.writestr("xl/sharedStrings.xml", shared)
    return buf.getvalue()


def utf16_entity_expansion_xlsx() -> bytes:
    """The billion-laughs sheet saved as UTF-16 (a byte scan for "<!DOCTYPE" in UTF-8
    would miss it)."""
    sheet = (
        '<?xml version="1.0" encoding="UTF-16" standalone="yes"?>\n'
        + BILLION_LAUGHS_DTD
        + '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    return xlsx_from_sheet(sheet.encode("utf-16"))


def ebcdic_sheet_xlsx() -> bytes:
    """A sheet declared (and encoded) in EBCDIC, which hides its markup from byte scans."""
    sheet = (
        '<?xml version="1.0" encoding="cp500"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="XFD1"><v>1</v></c></row></sheetData></worksheet>'
    )
    return xlsx_from_sheet(sheet.encode("ascii"))


def prefixed_far_cell_xlsx() -> bytes:
    """Far cell written with a namespace prefix (``<x:c r="XFD5">``), as the .NET Open
    XML SDK writes sheets."""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<x:sheetData><x:row r="5"><x:c r="XFD5" t="n"><x:v>1</x:v></x:c></x:row>'
        "</x:sheetData></x:worksheet>"
    )
    return xlsx_from_sheet(sheet)


def rows_without_numbers_xlsx(n_rows: int, prefix: str = "") -> bytes:
    """Sheet of ``n_rows`` rows and cells with no r="" attributes (positions implied),
    optionally with a namespace prefix such as ``"x:"``."""
    p = prefix
    body = f"<{p}row><{p}c><{p}v>1</{p}v></{p}c></{p}row>" * n_rows
    if not p:
        return xlsx_from_sheet(SHEET_HEAD + "<sheetData>" + body + "</sheetData></worksheet>")
    return xlsx_from_sheet(
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<{p}worksheet xmlns:{p[:-1]}="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<{p}sheetData>{body}</{p}sheetData></{p}worksheet>"
    )


def big_rectangle_xlsx(last_cell: str = "CV100000") -> bytes:
    """Two cells, A1 and ``last_cell``: within the row and column limits one by one,
    but the rectangle between them (100,000 x 100 = 10 million cells) is not."""
    row = "".join(ch for ch in last_cell if ch.isdigit())
    sheet = (
        SHEET_HEAD + "<sheetData>"
        '<row r="1"><c r="A1"><v>1</v></c></row>'
        f'<row r="{row}"><c r="{last_cell}"><v>2</v></c></row>'
        "</sheetData></worksheet>"
    )
    return xlsx_from_sheet(sheet)


def docx_named_xlsx() -> bytes:
    """A minimal Word document (what a user uploads after renaming report.docx)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"/>',
        )
        z.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Work plan</w:t></w:r>'
            "</w:p></w:body></w:document>",
        )
    return buf.getvalue()


def plain_zip() -> bytes:
    """A zip archive holding a CSV (neither a workbook nor a Word document)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("data.csv", "a,b\n1,2\n")
    return buf.getvalue()


def many_entries_xlsx(n: int) -> bytes:
    """Valid-looking workbook padded with ``n`` tiny extra members."""
    return xlsx_from_sheet(
        SHEET_HEAD + "<sheetData/></worksheet>",
        extra={f"xl/media/pad{i}.txt": "x" for i in range(n)},
    )


def pdf_bytes() -> bytes:
    """The start of a PDF file (enough for magic-number checks)."""
    return b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + b"\n" * 64


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def encrypted_xlsx() -> bytes:
    """An OLE2 compound file naming an ``EncryptedPackage`` stream: how Excel stores a
    password-protected .xlsx (header, padding and the directory entry name suffice)."""
    return (
        OLE_MAGIC
        + b"\x00" * 504
        + "EncryptedPackage".encode("utf-16-le")
        + b"\x00" * 32
        + "EncryptionInfo".encode("utf-16-le")
        + b"\x00" * 256
    )


def legacy_xls() -> bytes:
    """An OLE2 compound file with a ``Workbook`` stream: an Excel 97-2003 .xls."""
    return OLE_MAGIC + b"\x00" * 504 + "Workbook".encode("utf-16-le") + b"\x00" * 256


def large_csv(n_rows: int = 2000) -> bytes:
    """A CSV of ``n_rows`` lines (about 20 bytes each); pair it with a low size limit."""
    lines = ["country,organisation,budget"] + [f"AFG,Org {i},{i * 100}" for i in range(n_rows)]
    return ("\n".join(lines) + "\n").encode()


def binary_csv() -> bytes:
    """Bytes with NULs that are not UTF-16 text (an image renamed .csv)."""
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256))


def utf16_csv() -> bytes:
    """A harmless CSV saved as UTF-16 with a byte-order mark (Excel's "Unicode text")."""
    return "country\tbudget\nAFG\t100\n".encode("utf-16")


def utf16_csv_without_bom() -> bytes:
    """A harmless UTF-16-LE CSV with no byte-order mark."""
    return "country,budget\nAFG,100\nIRQ,200\n".encode("utf-16-le")


def valid_xlsx() -> bytes:
    """A small, ordinary work plan written by openpyxl: must pass every check."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Work plan"
    ws.append(["Activity", "Country", "Status", "Budget (USD)"])
    ws.append(["Deliver EORE sessions", "Iraq", "Ongoing", 120000])
    ws.append(["Mine action AoR coordination", "Ukraine", "Completed", 45000.5])
    ws.append(["Victim assistance mapping", "Colombia", "Not started", None])
    notes = wb.create_sheet("Notes")
    notes["A1"] = "Prepared by the MA AoR coordinator"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- issue 12: positional cells, shared strings, width bombs, long cells, stale extents --


def positional_cells_xlsx(width: int = 16_384, far_row: int = 150_000) -> bytes:
    """About 2 KB: a first row of ``width`` cells written without ``r=""`` (placed by
    position), then one cell in row ``far_row``. A reader allocating the rectangle
    needs ``width x far_row`` cells (150,000 x 16,384 x 32 bytes = 78 GB for calamine)."""
    sheet = (
        SHEET_HEAD + "<sheetData><row>" + "<c><v>1</v></c>" * width + "</row>"
        f'<row r="{far_row}"><c><v>2</v></c></row></sheetData></worksheet>'
    )
    return xlsx_from_sheet(sheet)


def shared_string_bomb_xlsx(text_chars: int = 30_000, cells: int = 100_000) -> bytes:
    """One shared string of ``text_chars`` (incompressible) characters named by
    ``cells`` cells: a reader that copies the string into each cell holds
    ``cells x text_chars`` characters (3 GB by default) from a file of about 200 KB."""
    import random
    import string

    rnd = random.Random(12)
    text = "".join(rnd.choices(string.ascii_letters, k=text_chars))
    sst = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{cells}" uniqueCount="1"><si><t>{text}</t></si></sst>'
    )
    per_row = 10
    rows = "".join(
        f'<row r="{r}">'
        + "".join(f'<c r="{chr(65 + c)}{r}" t="s"><v>0</v></c>' for c in range(per_row))
        + "</row>"
        for r in range(1, cells // per_row + 1)
    )
    sheet = SHEET_HEAD + "<sheetData>" + rows + "</sheetData></worksheet>"
    return xlsx_from_sheet(sheet, {"xl/sharedStrings.xml": sst})


def long_cell_xlsx(chars: int = 2_000_000) -> bytes:
    """A header row and one organisation name of ``chars`` incompressible characters."""
    import random
    import string

    rnd = random.Random(7)
    name = "".join(rnd.choices(string.ascii_letters, k=chars))
    sheet = (
        SHEET_HEAD + "<sheetData>"
        '<row r="1"><c r="A1" t="inlineStr"><is><t>organisation</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>country</t></is></c></row>'
        f'<row r="2"><c r="A2" t="inlineStr"><is><t>{name}</t></is></c>'
        '<c r="B2" t="inlineStr"><is><t>AFG</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    return xlsx_from_sheet(sheet)


def long_cell_csv(chars: int = 2_000_000) -> bytes:
    """A CSV whose one organisation name is ``chars`` characters long."""
    return ("organisation,country\n" + "x" * chars + ",AFG\n").encode("utf-8")


def long_cell_json(chars: int = 2_000_000) -> bytes:
    """A JSON file whose one organisation name is ``chars`` characters long."""
    return ('[{"organisation": "' + "x" * chars + '", "country": "AFG"}]').encode("utf-8")


def csv_width_bomb(columns: int = 150_000, rows: int = 20_000) -> bytes:
    """About 0.4 MB: a header of ``columns`` empty fields, then ``rows`` short lines. A
    reader padding every line to the widest one builds ``columns x rows`` cells."""
    return ("," * (columns - 1) + "\n" + "a\n" * rows).encode("ascii")


def json_width_bomb(records: int = 60_000) -> bytes:
    """About 1 MB: every record has its own field name, so a table of the records has
    ``records`` columns and ``records`` rows (3.6 billion cells)."""
    return ("[" + ",".join(f'{{"k{i}":1}}' for i in range(records)) + "]").encode("ascii")


def json_list_width_bomb(width: int = 300_000, rows: int = 5_000) -> bytes:
    """One record of ``width`` values then ``rows`` records of one value (lists)."""
    return ("[[" + ",".join("0" * width) + "]" + ",[1]" * rows + "]").encode("ascii")


def csv_many_rows(rows: int = 250_000) -> bytes:
    """A CSV of a header and ``rows`` short lines (over the 200,000-row limit)."""
    return ("a,b\n" + "1,2\n" * rows).encode("ascii")


def stale_dimension_xlsx() -> bytes:
    """A small ordinary sheet whose ``<dimension>`` still claims the whole grid."""
    sheet = (
        SHEET_HEAD + '<dimension ref="A1:XFD1048576"/><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>organisation</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>country</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>HALO Trust</t></is></c>'
        '<c r="B2" t="inlineStr"><is><t>AFG</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    return xlsx_from_sheet(sheet)


def formatted_empty_far_cell_xlsx(row: int = 300_000) -> bytes:
    """A small ordinary sheet plus one formatted EMPTY cell at A``row`` (no value)."""
    sheet = (
        SHEET_HEAD + "<sheetData>"
        '<row r="1"><c r="A1" t="inlineStr"><is><t>organisation</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>country</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>HALO Trust</t></is></c>'
        '<c r="B2" t="inlineStr"><is><t>AFG</t></is></c></row>'
        f'<row r="{row}" ht="30" customHeight="1"><c r="A{row}" s="1"/></row>'
        "</sheetData></worksheet>"
    )
    return xlsx_from_sheet(sheet)

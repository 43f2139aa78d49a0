"""Writers of old-format and OpenDocument spreadsheets for tests and the field corpus.

``ods_bytes`` writes a minimal OpenDocument spreadsheet by hand (mimetype, manifest,
content.xml), so merged ranges and repeated cells can be written exactly; ``xls_bytes``
uses xlwt (BIFF8, test requirement only).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from xml.sax.saxutils import escape

#: One sheet: (name, rows, merges) with merges as (row, col, rows spanned, cols spanned).
Sheet = tuple[str, list[list[object]], list[tuple[int, int, int, int]]]

_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def ods_cell(value: object, attrs: str = "") -> str:
    """content.xml of one cell holding ``value`` (None: an empty cell)."""
    if value is None:
        return f"<table:table-cell{attrs}/>"
    if isinstance(value, bool):
        raise TypeError("booleans are not used in the corpus")
    if isinstance(value, (int, float)):
        return (f'<table:table-cell{attrs} office:value-type="float" office:value="{value}">'
                f"<text:p>{value}</text:p></table:table-cell>")
    if isinstance(value, dt.date):
        return (f'<table:table-cell{attrs} office:value-type="date" office:date-value="{value.isoformat()}">'
                f"<text:p>{value.isoformat()}</text:p></table:table-cell>")
    return (f'<table:table-cell{attrs} office:value-type="string"><text:p>{escape(str(value))}'
            "</text:p></table:table-cell>")


def ods_from_content(tables_xml: str) -> bytes:
    """An .ods file whose spreadsheet body is ``tables_xml`` (``<table:table>`` elements)."""
    content = ('<?xml version="1.0" encoding="UTF-8"?>'
               f'<office:document-content {_NS} office:version="1.2"><office:body>'
               f"<office:spreadsheet>{tables_xml}</office:spreadsheet></office:body>"
               "</office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
                'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" '
                'manifest:media-type="text/xml"/></manifest:manifest>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        info = zipfile.ZipInfo("mimetype", date_time=(2024, 1, 1, 0, 0, 0))
        z.writestr(info, "application/vnd.oasis.opendocument.spreadsheet")
        for name, text in (("META-INF/manifest.xml", manifest), ("content.xml", content)):
            z.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), text,
                       compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def ods_bytes(sheets: list[Sheet]) -> bytes:
    """An .ods file with the given sheets (values, and merged ranges written as
    ``number-rows-spanned``/``number-columns-spanned`` with covered cells)."""
    tables = []
    for name, rows, merges in sheets:
        spans = {(r, c): (rs, cs) for r, c, rs, cs in merges}
        covered = {(r + i, c + j) for r, c, rs, cs in merges
                   for i in range(rs) for j in range(cs) if (i, j) != (0, 0)}
        parts = [f'<table:table table:name="{escape(name)}">']
        for r, row in enumerate(rows):
            parts.append("<table:table-row>")
            for c, value in enumerate(row):
                if (r, c) in covered:
                    parts.append("<table:covered-table-cell/>")
                    continue
                attrs = ""
                if (r, c) in spans:
                    rs, cs = spans[(r, c)]
                    attrs = f' table:number-rows-spanned="{rs}" table:number-columns-spanned="{cs}"'
                parts.append(ods_cell(value, attrs))
            parts.append("</table:table-row>")
        parts.append("</table:table>")
        tables.append("".join(parts))
    return ods_from_content("".join(tables))


def xls_bytes(sheets: list[Sheet]) -> bytes:
    """An Excel 97-2003 (.xls) file with the given sheets and merged ranges."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for name, rows, merges in sheets:
        sheet = book.add_sheet(name)
        starts = {(r, c): (rs, cs) for r, c, rs, cs in merges}
        covered = {(r + i, c + j) for r, c, rs, cs in merges
                   for i in range(rs) for j in range(cs) if (i, j) != (0, 0)}
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if (r, c) in covered:
                    continue
                style = date_style if isinstance(value, dt.date) else xlwt.Style.default_style
                if (r, c) in starts:
                    rs, cs = starts[(r, c)]
                    sheet.write_merge(r, r + rs - 1, c, c + cs - 1, value, style)
                elif value is not None:
                    sheet.write(r, c, value, style)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()

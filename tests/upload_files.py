"""Upload files built for tests from the bundled data (shared by tests/app and the CLI tests)."""

from __future__ import annotations

import io

import openpyxl

from tests.paths import ROOT

BUNDLED_4W = ROOT / "data" / "illustrative" / "presence_4w.xlsx"
#: The four countries of :func:`four_country_4w`, as written and as ISO3.
FOUR_COUNTRIES = ("Burkina Faso", "Mali", "Niger", "Nigeria")
FOUR_ISO3 = ("BFA", "MLI", "NER", "NGA")
#: "Women reached" on every row of :func:`four_country_4w` (not a value of the bundled file).
WOMEN_REACHED = 4321


def four_country_4w() -> bytes:
    """The bundled 4W cut to four countries, every row with ``WOMEN_REACHED`` women
    reached: publishing it replaces those countries' rows one for one."""
    book = openpyxl.load_workbook(BUNDLED_4W)
    sheet = book["4W presence"]
    headers = [c.value for c in sheet[1]]
    country, women = headers.index("Country"), headers.index("Women reached")
    # Row 2 is the HXL hashtag row: kept. Delete from the bottom so indexes hold.
    for row in range(sheet.max_row, 2, -1):
        if sheet.cell(row=row, column=country + 1).value not in FOUR_COUNTRIES:
            sheet.delete_rows(row)
        else:
            sheet.cell(row=row, column=women + 1).value = WOMEN_REACHED
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_bytes(header: list[object], rows: list[list[object]], title: str = "4W") -> bytes:
    """A one-sheet workbook: ``header`` above ``rows``, on a sheet named ``title``."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in [header, *rows]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def presence_xlsx(rows: list[list[object]]) -> bytes:
    """A one-sheet 4W workbook (Organisation, Country, Admin 1, Pillar, Status, Women
    reached) holding ``rows``."""
    return xlsx_bytes(["Organisation", "Country", "Admin 1", "Pillar", "Status", "Women reached"],
                      rows)


IRAQ_4W = presence_xlsx([
    ["UNMAS", "Iraq", "Ninewa", "Land release", "active", 10],
    ["HALO Trust", "Iraq", "Anbar", "Explosive ordnance risk education", "active", 5],
])
MALI_4W = presence_xlsx([
    ["UNMAS", "Mali", "Gao", "Land release", "active", 7],
    ["Humanity & Inclusion", "Mali", "Mopti", "Victim assistance", "active", 3],
])

"""A 4W with no country column takes its country from OCHA P-codes."""

from maaor.load import load_sources
from maaor.sources import Source


def _load(text: str):
    return load_sources([Source("w.csv", text.encode("utf-8"))])


def test_single_country_from_pcodes_fills_blank_codes_with_a_warning():
    res = _load("Organisation,Admin 2 code,Pillar\nMAG,VUT0104002,EORE\nNPA,0,Clearance\n")
    assert res.ok
    assert res.dataset.presence["country_iso3"].tolist() == ["VUT", "VUT"]
    codes = {(p.severity, p.code, p.row, p.column) for p in res.problems}
    assert ("note", "country.from_pcode", None, "Admin 2 code") in codes
    assert ("warning", "country.from_file", 3, "Admin 2 code") in codes
    assert ("warning", "admin_code.invalid", 3, "Admin 2 code") in codes


def test_iso2_pcodes_and_mixed_countries_make_unplaceable_rows_errors():
    res = _load("Organisation,Admin 2 code,Pillar\nMAG,IQG01,EORE\nNPA,AF0101,Clearance\nMAG,,EORE\n")
    assert res.dataset.presence["country_iso3"].tolist()[:2] == ["IRQ", "AFG"]
    errors = [(p.code, p.row) for p in res.errors]
    assert errors == [("country.missing", 4)]

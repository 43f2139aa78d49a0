"""The offline admin-1 gazetteer: P-codes, ISO codes and name variants to admin-1 points."""

from __future__ import annotations

import json

import pytest

from maaor import gazetteer
from maaor.gazetteer import fold_name, lookup, skeleton, units
from tests.paths import ROOT

# The 19 countries with an in-country MA AoR in the domain brief, plus Chad and Cameroon.
MA_AOR_COUNTRIES = {
    "AFG", "BFA", "CAF", "COL", "COD", "ETH", "IRQ", "LBY", "MLI", "MMR", "NER", "NGA",
    "PSE", "SOM", "SSD", "SDN", "SYR", "UKR", "YEM", "TCD", "CMR",
}


def test_covers_every_country_with_an_ma_aor():
    assert MA_AOR_COUNTRIES <= set(gazetteer.countries())
    for iso3 in MA_AOR_COUNTRIES:
        assert units(iso3), iso3


def test_unit_counts_are_the_ocha_admin1_counts():
    # Counts of the OCHA global P-code list the file is built from.
    assert len(units("SYR")) == 14
    assert len(units("AFG")) == 34
    assert len(units("NGA")) == 37
    assert len(units("PSE")) == 2
    assert len(units("LBY")) == 3


def test_files_are_small():
    assert (ROOT / "data" / "geo" / "admin1.csv").stat().st_size < 200_000
    assert (ROOT / "data" / "geo" / "admin1.geojson").stat().st_size < 1_000_000


def test_fold_name_ignores_articles_case_accents_and_unit_words():
    assert fold_name("Al-Hasakeh") == fold_name("AL HASAKEH") == fold_name("Hasakeh Governorate") == "hasakeh"
    assert fold_name("Dar'a") == fold_name("Dar`a") == fold_name("DARA") == "dara"
    assert fold_name("Région du Centre-Nord") == fold_name("centre nord")
    assert skeleton("hasakeh") == skeleton("hassake") == skeleton("hasakah") == "hsk"


@pytest.mark.parametrize(
    "iso3, pcode, lat, lon",
    [
        ("SYR", "SY08", 36.3536, 40.9092),  # Al-Hasakeh
        ("UKR", "UA48", None, None),
        ("AFG", "AF01", None, None),
        ("NGA", "NG008", None, None),  # Borno
    ],
)
def test_pcode_only_gives_the_unit_and_its_point(iso3, pcode, lat, lon):
    match = lookup(iso3, pcode)
    assert match.how == "pcode"
    assert match.unit.pcode == pcode
    assert match.unit.lat is not None and match.unit.lon is not None
    if lat is not None:
        assert (match.unit.lat, match.unit.lon) == (lat, lon)


def test_pcode_written_loosely_still_matches():
    assert lookup("SYR", " sy-08 ").unit.pcode == "SY08"
    assert lookup("SYR", "SY-HA").how == "iso_3166_2"
    assert lookup("SYR", "SY-HA").unit.pcode == "SY08"


def test_4w_with_pcodes_only_lands_on_the_right_points():
    rows = [("SYR", "SY08"), ("SYR", "SY07"), ("UKR", "UA14"), ("NGA", "NG008"), ("YEM", "YE18")]
    names = [lookup(iso3, code).unit.name for iso3, code in rows]
    assert names == ["Al-Hasakeh", "Idleb", "Donetska", "Borno", "Al Hodeidah"]
    # Points within the unit's bounding box (hand-checked against the map).
    hasakeh = lookup("SYR", "SY08").unit
    assert 35.5 < hasakeh.lat < 37.5 and 39.5 < hasakeh.lon < 42.5
    borno = lookup("NGA", "NG008").unit
    assert 10 < borno.lat < 14 and 11.5 < borno.lon < 14.7


@pytest.mark.parametrize(
    "text",
    ["Al-Hasakeh", "Hasakah", "Al Hasakah", "AL-HASAKEH GOVERNORATE", "Hassaké", "Al Hassake", "Hasake"],
)
def test_arabic_transliterations_of_hasakeh(text):
    assert lookup("SYR", text).unit.pcode == "SY08"


@pytest.mark.parametrize(
    "iso3, text, pcode",
    [
        ("SYR", "Deir Ez-Zor", "SY09"),
        ("SYR", "Dayr al Zour", "SY09"),
        ("SYR", "Raqqa", "SY11"),
        ("SYR", "Idlib", "SY07"),
        ("SYR", "Sweida", "SY13"),
        ("SYR", "Rif Dimashq", "SY03"),
        ("SYR", "Damascus", "SY01"),
        ("SYR", "Daraa", "SY12"),
        ("IRQ", "Ninawa", "IQG15"),
        ("IRQ", "Nineveh", "IQG15"),
        ("IRQ", "Salah al-Din", "IQG16"),
        ("IRQ", "At-Ta'mim", "IQG13"),
        ("YEM", "Hodeidah", "YE18"),
        ("YEM", "Al Hudaydah", "YE18"),
        ("YEM", "Taiz", "YE15"),
        ("YEM", "Amanat Al Asimah", "YE13"),
    ],
)
def test_arabic_transliteration_variants(iso3, text, pcode):
    assert lookup(iso3, text).unit.pcode == pcode


@pytest.mark.parametrize(
    "iso3, text, pcode",
    [
        ("CMR", "Extrême-Nord", "CM004"),
        ("CMR", "Far North", "CM004"),
        ("CMR", "Adamaoua", "CM001"),
        ("NER", "Tillaberi", "NE006"),
        ("MLI", "Tombouctou", "ML06"),
        ("TCD", "Lac", "TCD07"),
        ("COD", "Nord Kivu", "CD61"),
        ("COD", "Bas-Congo", "CD20"),
        ("PSE", "Cisjordanie", "PS01"),
        ("PSE", "Bande de Gaza", "PS02"),
        ("BFA", "Centre-Nord", "BF49"),
        ("BFA", "Région du Centre-Nord", "BF49"),
        ("SYR", "Alep", "SY02"),
        ("SSD", "Équatoria-Oriental", "SS02"),
    ],
)
def test_french_and_english_names(iso3, text, pcode):
    assert lookup(iso3, text).unit.pcode == pcode


def test_french_names_land_on_the_right_points():
    extreme_nord = lookup("CMR", "Extrême-Nord").unit
    assert 10 < extreme_nord.lat < 13.1 and 13.5 < extreme_nord.lon < 15.7
    tillaberi = lookup("NER", "Tillabéri").unit
    assert 12 < tillaberi.lat < 16 and 0 < tillaberi.lon < 4


def test_former_unit_names_its_successors():
    katanga = lookup("COD", "Katanga").unit
    assert katanga.status == "former" and katanga.pcode == ""
    assert set(katanga.successors) == {"CD71", "CD72", "CD73", "CD74"}
    sahel = lookup("BFA", "Sahel").unit
    assert sahel.status == "former" and set(sahel.successors) == {"BF59", "BF64"}
    assert 13 < sahel.lat < 15.5 and -2 < sahel.lon < 1


def test_ocha_name_outranks_a_variant():
    # OCHA's "Kyiv" is the city (UA80); Natural Earth's oblast also has the variant "Kyiv".
    assert lookup("UKR", "Kyiv").unit.pcode == "UA80"


def test_unknown_name_gives_closest_matches():
    match = lookup("SYR", "Homz")
    assert match.unit is None
    assert "Homz" in match.reason and "SYR" in match.reason
    assert match.candidates[0][0].pcode == "SY04"
    bomo = lookup("NGA", "Bomo")  # "Borno" misread: offered, not chosen
    assert bomo.unit is None
    assert "NG008" in [u.pcode for u, _ in bomo.candidates]
    assert all(0 < score <= 100 for _, score in bomo.candidates)


@pytest.mark.parametrize(
    "iso3, text, pcode",
    [("SYR", "Lattakya", "SY06"), ("IRQ", "Anbaar", "IQG01"), ("SOM", "Lower Shabeele", "SO23")],
)
def test_vowel_spellings_match_by_skeleton(iso3, text, pcode):
    match = lookup(iso3, text)
    assert (match.unit.pcode, match.how) == (pcode, "skeleton")


def test_ambiguous_name_is_not_guessed():
    match = lookup("UKR", "Kiev")
    assert match.unit is None
    assert "more than one" in match.reason
    assert {c.pcode for c, _ in match.candidates[:2]} == {"UA32", "UA80"}


def test_empty_and_unknown_country():
    assert lookup("SYR", "  ").reason == "empty"
    assert lookup("FRA", "Bretagne").reason.startswith("no admin-1 gazetteer")
    assert lookup("SYR", None).unit is None


def test_boundaries_file_matches_the_gazetteer():
    data = json.loads((ROOT / "data" / "geo" / "admin1.geojson").read_text(encoding="utf-8"))
    pcodes = {f["properties"]["pcode"] for f in data["features"]}
    known = {u.pcode for iso3 in gazetteer.countries() for u in units(iso3)}
    assert pcodes <= known
    assert {"SY08", "PS01", "PS02", "LY01", "BF64"} <= pcodes
    # A unit without a trustworthy polygon has none (Mali's regions after the 2023 reform).
    assert "ML11" not in pcodes


@pytest.mark.parametrize(
    "iso3, text, pcode, admin2, how",
    [
        ("LBY", "Benghazi", "LY01", ("LY0103", "Benghazi"), "admin2_name"),
        ("LBY", "Misrata", "LY02", ("LY0214", "Misrata"), "admin2_name"),
        ("LBY", "LY0103", "LY01", ("LY0103", "Benghazi"), "admin2_pcode"),
        ("SYR", "SY0203", "SY02", ("SY0203", "Afrin"), "admin2_pcode"),
        ("COD", "Beni", "CD61", ("CD6109", "Beni"), "admin2_name"),
    ],
)
def test_admin2_in_the_admin1_column_gives_its_parent(iso3, text, pcode, admin2, how):
    match = lookup(iso3, text)
    assert (match.unit.pcode, match.admin2, match.how) == (pcode, admin2, how)


def test_admin1_name_outranks_an_admin2_of_the_same_name():
    # Kabul is both the province AF01 and its district AF0101.
    match = lookup("AFG", "Kabul")
    assert (match.unit.pcode, match.how, match.admin2) == ("AF01", "name", None)


def test_illustrative_4w_admin1_cells_are_all_placed():
    import pandas as pd

    data = pd.read_excel(ROOT / "data" / "illustrative" / "presence_4w.xlsx", engine="calamine")
    data = data[~data["Country"].astype(str).str.startswith("#")]
    iso = {
        "Afghanistan": "AFG", "Burkina Faso": "BFA", "Central African Republic": "CAF",
        "Colombia": "COL", "Democratic Republic of the Congo": "COD", "Ethiopia": "ETH",
        "Iraq": "IRQ", "Libya": "LBY", "Mali": "MLI", "Myanmar": "MMR", "Niger": "NER",
        "Nigeria": "NGA", "occupied Palestinian territory": "PSE", "Somalia": "SOM",
        "South Sudan": "SSD", "Sudan": "SDN", "Syria": "SYR", "Ukraine": "UKR", "Yemen": "YEM",
    }
    unplaced = sorted({
        (c, a) for c, a in zip(data["Country"], data["Admin 1"], strict=True)
        if lookup(iso[c], a).unit is None
    })
    # Only Libya's "Sirte" (OCHA writes the district "Sirt") is left to a person.
    assert unplaced == [("Libya", "Sirte")]


def test_every_point_lies_in_its_country():
    # Bounding boxes of the bundled 1:110m country outlines, widened by 0.7 degree for
    # what 1:110m leaves out (Gaza, the Crimean coast, islands near the shore).
    data = json.loads((ROOT / "data" / "geo" / "countries-110m.geojson").read_text(encoding="utf-8"))
    boxes: dict[str, list[float]] = {}
    for feature in data["features"]:
        iso3, (x0, y0, x1, y1) = feature["properties"]["iso3"], feature["properties"]["bbox"]
        if iso3 in boxes:
            bx = boxes[iso3]
            boxes[iso3] = [min(bx[0], x0), min(bx[1], y0), max(bx[2], x1), max(bx[3], y1)]
        else:
            boxes[iso3] = [x0, y0, x1, y1]
    outside = []
    for unit in gazetteer.load_units():
        if unit.lat is None or unit.pcode == "CO88":  # San Andrés lies 700 km off the coast
            continue
        x0, y0, x1, y1 = boxes[unit.iso3]
        if not (x0 - 0.7 <= unit.lon <= x1 + 0.7 and y0 - 0.7 <= unit.lat <= y1 + 0.7):
            outside.append((unit.iso3, unit.name))
    assert outside == []


def test_point_counts_and_sources():
    current = [u for iso3 in gazetteer.countries() for u in units(iso3)]
    assert len(current) == 392
    assert sum(u.lat is not None for u in current) == 327
    assert {u.point_source for u in current} == {
        "ne_label", "ne_union_centroid", "ne_label_of_larger_unit", ""}
    # Units carved out of a larger Natural Earth unit have no point rather than a wrong one.
    assert lookup("COD", "Ituri").unit.lat is None
    assert lookup("MLI", "Ménaka").unit.lat is None

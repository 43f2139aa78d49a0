"""4W admin-1 places from the offline gazetteer: P-codes and name variants to the area's
point, unknown names warned with the closest areas, confirmed names applied."""

import pandas as pd

from maaor import gazetteer
from maaor.load import load_sources
from maaor.orgs import OrgDirectory
from maaor.sources import Source


def _load(text: str, aliases=None):
    return load_sources([Source("w.csv", text.encode("utf-8"))], aliases=aliases)


def _point(iso3: str, pcode: str) -> tuple[float, float]:
    unit = next(u for u in gazetteer.units(iso3) if u.pcode == pcode)
    return unit.lat, unit.lon


def test_a_4w_with_pcodes_only_is_placed_on_the_admin1_points():
    res = _load("Organisation,Admin 1 code,Pillar\nMAG,SY08,EORE\nNPA,SY02,Clearance\n"
                "HALO Trust,IQG15,EORE\n")
    presence = res.dataset.presence
    # the country comes from the P-codes, the name and point from the gazetteer
    assert presence["country_iso3"].tolist() == ["SYR", "SYR", "IRQ"]
    assert presence["admin1"].tolist() == ["Al-Hasakeh", "Aleppo", "Ninewa"]
    points = list(zip(presence["lat"], presence["lon"], strict=True))
    assert points == [_point("SYR", "SY08"), _point("SYR", "SY02"), _point("IRQ", "IQG15")]
    assert 36 < points[0][0] < 37 and 40 < points[0][1] < 42  # Al-Hasakeh, north-east Syria
    placed = [p for p in res.problems if p.code == "admin1.placed"]
    assert [(p.severity, p.column) for p in placed] == [("note", "Admin 1 code")]
    assert placed[0].message.startswith("3 rows without coordinates were placed")


def test_name_variants_arabic_transliterations_and_french_give_one_area():
    rows = [
        ("MAG", "Syria", "Al-Hasakeh"), ("NPA", "Syria", "Hasakah"),
        ("DDG", "Syria", "Al Hasakah"), ("HI", "Syria", "Hassaké"),
        ("MAG", "Iraq", "Ninawa"), ("NPA", "Iraq", "Ninewa Governorate"),
        ("MAG", "Yemen", "Sana'a"), ("MAG", "Libya", "Benghazi"),
        ("MAG", "Somalia", "Banadir"), ("NPA", "Mali", "Région de Kidal"),
        ("HI", "Burkina Faso", "Centre-Nord"), ("MAG", "Niger", "Tillaberi"),
        ("MAG", "Syria", "Alep"), ("NPA", "Syria", "Lattaquié"), ("HI", "Iraq", "Ninive"),
        ("MAG", "Syria", "Dayr az Zawr"),
    ]
    text = "Organisation,Country,Admin 1,Pillar\n" + "".join(f"{o},{c},{a},EORE\n" for o, c, a in rows)
    presence = _load(text).dataset.presence
    assert presence["admin1"].tolist() == [a for *_, a in rows]  # kept as written
    assert presence["admin1_code"].tolist()[:4] == ["SY08"] * 4
    assert set(zip(presence["lat"][:4], presence["lon"][:4], strict=True)) == {_point("SYR", "SY08")}
    assert presence["admin1_code"].tolist()[4:6] == ["IQG15"] * 2
    # Benghazi is a Libyan district (admin 2): the row goes to its region
    libya = presence.loc[presence["country_iso3"] == "LBY"].iloc[0]
    assert libya["admin1_code"] == next(u.pcode for u in gazetteer.units("LBY") if u.name == "East")
    # French names and another transliteration
    names = {u.pcode: u.name for c in ("SYR", "IRQ", "MLI", "NER") for u in gazetteer.units(c)}
    assert [names[c] for c in presence["admin1_code"].tolist()[-4:]] == [
        "Aleppo", "Lattakia", "Ninewa", "Deir-ez-Zor"]
    assert names[presence["admin1_code"][9]] == "Kidal" and names[presence["admin1_code"][11]] == "Tillabéri"
    assert presence["admin1_code"].notna().all()
    # every area with a gazetteer point got it
    with_point = [gazetteer.lookup(c, code).unit.lat is not None
                  for c, code in zip(presence["country_iso3"], presence["admin1_code"], strict=True)]
    assert presence["lat"].notna().tolist() == with_point


def test_given_coordinates_are_kept():
    res = _load("Organisation,Country,Admin 1,Latitude,Longitude,Pillar\n"
                "MAG,Syria,Hasakah,36.5,40.75,EORE\nNPA,Syria,Hasakah,,,EORE\n")
    presence = res.dataset.presence
    assert (presence["lat"][0], presence["lon"][0]) == (36.5, 40.75)
    assert pd.isna(presence["admin1_code"][0])  # a row with its own point is left alone
    assert (presence["lat"][1], presence["lon"][1]) == _point("SYR", "SY08")
    assert presence["admin1"].tolist() == ["Hasakah", "Hasakah"]  # names kept as written
    assert presence["admin1_code"][1] == "SY08"


def test_unknown_admin1_names_are_warnings_with_the_closest_areas():
    res = _load("Organisation,Country,Admin 1,Pillar\nMAG,Syria,Hasake City Centre,EORE\n"
                "MAG,Syria,Hasake City Centre,Clearance\nNPA,Iraq,Atlantis,EORE\n")
    assert res.ok  # a warning, not an error
    warned = [p for p in res.problems if p.code == "admin1.unknown"]
    assert [(p.severity, p.row, p.column, p.value) for p in warned] == [
        ("warning", 2, "Admin 1", "Hasake City Centre"), ("warning", 3, "Admin 1", "Hasake City Centre"),
        ("warning", 4, "Admin 1", "Atlantis")]
    assert warned[0].message.startswith("'Hasake City Centre' is not an admin-1 area")
    assert "Did you mean: Al-Hasakeh" in warned[0].message
    assert "Vouliez-vous dire : Al-Hasakeh" in warned[0].message_in("fr")
    assert "Did you mean" not in warned[2].message  # nothing close to Atlantis
    presence = res.dataset.presence
    assert presence["admin1"][0] == "Hasake City Centre" and pd.isna(presence["lat"][0])
    assert res.unknown_admin1() == [("SYR", "Hasake City Centre"), ("IRQ", "Atlantis")]


def test_a_confirmed_admin1_name_is_applied_and_is_not_an_organisation_alias():
    alias = gazetteer.admin1_alias("SYR", "Hasake City Centre")
    res = _load("Organisation,Country,Admin 1,Pillar\nMAG,Syria,Hasake City Centre,EORE\n",
                aliases={alias: "SY08", "Halo": "The HALO Trust"})
    presence = res.dataset.presence
    assert presence["admin1_code"][0] == "SY08" and presence["admin1"][0] == "Hasake City Centre"
    assert (presence["lat"][0], presence["lon"][0]) == _point("SYR", "SY08")
    assert not [p for p in res.problems if p.code == "admin1.unknown"]
    orgs, places = gazetteer.split_aliases({alias: "SY08", "Halo": "The HALO Trust"})
    assert orgs == {"Halo": "The HALO Trust"} and places == {("SYR", "hasakecitycentre"): "SY08"}
    directory = OrgDirectory.bundled().with_aliases({alias: "SY08"})
    assert directory.canonical(alias) is None


def test_countries_without_a_gazetteer_are_left_alone():
    res = _load("Organisation,Country,Admin 1,Pillar\nMAG,France,Bretagne,EORE\n")
    assert res.dataset.presence["admin1"][0] == "Bretagne"
    assert not [p for p in res.problems if p.code.startswith("admin1.")]

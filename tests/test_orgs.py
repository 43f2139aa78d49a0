"""Organisation directory and the "Lead and Partners" cell parser."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from maaor.orgs import Org, OrgDirectory, parse_org_cell
from maaor.vocab import ORG_TYPES


@pytest.fixture(scope="module")
def d() -> OrgDirectory:
    return OrgDirectory.bundled()


def cell(markup: str) -> tuple[str, list[bool] | None]:
    """Text and per-character bold flags of a ``<b>``-marked string (None without bold)."""
    text, flags, bold = "", [], False
    for piece in re.split(r"(</?b>)", markup):
        if piece == "<b>":
            bold = True
        elif piece == "</b>":
            bold = False
        else:
            text += piece
            flags += [bold] * len(piece)
    return text, (flags if "<b>" in markup else None)


def parse(markup: str, d: OrgDirectory):
    text, bold = cell(markup)
    return parse_org_cell(text, d, bold)


# ------------------------------------------------------------------ directory


def test_bundled_is_cached_and_types_are_vocabulary_codes(d):
    assert OrgDirectory.bundled() is d
    types = {d.org_type(name) for name in d.names()}
    assert types <= set(ORG_TYPES)
    assert {"un", "ingo", "nngo", "government", "red_cross", "coordination", "donor"} <= types


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("HI", "Humanity & Inclusion"),
        ("Handicap International", "Humanity & Inclusion"),
        ("Humanity & Inclusion", "Humanity & Inclusion"),
        ("humanity and inclusion", "Humanity & Inclusion"),
        ("Handicap International - Humanity & Inclusion", "Humanity & Inclusion"),
        ("HALO", "The HALO Trust"),
        ("Halo Trust", "The HALO Trust"),
        ("United Nations Mine Action Service", "UNMAS"),
        ("UNMAS (GVA Office)", "UNMAS"),
        ("UN OCHA", "OCHA"),
        ("Office for the Coordination of Humanitarian Affairs", "OCHA"),
        ("Mines Advisory Group", "MAG"),
        ("Norwegian People's Aid", "NPA"),
        ("Danish Refugee Council", "DRC"),
        ("Fondation Suisse de Deminage", "FSD"),
        ("Swiss Foundation for Mine Action", "FSD"),
        ("DCA", "DanChurchAid"),
        ("ICBL-CMC", "ICBL"),
        ("Gender & Mine Action Programme – GMAP", "GMAP"),
        ("Gender and Mine Action Programme", "GMAP"),
        ("Hand in Hand or Syria", "Hand in Hand for Syria"),
        ("GPC cell", "GPC"),
        ("GPC TT on learning", "GPC"),
        ("Global Protection Cluster", "GPC"),
        ("MA AOR Coordinator", "MA AoR Coordinator"),
        ("Mine Action AoR", "MA AoR Coordinator"),
        ("Child Protection AoR", "CP AoR Coordinator"),
        ("MA & CP Field Coordinators", "Field AoR Coordinators"),
        ("Geneva International Centre for Humanitarian Demining", "GICHD"),
        ("Danish Demining Group", "DDG"),
        ("AICMA", "Descontamina Colombia"),
        ("State Emergency Service of Ukraine", "SESU"),
    ],
)
def test_canonical_resolves_aliases(d, written, canonical):
    assert d.canonical(written) == canonical


def test_ddg_and_drc_stay_distinct(d):
    # DDG became part of DRC later; 2018-2019 data name them separately.
    assert d.canonical("DDG") != d.canonical("DRC")


def test_org_type(d):
    assert d.org_type("UNMAS") == "un"
    assert d.org_type("Handicap International") == "ingo"
    assert d.org_type("ICRC") == "red_cross"
    assert d.org_type("MA AoR Coordinator") == "coordination"
    assert d.org_type("Iraq DMA") == "government"
    assert d.org_type("Nowhere Org") is None


def test_unknown_is_none(d):
    assert d.canonical("Acme Demining Ltd") is None
    assert d.canonical(None) is None
    assert d.canonical(float("nan")) is None


def test_normalise_keeps_unknown_as_written_and_flags_it(d):
    names = pd.Series(["Handicap International", " Acme Demining ", None, "HI", "unmas"])
    canon, known = d.normalise(names)
    assert canon.tolist()[:2] == ["Humanity & Inclusion", "Acme Demining"]
    assert pd.isna(canon.iloc[2])
    assert canon.tolist()[3:] == ["Humanity & Inclusion", "UNMAS"]
    assert known.dtype == "boolean"
    assert known.tolist()[:2] == [True, False]
    assert known.iloc[2] is pd.NA
    assert known.tolist()[3:] == [True, True]


def test_suggest_finds_close_spellings(d):
    assert d.suggest("Handicap Internatonal")[0][0] == "Humanity & Inclusion"
    assert d.suggest("Norwegian Peoples Aide")[0][0] == "NPA"
    assert d.suggest("Geneva Intl Centre Humanitarian Demining")[0][0] == "GICHD"
    best = d.suggest("UNMASS", limit=2)
    assert best[0][0] == "UNMAS" and len(best) <= 2
    assert all(0 <= score <= 100 for _, score in best)
    assert d.suggest("") == []


def test_with_aliases_adds_overrides_and_creates(d):
    extra = d.with_aliases({"Halo Trust Afghanistan": "HALO", "Acme": "Acme Demining", "DCA": "DRC"})
    assert extra.canonical("halo trust afghanistan") == "The HALO Trust"
    assert extra.canonical("ACME") == "Acme Demining"
    assert extra.org_type("Acme Demining") is None
    assert extra.canonical("DCA") == "DRC"  # the coordinator's word wins
    assert extra.canonical("DanChurchAid") == "DanChurchAid"
    assert d.canonical("DCA") == "DanChurchAid"  # the bundled directory is unchanged
    # New aliases are found inside free text too.
    assert parse_org_cell("UNMAS Acme", extra).partners == ["Acme Demining"]


def test_from_csv_rejects_an_alias_claimed_twice(tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_text("name,org_type,aliases\nAAA,un,Alpha\nBBB,ingo,ALPHA\n", encoding="utf-8")
    with pytest.raises(ValueError, match="Alpha|ALPHA"):
        OrgDirectory.from_csv(path)
    path.write_text("name,org_type,aliases\nAAA,charity,\n", encoding="utf-8")
    with pytest.raises(ValueError, match="org_type"):
        OrgDirectory.from_csv(path)


def test_names_are_sorted_and_complete(d):
    names = d.names()
    assert names == sorted(names, key=str.casefold)
    for required in ("UNMAS", "UNICEF", "GICHD", "The HALO Trust", "Humanity & Inclusion", "WHO"):
        assert required in names


# ------------------------------------------------------------------ parse_org_cell (seed)


def test_seed_1_1_1_no_bold_first_is_lead_people_are_focal_points(d):
    c = parse(
        "MA AoR Coordinator (Christelle Loupforest) UNMAS (Sarah Marshall) NPA (Rasmus Sandvoll "
        "Weschke) Hand in Hand or Syria",
        d,
    )
    assert c.leads == ["MA AoR Coordinator"]
    assert c.partners == ["UNMAS", "NPA", "Hand in Hand for Syria"]
    assert c.focal_points == ["Christelle Loupforest", "Sarah Marshall", "Rasmus Sandvoll Weschke"]
    assert (c.tentative, c.unknown, c.notes) == (False, [], [])


def test_seed_1_3_1_long_names_and_dash(d):
    c = parse(
        "MA AoR Coordinator GICHD (Olivier Cottray) Gender & Mine Action Programme – GMAP (Dominic "
        "Wolsey) UNMAS (Sarah Marshall) UNICEF (Hugues Laurenge) MAG (Chris Loughran) Handicap "
        "International (Elke Hottentot)",
        d,
    )
    assert c.leads == ["MA AoR Coordinator"]
    assert c.partners == ["GICHD", "GMAP", "UNMAS", "UNICEF", "MAG", "Humanity & Inclusion"]
    assert c.focal_points == [
        "Olivier Cottray", "Dominic Wolsey", "Sarah Marshall", "Hugues Laurenge",
        "Chris Loughran", "Elke Hottentot",
    ]  # fmt: skip
    assert c.unknown == []


def test_seed_1_4_1_bracket_remark_is_a_note(d):
    c = parse("UNMAS NPA MAG HI GICHD (support 1.4.2. with an Information Management expertise gap analysis)", d)
    assert c.leads == ["UNMAS"]
    assert c.partners == ["NPA", "MAG", "Humanity & Inclusion", "GICHD"]
    assert c.notes == ["GICHD (support 1.4.2. with an Information Management expertise gap analysis)"]
    assert c.focal_points == []


def test_seed_1_6_1_bold_slash_group_gives_co_leads(d):
    c = parse(
        "<b>UNICEF/UNMAS</b> MA AoR Coordinator CP AoR Coordinator (Michael Copland) MA & CP Field "
        "Coordinators\nMAG NPA Hand in Hand for Syria (Claire Hanley) UNMAS HI",
        d,
    )
    assert c.leads == ["UNICEF", "UNMAS"]
    assert c.partners == [
        "MA AoR Coordinator", "CP AoR Coordinator", "Field AoR Coordinators", "MAG", "NPA",
        "Hand in Hand for Syria", "Humanity & Inclusion",
    ]  # fmt: skip
    assert c.focal_points == ["Michael Copland", "Claire Hanley"]


def test_slash_group_is_co_lead_without_bold(d):
    c = parse("UNICEF/UNMAS MAG", d)
    assert c.leads == ["UNICEF", "UNMAS"] and c.partners == ["MAG"]


def test_seed_2_1_1_remark_after_partner(d):
    c = parse(
        "MA AOR Coordinator GPC Coordinator NGO representative CP Coordinator (for joint activities "
        "related to children)",
        d,
    )
    assert c.leads == ["MA AoR Coordinator"]
    assert c.partners == ["GPC", "NGO representative", "CP AoR Coordinator"]
    assert c.notes == ["CP Coordinator (for joint activities related to children)"]


def test_seed_2_2_1_tbc_partner_is_not_a_tentative_lead(d):
    c = parse("MA AoR Coordinator UNMAS OCHA HI UNICEF Health Cluster (TBC)", d)
    assert c.leads == ["MA AoR Coordinator"]
    assert c.tentative is False
    assert "Health Cluster" in c.partners
    assert c.tentative_partners == ["Health Cluster"]


def test_seed_2_3_2_two_bold_runs_are_co_leads(d):
    c = parse("<b>UNMAS</b> <b>UNDP</b> HI", d)
    assert c.leads == ["UNMAS", "UNDP"]
    assert c.partners == ["Humanity & Inclusion"]


def test_seed_2_4_1_org_in_brackets_and_person(d):
    c = parse(
        "<b>MA AoR Coordinator</b> NPA (Siv Mjaaland) MAG WFP GICHD (role and potential of IM and "
        "information sharing across sectors) Early Recovery (UNDP)",
        d,
    )
    assert c.leads == ["MA AoR Coordinator"]
    assert c.partners == ["NPA", "MAG", "WFP", "GICHD", "Early Recovery", "UNDP"]
    assert c.focal_points == ["Siv Mjaaland"]
    assert c.notes == ["GICHD (role and potential of IM and information sharing across sectors)"]


def test_seed_2_6_1_duplicates_removed(d):
    c = parse("<b>GICHD</b> UNMAS GICHD\nMAG NPA", d)
    assert c.leads == ["GICHD"]
    assert c.partners == ["UNMAS", "MAG", "NPA"]


def test_seed_2_7_1_office_in_brackets_is_part_of_the_name(d):
    c = parse("ISU UNMAS (GVA Office) ICBL NGOs Academia UNDP", d)
    assert c.leads == ["ISU"]
    assert c.partners == ["UNMAS", "ICBL", "NGOs", "Academia", "UNDP"]
    assert c.focal_points == [] and c.notes == []


def test_seed_3_2_1_bold_lead_and_tentative_partner(d):
    c = parse(
        "<b>HI</b> UNMAS UNICEF (co-chair of IASC TT on inclusion of persons with disability in "
        "humanitarian action) International Disability Alliance (TBC) OCHA GMAP",
        d,
    )
    assert c.leads == ["Humanity & Inclusion"]
    assert c.tentative is False
    assert c.partners == ["UNMAS", "UNICEF", "International Disability Alliance", "OCHA", "GMAP"]
    assert c.tentative_partners == ["International Disability Alliance"]
    assert c.notes == [
        "UNICEF (co-chair of IASC TT on inclusion of persons with disability in humanitarian action)"
    ]


def test_seed_3_3_1_bold_group(d):
    c = parse("<b>UNICEF/MA AoR Coordinator</b> UNMAS UNDP GICHD (IM training) GPC TT on learning", d)
    assert c.leads == ["UNICEF", "MA AoR Coordinator"]
    assert c.partners == ["UNMAS", "UNDP", "GICHD", "GPC"]
    assert c.notes == ["GICHD (IM training)"]


def test_seed_4_1_1_name_with_brackets(d):
    c = parse("MA AOR Coordinator Support staff (HAO or IMO)", d)
    assert c.leads == ["MA AoR Coordinator"]
    assert c.partners == ["Support staff (HAO or IMO)"]


def test_seed_4_3_3_commas_and_bracket_note(d):
    c = parse("OCHA (Center for Humanitarian Data) UNICEF, UNMAS, GICHD, HI", d)
    assert c.leads == ["OCHA"]
    assert c.partners == ["UNICEF", "UNMAS", "GICHD", "Humanity & Inclusion"]
    assert c.notes == ["OCHA (Center for Humanitarian Data)"]
    assert c.focal_points == []


def test_seed_4_5_1_and_4_4_1(d):
    assert parse("GPC cell MA AOR Coordinator", d).leads == ["GPC"]
    assert parse("GPC cell MA AOR Coordinator", d).partners == ["MA AoR Coordinator"]
    assert parse("MA AoR", d).leads == ["MA AoR Coordinator"]


# ------------------------------------------------------------------ parse_org_cell (rules)


def test_unknown_text_between_known_orgs_is_kept_as_written(d):
    c = parse("UNMAS Acme Demining Ltd; Foo Relief and HI", d)
    assert c.leads == ["UNMAS"]
    assert c.partners == ["Acme Demining Ltd", "Foo Relief", "Humanity & Inclusion"]
    assert c.unknown == ["Acme Demining Ltd", "Foo Relief"]


def test_tentative_lead(d):
    c = parse("<b>UNDP (TBC)</b> UNMAS", d)
    assert c.leads == ["UNDP"] and c.tentative is True
    c = parse("UNDP (TBC), UNMAS", d)
    assert c.leads == ["UNDP"] and c.tentative is True and c.partners == ["UNMAS"]


def test_lower_case_words_are_not_taken_for_acronyms(d):
    c = parse("UNMAS with partners who work in the field", d)
    assert "WHO" not in c.partners + c.leads
    assert parse("WHO UNICEF", d).leads == ["WHO"]


def test_separators_split_unknown_names(d):
    c = parse("Alpha Org / Beta Org, Gamma Org\nDelta Org", d)
    assert c.leads == ["Alpha Org", "Beta Org"]
    assert c.partners == ["Gamma Org", "Delta Org"]


def test_roles_for_tidy_columns(d):
    assert parse_org_cell("UNICEF; UNMAS", d, role="lead").leads == ["UNICEF", "UNMAS"]
    p = parse_org_cell("Handicap International; Health Cluster (TBC)", d, role="partner")
    assert p.leads == [] and p.partners == ["Humanity & Inclusion", "Health Cluster"]
    assert p.tentative_partners == ["Health Cluster"]


def test_bold_flags_of_wrong_length_are_ignored(d):
    c = parse_org_cell("MAG UNMAS", d, bold=[False, True])
    assert c.leads == ["MAG"]


def test_blank_cell(d):
    for value in ("", "   ", None, float("nan")):
        c = parse_org_cell(value, d)
        assert (c.leads, c.partners, c.focal_points, c.unknown) == ([], [], [], [])


def test_org_dataclass_is_frozen():
    org = Org("X", "un", ("Y",))
    with pytest.raises(AttributeError):
        org.name = "Z"  # type: ignore[misc]

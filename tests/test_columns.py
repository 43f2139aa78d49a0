"""Tests of maaor.columns: fields, header aliases and HXL tag matching."""

from __future__ import annotations

import pandas as pd
import pytest

from maaor import columns
from maaor.dataset import TABLE_COLUMNS


def test_kinds_and_labels_cover_the_tables():
    assert columns.KINDS == ("workplan", "presence", "funding", "fts", "indicators", "mechanisms")
    assert set(columns.KIND_LABELS) == set(columns.KINDS)
    for kind in columns.KINDS:
        fields = [s.field for s in columns.FIELDS[kind]]
        assert fields, kind
        assert len(fields) == len(set(fields)), kind
        # Every mapped field is a column of the normalised table of that kind.
        assert set(fields) <= set(TABLE_COLUMNS[kind]), kind


def test_field_spec_holds_match_keys_and_normalised_tags():
    org = columns.spec("presence", "org")
    assert org.required is True
    assert org.label == "Organisation"
    assert org.aliases[0] == "organisation"
    assert "implementingpartner" in org.aliases
    assert "#org+impl+name" in org.hxl
    assert columns.spec("presence", "lat").type == "latitude"


def test_required_fields_follow_columns_csv():
    assert columns.required_fields("presence") == ["org", "country_iso3"]
    assert columns.required_fields("workplan") == [
        "objective_id",
        "output_id",
        "activity_id",
        "activity",
    ]


@pytest.mark.parametrize(
    ("kind", "header", "field"),
    [
        ("presence", "Organisation", "org"),
        ("presence", " ORGANIZATION ", "org"),
        ("presence", "Pays", "country_iso3"),
        ("presence", "Pilier", "pillar"),
        ("presence", "Statut", "status"),
        ("presence", "Date de début", "start"),
        ("presence", "date_de_debut", "start"),
        ("presence", "AnnualTarget", "target"),
        ("presence", "Achieved", "reached_total"),
        ("presence", "Admin level 1", "admin1"),
        # "Etat" is both a status and a state in columns.csv: the status lists it earlier.
        ("presence", "État", "status"),
        ("presence", "reached_total", "reached_total"),
        ("workplan", "Lead & partners", "leads"),
        ("workplan", "Budget (USD)", "budget_usd"),
        ("fts", "countryCode", "country_iso3"),
        ("fts", "percentFunded", "percent_funded"),
        ("funding", "requirements", "required_usd"),
    ],
)
def test_header_field_matches_labels_and_aliases(kind, header, field):
    assert columns.header_field(kind, header) == field


@pytest.mark.parametrize("header", ["", None, "Colour", "Organisation URL", 12])
def test_header_field_unknown_gives_none(header):
    assert columns.header_field("presence", header) is None


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("#org+name+impl", "#org+impl+name"),
        ("#ORG +impl +name", "#org+impl+name"),
        ("#org+impl+impl", "#org+impl"),
        ("#lat_deg", "#lat_deg"),
        ("org", None),
        ("#", None),
        ("#1st", None),
        ("#REF!", None),
        ("#org+", None),
        (None, None),
        (3.5, None),
    ],
)
def test_normalise_tag(tag, expected):
    assert columns.normalise_tag(tag) == expected


@pytest.mark.parametrize(
    ("kind", "tag", "field"),
    [
        ("presence", "#org+impl+name", "org"),
        ("presence", "#org+name+impl", "org"),
        ("presence", "#adm1+code", "admin1_code"),  # exact beats the bare #adm1
        ("presence", "#adm1", "admin1"),
        ("presence", "#reached+total", "reached_total"),
        # No exact entry: the entry with the most attributes that are all on the tag.
        ("presence", "#reached+f+children+total", "reached_girls"),
        ("presence", "#reached+m+adults+idps", "reached_men"),
        ("presence", "#sector+cluster", "pillar"),  # bare hashtag
        ("presence", "#lat_deg", "lat"),
        ("presence", "#lon_deg", "lon"),
        ("presence", "#geo+lat", "lat"),
        ("workplan", "#activity_id", "activity_id"),
        ("fts", "#value+funding+pct", "percent_funded"),
        # Extra attributes that do not change the meaning are fine.
        ("presence", "#adm1+code+v_pcode", "admin1_code"),  # not the name #adm1
        ("presence", "#org+impl+acronym", "org"),
        ("funding", "#org+funder+name", "donor"),
    ],
)
def test_hxl_field_matching(kind, tag, field):
    assert columns.hxl_field(kind, tag) == field


@pytest.mark.parametrize(
    ("kind", "tag"),
    [
        ("presence", "#period_date"),  # HXL 1.0-alpha, no field here
        ("presence", "#activity_id"),  # a 4W's activity id is not a work-plan id
        ("presence", "#meta+comment"),
        # Attributes that change the meaning are never taken for the plain field.
        ("presence", "#org+prog"),  # the programme partner is not the implementer
        ("presence", "#org+funder"),
        ("presence", "#reached+f+elderly"),  # elderly women are not all people reached
        ("presence", "#reached+m"),
        ("presence", "#reached+children"),
        ("presence", "not a tag"),
        ("presence", None),
    ],
)
def test_hxl_field_unknown_gives_none(kind, tag):
    assert columns.hxl_field(kind, tag) is None


def test_template_headers_are_the_labels_in_order():
    headers = columns.template_headers("presence")
    assert headers[:3] == ["Organisation", "Organisation type", "Country"]
    assert headers == [s.label for s in columns.FIELDS["presence"]]
    assert columns.template_headers("fts")[0] == "countryCode"


def test_header_keys_of_a_kind_and_of_all_kinds():
    assert "datededebut" in columns.header_keys("workplan")
    assert "percentfunded" not in columns.header_keys("presence")
    assert "percentfunded" in columns.ALL_HEADER_KEYS


def test_hxl_match_ranks_exact_tags_above_partial_and_bare_ones():
    exact = columns.hxl_match("presence", "#org+impl")
    partial = columns.hxl_match("presence", "#org+impl+acronym")
    bare = columns.hxl_match("presence", "#org+acronym")
    assert exact[0] == partial[0] == bare[0] == "org"
    assert exact[1] > partial[1] > bare[1]


def test_a_dataset_keeps_the_tables_given_and_makes_only_the_missing_ones(monkeypatch):
    import pandas as pd

    from maaor import dataset

    made = []
    real_empty = dataset.empty_table
    monkeypatch.setattr(dataset, "empty_table", lambda name: made.append(name) or real_empty(name))
    presence = real_empty("presence")
    ds = dataset.Dataset({"presence": presence})
    assert ds.tables["presence"] is presence
    assert made == [n for n in dataset.TABLES if n != "presence"]
    assert list(ds.tables) == list(dataset.TABLES)
    for name in made:
        pd.testing.assert_frame_equal(ds.tables[name], real_empty(name))


def test_empty_tables_are_each_callers_own_copy():
    from maaor import dataset

    first = dataset.empty_table("presence")
    first.attrs["touched"] = True
    second = dataset.empty_table("presence")
    assert "touched" not in second.attrs
    assert list(second.columns) == list(dataset.TABLE_COLUMNS["presence"])
    assert {c: str(t) for c, t in second.dtypes.items()} == {
        c: str(pd.Series(dtype=t).dtype) for c, t in dataset.TABLE_COLUMNS["presence"].items()}
    del second["org"]  # a change to one copy is not in the next
    assert "org" in dataset.empty_table("presence").columns

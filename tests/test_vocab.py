"""Tests for maaor.vocab: controlled vocabularies from vocab.csv."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from maaor import vocab
from maaor.textkey import match_key


def test_vocabularies_and_codes_in_csv_order():
    assert vocab.VOCABS == (
        "pillar", "wp_status", "presence_status", "org_type", "channel", "disaggregation", "direction",
    )
    assert vocab.codes("pillar") == [
        "land_release", "eore", "victim_assistance", "advocacy", "stockpile_destruction",
        "ied_threat_mitigation", "wam", "coordination", "unspecified",
    ]
    assert vocab.codes("wp_status") == ["not_started", "ongoing", "delayed", "suspended", "completed",
                                         "cancelled"]
    assert vocab.codes("presence_status") == ["planned", "active", "completed", "suspended"]
    assert vocab.codes("org_type") == [
        "un", "ingo", "nngo", "government", "red_cross", "commercial", "academia", "donor",
        "coordination", "other",
    ]
    assert vocab.codes("channel") == ["hrp", "cerf", "cbpf", "vtf", "bilateral", "other"]
    assert vocab.codes("disaggregation") == ["total", "women", "men", "girls", "boys"]
    assert vocab.codes("direction") == ["increase", "decrease"]
    assert vocab.PILLARS == tuple(vocab.codes("pillar"))
    assert vocab.STATUSES == tuple(vocab.codes("wp_status"))


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Land release", "land_release"),
        ("Non-Technical Survey", "land_release"),
        ("NTS", "land_release"),
        ("technical survey", "land_release"),
        ("Mine clearance", "land_release"),
        ("EOD", "land_release"),
        ("Battle Area Clearance", "land_release"),
        ("déminage", "land_release"),
        ("DEMINAGE", "land_release"),
        ("Enquête non technique", "land_release"),
        ("Remise à disposition des terres", "land_release"),
        ("Mine clearance / EOD", "land_release"),
        ("EORE", "eore"),
        ("MRE", "eore"),
        ("Mine Risk Education", "eore"),
        ("Éducation aux risques", "eore"),
        ("sensibilisation aux risques", "eore"),
        ("VA", "victim_assistance"),
        ("Assistance aux victimes", "victim_assistance"),
        ("Plaidoyer", "advocacy"),
        ("Destruction des stocks", "stockpile_destruction"),
        ("C-IED", "ied_threat_mitigation"),
        ("IED threat mitigation", "ied_threat_mitigation"),
        ("Weapons & Ammunition Management", "wam"),
        ("gestion des armes et munitions", "wam"),
        ("Capacity building", "coordination"),
        ("Information management", "coordination"),
        ("Renforcement des capacités", "coordination"),
    ],
)
def test_pillar_aliases(text, code):
    assert vocab.lookup("pillar", text) == code


@pytest.mark.parametrize(
    ("name", "text", "code"),
    [
        ("wp_status", "Not started", "not_started"),
        ("wp_status", "pas commencé", "not_started"),
        ("wp_status", "à venir", "not_started"),
        ("wp_status", "In progress", "ongoing"),
        ("wp_status", "En cours", "ongoing"),
        ("wp_status", "behind schedule", "delayed"),
        ("wp_status", "en retard", "delayed"),
        ("wp_status", "Done", "completed"),
        ("wp_status", "Réalisé", "completed"),
        ("wp_status", "canceled", "cancelled"),
        ("wp_status", "annulé", "cancelled"),
        ("presence_status", "Pipeline", "planned"),
        ("presence_status", "Planned", "planned"),
        ("presence_status", "Ongoing", "active"),
        ("presence_status", "actif", "active"),
        ("presence_status", "Closed", "completed"),
        ("presence_status", "Terminé", "completed"),
        ("org_type", "National Mine Action Authority", "government"),
        ("org_type", "Autorité nationale", "government"),
        ("org_type", "Red Cross / Red Crescent", "red_cross"),
        ("org_type", "Croix-Rouge", "red_cross"),
        ("org_type", "private sector", "commercial"),
        ("org_type", "Bailleur", "donor"),
        ("org_type", "ONG internationale", "ingo"),
        ("channel", "Country-based pooled fund", "cbpf"),
        ("channel", "fonds de financement commun", "cbpf"),
        ("channel", "UNMAS Voluntary Trust Fund", "vtf"),
        ("channel", "Fonds d'affectation spéciale", "vtf"),
        ("channel", "Bilatéral", "bilateral"),
        ("channel", "CERF", "cerf"),
        ("disaggregation", "Femmes", "women"),
        ("disaggregation", "F adults", "women"),
        ("disaggregation", "garçons", "boys"),
        ("direction", "Decrease", "decrease"),
    ],
)
def test_other_vocabularies(name, text, code):
    assert vocab.lookup(name, text) == code


def test_unknown_and_blank_give_none():
    assert vocab.lookup("pillar", "Health") is None
    assert vocab.lookup("pillar", "") is None
    assert vocab.lookup("pillar", None) is None
    assert vocab.lookup("pillar", float("nan")) is None
    # Parts naming different pillars do not pick one.
    assert vocab.lookup("pillar", "EORE / VA") is None
    # "planned" is a work plan status and a presence status, but not a pillar.
    assert vocab.lookup("pillar", "planned") is None


def test_same_word_in_two_vocabularies_maps_within_each():
    assert vocab.lookup("wp_status", "planned") == "not_started"
    assert vocab.lookup("presence_status", "planned") == "planned"
    assert vocab.lookup("pillar", "coordination") == "coordination"
    assert vocab.lookup("org_type", "coordination") == "coordination"


def test_lookup_series_is_aligned_and_typed():
    s = pd.Series(["Ongoing", None, "xx", "en cours", "Completed"], index=[10, 11, 12, 13, 14], dtype=object)
    out = vocab.lookup_series("presence_status", s)
    assert list(out.index) == [10, 11, 12, 13, 14]
    assert str(out.dtype) == "str"
    assert out.tolist()[0] == "active"
    assert pd.isna(out[11]) and pd.isna(out[12])
    assert out[13] == "active" and out[14] == "completed"


def test_lookup_series_empty():
    out = vocab.lookup_series("pillar", pd.Series([], dtype=object))
    assert len(out) == 0


def test_labels():
    assert vocab.label("pillar", "eore") == "Explosive ordnance risk education"
    assert vocab.label("pillar", "eore", "fr") == "Éducation aux risques des engins explosifs"
    assert vocab.label("wp_status", "completed", "fr") == "Terminé"
    assert vocab.label("pillar", "not_a_code") == "not_a_code"


def test_unknown_vocabulary_raises_keyerror():
    with pytest.raises(KeyError):
        vocab.codes("colours")


def test_csv_has_no_alias_meaning_two_codes():
    seen: dict[tuple[str, str], str] = {}
    with vocab.VOCAB_CSV.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            for word in [row["code"], row["en"], row["fr"], *row["aliases"].split("|")]:
                key = (row["vocab"], match_key(word))
                if not key[1]:
                    continue
                assert seen.setdefault(key, row["code"]) == row["code"], word


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Suspended", "suspended"),
        ("On hold", "suspended"),
        ("paused", "suspended"),
        ("Suspendu", "suspended"),
        ("en pause", "suspended"),
        ("Suspendu (sécurité)", "suspended"),
        ("Ongoing (delayed by rains)", "active"),
    ],
)
def test_presence_status_suspended_and_bracketed_text(text, code):
    assert vocab.lookup("presence_status", text) == code
    assert vocab.label("presence_status", "suspended", "fr") == "Suspendu"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("On hold", "suspended"),
        ("On-hold", "suspended"),
        ("En pause", "suspended"),
        ("Suspended", "suspended"),
        ("Suspendu", "suspended"),
        ("Suspendue (sécurité)", "suspended"),
        ("Postponed", "delayed"),
        ("En retard", "delayed"),
        ("Cancelled", "cancelled"),
    ],
)
def test_workplan_status_accepts_the_pause_words_real_plans_use(text, code):
    # A paused activity is neither late nor dropped: the work plan has its own status.
    assert vocab.lookup("wp_status", text) == code
    assert vocab.label("wp_status", "suspended", "en") == "Suspended"
    assert vocab.label("wp_status", "suspended", "fr") == "Suspendu"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Éducation aux risques des engins explosifs (EREE)", "eore"),
        ("Explosive Ordnance Risk Education (EORE)", "eore"),
        ("Victim Assistance (VA)", "victim_assistance"),
        ("Assistance aux victimes [AV]", "victim_assistance"),
        ("Mine Action", "unspecified"),
        ("Action contre les mines", "unspecified"),
    ],
)
def test_pillars_with_their_acronym_in_brackets(text, code):
    assert vocab.lookup("pillar", text) == code


def test_bracketed_text_naming_another_code_matches_nothing():
    # The name and the acronym disagree: neither is taken.
    assert vocab.lookup("pillar", "Victim Assistance (EORE)") is None
    assert vocab.lookup("pillar", "Health (WASH)") is None
    assert vocab.label("pillar", "unspecified", "en") == "Mine action (unspecified)"

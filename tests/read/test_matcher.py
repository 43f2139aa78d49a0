"""Tests of maaor.matcher: which field a header means, and how sure that is."""

from __future__ import annotations

import pytest

from maaor import columns as column_specs
from maaor.matcher import (
    HIGH_CONFIDENCE,
    LOW_CONFIDENCE,
    best_match,
    header_key,
    header_words,
    match_header,
    split_header,
    tag_unit,
)


def test_text_in_brackets_or_after_a_line_break_is_a_hint_not_the_name():
    parts = split_header("NOM ORGANISATION (cette colonne est renseignée automatiquement)")
    assert (parts.name, parts.hint, parts.unit) == (
        "nom organisation", "cette colonne est renseignee automatiquement", None)
    parts = split_header("Statut\nchoisir dans la liste")
    assert (parts.name, parts.hint) == ("statut", "choisir dans la liste")


def test_a_header_all_in_brackets_is_its_own_name():
    assert split_header("(Organisation)").name == "organisation"


@pytest.mark.parametrize(
    ("text", "name", "unit"),
    [
        ("Requirements (USD)", "requirements", "USD"),
        ("Budget en $", "budget", "USD"),
        ("Montant (EUR)", "montant", "EUR"),
        ("Amount in CHF", "amount", "CHF"),
        ("Budget US$", "budget", "USD"),
        ("Funding (€)", "funding", "EUR"),
        ("Progress (%)", "progress", "%"),
        ("% complete", "percent complete", "%"),
        ("Colour", "colour", None),
    ],
)
def test_units_and_currencies_are_recognised_and_left_out_of_the_name(text, name, unit):
    parts = split_header(text)
    assert (parts.name, parts.unit) == (name, unit)


def test_plural_mark_in_brackets_and_camel_case():
    assert split_header("Implementing partner(s)").name == "implementing partners"
    assert split_header("ActivityId").name == "activity id"


def test_words_are_folded_stemmed_and_translated():
    assert header_words("femmes atteintes") == header_words("women reached") == (frozenset({"woman", "reach"}), 0)
    assert header_words("organisations")[0] == header_words("organization")[0]
    assert header_words("governorate province")[0] == frozenset({"admin1"})
    assert header_words("admin level 2")[0] == header_words("territoire")[0] == frozenset({"admin2"})


@pytest.mark.parametrize(
    ("word", "corrected"),
    [
        ("terrtoire", "admin2"),  # 9 letters: up to 2 edits
        ("organsation", "organisation"),  # 11 letters
        ("contry", "country"),  # 6 letters: 1 edit
        ("donnor", "donor"),  # 6 letters: 1 edit
    ],
)
def test_small_typos_are_corrected_on_words_of_five_letters_or_more(word, corrected):
    assert header_words(word) == (frozenset({corrected}), 1)


def test_short_words_far_words_and_glued_words_are_not_corrected():
    assert header_words("cuontry") == (frozenset({"cuontry"}), 0)  # 7 letters, 2 edits: too far
    assert header_words("yaer") == (frozenset({"yaer"}), 0)  # 4 letters: never
    assert header_words("activityid") == (frozenset({"activityid"}), 0)  # not "activity" + 2


@pytest.mark.parametrize(
    ("kind", "header", "field", "how", "unit"),
    [
        ("funding", "Requirements (USD)", "required_usd", "exact", "USD"),
        ("funding", "Funding received (USD)", "funded_usd", "exact", "USD"),
        ("workplan", "Funding received (USD)", "funded_usd", "exact", "USD"),
        ("presence", "Governorate / Province", "admin1", "fuzzy", None),
        ("mechanisms", "Name of coordination mechanism", "name", "fuzzy", None),
        ("presence", "Femmes atteintes", "reached_women", "fuzzy", None),
        ("presence", "Hommes atteints", "reached_men", "fuzzy", None),
        ("presence", "Code Terrtoire", "admin2_code", "fuzzy", None),
        ("presence", "Terrtoire", "admin2", "fuzzy", None),
        ("presence", "NOM ORGANISATION (cette colonne est renseignée automatiquement)", "org", "fuzzy", None),
        ("presence", "Implementing partner(s)", "org", "fuzzy", None),
        ("presence", "Organisations partenaires", "org", "fuzzy", None),
        ("workplan", "Organisations partenaires", "partners", "fuzzy", None),
        ("workplan", "Comments on budget", "budget_note", "fuzzy", None),
        ("workplan", "Budget en $", "budget_usd", "exact", "USD"),
        ("workplan", "% complete", "progress", "exact", "%"),
        ("presence", "Number of women reached", "reached_women", "fuzzy", None),
        ("funding", "Funder", "donor", "fuzzy", None),
        ("presence", "Organisation", "org", "exact", None),
    ],
)
def test_headers_the_field_sends_are_recognised(kind, header, field, how, unit):
    match = match_header(kind, header)
    assert match is not None, header
    assert (match.field, match.how, match.unit) == (field, how, unit)
    assert LOW_CONFIDENCE <= match.confidence <= 1.0
    assert (match.confidence == 1.0) == (how == "exact")


@pytest.mark.parametrize(
    ("kind", "header"),
    [
        ("workplan", "Comments on budget"),  # the note, never the budget itself
        ("funding", "Comments on budget"),
        ("presence", "Comments on budget"),
        ("indicators", "Target 2023"),  # one year's target: not the target, never actual
        ("presence", "Elderly women"),  # HXL's +elderly: not women
        ("funding", "Funding date"),  # a date of the funding is not the funding
        ("funding", "Budget received"),
        ("presence", "Colour"),
        ("presence", "Shoe size"),
        ("presence", "ActivityId"),
        ("workplan", "Budget 2024"),
        ("funding", "Donor comments"),
    ],
)
def test_headers_that_must_not_be_taken_for_a_field(kind, header):
    match = match_header(kind, header)
    assert match is None or (kind, header, match.field) == ("workplan", "Comments on budget", "budget_note")


def test_target_2023_is_never_actual():
    for kind in column_specs.KINDS:
        match = match_header(kind, "Target 2023")
        assert match is None or match.field != "actual"


def test_confidence_exact_one_fuzzy_less_typos_lower_still():
    exact = match_header("presence", "Admin 2")
    plain = match_header("presence", "Femmes atteintes")
    named = match_header("mechanisms", "Name of coordination mechanism")
    typo = match_header("presence", "Code Terrtoire")
    assert exact.confidence == 1.0 > plain.confidence > named.confidence > typo.confidence
    assert plain.confidence >= HIGH_CONFIDENCE > typo.confidence >= LOW_CONFIDENCE


def test_a_hint_beside_an_alias_is_nearly_certain_and_a_unit_beside_it_certain():
    assert match_header("workplan", "Status (drop-down)").confidence == 0.95
    assert match_header("funding", "Required (CHF)").confidence == 1.0
    assert match_header("funding", "Required (CHF)").unit == "CHF"


def test_best_match_over_kinds_and_header_key():
    assert best_match(column_specs.KINDS, "Femmes atteintes").field == "reached_women"
    assert best_match(column_specs.KINDS, "Shoe size") is None
    assert header_key("NOM ORGANISATION (auto)") == header_key("nom organisation auto") == "nomorganisationauto"


def test_currency_of_an_hxl_tag():
    assert tag_unit("#value+funding+eur") == "EUR"
    assert tag_unit("#value+funding+total+usd") == "USD"
    assert tag_unit("#org+name") is None
    assert tag_unit(None) is None


@pytest.mark.parametrize(
    ("kind", "header", "field", "unit"),
    [
        ("funding", "Amount (EUR)", "funded_usd", "EUR"),
        ("funding", "Montant en CHF", "funded_usd", "CHF"),
        ("funding", "Montant (en CHF)", "funded_usd", "CHF"),
        ("funding", "Amount in GBP", "funded_usd", "GBP"),
        ("funding", "Montant total (NOK)", "funded_usd", "NOK"),
        ("workplan", "Amount (EUR)", "budget_usd", "EUR"),
    ],
)
def test_an_amount_with_a_currency_in_its_header_is_the_kinds_money(kind, header, field, unit):
    match = match_header(kind, header)
    assert (match.field, match.how, match.confidence, match.unit) == (field, "fuzzy", 0.9, unit)


@pytest.mark.parametrize("header", ["Amount", "Montant", "Amount (%)", "Amount (see note)"])
def test_an_amount_without_a_currency_is_not_taken_for_money(header):
    # Without the currency nothing says which amount it is, nor in what.
    assert match_header("funding", header) is None
    assert match_header("presence", "Amount (EUR)") is None

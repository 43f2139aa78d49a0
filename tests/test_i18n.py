"""Interface catalogues (EN/FR complete, every key used exists) and per-language formats."""

from __future__ import annotations

import ast
import datetime as dt
import re
import string
from pathlib import Path

import pandas as pd
import pytest

from maaor.columns import KINDS
from maaor.dataset import TABLES
from maaor.export.annotated import PROBLEM_COLUMNS as ANNOTATED_COLUMNS
from maaor.export.datapack import HEADER_KEYS
from maaor.figures.funding import FTS_CAVEAT, FTS_SOURCE
from maaor.figures.gaps import RULES
from maaor.filters import FILTER_PARAMS
from maaor.glossary import ALL_FILTERS, GLOSSARY
from maaor.i18n import (
    LANGUAGES,
    catalogue,
    country_name,
    fmt_date,
    fmt_money,
    fmt_number,
    fmt_percent,
    normalise_language,
    t,
)
from maaor.problems import SEVERITIES
from maaor.ui.coordinator import PROBLEM_COLUMNS
from maaor.ui.page import SOURCE_KEYS
from maaor.ui.registry import PAGES
from tests.paths import ROOT
from tests.test_problem_catalogue import catalogue_problem_keys

NNBSP, NBSP = "\u202f", "\u00a0"
# Where interface text is chosen: the pages and the modules that build what they show.
CODE = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")),
        *sorted((ROOT / "maaor" / "ui").glob("*.py")),
        ROOT / "maaor" / "charts.py", ROOT / "maaor" / "maps.py", ROOT / "maaor" / "views.py",
        ROOT / "maaor" / "admin1_shading.py",
        ROOT / "maaor" / "filters.py",
        ROOT / "maaor" / "i18n" / "__init__.py",
        # plenary slides, narrative and briefing pack; the emergency sentence
        ROOT / "maaor" / "slides.py", ROOT / "maaor" / "figures" / "narrative.py",
        ROOT / "maaor" / "figures" / "emergency.py",
        ROOT / "maaor" / "export" / "pptx.py", ROOT / "maaor" / "export" / "mapimage.py",
        # the command line's reports and the grouped problems' summary
        ROOT / "maaor" / "cli.py", ROOT / "maaor" / "problems.py",
        ROOT / "maaor" / "export" / "annotated.py",
        # use cases' messages (page and CLI) and the "What changed" headline
        *sorted((ROOT / "maaor" / "usecases").glob("*.py")), ROOT / "maaor" / "diff.py",
        # the glossary of headline figures (labels, definitions, scope notes)
        ROOT / "maaor" / "glossary.py"]
KEY_PREFIXES = {key.split(".", 1)[0] for key in catalogue("en")}
# what maaor.figures.reached.reached_by returns besides its group columns
REACHED_COLUMNS = ("reached_total", "reached_women", "reached_men", "reached_girls",
                   "reached_boys", "rows_reached", "rows_total_from_split", "rows_disagreeing")
# Keys built at run time from a code (f-strings), listed from the codes themselves.
DYNAMIC_KEYS = {
    # the data pack's headers and units (maaor/export/datapack.py)
    *HEADER_KEYS.values(),
    *(f"datapack.unit.{u}" for u in ("count", "percent", "usd")),
    *(f"filter.{p}" for p in FILTER_PARAMS),
    *(f"filter.{p}.help" for p in FILTER_PARAMS),
    *(f"rule.{r}" for r in RULES),
    *(f"rule.help.{r}" for r in RULES),
    *(f"funding.by.{c}" for c in ("country_iso3", "year", "donor", "channel")),
    # people reached (maaor/views.py, maaor/slides.py, the data pack's headers)
    *(f"col.{c}" for c in REACHED_COLUMNS),
    # the emergency sentence's counts, singular and plural (maaor/figures/emergency.py)
    *(f"emergency.{w}{form}" for w in ("organisations", "countries", "admin1")
      for form in ("", ".one")),
    # coordinator page (maaor/ui/coordinator.py): source kinds and version kinds
    # upload kinds, and every table an upload can keep ("kept: list of emergencies")
    *(f"coord.kind.{k}" for k in (*KINDS, *TABLES)),
    *(f"coord.history.kind.{k}" for k in ("bootstrap", "upload", "edit", "rollback")),
    # the validation report's columns and severities (maaor/ui/coordinator.py)
    *(f"coord.problem.{c}" for c in PROBLEM_COLUMNS),
    *(f"coord.problem.severity.{s}" for s in SEVERITIES),
    *(f"cli.severity.{s}" for s in SEVERITIES),
    *(f"annotated.header.{c}" for c in ANNOTATED_COLUMNS),
    *(f"cli.{w}.{form}" for w in ("read", "loaded", "errors", "warnings") for form in ("one", "other")),
    *(f"coord.measure.{m}" for m in ("required_usd", "funded_usd", "gap_usd")),
    # glossary figures: label, definition and empty-state words (maaor/glossary.py)
    *(f"glossary.{g}" for g in GLOSSARY),
    *(f"glossary.{g}.help" for g in GLOSSARY),
    *(figure.empty for figure in GLOSSARY.values()),
    *(f"scope.filter.{name}" for name in ALL_FILTERS),
    "results.track.True",
    "results.track.False",
    # validation problems: messages and fixes of the rules (tests/test_problem_catalogue.py)
    *catalogue_problem_keys(),
}


def string_literals(path: Path) -> set[str]:
    """Every plain string constant in a Python file (f-string parts excluded)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    joined = {id(v) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr)
              for v in node.values}
    return {node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in joined}


def used_keys() -> set[str]:
    """Catalogue-shaped string literals of the interface code, plus the dynamic keys.

    A literal counts as a key when it looks like one (``prefix.words``) and its prefix
    is a catalogue prefix. Names of cached views (``presence.by_country``) have the
    same shape: :func:`view_names` says which they are.
    """
    shaped = re.compile(r"^[a-z][a-z0-9_]*(\.[A-Za-z0-9_]+)+$")
    found = set()
    for path in CODE:
        for text in string_literals(path):
            if shaped.match(text) and text.split(".", 1)[0] in KEY_PREFIXES:
                found.add(text)
    found = {k for k in found if not k.endswith(".py")}
    found |= DYNAMIC_KEYS
    # the singular variant of a text with a count (maaor.i18n.t_count)
    found |= {f"{k}.one" for k in found if f"{k}.one" in catalogue("en")}
    found |= {p.title_key for p in PAGES} | set(SOURCE_KEYS.values())
    return found


def test_catalogues_have_the_same_keys():
    en, fr = set(catalogue("en")), set(catalogue("fr"))
    assert sorted(en - fr) == [], "keys missing in French"
    assert sorted(fr - en) == [], "keys missing in English"


def test_no_empty_text_and_same_fields_in_both_languages():
    fields = string.Formatter()
    for key, en_text in catalogue("en").items():
        fr_text = catalogue("fr")[key]
        assert en_text.strip() and fr_text.strip(), key
        en_fields = {f for _, f, _, _ in fields.parse(en_text) if f}
        fr_fields = {f for _, f, _, _ in fields.parse(fr_text) if f}
        assert en_fields == fr_fields, key


def view_names() -> set[str]:
    """Names of the cached figure views (literals shaped like keys, but not texts)."""
    from maaor.views import VIEWS

    return set(VIEWS)


def test_every_key_used_in_code_is_in_the_catalogue():
    missing = sorted(used_keys() - view_names() - set(catalogue("en")))
    assert missing == []


def test_every_catalogue_key_is_used():
    # coordinator-page keys (coord.*) are checked the same way: they are literals too
    unused = sorted(set(catalogue("en")) - used_keys())
    assert unused == []


def test_the_key_scan_finds_literal_and_call_keys():
    keys = used_keys()
    assert {"page.overview.title", "col.activity_id", "scope.aor_wide",
            "fts.caveat", "filter.country.help", "rule.help.no_lead"} <= keys
    assert "presence.by_country" in view_names() - set(catalogue("en"))


def test_fts_labels_in_english_are_the_figure_constants():
    assert t("fts.source", "en") == FTS_SOURCE
    assert t("fts.caveat", "en") == FTS_CAVEAT
    assert t("fts.source", "fr") != FTS_SOURCE


def test_t_fills_fields_and_falls_back():
    assert t("page.version", "fr", version=3) == "Version des données 3"
    assert t("page.version", "de", version=3) == "Data version 3"  # unknown language -> en
    assert t("no.such.key", "fr") == "no.such.key"
    assert normalise_language("FR-ca") == "fr"
    assert normalise_language(None) == "en"
    assert LANGUAGES == ("en", "fr")


@pytest.mark.parametrize(
    ("value", "en", "fr"),
    [
        (1_234_567, "USD 1.2M", f"1,2{NBSP}M{NBSP}USD"),
        (40_000, "USD 40K", f"40{NBSP}k{NBSP}USD"),
        (15_600_000, "USD 15.6M", f"15,6{NBSP}M{NBSP}USD"),
        (125_000_000, "USD 125M", f"125{NBSP}M{NBSP}USD"),
        (2.5e9, "USD 2.5B", f"2,5{NBSP}Md{NBSP}USD"),
        (999_950, "USD 1M", f"1{NBSP}M{NBSP}USD"),
        (500, "USD 500", f"500{NBSP}USD"),
        (0, "USD 0", f"0{NBSP}USD"),
        (-1_200_000, "USD -1.2M", f"-1,2{NBSP}M{NBSP}USD"),
    ],
)
def test_money_per_language(value, en, fr):
    assert fmt_money(value, "en") == en
    assert fmt_money(value, "fr") == fr


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA])
def test_unknown_money_is_never_zero(missing):
    assert fmt_money(missing, "en") == "unknown"
    assert fmt_money(missing, "fr") == "inconnu"
    assert fmt_number(missing, "en") == "unknown"


def test_numbers_percent_and_dates_per_language():
    assert fmt_number(12345.67, "en", 1) == "12,345.7"
    assert fmt_number(12345.67, "fr", 1) == f"12{NNBSP}345,7"
    assert fmt_percent(45.2, "en") == "45%"
    assert fmt_percent(45.2, "fr") == f"45{NNBSP}%"
    assert fmt_date(dt.date(2019, 3, 5), "en") == "5 Mar 2019"
    assert fmt_date(pd.Timestamp("2019-03-05"), "fr") == "5 mars 2019"
    assert fmt_date(dt.datetime(2020, 8, 1, 10, 0), "fr") == "1 août 2020"
    assert fmt_date(pd.NaT, "en") == "unknown"


def test_country_names_per_language_offline():
    assert country_name("CIV", "en") == "Côte d'Ivoire"
    assert country_name("DEU", "fr") == "Allemagne"
    assert country_name("XXX", "fr") == "XXX"


def test_country_names_follow_un_humanitarian_usage():
    # OCHA's name where it differs from UNTERM's short name ("State of Palestine") ...
    assert country_name("PSE", "en") == "occupied Palestinian territory"
    assert country_name("PSE", "fr") == "Territoire palestinien occupé"
    # ... UNTERM short names elsewhere
    assert country_name("SYR", "en") == "Syrian Arab Republic"
    assert country_name("COD", "fr") == "République démocratique du Congo"
    assert country_name("TUR", "en") == "Türkiye"
    # the emergency list names the oPt response as OCHA does
    from maaor.emergencies import emergency_by_id
    assert "occupied Palestinian territory crisis" in emergency_by_id("opt").aliases
    assert "Territoire palestinien occupé" in emergency_by_id("opt").name_fr


def test_plurals_and_formats_come_from_babels_locale_data():
    from maaor.figures.narrative import countries_phrase
    from maaor.i18n import plural_form

    # French: 0 and 1 are singular.
    assert [plural_form(n, "fr") for n in (0, 1, 1.5, 2)] == ["one", "one", "one", "other"]
    assert countries_phrase(0, "en") == "0 countries" and countries_phrase(1, "en") == "1 country"
    assert countries_phrase(1234, "fr") == f"1{NNBSP}234 pays"
    assert fmt_number(-1234.5, "fr", 1) == f"-1{NNBSP}234,5"
    assert fmt_date(dt.date(2019, 9, 5), "en") == "5 Sep 2019"
    assert fmt_date(dt.date(2019, 2, 5), "fr") == "5 févr. 2019"
    assert fmt_money(18_370_000, "fr") == f"18,4{NBSP}M{NBSP}USD"


def test_country_short_names_table_is_hdx_offline_data():
    """The packaged table of UNTERM short names is hdx-python-country's offline data (a
    newer hdx data set shows here: rewrite it with ``maaor.i18n.write_short_names``), and
    names read from it are those hdx gives (its English name where it has no French)."""
    from hdx.location.country import Country

    from maaor import i18n

    assert i18n._short_names() == i18n.unterm_short_names()
    own = i18n._humanitarian_names()
    for iso3 in [*i18n.unterm_short_names(), "irq", "XXX", "nan", ""]:
        if iso3 in own:
            continue
        info = Country.get_country_info_from_iso3(iso3, use_live=False)
        for lang, column in (("en", "English Short"), ("fr", "French Short")):
            expected = (info.get(column) or info.get("English Short") or iso3) if info else iso3
            assert country_name(iso3, lang) == expected, (iso3, lang)


def test_numbers_formatted_once_are_written_as_babel_writes_them():
    """fmt_number keeps each formatted number: the text is Babel's, whatever came first
    (0 then -0, the same number with other decimals or in another language)."""
    from babel.numbers import format_decimal

    from maaor.i18n import fmt_number

    for lang, locale in (("en", "en"), ("fr", "fr")):
        for value in (0.0, -0.0, 1234.5, -1234.5, 1e9, 7, 0.05):
            for decimals in (0, 1, 2):
                pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
                expected = format_decimal(float(value), format=pattern, locale=locale)
                assert fmt_number(value, lang, decimals) == expected, (value, lang, decimals)
                assert fmt_number(value, lang, decimals) == expected

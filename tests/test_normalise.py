"""Tests for maaor.normalise: money, dates, percentages, numbers, countries, text."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from maaor import normalise as nz


def obj(*values) -> pd.Series:
    return pd.Series(list(values), dtype=object)


# ---------------------------------------------------------------------------- money


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("USD 40,000", 40000.0),
        ("USD100,000", 100000.0),
        ("40 000 $", 40000.0),
        ("40\u00a0000 $", 40000.0),
        ("$1,200.50", 1200.5),
        ("1.200.000", 1200000.0),
        ("40.000,50", 40000.5),
        ("1 234,5", 1234.5),
        ("1,5", 1.5),
        ("1'234'567", 1234567.0),
        ("US$ 2.5 million", 2500000.0),
        ("2.5M", 2500000.0),
        ("1.2 mn", 1200000.0),
        ("2,5 millions", 2500000.0),
        ("40k", 40000.0),
        ("0.125", 0.125),
        ("1.200", 1200.0),
        ("approx. USD 3,000", 3000.0),
        ("USD 40,000.", 40000.0),
    ],
)
def test_parse_money_forms(text, amount):
    parsed = nz.parse_money(obj(text))
    assert parsed.values.iloc[0] == pytest.approx(amount)
    assert not parsed.failed.iloc[0]
    assert not parsed.non_usd.iloc[0]
    assert nz.parse_money_text(text) == pytest.approx(amount)


def test_decimal_comma_after_dot_thousands_is_never_fifty():
    parsed = nz.parse_money(obj("40.000,50"))
    assert parsed.values.iloc[0] == 40000.5


def test_parse_money_numbers_pass_through_and_blanks_are_not_failures():
    parsed = nz.parse_money(obj(5000, 12.5, np.int64(7), None, "", "  ", float("nan")))
    assert parsed.values.iloc[:3].tolist() == [5000.0, 12.5, 7.0]
    assert parsed.values.iloc[3:].isna().all()
    assert not parsed.failed.any()


def test_parse_money_numeric_dtype():
    parsed = nz.parse_money(pd.Series([1.5, np.nan, -2.0]))
    assert parsed.values.iloc[0] == 1.5
    assert parsed.negative.tolist() == [False, False, True]
    assert parsed.failed.tolist() == [False, False, False]


def test_parse_money_text_fails():
    parsed = nz.parse_money(
        obj(
            "Travel budget to participate in protection conference in Bangkok",
            "USD 40,000 per year",
            "Travel budget for 2 trips",
            "1.200.5",
            True,
            dt.date(2019, 1, 1),
        )
    )
    assert parsed.failed.tolist() == [True] * 6
    assert parsed.values.isna().all()
    assert nz.parse_money_text("Travel budget for 2 trips") is None
    assert nz.parse_money_text(None) is None


def test_parse_money_negative_and_currency_masks():
    parsed = nz.parse_money(obj("-200", "(1,000)", "EUR 5,000", "€ 300", "5 000 CHF", "USD 10", "CAD$ 20"))
    assert parsed.values.tolist() == [-200.0, -1000.0, 5000.0, 300.0, 5000.0, 10.0, 20.0]
    assert parsed.negative.tolist() == [True, True, False, False, False, False, False]
    assert parsed.non_usd.tolist() == [False, False, True, True, True, False, True]


def test_parse_money_keeps_index():
    s = pd.Series(["USD 1", "x"], index=[5, 9], dtype=object)
    parsed = nz.parse_money(s)
    assert list(parsed.values.index) == [5, 9]
    assert parsed.failed.loc[9]


# ---------------------------------------------------------------------------- dates


def ts(*args) -> pd.Timestamp:
    return pd.Timestamp(*args)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.datetime(2019, 3, 31, 0, 0), ts(2019, 3, 31)),
        (dt.date(2019, 1, 2), ts(2019, 1, 2)),
        (pd.Timestamp("2020-01-01"), ts(2020, 1, 1)),
        (43466, ts(2019, 1, 1)),
        (43466.5, ts(2019, 1, 1, 12)),
        (61, ts(1900, 3, 1)),
        (59, ts(1900, 2, 28)),
        ("2019-03-31", ts(2019, 3, 31)),
        ("2019-03-31 00:00:00", ts(2019, 3, 31)),
        ("2019/03/31", ts(2019, 3, 31)),
        ("31/03/2019", ts(2019, 3, 31)),
        ("01/02/2019", ts(2019, 2, 1)),
        ("31.03.2019", ts(2019, 3, 31)),
        ("31-03-19", ts(2019, 3, 31)),
        ("31 March 2019", ts(2019, 3, 31)),
        ("31-Mar-2019", ts(2019, 3, 31)),
        ("March 31, 2019", ts(2019, 3, 31)),
        ("1er mars 2019", ts(2019, 3, 1)),
        ("15 décembre 2019", ts(2019, 12, 15)),
        ("mars 2019", ts(2019, 3, 1)),
        ("août 2019", ts(2019, 8, 1)),
        ("Février 2020", ts(2020, 2, 1)),
        ("2019-03", ts(2019, 3, 1)),
        ("Q1 2019", ts(2019, 1, 1)),
        ("Q3 2019", ts(2019, 7, 1)),
        ("2020-Q4", ts(2020, 10, 1)),
        ("T2 2019", ts(2019, 4, 1)),
    ],
)
def test_parse_dates_forms(value, expected):
    parsed = nz.parse_dates(obj(value))
    assert parsed.values.iloc[0] == expected
    assert not parsed.failed.iloc[0]
    assert not parsed.ambiguous.iloc[0]
    assert str(parsed.values.dtype) == "datetime64[ns]"


def test_month_first_only_when_day_first_is_impossible():
    parsed = nz.parse_dates(obj("03/31/2019", "03/04/2019"))
    assert parsed.values.tolist() == [ts(2019, 3, 31), ts(2019, 4, 3)]
    assert parsed.ambiguous.tolist() == [True, False]
    assert not parsed.failed.any()


@pytest.mark.parametrize(
    "value", ["2019", 2019, 2019.0, "June", "31/02/2019", "13/13/2019", "next week", 60, 0, -5, 3e7, True]
)
def test_parse_dates_failures(value):
    parsed = nz.parse_dates(obj(value))
    assert parsed.failed.iloc[0]
    assert pd.isna(parsed.values.iloc[0])


def test_parse_dates_blank_is_not_failure_and_datetime_dtype_passes():
    parsed = nz.parse_dates(obj(None, "", float("nan")))
    assert not parsed.failed.any()
    assert parsed.values.isna().all()
    native = nz.parse_dates(pd.Series(pd.to_datetime(["2019-01-01", None])))
    assert native.values.iloc[0] == ts(2019, 1, 1)
    assert not native.failed.any()


# ---------------------------------------------------------------------------- percent


def test_parse_percent_forms():
    parsed = nz.parse_percent(obj("40%", "40 %", 40, "40", "12,5 %", "140%", -5, "x", None))
    assert parsed.values.iloc[:7].tolist() == [40.0, 40.0, 40.0, 40.0, 12.5, 140.0, -5.0]
    assert parsed.failed.tolist() == [False] * 7 + [True, False]
    assert parsed.out_of_range.tolist() == [False] * 5 + [True, True, False, False]
    assert parsed.fraction is False


def test_parse_percent_fractions_are_scaled_and_flagged():
    parsed = nz.parse_percent(obj(0.4, 0.5, 1, 0, None))
    assert parsed.fraction is True
    assert parsed.values.iloc[:4].tolist() == [40.0, 50.0, 100.0, 0.0]
    # A value written with % is never multiplied.
    mixed = nz.parse_percent(obj("0.5%", 0.25))
    assert mixed.fraction is True
    assert mixed.values.tolist() == [0.5, 25.0]


def test_parse_percent_zero_and_one_only_is_not_a_fraction_column():
    parsed = nz.parse_percent(obj(0, 1, 1))
    assert parsed.fraction is False
    assert parsed.values.tolist() == [0.0, 1.0, 1.0]


def test_parse_percent_without_upper_bound():
    parsed = nz.parse_percent(obj(150, -1), upper=None)
    assert parsed.out_of_range.tolist() == [False, True]


# ---------------------------------------------------------------------------- numbers


def test_parse_numbers():
    parsed = nz.parse_numbers(obj("1,234", "12 500", "3.5", 42, "abc", None, "1.200", "-7", "1.234.567"))
    assert parsed.values.iloc[:5].tolist()[:4] == [1234.0, 12500.0, 3.5, 42.0]
    assert math.isnan(parsed.values.iloc[4])
    assert parsed.values.iloc[6] == 1.2
    assert parsed.values.iloc[7] == -7.0
    assert parsed.values.iloc[8] == 1234567.0
    assert parsed.failed.tolist() == [False, False, False, False, True, False, False, False, False]


def test_parse_coordinates_reads_comma_as_decimal():
    parsed = nz.parse_coordinates(obj("12,345", "8,25", 36.3, "-3.5", "north"))
    assert parsed.values.iloc[:4].tolist() == [12.345, 8.25, 36.3, -3.5]
    assert parsed.failed.tolist() == [False, False, False, False, True]


def test_parse_years_and_bools():
    years = nz.parse_years(obj(2019, "2019", "FY2020", 2019.0, dt.date(2018, 5, 1), "x", 1800, 2019.5))
    assert years.values.iloc[:5].tolist() == [2019.0, 2019.0, 2020.0, 2019.0, 2018.0]
    assert years.failed.tolist() == [False] * 5 + [True, True, True]
    values, failed = nz.parse_bools(obj("yes", "Non", True, 0, "peut-être", None, "x"))
    assert values.tolist()[:4] == [True, False, True, False]
    assert values.tolist()[6] is True
    assert failed.tolist() == [False, False, False, False, True, False, False]


# ---------------------------------------------------------------------------- text


def test_text_cleans_and_keeps_number_text():
    out = nz.text(obj(244.0, 1.3, "  a \n  b ", "", "   ", None, 5, dt.datetime(2019, 1, 1), np.int64(12)))
    assert out.iloc[0] == "244"
    assert out.iloc[1] == "1.3"
    assert out.iloc[2] == "a b"
    assert out.iloc[3:6].isna().all()
    assert out.iloc[6] == "5"
    assert out.iloc[7] == "2019-01-01"
    assert out.iloc[8] == "12"
    assert str(out.dtype) == "str"


# ---------------------------------------------------------------------------- countries


@pytest.mark.parametrize(
    ("text", "iso3"),
    [
        ("Iraq", "IRQ"),
        ("IRQ", "IRQ"),
        ("iq", "IRQ"),
        ("Irak", "IRQ"),
        ("Syrie", "SYR"),
        ("Syria", "SYR"),
        ("Libye", "LBY"),
        ("Soudan du Sud", "SSD"),
        ("South Sudan", "SSD"),
        ("Soudan", "SDN"),
        ("République centrafricaine", "CAF"),
        ("Republique Centrafricaine", "CAF"),
        ("CAR", "CAF"),
        ("RDC", "COD"),
        ("DRC", "COD"),
        ("Democratic Republic of the Congo", "COD"),
        ("Territoire palestinien occupé", "PSE"),
        ("occupied Palestinian territory", "PSE"),
        ("oPt", "PSE"),
        ("Éthiopie", "ETH"),
        ("Ethiopie", "ETH"),
        ("Tchad", "TCD"),
        ("Yémen", "YEM"),
        ("Niger", "NER"),
        ("Nigeria", "NGA"),
        ("Colombie", "COL"),
        ("Kosovo", "XKX"),
        ("Vanuatu", "VUT"),
    ],
)
def test_country_exact(text, iso3):
    parsed = nz.country_iso3(obj(text))
    assert parsed.values.iloc[0] == iso3
    assert not parsed.failed.iloc[0]
    assert not parsed.guessed.iloc[0]


@pytest.mark.parametrize(
    ("text", "iso3"),
    [
        ("Lybia", "LBY"),  # a misspelling of the overrides list
        ("Afganistan", "AFG"),  # the Spanish name, as an English misspelling
        ("Afganistán", "AFG"),
    ],
)
def test_country_read_from_another_spelling_is_said(text, iso3):
    # Read, but never silently: the validator warns "'Afganistan' was read as Afghanistan".
    parsed = nz.country_iso3(obj(text))
    assert parsed.values.iloc[0] == iso3
    assert not parsed.failed.iloc[0]
    assert parsed.guessed.iloc[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("31/02/2022", (2022, 2, 28)),
        ("2022-02-30", (2022, 2, 28)),
        ("29/02/2023", (2023, 2, 28)),
        ("31.04.2019", (2019, 4, 30)),
        ("29/02/2024", None),  # a leap year: the day exists
        ("32/01/2020", None),  # not a day of any month: not a date at all
        ("2019", None),
        (43466, None),
    ],
)
def test_impossible_date(text, expected):
    assert nz.impossible_date(text) == expected


@pytest.mark.parametrize(
    ("text", "iso3"),
    [
        ("Mali Situation", "MLI"),  # OCHA pattern, one country only
        ("Congo (Brazaville)", "COG"),  # misspelt, OCHA pattern
        ("Ukrane", "UKR"),  # close spelling, ratio 92
        ("Somlia", "SOM"),  # close spelling, ratio 92
    ],
)
def test_country_guessed(text, iso3):
    parsed = nz.country_iso3(obj(text))
    assert parsed.values.iloc[0] == iso3
    assert parsed.guessed.iloc[0]
    assert not parsed.failed.iloc[0]


@pytest.mark.parametrize(
    "text",
    [
        "Thailand-Myanmar",  # two countries
        "Iraq and Syria",  # two countries
        "Atlantis",
        "Austrai",  # close to Austria (86) and Australia: below the threshold
        "Zambai",  # Zambia scores 83
        "Mali Niger",
        "xyz",
    ],
)
def test_country_refused(text):
    parsed = nz.country_iso3(obj(text))
    assert pd.isna(parsed.values.iloc[0])
    assert parsed.failed.iloc[0]


def test_country_fuzzy_threshold_is_the_tested_one():
    from rapidfuzz import fuzz

    assert fuzz.ratio("ukrane", "ukraine") >= nz.FUZZY_MIN_SCORE
    assert fuzz.ratio("somlia", "somalia") >= nz.FUZZY_MIN_SCORE
    assert fuzz.ratio("zambai", "zambia") < nz.FUZZY_MIN_SCORE
    assert fuzz.ratio("austrai", "austria") < nz.FUZZY_MIN_SCORE


def test_country_global_and_blank():
    parsed = nz.country_iso3(obj("Global", "Régional", None, ""))
    assert parsed.values.isna().all()
    assert parsed.global_.tolist() == [True, True, False, False]
    assert not parsed.failed.any()


def test_country_unique_values_many_rows():
    s = pd.Series(["Irak", "Syrie", "AFG", None] * 25_000, dtype=object)
    parsed = nz.country_iso3(s)
    assert parsed.values.value_counts().to_dict() == {"IRQ": 25_000, "SYR": 25_000, "AFG": 25_000}
    assert not parsed.failed.any()


def test_country_snapshot_equals_pinned_hdx_python_country():
    import json

    from maaor.normalise import COUNTRIES_JSON, country_snapshot

    assert json.loads(COUNTRIES_JSON.read_text(encoding="utf-8")) == country_snapshot()


def test_countries_resolve_without_importing_hdx():
    import subprocess
    import sys

    code = (
        "import sys, pandas as pd\n"
        "from maaor.normalise import country_iso3\n"
        "r = country_iso3(pd.Series(['Iraq', 'IRQ', 'SY', 'Irak', 'South Sudan', 'Atlantis',"
        " 'Congo (Brazaville)']))\n"
        "print(list(r.values), 'hdx.location.country' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['IRQ', 'IRQ', 'SYR', 'IRQ', 'SSD', nan, 'COG'] False"


# --- cell_text's fast path for printable ASCII (issue 16) --------------------------------


def _cell_text_by_regex(value: str) -> str | None:
    """What cell_text gives a text by its general rule: runs of whitespace -> one space."""
    return nz._SPACES.sub(" ", value).strip() or None


@given(st.lists(st.sampled_from(
    [" ", "  ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1f", "\x85", "\xa0", "\u2003",
     "\u3000", "a", "Z", "0", "-", "é", "PC", "Admin"]), max_size=12).map("".join))
@example(" PC00186 ")
@example("a  b")
@example("a\x1fb")
@example("   ")
@example("")
def test_cell_text_of_text_is_the_whitespace_rule_whatever_the_path(value):
    assert nz.cell_text(value) == _cell_text_by_regex(value)


@given(st.text(max_size=20))
def test_cell_text_of_any_text_is_the_whitespace_rule(value):
    assert nz.cell_text(value) == _cell_text_by_regex(value)


def test_cell_text_keeps_single_spaces_and_strips_the_ends():
    assert nz.cell_text("  Land release ") == "Land release"
    assert nz.cell_text("Land\u00a0 release") == "Land release"
    assert nz.cell_text("Land\t\trelease") == "Land release"
    assert nz.cell_text(" ") is None


# --- _as_float: numpy's cast of an all-number object column (issue 16) --------------------

_NUMBER_CELLS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.none(),
    st.decimals(allow_nan=False, allow_infinity=False, places=3),
    st.just(10**400),
)


@given(st.lists(_NUMBER_CELLS, max_size=30))
@example([1, 2.5, None, float("nan")])
@example([2**63 + 1, -(2**63) - 1, 2**53 + 1])
@example([10**400, 1.0])
def test_as_float_of_numbers_is_what_to_numeric_gives(cells):
    s = pd.Series(cells, dtype=object, name="reached_total")
    if not nz._all_numbers(s):
        return  # _as_float is called only on columns _all_numbers accepts
    try:
        expected = pd.to_numeric(s, errors="coerce").astype("float64")
    except (OverflowError, ValueError, TypeError) as exc:
        with pytest.raises(type(exc)):
            nz._as_float(s)
        return
    got = nz._as_float(s)
    pd.testing.assert_series_equal(got, expected)

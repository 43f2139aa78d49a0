"""The vectorised validation helpers give what the row-by-row rules gave, and a problem's
words are told when read, identical to the words told when it was made."""

from __future__ import annotations

import pickle
import re

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from maaor import borders
from maaor.i18n import problems as catalogue
from maaor.normalise import str_series
from maaor.problems import problem
from maaor.validate.frames import masked_tuples, row_groups
from maaor.validate.kinds import _BAD_ADMIN_CODE, _bad_admin_codes

# --------------------------------------------------------------------------- problems


def test_problem_words_equal_the_catalogue_in_every_language():
    params = {"value": "-3", "column": "Budget"}
    p = problem("error", "money.negative", params, file="wp.xlsx", row=4, column="Budget",
                value="-3")
    for lang in ("en", "fr"):
        assert p.message_in(lang) == catalogue.problem_text("money.negative", lang, params)
        assert p.fix_in(lang) == catalogue.problem_text("money.negative", lang, params, "fix")
    assert p.to_dict()["message"] == "'-3' is a negative amount."
    assert p.localised("fr")["message"] == catalogue.problem_text("money.negative", "fr", params)


def test_problem_words_are_told_once_when_first_read(monkeypatch):
    calls = []
    told = catalogue.problem_text

    def counting(*args, **kwargs):
        calls.append(args[:2])
        return told(*args, **kwargs)

    monkeypatch.setattr(catalogue, "problem_text", counting)
    p = problem("warning", "coordinates.outside_country",
                {"lat": "1", "lon": "2", "country": {"country": "AFG"}, "value": "1",
                 "column": "Latitude"})
    rows = [p.at_row(r) for r in (5, 6, 7)]
    assert calls == []  # nothing told while loading
    assert {r.message for r in rows} == {p.message}
    assert "Afghanistan" in p.message
    assert calls == [("coordinates.outside_country", "en")]  # shared by the rows
    rows[0].message_in("fr")
    rows[1].message_in("fr")
    assert calls[1:] == [("coordinates.outside_country", "fr")]


def test_a_problem_at_another_row_is_the_same_problem_there():
    p = problem("error", "date.invalid", {"value": "2019", "column": "Start"}, file="4w.xlsx",
                sheet="4W", row=3, column="Start", value="2019")
    q = p.at_row(9)
    assert (q.row, q.message, q.fix, q.file, q.sheet, q.column, q.value) == \
        (9, p.message, p.fix, p.file, p.sheet, p.column, p.value)
    assert p.at_row(3) == p and hash(p.at_row(3)) == hash(p)
    assert pickle.loads(pickle.dumps(q)) == q


# --------------------------------------------------------------------------- frames


def test_row_groups_match_duplicated_with_missing_values_equal():
    frame = pd.DataFrame({
        "org": pd.Series(["A", "A", None, None, "B", "A", "B"], dtype="str"),
        "year": pd.Series([2020, 2020, None, None, 2021, 2020, 2022], dtype="Int64"),
        "as_of": pd.to_datetime(["2020-01-01", "2020-01-01", None, None, "2020-02-01",
                                 "2020-01-01", "2020-02-01"]),
    })
    groups, first = row_groups(*(frame[c] for c in frame))
    assert ((first[groups] != np.arange(len(frame))) == frame.duplicated().to_numpy()).all()
    assert first[groups].tolist() == [0, 0, 2, 2, 4, 0, 6]


def test_masked_tuples_only_at_flagged_rows():
    out = masked_tuples(np.array([False, True, False, True]), np.array([1.5, 2.5, 3.5, 4.5]),
                        np.array(["a", "b", "c", "d"], dtype=object))
    assert out.tolist() == [None, (2.5, "b"), None, (4.5, "d")]


@given(st.lists(st.one_of(st.none(), st.text(max_size=6)), max_size=30),
       st.lists(st.integers(min_value=-1, max_value=29), max_size=40))
@settings(max_examples=100, deadline=None)
def test_str_series_equals_the_object_route(values, codes):
    codes = np.array([c if c < len(values) else -1 for c in codes], dtype=np.int64)
    arr = np.array([*values, None], dtype=object)
    expected = pd.Series(arr[codes] if len(codes) else arr[:0], dtype="str")
    got = str_series(codes, values, None, pd.RangeIndex(len(codes)))
    pd.testing.assert_series_equal(got, expected)


# --------------------------------------------------------------------------- rules

_CODE_CHARS = st.sampled_from(list("0 -.–_/NnAaIiLlUuOoEe1PC\u00a0\u2003ıİ"))


@given(st.lists(st.one_of(st.none(), st.text(_CODE_CHARS, max_size=9)), max_size=40))
@settings(max_examples=200, deadline=None)
def test_placeholder_admin_codes_as_the_pattern_finds_them(codes):
    series = pd.Series(codes, dtype="str")
    expected = [isinstance(c, str) and _BAD_ADMIN_CODE.fullmatch(c) is not None
                for c in series.astype(object).where(series.notna(), None)]
    assert _bad_admin_codes(series).tolist() == expected


def test_points_beyond_a_country_box_are_outside_as_the_ring_test_says():
    rng = np.random.default_rng(3)
    lat = rng.uniform(-10, 45, 3000)
    lon = rng.uniform(-20, 80, 3000)
    iso3 = rng.choice(["AFG", "IRQ", "MLI", "UKR", "VUT", "XXX", None], 3000)
    got = borders.outside_country(pd.Series(iso3, dtype=object), pd.Series(lat), pd.Series(lon))
    rings = borders._rings()
    expected = np.zeros(3000, dtype=bool)
    for code in ("AFG", "IRQ", "MLI", "UKR", "VUT"):
        rows = iso3 == code
        expected[rows] = ~borders._inside_or_near(
            rings[code], lon[rows], lat[rows],
            borders._tolerance(rings[code], borders.TOLERANCE_DEGREES))
    assert (got == expected).all()
    assert got.any() and not got.all()
    # The validator's column of Arrow strings (factorised without Python objects) gives
    # the same mask, blanks and missing countries included.
    as_text = pd.Series(iso3, dtype="str")
    assert (borders.outside_country(as_text, pd.Series(lat), pd.Series(lon)) == expected).all()


def test_admin_code_pattern_is_the_one_documented():
    # The prefilter in _bad_admin_codes relies on the pattern's two shapes.
    assert _BAD_ADMIN_CODE.pattern == r"^[\s0\-.–_/]*$|^(?:n/?a|none|null|nil)$"
    assert _BAD_ADMIN_CODE.flags & re.I

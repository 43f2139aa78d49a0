"""Aggregates stored per version equal the UI's unfiltered figures and are read back."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from maaor import aggregates, views
from maaor.bundled import load_default
from maaor.dataset import Dataset
from maaor.filters import Filters


@pytest.fixture(scope="module")
def bundled():
    return load_default().dataset


@pytest.mark.parametrize("level", ["point", "admin1"])
def test_stored_views_equal_the_ui_views(bundled, level):
    public = views.public_dataset(bundled, level)
    computed = aggregates.compute(bundled, level)
    # named by view, presence level and definitions revision (issue 11 changed funding)
    assert set(computed) == {f"{v}@{level}#r{aggregates.DEFINITIONS_REVISION}"
                             for v in views.STORED_VIEWS}
    for view in views.STORED_VIEWS:
        expected = views.VIEWS[view].compute(public, Filters(), dt.date(2026, 1, 1))
        got = aggregates.decode(computed[aggregates.stored_name(view, level)])
        if isinstance(expected, pd.DataFrame):
            pd.testing.assert_frame_equal(got, expected, check_index_type=False)
        else:
            assert got == pytest.approx(expected), view


def test_public_dataset_blanks_contacts_and_coarsens(bundled):
    assert bundled.presence["focal_point"].notna().any()
    public = views.public_dataset(bundled, "admin1")
    assert public.presence["focal_point"].isna().all()
    assert public.presence["contact"].isna().all()
    assert public.presence["lat"].isna().all()
    by_admin1 = aggregates.decode(aggregates.compute(bundled, "admin1")[aggregates.stored_name("presence.by_admin1", "admin1")])
    assert by_admin1["lat"].isna().all()


def test_encode_decode_round_trip():
    frame = pd.DataFrame({"a": pd.Series(["x", None], dtype="str"), "n": [1, 2]})
    pd.testing.assert_frame_equal(aggregates.decode(aggregates.encode(frame)), frame)
    assert aggregates.decode(aggregates.encode({"k": 3, "f": 1.5})) == {"k": 3, "f": 1.5}
    with pytest.raises(TypeError):
        aggregates.encode([1, 2])
    with pytest.raises(ValueError):
        aggregates.decode(b"Xjunk")


def test_read_aggregate_computes_once_and_stores(store, bundled):
    version = store.publish(bundled, [], by="test", note="v1")
    assert store.aggregate(version, aggregates.stored_name("presence.by_country", "point")) is None
    first = aggregates.read_aggregate(store, version, "presence.by_country", "point")
    stored = store.aggregate(version, aggregates.stored_name("presence.by_country", "point"))
    assert stored is not None
    # Every stored view of the version was written on that first read.
    for view in views.STORED_VIEWS:
        assert store.aggregate(version, aggregates.stored_name(view, "point")) is not None
    again = aggregates.read_aggregate(store, version, "presence.by_country", "point")
    pd.testing.assert_frame_equal(first, again)
    assert int(first["organisations"].sum()) > 0
    assert aggregates.read_aggregate(store, version, "gaps.counts", "point") is None


def test_store_aggregates_per_version_and_rollback_copies_them(store, bundled):
    v1 = store.publish(bundled, [], by="test", note="v1")
    names = aggregates.store_aggregates(store, v1, "point", bundled)
    assert sorted(names) == sorted(aggregates.stored_name(v, "point") for v in views.STORED_VIEWS)
    full = aggregates.decode(store.aggregate(v1, aggregates.stored_name("presence.headline", "point")))
    smaller = Dataset({**bundled.tables, "presence": bundled.presence.iloc[:5]}, bundled.meta)
    v2 = store.publish(smaller, [], by="test", note="v2")
    aggregates.store_aggregates(store, v2, "point", smaller)
    small = aggregates.decode(store.aggregate(v2, aggregates.stored_name("presence.headline", "point")))
    assert 0 < small["rows"] <= 5 < full["rows"]
    # Version 1's aggregates are untouched by version 2's.
    assert aggregates.decode(store.aggregate(v1, aggregates.stored_name("presence.headline", "point"))) == full
    v3 = store.rollback(v1, by="test")
    assert store.aggregate(v3, aggregates.stored_name("presence.headline", "point")) == store.aggregate(
        v1, aggregates.stored_name("presence.headline", "point"))


def test_public_presence_level_from_env():
    assert views.public_presence_level({}) == "point"
    assert views.public_presence_level({"MAAOR_PUBLIC_PRESENCE_LEVEL": " Admin1 "}) == "admin1"
    assert views.public_presence_level({"MAAOR_PUBLIC_PRESENCE_LEVEL": "street"}) == "point"

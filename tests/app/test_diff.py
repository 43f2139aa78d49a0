"""What-changed between two datasets."""

import datetime as dt

import pandas as pd

from maaor.dataset import Dataset, conform
from maaor.diff import activity_changes, diff_datasets, flag_changes, presence_changes

TODAY = dt.date(2019, 6, 1)


def _wp(rows):
    base = {"objective_id": "1", "output_id": "1.1", "activity": "x"}
    return conform("workplan", pd.DataFrame([{**base, **r} for r in rows]))


def test_activities_added_removed_changed():
    before = _wp([
        {"activity_id": "1.1.1", "status": "ongoing", "progress": 10.0, "leads": "UNMAS"},
        {"activity_id": "1.1.2", "status": "ongoing", "progress": 20.0},
    ])
    after = _wp([
        {"activity_id": "1.1.1", "status": "completed", "progress": 100.0, "leads": "UNMAS"},
        {"activity_id": "1.1.3", "status": "not_started"},
    ])
    added, removed, changed = activity_changes(before, after)
    assert added["activity_id"].tolist() == ["1.1.3"]
    assert removed["activity_id"].tolist() == ["1.1.2"]
    assert changed.to_dict("records") == [
        {"activity_id": "1.1.1", "field": "progress", "before": 10.0, "after": 100.0},
        {"activity_id": "1.1.1", "field": "status", "before": "ongoing", "after": "completed"},
    ]


def test_unchanged_nan_is_not_a_change():
    wp = _wp([{"activity_id": "1.1.1"}])
    _, _, changed = activity_changes(wp, wp.copy())
    assert changed.empty


def test_presence_rows_compared_as_multiset_per_country_and_pillar():
    before = conform("presence", pd.DataFrame({
        "org": ["MAG", "MAG", "NPA"], "country_iso3": ["IRQ"] * 3,
        "pillar": ["eore", "eore", "land_release"],
    }))
    after = conform("presence", pd.DataFrame({
        "org": ["MAG", "NPA", "The HALO Trust"], "country_iso3": ["IRQ"] * 3,
        "pillar": ["eore", "land_release", "land_release"],
    }))
    out = presence_changes(before, after)
    assert out.to_dict("records") == [
        {"country_iso3": "IRQ", "pillar": "eore", "added": 0, "removed": 1},
        {"country_iso3": "IRQ", "pillar": "land_release", "added": 1, "removed": 0},
    ]


def test_flags_raised_and_cleared():
    cols = ["rule", "scope", "ref", "label", "pillar", "detail"]
    before = pd.DataFrame([["no_lead", "activity", "1.1.1", "a", None, ""],
                           ["overdue", "activity", "1.1.2", "b", None, ""]], columns=cols)
    after = pd.DataFrame([["overdue", "activity", "1.1.2", "b", None, ""],
                          ["no_budget", "activity", "1.1.3", "c", None, ""]], columns=cols)
    raised, cleared = flag_changes(before, after)
    assert raised["ref"].tolist() == ["1.1.3"]
    assert cleared["ref"].tolist() == ["1.1.1"]


def test_diff_datasets_end_to_end():
    before = Dataset({"workplan": _wp([{"activity_id": "1.1.1", "leads": "UNMAS"}])})
    after = Dataset({
        "workplan": _wp([{"activity_id": "1.1.1"}]),  # lead removed -> no_lead raised
        "funding": conform("funding", pd.DataFrame({"year": [2020], "required_usd": [100.0],
                                                    "funded_usd": [40.0]})),
    })
    d = diff_datasets(before, after, TODAY)
    assert d.activities_changed["field"].tolist() == ["leads"]
    assert "no_lead" in set(d.flags_raised["rule"])
    funded = d.funding.set_index("measure")
    assert funded.loc["funded_usd", "after"] == 40.0
    assert not d.is_empty
    assert diff_datasets(before, before, TODAY).is_empty


def test_table_removals_and_their_headline_in_both_languages():
    from maaor.dataset import empty_table
    from maaor.diff import TableRemoval, removal_headlines, table_removals

    def ds(presence):
        tables = {name: empty_table(name) for name in ("workplan", "funding", "fts",
                                                        "indicators", "mechanisms")}
        tables["presence"] = conform("presence", pd.DataFrame(presence))
        return Dataset(tables)

    before = ds({"org": ["UNMAS", "HALO", "MAG", "MAG"], "country_iso3": ["MLI", "NER", "BFA", "BFA"],
                 "_row": [2, 3, 4, 5]})
    after = ds({"org": ["UNMAS", "NPA"], "country_iso3": ["MLI", "MLI"], "_row": [9, 10]})
    removals = table_removals(before, after)
    # The Mali row is the same (its provenance differs): 3 rows go, 1 comes.
    assert removals == (TableRemoval("presence", 3, 1, ("BFA", "NER")),)
    assert removal_headlines(removals, "en") == [
        "Removes the 4W presence of 2 countries: Burkina Faso, Niger.",
        "Removes 3 row(s) of the 4W presence and adds 1.",
    ]
    assert removal_headlines(removals, "fr") == [
        "Supprime les données « présence 4W » de 2 pays : Burkina Faso, Niger.",
        "Supprime 3 ligne(s) de « présence 4W » et en ajoute 1.",
    ]
    assert table_removals(before, before) == ()


def test_removals_skip_a_table_kept_whole_and_count_a_copy_of_it(monkeypatch):
    from maaor import diff
    from maaor.dataset import Dataset, conform

    presence = conform("presence", pd.DataFrame({"org": ["UNMAS", "HALO"],
                                                 "country_iso3": ["MLI", "NER"]}))
    before = Dataset({"presence": presence})
    counted = []
    real = diff._row_counts
    monkeypatch.setattr(diff, "_row_counts", lambda frame: counted.append(len(frame)) or real(frame))
    # Every table of ``after`` is the very frame of ``before``: nothing to count.
    assert diff.table_removals(before, Dataset(dict(before.tables))) == ()
    assert counted == []
    # An equal copy is compared row by row (and found equal).
    assert diff.table_removals(before, Dataset({**before.tables, "presence": presence.copy()})) == ()
    assert counted == [2, 2]


def _presence_by_counting(before, after):
    """The multiset rule spelled out row by row (the reference for presence_changes)."""
    from collections import Counter

    from maaor.diff import PRESENCE_KEY

    def texts(frame):
        return Counter(
            tuple("" if pd.isna(v) else str(v) for v in row)
            for row in frame[list(PRESENCE_KEY)].astype(object).itertuples(index=False))

    cb, ca = texts(before), texts(after)
    out = {}
    for row in set(cb) | set(ca):
        key = (row[1], row[4])  # country_iso3, pillar
        added, removed = max(ca[row] - cb[row], 0), max(cb[row] - ca[row], 0)
        a, r = out.get(key, (0, 0))
        out[key] = (a + added, r + removed)
    return [(c or None, p or None, a, r) for (c, p), (a, r) in out.items() if a or r]


def test_presence_changes_count_rows_as_a_multiset_per_country_and_pillar():
    import numpy as np

    rng = np.random.default_rng(3)

    def frame(n):
        return conform("presence", pd.DataFrame({
            "org": rng.choice(["HALO Trust", "MAG", None], n),
            "country_iso3": rng.choice(["IRQ", "SYR", None, ""], n),
            "admin1": rng.choice(["Ninewa", None], n),
            "pillar": rng.choice(["clearance", "eore", None], n),
            "status": rng.choice(["active", "planned"], n),
            "start": pd.to_datetime(rng.choice(["2019-01-01", "2020-02-02", None], n)),
        }))

    before, after = frame(400), frame(300)
    after = pd.concat([after, before.iloc[:50], before.iloc[:5]], ignore_index=True)
    got = presence_changes(before, after)
    rows = [(None if pd.isna(c) else c, None if pd.isna(p) else p, a, r)
            for c, p, a, r in got.itertuples(index=False)]
    assert sorted(rows, key=str) == sorted(_presence_by_counting(before, after), key=str)
    assert rows == sorted(rows, key=lambda x: (x[0] or "", x[1] or ""))  # by country, pillar
    assert presence_changes(before, before).empty

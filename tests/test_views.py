"""maaor.views: the view registry, the rules shared by pages, narrative and slides, and the
one public transformation; on the tiny hand-checked tables of tests/figures_data.py."""

from __future__ import annotations

import ast

import pandas as pd
import pytest

from maaor import views
from maaor.dataset import TABLE_COLUMNS, Dataset, conform
from maaor.filters import Filters, filter_mechanisms
from tests.figures_data import TODAY, dataset, mechanisms
from tests.paths import ROOT


def _indicators() -> pd.DataFrame:
    """IRQ 2019 and 2020 (the 2020 row dated by ``as_of`` only), AFG 2021, a global 2018."""
    rows = [
        dict(indicator_id="a", indicator="A", country_iso3="IRQ", year=2019, actual=1.0),
        dict(indicator_id="b", indicator="B", country_iso3="IRQ", year=pd.NA,
             as_of=pd.Timestamp("2020-05-01"), actual=2.0),
        dict(indicator_id="c", indicator="C", country_iso3="AFG", year=2021, actual=3.0),
        dict(indicator_id="d", indicator="D", country_iso3=float("nan"), year=2018, actual=4.0),
    ]
    return conform("indicators", pd.DataFrame(rows))


def _with_indicators() -> Dataset:
    ds = dataset()
    return Dataset({**ds.tables, "indicators": _indicators()}, ds.meta)


def test_latest_indicator_year_follows_the_countries_not_the_year():
    ds = _with_indicators()
    assert views.latest_indicator_year(ds, Filters()) == 2021
    # the chosen year is ignored: the rule answers "which year to show when none is chosen"
    assert views.latest_indicator_year(ds, Filters(year=2018)) == 2021
    # a row without year counts in its as_of year (2020), as filter_indicators places it
    assert views.latest_indicator_year(ds, Filters(countries=("IRQ",))) == 2020
    assert views.latest_indicator_year(ds, Filters(countries=("SYR",))) is None
    assert views.compute("results.latest_year", ds, Filters(countries=("IRQ",)), TODAY) == 2020


def test_mechanisms_of_the_chosen_countries():
    table = mechanisms()
    assert filter_mechanisms(table, Filters()) is table
    chosen = filter_mechanisms(table, Filters(countries=("IRQ", "LBY", "COL")))
    assert list(chosen["country_iso3"]) == ["IRQ", "LBY"]
    # the presence headline counts mechanisms of the chosen countries only (LBY inactive)
    head = views.compute("presence.headline", dataset(), Filters(countries=("AFG", "LBY")), TODAY)
    assert head["countries_with_mechanism"] == 1


def test_every_view_names_canonical_tables_and_stored_views_need_no_date():
    for name, view in views.VIEWS.items():
        assert view.tables and set(view.tables) <= set(TABLE_COLUMNS), name
    assert views.STORED_VIEWS == tuple(n for n, v in views.VIEWS.items() if v.stored)
    ds = dataset()
    for name in views.STORED_VIEWS:  # today=None: a stored view that read it would fail
        assert views.compute(name, ds, views.NO_FILTERS, None) is not None, name


def test_column_layouts_sit_with_their_view():
    assert list(views.columns("presence.by_admin1").headers)[:2] == ["country_iso3", "admin1"]
    assert views.columns("gaps.flags", "activity").links == {"ref": ("workplan", "activity")}
    assert views.columns("gaps.flags", "country").links == {"ref": ("presence", "country")}
    by_channel = views.columns("funding.by", ("channel",))
    assert by_channel.headers["channel"] == "funding.by.channel"
    assert by_channel.vocab == {"channel": "channel"}
    with pytest.raises(KeyError):
        views.columns("overview")


def test_public_dataset_drops_sensitive_columns_and_coarsens_to_the_setting(monkeypatch):
    ds = dataset()
    presence = ds.presence.assign(focal_point="Jane Doe", contact="jane@example.org")
    ds = Dataset({**ds.tables, "presence": presence}, ds.meta)
    monkeypatch.setenv("MAAOR_PUBLIC_PRESENCE_LEVEL", "country")
    public = views.public_dataset(ds)
    assert public.presence["admin1"].isna().all() and public.presence["lat"].isna().all()
    assert public.presence["focal_point"].isna().all()
    assert public.presence["contact"].isna().all()
    # the level may be given; "point" keeps the locations
    assert views.public_dataset(ds, "point").presence["admin1"].notna().any()
    monkeypatch.delenv("MAAOR_PUBLIC_PRESENCE_LEVEL")
    assert views.public_presence_level() == "point"


def _imports(path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def test_filters_and_views_import_downwards_only():
    # filters sit under the figures (which import them) and know nothing of the UI
    assert {m for m in _imports(ROOT / "maaor" / "filters.py")
            if m.startswith(("maaor.figures", "maaor.ui", "maaor.views", "streamlit"))} == set()
    assert {m for m in _imports(ROOT / "maaor" / "views.py")
            if m.startswith(("maaor.ui", "streamlit"))} == set()
    # the UI keeps no registry of its own
    assert not hasattr(__import__("maaor.ui.data", fromlist=["x"]), "VIEWS")


def test_the_latest_year_rule_is_written_once():
    rule = 'fillna(rows["as_of"].dt.year'
    files = [*sorted((ROOT / "maaor").rglob("*.py")), ROOT / "app.py",
             *sorted((ROOT / "pages").glob("*.py"))]
    # In maaor/filters.py (beside filter_indicators) so that figures, views and pages can
    # all import it without a cycle (maaor.views imports the figures).
    assert [str(p.relative_to(ROOT)) for p in files if rule in p.read_text("utf-8")] == [
        "maaor/filters.py"]



def test_per_country_figures_are_those_computed_from_the_filtered_rows():
    """Presence figures grouped by country, for chosen countries, are taken from the
    figure of every country: the same table as computing them from the filtered rows."""
    import pandas.testing as pdt

    from maaor.bundled import load_default
    from maaor.figures import presence as fig_presence
    from maaor.filters import filter_presence

    for level in ("admin1", "point"):
        ds = views.public_dataset(load_default().dataset, level)
        codes = sorted(ds.presence["country_iso3"].dropna().unique())
        choices = [(c,) for c in codes] + [tuple(codes[:3]), tuple(codes[-2:]), ("ZZZ",),
                                           (codes[0], "ZZZ")]
        for countries in choices:
            for extra in ({}, {"objectives": ("1",)}, {"pillars": ("mrm",)},
                          {"presence_statuses": ("planned",)}):
                f = Filters(countries=countries, **extra)
                for name, figure in (("presence.by_country", fig_presence.orgs_by_country),
                                     ("presence.by_admin1", fig_presence.orgs_by_admin1),
                                     ("presence.by_pillar", fig_presence.orgs_by_pillar)):
                    direct = figure(filter_presence.uncached(ds.presence, f),
                                    active_only=not f.presence_statuses)
                    got = views.compute(name, ds, f, TODAY)
                    pdt.assert_frame_equal(got, direct, obj=f"{name} {f}")


def test_per_objective_figures_are_those_computed_from_the_filtered_rows():
    """Work-plan figures grouped by objective, for chosen objectives, are taken from the
    figure of every objective: the same table as computing them from the filtered rows."""
    import pandas.testing as pdt

    from maaor.bundled import load_default
    from maaor.figures import progress as fig_progress
    from maaor.filters import filter_workplan

    ds = views.public_dataset(load_default().dataset, "admin1")
    ids = sorted(ds.workplan["objective_id"].dropna().unique())
    choices = [(i,) for i in ids] + [tuple(ids[:2]), tuple(ids[-2:]), ("no such",),
                                     (ids[0], "no such")]
    for objectives in choices:
        for extra in ({}, {"countries": ("AFG",)}, {"statuses": ("ongoing",)},
                      {"year": 2025}):
            f = Filters(objectives=objectives, **extra)
            rows = filter_workplan.uncached(ds.workplan, f)
            for name, figure in (("workplan.by_objective", fig_progress.progress_by_objective),
                                 ("workplan.by_output", fig_progress.progress_by_output)):
                pdt.assert_frame_equal(views.compute(name, ds, f, TODAY), figure(rows),
                                       check_exact=True, obj=f"{name} {f}")


def test_chosen_rows_are_the_rows_of_the_values_in_table_order():
    import pandas as pd
    import pandas.testing as pdt

    from maaor.filters import chosen_rows, objectives_only

    figure = pd.DataFrame({"objective_id": ["2", None, "1", "2", "3"], "n": [1, 2, 3, 4, 5]})
    pdt.assert_frame_equal(chosen_rows(figure, "objective_id", ("2", "1")),
                           figure.iloc[[0, 2, 3]].reset_index(drop=True))
    assert chosen_rows(figure, "objective_id", ("9",)) is None
    assert objectives_only(Filters(objectives=("1",), countries=("AFG",)))
    assert not objectives_only(Filters(objectives=("1",), year=2025))
    assert not objectives_only(Filters())


def test_reached_and_matrix_taken_per_country_are_those_computed_from_the_filtered_rows():
    """People reached by place or pillar, the reached headline and the organisation x
    pillar matrix, for chosen countries, read from every country's figures or columns:
    the same tables (to the last bit) as computing them from the filtered rows."""
    import pandas.testing as pdt

    from maaor.bundled import load_default
    from maaor.figures import presence as fig_presence
    from maaor.figures import reached as fig_reached
    from maaor.filters import filter_presence

    for level in ("admin1", "point"):
        ds = views.public_dataset(load_default().dataset, level)
        codes = sorted(ds.presence["country_iso3"].dropna().unique())
        choices = [(c,) for c in codes] + [tuple(codes[:3]), ("ZZZ",), (codes[0], "ZZZ")]
        for countries in choices:
            for extra in ({}, {"pillars": ("mrm",)}, {"presence_statuses": ("planned",)}):
                f = Filters(countries=countries, **extra)
                rows = filter_presence.uncached(ds.presence, f)
                for by in (("pillar",), ("country", "admin1"), ("country",), "organisation",
                           ("admin1", "pillar")):
                    pdt.assert_frame_equal(views.compute("reached.by", ds, f, TODAY, by),
                                           fig_reached.reached_by(rows, by),
                                           check_exact=True, obj=f"reached.by {by} {f}")
                assert views.compute("reached.headline", ds, f, TODAY) == \
                    fig_reached.reached_headline(rows), f
                for iso3 in (countries[0], codes[-1]):
                    pdt.assert_frame_equal(views.compute("presence.matrix", ds, f, TODAY, iso3),
                                           fig_presence.org_pillar_matrix(rows, iso3),
                                           obj=f"matrix {iso3} {f}")


def test_headline_figures_are_the_same_taken_per_country_or_computed(monkeypatch):
    """The headline's country gaps taken from every country's gaps, and its parts kept
    per table, give the figures computed from the filtered tables."""
    import copy

    from maaor.bundled import load_default
    from maaor.figures import overview

    ds = views.public_dataset(load_default().dataset, "admin1")
    codes = sorted(ds.presence["country_iso3"].dropna().unique())
    choices = [Filters(countries=(c,)) for c in codes] + [
        Filters(countries=tuple(codes[:2])), Filters(countries=("ZZZ",)),
        Filters(countries=(codes[0],), objectives=("1",)), Filters(objectives=("1",)),
        Filters(countries=(codes[0],), pillars=("mrm",)), Filters()]
    fast = {f: overview.headline_figures(ds, f, TODAY) for f in choices * 2}
    monkeypatch.setattr(overview, "countries_only", lambda *a: False)
    monkeypatch.setattr(overview, "kept", lambda frame, key, compute: compute())
    fresh = copy.deepcopy(ds)
    for f in choices:
        assert fast[f] == overview.headline_figures(fresh, f, TODAY), f


def test_warming_a_dataset_leaves_nothing_for_a_filter_change_to_regroup(monkeypatch):
    """After ``views.warm``, a new country or objective reads its rows from figures of
    every country and objective computed then: no figure regroups a whole table."""
    import copy
    import functools

    import pandas.testing as pdt

    from maaor.bundled import load_default
    from maaor.figures import presence as fig_presence
    from maaor.figures import progress as fig_progress
    from maaor.figures import reached as fig_reached

    calls: list[str] = []

    def counted(module, name):
        original = getattr(module, name)

        @functools.wraps(original)
        def wrapper(*args, **kwargs):
            calls.append(name)
            return original(*args, **kwargs)

        monkeypatch.setattr(module, name, wrapper)

    for module, names in ((fig_presence, ("orgs_by_country", "orgs_by_admin1", "orgs_by_pillar",
                                          "presence_headline_by_country", "org_pillar_matrix")),
                          (fig_progress, ("progress_by_objective", "progress_by_output")),
                          (fig_reached, ("reached_by",))):
        for name in names:
            counted(module, name)
    base = views.public_dataset(load_default().dataset, "admin1")
    ds = copy.deepcopy(base)  # tables of its own: nothing kept yet
    views.warm(ds, TODAY)
    assert calls
    calls.clear()
    codes = sorted(ds.presence["country_iso3"].dropna().unique())
    ids = sorted(ds.workplan["objective_id"].dropna().unique())
    f = Filters(countries=(codes[-1],), objectives=(ids[-1],))
    got = {(name, args): views.compute(name, ds, f, TODAY, *args)
           for name, args in (*views.WARM_VIEWS, ("presence.matrix", (codes[-1],)))}
    assert calls == []
    fresh = copy.deepcopy(base)
    for (name, args), value in got.items():
        expected = views.compute(name, fresh, f, TODAY, *args)
        if isinstance(value, dict):
            assert value == expected, name
        else:
            pdt.assert_frame_equal(value, expected, obj=name)

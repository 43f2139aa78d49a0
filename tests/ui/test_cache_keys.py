"""The cache key of a Filters (``maaor.ui.data.FILTERS_HASH``) tells every choice apart."""

from __future__ import annotations

import dataclasses

from maaor.filters import Filters
from maaor.ui.data import FILTERS_HASH


def _key(f: Filters) -> str:
    return FILTERS_HASH[Filters](f)


def test_every_filter_field_changes_the_cache_key():
    base = Filters()
    for field in dataclasses.fields(Filters):
        default = getattr(base, field.name)
        if isinstance(default, tuple):
            changed = dataclasses.replace(base, **{field.name: ("X",)})
        elif field.type in ("int | None", int) or field.name == "year":
            changed = dataclasses.replace(base, **{field.name: 2024})
        else:
            changed = dataclasses.replace(base, **{field.name: "X"})
        assert _key(changed) != _key(base), field.name


def test_same_choices_same_key_and_order_matters_as_before():
    assert _key(Filters(countries=("IRQ",))) == _key(Filters(countries=("IRQ",)))
    assert _key(Filters(countries=("IRQ",))) != _key(Filters(pillars=("IRQ",)))
    assert _key(Filters(countries=("AFG", "IRQ"))) != _key(Filters(countries=("IRQ", "AFG")))


def test_viewers_making_the_same_filter_change_at_once_compute_the_figure_once(monkeypatch):
    """The UI's figure cache is shared across sessions: many viewers choosing the same
    country at the same moment wait for one computation (keyed by version and filters),
    and a different choice is its own computation."""
    import threading
    import time

    from maaor import views
    from maaor.ui import data

    calls = []

    def compute(name, ds, f, today, *args):
        calls.append((name, f))
        time.sleep(0.2)  # long enough for every viewer to ask while it runs
        return f.countries

    monkeypatch.setattr(views, "compute", compute)
    monkeypatch.setattr(data, "dataset", lambda version: None)
    monkeypatch.setattr(data, "shared_figures", lambda: None)
    data.clear_views()
    chosen = Filters(countries=("IRQ",))
    start = threading.Barrier(8)
    results = []

    def viewer():
        start.wait()
        results.append(data.view(-7, "presence.by_pillar", chosen, None))

    threads = [threading.Thread(target=viewer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [("IRQ",)] * 8
    assert calls == [("presence.by_pillar", chosen)]
    assert data.view(-7, "presence.by_pillar", Filters(countries=("AFG",)), None) == ("AFG",)
    assert len(calls) == 2
    data.clear_views()


def test_a_viewer_changing_its_figure_leaves_the_shared_one_alone(monkeypatch):
    """Figures are shared across sessions without copying them on each hit: each caller
    gets a copy-on-write copy, so a page that writes into its frame writes into its own."""
    import pandas as pd

    from maaor import views
    from maaor.ui import data

    frame = pd.DataFrame({"country": ["IRQ", "AFG"], "reached": [10, 20]})

    def compute(name, ds, f, today, *args):
        return {"table": frame, "pair": (frame, 3)}

    monkeypatch.setattr(views, "compute", compute)
    monkeypatch.setattr(data, "dataset", lambda version: None)
    monkeypatch.setattr(data, "shared_figures", lambda: None)
    data.clear_views()
    mine = data.view(-8, "presence.by_pillar", Filters(countries=("IRQ",)), None)
    mine["table"].loc[0, "reached"] = 999
    mine["table"]["extra"] = 1
    mine["pair"][0].loc[1, "reached"] = -1
    again = data.view(-8, "presence.by_pillar", Filters(countries=("IRQ",)), None)
    assert again["table"].equals(pd.DataFrame({"country": ["IRQ", "AFG"], "reached": [10, 20]}))
    assert again["pair"][0]["reached"].tolist() == [10, 20]
    assert frame["reached"].tolist() == [10, 20] and "extra" not in frame
    data.clear_views()
